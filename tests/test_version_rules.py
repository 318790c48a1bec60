"""The CloudFormation version rules AF201-AF204: the headline case end to end, what each rule
decides, property tests against the catalog, and cfn-lint's view of every fixture output."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from autofix import registry
from autofix.api import fix_text
from autofix.catalog import BUNDLED_SNAPSHOT, Catalog, EngineVersion, LambdaRuntime, bundled_catalog, write_catalog
from autofix.cfn.document import Document
from autofix.cli import cli
from autofix.engine import run_rules
from autofix.fixes import Applicability
from autofix.settings import Settings, read_config
from transforms.cfn import _versions as v

from .conftest import FIXTURES

CAT = bundled_catalog()
AF201, AF202, AF203, AF204 = (registry.find(c) for c in ("AF201", "AF202", "AF203", "AF204"))
MINE = (AF201, AF202, AF203, AF204)
TODAY = "2026-11-25"


@pytest.fixture(autouse=True)
def _no_ambient_aws(monkeypatch, tmp_path):
    """No user catalog cache and no region from the environment leak into these tests."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)


def _settings(catalog=BUNDLED_SNAPSHOT, unsafe=False, region=None, **versions) -> Settings:
    versions.setdefault("today", TODAY)
    return Settings(catalog=str(catalog), unsafe_fixes=unsafe, region=region, sections=(("versions", versions),))


def _fix(text: str, rules=MINE, **kw):
    result = fix_text(text, path="t.json" if text.lstrip().startswith("{") else "t.yaml", settings=_settings(**kw), rules=list(rules))
    assert result.status in ("fixed", "unchanged"), result.error_line
    return result


def _out(result) -> str:
    return result.output if result.changed else result.original


NEWEST_14 = CAT.newest_valid("postgres", "14").version

DB = """\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: {engine}
      EngineVersion: {version}
      DBInstanceClass: db.t4g.micro
"""


# ---- the headline case -------------------------------------------------------------------


def test_catalog_facts_the_headline_relies_on():
    assert CAT.find("postgres", "14.7").status == "deprecated"
    assert NEWEST_14.startswith("14.") and CAT.find("postgres", NEWEST_14).available


def test_headline_inline_yaml():
    out = _out(_fix(DB.format(engine="postgres", version="'14.7'"), rules=[AF201]))
    assert f"EngineVersion: '{NEWEST_14}'" in out


def test_headline_unquoted_float_becomes_a_quoted_string():
    out = _out(_fix(DB.format(engine="postgres", version="14.7"), rules=[AF201]))
    assert f"EngineVersion: '{NEWEST_14}'" in out
    assert Document(out).plain["Resources"]["Db"]["Properties"]["EngineVersion"] == NEWEST_14


def test_headline_through_a_parameter_keeps_allowed_values_consistent():
    text = """\
Parameters:
  Version:
    Type: String
    Default: '14.7'
    AllowedValues: ['13.23', '14.7']
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, EngineVersion: !Ref Version, DBInstanceClass: db.t4g.micro}
"""
    result = _fix(text, rules=[AF201])
    param = Document(_out(result)).plain["Parameters"]["Version"]
    assert param["Default"] == NEWEST_14
    assert param["AllowedValues"] == ["13.23", "14.7", NEWEST_14]  # old value kept for deployed stacks
    [fix] = result.fixes
    assert fix.paths == [("Parameters", "Version", "Default"), ("Parameters", "Version", "AllowedValues")]
    assert (fix.before, fix.after) == ("Parameters/Version/Default: 14.7", f"Parameters/Version/Default: {NEWEST_14}")


def test_headline_json():
    text = json.dumps({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
        "Engine": "postgres", "EngineVersion": "14.7", "DBInstanceClass": "db.t4g.micro"}}}}, indent=2)
    out = _out(_fix(text, rules=[AF201]))
    assert json.loads(out)["Resources"]["Db"]["Properties"]["EngineVersion"] == NEWEST_14
    assert out == text.replace('"14.7"', f'"{NEWEST_14}"')


def test_headline_through_the_cli_offline(tmp_path):
    path = tmp_path / "db.yaml"
    path.write_text(DB.format(engine="postgres", version="'14.7'"))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    result = CliRunner().invoke(cli, ["apply", str(path), "--select", "AF201"], env=env)
    assert result.exit_code == 0, result.output
    assert f"EngineVersion: '{NEWEST_14}'" in path.read_text()
    assert "14.7" in result.output and "deprecated" in result.output


