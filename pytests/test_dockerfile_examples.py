"""examples/dockerfiles/*: embed each example with the options in its embed.json and check the output with
BuildKit's parser: it runs the defender followed by the command that embed.json says the original runs."""

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

dockerfile = pytest.importorskip("dockerfile")

from test_dockerfile_embed import DEFENDER, run_config, runs  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCUTE = os.environ.get("SCUTE_BIN", str(ROOT / ".build/debug/scute"))
EXAMPLES = sorted(p.parent for p in (ROOT / "examples/dockerfiles").glob("*/embed.json"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example(example, tmp_path):
    spec = json.loads((example / "embed.json").read_text())
    bundle = tmp_path / "b.tar.gz"
    subprocess.run(["bash", "-c", f"echo x | gzip -n > {bundle}"], check=True)
    out = tmp_path / "scute-embed.zip"
    proc = subprocess.run(
        [SCUTE, "embed", "dockerfile", "Dockerfile", "--bundle", str(bundle), "-o", str(out), *spec["args"]],
        cwd=example,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as z:
        protected = z.read("Dockerfile").decode()
    assert protected.startswith((example / "Dockerfile").read_text())
    # An image whose USER is not root: the defender runs as root and starts the app as that user.
    defender = DEFENDER[:2] + ["--user", spec["user"]] + DEFENDER[2:] if "user" in spec else DEFENDER
    assert runs(*run_config(protected)) == defender + spec["runs"]
