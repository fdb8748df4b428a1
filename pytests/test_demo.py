"""`scute demo` (what scripts/run.sh runs), as a newcomer runs it: the console, the seed's sample task protected and
running over a busybox-static root with the static defender, the sample policy, and the traffic container's
violations reaching the console; the shop answers through the firewall, which stops an attack; Ctrl-C stops all of it
and leaves nothing running.
"""
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import free_port
from test_bundle import bundle, busybox_static, defender  # noqa: F401  (fixtures and helpers)

PASSWORD = "demo-test-password"


def request(url, token=None, body=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def running_under(folder):
    """PIDs of processes whose command line names `folder`."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if folder.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="scute demo runs its task with scute task run, which needs root")
def test_the_demo_runs_a_protected_task_that_breaks_its_policy_and_stops_cleanly(scute, bundle, tmp_path):  # noqa: F811
    busybox_static()
    data = str(tmp_path / "demo")
    api, channel, web = free_port(), free_port(), free_port()
    demo = subprocess.Popen(
        [scute, "demo", "--data", data, "--api-port", str(api), "--channel-port", str(channel), "--web-port", str(web),
         "--defender-bundle", str(bundle)],
        env=dict(os.environ, SCUTE_ADMIN_PASSWORD=PASSWORD), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = []
    reader = threading.Thread(target=lambda: [lines.append(line) for line in demo.stdout], daemon=True)
    reader.start()
    try:
        deadline = time.time() + 180
        while time.time() < deadline and not any("Ctrl-C stops the demo" in line for line in lines):
            assert demo.poll() is None, "".join(lines)
            time.sleep(0.2)
        text = "".join(lines)
        assert "Ctrl-C stops the demo" in text, text
        assert "over a busybox-static root" in text, text
        assert "3 defender(s) connected (Fargate-vul-comp-test, shop, traffic)" in text, text
        assert f"http://localhost:{api}/" in text

        base = f"http://127.0.0.1:{api}/api/v1"
        status, body = request(f"{base}/authenticate", body={"username": "admin", "password": PASSWORD})
        assert status == 200
        token = json.loads(body)["token"]
        status, body = request(f"{base}/defenders", token)
        defenders = [d for d in json.loads(body)["defenders"] if d["connected"]]
        assert {d["container"] for d in defenders} == {"Fargate-vul-comp-test", "shop", "traffic"}
        assert len({d["taskARN"] for d in defenders}) == 1

        # The traffic container's first round breaks the sample rule four ways; the firewall stops two attacks.
        wanted = {("process", "explicitlyDeniedProcess"), ("process", "cryptoMiner"), ("network", None), ("waas", None)}
        seen = set()
        deadline = time.time() + 60
        while time.time() < deadline and wanted - seen:
            status, body = request(f"{base}/audits/runtime?limit=500", token)
            for audit in json.loads(body)["audits"]:
                for kind, attack in wanted:
                    if audit["type"] == kind and attack in (None, audit.get("attackType")):
                        seen.add((kind, attack))
            time.sleep(1)
        assert not wanted - seen, f"missing audits: {wanted - seen}"

        status, body = request(f"http://127.0.0.1:{web}/")
        assert status == 200 and b"Scute demo shop" in body
        status, _ = request(f"http://127.0.0.1:{web}/?q=%3Cscript%3Ealert(1)%3C/script%3E")
        assert status == 403
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=90)
        except subprocess.TimeoutExpired:
            demo.kill()
            raise
        reader.join(timeout=5)
    assert demo.returncode == 0, "".join(lines)
    assert "scute demo: stopped." in "".join(lines)
    # Nothing left running, and the task's private folder is gone.
    assert running_under(data) == []
    assert not [name for name in os.listdir(os.path.join(data, "task")) if name.startswith("scute-task-")]