# ---- AF201 decisions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "engine,version",
    [("postgres", "14"), ("postgres", "'16'"), ("mysql", "'8.0'"), ("mariadb", "'10.6'"), ("postgres", "'14.24'")],
)
def test_valid_and_major_only_values_are_left_alone(engine, version):
    result = _fix(DB.format(engine=engine, version=version))
    assert not result.changed and not result.fixes


def test_ordering_is_numeric_not_lexical():
    # 14.10 > 14.9: a valid 14.10 is never "older" than 14.9, and the newest is picked numerically
    assert CAT.find("postgres", "14.10") is not None
    assert v.judge(CAT, "postgres", "14.9", None).best.version == NEWEST_14
    result = _fix(DB.format(engine="postgres", version="'14.9'"), policy="latest-minor")
    assert f"'{NEWEST_14}'" in _out(result)


def test_unknown_version_newer_than_the_catalog_is_reported_not_downgraded():
    result = _fix(DB.format(engine="postgres", version="'14.99'"))
    assert not result.changed
    [fix] = result.fixes
    assert fix.applicability is Applicability.DISPLAY_ONLY and "autofix catalog update" in fix.message


def test_major_only_policy_writes_the_major():
    out = _out(_fix(DB.format(engine="postgres", version="'14.7'"), policy="major-only"))
    assert "EngineVersion: '14'" in out


def test_major_only_policy_keeps_full_versions_where_cfn_lint_rejects_majors():
    # RDS takes "8.0", but cfn-lint's data has only full MySQL versions and calls "8.0" an error
    out = _out(_fix(DB.format(engine="mysql", version="'8.0.36'"), policy="major-only"))
    assert f"EngineVersion: '{CAT.newest_valid('mysql', '8.0').version}'" in out


def test_latest_minor_policy_bumps_valid_older_minors_only_with_the_setting():
    older = CAT.newest_valid("postgres", "16")
    previous = [e.version for e in CAT.versions("postgres") if e.major == "16" and e.available and e.version != older.version][-1]
    text = DB.format(engine="postgres", version=f"'{previous}'")
    assert not _fix(text).changed
    assert f"'{older.version}'" in _out(_fix(text, policy="latest-minor"))


def test_bad_policy_is_a_clear_error():
    result = fix_text(DB.format(engine="postgres", version="'14.7'"), path="t.yaml", settings=_settings(policy="newest"),
                      rules=[AF201])
    assert result.status == "failed" and "[versions] policy" in result.error


def test_engine_given_by_an_intrinsic_is_skipped():
    text = DB.format(engine="!Ref EngineParam", version="'14.7'")
    assert not _fix(text).fixes


def test_replication_group_engine_defaults_to_redis():
    text = """\
Resources:
  Cache:
    Type: AWS::ElastiCache::ReplicationGroup
    Properties:
      ReplicationGroupDescription: x
      EngineVersion: '5.0.0'
"""
    out = _out(_fix(text, rules=[AF201]))
    assert f"EngineVersion: '{CAT.newest_valid('redis', '5').version}'" in out


def test_alias_is_reported_not_edited():
    text = """\
Mappings:
  M:
    k: {v: &ver '14.7'}
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      EngineVersion: *ver
"""
    result = _fix(text, rules=[AF201])
    assert not result.changed
    assert [f.applicability for f in result.fixes] == [Applicability.DISPLAY_ONLY]


def _region_catalog(tmp_path) -> Path:
    versions = [
        EngineVersion("postgres", "14.20", "14", "postgres14", "available", ("us-east-1", "eu-west-1")),
        EngineVersion("postgres", "14.22", "14", "postgres14", "available", ("us-east-1",)),
        EngineVersion("postgres", "14.7", "14", "postgres14", "deprecated", ()),
        EngineVersion("postgres", "13.20", "13", "postgres13", "available", ("us-east-1", "eu-west-1")),
        EngineVersion("postgres", "17.4", "17", "postgres17", "available", ("us-east-1", "eu-west-1")),
    ]
    majors = {"postgres": {"13": {"end_of_standard_support": "2026-02-28"}, "14": {"end_of_standard_support": "2027-02-28"}}}
    cat = Catalog(versions, [], source="test", generated_at="2026-11-01", regions=["us-east-1", "eu-west-1"], majors_info=majors)
    return write_catalog(cat, tmp_path / "catalog.json")


