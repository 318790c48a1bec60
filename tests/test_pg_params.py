"""PostgreSQL parameter groups (AF403, AF404)."""

from __future__ import annotations

import pytest

from autofix import registry
from autofix.api import fix_text
from autofix.cfn.document import Document
from autofix.fixes import Applicability
from autofix.settings import parse_settings
from transforms.cfn._postgres import merge_libraries


def run(text: str, rules: str, **data):
    return fix_text(text, path="t.yaml", settings=parse_settings(data, "test"), rules=registry.select((rules,)))


def params_of(text: str, group: str) -> dict:
    return Document(text).plain["Resources"][group]["Properties"]["Parameters"]


@pytest.mark.parametrize(
    "current, merged",
    [
        ("pg_cron", "pg_cron,pg_stat_statements"),
        ("pg_cron, pg_hint_plan", "pg_cron,pg_hint_plan,pg_stat_statements"),
        ("", "pg_stat_statements"),
        ("pg_stat_statements", None),
        ("auto_explain,PG_STAT_STATEMENTS", None),
    ],
)
def test_merge_libraries(current, merged):
    assert merge_libraries(current, "pg_stat_statements") == merged


GROUP = """\
Resources:
  Params:
    Type: AWS::RDS::DBParameterGroup
    Properties:
      Description: x
      Family: {family}
      Parameters:
        shared_preload_libraries: pg_cron
        log_connections: 0
"""


def test_existing_group_gets_the_settings_and_keeps_its_values():
    r = run(GROUP.format(family="postgres15"), "AF403")
    assert r.status == "fixed"
    assert params_of(r.output, "Params") == {
        "shared_preload_libraries": "pg_cron,pg_stat_statements",
        "log_connections": 0,  # set by the template: kept
        "log_min_duration_statement": 1000,
        "log_disconnections": 1,
    }
    (f,) = r.fixes
    assert f.applicability is Applicability.SAFE and f.applied and not f.replaces_resource
    assert f.paths == [("Resources", "Params", "Properties", "Parameters")]
    assert any("static parameter" in n and "reboot" in n for n in f.notes)


def test_aurora_family_and_settings_override():
    r = run(GROUP.format(family="aurora-postgresql16"), "AF403", postgres={"parameters": {"log_min_duration_statement": 250}})
    assert params_of(r.output, "Params")["log_min_duration_statement"] == 250


@pytest.mark.parametrize("family", ["mysql8.0", "aurora-mysql8.0", "postgresql-custom"])
def test_other_families_are_left_alone(family):
    r = run(GROUP.format(family=family), "AF403")
    assert r.fixes == [] and not r.changed


def test_no_reboot_note_when_only_dynamic_parameters_change():
    text = GROUP.format(family="postgres15").replace("pg_cron", "pg_stat_statements")
    (f,) = run(text, "AF403").fixes
    assert "shared_preload_libraries" not in f.message and not any("reboot" in n for n in f.notes)


DB = """\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      EngineVersion: '{version}'
      DBInstanceClass: db.t3.micro
"""


@pytest.mark.parametrize("version, family", [("14.7", "postgres14"), ("9.6.24", "postgres9.6"), ("16.4", "postgres16")])
def test_new_group_has_the_family_of_the_version(version, family):
    r = run(DB.format(version=version), "AF404", **{"unsafe-fixes": True})
    plain = Document(r.output).plain["Resources"]
    assert plain["Db"]["Properties"]["DBParameterGroupName"] == {"Ref": "DbParameterGroup"}
    group = plain["DbParameterGroup"]
    assert group["Type"] == "AWS::RDS::DBParameterGroup"
    assert group["Properties"]["Family"] == family
    assert group["Properties"]["Parameters"]["shared_preload_libraries"] == "pg_stat_statements"


def test_attaching_a_group_is_unsafe_but_does_not_replace():
    r = run(DB.format(version="14.7"), "AF404")
    (f,) = r.fixes
    assert not r.changed and f.applicability is Applicability.UNSAFE and not f.replaces_resource
    assert "reboot" in f.unsafe_reason and "in some cases" in f.unsafe_reason  # conditionally create-only
    assert any(n.startswith("reboot Db") for n in f.notes)


def test_version_parameter_spanning_families_is_reported():
    text = """\
Parameters:
  V:
    Type: String
    AllowedValues: ['15.8', '16.4']
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, EngineVersion: !Ref V, DBInstanceClass: db.t3.micro}
"""
    (f,) = run(text, "AF404", **{"unsafe-fixes": True}).fixes
    assert f.applicability is Applicability.DISPLAY_ONLY and "postgres15, postgres16" in f.message


def test_replica_follows_its_source():
    text = DB.format(version="15.8") + """\
  Replica:
    Type: AWS::RDS::DBInstance
    Properties:
      SourceDBInstanceIdentifier: !Ref Db
      DBInstanceClass: db.t3.micro
"""
    r = run(text, "AF404", **{"unsafe-fixes": True})
    plain = Document(r.output).plain["Resources"]
    assert plain["Replica"]["Properties"]["DBParameterGroupName"] == {"Ref": "DbParameterGroup"}
    assert [k for k in plain if plain[k]["Type"] == "AWS::RDS::DBParameterGroup"] == ["DbParameterGroup"]


def test_cluster_members_and_other_engines_are_skipped():
    text = """\
Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-postgresql, EngineVersion: '15.4', DBClusterParameterGroupName: mine}
  Member:
    Type: AWS::RDS::DBInstance
    Properties: {DBClusterIdentifier: !Ref Cluster, Engine: aurora-postgresql, DBInstanceClass: db.r6g.large}
  My:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: mysql, EngineVersion: '8.0.39', DBInstanceClass: db.t3.micro}
"""
    assert run(text, "AF404", **{"unsafe-fixes": True}).fixes == []
