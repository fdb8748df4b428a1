"""`scute embed task-definition` checked against the AWS API's own model and a local ECS API."""
import json
import os
import subprocess

import botocore.session
import botocore.validate
import pytest

from conftest import ROOT

EXAMPLES = ROOT / "examples" / "task-definitions"
IMAGES = EXAMPLES / "images"
CONSOLE = ["--console", "wss://console.example.com:8084", "--install-bundle", "eyJjb25zb2xlIjoieCJ9"]
READ_ONLY = {
    "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
    "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt",
}

CASES = [
    ("seed-fargate.json", []),
    ("describe-output.json", []),
    ("multi-container-firelens.json", ["--exclude", "log_router"]),
    ("hardened.json", ["--app-id", "ledger"]),
    ("hardened.json", ["--exclude", "debug", "--sidecar-image", "registry.local/scute/sidecar:9"]),
    (
        "image-entrypoint.json",
        [
            "--image-config", f"app={IMAGES / 'node-22-slim.inspect.json'}",
            "--image-config", f"cache={IMAGES / 'redis-7.oci-config.json'}",
            "--assume-no-entrypoint", "job",
        ],
    ),
]


def run(scute, args, stdin=None):
    return subprocess.run([scute, "embed", "task-definition", *args], input=stdin, capture_output=True, text=True)


def register_shape():
    session = botocore.session.get_session()
    model = session.get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


SHAPE = register_shape()


def assert_valid_register_input(document):
    report = botocore.validate.ParamValidator().validate(document, SHAPE)
    assert not report.has_errors(), report.generate_report()


def register_input(path):
    doc = json.loads(path.read_text())
    if "taskDefinition" in doc and "containerDefinitions" not in doc:
        td = {k: v for k, v in doc["taskDefinition"].items() if k not in READ_ONLY}
        if doc.get("tags"):
            td["tags"] = doc["tags"]
        return td
    return doc


@pytest.mark.parametrize("fixture,extra", CASES)
def test_output_is_valid_register_input_and_round_trips(scute, tmp_path, fixture, extra):
    out = run(scute, [str(EXAMPLES / fixture), *CONSOLE, *extra])
    assert out.returncode == 0, out.stderr
    protected = json.loads(out.stdout)
    assert_valid_register_input(protected)
    names = [c["name"] for c in protected["containerDefinitions"]]
    assert names.count("ScuteDefender") == 1
    for c in protected["containerDefinitions"]:
        if c["name"] == "ScuteDefender":
            continue
        if "entryPoint" in c and c["entryPoint"][:3] == ["/scute/defender", "rasp", "--"]:
            assert c["linuxParameters"]["capabilities"]["add"].count("SYS_PTRACE") == 1
            assert {"containerName": "ScuteDefender", "condition": "HEALTHY"} in c["dependsOn"]
    # Idempotent: embedding the output again with the same options changes nothing.
    path = tmp_path / "protected.json"
    path.write_text(out.stdout)
    again = run(scute, [str(path), *CONSOLE, *extra])
    assert again.returncode == 0, again.stderr
    assert again.stdout == out.stdout
    # --remove restores the original exactly (read-only keys of a describe output stay dropped).
    removed = run(scute, ["--remove", str(path)])
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout) == register_input(EXAMPLES / fixture)


def test_output_keeps_key_order_and_indentation(scute):
    source = (EXAMPLES / "seed-fargate.json").read_text()
    out = run(scute, [str(EXAMPLES / "seed-fargate.json"), *CONSOLE])
    assert out.returncode == 0
    original_lines = source.splitlines()
    new_lines = out.stdout.splitlines()
    # Every original line is still there, in order: the diff only adds lines.
    it = iter(new_lines)
    for line in original_lines:
        for candidate in it:
            if candidate == line or candidate == line + ",":
                break
        else:
            pytest.fail(f"line lost or moved: {line!r}")
    assert new_lines[1].startswith('  "containerDefinitions"')
    four = run(scute, [str(EXAMPLES / "describe-output.json")])
    assert four.stdout.splitlines()[1].startswith('    "containerDefinitions"')


def test_stdin_and_output_file(scute, tmp_path):
    target = tmp_path / "out.json"
    out = run(scute, ["-o", str(target), *CONSOLE], stdin=(EXAMPLES / "seed-fargate.json").read_text())
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert json.loads(target.read_text())["containerDefinitions"][-1]["name"] == "ScuteDefender"


@pytest.mark.parametrize(
    "content,message",
    [
        ("not json", "not valid JSON: line 1, column 1"),
        ('{"family": "f",\n "containerDefinitions": [\n {"name": "a",}]}', "not valid JSON: line 3, column"),
        ('{"family": "f"}', "has no containerDefinitions"),
        (
            '{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["x"]},{"name":"a","entryPoint":["x"]}]}',
            'duplicate container name "a"',
        ),
        (
            '{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["x"],"dependsOn":[{"containerName":"b","condition":"START"}]}]}',
            'depends on "b"',
        ),
        ('{"family":"f","containerDefinitions":[{"name":"web","image":"nginx"}]}', "--image-config web=FILE"),
    ],
)
def test_bad_input_is_a_clear_error_and_keeps_existing_output(scute, tmp_path, content, message):
    source = tmp_path / "td.json"
    source.write_text(content)
    target = tmp_path / "out.json"
    target.write_text("previous content\n")
    out = run(scute, [str(source), "-o", str(target)])
    assert out.returncode == 1
    assert message in out.stderr
    assert out.stderr.startswith("error: ")
    assert out.stdout == ""
    assert target.read_text() == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "td.json"]


