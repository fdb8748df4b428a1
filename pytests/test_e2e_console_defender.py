"""End to end: a console on loopback, `scute defend` connected with a real install bundle.

A rule created through the API blocks a process within a second, its audit can be queried through the
API, and a console killed and restarted while audits stream in loses none of them.
"""
import base64
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import free_port

PASSWORD = "e2e-password"


class Console:
    """A console on loopback: plain HTTP/WS by default, or TLS on both ports (its own CA) with tls=True."""

    def __init__(self, scute, data, tls=False):
        self.scute = scute
        self.data = data
        self.tls = tls
        self.api = free_port()
        self.channel = free_port()
        self.proc = None
        self.context = None
        self.extra = []

    @property
    def base(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.api}"

    @property
    def channel_address(self):
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.channel}"

    def start(self):
        """Starts the console and waits until both ports serve. On its first start only, a port another process
        took meanwhile (free_port cannot reserve one) is replaced and the console started again; a restart keeps
        its ports, which the defenders know."""
        first = not getattr(self, "started_once", False)
        for attempt in range(4 if first else 1):
            if self._start_once():
                self.started_once = True
                return
            self.proc.wait(timeout=15)
            log = open(os.path.join(self.data, "console.log"), "rb").read().decode(errors="replace")
            if not first or "Address already in use" not in log:
                raise AssertionError(f"console did not start:\n{log[-2000:]}")
            self.api, self.channel = free_port(), free_port()
        raise AssertionError("console did not start: its ports kept being taken")

    def _start_once(self):
        env = dict(os.environ, SCUTE_ADMIN_PASSWORD=PASSWORD)
        self.log = open(os.path.join(self.data, "console.log"), "ab")
        transport = ["--san", "127.0.0.1"] if self.tls else ["--insecure-http"]
        self.proc = subprocess.Popen(
            [self.scute, "console", "--data", self.data, *transport, "--host", "127.0.0.1",
             "--api-port", str(self.api), "--channel-port", str(self.channel), *self.extra],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline and self.proc.poll() is None:
            try:
                if self.tls and self.context is None:
                    ca = os.path.join(self.data, "ca.pem")
                    if not os.path.exists(os.path.join(self.data, "server.pem")):
                        raise OSError("no certificate yet")
                    self.context = ssl.create_default_context(cafile=ca)
                with urllib.request.urlopen(f"{self.base}/health", timeout=1, context=self.context) as r:
                    if r.status == 200 and self._channel_listening():
                        return True
            except OSError:
                time.sleep(0.1)
        if self.proc.poll() is None:
            raise AssertionError("console did not start within 60 s")
        return False

    def _channel_listening(self):
        """Whether this console (still running) accepts connections on its channel port."""
        time.sleep(0.2)
        if self.proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", self.channel), timeout=1).close()
            return True
        except OSError:
            return False

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def call(self, method, path, token=None, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base}/api/v1{path}", data=data, method=method)
        req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", f"Bearer {token}")
        with urllib.request.urlopen(req, timeout=10, context=self.context) as r:
            return json.loads(r.read() or b"null")

    def token(self):
        return self.call("POST", "/authenticate", body={"username": "admin", "password": PASSWORD})["token"]

    def audits_eventually(self, token, query, timeout=10):
        """The audits matching `query` once the console has at least one (empty after `timeout` seconds)."""
        deadline = time.time() + timeout
        while True:
            audits = self.call("GET", f"/audits/runtime?{query}", token)["audits"]
            if audits or time.time() > deadline:
                return audits
            time.sleep(0.2)


@pytest.fixture
def console(scute, tmp_path):
    c = Console(scute, str(tmp_path / "console"))
    os.makedirs(c.data)
    c.start()
    yield c
    c.stop()


@pytest.fixture(params=["scute defend", "static defender"])
def defender_command(request, scute):
    """The two defenders that connect straight to the console with SCUTE_INSTALL_BUNDLE: the full
    `scute defend`, and the small `scute-defender` that the Dockerfile embed puts at /scute/defender
    (`rasp`), with no sidecar in between."""
    if request.param == "scute defend":
        return [scute, "defend"]
    small = os.environ.get("SCUTE_DEFENDER_BIN", os.path.join(os.path.dirname(scute), "scute-defender"))
    if not os.path.exists(small):
        pytest.skip(f"no scute-defender at {small}")
    return [small, "rasp"]


def defender(command, console, token, app_id, script, tmp_path, audit_log):
    bundle = console.call("GET", f"/defenders/install-bundle?consoleaddr={console.channel_address}", token)
    env = dict(
        os.environ,
        SCUTE_INSTALL_BUNDLE=bundle["installBundle"],
        SCUTE_APP_ID=app_id,
        SCUTE_DATA_FOLDER=str(tmp_path / f"defender-{app_id}"),
        SCUTE_POLICY_WAIT="3",
    )
    os.makedirs(env["SCUTE_DATA_FOLDER"], exist_ok=True)
    return subprocess.Popen(
        [*command, "--audit-log", audit_log, "--", sys.executable, "-c", script],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_connected(console, token, app_id, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        defenders = console.call("GET", "/defenders", token)["defenders"]
        if any(d["appID"] == app_id and d["connected"] for d in defenders):
            return
        time.sleep(0.1)
    raise AssertionError(f"defender {app_id} never connected")


LOOP = """
import subprocess, time
end = time.time() + {seconds}
while time.time() < end:
    try:
        ok = subprocess.run(["/usr/bin/id", "-u"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    except PermissionError:
        ok = False
    print(f"{{time.time():.6f}} {{'ran' if ok else 'blocked'}}", flush=True)
    time.sleep(0.02)
"""


def test_rule_created_through_the_api_blocks_a_process_within_a_second(defender_command, console, tmp_path):
    token = console.token()
    log = str(tmp_path / "audits.jsonl")
    proc = defender(defender_command, console, token, "e2e-block", LOOP.format(seconds=8), tmp_path, log)
    try:
        wait_connected(console, token, "e2e-block")
        time.sleep(0.5)
        created = time.time()
        console.call("POST", "/policies/runtime/rules", token, {
            "name": "deny-id",
            "collections": [{"appIDs": ["e2e-block"]}],
            "processes": {"effect": "prevent", "denied": ["/usr/bin/id"]},
        })
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    lines = [line.split() for line in out.splitlines() if line.strip()]
    before = [t for t, what in lines if float(t) < created]
    assert before and all(what == "ran" for t, what in lines if float(t) < created), "id ran before the rule"
    blocked = [float(t) for t, what in lines if what == "blocked"]
    assert blocked, f"never blocked: {err}"
    assert blocked[0] - created < 1.0, f"blocked {blocked[0] - created:.3f} s after the rule was created"
    assert all(what == "blocked" for t, what in lines if float(t) > blocked[0])
    # The audit reaches the console and can be queried by rule and app.
    audits = console.audits_eventually(token, "appID=e2e-block&rule=deny-id")
    assert audits and audits[0]["processPath"] == "/usr/bin/id"
    assert audits[0]["attackType"] == "explicitlyDeniedProcess"
    assert audits[0]["effect"] == "prevent"


STREAM = """
import subprocess, time
for i in range({count}):
    subprocess.run(["/usr/bin/id", "-u", str(i)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep({pause})
"""


def test_console_restarted_mid_stream_loses_no_audit(defender_command, console, tmp_path):
    token = console.token()
    console.call("POST", "/policies/runtime/rules", token, {
        "name": "watch-id",
        "collections": [{"appIDs": ["e2e-stream"]}],
        "processes": {"effect": "alert", "denied": ["/usr/bin/id"]},
    })
    log = str(tmp_path / "stream.jsonl")
    count = 200
    proc = defender(defender_command, console, token, "e2e-stream", STREAM.format(count=count, pause=0.02), tmp_path, log)
    try:
        wait_connected(console, token, "e2e-stream")
        time.sleep(1.0)
        console.kill()  # a crash, mid-stream
        time.sleep(1.0)
        console.start()
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    local = [json.loads(line) for line in open(log) if line.strip()]
    local_ids = {e["id"] for e in local}
    launches = [e for e in local if e.get("type") == "process" and "cmdline" in e]
    assert len({e["cmdline"] for e in launches}) == count, f"every launch was audited locally: {[e for e in local if e not in launches][:3]}"
    token = console.token()
    deadline = time.time() + 30
    stored = set()
    while time.time() < deadline:
        page = console.call("GET", "/audits/runtime?appID=e2e-stream&limit=1000", token)
        stored = {a["id"] for a in page["audits"]}
        if stored >= local_ids:
            break
        time.sleep(0.5)
    assert local_ids - stored == set(), f"{len(local_ids - stored)} audits lost"
    assert len(stored) == len(local_ids), "no duplicates"


def test_an_install_bundle_that_does_not_decode_stops_the_defender_before_the_app(defender_command, tmp_path):
    marker = tmp_path / "ran"
    env = dict(os.environ, SCUTE_INSTALL_BUNDLE="not base64 !", SCUTE_DATA_FOLDER=str(tmp_path))
    proc = subprocess.run(
        [*defender_command, "--", "/bin/sh", "-c", f"touch {marker}"],
        env=env, capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 2
    assert "SCUTE_INSTALL_BUNDLE" in proc.stderr and "not base64" in proc.stderr, proc.stderr
    assert "not starting the app" in proc.stderr
    assert not marker.exists()


def test_scute_api_gives_a_pipeline_its_install_bundle_and_the_audits_over_tls(scute, tmp_path):
    """`scute api`: the client generated from the console's OpenAPI document, against a TLS console."""
    data = tmp_path / "tls-console"
    data.mkdir()
    console = Console(scute, str(data), tls=True)
    console.start()
    try:
        def api(*args, stdin=None, env=None):
            return subprocess.run([scute, "api", *args], input=stdin, capture_output=True, text=True, timeout=60,
                                  env=env or os.environ)

        where = ["--url", console.base, "--ca", str(data / "ca.pem")]
        login = api("login", *where, stdin=PASSWORD + "\n")
        assert login.returncode == 0, login.stderr
        token = login.stdout.strip()
        wrong = api("login", *where, stdin="not-the-password\n")
        assert wrong.returncode == 1 and "error: the console refused (HTTP 401)" in wrong.stderr, wrong.stderr

        bundle = api("install-bundle", *where, "--token", token, "--consoleaddr", console.channel_address)
        assert bundle.returncode == 0, bundle.stderr
        decoded = json.loads(base64.b64decode(bundle.stdout.strip()))
        assert decoded["console"] == console.channel_address and decoded["token"]

        console.call("POST", "/policies/runtime/rules", console.token(), {
            "name": "watch-id", "collections": [{"appIDs": ["cli-app"]}],
            "processes": {"effect": "alert", "denied": ["/usr/bin/id"]},
        })
        env = dict(os.environ, SCUTE_INSTALL_BUNDLE=bundle.stdout.strip(), SCUTE_APP_ID="cli-app",
                   SCUTE_DATA_FOLDER=str(tmp_path / "cli-defender"), SCUTE_POLICY_WAIT="5")
        os.makedirs(env["SCUTE_DATA_FOLDER"])
        run = subprocess.run([scute, "defend", "--audit-log", str(tmp_path / "cli.jsonl"), "--", "/usr/bin/id", "-u"],
                             env=env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        token_env = dict(os.environ, SCUTE_API_TOKEN=token, SCUTE_CONSOLE_API=console.base)
        deadline = time.time() + 15
        lines = []
        while time.time() < deadline and not lines:
            audits = api("audits", "--ca", str(data / "ca.pem"), "--app-id", "cli-app", "--effect", "alert", env=token_env)
            assert audits.returncode == 0, audits.stderr
            lines = [json.loads(line) for line in audits.stdout.splitlines() if line.strip()]
            time.sleep(0.2)
        assert lines and lines[0]["processPath"] == "/usr/bin/id" and lines[0]["rule"] == "watch-id"

        bad_effect = api("audits", *where, "--token", token, "--effect", "loud")
        assert bad_effect.returncode == 1 and "--effect: expected one of" in bad_effect.stderr
        forged = api("install-bundle", *where, "--token", token + "x")
        assert forged.returncode == 1 and "HTTP 401" in forged.stderr
        untrusted = api("install-bundle", "--url", console.base, "--token", token)
        assert untrusted.returncode == 1 and "could not be reached" in untrusted.stderr, untrusted.stderr
        nowhere = api("install-bundle", "--token", token, env={k: v for k, v in os.environ.items() if k != "SCUTE_CONSOLE_API"})
        assert nowhere.returncode == 1 and "--url: missing" in nowhere.stderr
    finally:
        console.stop()
