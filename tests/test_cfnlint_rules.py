"""The rules that fix what cfn-lint reports (AF301-AF399): their metadata against cfn-lint's own
definitions, and the decisions the fixtures do not show on their own."""

from __future__ import annotations

import inspect
import re

import pytest

from autofix import registry
from autofix.api import fix_text
from autofix.cfn.document import Document
from autofix.fixes import Applicability
from autofix.rules import Context
from autofix.settings import Settings, parse_settings
from transforms.cfn import _refs
from transforms.cfn.hardcoded_availability_zone import ZONE_PATHS
from transforms.cfn.misspelled_property import candidates, edit_distance
from transforms.cfn.secret_parameter import SECRET_PATHS

MINE = [r for r in registry.all_rules() if r.code.startswith("AF3")]


def rule(name):
    r = registry.find(name)
    assert r is not None, name
    return r


def fixes(name, text, **settings):
    return list(rule(name).check(Context(doc=Document(text), settings=Settings(**settings))))


def fixed(name, text, **settings):
    r = fix_text(text, path="t.yaml" if not text.lstrip().startswith("{") else "t.json",
                 settings=Settings(**settings), rules=[rule(name)])
    assert r.status in ("fixed", "unchanged"), r.error_line
    return r.output if r.changed else text


# ---- metadata -------------------------------------------------------------------------------

def test_rules_are_registered_with_cfn_lint_ids():
    names = {r.name for r in MINE}
    assert {"obsolete-depends-on", "sub-without-variables", "hardcoded-availability-zone", "hardcoded-arn",
            "misspelled-property", "secret-parameter", "unused-mapping", "unused-condition",
            "unused-parameter"} <= names
    from cfnlint.rules import Rules

    import cfnlint.rules as pkg
    import os

    known = set(Rules.create_from_directory(os.path.dirname(pkg.__file__)).keys())
    for r in MINE:
        assert 301 <= int(r.code[2:]) <= 399
        assert r.cfn_lint and set(r.cfn_lint) <= known, (r.code, r.cfn_lint)
        doc = inspect.cleandoc(type(r).__doc__)
        for section in ("What it does:", "Why:", "Example:", "Fix safety:"):
            assert section in doc, (r.code, section)
        assert r.source_url.startswith("https://docs.aws.amazon.com/")


def test_zone_paths_are_cfn_lints():
    from cfnlint.rules.resources.properties.AvailabilityZone import AvailabilityZone

    theirs = set(AvailabilityZone().keywords)
    ours = {f"Resources/{t}/Properties/" + "/".join(p) for t, paths in ZONE_PATHS.items() for p in paths}
    assert ours == theirs


def test_secret_paths_are_cfn_lints():
    from cfnlint.rules.parameters.DynamicReferenceSecret import DynamicReferenceSecret

    theirs = set(DynamicReferenceSecret().keywords)
    ours = {f"Resources/{t}/Properties/" + "/".join(p) for t, paths in SECRET_PATHS.items() for p in paths}
    assert ours == theirs


@pytest.mark.parametrize("text", ["${A}", "x${A.B}y", "${!A}", "${ A }", "${}", "$A", "${!A}${B}", "${AWS::Region}"])
def test_sub_variables_match_cfn_lint(text):
    from cfnlint.helpers import REGEX_SUB_PARAMETERS

    assert _refs.sub_variables(text) == [m.strip() for m in REGEX_SUB_PARAMETERS.findall(text)]


# ---- references -------------------------------------------------------------------------------

def test_references_see_through_a_short_tag_around_a_long_form_call():
    doc = Document("""Resources:
  A:
    Type: X
    Properties:
      P: !ImportValue
        Fn::Sub: ${Stack}-id
      Q: !If [Cond, !Ref R, !GetAtt [S, Arn]]
      M: !FindInMap [Map, !Ref 'AWS::Region', k]
""")
    refs = _refs.collect(doc.root)
    assert refs.subs == {"Stack"} and refs.refs == {"R", "AWS::Region"} and refs.getatts == {"S"}
    assert refs.maps == {"Map"} and refs.conditions == {"Cond"}
    assert _refs.collect(doc.root, skip_if=True).refs == {"AWS::Region"}


