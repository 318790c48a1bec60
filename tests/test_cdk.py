"""CDK Python apps: the libcst document, the AF5xx rules through the real engine, the aws-cdk-lib
constant data and the script that regenerates it.  aws-cdk-lib itself is not needed."""

from __future__ import annotations

import importlib.util
import io
import json
import tarfile
import zipfile
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, example, given, settings as hsettings
from hypothesis import strategies as st

from autofix import registry
from autofix.api import fix_path, fix_text, run
from autofix.catalog import (
    BUNDLED_SNAPSHOT,
    Catalog,
    bundled_catalog,
    major_of,
    variant_of,
    version_key,
    write_catalog,
)
from autofix.cdk.data import DATA_FILE, cdk_data
from autofix.cdk.document import MAX_CHARS, CdkDocument
from autofix.cfn.document import NotATemplate, TemplateError
from autofix.fixes import Applicability
from autofix.settings import Settings, parse_settings

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = Settings(catalog=str(BUNDLED_SNAPSHOT))  # never the developer's own cache


def rule(code: str):
    found = registry.find(code)
    assert found is not None
    return found


def fix(src: str | bytes, *codes: str, settings: Settings = BUNDLED, path: str = "app.py"):
    rules = [rule(c) for c in codes] if codes else None
    return fix_text(src, path=path, settings=settings, rules=rules)


def with_settings(**kw) -> Settings:
    data = {"catalog": str(BUNDLED_SNAPSHOT)}
    data.update(kw)
    return parse_settings(data, "test")


def custom_catalog(tmp_path: Path, versions: dict[str, list[tuple[str, str]]], runtimes: dict | None = None) -> Settings:
    """A catalog file with exactly these versions ({engine: [(version, status)]}) and runtimes."""
    data = {
        "format": 1,
        "source": "test",
        "generated_at": "2026-01-01",
        "regions": [],
        "engines": {e: {"versions": [{"version": v, "status": s} for v, s in vs]} for e, vs in versions.items()},
        "lambda_runtimes": runtimes or {},
    }
    path = tmp_path / "catalog.json"
    write_catalog(Catalog.from_json(data), path)
    return Settings(catalog=str(path))


# ---- the document ------------------------------------------------------------------------------


def test_file_without_aws_cdk_is_skipped_byte_identical(tmp_path):
    p = tmp_path / "tool.py"
    data = b"import os\n# mentions aws_cdk only in a comment\nprint('aws_cdk')\n"
    p.write_bytes(data)
    result = fix_path(p, settings=BUNDLED)
    assert result.status == "skipped"
    assert "does not import aws_cdk" in result.error
    assert result.output is None and p.read_bytes() == data


@pytest.mark.parametrize(
    "src",
    [
        "print 'python 2, aws_cdk in a string'\n",  # not Python 3 and not CDK: skipped, not failed
        '"""Example:\n\n    import aws_cdk as cdk\n"""\nx = 1\n',  # the import is only in a docstring
        "from .aws_cdk import thing\n",  # a relative import of a local module
        "import aws_cdk_helpers\n",  # another package whose name starts the same
    ],
)
def test_non_cdk_python_is_skipped(src):
    assert fix(src).status == "skipped"
    with pytest.raises(NotATemplate):
        CdkDocument(src)


@pytest.mark.parametrize(
    "src, line, column",
    [
        ("import aws_cdk\n\nx = (1,\n", 3, 5),  # '(' was never closed
        ("from aws_cdk import aws_s3 as s3\nprint 'hello'\n", 2, 1),
        ("import aws_cdk\nif True:\nx = 1\n", 3, 1),
        ("import aws_cdk\n# é 🚀\nx = 'é' é\n", 3, 9),  # a column in characters, not bytes
    ],
)
def test_syntax_error_fails_with_position_and_writes_nothing(tmp_path, src, line, column):
    p = tmp_path / "app.py"
    p.write_text(src)
    before = p.stat().st_mtime_ns
    result = fix_path(p, settings=BUNDLED)
    assert result.status == "failed"
    assert (result.line, result.column) == (line, column)
    assert result.error.startswith("Python syntax error")
    assert result.error_line.startswith(f"{p}:{line}:{column}: ")
    assert p.read_text() == src and p.stat().st_mtime_ns == before
    with pytest.raises(TemplateError):
        CdkDocument(src)


