"""A protected Fargate task on this machine, end to end (issue 14): a console on loopback; the seed's sample task
(the one that copies /bin/sleep to /tmp/xmrig) plus a probe container, embedded with `scute embed task-definition`
and run with `scute task run`, the local `scute` standing in for the sidecar image and the channel reached through
`--forward`. The defenders connect through the sidecar and carry the task's ARN; a process rule created in the
console blocks a launch inside the task within a second; the console is stopped for 30 s while the probe makes
10,000 distinct audits, and after its restart every one of them is stored exactly once.
"""
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time

import pytest

from test_e2e_console_defender import Console, wait_connected
from test_e2e_sidecar import defender_bundle  # noqa: F401  (a fixture)

SEED = {
    "containerDefinitions": [{
        "command": ["/bin/sh -c 'cp /bin/sleep /tmp/xmrig && echo \"[+] Sleeping...\" && while true; do sleep 1000 ; done'"],
        "entryPoint": ["sh", "-c"],
        "essential": True,
        "image": "ubuntu:18.04",
        "name": "Fargate-vul-comp-test",
        "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
    }],
    "cpu": "256",
    "family": "fargate-vulnerability-compliance-task",
    "memory": "512",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
}

# The probe: a launch every 50 ms until /e2e/burst appears (printing whether it ran), then 10,000 connections to
# distinct denied ports (each one audit: they differ, so none are aggregated), then it idles.
PROBE = r"""
cp /bin/true /tmp/blocked-tool
i=0
while [ ! -e /e2e/burst ]; do
    if /tmp/blocked-tool 2>/dev/null; then echo "ran $i"; else echo "blocked $i"; fi
    i=$((i+1)); sleep 0.05
done
python3 /e2e/burst.py
while :; do sleep 1000; done
"""

BURST = r"""
import socket
refused = 0
for port in range(40000, 50000):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        refused += 1
    finally:
        s.close()
print(f"burst done: {refused} refused", flush=True)
"""

SIDECAR_IMAGE = "scutesec/sidecar:0.1.0"


class TaskOutput:
    """The lines `scute task run` prints, read as they come, each with the time it was read."""

    def __init__(self, proc):
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc):
        for line in proc.stdout:
            with self.lock:
                self.lines.append((time.time(), line.rstrip("\n")))

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def wait(self, predicate, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for stamp, line in self.snapshot():
                if predicate(line):
                    return stamp, line
            time.sleep(0.02)
        text = "\n".join(line for _, line in self.snapshot()[-40:])
        raise AssertionError(f"timed out waiting for {what}; the task printed:\n{text}")


@pytest.fixture
def console(scute, tmp_path):
    c = Console(scute, str(tmp_path / "console"))
    os.makedirs(c.data)
    c.start()
    yield c
    c.stop()


def embed(scute, tmp_path, console, token):
    definition = json.loads(json.dumps(SEED))
    # The probe shares the task (and its app ID, the family); neither container scans the host's root it runs on.
    definition["containerDefinitions"].append({
        "name": "probe", "image": "probe:1", "essential": False, "entryPoint": ["sh", "-c"], "command": [PROBE],
    })
    for container in definition["containerDefinitions"]:
        container["environment"] = [{"name": "SCUTE_SCAN_ROOT", "value": "off"}]
    source = tmp_path / "task.json"
    source.write_text(json.dumps(definition))
    bundle = console.call("GET", f"/defenders/install-bundle?consoleaddr={console.channel_address}", token)["installBundle"]
    (tmp_path / "bundle.txt").write_text(bundle)
    protected = tmp_path / "protected.json"
    subprocess.run(
        [scute, "embed", "task-definition", str(source), "--install-bundle-file", str(tmp_path / "bundle.txt"),
         "--console", console.channel_address, "-o", str(protected)],
        check=True, capture_output=True,
    )
    return protected


@pytest.mark.skipif(os.geteuid() != 0, reason="scute task run needs root")
def test_a_protected_task_connects_obeys_the_console_and_delivers_every_audit_once(scute, console, defender_bundle, tmp_path):  # noqa: F811
    token = console.token()
    protected = embed(scute, tmp_path, console, token)
    control = tmp_path / "control"
    control.mkdir()
    (control / "burst.py").write_text(BURST)
    task = subprocess.Popen(
        [scute, "task", "run", str(protected), "--forward", str(console.channel),
         "--image-command", f"{SIDECAR_IMAGE}={scute} sidecar --bundle {defender_bundle}",
         "--image-file", f"{SIDECAR_IMAGE}={scute}:/usr/local/bin/scute",
         "--image-file", f"probe={control}:/e2e",
         "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    output = TaskOutput(task)
    try:
        _, started = output.wait(lambda line: " starting" in line and "task arn:" in line, 30, "the task to start")
        task_arn = re.search(r"(arn:aws:ecs:\S+)", started).group(1)
        output.wait(lambda line: line.startswith("[probe] ran"), 60, "the probe to run")

        # The defenders connect through the sidecar, which tells the console the task they run in.
        app_id = SEED["family"]
        wait_connected(console, token, app_id, timeout=30)
        defenders = [d for d in console.call("GET", "/defenders", token)["defenders"] if d["appID"] == app_id]
        assert {d["container"] for d in defenders if d["connected"]} >= {"probe"}, defenders
        assert all(d["taskARN"] == task_arn for d in defenders), defenders
        assert all(d["taskFamily"] == app_id for d in defenders), defenders

        # A rule made in the console blocks the next launch within a second.
        created = time.time()
        console.call("POST", "/policies/runtime/rules", token, {
            "name": "e2e-task",
            "collections": [{"appIDs": [app_id]}],
            "processes": {"effect": "prevent", "denied": ["blocked-tool"]},
            "network": {"effect": "prevent", "deniedOutboundPorts": [{"start": 40000, "end": 49999}]},
        })
        blocked_at, _ = output.wait(lambda line: line.startswith("[probe] blocked"), 10, "the rule to block the probe")
        assert blocked_at - created < 1.0, f"blocked {blocked_at - created:.3f} s after the rule was made"

        # The console goes away for 30 s; meanwhile the probe makes 10,000 audits.
        console.stop()
        stopped = time.time()
        (control / "burst").write_text("go")
        output.wait(lambda line: line.startswith("[probe] burst done"), 120, "the burst")
        _, done = output.wait(lambda line: line.startswith("[probe] burst done"), 1, "the burst")
        assert done.endswith("10000 refused"), done
        time.sleep(max(0, 30 - (time.time() - stopped)))
        console.start()

        # Every audit arrives, and none twice: counted in the console's own SQLite file.
        database = os.path.join(console.data, "scute.db")
        deadline = time.time() + 90
        rows = []
        while time.time() < deadline:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
                rows = db.execute(
                    "SELECT body FROM audits WHERE rule = 'e2e-task' AND type = 'network' AND app_id = ?", (app_id,)
                ).fetchall()
            if len(rows) >= 10000:
                break
            time.sleep(1)
        ports = [json.loads(body)["port"] for (body,) in rows]
        assert len(ports) == 10000, f"{len(ports)} audits stored"
        assert sorted(ports) == list(range(40000, 50000))
        assert all(json.loads(body).get("taskARN", task_arn) == task_arn for (body,) in rows[:10])
    finally:
        if task.poll() is None:
            os.killpg(task.pid, signal.SIGINT)
            try:
                task.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(task.pid, signal.SIGKILL)
                task.wait()
    output.thread.join(timeout=5)
    assert task.returncode is not None
