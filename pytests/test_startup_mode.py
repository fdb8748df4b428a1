"""The startup mode chosen at embed time (issue 14): `--startup-mode` on the three embeds, with `--remove`
restoring the original byte for byte, and end to end through the sidecar relay with a real console: in the
security mode the app starts only on this run's policy from the console, never on what the relay kept from an
earlier run."""
import os
import subprocess
import zipfile

from conftest import ROOT
from test_e2e_sidecar import console, defender_bundle, stop, wait_for  # noqa: F401 (fixtures)

SEED = ROOT / "examples" / "task-definitions" / "seed-fargate.json"
SERVICE = ROOT / "examples" / "cloudformation" / "service.yaml"
CONSOLE = "wss://console.example.com:8084"


def run(scute, *args):
    return subprocess.run([scute, *args], capture_output=True, text=True, timeout=60)


def test_task_definition_security_and_remove_round_trip(scute, tmp_path):
    secure = tmp_path / "secure.json"
    embedded = run(scute, "embed", "task-definition", str(SEED), "--console", CONSOLE, "--startup-mode", "security", "-o", str(secure))
    assert embedded.returncode == 0, embedded.stderr
    assert '"name": "SCUTE_STARTUP_MODE"' in secure.read_text() and '"value": "security"' in secure.read_text()
    # Embedding again without the option keeps the mode: the same bytes.
    again = run(scute, "embed", "task-definition", str(secure))
    assert again.returncode == 0 and again.stdout == secure.read_text()
    # Availability (the default) adds nothing.
    plain = run(scute, "embed", "task-definition", str(SEED), "--console", CONSOLE, "--startup-mode", "availability")
    assert plain.returncode == 0 and "SCUTE_STARTUP_MODE" not in plain.stdout
    # --remove gives the original back, byte for byte.
    removed = run(scute, "embed", "task-definition", str(secure), "--remove")
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout == SEED.read_text()


def test_cloudformation_security_and_remove_round_trip(scute, tmp_path):
    secure = tmp_path / "service.yaml"
    embedded = run(scute, "embed", "cloudformation", str(SERVICE), "--console", CONSOLE, "--startup-mode", "security", "-o", str(secure))
    assert embedded.returncode == 0, embedded.stderr
    assert "- Name: SCUTE_STARTUP_MODE" in secure.read_text()
    removed = run(scute, "embed", "cloudformation", str(secure), "--remove")
    assert removed.returncode == 0 and removed.stdout == SERVICE.read_text()


def test_dockerfile_security(scute, tmp_path):
    bundle = tmp_path / "scute-defender.tar.gz"
    subprocess.run(["bash", "-c", f"echo fake | gzip -n > {bundle}"], check=True)
    source = tmp_path / "Dockerfile"
    source.write_text('FROM debian:12\nENTRYPOINT ["/app/run"]\n')
    out = tmp_path / "embed.zip"
    made = run(scute, "embed", "dockerfile", str(source), "--app-id", "shop", "--bundle", str(bundle), "--startup-mode", "security", "-o", str(out))
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(out) as z:
        assert "ENV SCUTE_STARTUP_MODE='security'\n" in z.read("Dockerfile").decode()


def test_an_unknown_mode_names_the_option_and_both_values(scute, tmp_path):
    expected = '--startup-mode: expected availability or security, got "fast"'
    for args in (["embed", "task-definition", str(SEED)], ["embed", "cloudformation", str(SERVICE)],
                 ["embed", "dockerfile", str(tmp_path / "Dockerfile"), "--app-id", "shop"]):
        (tmp_path / "Dockerfile").write_text("FROM debian:12\nCMD [\"/app\"]\n")
        refused = run(scute, *args, "--startup-mode", "fast")
        assert refused.returncode != 0
        assert expected in refused.stderr, refused.stderr


def test_security_through_the_sidecar_starts_only_on_this_runs_console_policy(scute, console, defender_bundle, tmp_path):
    token = console.token()
    console.call("POST", "/policies/runtime/rules", token, {
        "name": "no-id", "collections": [{"appIDs": ["e2e-startup"]}],
        "processes": {"effect": "prevent", "denied": ["/usr/bin/id"]},
    })
    bundle = console.call("GET", f"/defenders/install-bundle?consoleaddr=ws://127.0.0.1:{console.channel}", token)
    volume = str(tmp_path / "volume")
    sidecar_env = dict(os.environ, SCUTE_INSTALL_BUNDLE=bundle["installBundle"], SCUTE_APP_ID="e2e-startup",
                       SCUTE_DATA_FOLDER=volume)
    app_env = {k: v for k, v in os.environ.items() if not k.startswith("SCUTE_")}
    # A fixed defender ID, so that the second run finds what the relay kept for the first.
    app_env.update(SCUTE_DATA_FOLDER=volume, SCUTE_APP_ID="e2e-startup", SCUTE_DEFENDER_ID="startup-1",
                   SCUTE_STARTUP_MODE="security", SCUTE_DRAIN_TIMEOUT="1")
    app = [os.path.join(volume, "defender"), "rasp", "--", "/bin/sh", "-c", "/usr/bin/id -u; echo rc=$?"]

    def start_sidecar(name):
        log = open(tmp_path / name, "wb")
        proc = subprocess.Popen([scute, "sidecar", "run", "--volume", volume, "--bundle", defender_bundle],
                                env=sidecar_env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(os.path.join(volume, ".scute-ready"))
                 and os.path.exists(os.path.join(volume, "channel.sock")), 30, "the sidecar")
        return proc

    sidecar = start_sidecar("sidecar-1.log")
    try:
        first = subprocess.run(app, env=dict(app_env, SCUTE_POLICY_WAIT="60"), capture_output=True, text=True, timeout=90)
        assert first.returncode == 0, first.stderr
        assert "waiting for the console's policy (security startup mode)" in first.stderr
        # The app ran, on the console's policy from its first instruction.
        assert "rc=126" in first.stdout or "rc=137" in first.stdout, first.stdout + first.stderr
    finally:
        stop(None, sidecar)
    assert os.path.exists(os.path.join(volume, ".relay", "startup-1", "policy.json"))

    # The console is gone; a new sidecar has only what the first one kept. Security does not start the app on it.
    console.stop()
    sidecar = start_sidecar("sidecar-2.log")
    try:
        second = subprocess.run(app, env=dict(app_env, SCUTE_POLICY_WAIT="2"), capture_output=True, text=True, timeout=60)
        assert second.returncode == 2, second.stdout + second.stderr
        assert "rc=" not in second.stdout
        assert "security startup mode: no policy from the console (the sidecar's relay at" in second.stderr, second.stderr
        assert "not starting the app" in second.stderr
        # Availability starts the app at once all the same.
        relaxed = subprocess.run(app, env=dict(app_env, SCUTE_STARTUP_MODE="availability"), capture_output=True, text=True,
                                 timeout=60)
        assert relaxed.returncode == 0, relaxed.stderr
        assert "rc=" in relaxed.stdout
    finally:
        stop(None, sidecar)
