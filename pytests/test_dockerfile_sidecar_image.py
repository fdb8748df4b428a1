"""deploy/sidecar.Dockerfile, checked with BuildKit's parser (PyPI `dockerfile`): it parses, the final image
holds scute and the bundle where the task-definition embed expects them, runs `scute sidecar`, and its build
stage makes a static defender and packs it with `scute bundle`. Scute's own parser must agree on what it runs.
"""

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

dockerfile = pytest.importorskip("dockerfile")

ROOT = Path(__file__).resolve().parent.parent
SCUTE = os.environ.get("SCUTE_BIN", str(ROOT / ".build/debug/scute"))
PATH = ROOT / "deploy/sidecar.Dockerfile"


def stages():
    out = []
    for c in dockerfile.parse_file(str(PATH)):
        if c.cmd.upper() == "FROM":
            out.append([c])
        elif out:
            out[-1].append(c)
    return out


def test_parses_into_a_build_and_a_runtime_stage():
    build, runtime = stages()
    assert build[0].value[1:] == ("AS", "build")
    assert runtime[0].value == ("${RUNTIME_IMAGE}",)


def test_runtime_image_layout_and_entrypoint():
    runtime = stages()[-1]
    copies = [(c.flags, c.value) for c in runtime if c.cmd.upper() == "COPY"]
    assert (("--from=build",), ("/out/scute", "/usr/local/bin/scute")) in copies
    assert (("--from=build",), ("/out/scute-defender.tar.gz", "/opt/scute/scute-defender.tar.gz")) in copies
    entrypoints = [c for c in runtime if c.cmd.upper() == "ENTRYPOINT"]
    assert entrypoints[-1].json and entrypoints[-1].value == ("/usr/local/bin/scute", "sidecar")
    assert not [c for c in runtime if c.cmd.upper() == "CMD"]
    health = [c for c in runtime if c.cmd.upper() == "HEALTHCHECK"][-1]
    assert health.value[0] == "CMD"
    assert list(health.value[1:]) == ["/usr/local/bin/scute", "sidecar", "health"]


def test_build_stage_makes_a_static_defender_and_the_bundle():
    build = stages()[0]
    script = " ".join(" ".join(c.value) for c in build if c.cmd.upper() == "RUN")
    assert "--product scute-defender" in script
    assert "-static-executable" in script
    assert "scute bundle --defender .build-release/release/scute-defender -o /out/scute-defender.tar.gz" in script


def test_scute_parser_agrees(tmp_path):
    bundle = tmp_path / "b.tar.gz"
    subprocess.run(["bash", "-c", f"echo x | gzip -n > {bundle}"], check=True)
    out = tmp_path / "o.zip"
    proc = subprocess.run(
        [SCUTE, "embed", "dockerfile", str(PATH), "--app-id", "sidecar", "--bundle", str(bundle), "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"/usr/local/bin/scute", "sidecar"]' in proc.stderr
    with zipfile.ZipFile(out) as z:
        text = z.read("Dockerfile").decode()
    assert text.startswith(PATH.read_text())


def test_build_context_leaves_out_local_build_folders():
    ignore = (ROOT / "deploy/sidecar.Dockerfile.dockerignore").read_text().split()
    assert ".build" in ignore and ".build-*" in ignore