def test_scalar_substitutions_keep_quoting_or_refuse():
    doc = Document('Resources:\n  A:\n    Type: X\n    Properties:\n      P: "arn:\\x61ws:x"\n      Q: \'arn:aws:y\'\n')
    props = doc.resource("A").properties
    p, q = props.value[0][1], props.value[1][1]
    assert _refs.scalar_substitutions(doc, p, [("arn:aws:", "arn:Z:")]) is None  # an escape in the way
    edits = _refs.scalar_substitutions(doc, q, [("arn:aws:", "arn:${AWS::Partition}:")])
    assert [doc.text[e.start:e.end] for e in edits] == ["arn:aws:"]


# ---- obsolete-depends-on ----------------------------------------------------------------------

DEP = """Resources:
  B:
    Type: AWS::S3::Bucket
  Q:
    Type: AWS::SQS::Queue
    DependsOn: B
    {where}:
      QueueName: !Ref B
"""


def test_depends_on_kept_when_the_reference_is_only_in_metadata():
    text = DEP.format(where="Metadata")
    assert fixed("obsolete-depends-on", text) == text


def test_depends_on_kept_under_sam_but_not_language_extensions():
    text = DEP.format(where="Properties")
    assert fixed("obsolete-depends-on", "Transform: AWS::Serverless-2016-10-31\n" + text).count("DependsOn") == 1
    assert "DependsOn" not in fixed("obsolete-depends-on", "Transform: AWS::LanguageExtensions\n" + text)


def test_depends_on_on_a_self_reference_or_parameter_is_not_obsolete():
    text = """Parameters:
  P: {Type: String}
Resources:
  Q:
    Type: AWS::SQS::Queue
    DependsOn: [P]
    Properties:
      QueueName: !Ref P
"""
    assert fixed("obsolete-depends-on", text) == text


# ---- sub-without-variables -------------------------------------------------------------------

@pytest.mark.parametrize("before, after", [
    ("!Sub 'x'", "'x'"),
    ("!Sub x y", "x y"),
    ("!Sub 'true'", "'true'"),
    ("!Sub yes", "'yes'"),        # YAML 1.1 would read a bare yes as a boolean
    ("!Sub 1e3", "'1e3'"),
    ("!Sub '${!A}-b'", "'${A}-b'"),
    ("!Sub ${!A}", "'${A}'"),
])
def test_sub_becomes_a_string_that_reads_back_as_the_same_string(before, after):
    text = f"Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: {before}\n"
    out = fixed("sub-without-variables", text)
    assert out == text.replace(before, after)
    assert Document(out).plain["Resources"]["T"]["Properties"]["DisplayName"] == Document(text).plain[
        "Resources"]["T"]["Properties"]["DisplayName"]["Fn::Sub"].replace("${!", "${")


def test_sub_inside_another_short_tag_is_left_alone():
    text = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !ImportValue\n        Fn::Sub: exported-name\n"
    assert fixed("sub-without-variables", text) == text


def test_sub_whose_map_refers_to_a_resource_is_only_reported():
    text = """Resources:
  B: {Type: AWS::S3::Bucket}
  T:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub ['x', {V: !Ref B}]
"""
    [f] = fixes("sub-without-variables", text)
    assert f.applicability is Applicability.DISPLAY_ONLY and not f.edits


# ---- hardcoded-availability-zone ---------------------------------------------------------------

AZ = """Resources:
  S1:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1b}
  S2:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: vpc-1, CidrBlock: 10.0.1.0/24, AvailabilityZone: eu-west-1c}
  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties: {MinSize: '0', MaxSize: '1', AvailabilityZones: [eu-west-1c, eu-west-1b]}
"""


def test_zones_keep_apart_and_together():
    out = Document(fixed("hardcoded-availability-zone", AZ, unsafe_fixes=True)).plain["Resources"]
    index = lambda v: v["Fn::Select"][0]  # noqa: E731
    s1, s2 = index(out["S1"]["Properties"]["AvailabilityZone"]), index(out["S2"]["Properties"]["AvailabilityZone"])
    g = [index(v) for v in out["G"]["Properties"]["AvailabilityZones"]]
    assert s1 != s2 and g == [s2, s1] and (s1, s2) == (1, 2)


def test_zone_fixes_are_unsafe_and_say_which_replace():
    by = {f.resource: f for f in fixes("hardcoded-availability-zone", AZ)}
    assert all(f.applicability is Applicability.UNSAFE and f.unsafe_reason for f in by.values())
    assert by["S1"].replaces_resource and not by["G"].replaces_resource
    assert fixed("hardcoded-availability-zone", AZ) == AZ  # not without --unsafe-fixes


