"""Robustness of `scute embed dockerfile` on mangled Dockerfiles: whatever the input, scute either writes a
Dockerfile that BuildKit's parser reads and whose last stage ends in the defender ENTRYPOINT, or exits 1
with a message; it never crashes. Deterministic (fixed seed).
"""

import os
import random
import subprocess
import zipfile
from pathlib import Path

import pytest

dockerfile = pytest.importorskip("dockerfile")

from test_dockerfile_embed import CASES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCUTE = os.environ.get("SCUTE_BIN", str(ROOT / ".build/debug/scute"))
PIECES = ["\\", "\\\n", "\n", '"', "'", "[", "]", ",", "<<EOF\n", "\nEOF\n", "#", " ", "`", "$", "{", "}", "FROM ", "AS ", "\r\n", "ONBUILD "]


def mutate(text, rng):
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randint(0, len(chars))
        if op < 0.4 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif op < 0.8:
            chars[pos:pos] = list(rng.choice(PIECES))
        else:
            end = min(len(chars), pos + rng.randint(1, 20))
            del chars[pos:end]
    return "".join(chars)


def test_mangled_dockerfiles_never_crash(tmp_path):
    rng = random.Random(20261127)
    bundle = tmp_path / "b.tar.gz"
    subprocess.run(["bash", "-c", f"echo x | gzip -n > {bundle}"], check=True)
    source = tmp_path / "Dockerfile"
    out = tmp_path / "o.zip"
    outcomes = {0: 0, 1: 0}
    for i in range(300):
        case = CASES[i % len(CASES)]
        text = mutate(case["text"], rng)
        source.write_bytes(text.encode())
        if out.exists():
            out.unlink()
        proc = subprocess.run(
            [SCUTE, "embed", "dockerfile", str(source), "--app-id", "fuzz", "--bundle", str(bundle), "-o", str(out),
             "--entrypoint", '["/e"]', "--cmd", '["c"]'],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert proc.returncode in (0, 1), f"crash ({proc.returncode}) on:\n{text}\n{proc.stderr}"
        outcomes[proc.returncode] += 1
        if proc.returncode == 1:
            assert proc.stderr.startswith("error: ") and not out.exists(), text
            continue
        with zipfile.ZipFile(out) as z:
            protected = z.read("Dockerfile").decode()
        commands = dockerfile.parse_string(protected)
        last_from = max(i for i, c in enumerate(commands) if c.cmd.upper() == "FROM")
        entrypoints = [c for c in commands[last_from:] if c.cmd.upper() == "ENTRYPOINT"]
        assert entrypoints and entrypoints[-1].json, protected
        value = list(entrypoints[-1].value)
        # A non-root USER makes it `rasp --user USER --`: the defender stays root and starts the app as that user.
        head = value[:3] if value[2:3] == ["--"] else value[:2] + value[4:5]
        assert head == ["/scute/defender", "rasp", "--"] and (value[2:3] == ["--"] or value[2] == "--user"), protected
    # Both outcomes happen, so the mutations exercise the parser's error paths and its happy paths.
    assert outcomes[0] > 30 and outcomes[1] > 30, outcomes
