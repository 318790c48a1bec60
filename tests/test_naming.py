"""Resource naming (AF401, AF402): name validation against AWS's limits, roles, the
environment parameter, and which renames replace a resource (read from the schemas)."""

from __future__ import annotations

import pytest

from autofix import registry
from autofix.api import fix_text
from autofix.cfn.document import Document
from autofix.fixes import Applicability, Fix
from autofix.rules import Context
from autofix.settings import Settings, parse_settings
from transforms.cfn._naming import (
    ENV_ALLOWED_PATTERN,
    NAME_PROPERTIES,
    PSEUDO,
    NamingSettings,
    assign_roles,
    create_only_impact,
    guard_create_only,
    new_env_var,
    parameter_var,
    validate,
)

from .conftest import FIXTURES

SPEC = {prop: spec for (_, prop), spec in NAME_PROPERTIES.items() if prop != "Name"}
SECRET = NAME_PROPERTIES[("AWS::SecretsManager::Secret", "Name")]
ENV = new_env_var("EnvironmentSuffix")


def settings(**data) -> Settings:
    return parse_settings(data, "test")


def fix(text: str, rules: str, **data):
    return fix_text(text, path="t.yaml", settings=settings(**data), rules=registry.select((rules,)))


# ---- validation against AWS's limits ---------------------------------------------------------


@pytest.mark.parametrize(
    "name, ok",
    [
        ("a" * 63, True),
        ("a" * 64, False),  # RDS: at most 63
        ("1db", False),  # must start with a letter
        ("shop--db", False),  # no two consecutive hyphens
        ("shop-db-", False),  # no trailing hyphen
        ("shop_db", False),  # letters, digits and hyphens only
        ("Shop-DB-1", True),
    ],
)
def test_rds_instance_identifier_limits(name, ok):
    assert validate([name], SPEC["DBInstanceIdentifier"]).ok is ok


def test_length_counts_the_longest_parameter_value():
    # 'shop-db-primary-' is 16 characters, the environment suffix up to 16: 32 <= 63
    assert validate(["shop-db-primary-", ENV], SPEC["DBInstanceIdentifier"]).ok
    # 48 + 16 = 64 > 63
    check = validate(["x" * 47 + "-", ENV], SPEC["DBInstanceIdentifier"])
    assert not check.ok and "64 characters" in check.errors[0] and "limit of 63" in check.errors[0]


def test_bucket_name_counts_account_id_and_suffix():
    account = PSEUDO["AWS::AccountId"]
    # 'ecommerce-backups-' (18) + 16 + '-' + 12 = 47
    assert validate(["ecommerce-backups-", ENV, "-", account], SPEC["BucketName"]).ok
    # 34 + 16 + 1 + 12 = 63: the limit exactly
    assert validate(["b" * 33 + "-", ENV, "-", account], SPEC["BucketName"]).ok
    check = validate(["b" * 34 + "-", ENV, "-", account], SPEC["BucketName"])
    assert not check.ok and "64 characters" in check.errors[0]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("Shop-assets", "contains 'S'"),
        ("ab", "below AWS's minimum of 3"),
        ("xn--shop", "must not start with 'xn--'"),
        ("shop..assets", "two adjacent periods"),
        ("shop-assets-", "must end with a letter or digit"),
        ("shop-s3alias", "must not end with '-s3alias'"),
    ],
)
def test_bucket_name_rules(name, reason):
    check = validate([name], SPEC["BucketName"])
    assert any(reason in e for e in check.errors), check.errors


def test_bucket_refuses_a_parameter_that_may_hold_uppercase():
    upper = parameter_var("Stage", {"Type": "String", "AllowedPattern": "[A-Za-z]{1,8}"})
    check = validate(["shop-", upper], SPEC["BucketName"])
    assert not check.ok and "${Stage} may contain 'A'" in check.errors[0]
    lower = parameter_var("Stage", {"Type": "String", "AllowedPattern": "[a-z]{1,8}"})
    assert validate(["shop-", lower], SPEC["BucketName"]).ok


def test_kms_alias_rules():
    assert validate(["alias/shop-db-key-", ENV], SPEC["AliasName"]).ok
    assert any("must start with 'alias/'" in e for e in validate(["shop-key"], SPEC["AliasName"]).errors)
    assert any("must not start with 'alias/aws/'" in e for e in validate(["alias/aws/x"], SPEC["AliasName"]).errors)


def test_fifo_queue_name():
    assert validate(["shop-orders-", ENV, "-x.fifo"], SPEC["QueueName"], fifo=True).ok
    assert any("must end with '.fifo'" in e for e in validate(["shop-orders"], SPEC["QueueName"], fifo=True).errors)
    # a period is allowed only in the .fifo suffix
    assert not validate(["shop.orders.fifo"], SPEC["QueueName"], fifo=True).ok
    assert not validate(["a" * 76 + ".fifo"], SPEC["QueueName"], fifo=True).ok  # 81 > 80