def test_document_interface():
    src = "import aws_cdk as cdk\r\n# é\r\nx = cdk.RemovalPolicy.RETAIN\r\n"
    doc = CdkDocument(src)
    assert doc.text == src
    assert doc.line_text(1) == "import aws_cdk as cdk"
    assert doc.line_text(2) == "# é"
    assert doc.line_text(3) == "x = cdk.RemovalPolicy.RETAIN"
    assert doc.line_text(99) == ""
    assert not hasattr(doc, "plain")  # the engine's semantic check is for templates only
    (attr,) = [a for a in doc.attributes if a.attr.value == "RETAIN"]
    assert doc.cdk_name(attr) == "aws_cdk.RemovalPolicy.RETAIN"
    assert doc.where(attr) == (3, 5)


def test_lone_carriage_returns_fail_rather_than_shift_offsets():
    with pytest.raises(TemplateError):
        CdkDocument("import aws_cdk\rx = 1\r")


def test_generated_module_is_skipped():
    src = "import aws_cdk\n" + "x = 1\n" * (MAX_CHARS // 6 + 1)
    with pytest.raises(NotATemplate, match="generated code"):
        CdkDocument(src)


def test_spans_are_characters_not_bytes():
    # multi-byte characters (2, 3 and 4 bytes in UTF-8) before and on the line of the node
    src = "# é 日本 🚀\nfrom aws_cdk import RemovalPolicy\ny = ('🚀🚀', RemovalPolicy.DESTROY)  # ü\n"
    doc = CdkDocument(src)
    (attr,) = [a for a in doc.attributes if a.attr.value == "DESTROY"]
    assert doc.source(attr) == "RemovalPolicy.DESTROY"
    assert doc.source(attr.attr) == "DESTROY"
    start, end = doc.span(attr.attr)
    assert src[start:end] == "DESTROY"


def test_cdk_v1_core_names_resolve_like_v2():
    doc = CdkDocument("from aws_cdk import core\nx = core.RemovalPolicy.RETAIN\n")
    (attr,) = [a for a in doc.attributes if a.attr.value == "RETAIN"]
    assert doc.cdk_name(attr) == "aws_cdk.RemovalPolicy.RETAIN"


def test_name_bound_twice_is_not_resolved():
    src = "from aws_cdk import aws_rds as rds\nrds = object()\nx = rds.PostgresEngineVersion.VER_14_7\n"
    doc = CdkDocument(src)
    (attr,) = [a for a in doc.attributes if a.attr.value == "VER_14_7"]
    assert doc.cdk_name(attr) is None
    assert not fix(src).changed


# ---- adding keyword arguments in the call's own layout -------------------------------------------

BUCKET_TEST = with_settings(environment="test")


@pytest.mark.parametrize(
    "call, expected",
    [
        ('s3.Bucket(self, "B")', 's3.Bucket(self, "B", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True)'),
        ('s3.Bucket(self, "B",)', 's3.Bucket(self, "B", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True,)'),
        (
            's3.Bucket(\n\tself,\n\t"B",\n)',  # tabs stay tabs
            's3.Bucket(\n\tself,\n\t"B",\n\tremoval_policy=cdk.RemovalPolicy.DESTROY,\n\tauto_delete_objects=True,\n)',
        ),
        (
            's3.Bucket(\n    self,\n    "B"  # id\n)',
            's3.Bucket(\n    self,\n    "B",  # id\n    removal_policy=cdk.RemovalPolicy.DESTROY,\n    auto_delete_objects=True\n)',
        ),
        (
            's3.Bucket(self,\n          "B")',
            's3.Bucket(self,\n          "B",\n          removal_policy=cdk.RemovalPolicy.DESTROY,\n          auto_delete_objects=True)',
        ),
        (
            's3.Bucket(\n    self, "B",)',
            's3.Bucket(\n    self, "B",\n    removal_policy=cdk.RemovalPolicy.DESTROY,\n    auto_delete_objects=True,)',
        ),
    ],
)
def test_new_arguments_follow_the_layout(call, expected):
    head = "import aws_cdk as cdk\nfrom aws_cdk import aws_s3 as s3\n\nself = None\n"
    result = fix(head + call + "\n", "AF504", settings=BUCKET_TEST)
    assert result.status == "fixed", result.error
    assert result.output == head + expected + "\n"


def test_crlf_files_keep_crlf():
    src = (
        "import aws_cdk as cdk\r\nfrom aws_cdk import aws_s3 as s3\r\n\r\n"
        "def f(self):\r\n    s3.Bucket(\r\n        self,\r\n        \"B\",\r\n    )\r\n"
    )
    result = fix(src, "AF504", settings=BUCKET_TEST)
    assert result.output == (
        "import aws_cdk as cdk\r\nfrom aws_cdk import aws_s3 as s3\r\n\r\n"
        "def f(self):\r\n    s3.Bucket(\r\n        self,\r\n        \"B\",\r\n"
        "        removal_policy=cdk.RemovalPolicy.DESTROY,\r\n        auto_delete_objects=True,\r\n    )\r\n"
    )
    assert "\n" not in result.output.replace("\r\n", "")


def test_import_added_only_once_when_several_calls_need_it():
    src = "from aws_cdk import aws_s3 as s3\n\ns3.Bucket(None, 'A')\ns3.Bucket(None, 'B')\n"
    result = fix(src, "AF504", settings=BUCKET_TEST)
    assert result.output.count("from aws_cdk import RemovalPolicy") == 1
    assert result.output.startswith("from aws_cdk import aws_s3 as s3\nfrom aws_cdk import RemovalPolicy\n")
    assert not fix(result.output, "AF504", settings=BUCKET_TEST).changed


def test_bare_name_taken_by_something_else_means_no_fix():
    src = "from aws_cdk import aws_s3 as s3\nfrom mylib import policies as RemovalPolicy\n\ns3.Bucket(None, 'A')\n"
    result = fix(src, "AF504", settings=BUCKET_TEST)
    assert not result.changed


def test_ignore_comment_on_the_call_line():
    src = "from aws_cdk import RemovalPolicy, aws_kms as kms\nkms.Key(None, 'K', removal_policy=RemovalPolicy.DESTROY)  # autofix: ignore[AF505]\n"
    assert not fix(src, "AF505").changed
    assert fix(src.replace("AF505", "AF101"), "AF505").changed


# ---- engine versions -----------------------------------------------------------------------------


def test_newest_version_with_a_constant_becomes_the_constant(tmp_path):
    s = custom_catalog(tmp_path, {"postgres": [("14.7", "deprecated"), ("14.9", "available"), ("14.22", "available")]})
    src = (
        "from aws_cdk import aws_rds as rds\n"
        "a = rds.PostgresEngineVersion.VER_14_7\n"
        "b = rds.PostgresEngineVersion.of('14.7', '14')\n"
        "c = rds.PostgresEngineVersion.of('14.7', '14', s3_import=True)\n"
        "d = rds.PostgresEngineVersion.VER_14_9\n"
        "e = rds.PostgresEngineVersion.of('14.8', '14')\n"  # unknown to the catalog
    )
    result = fix(src, "AF501", settings=s)
    assert result.output == (
        "from aws_cdk import aws_rds as rds\n"
        "a = rds.PostgresEngineVersion.VER_14_22\n"
        "b = rds.PostgresEngineVersion.VER_14_22\n"
        "c = rds.PostgresEngineVersion.of('14.22', '14', s3_import=True)\n"
        "d = rds.PostgresEngineVersion.VER_14_9\n"
        "e = rds.PostgresEngineVersion.VER_14_22\n"
    )
    fixes = {f.line: f for f in result.fixes}
    assert fixes[2].before == "postgres 14.7" and fixes[2].after == "postgres 14.22"
    assert "deprecated" in fixes[2].message and "not a postgres version" in fixes[6].message
    assert all(f.applicability is Applicability.SAFE and f.applied for f in result.fixes)
    assert any("upgraded" in n for n in fixes[2].notes)


def test_newest_version_without_a_constant_is_written_with_of_and_features(tmp_path):
    s = custom_catalog(tmp_path, {"postgres": [("14.7", "deprecated"), ("14.99", "available")]})
    src = 'from aws_cdk import aws_rds as rds\nx = rds.PostgresEngineVersion.VER_14_7\n'
    result = fix(src, "AF501", settings=s)
    features = cdk_data().features_for("PostgresEngineVersion", "14")
    assert features == {"s3_export": True, "s3_import": True}
    assert result.output.endswith('x = rds.PostgresEngineVersion.of("14.99", "14", s3_export=True, s3_import=True)\n')
    # single quotes when the file prefers them
    src2 = "from aws_cdk import aws_rds as rds\nname = 'db'\nx = rds.PostgresEngineVersion.VER_14_7\n"
    assert "of('14.99', '14', s3_export=True, s3_import=True)" in fix(src2, "AF501", settings=s).output


def test_versions_newer_than_the_catalog_are_reported_not_downgraded(tmp_path):
    s = custom_catalog(tmp_path, {"postgres": [("14.7", "deprecated"), ("14.9", "available")]})
    src = "from aws_cdk import aws_rds as rds\nx = rds.PostgresEngineVersion.VER_14_22\n"
    result = fix(src, "AF501", settings=s)
    assert not result.changed
    (f,) = result.fixes
    assert f.applicability is Applicability.DISPLAY_ONLY and "autofix catalog update" in f.message


def test_engine_without_catalog_data_is_left_alone(tmp_path):
    s = custom_catalog(tmp_path, {"postgres": [("14.9", "available")]})
    src = "from aws_cdk import aws_rds as rds\nx = rds.MysqlEngineVersion.VER_8_0_28\n"
    result = fix(src, "AF501", settings=s)
    assert not result.changed and not result.fixes


# Hypothesis: whatever mix of valid, deprecated and unknown versions (as constants or `.of`), the
# rule is idempotent, never changes a major, and never writes a deprecated or unknown version.

CATALOG = bundled_catalog()
DATA = cdk_data()
CLASSES = ["PostgresEngineVersion", "MysqlEngineVersion", "MariaDbEngineVersion", "AuroraPostgresEngineVersion",
           "AuroraMysqlEngineVersion"]


@st.composite
def version_use(draw):
    cls = draw(st.sampled_from(CLASSES))
    engine = DATA.engines[cls]
    known = [ev.version for ev in CATALOG.versions(engine)]
    consts = [c.version for c in DATA.constants(cls)]
    kind = draw(st.sampled_from(["catalog", "constant", "unknown"]))
    if kind == "catalog":
        version = draw(st.sampled_from(known))
    elif kind == "constant":
        version = draw(st.sampled_from(consts))
    else:  # a version RDS never had: an odd patch number in a known major
        base = draw(st.sampled_from(known))
        version = f"{base}.{draw(st.integers(min_value=90, max_value=99))}" if "mysql_aurora" in base else (
            f"{major_of(engine, base)}.{draw(st.integers(min_value=0, max_value=99))}.{draw(st.integers(1, 9))}"
        )
    const = DATA.constant_for(cls, version)
    as_constant = const is not None and draw(st.booleans())
    return cls, engine, version, (const.name if as_constant else None), draw(st.sampled_from(['"', "'"]))


def _expr(cls, version, const, quote):
    if const:
        return f"rds.{cls}.{const}"
    major = major_of(DATA.engines[cls], version)
    return f"rds.{cls}.of({quote}{version}{quote}, {quote}{major}{quote})"


def _versions_in(text: str) -> list[tuple[str, str]]:
    """(class, version) of each module-level assignment `vN = ...`, in order."""
    doc = CdkDocument(text)
    out = []
    for stmt in doc.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or not isinstance(stmt.body[0], cst.Assign):
            continue
        value = stmt.body[0].value
        if isinstance(value, cst.Call):
            cls = value.func.value.attr.value
            out.append((cls, value.args[0].value.evaluated_value))
        else:
            cls = value.value.attr.value
            out.append((cls, DATA.constant(cls, value.attr.value).version))
    return out


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(version_use(), min_size=1, max_size=8), st.sampled_from(["fix-invalid", "latest-minor"]))
@example([("PostgresEngineVersion", "postgres", "11.22-rds.20241121", "VER_11_22_RDS_20241121", '"')], "fix-invalid")
def test_engine_versions_property(uses, policy):
    src = "from aws_cdk import aws_rds as rds\n\n" + "".join(
        f"v{i} = {_expr(cls, version, const, q)}\n" for i, (cls, _, version, const, q) in enumerate(uses)
    )
    s = with_settings(versions={"policy": policy})
    result = fix(src, "AF501", settings=s)
    assert result.status in ("fixed", "unchanged"), result.error
    out = result.output or src
    assert not fix(out, "AF501", settings=s).changed, "a second run changed the file"
    for (cls, engine, version, _, _), (cls_out, new) in zip(uses, _versions_in(out), strict=True):
        assert cls_out == cls
        found = CATALOG.find(engine, version)
        # RDS version names are case-insensitive; aws-cdk-lib spells some in upper case
        # (VER_11_22_RDS_20241121 is '11.22-RDS.20241121') where the catalog has '11.22-rds...'
        if new.lower() == version.lower():
            best = CATALOG.newest_valid(engine, major_of(engine, version), variant=variant_of(version))
            if found is not None and not found.available and best is not None:
                pytest.fail(f"{engine} {version} is deprecated and was not fixed")
            continue
        entry = CATALOG.find(engine, new)
        assert entry is not None and entry.available, f"{engine} {version} -> {new}, which is not available"
        assert major_of(engine, new) == major_of(engine, version), f"major changed: {version} -> {new}"
        assert new.lower() == CATALOG.newest_valid(engine, major_of(engine, version), variant=variant_of(version)).version
        if found is not None and found.available:
            assert policy == "latest-minor", f"valid {engine} {version} changed under fix-invalid"
            assert version_key(new) > version_key(version)


