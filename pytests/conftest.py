"""Shared fixtures for the suites that drive the built `scute` binary."""
import os
import pathlib
import socket
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def scute_bin() -> str:
    path = os.environ.get("SCUTE_BIN", str(ROOT / ".build" / "debug" / "scute"))
    if not os.path.exists(path):
        pytest.exit(f"scute binary not found at {path}: build it first (swift build) or set SCUTE_BIN", 2)
    return path


@pytest.fixture(scope="session")
def scute():
    return scute_bin()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """A local AWS API (moto_server) on loopback, for real register-task-definition calls."""
    port = free_port()
    proc = subprocess.Popen(
        ["moto_server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("moto_server did not start within 30 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