@pytest.mark.parametrize("prop, limit", [("FunctionName", 64), ("ReplicationGroupId", 40), ("RoleName", 64),
                                         ("DBClusterIdentifier", 63), ("TopicName", 256)])
def test_lengths(prop, limit):
    assert validate(["a" * limit], SPEC[prop]).ok
    assert not validate(["a" * (limit + 1)], SPEC[prop]).ok


def test_subnet_group_name_must_not_be_default():
    assert any("must not be 'default'" in e for e in validate(["default"], SPEC["DBSubnetGroupName"]).errors)


def test_parameter_bounds():
    v = parameter_var("Env", {"AllowedValues": ["dev", "staging", "prod"]})
    assert (v.max_len, v.min_len, v.assumed) == (7, 3, None)
    v = parameter_var("Env", {"AllowedPattern": ENV_ALLOWED_PATTERN, "MaxLength": 10})
    assert v.max_len == 10 and v.chars == frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert "-" not in v.first and "-" not in v.last
    v = parameter_var("Env", {"AllowedPattern": "^[a-z]{2,5}$"})
    assert v.max_len == 5 and v.assumed is None
    v = parameter_var("EnvironmentSuffix", {"Type": "String"}, is_env=True)
    assert v.max_len == 16 and "assumed" in v.assumed
    v = parameter_var("Project", {"Type": "String"})
    assert v.max_len == 32 and v.chars is None


def test_unbounded_environment_parameter_is_noted():
    unbounded = parameter_var("EnvironmentSuffix", {"Type": "String"}, is_env=True)
    check = validate(["shop-db-", unbounded], SPEC["DBInstanceIdentifier"])
    assert check.ok and any("assumed at most 16" in n for n in check.notes)


def test_secret_names_ending_in_six_characters_get_a_note():
    check = validate(["shop-db-credentials-", ENV], SECRET)
    assert check.ok and any("six characters" in n for n in check.notes)


# ---- roles ----------------------------------------------------------------------------------

ROLES_TEMPLATE = """
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties: {SourceDBInstanceIdentifier: !Ref Db}
  OrdersDb:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres}
  BackupsBucket:
    Type: AWS::S3::Bucket
  MyBucket:
    Type: AWS::S3::Bucket
  S3Bucket:
    Type: AWS::S3::Bucket
  DataKey:
    Type: AWS::KMS::Key
  DataKeyAlias:
    Type: AWS::KMS::Alias
    Properties: {AliasName: alias/x, TargetKeyId: !Ref DataKey}
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-postgresql, KmsKeyId: !Ref DataKey}
  Writer:
    Type: AWS::RDS::DBInstance
    Properties: {DBClusterIdentifier: !Ref Cluster}
  Reader:
    Type: AWS::RDS::DBInstance
    Properties: {DBClusterIdentifier: !Ref Cluster}
  DatabaseSecurityGroup:
    Type: AWS::EC2::SecurityGroup
  PrivateSubnet1:
    Type: AWS::EC2::Subnet
"""


def _roles(overrides=None):
    ctx = Context(doc=Document(ROLES_TEMPLATE), settings=settings(naming={"prefix": "shop", "roles": overrides or {}}))
    return assign_roles(ctx.doc, NamingSettings.from_ctx(ctx))


def test_roles_from_type_and_template():
    roles = _roles()
    assert roles["Db"] == "db-primary"
    assert roles["Replica"] == "db-replica"
    assert roles["OrdersDb"] == "orders-db-primary"  # a second primary: told apart by its logical id
    assert roles["BackupsBucket"] == "backups"
    assert roles["MyBucket"] == "bucket" and roles["S3Bucket"] == "s3-bucket"  # same base role: told apart
    assert roles["DataKeyAlias"] == "db-key"  # the key only databases use
    assert roles["Cluster"] == "db-cluster"
    assert (roles["Writer"], roles["Reader"]) == ("writer-db-instance", "reader-db-instance")
    assert roles["DatabaseSecurityGroup"] == "db-sg"
    assert roles["PrivateSubnet1"] == "private-subnet-1"


def test_roles_are_stable_and_overridable():
    assert _roles() == _roles()
    assert _roles({"MyBucket": "assets"})["MyBucket"] == "assets"


# ---- create-only properties (the helper other rules can use) --------------------------------


def test_create_only_impact_reads_the_schema():
    replacing, maybe = create_only_impact("AWS::RDS::DBInstance", [("DBInstanceIdentifier",), ("DBParameterGroupName",), ("Tags",)])
    assert replacing == [("DBInstanceIdentifier",)]
    assert maybe == [("DBParameterGroupName",)]  # conditionalCreateOnlyProperties: not a replacement
    assert create_only_impact("AWS::S3::Bucket", [("BucketName",)]) == ([("BucketName",)], [])
    assert create_only_impact("AWS::S3::Bucket", [("VersioningConfiguration", "Status")]) == ([], [])


