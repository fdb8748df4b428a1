#!/usr/bin/env python3
"""Replays the CRS corpus and the benign corpus against HTTP endpoints and compares what each one blocks.

Each request is sent on its own connection, bytes as the corpus gives them (raw_b64 verbatim; `autocomplete`
adds Connection: close and Content-Length, as go-ftw does). Only the status line is read. A request counts as
blocked by an endpoint when it answers 403, or answers an error (4xx/5xx, or nothing) where the app reached
directly answered below 400: what the endpoint adds to the app, the same rule for every endpoint.

usage: replay.py --app PORT --target NAME=PORT [--target NAME=PORT ...] CRS.jsonl BENIGN.jsonl
"""
import argparse
import base64
import json
import socket
import sys
from concurrent.futures import ThreadPoolExecutor


def build(entry):
    if entry.get("raw_b64"):
        return base64.b64decode(entry["raw_b64"])
    headers = entry.get("headers") or {}
    pairs = list(headers.items()) if isinstance(headers, dict) else [tuple(p) for p in headers]
    body = (entry.get("body") or "").encode("utf-8")
    if entry.get("autocomplete"):
        names = {name.lower() for name, _ in pairs}
        if "connection" not in names:
            pairs.append(("Connection", "close"))
        if body and "content-length" not in names:
            pairs.append(("Content-Length", str(len(body))))
    line = f"{entry.get('method', 'GET')} {entry.get('uri', '/')} {entry.get('version', 'HTTP/1.1')}\r\n"
    head = line + "".join(f"{name}: {value}\r\n" for name, value in pairs) + "\r\n"
    return head.encode("utf-8", "surrogateescape") + body


def status(port, payload, timeout=5.0):
    """The response's status code, or None when the endpoint closed or stayed silent."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
            conn.sendall(payload)
            data = b""
            while b"\r\n" not in data and len(data) < 4096:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    parts = data.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return int(parts[1])
    return None


def blocked(code, direct):
    if code == 403:
        return True
    return (code is None or code >= 400) and direct is not None and direct < 400


def load(path, source):
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                entry = json.loads(line)
                entry["_source"] = source
                rows.append(entry)
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", type=int, required=True)
    parser.add_argument("--target", action="append", required=True)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--json", help="write the per-request results here")
    parser.add_argument("crs")
    parser.add_argument("benign")
    args = parser.parse_args()
    targets = [(t.split("=", 1)[0], int(t.split("=", 1)[1])) for t in args.target]
    rows = load(args.crs, "crs") + load(args.benign, "benign")
    payloads = [build(row) for row in rows]
    with ThreadPoolExecutor(args.workers) as pool:
        direct = list(pool.map(lambda p: status(args.app, p), payloads))
        results = {name: list(pool.map(lambda p, port=port: status(port, p), payloads)) for name, port in targets}

    names = [name for name, _ in targets]
    attack_rows = [i for i, row in enumerate(rows) if row["_source"] == "crs" and row.get("expect") == "block"]
    benign_rows = [i for i, row in enumerate(rows) if row["_source"] == "benign"]
    categories = sorted({rows[i]["category"] for i in attack_rows})

    def rate(indexes, name):
        hits = sum(1 for i in indexes if blocked(results[name][i], direct[i]))
        return hits, len(indexes)

    def cell(hits, total):
        return f"{100.0 * hits / total:.1f}% ({hits}/{total})" if total else "-"

    print("| CRS category (expect=block) | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    below = []
    for category in categories:
        indexes = [i for i in attack_rows if rows[i]["category"] == category]
        cells = [rate(indexes, name) for name in names]
        print(f"| {category} | " + " | ".join(cell(*c) for c in cells) + " |")
        if len(names) >= 2 and cells[-1][0] < cells[0][0]:
            below.append(category)
    print("| **all attacks** | " + " | ".join(f"**{cell(*rate(attack_rows, name))}**" for name in names) + " |")
    print()
    print("| benign traffic | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    kinds = sorted({rows[i]["category"] for i in benign_rows})
    for kind in kinds:
        indexes = [i for i in benign_rows if rows[i]["category"] == kind]
        print(f"| {kind} | " + " | ".join(cell(*rate(indexes, name)) for name in names) + " |")
    print("| **false positives** | " + " | ".join(f"**{cell(*rate(benign_rows, name))}**" for name in names) + " |")
    print()
    for name in names:
        codes = {}
        for i in benign_rows + attack_rows:
            if blocked(results[name][i], direct[i]):
                key = "no answer" if results[name][i] is None else str(results[name][i])
                codes[key] = codes.get(key, 0) + 1
        print(f"{name}: blocking answers " + ", ".join(f"{code}: {count}" for code, count in sorted(codes.items())))
    if len(names) >= 2:
        first, last = names[0], names[-1]
        missed = [rows[i]["id"] for i in attack_rows if blocked(results[first][i], direct[i]) and not blocked(results[last][i], direct[i])]
        print()
        print(f"categories where {last} blocks fewer than {first}: {', '.join(below) if below else 'none'}")
        print(f"attacks {first} blocks and {last} lets through: {len(missed)} {' '.join(missed[:40])}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump([{"id": row["id"], "direct": direct[i], **{n: results[n][i] for n in names}} for i, row in enumerate(rows)], out)


if __name__ == "__main__":
    sys.exit(main())
