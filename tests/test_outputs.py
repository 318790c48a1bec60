"""Outputs (AF405-AF408): descriptions, exports, database outputs, grouping."""

from __future__ import annotations

import json

from autofix import registry
from autofix.api import fix_text
from autofix.cfn.document import Document
from autofix.fixes import Applicability
from autofix.settings import parse_settings

from .conftest import FIXTURES


def run(text: str, rules, path: str = "t.yaml", **data):
    sel = (rules,) if isinstance(rules, str) else tuple(rules)
    return fix_text(text, path=path, settings=parse_settings(data, "test"), rules=registry.select(sel))


def outputs_of(text: str) -> dict:
    return Document(text).plain.get("Outputs", {})


DB = """\
Parameters:
  DBUser:
    Type: String
    Default: app

Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Condition: WithDb
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      MasterUsername: !Ref DBUser
      ManageMasterUserPassword: true
      EnableIAMDatabaseAuthentication: true

Outputs:
  Zeta:
    Value: !Ref DBUser
  DbId:
    Value: !Ref Db
"""


def test_descriptions_come_from_name_and_value():
    r = run(DB, "AF405")
    outs = outputs_of(r.output)
    assert outs["Zeta"]["Description"] == "Zeta: parameter DBUser"
    assert outs["DbId"]["Description"] == "DB ID: Db (AWS::RDS::DBInstance)"
    # written before Value, in the file's layout
    assert "  DbId:\n    Description: 'DB ID: Db (AWS::RDS::DBInstance)'\n    Value: !Ref Db\n" in r.output


def test_exports_are_named_after_the_stack_and_unique():
    text = (FIXTURES / "output-export" / "block.in.yaml").read_text()
    r = run(text, "AF406")
    outs = outputs_of(r.output)
    assert outs["AssetsBucketName"]["Export"] == {"Name": {"Fn::Sub": "${AWS::StackName}-AssetsBucketName"}}
    assert outs["AssetsArn"]["Export"] == {"Name": "shared-assets-arn"}  # kept
    assert "Export" not in outs["Taken"]  # its name is Clash's already
    taken = [f for f in r.fixes if f.applicability is Applicability.DISPLAY_ONLY]
    assert len(taken) == 1 and "already an export name" in taken[0].message
    names = [json.dumps(o["Export"]["Name"]) for o in outs.values() if "Export" in o]
    assert len(names) == len(set(names))


def test_database_outputs():
    r = run(DB, "AF407")
    outs = outputs_of(r.output)
    assert list(outs) == ["Zeta", "DbId", "DbEndpoint", "DbPort", "DbSecretArn", "DbAuthTokenCommand", "DbCloudWatchUrl"]
    assert outs["DbEndpoint"]["Value"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}
    assert outs["DbSecretArn"]["Value"] == {"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}
    assert outs["DbAuthTokenCommand"]["Value"] == {"Fn::Sub": (
        "aws rds generate-db-auth-token --hostname ${Db.Endpoint.Address} --port ${Db.Endpoint.Port} "
        "--region ${AWS::Region} --username ${DBUser}")}
    assert "cloudwatch/home?region=${AWS::Region}" in outs["DbCloudWatchUrl"]["Value"]["Fn::Sub"]
    assert all(o["Condition"] == "WithDb" for k, o in outs.items() if k.startswith("Db") and k != "DbId")
    assert all(o.get("Description") for k, o in outs.items() if k != "Zeta" and k != "DbId")
    # the existing outputs keep their place and bytes
    assert r.output.startswith(DB.rstrip("\n"))


def test_database_outputs_only_what_the_template_can_provide():
    text = DB.replace("      ManageMasterUserPassword: true\n", "").replace("EnableIAMDatabaseAuthentication: true",
                                                                         "EnableIAMDatabaseAuthentication: false")
    outs = outputs_of(run(text, "AF407").output)
    assert "DbSecretArn" not in outs and "DbAuthTokenCommand" not in outs
    assert {"DbEndpoint", "DbPort", "DbCloudWatchUrl"} <= set(outs)


def test_database_outputs_not_repeated():
    text = (FIXTURES / "database-outputs" / "complete.in.yaml").read_text()
    assert run(text, "AF407").fixes == []
    first = run(DB, "AF407")
    assert run(first.output, "AF407").fixes == []


def test_new_outputs_section_in_json_is_json():
    text = (FIXTURES / "database-outputs" / "no-outputs.in.json").read_text()
    r = run(text, "AF407", path="t.json")
    data = json.loads(r.output)
    assert data["Outputs"]["ClusterSecretArn"]["Value"] == {"Ref": "Credentials"}
    assert data["Outputs"]["ClusterReaderEndpoint"]["Value"] == {"Fn::GetAtt": ["Cluster", "ReadEndpoint.Address"]}


def test_new_outputs_section_in_yaml_follows_blank_lines():
    r = run(DB.split("\nOutputs:")[0] + "\n", "AF407")
    assert "      EnableIAMDatabaseAuthentication: true\n\nOutputs:\n  DbEndpoint:\n" in r.output


def test_all_output_rules_together_leave_existing_order():
    r = run(DB, ["AF405", "AF406", "AF407"])
    outs = outputs_of(r.output)
    assert list(outs)[:2] == ["Zeta", "DbId"]
    assert all("Description" in o and "Export" in o for o in outs.values())


def test_grouped_order_only_when_asked():
    assert run(DB, "AF408").fixes == []
    r = run(DB, ["AF407", "AF408"], outputs={"order": "grouped"})
    assert list(outputs_of(r.output)) == ["DbEndpoint", "DbPort", "DbSecretArn", "DbCloudWatchUrl", "DbAuthTokenCommand",
                                          "Zeta", "DbId"]
    assert Document(r.output).plain == Document(run(DB, "AF407").output).plain  # same meaning


def test_grouped_leaves_sections_with_free_comments_alone():
    text = (FIXTURES / "outputs-grouped" / "comment-between.in.yaml").read_text()
    assert run(text, "AF408", outputs={"order": "grouped"}).fixes == []


def test_bad_order_setting_fails_with_a_message():
    r = run(DB, "AF408", outputs={"order": "alphabetical"})
    assert r.status == "failed" and "[outputs] order" in r.error
