"""The deployment files for the console itself: the ECS task definition registers, the CloudFormation
template passes cfn-lint, and the console's own task definition can be protected by the embed too."""
import json
import subprocess

import dockerfile

from conftest import ROOT
from test_embed_task_definition import assert_valid_register_input, aws

DEPLOY = ROOT / "deploy"


def test_console_task_definition_registers(moto_endpoint):
    doc = json.loads((DEPLOY / "console-task-definition.json").read_text())
    assert_valid_register_input(doc)
    registered = aws(moto_endpoint, "ecs", "register-task-definition", "--cli-input-json",
                     f"file://{DEPLOY / 'console-task-definition.json'}")
    container = registered["taskDefinition"]["containerDefinitions"][0]
    assert {p["containerPort"] for p in container["portMappings"]} == {8083, 8084}


def test_console_cloudformation_template_passes_cfn_lint():
    out = subprocess.run(["cfn-lint", str(DEPLOY / "console-cloudformation.yaml")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_console_dockerfile_parses_with_buildkit():
    commands = dockerfile.parse_file(str(DEPLOY / "console.Dockerfile"))
    entry = [c for c in commands if c.cmd == "ENTRYPOINT"]
    assert entry and entry[-1].value[0] == "/usr/local/bin/scute"
    assert [c.value for c in commands if c.cmd == "FROM"][-1][0] == "${RUNTIME_IMAGE}"
