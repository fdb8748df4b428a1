"""The defender bundle and the sidecar, end to end, as root:

- `scute bundle` packs the fully static scute-defender into a deterministic tar.gz under 15 MB;
- unpacked into a root that holds only Debian's busybox-static (and /proc), `/scute/defender rasp --
  /bin/busybox echo ok` prints ok and exits with the app's status; the same in a debootstrap minbase root
  when one can be made;
- the static defender in that busybox-only root, given only SCUTE_INSTALL_BUNDLE (the Dockerfile-embed
  case: no sidecar), reaches a TLS console on loopback by itself, enforces the console's policy and its
  audits arrive in the console;
- `scute sidecar` unpacks the bundle into a volume, reports healthy only then, and stops on SIGTERM.

SCUTE_BIN names the scute binary (default .build/debug/scute). SCUTE_DEFENDER_BIN names a static
scute-defender; without it the test builds one (release, static, stripped) in .build-release.
SCUTE_DEBOOTSTRAP_ROOT names a ready debootstrap root; without it one is made (once) in .build-docker-roots
when debootstrap can reach Debian's mirror, else that test is skipped; SCUTE_SKIP_DEBOOTSTRAP=1 skips it.
"""

import json
import os
import shutil
import signal
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCUTE = os.environ.get("SCUTE_BIN", str(ROOT / ".build/debug/scute"))
MAX_BUNDLE = 15 * 1024 * 1024

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chroot and mount need root")


@pytest.fixture(scope="session")
def defender():
    given = os.environ.get("SCUTE_DEFENDER_BIN")
    if given:
        return Path(given)
    scratch = ROOT / ".build-release"
    subprocess.run(
        [
            "swift", "build", "-c", "release", "--product", "scute-defender",
            "--static-swift-stdlib", "-Xswiftc", "-static-executable", "-Xlinker", "-s",
            "--scratch-path", str(scratch),
        ],
        cwd=ROOT,
        check=True,
        timeout=1800,
    )
    return scratch / "release/scute-defender"


