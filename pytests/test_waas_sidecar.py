"""The web application firewall in a task: `scute embed task-definition --waas web=EXTERNAL:APP` makes the sidecar
run the proxy on EXTERNAL in front of the app moved to 127.0.0.1:APP. Here: a console on loopback, `scute sidecar`
with the environment the embed writes (SCUTE_WAAS, SCUTE_WAAS_EFFECT), and an app under the defender in the
container `web`. An attack gets a 403 from the proxy, a clean request reaches the app, and the finding reaches the
console as a runtime audit of type `waas` under the app's defender (its app ID, task and container).
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

from conftest import free_port
from test_e2e_sidecar import console, defender_bundle, stop, wait_for  # noqa: F401 (fixtures)
from test_e2e_console_defender import wait_connected

APP = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the app"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def embedded_sidecar_environment(scute, external, app):
    """The sidecar environment that `scute embed task-definition --waas` writes, from the real command."""
    td = {"family": "shop", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
          "containerDefinitions": [{"name": "web", "image": "shop:1", "entryPoint": ["python3"],
                                    "portMappings": [{"containerPort": external}]}]}
    out = subprocess.run([scute, "embed", "task-definition", "--waas", f"web={external}:{app}", "--waas-effect", "prevent"],
                         input=json.dumps(td), capture_output=True, text=True, check=True)
    assert f"make web listen on 127.0.0.1:{app}" in out.stderr
    sidecar = [c for c in json.loads(out.stdout)["containerDefinitions"] if c["name"] == "ScuteDefender"][0]
    return {e["name"]: e["value"] for e in sidecar["environment"] if e["name"].startswith("SCUTE_WAAS")}


def get(url):
    try:
        return fetch(url)
    except (urllib.error.URLError, ConnectionError) as e:
        return 0, {}, str(e).encode()


def fetch(url):
    # A name in Host, as a browser sends: a bare IP address in Host is itself a finding (protocol-1016).
    request = urllib.request.Request(url, headers={"Host": "shop.example.com"})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_the_sidecar_firewall_blocks_an_attack_and_reports_it_under_the_apps_defender(scute, console, defender_bundle, tmp_path):
    external, app_port = free_port(), free_port()
    waas_env = embedded_sidecar_environment(scute, external, app_port)
    assert waas_env == {"SCUTE_WAAS": f"web={external}:{app_port}", "SCUTE_WAAS_EFFECT": "prevent"}
    token = console.token()
    bundle = console.call("GET", f"/defenders/install-bundle?consoleaddr=ws://127.0.0.1:{console.channel}", token)
    volume = str(tmp_path / "volume")
    sidecar_env = dict(os.environ, SCUTE_INSTALL_BUNDLE=bundle["installBundle"], SCUTE_APP_ID="waas-shop",
                       SCUTE_TASK_FAMILY="shop", SCUTE_DATA_FOLDER=volume, SCUTE_LOG_LEVEL="info", **waas_env)
    sidecar_out = open(tmp_path / "sidecar.out", "wb")
    sidecar = subprocess.Popen([scute, "sidecar", "run", "--volume", volume, "--bundle", defender_bundle],
                               env=sidecar_env, stdout=sidecar_out, stderr=subprocess.STDOUT)
    app = None
    try:
        wait_for(lambda: os.path.exists(os.path.join(volume, ".scute-ready")), 30, "the sidecar")
        app_env = {k: v for k, v in os.environ.items() if not k.startswith("SCUTE_")}
        app_env.update(SCUTE_DATA_FOLDER=volume, SCUTE_CONTAINER_NAME="web", SCUTE_POLICY_WAIT="3")
        app = subprocess.Popen([os.path.join(volume, "defender"), "rasp", "--", sys.executable, "-c", APP, str(app_port)],
                               env=app_env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "app.err", "wb"))
        wait_connected(console, token, "waas-shop")
        base = f"http://127.0.0.1:{external}"
        last = []
        wait_for(lambda: last.append(get(base + "/health")) or last[-1][0] == 200, 30, "the app behind the firewall")
        assert last[-1][0] == 200, last[-1]

        status, headers, body = get(base + "/products?id=1%27%20OR%20%271%27=%271")
        assert status == 403, body
        event_id = headers.get("X-WAAS-Event-ID") or headers.get("x-waas-event-id")
        assert event_id and event_id.encode() in body
        status, _, body = get(base + "/products?id=42")
        assert status == 200 and body == b"hello from the app"

        audits = console.audits_eventually(token, "appID=waas-shop&type=waas", timeout=30)
        assert audits, "no waas audit reached the console"
        a = audits[0]
        assert a["eventID"] == event_id and a["attackType"] == "sqli" and a["effect"] == "prevent", a
        assert a["container"] == "web" and a["path"] == "/products" and a["location"] == "query:id", a
        assert a.get("taskFamily") == "shop", a
    finally:
        stop(app, sidecar)
    assert sidecar.returncode == 0
    # The task's log (the sidecar's standard output) has the finding as a JSON line too.
    lines = [json.loads(line) for line in open(tmp_path / "sidecar.out", "rb").read().decode().splitlines() if line.startswith("{")]
    assert any(line["eventID"] == event_id for line in lines)