# ---- Lambda runtimes -----------------------------------------------------------------------------

RUNTIMES = {
    "python3.8": {"deprecated": "2024-10-14", "block_create": "2027-02-01", "successor": "python3.13"},
    "python3.7": {"deprecated": "2023-12-04", "block_create": "2024-01-09", "successor": "python3.99"},
    "python3.13": {"deprecated": "2029-06-30", "block_create": "2029-07-31"},
    "python3.99": {"deprecated": "2030-06-30"},
    "nodejs4.3": {"deprecated": "2020-03-05", "block_create": "2020-02-03"},
}


def runtime_settings(tmp_path, today: str, unsafe: bool = False) -> Settings:
    path = Path(custom_catalog(tmp_path, {}, RUNTIMES).catalog)
    return parse_settings({"catalog": str(path), "unsafe-fixes": unsafe, "versions": {"today": today}}, "test")


def test_runtime_blocked_is_safe_deprecated_is_unsafe(tmp_path):
    src = "from aws_cdk import aws_lambda as lambda_\nold = lambda_.Runtime.PYTHON_3_8\n"
    before = fix(src, "AF502", settings=runtime_settings(tmp_path, "2026-11-25"))
    assert not before.changed
    (f,) = before.fixes
    assert f.applicability is Applicability.UNSAFE and "2027-02-01" in f.unsafe_reason
    unsafe = fix(src, "AF502", settings=runtime_settings(tmp_path, "2026-11-25", unsafe=True))
    assert unsafe.output.endswith("old = lambda_.Runtime.PYTHON_3_13\n")
    after = fix(src, "AF502", settings=runtime_settings(tmp_path, "2027-02-01"))
    assert after.output.endswith("old = lambda_.Runtime.PYTHON_3_13\n")
    assert after.fixes[0].applicability is Applicability.SAFE