def test_option_errors(scute, tmp_path):
    seed = str(EXAMPLES / "seed-fargate.json")
    out = run(scute, [seed, "--exclude", "nope"])
    assert out.returncode == 1 and '--exclude names container "nope"' in out.stderr
    out = run(scute, [seed, "--image-config", "noequals"])
    assert out.returncode == 1 and "expected NAME=FILE" in out.stderr
    out = run(scute, [seed, "--image-config", f"Fargate-vul-comp-test={tmp_path / 'missing.json'}"])
    assert out.returncode == 1 and "missing.json" in out.stderr
    out = run(scute, [str(tmp_path / "missing.json")])
    assert out.returncode == 1 and "No such file" in out.stderr
    bundle = tmp_path / "bundle"
    bundle.write_text("YnVuZGxl\n")
    out = run(scute, [seed, "--install-bundle-file", str(bundle)])
    assert out.returncode == 0
    sidecar = json.loads(out.stdout)["containerDefinitions"][-1]
    assert {"name": "SCUTE_INSTALL_BUNDLE", "value": "YnVuZGxl"} in sidecar["environment"]


def test_the_install_bundle_can_be_an_ecs_secret(scute, tmp_path, moto_endpoint):
    """Issue 9, item 8: --install-bundle-secret hands the bundle over as an ECS secret, never in the file."""
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:scute/install-bundle-AbCdEf"
    seed = str(EXAMPLES / "seed-fargate.json")
    out = run(scute, [seed, "--console", "wss://console.example.com:8084", "--install-bundle-secret", arn])
    assert out.returncode == 0, out.stderr
    sidecar = json.loads(out.stdout)["containerDefinitions"][-1]
    assert sidecar["secrets"] == [{"name": "SCUTE_INSTALL_BUNDLE", "valueFrom": arn}]
    assert all(e["name"] != "SCUTE_INSTALL_BUNDLE" for e in sidecar["environment"])
    path = tmp_path / "protected.json"
    path.write_text(out.stdout)
    registered = aws(moto_endpoint, "ecs", "register-task-definition", "--cli-input-json", f"file://{path}")
    assert registered["taskDefinition"]["containerDefinitions"][-1]["secrets"][0]["valueFrom"] == arn
    # A plain bundle is still possible, with a warning; both at once are not.
    plain = run(scute, [seed, *CONSOLE])
    assert plain.returncode == 0 and "plain environment" in plain.stderr
    both = run(scute, [seed, *CONSOLE, "--install-bundle-secret", arn])
    assert both.returncode == 1 and "not both" in both.stderr
    bad = run(scute, [seed, "--install-bundle-secret", "arn:aws:s3:::bucket/key"])
    assert bad.returncode == 1 and "ARN" in bad.stderr


def test_fargate_warnings_go_to_stderr(scute, tmp_path):
    td = json.loads((EXAMPLES / "seed-fargate.json").read_text())
    td["networkMode"] = "bridge"
    td["memory"] = "4096"
    source = tmp_path / "td.json"
    source.write_text(json.dumps(td))
    out = run(scute, [str(source), *CONSOLE])
    assert out.returncode == 0
    assert 'warning: networkMode is "bridge"' in out.stderr
    assert "combination Fargate rejects" in out.stderr
    json.loads(out.stdout)


def aws(endpoint, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    env.pop("AWS_PROFILE", None)
    out = subprocess.run(["aws", "--endpoint-url", endpoint, "--output", "json", *args], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else None


@pytest.mark.parametrize("fixture,extra", [CASES[0], CASES[1], CASES[2], CASES[5]])
def test_registers_with_a_local_ecs_api(scute, tmp_path, moto_endpoint, fixture, extra):
    out = run(scute, [str(EXAMPLES / fixture), *CONSOLE, *extra])
    assert out.returncode == 0, out.stderr
    path = tmp_path / "protected.json"
    path.write_text(out.stdout)
    registered = aws(moto_endpoint, "ecs", "register-task-definition", "--cli-input-json", f"file://{path}")
    td = registered["taskDefinition"]
    assert td["containerDefinitions"][-1]["name"] == "ScuteDefender"
    described = aws(
        moto_endpoint, "ecs", "describe-task-definition", "--task-definition", td["taskDefinitionArn"], "--include", "TAGS"
    )
    # What AWS hands back embeds again to the same containers: the loop through the API is stable.
    again_path = tmp_path / "described.json"
    again_path.write_text(json.dumps(described, indent=4))
    again = run(scute, [str(again_path), *CONSOLE, *extra])
    assert again.returncode == 0, again.stderr
    again_doc = json.loads(again.stdout)
    assert_valid_register_input(again_doc)
    assert [c["name"] for c in again_doc["containerDefinitions"]] == [c["name"] for c in td["containerDefinitions"]]
    first = {c["name"]: c for c in json.loads(out.stdout)["containerDefinitions"]}
    for c in again_doc["containerDefinitions"]:
        assert c.get("entryPoint") == first[c["name"]].get("entryPoint"), c["name"]
        assert c.get("command") == first[c["name"]].get("command"), c["name"]