def test_local_zones_and_cdk_templates_are_left_alone():
    local = AZ.replace("eu-west-1c}", "us-west-2-lax-1a}")
    assert fixes("hardcoded-availability-zone", local) == []
    cdk = AZ + "  CDKMetadata:\n    Type: AWS::CDK::Metadata\n"
    assert fixes("hardcoded-availability-zone", cdk) == []


# ---- hardcoded-arn ------------------------------------------------------------------------------

ARN = """Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: alerts}
  Policy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [arn:aws:sns:eu-west-1:111122223333:other-topic]
      PolicyDocument: {Statement: []}
"""


def test_region_and_account_need_evidence():
    # the only ARN names a topic this template does not create: nothing says it is this stack's
    assert [f for f in fixes("hardcoded-arn", ARN) if f.edits] == []
    # the settings can say so
    settings = parse_settings({"hardcoded-arn": {"account-id": "111122223333", "region": "eu-west-1"}}, "t")
    ctx = Context(doc=Document(ARN), settings=settings)
    [f] = list(rule("hardcoded-arn").check(ctx))
    assert f.applicability is Applicability.UNSAFE
    assert f.after == "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:other-topic"


def test_cloudfront_keeps_its_us_east_1_region():
    text = """Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: edge, Role: arn:aws:iam::111122223333:role/r, Runtime: nodejs20.x,
                 Handler: i.h, Code: {ZipFile: x}}
  Dist:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
        DefaultCacheBehavior:
          TargetOriginId: o
          ViewerProtocolPolicy: allow-all
          LambdaFunctionAssociations:
            - EventType: viewer-request
              LambdaFunctionARN: arn:aws:lambda:us-east-1:111122223333:function:edge:1
"""
    [f] = [f for f in fixes("hardcoded-arn", text) if f.edits]
    assert "arn:${AWS::Partition}:lambda:us-east-1:${AWS::AccountId}:function:edge:1" in f.after


def test_partition_in_sub_is_safe_and_alone_in_literals():
    text = ("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
            "      AssumeRolePolicyDocument: {}\n"
            "      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess, !Sub 'arn:aws:iam::${AWS::AccountId}:policy/x']\n")
    [f] = fixes("hardcoded-arn", text)
    assert f.applicability is Applicability.SAFE
    assert fixed("hardcoded-arn", text) == text.replace("'arn:aws:iam::${", "'arn:${AWS::Partition}:iam::${")


# ---- misspelled-property -------------------------------------------------------------------

def test_edit_distance_counts_a_swap_as_one():
    assert edit_distance("KmsKeyId", "KmsKyeId") == 1
    assert edit_distance("abc", "abc") == 0 and edit_distance("", "ab") == 2


@pytest.mark.parametrize("key, names, want", [
    ("RoleArn", ["RoleARN", "BucketARN"], ["RoleARN"]),
    ("SecurityGroupId", ["SecurityGroupIds", "SecurityGroups", "SubnetId"], ["SecurityGroupIds", "SecurityGroups"]),
    ("DBClusterInstanceClass", ["DBInstanceClass"], []),  # a newer property, not a typo of an old one
    ("Tag", ["Tags"], ["Tags"]),
    ("Nme", ["Name", "Names"], ["Name"]),
])
def test_candidates(key, names, want):
    assert candidates(key, names) == want


def test_read_only_attributes_are_never_candidates():
    text = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyID: x\n"
    assert fixes("misspelled-property", text) == []  # KeyId is an attribute, not a property


# ---- secret-parameter ----------------------------------------------------------------------

SECRET = """Parameters:
  Pw: {Type: String, NoEcho: true}
Resources:
  Db:
    Type: {type}
    Properties:
      Engine: {engine}
      MasterUsername: admin
      MasterUserPassword: !Ref Pw
{extra}"""


def secret(type_, engine, extra=""):
    return SECRET.replace("{type}", type_).replace("{engine}", engine).replace("{extra}", extra)