def test_runtime_successor_without_a_constant_falls_back_to_one_that_has(tmp_path):
    # the catalog names python3.99 as successor; aws-cdk-lib has no PYTHON_3_99: the newest supported
    # runtime of the family that has a constant is used instead
    src = "from aws_cdk.aws_lambda import Runtime\nold = Runtime.PYTHON_3_7\n"
    result = fix(src, "AF502", settings=runtime_settings(tmp_path, "2026-11-25"))
    assert result.output.endswith("old = Runtime.PYTHON_3_13\n")


def test_runtime_without_any_successor_is_reported(tmp_path):
    src = "import aws_cdk as cdk\nold = cdk.aws_lambda.Runtime.NODEJS_4_3\n"
    result = fix(src, "AF502", settings=runtime_settings(tmp_path, "2026-11-25"))
    assert not result.changed
    (f,) = result.fixes
    assert f.applicability is Applicability.DISPLAY_ONLY and not f.edits


# ---- all rules together --------------------------------------------------------------------------


def test_all_cdk_rules_on_one_app_are_stable():
    src = (
        "import aws_cdk as cdk\n"
        "from aws_cdk import aws_rds as rds, aws_s3 as s3, aws_kms as kms, aws_lambda as lambda_\n"
        "\n"
        "class App(cdk.Stack):\n"
        "    def __init__(self, scope, id):\n"
        "        super().__init__(scope, id)\n"
        "        rds.DatabaseInstance(\n"
        "            self, 'Db',\n"
        "            engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_14_7),\n"
        "            deletion_protection=True,\n"
        "        )\n"
        "        s3.Bucket(self, 'Logs', removal_policy=cdk.RemovalPolicy.RETAIN)\n"
        "        kms.Key(self, 'Key', removal_policy=cdk.RemovalPolicy.DESTROY)\n"
        "        lambda_.Function(self, 'Fn', runtime=lambda_.Runtime.PYTHON_3_7, handler='h', code=None)\n"
    )
    s = with_settings(environment="test", versions={"today": "2026-11-25"})
    result = fix(src, settings=s)
    assert result.status == "fixed"
    assert sorted({f.rule for f in result.fixes if f.applied}) == ["AF501", "AF502", "AF503", "AF504", "AF505"]
    out = result.output
    assert "deletion_protection=False" in out and "PostgresEngineVersion.VER_14_7" not in out
    assert "removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_objects=True)" in out
    assert "kms.Key(self, 'Key', removal_policy=cdk.RemovalPolicy.RETAIN)" in out
    assert "Runtime.PYTHON_3_14" in out
    # nothing but the changed expressions differs: every untouched line is byte-identical
    changed = [a for a, b in zip(src.splitlines(), out.splitlines()) if a != b]
    assert len(changed) == 5
    assert not fix(out, settings=s).changed
    CdkDocument(out)  # and the output parses


