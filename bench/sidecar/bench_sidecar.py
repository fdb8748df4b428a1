#!/usr/bin/env python3
"""bench/sidecar: what the task's sidecar costs (issue 14). Three measurements, each against an anchor in the same run:

1. relay: 8 in-task defenders (fake ones speaking the relay's socket protocol) send 5,000 audits/s in total for
   --seconds; the sidecar's CPU (user+system) and peak RSS, against socat moving the same byte stream from a unix
   socket to a TCP sink (a relay that neither parses, spools nor speaks to a console). Every audit must reach the
   console (counted through its API).
2. startup: time from `scute sidecar run` to its ready marker with a warm cache (the bundle already unpacked once),
   against the time to start `scute --version` (the process start alone); and, with --task-run (root), the time
   from `scute task run` to the app's first instruction for the protected task against the same task unprotected.
3. console memory per task: --tasks sidecars, each relaying 8 defenders that say hello and send a few audits,
   multiplexed over one task channel each (the default) against one connection per defender
   (SCUTE_RELAY_MULTIPLEX=0): the console's RSS growth per task.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

PASSWORD = "bench-password-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """Time on CPU of every thread of `pid`, in nanosecond resolution (schedstat), as seconds."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            total += int(open(f"/proc/{pid}/task/{tid}/schedstat").read().split()[0])
        except OSError:
            pass
    return total / 1e9


