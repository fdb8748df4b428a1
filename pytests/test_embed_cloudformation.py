"""`scute embed cloudformation` checked with cfn-lint, AWS's own template linter."""
import json
import subprocess

import pytest

from conftest import ROOT

TEMPLATES = ROOT / "examples" / "cloudformation"
CONSOLE = ["--console", "wss://console.example.com:8084", "--install-bundle", "eyJjb25zb2xlIjoieCJ9"]


def run(scute, args):
    return subprocess.run([scute, "embed", "cloudformation", *args], capture_output=True, text=True)


def cfn_lint(path):
    out = subprocess.run(["cfn-lint", "--format", "parseable", str(path)], capture_output=True, text=True)
    return out.returncode, out.stdout + out.stderr


@pytest.mark.parametrize("name", ["service.yaml", "two-tasks.json"])
def test_output_passes_cfn_lint_and_round_trips(scute, tmp_path, name):
    source = TEMPLATES / name
    rc, report = cfn_lint(source)
    assert rc == 0, report
    target = tmp_path / name
    out = run(scute, [str(source), *CONSOLE, "-o", str(target)])
    assert out.returncode == 0, out.stderr
    rc, report = cfn_lint(target)
    assert rc == 0, report
    text = target.read_text()
    assert "ScuteDefender" in text and "/scute/defender" in text
    again = run(scute, [str(target), *CONSOLE])
    assert again.returncode == 0 and again.stdout == text
    removed = run(scute, ["--remove", str(target)])
    assert removed.returncode == 0, removed.stderr
    if name.endswith(".yaml"):
        assert removed.stdout == source.read_text()
    else:
        assert json.loads(removed.stdout) == json.loads(source.read_text())


def test_yaml_short_form_intrinsics_survive(scute):
    out = run(scute, [str(TEMPLATES / "service.yaml"), *CONSOLE])
    assert out.returncode == 0, out.stderr
    for line in [
        "      TaskRoleArn: !GetAtt TaskRole.Arn",
        "              Value: !If [IsProduction, production, staging]",
        "  IsProduction: !Equals [!Ref Environment, production]",
        "              Value: !Sub ${AWS::StackName}-payments",
    ]:
        assert line in out.stdout.splitlines()


def test_resource_option_and_errors(scute, tmp_path):
    out = run(scute, [str(TEMPLATES / "two-tasks.json"), "--resource", "BatchTask", *CONSOLE])
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    web = doc["Resources"]["WebTask"]["Properties"]["ContainerDefinitions"]
    assert len(web) == 1
    assert doc["Resources"]["BatchTask"]["Properties"]["ContainerDefinitions"][-1]["Name"] == "ScuteDefender"
    out = run(scute, [str(TEMPLATES / "two-tasks.json"), "--resource", "Nope"])
    assert out.returncode == 1 and 'no resource "Nope"' in out.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n"
        "      ContainerDefinitions:\n        - Name: app\n          Image: x\n          EntryPoint: !Ref Entry\n"
    )
    out = run(scute, [str(bad)])
    assert out.returncode == 1
    assert "resource Task" in out.stderr and "EntryPoint must be a literal array" in out.stderr
    assert out.stdout == ""
