"""End to end through the sidecar relay: a console on loopback, `scute sidecar` with a temporary volume and
the console's install bundle, and the small `scute-defender` (as unpacked into the volume) running an app
with SCUTE_DATA_FOLDER pointing at the volume. The defender talks only to <volume>/channel.sock.

A rule created through the API blocks a process within a second, and its audit can be queried.
"""
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from test_e2e_console_defender import LOOP, Console, wait_connected


@pytest.fixture
def console(scute, tmp_path):
    c = Console(scute, str(tmp_path / "console"))
    os.makedirs(c.data)
    c.start()
    yield c
    c.stop()


@pytest.fixture
def defender_bundle(scute, tmp_path):
    defender = os.environ.get("SCUTE_DEFENDER_BIN", os.path.join(os.path.dirname(scute), "scute-defender"))
    if not os.path.exists(defender):
        pytest.skip(f"no scute-defender at {defender}")
    out = tmp_path / "scute-defender.tar.gz"
    # The debug defender is dynamically linked: fine on this host, which is where the app runs here.
    subprocess.run([scute, "bundle", "--defender", defender, "--allow-dynamic", "-o", str(out)], check=True, capture_output=True)
    return str(out)


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_rule_created_through_the_api_blocks_a_process_through_the_sidecar(scute, console, defender_bundle, tmp_path):
    token = console.token()
    bundle = console.call("GET", f"/defenders/install-bundle?consoleaddr=ws://127.0.0.1:{console.channel}", token)
    volume = str(tmp_path / "volume")
    sidecar_env = dict(
        os.environ,
        SCUTE_INSTALL_BUNDLE=bundle["installBundle"],
        SCUTE_APP_ID="e2e-sidecar",
        SCUTE_TASK_FAMILY="e2e-family",
        SCUTE_DATA_FOLDER=volume,
    )
    sidecar_log = open(tmp_path / "sidecar.log", "wb")
    sidecar = subprocess.Popen(
        [scute, "sidecar", "run", "--volume", volume, "--bundle", defender_bundle],
        env=sidecar_env, stdout=sidecar_log, stderr=subprocess.STDOUT,
    )
    app = None
    try:
        sock = os.path.join(volume, "channel.sock")
        wait_for(lambda: os.path.exists(os.path.join(volume, ".scute-ready")) and os.path.exists(sock), 30, "the sidecar")
        mode = os.stat(sock).st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o660  # never world-writable (issue 9)

        # The app container's environment: no install bundle, only the volume.
        app_env = {k: v for k, v in os.environ.items() if not k.startswith("SCUTE_")}
        app_env.update(SCUTE_DATA_FOLDER=volume, SCUTE_APP_ID="e2e-sidecar", SCUTE_CONTAINER_NAME="web", SCUTE_POLICY_WAIT="3")
        app = subprocess.Popen(
            [os.path.join(volume, "defender"), "rasp", "--", sys.executable, "-c", LOOP.format(seconds=8)],
            env=app_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        wait_connected(console, token, "e2e-sidecar")
        defenders = [d for d in console.call("GET", "/defenders", token)["defenders"] if d["appID"] == "e2e-sidecar"]
        assert any(d.get("taskFamily", "e2e-family") == "e2e-family" for d in defenders), defenders
        time.sleep(0.5)
        created = time.time()
        console.call("POST", "/policies/runtime/rules", token, {
            "name": "deny-id-sidecar",
            "collections": [{"appIDs": ["e2e-sidecar"]}],
            "processes": {"effect": "prevent", "denied": ["/usr/bin/id"]},
        })
        out, err = app.communicate(timeout=30)
        assert app.returncode == 0, err
        lines = [line.split() for line in out.splitlines() if line.strip()]
        assert any(what == "ran" for t, what in lines if float(t) < created), "id ran before the rule"
        blocked = [float(t) for t, what in lines if what == "blocked"]
        assert blocked, f"never blocked: {err}"
        assert blocked[0] - created < 1.0, f"blocked {blocked[0] - created:.3f} s after the rule was created"
        assert all(what == "blocked" for t, what in lines if float(t) > blocked[0])

        audits = console.audits_eventually(token, "appID=e2e-sidecar&rule=deny-id-sidecar")
        assert audits and audits[0]["processPath"] == "/usr/bin/id"
        assert audits[0]["attackType"] == "explicitlyDeniedProcess"
        assert audits[0]["effect"] == "prevent"
    finally:
        stop(app, sidecar)
    assert sidecar.returncode == 0


def stop(app, sidecar, timeout=20):
    """Kills the app if it still runs, then stops the sidecar as ECS would (SIGTERM), which must end it."""
    if app and app.poll() is None:
        app.kill()
    sidecar.send_signal(signal.SIGTERM)
    try:
        sidecar.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        sidecar.kill()
        raise AssertionError("the sidecar did not stop on SIGTERM")
