"""`scute console` as a real process: first start, TLS, graceful shutdown, and schemathesis against the
live OpenAPI document (bounded), which must find no server error."""
import base64
import json
import os
import pathlib
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import free_port

ADMIN_PASSWORD = "admin-password-for-tests"


class Console:
    def __init__(self, scute, insecure, extra=()):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="scute-console-py-"))
        self.api_port = free_port()
        self.channel_port = free_port()
        scheme = "http" if insecure else "https"
        self.base = f"{scheme}://127.0.0.1:{self.api_port}"
        # Any bytes do as a defender bundle for the app-embedded endpoint (it is copied into the zip as is).
        bundle = self.dir / "scute-defender.tar.gz"
        bundle.write_bytes(b"bundle for tests")
        args = [scute, "console", "--data", str(self.dir / "data"), "--host", "127.0.0.1",
                "--api-port", str(self.api_port), "--channel-port", str(self.channel_port),
                "--defender-bundle", str(bundle), *extra]
        if insecure:
            args.append("--insecure-http")
        env = dict(os.environ, SCUTE_ADMIN_PASSWORD=ADMIN_PASSWORD, LOG_LEVEL="warning")
        self.log = open(self.dir / "console.log", "w+")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.context = None
        deadline = time.time() + 30
        while time.time() < deadline:
            if not insecure and self.context is None and (self.dir / "data" / "server.pem").exists():
                time.sleep(0.2)  # the CA file is written before the server certificate
                self.context = ssl.create_default_context(cafile=str(self.dir / "data" / "ca.pem"))
            try:
                self.request("GET", "/health")
                return
            except (urllib.error.URLError, ConnectionError, ssl.SSLError):
                assert self.proc.poll() is None, self.output()
                time.sleep(0.1)
        raise AssertionError("console did not start: " + self.output())

    def output(self):
        self.log.flush()
        return (self.dir / "console.log").read_text()

    def request(self, method, path, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(req, context=self.context, timeout=10) as r:
            text = r.read().decode()
            return r.status, (json.loads(text) if text and r.headers.get_content_type() == "application/json" else text)

    def login(self):
        _, body = self.request("POST", "/api/v1/authenticate", {"username": "admin", "password": ADMIN_PASSWORD})
        return body["token"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def base64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.fixture
def insecure_console(scute):
    c = Console(scute, insecure=True)
    yield c
    c.stop()


def test_first_start_creates_the_data_folder_and_says_where_to_log_in(insecure_console):
    data = insecure_console.dir / "data"
    for name in ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem", "token-signing.key", "scute.db"]:
        assert (data / name).exists(), name
    assert oct(data.stat().st_mode & 0o777) == "0o700"
    assert oct((data / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    assert f"log in at http://localhost:{insecure_console.api_port}/" in insecure_console.output()
    assert "insecure_http" in insecure_console.output()
    # The password came from SCUTE_ADMIN_PASSWORD: it is never printed.
    assert ADMIN_PASSWORD not in insecure_console.output()
    # The login token is a JWT signed with HS256 (jwt-kit), with its kind, subject, role and expiry.
    header, payload, _ = insecure_console.login().split(".")
    assert json.loads(base64url(header))["alg"] == "HS256"
    claims = json.loads(base64url(payload))
    assert (claims["sub"], claims["role"], claims["kind"]) == ("admin", "admin", "user")
    assert claims["exp"] > time.time() + 3600


def test_tls_by_default_with_the_console_ca(scute):
    c = Console(scute, insecure=False, extra=["--san", "localhost", "--san", "127.0.0.1"])
    try:
        status, body = c.request("GET", "/health")
        assert status == 200 and body["status"] == "ok"
        # A client that does not trust the console CA is refused.
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(c.base + "/health", context=ssl.create_default_context(), timeout=5)
    finally:
        c.stop()


def test_sigterm_shuts_down_gracefully(scute):
    c = Console(scute, insecure=True)
    c.proc.send_signal(signal.SIGTERM)
    assert c.proc.wait(timeout=15) == 0, c.output()
    c.stop()


def test_the_embed_service_output_registers_with_the_ecs_api(insecure_console, moto_endpoint):
    import boto3
    token = insecure_console.login()
    task = {"family": "payments", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "512",
            "memory": "1024", "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "essential": True,
                                                         "entryPoint": ["/docker-entrypoint.sh"], "command": ["nginx"]}]}
    # Without a secret to hand the bundle over, the console puts it into plain environment only when asked.
    with pytest.raises(urllib.error.HTTPError) as refused:
        insecure_console.request("POST", "/api/v1/defenders/fargate.json?consoleaddr=wss://console.example:8084", task, token)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"]["field"] == "installBundleSecret"
    status, protected = insecure_console.request(
        "POST", "/api/v1/defenders/fargate.json?consoleaddr=wss://console.example:8084&plainEnvironment=true", task, token)
    assert status == 200
    assert any(c["name"] == "ScuteDefender" for c in protected["containerDefinitions"])
    ecs = boto3.client("ecs", endpoint_url=moto_endpoint, region_name="eu-west-1",
                       aws_access_key_id="test", aws_secret_access_key="test")
    registered = ecs.register_task_definition(**protected)["taskDefinition"]
    assert registered["family"] == "payments"
    assert len(registered["containerDefinitions"]) == 2
    # The bundle as an ECS secret: the sidecar's `secrets` name the parameter, and ECS takes it.
    arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/scute/install-bundle"
    task["executionRoleArn"] = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    status, with_secret = insecure_console.request(
        "POST", f"/api/v1/defenders/fargate.json?consoleaddr=wss://console.example:8084&installBundleSecret={arn}", task, token)
    assert status == 200
    sidecar = next(c for c in with_secret["containerDefinitions"] if c["name"] == "ScuteDefender")
    assert sidecar["secrets"] == [{"name": "SCUTE_INSTALL_BUNDLE", "valueFrom": arn}]
    assert "SCUTE_INSTALL_BUNDLE" not in json.dumps(sidecar["environment"])
    registered = ecs.register_task_definition(**with_secret)["taskDefinition"]
    assert registered["containerDefinitions"][-1]["secrets"][0]["valueFrom"] == arn


@pytest.mark.skipif(shutil.which("schemathesis") is None, reason="schemathesis is not installed")
def test_schemathesis_finds_no_server_error(insecure_console):
    token = insecure_console.login()
    report = insecure_console.dir / "schemathesis.json"
    result = subprocess.run(
        ["schemathesis", "run", insecure_console.base + "/api/v1/openapi.json", "--url", insecure_console.base + "/api/v1",
         "--header", f"Authorization: Bearer {token}", "--checks", "not_a_server_error",
         "--max-examples", os.environ.get("SCUTE_SCHEMATHESIS_EXAMPLES", "10"), "--phases", "examples,coverage,fuzzing",
         "--request-timeout", "10", "--seed", "8083", "--report", "ndjson", "--report-ndjson-path", str(report)],
        capture_output=True, text=True, timeout=900, cwd=insecure_console.dir)  # its caches stay out of the tree
    assert result.returncode == 0, result.stdout[-4000:] + insecure_console.output()[-2000:]
    assert insecure_console.proc.poll() is None, "the console died under schemathesis"