def test_region_selects_regional_availability(tmp_path, monkeypatch):
    path = _region_catalog(tmp_path)
    text = DB.format(engine="postgres", version="'14.7'")
    assert "'14.22'" in _out(_fix(text, catalog=path, region="us-east-1", rules=[AF201]))
    assert "'14.20'" in _out(_fix(text, catalog=path, region="eu-west-1", rules=[AF201]))
    # a version offered elsewhere but not in the region is fixed too, and says why
    result = _fix(DB.format(engine="postgres", version="'14.22'"), catalog=path, region="eu-west-1", rules=[AF201])
    assert "'14.20'" in _out(result) and "not offered in eu-west-1" in result.fixes[0].message
    # AWS_REGION counts when no region is configured
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert "'14.20'" in _out(_fix(text, catalog=path, rules=[AF201]))


# ---- AF202 --------------------------------------------------------------------------------


def test_major_past_standard_support_is_an_unsafe_upgrade(tmp_path):
    path = _region_catalog(tmp_path)
    text = DB.format(engine="postgres", version="'13.20'")
    result = _fix(text, catalog=path, rules=[AF202])
    assert not result.changed  # unsafe: reported only
    [fix] = result.fixes
    assert fix.applicability is Applicability.UNSAFE and "2026-02-28" in fix.message and fix.unsafe_reason
    out = _out(_fix(text, catalog=path, rules=[AF202], unsafe=True))
    assert "EngineVersion: '17.4'\n      AllowMajorVersionUpgrade: true\n" in out
    # before the end of standard support there is nothing to say; "today" is injectable
    assert not _fix(text, catalog=path, rules=[AF202], today="2026-01-31").fixes
    # a supported major is never upgraded
    assert not _fix(DB.format(engine="postgres", version="'14.20'"), catalog=path, rules=[AF202]).fixes


def test_retired_major_upgrade_moves_the_parameter_group_family():
    text = """\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      EngineVersion: '9.6.24'
      DBParameterGroupName: !Ref Params
  Params:
    Type: AWS::RDS::DBParameterGroup
    Properties:
      Description: x
      Family: postgres9.6
"""
    result = _fix(text, rules=[AF202], unsafe=True)
    newest = v.newest_major(CAT, "postgres", None)
    plain = Document(_out(result)).plain["Resources"]
    assert plain["Db"]["Properties"]["EngineVersion"] == newest.version
    assert plain["Db"]["Properties"]["AllowMajorVersionUpgrade"] is True
    assert plain["Params"]["Properties"]["Family"] == newest.family
    assert result.fixes[0].replaces_resource


def test_default_never_upgrades_a_major():
    text = DB.format(engine="postgres", version="'9.6.24'")
    result = _fix(text)
    assert not result.changed and result.fixes


# ---- AF203 --------------------------------------------------------------------------------


def test_family_fix_is_unsafe_because_it_replaces_the_group():
    text = """\
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: postgres, EngineVersion: '14.24', DBParameterGroupName: !Ref Params}
  Params:
    Type: AWS::RDS::DBParameterGroup
    Properties: {Description: x, Family: postgres13}
"""
    [fix] = _fix(text, rules=[AF203]).fixes
    assert fix.applicability is Applicability.UNSAFE and fix.replaces_resource
    assert "Family: postgres14" in _out(_fix(text, rules=[AF203], unsafe=True))


# ---- AF204 --------------------------------------------------------------------------------

FN = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: {runtime}
      Handler: index.handler
