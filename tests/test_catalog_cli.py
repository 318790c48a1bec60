"""``autofix catalog update`` / ``show`` through click's CliRunner; AWS is stubbed with Stubber."""

from __future__ import annotations

import json
import os

import boto3
import pytest
from botocore.stub import Stubber
from click.testing import CliRunner

from autofix.catalog import Catalog, EngineVersion, LambdaRuntime, load_catalog, write_catalog
from autofix.catalog import cli as catalog_cli
from autofix.catalog.cli import catalog
from autofix.catalog.model import RDS_ENGINES
from autofix.catalog.store import BUNDLED_SNAPSHOT, default_cache_path

FAKE_KEY = "AKIAFAKEFAKEFAKE5678"
FAKE_SECRET = "anotherFakeSecretThatMustNotAppear/xyz"


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    for var in list(os.environ):
        if var.startswith("AWS_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    load_catalog.cache_clear()


class StubbedSession(boto3.session.Session):
    """A real boto3 Session whose clients are created once per (service, region) and stubbed."""

    def __init__(self, region: str | None = "us-east-1") -> None:
        super().__init__(aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_SECRET, region_name=region)
        self.stubbed: dict[tuple[str, str], tuple[object, Stubber]] = {}

    def stub(self, service: str, region: str) -> Stubber:
        if (service, region) not in self.stubbed:
            client = super().client(service, region_name=region)
            stubber = Stubber(client)
            stubber.activate()
            self.stubbed[(service, region)] = (client, stubber)
        return self.stubbed[(service, region)][1]

    def client(self, service_name, region_name=None, **kwargs):
        region = region_name or self.region_name
        self.stub(service_name, region)
        return self.stubbed[(service_name, region)][0]

    def assert_all_used(self) -> None:
        for _, stubber in self.stubbed.values():
            stubber.assert_no_pending_responses()


def queue_region(session: StubbedSession, region: str, postgres: list[tuple[str, str]]) -> None:
    rds = session.stub("rds", region)
    for engine in RDS_ENGINES:
        versions = (
            [
                {"Engine": "postgres", "EngineVersion": v, "DBParameterGroupFamily": "postgres" + v.split(".")[0], "Status": s}
                for v, s in postgres
            ]
            if engine == "postgres"
            else []
        )
        rds.add_response(
            "describe_db_engine_versions", {"DBEngineVersions": versions}, {"Engine": engine, "IncludeAll": True}
        )
    rds.add_response("describe_db_major_engine_versions", {"DBMajorEngineVersions": []}, {})
    for service, engine in (("docdb", "docdb"), ("neptune", "neptune")):
        session.stub(service, region).add_response(
            "describe_db_engine_versions", {"DBEngineVersions": []}, {"Engine": engine}
        )
    session.stub("elasticache", region).add_response(
        "describe_cache_engine_versions",
        {"CacheEngineVersions": [{"Engine": "valkey", "EngineVersion": "8.0", "CacheParameterGroupFamily": "valkey8"}]},
        {},
    )


@pytest.fixture
def session(monkeypatch):
    s = StubbedSession()
    seen_profiles = []

    def make_session(profile=None):
        seen_profiles.append(profile)
        return s

    monkeypatch.setattr(catalog_cli, "make_session", make_session)
    s.seen_profiles = seen_profiles
    return s


def run(*args: str):
    return CliRunner().invoke(catalog, list(args), catch_exceptions=False)


# ---------------------------------------------------------------------------------------------
# update


def test_update_writes_the_user_cache_and_prints_a_summary(session):
    queue_region(session, "us-east-1", [("14.7", "deprecated"), ("14.18", "available"), ("14.19", "available")])
    result = run("update", "--region", "us-east-1", "--profile", "dev")
    assert result.exit_code == 0, result.output
    session.assert_all_used()
    assert session.seen_profiles == ["dev"]
    cache = default_cache_path()
    assert f"wrote {cache}" in result.stdout
    assert "source: aws-api us-east-1" in result.stdout
    assert "postgres              3 versions (2 available, 1 deprecated)" in result.stdout
    # valkey: 8.0 listed live; the snapshot's other valkey versions are no longer listed -> deprecated
    n_valkey = len({v.version for v in load_catalog(BUNDLED_SNAPSHOT).versions("valkey")} | {"8.0"})
    assert f"valkey             {n_valkey:>4} versions (1 available, {n_valkey - 1} deprecated)" in result.stdout
    assert "no versions listed for: mysql, mariadb, aurora-postgresql, aurora-mysql, neptune" in result.stdout
    assert "lambda runtimes" in result.stdout
    assert FAKE_KEY not in result.output and FAKE_SECRET not in result.output
    cat = load_catalog()
    assert cat.source == "aws-api us-east-1"
    assert cat.newest_valid("postgres", "14").version == "14.19"
    assert cat.find("postgres", "14.7").status == "deprecated"


def test_update_to_an_explicit_file_with_several_regions(session, tmp_path):
    queue_region(session, "us-east-1", [("14.18", "available"), ("14.19", "available")])
    queue_region(session, "eu-west-1", [("14.18", "available")])
    target = tmp_path / "out" / "cat.json"
    result = run("update", "--region", "us-east-1,eu-west-1", "--catalog", str(target))
    assert result.exit_code == 0, result.output
    session.assert_all_used()
    assert not default_cache_path().exists()
    cat = load_catalog(target)
    assert cat.regions == ("us-east-1", "eu-west-1")
    assert cat.newest_valid("postgres", "14", region="eu-west-1").version == "14.18"


def test_update_group_level_catalog_option(session, tmp_path):
    queue_region(session, "us-east-1", [("14.18", "available")])
    target = tmp_path / "group.json"
    result = run("--catalog", str(target), "update", "--region", "us-east-1")
    assert result.exit_code == 0, result.output
    assert load_catalog(target).find("postgres", "14.18") is not None


@pytest.mark.parametrize(
    "code, expected",
    [
        ("AccessDenied", "error: access denied calling rds:DescribeDBEngineVersions in us-east-1 (AccessDenied)"),
        ("Throttling", "error: AWS throttled rds:DescribeDBEngineVersions in us-east-1 (Throttling)"),
    ],
)
def test_update_failure_exits_2_and_keeps_the_cache(session, code, expected):
    cache = write_catalog(Catalog([], source="previous", generated_at="2026-01-01"), default_cache_path())
    before = cache.read_bytes()
    session.stub("rds", "us-east-1").add_client_error(
        "describe_db_engine_versions", service_error_code=code, service_message=f"secret {FAKE_KEY}", http_status_code=400
    )
    result = run("update", "--region", "us-east-1")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected)
    assert FAKE_KEY not in result.output and FAKE_SECRET not in result.output
    assert cache.read_bytes() == before
    assert load_catalog().source == "previous"