def test_folder_run_finds_cdk_apps_and_skips_other_python(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "stack.py").write_text("from aws_cdk import aws_rds as rds\nv = rds.PostgresEngineVersion.VER_14_7\n")
    (tmp_path / "app" / "util.py").write_text("import os\n")
    results = {Path(r.path).name: r for r in run([str(tmp_path)], settings_for=lambda p: BUNDLED, write=False)}
    assert results["stack.py"].status == "would-fix"
    assert results["util.py"].status == "skipped"
    assert (tmp_path / "app" / "stack.py").read_text().endswith("VER_14_7\n")


def test_rules_metadata():
    cdk_rules = [r for r in registry.all_rules() if r.language == "cdk"]
    assert [r.code for r in cdk_rules] == ["AF501", "AF502", "AF503", "AF504", "AF505"]
    for r in cdk_rules:
        assert r.name.startswith("cdk-") and r.summary and r.source_url.startswith("https://docs.aws.amazon.com/")
        doc = r.doc()
        for section in ("What it does:", "Why:", "Example", "Fix safety:"):
            assert section in doc, (r.code, section)
    assert rule("AF503").environments == ("test", "production")
    assert rule("AF504").environments == ("test", "production")
    assert rule("AF505").environments == ()


# ---- aws-cdk-lib data and its generator ----------------------------------------------------------


