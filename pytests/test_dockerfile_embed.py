"""End-to-end tests of `scute embed dockerfile`: run the built binary on many Dockerfiles and check every
output with BuildKit's own parser (the PyPI package `dockerfile` binds moby/buildkit's Go parser).

For each case the test works out, from the BuildKit parse, what the image runs (ENTRYPOINT then CMD, with
stage inheritance, ONBUILD triggers, SHELL and the CMD reset that ENTRYPOINT causes) for the original
Dockerfile (given what the case says of the base image) and for the protected one (given nothing of the base
image: the protected Dockerfile must not depend on it), and checks protected == defender + original.

SCUTE_BIN names the scute binary (default .build/debug/scute).
"""

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

dockerfile = pytest.importorskip("dockerfile")

ROOT = Path(__file__).resolve().parent.parent
SCUTE = os.environ.get("SCUTE_BIN", str(ROOT / ".build/debug/scute"))
DEFENDER = ["/scute/defender", "rasp", "--"]
DEFAULT_SHELL = ["/bin/sh", "-c"]
UNKNOWN = object()


def expand(word, args):
    """Enough of BuildKit's word expansion for FROM names in these cases: $VAR, ${VAR}, ${VAR:-default}."""

    def sub(m):
        if m.group(3) is not None:
            return args.get(m.group(3), "")
        value = args.get(m.group(1))
        if m.group(2) is not None and not value:
            return m.group(2)
        return value or ""

    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)", sub, word)


def run_config(text, base=None, build_args=None):
    """What the last stage's image runs, from BuildKit's parse. `base` is what is known of the external image
    at the root of the chain: dict with Entrypoint/Cmd (missing key -> unknown)."""
    base = base or {}
    commands = dockerfile.parse_string(text)
    meta = {}
    stages = []  # dicts: name, entrypoint, cmd, shell, cmd_set, triggers
    by_name = {}

    def apply(stage, cmd, sub, value, is_json):
        if cmd == "SHELL":
            stage["shell"] = list(value)
        elif cmd == "ENTRYPOINT":
            if is_json:
                stage["entrypoint"] = list(value) or None
            else:
                stage["entrypoint"] = (stage["shell"] or DEFAULT_SHELL) + [" ".join(value)]
            if not stage["cmd_set"]:
                stage["cmd"] = None
        elif cmd == "CMD":
            stage["cmd"] = list(value) if is_json else (stage["shell"] or DEFAULT_SHELL) + [" ".join(value)]
            stage["cmd_set"] = True

    for c in commands:
        keyword = c.cmd.upper()
        sub_cmd = c.sub_cmd.upper() if c.sub_cmd else None
        if keyword == "FROM":
            image = expand(c.value[0], meta)
            name = c.value[2].lower() if len(c.value) == 3 else None
            if image in by_name:
                parent = by_name[image]
                stage = dict(parent, cmd_set=False, triggers=[])
                for t in parent["triggers"]:
                    apply(stage, *t)
            elif image.lower() == "scratch":
                stage = dict(entrypoint=None, cmd=None, shell=None, cmd_set=False, triggers=[])
            else:
                stage = dict(
                    entrypoint=base.get("Entrypoint", UNKNOWN),
                    cmd=base.get("Cmd", UNKNOWN),
                    shell=base.get("Shell"),
                    cmd_set=False,
                    triggers=[],
                )
            stages.append(stage)
            if name:
                by_name[name] = stage
        elif not stages:
            assert keyword == "ARG"
            for word in c.value:
                key, _, value = word.partition("=")
                meta[key] = (build_args or {}).get(key, value.strip('"'))
        elif keyword == "ONBUILD":
            stages[-1]["triggers"].append((sub_cmd, None, c.value, c.json))
        else:
            apply(stages[-1], keyword, sub_cmd, c.value, c.json)
    last = stages[-1]
    return last["entrypoint"], last["cmd"]


def runs(entrypoint, cmd):
    assert entrypoint is not UNKNOWN and cmd is not UNKNOWN, "depends on the base image"
    return (entrypoint or []) + (cmd or [])