def test_update_unknown_profile(tmp_path):
    (tmp_path / "no-aws-config").write_text("[profile other]\nregion = us-east-1\n")
    result = run("update", "--profile", "does-not-exist")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: AWS profile not found: does-not-exist"


def test_update_without_region(monkeypatch):
    s = StubbedSession(region=None)
    monkeypatch.setattr(catalog_cli, "make_session", lambda profile=None: s)
    result = run("update")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no AWS region: pass --region or set AWS_REGION"


# ---------------------------------------------------------------------------------------------
# show


def test_show_text_for_postgres_14_from_the_snapshot():
    result = run("show", "postgres", "14")
    assert result.exit_code == 0, result.output
    bundled = load_catalog(BUNDLED_SNAPSHOT)
    newest = bundled.newest_valid("postgres", "14").version
    out = result.stdout.splitlines()
    assert out[0].startswith("postgres: ") and f"source: {bundled.source}, {bundled.generated_at}" in out[0]
    assert f"major 14 (family postgres14; end of standard support unknown): newest valid {newest}" in out
    assert any(line.split() == ["14.7", "deprecated"] for line in out)
    assert any(line.split() == [newest, "available", "<-", "newest", "valid"] for line in out)
    assert not any(line.split()[:1] == ["15.2"] for line in out)  # only major 14