def test_shipped_constant_data():
    data = cdk_data()
    assert data.source.startswith("aws-cdk-lib 2.")
    pg = data.constant("PostgresEngineVersion", "VER_14_7")
    assert (pg.version, pg.major) == ("14.7", "14")
    assert data.constant_for("AuroraMysqlEngineVersion", "8.0.mysql_aurora.3.04.0").name == "VER_3_04_0"
    assert data.constant_for("PostgresEngineVersion", "14").name == "VER_14"
    assert data.runtimes["PYTHON_3_8"] == "python3.8"
    assert data.runtime_constant("nodejs24.x") == "NODEJS_24_X"  # never NODEJS_LATEST
    assert "NODEJS_LATEST" in data.variable_runtimes and "NODEJS_LATEST" not in data.runtimes
    for cls, engine in data.engines.items():
        assert data.constants(cls)
        for c in data.constants(cls):
            assert c.version == c.major or major_of(engine, c.version) == c.major, (cls, c.name)


def _load_script():
    spec = importlib.util.spec_from_file_location("update_cdk_data", ROOT / "scripts" / "update_cdk_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_wheel(path: Path) -> Path:
    instance = (
        'class MariaDbEngineVersion{static VER_10_6_7=MariaDbEngineVersion.of("10.6.7","10.6");}'
        'class PostgresEngineVersion{static VER_14=PostgresEngineVersion.of("14","14",{s3Import:!0,s3Export:!0});'
        'static VER_14_7=PostgresEngineVersion.of("14.7","14",{s3Import:!0,s3Export:!0});'
        'static VER_9_5=PostgresEngineVersion.of("9.5","9.5");}'
        'class MysqlEngineVersion{static VER_8_0_28=MysqlEngineVersion.of("8.0.28","8.0");}'
    )
    cluster = (
        'class AuroraMysqlEngineVersion{static VER_5_7_12=AuroraMysqlEngineVersion.builtIn_5_7("12",!1);'
        'static VER_3_04_0=AuroraMysqlEngineVersion.builtIn_8_0("3.04.0");}'
        'class AuroraEngineVersion{static VER_1_23_4=AuroraEngineVersion.builtIn_5_6("1.23.4");}'
        'class AuroraPostgresEngineVersion{static VER_15_2=AuroraPostgresEngineVersion.of("15.2","15",{s3Import:!0});}'
    )
    runtime = (
        'static PYTHON_3_8=new Runtime("python3.8",RuntimeFamily.PYTHON,{supportsInlineCode:!0});'
        'static NODEJS_LATEST=new Runtime("nodejs24.x",RuntimeFamily.NODEJS,{supportsInlineCode:!0,isVariable:!0});'
        'static FROM_IMAGE=new Runtime("FROM_IMAGE");'
    )

    def members(cls, names):
        body = "".join(f'    @jsii.member(jsii_name="{n}")\n    def {n}(cls): ...\n' for n in names)
        return f"class {cls}(\n    metaclass=jsii.JSIIMeta,\n):\n{body}\n"

    rds_py = (
        members("MariaDbEngineVersion", ["VER_10_6_7", "of"])
        + members("PostgresEngineVersion", ["VER_14", "VER_14_7"])  # VER_9_5 only in the JavaScript
        + members("MysqlEngineVersion", ["VER_8_0_28"])
        + members("AuroraMysqlEngineVersion", ["VER_5_7_12", "VER_3_04_0"])
        + members("AuroraEngineVersion", ["VER_1_23_4"])
        + members("AuroraPostgresEngineVersion", ["VER_15_2"])
    )
    lambda_py = members("Runtime", ["PYTHON_3_8", "NODEJS_LATEST", "FROM_IMAGE", "ALL"])
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as tf:
        for name, text in (("aws-rds/lib/instance-engine.js", instance), ("aws-rds/lib/cluster-engine.js", cluster),
                           ("aws-lambda/lib/runtime.js", runtime)):
            raw = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(raw)
            tf.addfile(info, io.BytesIO(raw))
    wheel = path / "aws_cdk_lib-2.999.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("aws_cdk/_jsii/aws-cdk-lib@2.999.0.jsii.tgz", tgz.getvalue())
        zf.writestr("aws_cdk/aws_rds/__init__.py", rds_py)
        zf.writestr("aws_cdk/aws_lambda/__init__.py", lambda_py)
    return wheel


def test_generator_reads_a_wheel(tmp_path):
    script = _load_script()
    data = script.build(_fake_wheel(tmp_path))
    assert data["source"] == "aws-cdk-lib 2.999.0"
    pg = data["engine_versions"]["PostgresEngineVersion"]["constants"]
    assert pg["VER_14_7"] == {"version": "14.7", "major": "14", "features": {"s3_export": True, "s3_import": True}}
    assert "VER_9_5" not in pg  # not in the Python binding
    am = data["engine_versions"]["AuroraMysqlEngineVersion"]["constants"]
    assert am["VER_5_7_12"] == {"version": "5.7.12", "major": "5.7"}
    assert am["VER_3_04_0"] == {"version": "8.0.mysql_aurora.3.04.0", "major": "8.0"}
    assert data["engine_versions"]["AuroraEngineVersion"]["constants"]["VER_1_23_4"]["version"] == "5.6.mysql_aurora.1.23.4"
    assert data["runtimes"] == {"PYTHON_3_8": "python3.8"}
    assert data["variable_runtimes"] == ["NODEJS_LATEST"]
    out = tmp_path / "out.json"
    assert script.main(["--wheel", str(_fake_wheel(tmp_path)), "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == data


def test_shipped_data_is_in_the_generators_layout():
    script = _load_script()
    text = DATA_FILE.read_text(encoding="utf-8")
    assert script.to_text(json.loads(text)) == text