"""


def test_runtime_safety_follows_the_calendar():
    rt = CAT.runtime("python3.9")
    text = FN.format(runtime="python3.9")
    day = dt.date.fromisoformat
    before = (day(rt.deprecated) - dt.timedelta(days=1)).isoformat()
    assert not _fix(text, rules=[AF204], today=before).fixes
    [fix] = _fix(text, rules=[AF204], today=rt.deprecated).fixes
    assert fix.applicability is Applicability.UNSAFE and fix.unsafe_reason and fix.cfn_lint == ("W2531",)
    result = _fix(text, rules=[AF204], today=rt.block_create)
    assert result.fixes[0].applicability is Applicability.SAFE and result.fixes[0].cfn_lint == ("E2531",)
    assert f"Runtime: {rt.successor}" in _out(result)


def test_runtime_family_change_is_unsafe_even_when_blocked():
    [fix] = _fix(FN.format(runtime="go1.x"), rules=[AF204]).fixes
    assert fix.applicability is Applicability.UNSAFE and "bootstrap" in fix.unsafe_reason


def test_unknown_and_supported_runtimes_are_left_alone():
    for runtime in ("python3.13", "java25", "customruntime9"):
        assert not _fix(FN.format(runtime=runtime), rules=[AF204]).fixes


# ---- property tests -----------------------------------------------------------------------

ENGINE_TYPES = {
    "postgres": ("AWS::RDS::DBInstance", "Engine: postgres"),
    "mysql": ("AWS::RDS::DBInstance", "Engine: mysql"),
    "mariadb": ("AWS::RDS::DBInstance", "Engine: mariadb"),
    "aurora-postgresql": ("AWS::RDS::DBCluster", "Engine: aurora-postgresql"),
    "aurora-mysql": ("AWS::RDS::DBCluster", "Engine: aurora-mysql"),
    "redis": ("AWS::ElastiCache::ReplicationGroup", "Engine: redis"),
    "valkey": ("AWS::ElastiCache::CacheCluster", "Engine: valkey"),
    "memcached": ("AWS::ElastiCache::CacheCluster", "Engine: memcached"),
    "docdb": ("AWS::DocDB::DBCluster", ""),
}


@st.composite
def version_cases(draw):
    engine = draw(st.sampled_from(sorted(ENGINE_TYPES)))
    known = [e.version for e in CAT.versions(engine)]
    majors = CAT.majors(engine)
    version = draw(st.one_of(
        st.sampled_from(known),
        st.sampled_from(majors),
        st.builds(lambda m, n: f"{m}.{n}", st.sampled_from(majors), st.integers(0, 40)),
    ))
    form = draw(st.sampled_from(["plain", "quoted", "parameter", "allowed", "mapping", "json"]))
    policy = draw(st.sampled_from(v.POLICIES))
    unsafe = draw(st.booleans())
    return engine, version, form, policy, unsafe


def _template(engine: str, version: str, form: str) -> str:
    rtype, engine_line = ENGINE_TYPES[engine]
    props = {"Engine": engine} if engine_line else {}
    if form == "json":
        props["EngineVersion"] = version
        return json.dumps({"Resources": {"R": {"Type": rtype, "Properties": props}}}, indent=2)
    head, value = "", {"plain": version, "quoted": f"'{version}'"}.get(form)
    if form in ("parameter", "allowed"):
        allowed = f"\n    AllowedValues: ['{version}']" if form == "allowed" else ""
        head, value = f"Parameters:\n  V:\n    Type: String\n    Default: '{version}'{allowed}\n", "!Ref V"
    elif form == "mapping":
        head, value = f"Mappings:\n  M:\n    k:\n      v: '{version}'\n", "!FindInMap [M, k, v]"
    lines = [f"      {engine_line}"] if engine_line else []
    return head + f"Resources:\n  R:\n    Type: {rtype}\n    Properties:\n" + "\n".join(lines + [f"      EngineVersion: {value}"]) + "\n"


def _value(text: str, form: str):
    plain = Document(text).plain
    if form in ("parameter", "allowed"):
        p = plain["Parameters"]["V"]
        return str(p["Default"]), p.get("AllowedValues")
    if form == "mapping":
        return str(plain["Mappings"]["M"]["k"]["v"]), None
    return None, None


def _usable(engine: str, version: str) -> bool:
    entry = CAT.find(engine, version)
    if entry is not None:
        return entry.available
    return CAT.is_major_only(engine, version) and CAT.newest_valid(engine, version) is not None


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version_cases())
def test_version_rules_pick_only_usable_versions_and_are_idempotent(case):
    engine, version, form, policy, unsafe = case
    text = _template(engine, version, form)
    result = _fix(text, rules=[AF201, AF202], policy=policy, unsafe=unsafe)
    out = _out(result)
    if form in ("parameter", "allowed", "mapping"):
        new, allowed = _value(out, form)
    else:
        doc = Document(out)
        new = v.value_text(next(doc.resources()).prop("EngineVersion"))
        allowed = None
    if not _usable(engine, version):  # never silent about a value AWS would refuse
        assert result.fixes, f"{engine} {version} not reported"
    if result.changed:
        assert _usable(engine, new), f"{engine} {version} -> {new}"
        if not any(f.rule == "AF202" and f.applied for f in result.fixes):
            assert CAT.major_of(engine, new) == CAT.major_of(engine, version)  # AF201 keeps the major
    elif _usable(engine, version) and policy != "latest-minor":
        assert not [f for f in result.fixes if f.rule == "AF201"]
    if _usable(engine, version) and policy == "fix-invalid":
        assert new in (None, version) or not result.changed  # a usable value is never rewritten
    if allowed is not None:
        assert new in [str(a) for a in allowed]
    again = fix_text(out, path="t.json" if form == "json" else "t.yaml",
                     settings=_settings(policy=policy, unsafe=unsafe), rules=[AF201, AF202])
    assert not again.changed, "a second run changed the output"


@hsettings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(r.name for r in CAT.runtimes())), st.dates(dt.date(2016, 1, 1), dt.date(2031, 1, 1)),
       st.booleans())
def test_runtime_rule_never_picks_an_unsupported_runtime(name, day, unsafe):
    result = _fix(FN.format(runtime=name), rules=[AF204], today=day.isoformat(), unsafe=unsafe)
    new = Document(_out(result)).plain["Resources"]["Fn"]["Properties"]["Runtime"]
    if result.changed:
        rt = CAT.runtime(new)
        assert rt is not None and rt.status(day) == "supported"
        assert CAT.runtime(name).status(day) != "supported"
        again = fix_text(_out(result), path="t.yaml", settings=_settings(today=day.isoformat(), unsafe=unsafe), rules=[AF204])
        assert not again.changed
    else:
        assert CAT.runtime(name).status(day) == "supported" or result.fixes


# ---- fixtures: cfn-lint's view of every output ---------------------------------------------

LINT_IDS = {"E3690", "W3690", "E3691", "W3691", "E3695", "W2531", "E2531", "E2533"}
MY_FOLDERS = [r.name for r in MINE]
CASES = sorted(p for f in MY_FOLDERS for p in (FIXTURES / f).glob("*.in.*"))


def _case_settings(p: Path) -> Settings:
    cfg = p.with_name(p.name.split(".in.", 1)[0] + ".toml")
    s = read_config(cfg) if cfg.exists() else read_config(p.parent / "autofix.toml")
    return s.merged(catalog=str(BUNDLED_SNAPSHOT))


def _version_or_runtime_finding(match) -> bool:
    if match.rule.id in LINT_IDS:
        return True
    return match.rule.id == "E3030" and list(match.path)[-1:] in (["EngineVersion"], ["Runtime"])


_DEPRECATED_MSG = re.compile(r"Engine version '([^']+)' for engine '([^']+)' is deprecated")
_ENUM_MSG = re.compile(r"^'([^']+)' is not one of")


def _cfn_lint_whole_major_quirk(match, out: str) -> bool:
    """A major alone ('16', '8.0', '10.6') that the catalog says RDS resolves to an available
    minor (aws-cdk-lib ships these as PostgresEngineVersion.VER_16, MysqlEngineVersion.VER_8_0,
    MariaDbEngineVersion.VER_10_6).  cfn-lint gets them wrong both ways: its script that builds
    the RDS data from describe_db_engine_versions adds a postgres major to the *deprecated*
    list as soon as any minor of it is deprecated (W3691), and has no mysql/mariadb majors in
    its list of versions at all (E3691)."""
    engine = value = None
    m = _DEPRECATED_MSG.search(match.message)
    if m and match.rule.id in ("W3690", "W3691"):
        value, engine = m.group(1), m.group(2)
    m = _ENUM_MSG.search(match.message)
    if m and match.rule.id in ("E3690", "E3691") and list(match.path)[:1] == ["Resources"]:
        props = Document(out).plain["Resources"][match.path[1]].get("Properties", {})
        value, engine = m.group(1), str(props.get("Engine", "")).lower()
    if engine not in v.MAJOR_ONLY_ENGINES or value is None:
        return False
    return CAT.is_major_only(engine, value) and CAT.newest_valid(engine, value) is not None


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(FIXTURES)) for c in CASES])
def test_fixture_output_has_no_version_finding_from_cfn_lint(case):
    from cfnlint.api import lint
    from cfnlint.config import ManualArgs

    rule = registry.find(case.parent.name)
    result = fix_text(case.read_bytes(), path=case.name.replace(".in.", "."), settings=_case_settings(case), rules=[rule])
    assert result.status in ("fixed", "unchanged"), result.error_line
    out = _out(result)
    pending = {f.resource or "Globals" for f in result.fixes if not f.applied}
    unexplained = []
    for m in lint(out, config=ManualArgs(regions=["us-east-1"])):
        if not _version_or_runtime_finding(m) or _cfn_lint_whole_major_quirk(m, out):
            continue
        where = list(m.path)[1] if list(m.path)[:1] == ["Resources"] else "Globals"
        if where not in pending:  # only a finding autofix reported and deliberately left may remain
            unexplained.append(f"{m.rule.id} line {m.linenumber}: {m.message}")
    assert not unexplained


def test_the_fixtures_leave_findings_only_where_they_report_them():
    """The exemption above is not vacuous: the cases without an .out file that have a
    deprecated value do keep cfn-lint's finding, and autofix reports each one."""
    from cfnlint.api import lint
    from cfnlint.config import ManualArgs

    case = FIXTURES / "lambda-runtime-supported" / "deprecated-reported.in.yaml"
    result = fix_text(case.read_bytes(), path="x.yaml", settings=_case_settings(case), rules=[AF204])
    assert not result.changed and [f.resource for f in result.fixes] == ["Worker"]
    assert any(_version_or_runtime_finding(m) for m in lint(case.read_text(), config=ManualArgs(regions=["us-east-1"])))