def test_show_json(tmp_path):
    cat = Catalog(
        [
            EngineVersion("redis", "6.2", "6", "redis6.x", "deprecated", None),
            EngineVersion("redis", "7.0", "7", "redis7", "available", None),
            EngineVersion("redis", "7.1", "7", "redis7", "available", None),
        ],
        source="hand-made",
        generated_at="2026-03-04",
        majors_info={"redis": {"7": {"end_of_standard_support": "2031-01-31"}}},
    )
    path = write_catalog(cat, tmp_path / "c.json")
    result = run("show", "Redis", "--format", "json", "--catalog", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["engine"] == "redis" and data["source"] == "hand-made" and data["generated_at"] == "2026-03-04"
    assert [m["major"] for m in data["majors"]] == ["6", "7"]
    six, seven = data["majors"]
    assert six["newest_valid"] is None and six["family"] == "redis6.x"
    assert seven["newest_valid"] == "7.1" and seven["end_of_standard_support"] == "2031-01-31"
    assert [(v["version"], v["status"]) for v in seven["versions"]] == [("7.0", "available"), ("7.1", "available")]
    # MAJOR may be given as any version of it; the group-level --catalog works too
    result = run("--catalog", str(path), "show", "redis", "7.0", "--format", "json")
    assert [m["major"] for m in json.loads(result.stdout)["majors"]] == ["7"]


def test_show_region_filter(tmp_path):
    cat = Catalog(
        [
            EngineVersion("postgres", "14.18", "14", "postgres14", "available", ("eu-west-1", "us-east-1")),
            EngineVersion("postgres", "14.19", "14", "postgres14", "available", ("us-east-1",)),
        ],
        source="aws-api us-east-1,eu-west-1",
        generated_at="2026-11-25",
        regions=["us-east-1", "eu-west-1"],
    )
    path = write_catalog(cat, tmp_path / "r.json")
    data = json.loads(run("show", "postgres", "--catalog", str(path), "--region", "eu-west-1", "--format", "json").stdout)
    assert data["majors"][0]["newest_valid"] == "14.18"
    assert [v["version"] for v in data["majors"][0]["versions"]] == ["14.18"]
    text = run("show", "postgres", "--catalog", str(path), "--region", "ap-south-1").stdout
    assert "no per-region data for ap-south-1" in text and "newest valid 14.19" in text


def test_show_lambda_runtimes(tmp_path):
    cat = Catalog(
        [],
        [
            LambdaRuntime("python2.7", "python", "2021-07-15", "2021-07-15", "2022-05-30", "python3.14"),
            LambdaRuntime("python3.14", "python", "2029-06-30", "2029-07-31", "2029-08-31", None),
            LambdaRuntime("nodejs24.x", "nodejs", "2028-04-30", "2028-06-01", "2028-07-01", None),
        ],
        source="hand-made",
        generated_at="2026-03-04",
    )
    path = write_catalog(cat, tmp_path / "l.json")
    data = json.loads(run("show", "lambda", "python", "--catalog", str(path), "--format", "json").stdout)
    assert [(r["name"], r["status"], r["successor"]) for r in data["runtimes"]] == [
        ("python2.7", "blocked", "python3.14"),
        ("python3.14", "supported", None),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["show", "oracle-ee"], "error: unknown engine 'oracle-ee'"),
        (["show", "postgres", "8"], "error: no postgres versions of major 8 in the catalog"),
        (["show", "neptune"], "error: no neptune versions in the catalog"),
        (["show", "postgres", "--catalog", "/nonexistent/catalog.json"], "error: cannot read catalog"),
    ],
)
def test_show_errors(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
