"""`scute scan`, `scute inventory` and `scute vulns` on small roots made here: the JSON shapes the issues
give, the exit statuses, and a match keyed by Debian source package."""
import json
import os
import shutil
import subprocess

import pytest


def make_root(tmp_path):
    root = tmp_path / "root"
    (root / "var/lib/dpkg/info").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "tmp").mkdir()
    (root / "usr/bin").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    # bsdutils is built from util-linux and carries an epoch of its own: advisories name the source.
    (root / "var/lib/dpkg/status").write_text(
        "Package: bsdutils\nStatus: install ok installed\nVersion: 1:2.38.1-5+b1\nSource: util-linux (2.38.1-5)\n"
        "Architecture: amd64\n\n"
    )
    (root / "usr/bin/logger").write_bytes(b"\x7fELF logger")
    (root / "var/lib/dpkg/info/bsdutils.md5sums").write_text("0" * 32 + "  usr/bin/logger\n")
    return root


def run(scute, *args):
    return subprocess.run([scute, *args], capture_output=True, text=True, timeout=120)


def test_scan_reports_a_miner_and_a_changed_file_as_json(scute, tmp_path):
    root = make_root(tmp_path)
    shutil.copy("/bin/sleep", root / "tmp/xmrig")
    env = tmp_path / "env"
    env.write_text("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nGPG_KEY=A4A9406876FCBD3C456770C88C718D3B5072E1F5\n")
    r = run(scute, "scan", "--root", str(root), "--env-file", str(env), "--format", "json")
    assert r.returncode == 1, r.stderr
    report = json.loads(r.stdout)
    assert report["root"] == str(root)
    checks = {(f["check"], f.get("path") or f.get("variable")) for f in report["findings"]}
    assert (426, "/tmp/xmrig") in checks
    assert (448, "/usr/bin/logger") in checks
    assert (424, "AWS_SECRET_ACCESS_KEY") in checks
    assert not any(f.get("variable") == "GPG_KEY" for f in report["findings"])
    # A finding never holds the secret's value.
    assert "wJalrXUtnFEMI" not in r.stdout
    only = run(scute, "scan", "--root", str(root), "--checks", "425")
    assert only.returncode == 0, only.stdout


def test_scan_errors_are_exit_status_2_with_a_message(scute, tmp_path):
    r = run(scute, "scan", "--root", str(tmp_path / "missing"))
    assert r.returncode == 2
    assert "missing" in r.stderr
    r = run(scute, "scan", "--root", str(tmp_path), "--checks", "424,999")
    assert r.returncode == 2
    assert "999" in r.stderr


def test_inventory_json(scute, tmp_path):
    root = make_root(tmp_path)
    r = run(scute, "inventory", "--root", str(root), "--format", "json")
    assert r.returncode == 0, r.stderr
    packages = json.loads(r.stdout)["packages"]
    assert {"ecosystem": "Debian", "name": "bsdutils", "version": "1:2.38.1-5+b1", "source": "util-linux", "sourceVersion": "2.38.1-5"} in [
        {k: v for k, v in p.items() if k != "path"} for p in packages
    ]


def test_vulns_match_on_the_source_package_and_version(scute, tmp_path):
    root = make_root(tmp_path)
    osv = tmp_path / "osv"
    osv.mkdir()
    (osv / "DSA-1.json").write_text(json.dumps({
        "id": "TEST-UTIL-LINUX-1", "modified": "2026-01-01T00:00:00Z", "aliases": ["CVE-2099-0001"],
        "affected": [{"package": {"ecosystem": "Debian:12", "name": "util-linux"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.38.1-6"}]}]}],
    }))
    (osv / "DSA-2.json").write_text(json.dumps({
        "id": "TEST-UTIL-LINUX-OLD", "modified": "2026-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "Debian:12", "name": "util-linux"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.38.1-5"}]}]}],
    }))
    r = run(scute, "vulns", "--root", str(root), "--advisories", str(osv), "--format", "json")
    assert r.returncode == 1, r.stderr
    found = json.loads(r.stdout)["vulnerabilities"]
    assert [v["id"] for v in found] == ["TEST-UTIL-LINUX-1"]
    assert found[0]["package"] == "bsdutils"
    assert found[0]["fixed"] == "2.38.1-6"
    assert found[0]["aliases"] == ["CVE-2099-0001"]
    table = run(scute, "vulns", "--root", str(root), "--advisories", str(osv))
    assert "TEST-UTIL-LINUX-1" in table.stdout
