#!/usr/bin/env python3
"""bench/ui: the web UI's pages over a console holding 100,000 audits (SQLite), against the API's own page of
audits as the anchor, in the same run.

Starts the built `scute console` (plain HTTP on loopback) on a fresh data folder, fills it through its real
channel (10 defenders in Fargate tasks, each sending 10,000 audits in acknowledged batches of 1,000, spread over
the last 24 hours, plus a compliance report each), then logs in through the login form and times, repeated
and interleaved:

  GET /monitor/events                             first page, 50 rows
  GET /monitor/events?task=pay*&effect=prevent    a filtered page (task prefix, effect)
  GET /dashboard                                  24 hourly counts and the top rules of the newest 1,000 audits
  GET /monitor/compliance                         images, tasks, findings and vulnerabilities
  GET /api/v1/audits/runtime?limit=50&task=pay*&effect=prevent   the API's page of the same filter (for comparison)
  GET /api/v1/audits/runtime?limit=50             the anchor: the API's first page

Prints median and p95 per page, the target (300 ms) and the ratio to the anchor's median.

  python3 bench/ui/bench_ui.py --scute .build-release/release/scute [--runs 30] [--audits 100000]
"""
import argparse
import asyncio
import datetime
import json
import os
import pathlib
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

import websockets

PASSWORD = "bench-admin-password"
TARGET_MS = 300.0
PAGES = [
    ("events, first page", "/monitor/events"),
    ("events, filtered (task pay*, prevent)", "/monitor/events?task=pay*&effect=prevent"),
    ("dashboard", "/dashboard"),
    ("compliance", "/monitor/compliance"),
    # Not a page: the API's own filtered page, to tell the store's cost of the filter from the page's.
    ("API, same filter", "/api/v1/audits/runtime?limit=50&task=pay*&effect=prevent"),
]
ANCHOR = ("anchor: GET /api/v1/audits/runtime?limit=50", "/api/v1/audits/runtime?limit=50")
FAMILIES = ["payments", "payouts", "shop", "search", "auth"]
COMPLIANCE = {"root": "/", "errors": [], "findings": [
    {"check": 424, "title": "Sensitive information provided in environment variables", "severity": "high",
     "variable": "AWS_SECRET_ACCESS_KEY"},
    {"check": 425, "title": "Private keys stored in image", "severity": "high", "path": "/root/.ssh/id_rsa"},
    {"check": 41, "title": "Image should be created with a non-root user", "severity": "medium"}]}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Console:
    def __init__(self, scute):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="scute-ui-bench-"))
        self.api, self.channel = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.api}"
        env = dict(os.environ, SCUTE_ADMIN_PASSWORD=PASSWORD, LOG_LEVEL="error")
        self.proc = subprocess.Popen(
            [scute, "console", "--data", str(self.dir / "data"), "--host", "127.0.0.1", "--insecure-http",
             "--api-port", str(self.api), "--channel-port", str(self.channel)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("console did not start")
        self.token = self.call("POST", "/api/v1/authenticate", {"username": "admin", "password": PASSWORD})["token"]
        bundle = self.call("GET", f"/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:{self.channel}")
        import base64
        self.defender_token = json.loads(base64.b64decode(bundle["installBundle"]))["token"]

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            req.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read()
            return json.loads(text) if text else None

    def ui_cookie(self):
        data = urllib.parse.urlencode({"username": "admin", "password": PASSWORD}).encode()
        req = urllib.request.Request(self.base + "/login", data=data, method="POST")
        req.add_header("content-type", "application/x-www-form-urlencoded")
        try:
            urllib.request.build_opener(NoRedirect).open(req, timeout=30)
        except urllib.error.HTTPError as answer:
            return answer.headers["Set-Cookie"].split(";")[0]
        raise SystemExit("login did not answer with a redirect")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


async def fill(console, total, defenders, batch):
    """`total` audits from `defenders` defenders in tasks, over the channel, every batch acknowledged."""
    now = datetime.datetime.now(datetime.timezone.utc)
    per = total // defenders

    async def one(d):
        family = FAMILIES[d % len(FAMILIES)]
        task_id = uuid.uuid4().hex[:32]
        hello = {"type": "hello", "id": "", "payload": {
            "defenderID": f"bench-{d}", "appID": f"{family}-app", "taskFamily": family,
            "taskARN": f"arn:aws:ecs:eu-west-1:123456789012:task/prod/{task_id}", "container": "web",
            "image": f"registry.example/{family}:{d % 3 + 1}", "version": "bench"}}
        async with websockets.connect(f"ws://127.0.0.1:{console.channel}/channel",
                                      additional_headers={"Authorization": "Bearer " + console.defender_token},
                                      max_size=1 << 24, ping_interval=None, open_timeout=60) as ws:
            await ws.send(json.dumps(hello))
            assert json.loads(await ws.recv())["type"] == "welcome"
            await ws.send(json.dumps({"type": "report", "id": f"r-{d}", "payload": {"kind": "compliance", "report": COMPLIANCE}}))
            sent = 0
            b = 0
            while sent < per:
                events = []
                for i in range(min(batch, per - sent)):
                    n = sent + i
                    at = now - datetime.timedelta(seconds=(n * 86_000) // per)
                    events.append({
                        "id": f"{d}-{n}", "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "type": ["process", "dns", "network"][n % 3],
                        "effect": ["prevent", "alert"][n % 2], "rule": f"rule-{n % 7}", "attackType": "explicitlyDeniedProcess",
                        "pid": 4242, "processPath": "/usr/bin/nc", "cmdline": "nc -l 4444", "msg": "nc denied", "count": 1})
                await ws.send(json.dumps({"type": "audits", "id": f"b-{d}-{b}", "payload": {"events": events}}))
                while True:
                    answer = json.loads(await ws.recv())
                    if answer["type"] == "ack" and answer["id"] == f"b-{d}-{b}":
                        break
                sent += len(events)
                b += 1

    await asyncio.gather(*(one(d) for d in range(defenders)))


def timed(console, path, cookie):
    req = urllib.request.Request(console.base + path)
    if path.startswith("/api/"):
        req.add_header("Authorization", "Bearer " + console.token)
    else:
        req.add_header("cookie", cookie)
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = r.read()
        assert r.status == 200 and body, path
    return (time.perf_counter() - start) * 1000


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scute", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--audits", type=int, default=100_000)
    parser.add_argument("--defenders", type=int, default=10)
    args = parser.parse_args()
    console = Console(args.scute)
    try:
        start = time.perf_counter()
        asyncio.run(fill(console, args.audits, args.defenders, 1000))
        fill_s = time.perf_counter() - start
        deadline = time.time() + 60
        while console.call("GET", "/api/v1/audits/runtime?limit=1")["total"] < args.audits and time.time() < deadline:
            time.sleep(0.5)
        held = console.call("GET", "/api/v1/audits/runtime?limit=1")["total"]
        filtered = console.call("GET", "/api/v1/audits/runtime?limit=1&task=pay*&effect=prevent")["total"]
        cookie = console.ui_cookie()
        targets = PAGES + [ANCHOR]
        for _, path in targets:  # warm up
            timed(console, path, cookie)
        samples = {name: [] for name, _ in targets}
        for _ in range(args.runs):
            for name, path in targets:
                samples[name].append(timed(console, path, cookie))
        anchor = statistics.median(samples[ANCHOR[0]])
        print(f"{held} audits held (filled through the channel in {fill_s:.1f} s); the filtered page matches {filtered}; "
              f"{args.runs} runs each, interleaved")
        print()
        print("| page | median ms | p95 ms | target | × anchor (median) |")
        print("|---|---|---|---|---|")
        for name, path in targets:
            med = statistics.median(samples[name])
            mark = "" if path.startswith("/api/") else f"≤ {TARGET_MS:.0f} ms: {'yes' if p95(samples[name]) <= TARGET_MS else 'no'}"
            print(f"| {name} (`{path}`) | {med:.1f} | {p95(samples[name]):.1f} | {mark} | {med / anchor:.1f} |")
    finally:
        console.stop()


if __name__ == "__main__":
    main()
