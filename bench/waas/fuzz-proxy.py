#!/usr/bin/env python3
"""Bounded black-box fuzzing of a running proxy's HTTP handling: sends mutated and random requests on loopback
(bit flips, truncation, duplicated and deleted bytes, spliced corpus requests, pipelined bursts, slow writes and
abrupt closes), and after every batch checks that a clean request still gets a 200. Exits non-zero when the proxy
stops answering. It tests the proxy process, not one function, so it complements the libFuzzer harness in fuzz/.

usage: fuzz-proxy.py PORT CORPUS.jsonl [--count N] [--seed S]
"""
import argparse
import json
import random
import socket
import sys

CLEAN = b"GET /health HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: fuzz-check\r\nAccept: */*\r\n\r\n"


def seeds(path):
    out = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            entry = json.loads(line)
            headers = entry.get("headers") or {}
            pairs = headers.items() if isinstance(headers, dict) else headers
            body = (entry.get("body") or "").encode()
            head = f"{entry.get('method', 'GET')} {entry.get('uri', '/')} HTTP/1.1\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in pairs)
            if body:
                head += f"Content-Length: {len(body)}\r\n"
            out.append(head.encode("utf-8", "surrogateescape") + b"\r\n" + body)
    return out


def mutate(rng, data, pool):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.randint(0, 7)
        if choice == 0 and data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif choice == 1 and data:
            del data[rng.randrange(len(data)):]
        elif choice == 2 and data:
            i = rng.randrange(len(data))
            data[i:i] = data[i:i + rng.randint(1, 64)] * rng.randint(1, 50)
        elif choice == 3 and data:
            i = rng.randrange(len(data))
            del data[i:i + rng.randint(1, 32)]
        elif choice == 4:
            data = data + rng.choice(pool)
        elif choice == 5:
            i = rng.randrange(len(data) + 1)
            data[i:i] = rng.choice([b"\r\n", b"\n", b"\x00", b"\r", b":", b" ", b"\r\n\r\n", b"Transfer-Encoding: chunked\r\n",
                                    b"Content-Length: 99999999999999999999\r\n", b"Content-Length: -1\r\n", b"ffffffff\r\n",
                                    b"Upgrade: websocket\r\nConnection: Upgrade\r\n", b"Expect: 100-continue\r\n"])
        elif choice == 6:
            data = bytearray(rng.randbytes(rng.randint(1, 2048)))
        else:
            data = data + data
    return bytes(data)


def send(port, payload, rng):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            if rng.random() < 0.1:
                for i in range(0, len(payload), 7):
                    conn.sendall(payload[i:i + 7])
            else:
                conn.sendall(payload)
            if rng.random() < 0.2:
                return
            conn.settimeout(0.5)
            try:
                while conn.recv(65536):
                    pass
            except OSError:
                pass
    except OSError:
        pass


def healthy(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(CLEAN)
            return conn.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("corpus")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = seeds(args.corpus)
    for batch in range(0, args.count, 100):
        for _ in range(min(100, args.count - batch)):
            send(args.port, mutate(rng, rng.choice(pool), pool), rng)
        if not healthy(args.port):
            print(f"proxy stopped answering after {batch + 100} inputs (seed {args.seed})")
            return 1
    print(f"{args.count} mutated requests sent (seed {args.seed}); the proxy answered a clean request after every 100")
    return 0


if __name__ == "__main__":
    sys.exit(main())