@pytest.fixture(scope="session")
def bundle(defender, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "scute-defender.tar.gz"
    proc = subprocess.run([SCUTE, "bundle", "--defender", str(defender), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out


def test_bundle_is_small_deterministic_and_holds_the_defender(bundle, defender, tmp_path):
    assert is_static_elf(defender)
    size = bundle.stat().st_size
    print(f"bundle: {size} bytes ({size / 1048576:.2f} MiB); defender: {defender.stat().st_size} bytes")
    assert size < MAX_BUNDLE
    again = tmp_path / "again.tar.gz"
    subprocess.run([SCUTE, "bundle", "--defender", str(defender), "-o", str(again)], check=True, capture_output=True)
    assert again.read_bytes() == bundle.read_bytes()
    with tarfile.open(bundle) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert set(members) == {"defender", "VERSION"}
        assert members["defender"].mode == 0o755
        assert members["defender"].mtime == 0 and members["defender"].uid == 0
        assert tar.extractfile("defender").read() == defender.read_bytes()


def test_bundle_refuses_a_dynamic_defender(tmp_path):
    proc = subprocess.run([SCUTE, "bundle", "--defender", "/bin/ls", "-o", str(tmp_path / "b.tar.gz")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "dynamic loader" in proc.stderr
    assert not (tmp_path / "b.tar.gz").exists()


def is_static_elf(path):
    """A 64-bit little-endian ELF file without a PT_INTERP program header (needs no dynamic loader)."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return False
    phoff = int.from_bytes(data[32:40], "little")
    phentsize = int.from_bytes(data[54:56], "little")
    phnum = int.from_bytes(data[56:58], "little")
    types = [int.from_bytes(data[phoff + i * phentsize : phoff + i * phentsize + 4], "little") for i in range(phnum)]
    return 3 not in types


def busybox_static():
    """Debian's busybox-static (a static /bin/busybox), installed when missing."""
    path = Path("/bin/busybox")
    if not path.exists() or not is_static_elf(path):
        subprocess.run(["apt-get", "install", "-y", "-q", "busybox-static"], capture_output=True)
    if not path.exists() or not is_static_elf(path):
        pytest.skip("busybox-static is not installed and apt-get could not install it")
    return path


class MountedRoot:
    """A root file system with the bundle unpacked at /scute and /proc mounted (Swift reads /proc/self/maps)."""

    def __init__(self, root, bundle):
        self.root = root
        with tarfile.open(bundle) as tar:
            tar.extractall(root / "scute", filter="fully_trusted")
        (root / "proc").mkdir(exist_ok=True)
        subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)

    def run(self, *argv, timeout=60):
        return subprocess.run(["chroot", str(self.root), *argv], capture_output=True, text=True, timeout=timeout)

    def close(self):
        subprocess.run(["umount", "-l", str(self.root / "proc")], check=False)


@pytest.fixture
def busybox_root(tmp_path, bundle):
    busybox = busybox_static()
    root = tmp_path / "root"
    (root / "bin").mkdir(parents=True)
    shutil.copy2(busybox, root / "bin/busybox")
    mounted = MountedRoot(root, bundle)
    yield mounted
    mounted.close()


def check_defender_runs_app(mounted):
    ok = mounted.run("/scute/defender", "rasp", "--", "/bin/busybox", "echo", "ok")
    assert ok.stdout == "ok\n", ok.stderr
    assert ok.returncode == 0, ok.stderr
    failing = mounted.run("/scute/defender", "rasp", "--", "/bin/busybox", "sh", "-c", "echo out; exit 7")
    assert failing.stdout == "out\n", failing.stderr
    assert failing.returncode == 7, failing.stderr


@needs_root
def test_defender_runs_in_a_busybox_only_root(busybox_root):
    assert sorted(p.name for p in busybox_root.root.iterdir()) == ["bin", "proc", "scute"]
    assert sorted(p.name for p in (busybox_root.root / "bin").iterdir()) == ["busybox"]
    check_defender_runs_app(busybox_root)


@needs_root
def test_static_defender_in_a_bare_root_reports_to_a_tls_console(busybox_root, tmp_path):
    """The Dockerfile-embed case: no sidecar and no relay socket, only SCUTE_INSTALL_BUNDLE. The static
    defender opens its own TLS channel (the console's CA from the bundle), gets the policy before the app
    starts, blocks a denied program and its audit reaches the console."""
    from test_e2e_console_defender import Console

    data = tmp_path / "console"
    data.mkdir()
    console = Console(SCUTE, str(data), tls=True)
    console.start()
    try:
        token = console.token()
        console.call("POST", "/policies/runtime/rules", token, {
            "name": "no-blocked",
            "collections": [{"appIDs": ["bare-root"]}],
            "processes": {"effect": "prevent", "denied": ["/bin/blocked"]},
        })
        bundle = console.call("GET", f"/defenders/install-bundle?consoleaddr={console.channel_address}", token)
        root = busybox_root.root
        shutil.copy2(root / "bin/busybox", root / "bin/blocked")
        proc = subprocess.run(
            ["env", "-i", "SCUTE_INSTALL_BUNDLE=" + bundle["installBundle"], "SCUTE_APP_ID=bare-root",
             "SCUTE_CONTAINER_NAME=app", "SCUTE_POLICY_WAIT=10",
             shutil.which("chroot"), str(root), "/scute/defender", "rasp", "--",
             "/bin/busybox", "sh", "-c", "/bin/blocked echo ran; echo rc=$?"],
            capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert "ran" not in proc.stdout.split("rc=")[0], proc.stdout
        assert "rc=126" in proc.stdout or "rc=137" in proc.stdout, proc.stdout + proc.stderr
        # The defender kept its identity and cached policy in the image's own /scute.
        assert (root / "scute/state/defender-id").exists()
        assert (root / "scute/state/policy.json").exists()
        audits = console.audits_eventually(token, "appID=bare-root&rule=no-blocked", timeout=15)
        assert audits, "the audit never reached the console"
        assert audits[0]["processPath"] == "/bin/blocked"
        assert audits[0]["effect"] == "prevent"
        assert audits[0]["container"] == "app"
        defenders = [d for d in console.call("GET", "/defenders", token)["defenders"] if d["appID"] == "bare-root"]
        assert defenders and defenders[0]["container"] == "app", defenders
    finally:
        console.stop()


def debootstrap_root():
    if os.environ.get("SCUTE_SKIP_DEBOOTSTRAP"):
        pytest.skip("SCUTE_SKIP_DEBOOTSTRAP is set")
    given = os.environ.get("SCUTE_DEBOOTSTRAP_ROOT")
    if given:
        return Path(given)
    root = ROOT / ".build-docker-roots/bookworm-minbase"
    if (root / "usr/bin/env").exists() and (root / ".scute-complete").exists():
        return root
    if shutil.which("debootstrap") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "debootstrap"], capture_output=True)
    if shutil.which("debootstrap") is None:
        pytest.skip("debootstrap is not installed")
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["debootstrap", "--variant=minbase", "bookworm", str(root), "http://deb.debian.org/debian"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if proc.returncode != 0:
        pytest.skip("debootstrap could not reach Debian's mirror: " + proc.stdout[-300:])
    (root / ".scute-complete").write_text("ok\n")
    return root


@needs_root
def test_defender_runs_in_a_debootstrap_minbase_root(tmp_path, bundle):
    base = debootstrap_root()
    root = tmp_path / "deb"
    subprocess.run(["cp", "-a", str(base), str(root)], check=True)
    shutil.copy2(busybox_static(), root / "bin/busybox")
    mounted = MountedRoot(root, bundle)
    try:
        check_defender_runs_app(mounted)
        native = mounted.run("/scute/defender", "rasp", "--", "/bin/sh", "-c", "cat /etc/debian_version; exit 3")
        assert native.returncode == 3, native.stderr
        assert native.stdout.strip().startswith("12"), native.stdout
    finally:
        mounted.close()


def health(volume):
    return subprocess.run([SCUTE, "sidecar", "health", "--volume", str(volume)], capture_output=True, text=True)


RPM_SPEC = Path(__file__).parent / "fixtures/hello-scute.spec"


def test_static_defender_reads_an_rpm_images_database(tmp_path, defender):
    """rpm images (Amazon Linux, UBI, Fedora) keep rpmdb.sqlite: the static defender carries SQLite to read it."""
    assert shutil.which("rpmbuild"), "rpmbuild is missing (Debian package rpm; scripts/test.sh installs it)"
    (tmp_path / "SPECS").mkdir()
    shutil.copy(RPM_SPEC, tmp_path / "SPECS/hello.spec")
    subprocess.run(["rpmbuild", "--define", f"_topdir {tmp_path}", "-bb", str(tmp_path / "SPECS/hello.spec")],
                   check=True, capture_output=True, timeout=120)
    root = tmp_path / "root"
    root.mkdir()
    subprocess.run(["rpm", "--root", str(root), "--nodeps", "--dbpath", "/var/lib/rpm", "-i",
                    str(tmp_path / "RPMS/noarch/hello-scute-1.0-1.noarch.rpm")], check=True, capture_output=True, timeout=120)
    with open(root / "usr/bin/hello-scute", "a") as f:
        f.write("# altered\n")
    report = tmp_path / "compliance.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCUTE_")}
    proc = subprocess.run([str(defender), "defend", "--scan-root", str(root), "--compliance-report", str(report), "--",
                           "/bin/sleep", "2"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    deadline = time.time() + 20
    while time.time() < deadline and not (report.exists() and "hello-scute" in report.read_text()):
        time.sleep(0.2)
    findings = json.loads(report.read_text())["findings"]
    assert any(f["check"] == 448 and f.get("path") == "/usr/bin/hello-scute" and f.get("kind") == "changed" for f in findings), findings


def test_sidecar_unpacks_reports_healthy_and_stops_on_sigterm(tmp_path, bundle, defender):
    volume = tmp_path / "scute"
    before = health(volume)
    assert before.returncode == 1
    assert "defender does not exist" in before.stderr
    sidecar = subprocess.Popen(
        [SCUTE, "sidecar", "--volume", str(volume), "--bundle", str(bundle)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while health(volume).returncode != 0:
            assert sidecar.poll() is None, sidecar.stderr.read()
            assert time.monotonic() < deadline, "sidecar never became healthy"
            time.sleep(0.05)
        assert (volume / "defender").read_bytes() == defender.read_bytes()
        assert os.access(volume / "defender", os.X_OK)
        assert (volume / ".scute-ready").exists()
        time.sleep(0.2)
        assert sidecar.poll() is None, "sidecar must stay up"
        sidecar.send_signal(signal.SIGTERM)
        assert sidecar.wait(timeout=10) == 0
    finally:
        if sidecar.poll() is None:
            sidecar.kill()
            sidecar.wait()


def test_sidecar_fails_fast_on_a_missing_bundle(tmp_path):
    proc = subprocess.run(
        [SCUTE, "sidecar", "--volume", str(tmp_path / "v"), "--bundle", str(tmp_path / "missing.tar.gz")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 1
    assert "missing.tar.gz" in proc.stderr
    assert health(tmp_path / "v").returncode == 1


def test_sidecar_health_needs_the_ready_marker(tmp_path):
    volume = tmp_path / "scute"
    volume.mkdir()
    (volume / "defender").write_bytes(b"#!/bin/sh\n")
    (volume / "defender").chmod(0o755)
    proc = health(volume)
    assert proc.returncode == 1
    assert ".scute-ready" in proc.stderr
    (volume / ".scute-ready").write_text("ready\n")
    assert health(volume).returncode == 0


def test_defaults_find_the_defender_next_to_scute(tmp_path, defender, bundle):
    """Without --defender / --bundle, scute looks next to its own executable: the embed then ships the same
    bytes that `scute bundle` makes."""
    tools = tmp_path / "bin"
    tools.mkdir()
    shutil.copy2(SCUTE, tools / "scute")
    scute = str(tools / "scute")
    dockerfile_path = tmp_path / "Dockerfile"
    dockerfile_path.write_text('FROM alpine\nENTRYPOINT ["/app"]\n')
    zip_path = tmp_path / "e.zip"

    missing = subprocess.run([scute, "bundle", "-o", str(tmp_path / "x.tar.gz")], capture_output=True, text=True)
    assert missing.returncode == 1 and "--defender" in missing.stderr
    missing = subprocess.run([scute, "embed", "dockerfile", str(dockerfile_path), "--app-id", "a", "-o", str(zip_path)], capture_output=True, text=True)
    assert missing.returncode == 1 and "--bundle" in missing.stderr

    shutil.copy2(defender, tools / "scute-defender")
    made = tmp_path / "made.tar.gz"
    subprocess.run([scute, "bundle", "-o", str(made)], check=True, capture_output=True)
    assert made.read_bytes() == bundle.read_bytes()
    subprocess.run([scute, "embed", "dockerfile", str(dockerfile_path), "--app-id", "a", "-o", str(zip_path)], check=True, capture_output=True)
    import zipfile

    with zipfile.ZipFile(zip_path) as z:
        assert z.read("scute-defender.tar.gz") == bundle.read_bytes()

    # A prebuilt bundle next to scute wins over packing the defender.
    (tools / "scute-defender.tar.gz").write_bytes(b"\x1f\x8b" + b"prebuilt")
    subprocess.run([scute, "embed", "dockerfile", str(dockerfile_path), "--app-id", "a", "-o", str(zip_path)], check=True, capture_output=True)
    with zipfile.ZipFile(zip_path) as z:
        assert z.read("scute-defender.tar.gz") == b"\x1f\x8bprebuilt"


def test_embed_refuses_a_bundle_for_another_architecture(tmp_path, bundle):
    dockerfile_path = tmp_path / "Dockerfile"
    dockerfile_path.write_text('FROM alpine\nENTRYPOINT ["/app"]\n')
    args = [SCUTE, "embed", "dockerfile", str(dockerfile_path), "--app-id", "a", "--bundle", str(bundle), "-o", str(tmp_path / "e.zip")]
    wrong = subprocess.run(args + ["--platform", "linux/arm64"], capture_output=True, text=True)
    assert wrong.returncode == 1
    assert "linux/amd64" in wrong.stderr and "linux/arm64" in wrong.stderr
    assert not (tmp_path / "e.zip").exists()
    assert subprocess.run(args + ["--platform", "linux/amd64"], capture_output=True).returncode == 0