def test_guard_create_only_marks_fixes_unsafe():
    doc = Document("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: x\n")
    f = guard_create_only(Fix("AF999", "x", "m", paths=[("Resources", "B", "Properties", "BucketName")]), doc)
    assert f.applicability is Applicability.UNSAFE and f.replaces_resource
    assert "replaces B (AWS::S3::Bucket)" in f.unsafe_reason
    g = guard_create_only(Fix("AF999", "x", "m", paths=[("Resources", "B", "Properties", "Tags")]), doc)
    assert g.applicability is Applicability.SAFE and not g.replaces_resource and g.unsafe_reason is None


# ---- the rules ------------------------------------------------------------------------------

SAMPLE = """\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      DBInstanceIdentifier: shop-db
      Engine: postgres
  Assets:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: shop-assets
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
      Tags:
        - Key: Name
          Value: shop-vpc
"""


def test_convention_needs_a_prefix():
    assert fix(SAMPLE, "AF401", **{"unsafe-fixes": True}).fixes == []


def test_renames_are_unsafe_and_listed_as_replacing():
    r = fix(SAMPLE, "AF401", naming={"prefix": "shop"})
    by = {f.resource: f for f in r.fixes}
    assert by["Db"].applicability is Applicability.UNSAFE and by["Db"].replaces_resource
    assert "replaces the deployed resource" in by["Db"].message
    assert by["Assets"].replaces_resource and not by["Assets"].applied
    # only the Name tag changes on the VPC: safe, applied, and it brings the parameter along
    assert by["Vpc"].applicability is Applicability.SAFE and by["Vpc"].applied and not by["Vpc"].replaces_resource
    assert "Value: !Sub 'shop-vpc-${EnvironmentSuffix}'" in r.output
    assert "DBInstanceIdentifier: shop-db\n" in r.output


def test_unsafe_fixes_write_the_convention_and_one_parameter():
    r = fix(SAMPLE, "AF401", naming={"prefix": "shop"}, **{"unsafe-fixes": True})
    assert "DBInstanceIdentifier: !Sub 'shop-db-primary-${EnvironmentSuffix}'" in r.output
    assert "BucketName: !Sub 'shop-assets-${EnvironmentSuffix}-${AWS::AccountId}'" in r.output
    assert r.output.count("EnvironmentSuffix:") == 1
    assert f"AllowedPattern: '{ENV_ALLOWED_PATTERN}'" in r.output and "Default: dev" in r.output


def test_custom_pattern_and_parameter():
    r = fix(SAMPLE, "AF401", naming={"prefix": "shop", "pattern": "{prefix}-{env}-{role}", "env-parameter": "Stage",
                                     "env-default": False}, **{"unsafe-fixes": True})
    assert "DBInstanceIdentifier: !Sub 'shop-${Stage}-db-primary'" in r.output
    assert "  Stage:\n" in r.output and "Default:" not in r.output


def test_bad_settings_fail_the_file_with_a_message():
    r = fix(SAMPLE, "AF401", naming={"prefix": "shop", "pattern": "{prefix}-x"})
    assert r.status == "failed" and "must contain {role}" in r.error


def test_invalid_name_is_reported_not_written():
    data = (FIXTURES / "naming-convention" / "too-long.in.yaml").read_text()
    r = fix(data, "AF401", naming={"prefix": "shop"}, **{"unsafe-fixes": True})
    assert not r.changed
    (f,) = r.fixes
    assert f.applicability is Applicability.DISPLAY_ONLY and not f.edits
    assert "above AWS's limit of 64" in f.message and "40 for ${EnvironmentSuffix}" in f.message


def test_literal_use_elsewhere_blocks_a_rename():
    data = (FIXTURES / "naming-convention" / "literal-use.in.yaml").read_text()
    r = fix(data, "AF401", naming={"prefix": "shop"}, **{"unsafe-fixes": True})
    (f,) = r.fixes
    assert f.applicability is Applicability.DISPLAY_ONLY and "also appears literally on line 15" in f.message


def test_environment_suffix_only_in_test_without_prefix():
    assert fix(SAMPLE, "AF402", **{"unsafe-fixes": True}).fixes == []  # no environment
    assert fix(SAMPLE, "AF402", environment="production", **{"unsafe-fixes": True}).fixes == []
    assert fix(SAMPLE, "AF402", environment="test", naming={"prefix": "shop"}, **{"unsafe-fixes": True}).fixes == []
    r = fix(SAMPLE, "AF402", environment="test", **{"unsafe-fixes": True})
    assert "DBInstanceIdentifier: !Sub 'shop-db-${EnvironmentSuffix}'" in r.output
    assert "BucketName: !Sub 'shop-assets-${EnvironmentSuffix}'" in r.output
    assert "Value: shop-vpc" in r.output  # tags do not collide
    assert all(f.replaces_resource for f in r.fixes)


def test_environment_suffix_too_long_is_reported():
    data = (FIXTURES / "environment-unique-names" / "too-long.in.yaml").read_text()
    r = fix(data, "AF402", environment="test", **{"unsafe-fixes": True})
    (f,) = r.fixes
    assert f.applicability is Applicability.DISPLAY_ONLY
    assert "can be 67 characters long" in f.message and "limit of 63" in f.message