CASES = [
    dict(
        id="go-scratch",
        text="""# syntax=docker/dockerfile:1
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server

FROM scratch
COPY --from=build /out/server /server
USER 65532:65532
ENTRYPOINT ["/server"]
CMD ["--listen", ":8080"]
""",
        runs=["/server", "--listen", ":8080"],
        # A non-root USER: the defender runs as root and starts the app as that user.
        defender=["/scute/defender", "rasp", "--user", "65532:65532", "--"],
    ),
    dict(
        id="node-base-entrypoint-option",
        text="""FROM node:20-alpine
WORKDIR /app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
CMD ["node", "server.js"]
""",
        args=["--entrypoint", '["docker-entrypoint.sh"]'],
        base={"Entrypoint": ["docker-entrypoint.sh"]},
        runs=["docker-entrypoint.sh", "node", "server.js"],
    ),
    dict(
        id="python-shell-entrypoint",
        text="""FROM python:3.12-slim
COPY . /app
ENTRYPOINT exec gunicorn -b 0.0.0.0:8000 app:app
""",
        runs=["/bin/sh", "-c", "exec gunicorn -b 0.0.0.0:8000 app:app"],
    ),
    dict(
        id="shell-instruction",
        text="""FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/install.sh | bash
ENTRYPOINT []
CMD ./run.sh --port "$PORT"
""",
        runs=["/bin/bash", "-o", "pipefail", "-c", './run.sh --port "$PORT"'],
    ),
    dict(
        id="inherited-cmd-restated",
        text="""FROM alpine:3.20 AS base
ENTRYPOINT ["/sbin/tini", "--", "/usr/bin/app"]
CMD ["serve", "--port", "8080"]

FROM base
RUN apk add --no-cache ca-certificates
""",
        runs=["/sbin/tini", "--", "/usr/bin/app", "serve", "--port", "8080"],
    ),
    dict(
        id="arg-before-from",
        text="""ARG FLAVOR=prod
FROM alpine AS prod
ENTRYPOINT ["/prod"]
FROM alpine AS dev
ENTRYPOINT ["/dev"]
FROM ${FLAVOR}
CMD ["--verbose"]
""",
        runs=["/prod", "--verbose"],
    ),
    dict(
        id="build-arg",
        text="""ARG FLAVOR=prod
FROM alpine AS prod
ENTRYPOINT ["/prod"]
FROM alpine AS dev
ENTRYPOINT ["/dev"]
FROM $FLAVOR
""",
        args=["--build-arg", "FLAVOR=dev"],
        build_args={"FLAVOR": "dev"},
        runs=["/dev"],
    ),
    dict(
        id="onbuild",
        text="""FROM alpine AS template
ENTRYPOINT ["/bin/runner"]
ONBUILD CMD ["from-trigger"]
FROM template
""",
        runs=["/bin/runner", "from-trigger"],
    ),
    dict(
        id="nginx-image-config",
        text="FROM nginx:1.27\nCOPY dist/ /usr/share/nginx/html/\n",
        image_config=[{"Id": "sha256:abc", "Config": {"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"]}}],
        base={"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"]},
        runs=["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"],
    ),
    dict(
        id="oci-config",
        text="FROM redis:7\nCOPY redis.conf /usr/local/etc/redis/redis.conf\nCMD [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n",
        image_config={"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["redis-server"]}},
        base={"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["redis-server"]},
        runs=["docker-entrypoint.sh", "redis-server", "/usr/local/etc/redis/redis.conf"],
    ),
    dict(
        id="heredoc-and-continuations",
        text="""FROM ubuntu:24.04
RUN <<EOT bash
  set -eux
  echo 'ENTRYPOINT ["wrong"]'
EOT
RUN apt-get update \\
# comment inside a continuation
 && apt-get install -y curl \\

 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["/usr/local/bin/start", \\
  "--mode", "prod"]
""",
        runs=["/usr/local/bin/start", "--mode", "prod"],
    ),
    dict(
        id="backtick-escape-lowercase",
        text="# escape=`\nfrom alpine\nentrypoint [\"/app\", `\n  \"--x\"]\n",
        args_extra_app="it's `odd` $HOME",
        runs=["/app", "--x"],
    ),
    dict(
        id="cmd-before-entrypoint",
        text="FROM alpine\nCMD [\"--flag\"]\nENTRYPOINT [\"/app\"]\n",
        runs=["/app", "--flag"],
    ),
    dict(
        id="crlf",
        text="FROM alpine\r\nENTRYPOINT [\"/app\"]\r\nCMD [\"x\"]\r\n",
        runs=["/app", "x"],
    ),
    dict(
        id="dangling-continuation",
        text="FROM alpine\nENTRYPOINT [\"/app\"]\nRUN echo done \\\n",
        runs=["/app"],
    ),
    dict(
        id="data-folder",
        text="FROM alpine\nENTRYPOINT [\"/app\"]\n",
        args=["--data-folder", "/opt/scute"],
        runs=["/app"],
        defender=["/opt/scute/defender", "rasp", "--"],
    ),
    dict(
        id="kitchen-sink",
        text="""# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended
ARG RUST_VERSION=1.82
FROM --platform=$BUILDPLATFORM rust:${RUST_VERSION}-slim AS builder
WORKDIR /build
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=bind,source=.,target=/build \
    cargo build --release && cp target/release/api /api
COPY --link --chmod=0755 <<'SCRIPT' /entry.sh
#!/bin/sh
exec "$@"
SCRIPT

FROM gcr.io/distroless/cc-debian12:nonroot AS runtime
LABEL org.opencontainers.image.source="https://example.com/api" \
      maintainer="team@example.com"
ENV RUST_LOG=info APP_PORT=8080
COPY --from=builder /api /usr/local/bin/api
COPY --from=builder /entry.sh /entry.sh
VOLUME ["/data"]
EXPOSE 8080/tcp
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/local/bin/api", "healthcheck"]
	user nonroot:nonroot
ENTRYPOINT ["/entry.sh", "/usr/local/bin/api"]
""",
        runs=["/entry.sh", "/usr/local/bin/api"],
        defender=["/scute/defender", "rasp", "--user", "nonroot:nonroot", "--"],
    ),
    dict(
        id="windows-style-escape",
        text=r"""# escape=`
FROM mcr.microsoft.com/powershell:lts-debian-12
SHELL ["pwsh", "-NoLogo", "-Command"]
RUN Write-Host "build" ; `
    New-Item -ItemType Directory -Path C:\app
CMD Start-Process -FilePath C:\app\server.exe -Wait
""",
        args=["--entrypoint", "[]"],
        base={"Entrypoint": None},
        runs=["pwsh", "-NoLogo", "-Command", r"Start-Process -FilePath C:\app\server.exe -Wait"],
    ),
    dict(
        id="java-entrypoint-no-base-info",
        text="FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n",
        runs=["java", "-jar", "/app.jar"],
    ),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "scute-defender.tar.gz"
    subprocess.run(["bash", "-c", f"echo fake | gzip -n > {path}"], check=True)
    return path


def embed(tmp_path, text, args, bundle, app_id="shop"):
    source = tmp_path / "Dockerfile"
    source.write_bytes(text.encode())
    out = tmp_path / "scute-embed.zip"
    proc = subprocess.run(
        [SCUTE, "embed", "dockerfile", str(source), "--app-id", app_id, "--bundle", str(bundle), "-o", str(out), *args],
        capture_output=True,
        text=True,
    )
    return proc, out


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_output_parses_and_runs_the_original_under_the_defender(tmp_path, bundle, case):
    args = list(case.get("args", []))
    if "image_config" in case:
        config = tmp_path / "image.json"
        config.write_text(json.dumps(case["image_config"]))
        args += ["--image-config", str(config)]
    proc, out = embed(tmp_path, case["text"], args, bundle, app_id=case.get("args_extra_app", "shop"))
    assert proc.returncode == 0, proc.stderr

    # The evaluator agrees with the case about the original.
    original = runs(*run_config(case["text"], case.get("base"), case.get("build_args")))
    assert original == case["runs"]

    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["Dockerfile", "scute-defender.tar.gz"]
        assert z.read("scute-defender.tar.gz") == bundle.read_bytes()
        protected = z.read("Dockerfile").decode()

    # BuildKit parses it, and it runs the original under the defender without knowing the base image.
    entrypoint, cmd = run_config(protected, None, case.get("build_args"))
    assert runs(entrypoint, cmd) == case.get("defender", DEFENDER) + case["runs"]

    final = [c for c in dockerfile.parse_string(protected)]
    last_from = max(i for i, c in enumerate(final) if c.cmd.upper() == "FROM")
    tail = final[last_from:]
    add = [c for c in tail if c.cmd.upper() == "ADD"][-1]
    folder = case.get("defender", DEFENDER)[0].rsplit("/", 1)[0]
    assert add.json and list(add.value) == ["scute-defender.tar.gz", folder + "/"]
    env = {}
    for c in tail:
        if c.cmd.upper() == "ENV":
            for k, v in zip(c.value[::2], c.value[1::2]):
                env[k] = v
    assert env["SCUTE_DEFENDER_TYPE"] == "'embedded'"
    assert env["SCUTE_DATA_FOLDER"] == f"'{folder}'"
    assert "SCUTE_APP_ID" in env
    # The original lines are all still there, in order.
    assert protected.replace("\r\n", "\n").startswith(case["text"].replace("\r\n", "\n").replace("done \\\n", "done\n"))


def test_console_and_install_bundle_become_environment(tmp_path, bundle):
    proc, out = embed(
        tmp_path,
        "FROM alpine\nENTRYPOINT [\"/app\"]\n",
        ["--console", "wss://console.example.com:8084", "--install-bundle", "eyJ0b2tlbiI6IngifQ=="],
        bundle,
    )
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as z:
        text = z.read("Dockerfile").decode()
    env = {c.value[0]: c.value[1] for c in dockerfile.parse_string(text) if c.cmd.upper() == "ENV"}
    assert env["SCUTE_CONSOLE"] == "'wss://console.example.com:8084'"
    assert env["SCUTE_INSTALL_BUNDLE"] == "'eyJ0b2tlbiI6IngifQ=='"
    assert env["SCUTE_APP_ID"] == "'shop'"


def test_install_bundle_file(tmp_path, bundle):
    (tmp_path / "bundle.b64").write_text("eyJ0b2tlbiI6IngifQ==\n")
    proc, out = embed(tmp_path, "FROM alpine\nENTRYPOINT [\"/app\"]\n", ["--install-bundle-file", str(tmp_path / "bundle.b64")], bundle)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as z:
        text = z.read("Dockerfile").decode()
    env = {c.value[0]: c.value[1] for c in dockerfile.parse_string(text) if c.cmd.upper() == "ENV"}
    assert env["SCUTE_INSTALL_BUNDLE"] == "'eyJ0b2tlbiI6IngifQ=='"


def test_target_stage_is_protected_and_later_stages_untouched(tmp_path, bundle):
    text = "FROM alpine AS app\nENTRYPOINT [\"/app\"]\nCMD [\"serve\"]\n\nFROM app AS debug\nENTRYPOINT [\"/debug\"]\n"
    proc, out = embed(tmp_path, text, ["--target", "app"], bundle)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as z:
        protected = z.read("Dockerfile").decode()
    # Cut the file before the second stage: the target stage alone runs the defender.
    head = protected[: protected.index("FROM app AS debug")]
    assert runs(*run_config(head)) == DEFENDER + ["/app", "serve"]
    assert protected.endswith("FROM app AS debug\nENTRYPOINT [\"/debug\"]\n")


def test_embedding_the_output_again_changes_nothing(tmp_path, bundle):
    proc, out = embed(tmp_path, CASES[4]["text"], [], bundle)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as z:
        first = z.read("Dockerfile").decode()
    again = tmp_path / "again"
    again.mkdir()
    proc, out2 = embed(again, first, [], bundle)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out2) as z:
        assert z.read("Dockerfile").decode() == first


ERRORS = [
    ("no-from", "# nothing\n", [], r"line 1: .*no FROM"),
    ("run-before-from", "ARG A=1\nRUN x\nFROM alpine\n", [], r"line 2: .*before the first FROM"),
    ("unterminated-heredoc", "FROM alpine\nRUN <<EOF\necho\n", [], r"line 2: .*<<EOF.*never terminated"),
    ("unterminated-json", "FROM alpine\nENTRYPOINT [\"/a\",\n", [], r"line 2: .*not valid JSON"),
    ("unknown-target", "FROM alpine AS a\nENTRYPOINT [\"/a\"]\n", ["--target", "b"], r'target stage "b" could not be found'),
    ("forward-stage", "FROM later\nFROM alpine AS later\n", [], r"line 1: .*line 2"),
    ("missing-entrypoint", "FROM alpine AS b\nRUN make\nFROM nginx\nCOPY --from=b /o /o\n", [], r"line 3: .*nginx.*--entrypoint.*--image-config"),
    ("missing-cmd", "FROM redis:7\nRUN true\n", ["--entrypoint", "[\"e\"]"], r"line 1: .*CMD.*--cmd"),
    ("bad-escape", "# escape=x\nFROM alpine\n", [], r"line 1: invalid escape token"),
    ("unknown-instruction", "FROM alpine\nCOPPY . .\n", [], r"line 2: unknown instruction: COPPY"),
    ("bad-entrypoint-option", "FROM alpine\n", ["--entrypoint", "/bin/app"], r"--entrypoint must be a JSON array"),
]


@pytest.mark.parametrize("name,text,args,pattern", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_name_the_line_and_write_nothing(tmp_path, bundle, name, text, args, pattern):
    proc, out = embed(tmp_path, text, args, bundle)
    assert proc.returncode == 1
    assert re.search(pattern, proc.stderr), proc.stderr
    assert proc.stderr.startswith("error: ")
    assert not out.exists()