# ---- the fast (libyaml) pre-check sees what the full parse sees ----------------------------


@pytest.mark.parametrize("case", [c for c in CASES if c.suffix in (".yaml", ".json")],
                         ids=[str(c.relative_to(FIXTURES)) for c in CASES if c.suffix in (".yaml", ".json")])
def test_fast_precheck_finds_the_same(case):
    text = case.read_text()
    s = _case_settings(case)
    rule = registry.find(case.parent.name)
    full = run_rules(Document(text), [rule], s, None)
    fast = run_rules(Document(text, fast=True), [rule], s, None)
    assert [(f.rule, f.line, f.message) for f in fast] == [(f.rule, f.line, f.message) for f in full]


# ---- odd input: skipped or reported, never a crash ------------------------------------------

ODD = [
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: [1, 2]\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      EngineVersion: {a: b, c: d}\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: [postgres]\n      EngineVersion: '14.7'\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      EngineVersion: latest\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      EngineVersion: ~\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      EngineVersion: true\n",
    "Parameters: [1]\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres, EngineVersion: !Ref V}\n",
    "Parameters:\n  V: {Type: String, Default: '14.7', AllowedValues: '14.7'}\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"
    "    Properties: {Engine: postgres, EngineVersion: !Ref V}\n",
    "Parameters:\n  V: {Type: String, Default: '14.7', AllowedValues: [!Ref X]}\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"
    "    Properties: {Engine: postgres, EngineVersion: !Ref V}\n",
    "Parameters:\n  V: {Type: AWS::SSM::Parameter::Value<String>, Default: /db/version}\nResources:\n  Db:\n"
    "    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres, EngineVersion: !Ref V}\n",
    "Mappings: 3\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres, EngineVersion: !FindInMap [M, a, b]}\n",
    "Mappings:\n  M: {a: {b: [1]}}\nResources:\n  Db:\n    Type: AWS::RDS::DBInstance\n"
    "    Properties: {Engine: postgres, EngineVersion: !FindInMap [M, !Ref AWS::Region, b]}\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres, EngineVersion: !If [C]}\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres, EngineVersion: !Ref AWS::NoValue}\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      EngineVersion: '9.6.24'\n"
    "      DBParameterGroupName: !Ref Db\n",
    "Resources:\n  Db:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: postgres\n      EngineVersion: '9.6.24'\n"
    "      AllowMajorVersionUpgrade: !Ref Allow\n",
    "Resources:\n  P:\n    Type: AWS::RDS::DBParameterGroup\n  Db:\n    Type: AWS::RDS::DBInstance\n"
    "    Properties: {Engine: postgres, EngineVersion: '14.24', DBParameterGroupName: !Ref P}\n",
    "Globals: [1]\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: !Sub 'python${V}'}\n",
    "Globals:\n  Function: {Runtime: [python3.8]}\nResources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties: {Runtime: 3.8}\n",
    '{"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "EngineVersion": {"Fn::Sub": "14.7"}}}}}',
]


@pytest.mark.parametrize("text", ODD, ids=[f"odd{i}" for i in range(len(ODD))])
def test_odd_input_never_fails(text):
    result = fix_text(text, path="t.json" if text.startswith("{") else "t.yaml", settings=_settings(unsafe=True), rules=list(MINE))
    assert result.status in ("fixed", "unchanged"), result.error_line
    if result.changed:
        again = fix_text(result.output, path="t.yaml", settings=_settings(unsafe=True), rules=list(MINE))
        assert not again.changed
