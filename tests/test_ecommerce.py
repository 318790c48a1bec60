"""The e-commerce sample (fixtures/samples/ecommerce): with `prefix = "ecommerce"` and unsafe
fixes it comes out with the naming convention, the PostgreSQL settings and the outputs, with
no cfn-lint error; `autofix docs` writes its runbook.  Also: no fixture output of the AF4xx
rules has a cfn-lint error its input did not have.

The run selects the lifecycle rules (AF1xx) and these (AF4xx) only, so that rules other
engineers add do not change what is asserted here; `test_with_every_rule` checks that the
AF4xx results survive a run of all the rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from autofix.cfn.document import Document
from autofix.cli import cli

from .conftest import FIXTURES

SAMPLE = FIXTURES / "samples" / "ecommerce"
AF4_FOLDERS = ("naming-convention", "environment-unique-names", "postgres-parameters", "postgres-parameter-group",
               "output-description", "output-export", "database-outputs", "outputs-grouped")

REPLACED = {"Database", "BackupsBucket", "DBSubnetGroup", "DBParameterGroup", "DatabaseKeyAlias", "AlertTopic",
            "DatabaseCPUAlarm"}


def cfn_lint_errors(text: str) -> set[tuple[str, str]]:
    """cfn-lint's errors as (rule id, template path): messages can change with the template
    (E1020 lists every valid Ref target) without being new errors."""
    from cfnlint.api import lint

    return {(m.rule.id, "/".join(map(str, getattr(m, "path", None) or [m.message])))
            for m in lint(text) if m.rule.id.startswith("E")}


@pytest.fixture
def sample(tmp_path) -> Path:
    d = tmp_path / "ecommerce"
    shutil.copytree(SAMPLE, d)
    return d


def apply(folder: Path, *args: str):
    return CliRunner().invoke(cli, ["apply", str(folder / "template.yaml"), "--format", "json", *args])


@pytest.fixture
def fixed(sample):
    r = apply(sample, "--unsafe-fixes", "--select", "AF1,AF4")
    assert r.exit_code == 0, r.output
    return sample, json.loads(r.output)


def test_names(fixed):
    folder, _ = fixed
    text = (folder / "template.yaml").read_text()
    for line in (
        "DBInstanceIdentifier: !Sub 'ecommerce-db-primary-${EnvironmentSuffix}'",
        "DBSubnetGroupName: !Sub 'ecommerce-db-subnets-${EnvironmentSuffix}'",
        "DBParameterGroupName: !Sub 'ecommerce-db-params-${EnvironmentSuffix}'",
        "AliasName: !Sub 'alias/ecommerce-db-key-${EnvironmentSuffix}'",
        "BucketName: !Sub 'ecommerce-backups-${EnvironmentSuffix}-${AWS::AccountId}'",
        "Value: !Sub 'ecommerce-vpc-${EnvironmentSuffix}'",
    ):
        assert line in text
    params = Document(text).plain["Parameters"]
    assert params["EnvironmentSuffix"]["AllowedPattern"] == "^[a-z0-9]+(-[a-z0-9]+)*$"
    assert params["EnvironmentSuffix"]["Default"] == "test"  # environment = "test" in the sample's autofix.toml


def test_report_lists_every_replaced_resource(fixed):
    _, report = fixed
    fixes = [f for r in report["files"] for f in r["fixes"]]
    assert {f["resource"] for f in fixes if f["replaces_resource"]} == REPLACED
    assert all(f["applied"] for f in fixes if f["replaces_resource"])


def test_parameter_group_settings(fixed):
    folder, _ = fixed
    params = Document((folder / "template.yaml").read_text()).plain["Resources"]["DBParameterGroup"]["Properties"]["Parameters"]
    assert params == {
        "max_connections": "200",
        "log_statement": "ddl",
        "shared_preload_libraries": "pg_stat_statements",
        "log_min_duration_statement": "1000",
        "log_connections": "1",
        "log_disconnections": "1",
    }


def test_outputs(fixed):
    folder, _ = fixed
    outs = Document((folder / "template.yaml").read_text()).plain["Outputs"]
    assert list(outs)[:3] == ["VPCId", "DatabaseEndpoint", "BackupsBucketName"]  # not reordered
    assert {"DatabasePort", "DatabaseSecretArn", "DatabaseAuthTokenCommand", "DatabaseCloudWatchUrl"} <= set(outs)
    assert outs["DatabaseAuthTokenCommand"]["Value"] == {"Fn::Sub": (
        "aws rds generate-db-auth-token --hostname ${Database.Endpoint.Address} --port ${Database.Endpoint.Port} "
        "--region ${AWS::Region} --username ${DBUsername}")}
    for name, out in outs.items():
        assert out["Description"]
        assert out["Export"] == {"Name": {"Fn::Sub": "${AWS::StackName}-" + name}}


def test_comments_and_layout_survive(fixed):
    folder, _ = fixed
    text = (folder / "template.yaml").read_text()
    original = (SAMPLE / "template.yaml").read_text()
    for line in original.splitlines():
        if line.lstrip().startswith("#"):
            assert line in text
    assert "          CidrIp: 10.0.0.0/16   # application tier only\n" in text
    assert text.count("\n\n") > original.count("\n\n")  # new outputs and the parameter keep the blank lines


def test_no_cfn_lint_error(fixed):
    folder, _ = fixed
    assert cfn_lint_errors((folder / "template.yaml").read_text()) == set()


def test_idempotent(fixed):
    folder, _ = fixed
    before = (folder / "template.yaml").read_bytes()
    r = apply(folder, "--unsafe-fixes", "--select", "AF1,AF4")
    assert r.exit_code == 0 and (folder / "template.yaml").read_bytes() == before


def test_safe_fixes_alone_rename_nothing(sample):
    r = apply(sample, "--select", "AF1,AF4")
    assert r.exit_code == 0, r.output
    text = (sample / "template.yaml").read_text()
    assert "DBInstanceIdentifier: ecommerce-db\n" in text
    assert "shared_preload_libraries: pg_stat_statements" in text  # safe
    pending = [f for r in json.loads(r.output)["files"] for f in r["fixes"] if f["replaces_resource"]]
    assert {f["resource"] for f in pending} == REPLACED and not any(f["applied"] for f in pending)


def test_docs_writes_the_runbook(fixed, tmp_path):
    folder, _ = fixed
    out = tmp_path / "RUNBOOK.md"
    r = CliRunner().invoke(cli, ["docs", str(folder / "template.yaml"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert text.startswith("# ecommerce: operations runbook\n")
    assert "OutputKey=='DatabaseSecretArn'" in text and "OutputKey=='DatabasePort'" in text
    assert "| `shared_preload_libraries` | pg_stat_statements |" in text


def test_with_every_rule(sample):
    r = apply(sample, "--unsafe-fixes")
    assert r.exit_code == 0, r.output
    plain = Document((sample / "template.yaml").read_text()).plain
    db = plain["Resources"]["Database"]["Properties"]
    assert db["DBInstanceIdentifier"] == {"Fn::Sub": "ecommerce-db-primary-${EnvironmentSuffix}"}
    assert plain["Resources"]["DBParameterGroup"]["Properties"]["Parameters"]["shared_preload_libraries"] == "pg_stat_statements"
    assert "DatabaseAuthTokenCommand" in plain["Outputs"]


FIXTURE_OUTS = sorted(p for folder in AF4_FOLDERS for p in (FIXTURES / folder).glob("*.out.*"))


@pytest.mark.parametrize("out", FIXTURE_OUTS, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURE_OUTS])
def test_fixture_outputs_add_no_cfn_lint_error(out: Path):
    before = out.with_name(out.name.replace(".out.", ".in.", 1))
    new = cfn_lint_errors(out.read_text())
    if new:
        new -= cfn_lint_errors(before.read_text())
    assert new == set()
