#!/usr/bin/env python3
"""bench/console: audit ingestion rate (SQLite and PostgreSQL), idle channel memory, policy propagation.

Starts the built `scute console` (TLS on, as in production) on loopback and drives its channel with
Python WebSocket clients (pip: websockets). Prints a Markdown table; --json for machine output.

  python3 bench/console/bench_console.py --scute .build/release/scute [--postgres URL] [--channels 2000]
"""
import argparse
import asyncio
import json
import os
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import websockets

PASSWORD = "bench-admin-password"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Console:
    def __init__(self, scute, database=None, insecure=False):
        self.insecure = insecure
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="scute-bench-"))
        self.api, self.channel = free_port(), free_port()
        args = [scute, "console", "--data", str(self.dir / "data"), "--host", "127.0.0.1",
                "--api-port", str(self.api), "--channel-port", str(self.channel)]
        if database:
            args += ["--database", database]
        if insecure:
            args.append("--insecure-http")
        env = dict(os.environ, SCUTE_ADMIN_PASSWORD=PASSWORD, LOG_LEVEL="error")
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ssl = None
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.ssl is None and (self.dir / "data" / "server.pem").exists():
                    time.sleep(0.2)
                    self.ssl = ssl.create_default_context(cafile=str(self.dir / "data" / "ca.pem"))
                if self.ssl is not None or insecure:
                    self.call("GET", "/health")
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("console did not start")
        self.token = self.call("POST", "/api/v1/authenticate", {"username": "admin", "password": PASSWORD})["token"]
        bundle = self.call("GET", f"/api/v1/defenders/install-bundle?consoleaddr={'ws' if insecure else 'wss'}://127.0.0.1:{self.channel}")
        import base64
        self.defender_token = json.loads(base64.b64decode(bundle["installBundle"]))["token"]

    def call(self, method, path, body=None):
        scheme = "http" if self.insecure else "https"
        req = urllib.request.Request(f"{scheme}://127.0.0.1:{self.api}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            req.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(req, context=None if self.insecure else self.ssl, timeout=60) as r:
            text = r.read()
            return json.loads(text) if text else None

    async def connect(self, app_id):
        scheme = "ws" if self.insecure else "wss"
        ws = await websockets.connect(f"{scheme}://127.0.0.1:{self.channel}/channel", ssl=None if self.insecure else self.ssl,
                                      additional_headers={"Authorization": "Bearer " + self.defender_token},
                                      max_size=1 << 24, ping_interval=None, open_timeout=60)
        hello = {"type": "hello", "id": "", "payload": {"defenderID": str(uuid.uuid4()), "appID": app_id,
                                                        "container": "web", "image": "bench:1", "version": "bench"}}
        await ws.send(json.dumps(hello))
        welcome = json.loads(await ws.recv())
        assert welcome["type"] == "welcome", welcome
        return ws

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def batches(total, size, prefix):
    out = []
    for b in range(total // size):
        events = [{"id": f"{prefix}-{b}-{i}", "time": "2026-11-27T12:00:00.000Z", "appID": "bench", "container": "web",
                   "type": "process", "effect": "prevent", "rule": "bench", "attackType": "explicitlyDeniedProcess",
                   "pid": 4242, "processPath": "/usr/bin/nc", "cmdline": "nc -l 4444", "msg": "nc denied", "count": 1}
                  for i in range(size)]
        out.append(json.dumps({"type": "audits", "id": str(b), "payload": {"events": events}}))
    return out


def sqlite_anchor(total, size):
    """The anchor: the same audits written straight into SQLite (WAL, synchronous=FULL, one transaction
    per batch) by Python's sqlite3, with no network, TLS, JSON parsing or acknowledgements."""
    import sqlite3
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        db = sqlite3.connect(os.path.join(d, "anchor.db"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE audits (id TEXT PRIMARY KEY, time TEXT, app_id TEXT, type TEXT, effect TEXT,"
                   " rule TEXT, attack_type TEXT, json TEXT)")
        rows = [[(f"a-{b}-{i}", "2026-11-27T12:00:00.000Z", "bench", "process", "prevent", "bench",
                  "explicitlyDeniedProcess", json.dumps({"id": f"a-{b}-{i}", "msg": "nc denied"}))
                 for i in range(size)] for b in range(total // size)]
        start = time.perf_counter()
        for batch in rows:
            db.execute("BEGIN")
            db.executemany("INSERT OR IGNORE INTO audits VALUES (?,?,?,?,?,?,?,?)", batch)
            db.execute("COMMIT")
        elapsed = time.perf_counter() - start
        db.close()
    return total // size * size / elapsed


async def ingestion(console, total, size, links):
    per_link = total // links
    frames = [batches(per_link, size, f"{uuid.uuid4()}-{l}") for l in range(links)]
    sockets = [await console.connect("bench") for _ in range(links)]

    async def pump(ws, frames):
        for frame in frames:
            await ws.send(frame)
            while True:
                m = json.loads(await ws.recv())
                if m["type"] == "ack":
                    break
    start = time.perf_counter()
    await asyncio.gather(*(pump(ws, f) for ws, f in zip(sockets, frames)))
    elapsed = time.perf_counter() - start
    for ws in sockets:
        await ws.close()
    stored = console.call("GET", "/api/v1/audits/runtime?limit=1")["total"]
    assert stored >= per_link * links, (stored, per_link * links)
    return per_link * links / elapsed


async def channels_and_propagation(console, n):
    base = rss_kb(console.proc.pid)
    sockets = []
    for i in range(0, n, 100):
        sockets += await asyncio.gather(*(console.connect(f"fleet-{j}") for j in range(i, min(n, i + 100))))
    await asyncio.sleep(2)
    loaded = rss_kb(console.proc.pid)
    per_channel = (loaded - base) * 1024 / n

    received = [None] * n

    async def wait_policy(k, ws):
        while True:
            m = json.loads(await ws.recv())
            if m["type"] == "policy" and m["payload"].get("rule") == "fleet":
                received[k] = time.perf_counter()
                return
    waiters = [asyncio.create_task(wait_policy(k, ws)) for k, ws in enumerate(sockets)]
    start = time.perf_counter()
    await asyncio.to_thread(console.call, "POST", "/api/v1/policies/runtime/rules",
                            {"name": "fleet", "collections": [{"appIDs": ["fleet-*"]}],
                             "processes": {"effect": "prevent", "denied": ["nc"]}})
    await asyncio.wait_for(asyncio.gather(*waiters), timeout=30)
    propagation = max(received) - start
    for ws in sockets:
        await ws.close()
    return per_channel, propagation, loaded - base


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--scute", default=".build/release/scute")
    p.add_argument("--postgres", help="postgres:// URL of an empty database to bench too")
    p.add_argument("--events", type=int, default=200_000)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--links", type=int, default=4)
    p.add_argument("--channels", type=int, default=2000)
    p.add_argument("--skip-ingestion", action="store_true")
    p.add_argument("--insecure-http", action="store_true", help="plain WS (to see what TLS costs)")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    results = {}
    stores = [] if a.skip_ingestion else [("SQLite", None)] + ([("PostgreSQL", a.postgres)] if a.postgres else [])
    if stores:
        anchor = sqlite_anchor(a.events, a.batch)
        results["anchor: audits/s written straight into SQLite by Python's sqlite3 (WAL, FULL)"] = anchor
    for store, url in stores:
        c = Console(a.scute, url, a.insecure_http)
        try:
            rate = asyncio.run(ingestion(c, a.events, a.batch, a.links))
            results[f"audits/s ingested, {store}"] = rate
            results[f"audits/s ingested, {store}, ratio to the SQLite anchor"] = rate / anchor
        finally:
            c.stop()
    c = Console(a.scute, None, a.insecure_http)
    try:
        per, prop, total = asyncio.run(channels_and_propagation(c, a.channels))
        results[f"memory per idle channel, bytes ({a.channels} channels, {'WS' if a.insecure_http else 'TLS'})"] = per
        results[f"policy propagation to all {a.channels} channels, ms"] = prop * 1000
    finally:
        c.stop()
    if a.json:
        print(json.dumps(results, indent=1))
    else:
        print("| measure | value |\n|---|---|")
        for k, v in results.items():
            print(f"| {k} | {v:,.2f} |" if v < 10 else f"| {k} | {v:,.0f} |")


if __name__ == "__main__":
    main()