def memory_kib(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


class Console:
    def __init__(self, scute, folder):
        self.api, self.channel = free_port(), free_port()
        os.makedirs(folder, exist_ok=True)
        self.proc = subprocess.Popen(
            [scute, "console", "--data", folder, "--insecure-http", "--host", "127.0.0.1", "--api-port", str(self.api),
             "--channel-port", str(self.channel)],
            env=dict(os.environ, SCUTE_ADMIN_PASSWORD=PASSWORD, LOG_LEVEL="warning"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self._up, 60, "the console")
        self.token = self.call("POST", "/authenticate", {"username": "admin", "password": PASSWORD})["token"]
        addr = f"ws://127.0.0.1:{self.channel}"
        self.bundle = self.call("GET", f"/defenders/install-bundle?consoleaddr={addr}")["installBundle"]

    def _up(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.api}/health", timeout=1):
                return True
        except OSError:
            return False

    def call(self, method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.api}/api/v1{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("content-type", "application/json")
        if getattr(self, "token", None):
            req.add_header("authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def audit_total(self, app):
        return self.call("GET", f"/audits/runtime?appID={app}&limit=1")["total"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def start_sidecar(scute, bundle_file, volume, install_bundle, app, extra=None):
    env = dict(os.environ, SCUTE_INSTALL_BUNDLE=install_bundle, SCUTE_APP_ID=app, SCUTE_TASK_FAMILY=app,
               SCUTE_TASK_ARN=f"arn:aws:ecs:us-east-1:0:task/bench/{uuid.uuid4().hex}", **(extra or {}))
    proc = subprocess.Popen([scute, "sidecar", "run", "--volume", volume, "--bundle", bundle_file], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: os.path.exists(os.path.join(volume, ".scute-ready")), 30, "the sidecar")
    return proc


def audit(app, container, n):
    return {"id": uuid.uuid4().hex, "time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "appID": app,
            "container": container, "type": "network", "effect": "alert", "rule": "bench", "attackType": "deniedIP",
            "ip": "203.0.113.9", "port": 1024 + n % 60000, "msg": f"bench connection {n}"}


class FakeDefender(threading.Thread):
    """Says hello on the relay's socket, then sends `rate` audits/s in batches of 10 per tick until stopped."""

    def __init__(self, path, app, name, rate, seconds):
        super().__init__(daemon=True)
        self.path, self.app, self.name, self.rate, self.seconds = path, app, name, rate, seconds
        self.sent = self.acked = 0
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        hello = {"type": "hello", "id": "", "payload": {"defenderID": f"bench-{uuid.uuid4().hex[:12]}", "appID": app,
                                                         "container": name, "image": "bench:1", "version": "0.1.0"}}
        self.sock.sendall((json.dumps(hello) + "\n").encode())
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        buffer = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            self.acked += sum(1 for line in lines if b'"type":"ack"' in line)

    def run(self):
        per_tick = max(1, self.rate // 10)
        start = time.time()
        tick = 0
        while time.time() - start < self.seconds:
            events = [audit(self.app, self.name, self.sent + i) for i in range(per_tick)]
            self.sent += per_tick
            tick += 1
            message = {"type": "audits", "id": str(tick), "payload": {"events": events}}
            self.sock.sendall((json.dumps(message, separators=(",", ":")) + "\n").encode())
            time.sleep(max(0, start + tick * 0.1 - time.time()))
        self.batches = tick


def relay_benchmark(scute, bundle_file, console, work, seconds, rate):
    volume = os.path.join(work, "relay-volume")
    sidecar = start_sidecar(scute, bundle_file, volume, console.bundle, "bench-relay")
    path = os.path.join(volume, "channel.sock")
    defenders = [FakeDefender(path, "bench-relay", f"c{i}", rate // 8, seconds) for i in range(8)]
    cpu0, t0 = cpu_seconds(sidecar.pid), time.time()
    for d in defenders:
        d.start()
    for d in defenders:
        d.join()
    sent = sum(d.sent for d in defenders)
    wait_for(lambda: console.audit_total("bench-relay") >= sent, 120, f"{sent} audits at the console")
    wall = time.time() - t0
    cpu = cpu_seconds(sidecar.pid) - cpu0
    rss = memory_kib(sidecar.pid, "VmHWM")
    sidecar.terminate()
    sidecar.wait(timeout=20)

    # The anchor: socat moving the same lines from a unix socket to a TCP sink that discards them.
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(8)
    port = sink.getsockname()[1]

    def discard():
        while True:
            try:
                conn, _ = sink.accept()
            except OSError:
                return
            threading.Thread(target=lambda c=conn: [None for _ in iter(lambda: c.recv(65536), b"")], daemon=True).start()

    threading.Thread(target=discard, daemon=True).start()
    anchor_path = os.path.join(work, "anchor.sock")
    socat = subprocess.Popen(["socat", f"UNIX-LISTEN:{anchor_path},fork", f"TCP:127.0.0.1:{port}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: os.path.exists(anchor_path), 10, "socat")
    anchors = [FakeDefender(anchor_path, "bench-relay", f"c{i}", rate // 8, seconds) for i in range(8)]
    socat_cpu0, a0 = 0.0, time.time()
    children = lambda: [int(p) for p in subprocess.run(["pgrep", "-P", str(socat.pid)], capture_output=True, text=True).stdout.split()]
    for d in anchors:
        d.start()
    time.sleep(0.5)
    pids = children()
    cpu_start = {p: cpu_seconds(p) for p in pids}
    for d in anchors:
        d.join()
    socat_cpu = sum(cpu_seconds(p) - cpu_start[p] for p in pids if os.path.exists(f"/proc/{p}")) + socat_cpu0
    socat_rss = max([memory_kib(p, "VmHWM") for p in pids if os.path.exists(f"/proc/{p}")] or [0])
    socat.terminate()
    sink.close()
    return {"audits": sent, "seconds": round(wall, 1), "sidecar_cpu_percent": round(100 * cpu / wall, 2),
            "sidecar_peak_rss_mib": round(rss / 1024, 1), "anchor_cpu_percent": round(100 * socat_cpu / (time.time() - a0), 2),
            "anchor_peak_rss_mib_per_connection": round(socat_rss / 1024, 1)}


def startup_benchmark(scute, bundle_file, console, work, runs):
    volume = os.path.join(work, "startup-volume")
    times, anchors = [], []
    for run in range(runs + 1):
        marker = os.path.join(volume, ".scute-ready")
        if os.path.exists(marker):
            os.remove(marker)
        t0 = time.monotonic()
        proc = start_sidecar(scute, bundle_file, volume, console.bundle, "bench-startup")
        elapsed = time.monotonic() - t0
        proc.terminate()
        proc.wait(timeout=20)
        if run > 0:  # the first run unpacks the bundle: the cache is warm after it
            times.append(elapsed)
        t0 = time.monotonic()
        subprocess.run([scute, "--version"], capture_output=True, check=True)
        anchors.append(time.monotonic() - t0)
    return {"runs": runs, "ready_median_ms": round(1000 * statistics.median(times)),
            "process_start_median_ms": round(1000 * statistics.median(anchors))}


def task_run_benchmark(scute, bundle_file, console, work, runs):
    """The app's first instruction after `scute task run`, protected against plain (host root, so the dynamic or
    static defender both run)."""
    plain = {"family": "bench-start", "containerDefinitions": [
        {"name": "app", "image": "bench:1", "essential": True, "entryPoint": ["sh", "-c"], "command": ["date +%s%N"]}]}
    plain_file = os.path.join(work, "plain.json")
    json.dump(plain, open(plain_file, "w"))
    bundle_text = os.path.join(work, "install-bundle.txt")
    open(bundle_text, "w").write(console.bundle)
    protected_file = os.path.join(work, "protected.json")
    subprocess.run([scute, "embed", "task-definition", plain_file, "--install-bundle-file", bundle_text, "--console",
                    f"ws://127.0.0.1:{console.channel}", "-o", protected_file], check=True, capture_output=True)
    image = "scutesec/sidecar:0.1.0"

    def once(path, extra):
        t0 = time.time_ns()
        out = subprocess.run([scute, "task", "run", path, "--state-dir", work, *extra], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=120)
        lines = [l for l in out.stdout.splitlines() if l.startswith("[app] ") and l[6:].strip().isdigit()]
        if not lines:
            raise SystemExit(f"the app printed no start time:\n{out.stdout[-2000:]}")
        line = lines[0]
        return (int(line[6:]) - t0) / 1e6

    extra = ["--forward", str(console.channel), "--image-command", f"{image}={scute} sidecar --bundle {bundle_file}",
             "--image-file", f"{image}={scute}:/usr/local/bin/scute"]
    plain_ms = [once(plain_file, []) for _ in range(runs)]
    protected_ms = [once(protected_file, extra) for _ in range(runs)]
    return {"runs": runs, "plain_app_start_median_ms": round(statistics.median(plain_ms)),
            "protected_app_start_median_ms": round(statistics.median(protected_ms))}


def console_memory_benchmark(scute, bundle_file, work, tasks):
    results = {}
    for mode, extra in (("task channel", {}), ("connection per defender", {"SCUTE_RELAY_MULTIPLEX": "0"})):
        console = Console(scute, os.path.join(work, f"console-{len(results)}"))
        time.sleep(2)
        before = memory_kib(console.proc.pid, "VmRSS")
        sidecars, defenders = [], []
        for t in range(tasks):
            volume = os.path.join(work, f"mem-{len(results)}-{t}")
            sidecars.append(start_sidecar(scute, bundle_file, volume, console.bundle, f"bench-mem-{t}", extra))
            for c in range(8):
                d = FakeDefender(os.path.join(volume, "channel.sock"), f"bench-mem-{t}", f"c{c}", 10, 1)
                d.start()
                defenders.append(d)
        for d in defenders:
            d.join()
        wait_for(lambda: len([d for d in console.call("GET", "/defenders")["defenders"] if d["connected"]]) >= 8 * tasks,
                 120, f"{8 * tasks} connected defenders")
        time.sleep(3)
        after = memory_kib(console.proc.pid, "VmRSS")
        results[mode] = round((after - before) / tasks / 1024, 2)
        for s in sidecars:
            s.terminate()
        for s in sidecars:
            s.wait(timeout=30)
        console.stop()
    return {"tasks": tasks, "defenders_per_task": 8, "console_rss_mib_per_task": results}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scute", required=True)
    parser.add_argument("--bundle", required=True, help="a defender bundle (scute bundle output)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--task-run", action="store_true", help="also time scute task run (root)")
    args = parser.parse_args()
    args.scute, args.bundle = os.path.abspath(args.scute), os.path.abspath(args.bundle)
    work = tempfile.mkdtemp(prefix="scute-bench-sidecar-")
    try:
        console = Console(args.scute, os.path.join(work, "console"))
        try:
            report = {"relay": relay_benchmark(args.scute, args.bundle, console, work, args.seconds, args.rate),
                      "startup": startup_benchmark(args.scute, args.bundle, console, work, args.runs)}
            if args.task_run:
                report["task_run"] = task_run_benchmark(args.scute, args.bundle, console, work, args.runs)
        finally:
            console.stop()
        report["console_memory"] = console_memory_benchmark(args.scute, args.bundle, work, args.tasks)
        r = report["relay"]
        r["cpu_ratio_to_anchor"] = round(r["sidecar_cpu_percent"] / max(r["anchor_cpu_percent"], 0.1), 1)
        m = report["console_memory"]["console_rss_mib_per_task"]
        report["console_memory"]["ratio_to_anchor"] = round(m["task channel"] / max(m["connection per defender"], 0.01), 2)
        print(json.dumps(report, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
