#!/usr/bin/env python3
"""Writes N generated OSV records into a folder, one JSON file per record, for the vulnerability bench.

Most records are Debian records keyed to the source packages of a dpkg root (so matching has real work to do:
every installed source has dozens of records, some fixed above the installed version, some below, some unfixed),
the rest spread over Alpine, PyPI, npm, Go, Maven and RubyGems. Records look like OSV's own: summary, a details
paragraph, references, several releases per Debian record, CVSS vectors on the language ones.

    generate.py --out DIR [--count 50000] [--root /] [--seed 1]
"""
import argparse
import json
import os
import random
import re
import shutil

WORDS = ("buffer overflow in the parser allows remote attackers to cause a denial of service or possibly execute "
         "arbitrary code via a crafted file use after free when handling malformed input integer overflow in the "
         "length computation leads to an out of bounds read").split()


def dpkg_sources(root):
    """(source name, source version) of each installed package of ROOT/var/lib/dpkg/status."""
    with open(os.path.join(root, "var/lib/dpkg/status"), encoding="utf-8") as status:
        text = status.read()
    sources = {}
    for stanza in text.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): ?(.*)$", stanza, re.M))
        if "Package" not in fields or not fields.get("Status", "").endswith(" installed"):
            continue
        version = fields["Version"]
        name = fields["Package"]
        if "Source" in fields:
            match = re.match(r"(\S+)(?: \((.*)\))?", fields["Source"])
            name = match.group(1)
            version = match.group(2) or version
        sources[name] = version
    return sorted(sources.items())


def bump(version, rng, up):
    """A Debian version just above (or below) VERSION: a stable update, or an older upload."""
    if up:
        return version + rng.choice(["+deb12u1", "+deb12u3", ".1", "-1"]) if rng.random() < 0.8 else "9:" + version
    head = version.split(":")[-1]
    return "0." + head if rng.random() < 0.5 else head + "~deb9u1"


def details(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 110))).capitalize() + "."


def record(identifier, rng, affected, extra=None):
    year = rng.randint(2015, 2025)
    data = {
        "schema_version": "1.6.0",
        "id": identifier,
        "modified": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
        "published": f"{year}-01-02T00:00:00Z",
        "aliases": [f"CVE-{year}-{rng.randint(1000, 99999)}"],
        "summary": " ".join(rng.choice(WORDS) for _ in range(8)),
        "details": details(rng),
        "affected": affected,
        "references": [{"type": "ADVISORY", "url": f"https://security-tracker.example.org/tracker/{identifier}"},
                       {"type": "WEB", "url": f"https://example.org/advisories/{identifier}"}],
    }
    if extra:
        data.update(extra)
    return data


def debian_record(index, rng, sources):
    name, installed = rng.choice(sources) if rng.random() < 0.9 else (f"not-installed-{index % 500}", "1.0-1")
    affected = []
    for release in ("11", "12", "13"):
        events = [{"introduced": "0"}]
        roll = rng.random()
        if roll < 0.45:
            events.append({"fixed": bump(installed, rng, up=False)})
        elif roll < 0.8:
            events.append({"fixed": bump(installed, rng, up=True)})
        affected.append({
            "package": {"ecosystem": f"Debian:{release}", "name": name, "purl": f"pkg:deb/debian/{name}?arch=source"},
            "ranges": [{"type": "ECOSYSTEM", "events": events}],
            "database_specific": {"source": f"https://storage.example.org/debian/{index}.json"},
        })
    return record(f"DEBIAN-CVE-{index:07d}", rng, affected)


def language_record(index, rng, ecosystem):
    major, minor, patch = rng.randint(0, 9), rng.randint(0, 30), rng.randint(0, 20)
    introduced, fixed = f"{major}.{minor}.0", f"{major}.{minor}.{patch + 1}"
    if ecosystem == "Maven":
        name = f"org.example.group{index % 300}:artifact-{index % 1000}"
    elif ecosystem == "Go":
        name = f"github.com/example{index % 400}/module{index % 1000}"
        introduced, fixed = introduced, fixed
    elif ecosystem == "Alpine":
        name = f"apkpkg{index % 800}"
        introduced, fixed = "0", f"{major}.{minor}.{patch}-r{rng.randint(0, 5)}"
    else:
        name = f"{ecosystem.lower()}-package-{index % 2000}"
    events = [{"introduced": introduced}]
    if rng.random() < 0.85:
        events.append({"fixed": fixed})
    else:
        events.append({"last_affected": fixed})
    range_type = "SEMVER" if ecosystem in ("npm", "Go") else "ECOSYSTEM"
    osv_ecosystem = f"Alpine:v3.{rng.randint(15, 20)}" if ecosystem == "Alpine" else ecosystem
    affected = [{"package": {"ecosystem": osv_ecosystem, "name": name}, "ranges": [{"type": range_type, "events": events}],
                 "versions": [f"{major}.{minor}.{p}" for p in range(0, min(patch, 6))] if ecosystem == "PyPI" else []}]
    extra = {"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
             "database_specific": {"severity": "CRITICAL", "cwe_ids": ["CWE-787"], "github_reviewed": True}}
    prefix = {"Alpine": "ALPINE-CVE", "Go": "GO"}.get(ecosystem, "GHSA")
    return record(f"{prefix}-{index:07d}", rng, affected, extra if ecosystem != "Alpine" else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, default=50000)
    parser.add_argument("--root", default="/")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = dpkg_sources(args.root)
    shutil.rmtree(args.out, ignore_errors=True)
    mix = [("Debian", 0.6), ("Alpine", 0.08), ("PyPI", 0.1), ("npm", 0.09), ("Go", 0.06), ("Maven", 0.05), ("RubyGems", 0.02)]
    total_bytes = 0
    for index in range(args.count):
        roll, ecosystem = rng.random(), "Debian"
        for name, share in mix:
            if roll < share:
                ecosystem = name
                break
            roll -= share
        data = debian_record(index, rng, sources) if ecosystem == "Debian" else language_record(index, rng, ecosystem)
        folder = os.path.join(args.out, ecosystem)
        os.makedirs(folder, exist_ok=True)
        text = json.dumps(data, indent=2)
        total_bytes += len(text)
        with open(os.path.join(folder, data["id"] + ".json"), "w", encoding="utf-8") as out:
            out.write(text)
    print(f"wrote {args.count} records ({total_bytes / 1e6:.1f} MB) for {len(sources)} source packages into {args.out}")


if __name__ == "__main__":
    main()