def test_managed_password_message_tells_callers_what_to_change():
    [f] = fixes("secret-parameter", secret("AWS::RDS::DBCluster", "aurora-mysql"))
    assert f.applicability is Applicability.UNSAFE and f.unsafe_reason
    assert "stop passing it" in f.message and "DbMasterUserSecretArn" in f.message
    out = Document(fixed("secret-parameter", secret("AWS::RDS::DBCluster", "aurora-mysql"),
                         unsafe_fixes=True)).plain
    assert "Parameters" not in out
    assert out["Resources"]["Db"]["Properties"]["ManageMasterUserPassword"] is True
    assert out["Outputs"]["DbMasterUserSecretArn"]["Value"] == {"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]}


@pytest.mark.parametrize("type_, engine, extra", [
    ("AWS::RDS::DBCluster", "aurora-mysql", "      EngineMode: serverless\n"),
    ("AWS::RDS::DBInstance", "custom-oracle-ee", ""),
    ("AWS::RDS::DBInstance", "mysql", "      DBSnapshotIdentifier: snap\n"),
    ("AWS::RDS::DBInstance", "mysql", "Rules:\n  R:\n    Assertions:\n      - Assert: !Not [!Equals [!Ref Pw, '']]\n"),
])
def test_password_that_cannot_be_managed_is_only_reported(type_, engine, extra):
    [f] = fixes("secret-parameter", secret(type_, engine, extra))
    assert f.applicability is Applicability.DISPLAY_ONLY and not f.edits


# ---- unused declarations -----------------------------------------------------------------

def test_condition_chain_goes_pass_after_pass_and_then_its_parameter():
    text = """Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsProdEu: !And [!Condition IsProd, !Equals [!Ref 'AWS::Region', eu-west-1]]
Resources:
  B: {Type: AWS::S3::Bucket}
"""
    r = fix_text(text, path="t.yaml", settings=Settings(unsafe_fixes=True),
                 rules=[rule("unused-condition"), rule("unused-parameter")])
    assert r.output == "Resources:\n  B: {Type: AWS::S3::Bucket}\n"


def test_unused_parameter_is_unsafe_and_skipped_under_transforms():
    text = "Parameters:\n  P: {Type: String}\nResources:\n  B: {Type: AWS::S3::Bucket}\n"
    [f] = fixes("unused-parameter", text)
    assert f.applicability is Applicability.UNSAFE and "pass" in f.unsafe_reason
    assert fixes("unused-parameter", "Transform: AWS::Serverless-2016-10-31\n" + text) == []


def test_interface_metadata_goes_when_nothing_is_left_of_it():
    text = """Metadata:
  AWS::CloudFormation::Interface:
    ParameterGroups:
      - Label: {default: G}
        Parameters: [A, B]
    ParameterLabels:
      A: {default: a}
Parameters:
  A: {Type: String}
  B: {Type: String}
  C: {Type: String}
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: !Ref C}
"""
    out = fixed("unused-parameter", text, unsafe_fixes=True)
    assert out == """Parameters:
  C: {Type: String}
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: !Ref C}
"""


def test_mappings_read_by_a_computed_name_are_kept():
    text = "Mappings:\n  A: {k: {v: x}}\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n" \
           "      DisplayName: !FindInMap [!Sub '${AWS::Region}', k, v]\n"
    assert fixes("unused-mapping", text) == []


@pytest.mark.parametrize("name", [r.name for r in MINE])
def test_rules_survive_odd_templates(name):
    odd = [
        "Resources: {}\n",
        "Resources:\n  A: !Ref B\n",
        "Resources:\n  A:\n    Type: !Ref T\n    Properties: !If [C, {}, {}]\n    DependsOn: !Ref X\n",
        "Parameters: []\nConditions: x\nMappings: ~\nResources:\n  A: {Type: AWS::SNS::Topic, Properties: [1]}\n",
        '{"Resources": {"A": {"Type": "AWS::EC2::Subnet", "Properties": {"AvailabilityZone": {"Fn::Sub": 5}}}}}',
        "Metadata:\n  AWS::CloudFormation::Interface: {ParameterGroups: [{Parameters: !Ref X}]}\n"
        "Parameters:\n  P: {Type: String}\nResources:\n  A: {Type: AWS::SNS::Topic}\n",
    ]
    for text in odd:
        r = fix_text(text, path="t.json" if text.startswith("{") else "t.yaml",
                     settings=Settings(unsafe_fixes=True), rules=[rule(name)])
        assert r.status in ("fixed", "unchanged"), (name, text, r.error_line)


def test_every_message_names_a_place():
    # the fixtures' findings all carry a line, so `# autofix: ignore` can reach them
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "fixtures"
    for r in MINE:
        for case in sorted((root / r.name).glob("*.in.*")):
            doc = Document(case.read_text())
            for f in r.check(Context(doc=doc, settings=Settings(unsafe_fixes=True))):
                assert f.line > 0 and re.search(r"\w", f.message), (case, f)
