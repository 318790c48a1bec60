"""refresh_catalog against botocore Stubber: real clients (fake credentials, a region) whose
responses are validated against the installed service models.  Nothing reaches AWS."""

from __future__ import annotations

import datetime as dt
import os
import types

import boto3
import pytest
from botocore.stub import Stubber

from autofix.catalog import CatalogError, derive_family, load_catalog, write_catalog
from autofix.catalog.model import RDS_ENGINES
from autofix.catalog.refresh import refresh_catalog
from autofix.catalog.store import bundled_catalog, default_cache_path

FAKE_KEY = "AKIAFAKEFAKEFAKE1234"
FAKE_SECRET = "fakeSecretMustNeverBePrinted/0123456789"
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def aws_env(tmp_path, monkeypatch):
    """No real AWS configuration, credentials or metadata service can be used."""
    for var in list(os.environ):
        if var.startswith("AWS_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    load_catalog.cache_clear()


class World:
    """Stubbed clients, one per (service, region)."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, str], tuple[object, Stubber]] = {}
        self.created: list[tuple[str, str]] = []

    def _get(self, service: str, region: str):
        if (service, region) not in self.clients:
            session = boto3.session.Session(
                aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_SECRET, region_name=region
            )
            client = session.client(service)
            stubber = Stubber(client)
            stubber.activate()
            self.clients[(service, region)] = (client, stubber)
        return self.clients[(service, region)]

    def factory(self, service: str, region: str):
        self.created.append((service, region))
        return self._get(service, region)[0]

    def stub(self, service: str, region: str) -> Stubber:
        return self._get(service, region)[1]

    def assert_all_used(self) -> None:
        for stubber in (s for _, s in self.clients.values()):
            stubber.assert_no_pending_responses()


def dbv(engine: str, version: str, status: str = "available") -> dict:
    return {
        "Engine": engine,
        "EngineVersion": version,
        "DBParameterGroupFamily": derive_family(engine, version),
        "Status": status,
    }


def plain(engine: str, version: str, family: str | None = None) -> dict:
    """docdb/neptune entries: their model has no Status."""
    return {"Engine": engine, "EngineVersion": version, "DBParameterGroupFamily": family or derive_family(engine, version)}


def cev(engine: str, version: str, family: str) -> dict:
    return {"Engine": engine, "EngineVersion": version, "CacheParameterGroupFamily": family}


def stub_region(world, region, rds=None, majors=(), docdb=(), neptune=(), cache=(), major_error=None):
    """Queue the calls of one region's refresh, in order.  `rds`: engine -> list of pages."""
    rds = rds or {}
    s = world.stub("rds", region)
    for engine in RDS_ENGINES:
        pages = rds.get(engine) or [[]]
        for i, page in enumerate(pages):
            response = {"DBEngineVersions": page}
            if i < len(pages) - 1:
                response["Marker"] = f"{engine}-marker-{i + 1}"
            params = {"Engine": engine, "IncludeAll": True}
            if i:
                params["Marker"] = f"{engine}-marker-{i}"
            s.add_response("describe_db_engine_versions", response, params)
    if major_error is not None:
        s.add_client_error(
            "describe_db_major_engine_versions", service_error_code=major_error, http_status_code=403
        )
    elif major_error is None and majors is not None:
        s.add_response("describe_db_major_engine_versions", {"DBMajorEngineVersions": list(majors)}, {})
    world.stub("docdb", region).add_response(
        "describe_db_engine_versions", {"DBEngineVersions": list(docdb)}, {"Engine": "docdb"}
    )
    world.stub("neptune", region).add_response(
        "describe_db_engine_versions", {"DBEngineVersions": list(neptune)}, {"Engine": "neptune"}
    )
    world.stub("elasticache", region).add_response(
        "describe_cache_engine_versions", {"CacheEngineVersions": list(cache)}, {}
    )


def lifecycle(engine, major, standard_end, extended_end=None):
    lcs = [
        {
            "LifecycleSupportName": "open-source-rds-standard-support",
            "LifecycleSupportStartDate": dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc),
            "LifecycleSupportEndDate": standard_end,
        }
    ]
    if extended_end:
        lcs.append(
            {
                "LifecycleSupportName": "open-source-rds-extended-support",
                "LifecycleSupportStartDate": standard_end,
                "LifecycleSupportEndDate": extended_end,
            }
        )
    return {"Engine": engine, "MajorEngineVersion": major, "SupportedEngineLifecycles": lcs}


FULL_REGION = dict(
    rds={
        "postgres": [
            [dbv("postgres", "14.7", "deprecated"), dbv("postgres", "14.10", "deprecated")],
            [dbv("postgres", "14.9"), dbv("postgres", "14.18"), dbv("postgres", "9.6.24", "deprecated")],
        ],
        "mysql": [[dbv("mysql", "8.0.36"), dbv("mysql", "5.7.44", "deprecated")]],
        "mariadb": [[dbv("mariadb", "10.6.14")]],
        "aurora-postgresql": [[dbv("aurora-postgresql", "16.8"), dbv("aurora-postgresql", "16.10-limitless")]],
        "aurora-mysql": [
            [dbv("aurora-mysql", "8.0.mysql_aurora.3.08.2"), dbv("aurora-mysql", "5.7.mysql_aurora.2.11.2", "deprecated")]
        ],
    },
    majors=[
        lifecycle(
            "postgres",
            "14",
            dt.datetime(2027, 2, 28, tzinfo=dt.timezone.utc),
            dt.datetime(2030, 2, 28, tzinfo=dt.timezone.utc),
        ),
        lifecycle("mysql", "8.0", dt.datetime(2026, 7, 31, tzinfo=dt.timezone.utc)),
        lifecycle("oracle-ee", "19", dt.datetime(2029, 1, 1, tzinfo=dt.timezone.utc)),
    ],
    docdb=[plain("docdb", "5.0.0")],
    neptune=[plain("neptune", "1.3.2.1", "neptune1.3")],
    cache=[
        cev("redis", "7.1", "redis7"),
        cev("valkey", "8.0", "valkey8"),
        cev("memcached", "1.6.22", "memcached1.6"),
    ],
)


def test_refresh_paginates_and_keeps_deprecated_versions():
    world = World()
    stub_region(world, "us-east-1", **FULL_REGION)
    cat = refresh_catalog(["us-east-1"], client_factory=world.factory, today=TODAY)
    world.assert_all_used()  # both postgres pages were fetched with the right Marker

    assert cat.source == "aws-api us-east-1"
    assert cat.generated_at == "2026-11-25"
    assert cat.regions == ("us-east-1",)
    assert [v.version for v in cat.versions("postgres")] == ["9.6.24", "14.7", "14.9", "14.10", "14.18"]
    assert cat.find("postgres", "14.7").status == "deprecated"
    assert cat.find("postgres", "14.10").status == "deprecated"
    assert cat.find("postgres", "14.18").regions == ("us-east-1",)
    assert cat.find("postgres", "14.7").regions == ()
    assert cat.newest_valid("postgres", "14").version == "14.18"
    assert cat.newest_valid("mysql", "5.7") is None
    assert cat.newest_valid("aurora-postgresql", "16").version == "16.8"
    assert cat.family_for("aurora-mysql", "8.0.mysql_aurora.3.08.2") == "aurora-mysql8.0"
    assert cat.major_end_of_standard_support("postgres", "14") == "2027-02-28"
    assert cat.major_end_of_extended_support("postgres", "14") == "2030-02-28"
    assert cat.major_end_of_standard_support("mysql", "8.0") == "2026-07-31"
    assert cat.find("docdb", "5.0.0").available and cat.family_for("docdb", "5.0.0") == "docdb5.0"
    assert cat.find("neptune", "1.3.2.1").family == "neptune1.3"
    assert cat.find("redis", "7.1").family == "redis7"
    assert cat.find("valkey", "8.0").available
    # the APIs for these list only usable versions: snapshot versions no longer listed are deprecated
    assert cat.find("redis", "6.2").status == "deprecated"
    assert cat.newest_valid("redis", "6") is None
    # Lambda runtimes come from the bundled snapshot
    assert [r.name for r in cat.runtimes()] == [r.name for r in bundled_catalog().runtimes()]
    assert {s for s, _ in world.created} == {"rds", "docdb", "neptune", "elasticache"}


def test_refresh_round_trips_through_the_cache(tmp_path):
    world = World()
    stub_region(world, "us-east-1", **FULL_REGION)
    cat = refresh_catalog(["us-east-1"], client_factory=world.factory, today=TODAY)
    path = write_catalog(cat, default_cache_path())
    assert path == tmp_path / "xdg-cache" / "autofix" / "catalog.json"
    loaded = load_catalog()
    assert loaded == cat
    assert loaded.find("postgres", "14.18").regions == ("us-east-1",)


def test_refresh_several_regions_records_availability():
    world = World()
    stub_region(world, "us-east-1", rds={"postgres": [[dbv("postgres", "14.18"), dbv("postgres", "14.19")]]})
    stub_region(
        world,
        "eu-west-1",
        rds={"postgres": [[dbv("postgres", "14.18"), dbv("postgres", "14.7", "deprecated")]]},
        cache=[cev("redis", "7.1", "redis7")],
    )
    cat = refresh_catalog(["us-east-1", "eu-west-1", "us-east-1"], client_factory=world.factory, today=TODAY)
    world.assert_all_used()
    assert cat.regions == ("us-east-1", "eu-west-1")
    assert cat.find("postgres", "14.18").regions == ("eu-west-1", "us-east-1")
    assert cat.find("postgres", "14.19").regions == ("us-east-1",)
    assert cat.newest_valid("postgres", "14").version == "14.19"
    assert cat.newest_valid("postgres", "14", region="us-east-1").version == "14.19"
    assert cat.newest_valid("postgres", "14", region="eu-west-1").version == "14.18"
    assert [v.version for v in cat.versions("postgres", region="eu-west-1")] == ["14.7", "14.18"]
    assert cat.find("redis", "7.1").regions == ("eu-west-1",)


def test_throttling_becomes_a_one_line_catalog_error_and_leaves_the_cache():
    cache = write_catalog(bundled_catalog(), default_cache_path())
    before = cache.read_bytes()
    world = World()
    world.stub("rds", "us-east-1").add_client_error(
        "describe_db_engine_versions", service_error_code="Throttling", service_message="Rate exceeded", http_status_code=400
    )
    with pytest.raises(CatalogError) as err:
        refresh_catalog(["us-east-1"], client_factory=world.factory)
    message = str(err.value)
    assert "throttled" in message and "rds:DescribeDBEngineVersions" in message and "us-east-1" in message
    assert "\n" not in message and FAKE_KEY not in message and FAKE_SECRET not in message
    assert cache.read_bytes() == before


def test_access_denied_names_the_permission_without_leaking_details():
    world = World()
    world.stub("rds", "eu-west-1").add_client_error(
        "describe_db_engine_versions",
        service_error_code="AccessDenied",
        service_message=f"User: arn:aws:iam::123456789012:user/bob is not authorized ({FAKE_KEY})",
        http_status_code=403,
    )
    with pytest.raises(CatalogError) as err:
        refresh_catalog(["eu-west-1"], client_factory=world.factory)
    message = str(err.value)
    assert message.startswith("access denied calling rds:DescribeDBEngineVersions in eu-west-1")
    assert "123456789012" not in message and FAKE_KEY not in message


def test_error_on_a_later_page_fails_the_whole_refresh():
    world = World()
    s = world.stub("rds", "us-east-1")
    s.add_response(
        "describe_db_engine_versions",
        {"DBEngineVersions": [dbv("postgres", "14.18")], "Marker": "next"},
        {"Engine": "postgres", "IncludeAll": True},
    )
    s.add_client_error("describe_db_engine_versions", service_error_code="ThrottlingException", http_status_code=400)
    with pytest.raises(CatalogError, match="throttled"):
        refresh_catalog(["us-east-1"], client_factory=world.factory)


def test_elasticache_access_denied_is_reported_for_elasticache():
    world = World()
    stub_region(world, "us-east-1", **{k: v for k, v in FULL_REGION.items() if k != "cache"})
    # replace the queued elasticache response by an error
    world.clients.pop(("elasticache", "us-east-1"))
    world.stub("elasticache", "us-east-1").add_client_error(
        "describe_cache_engine_versions", service_error_code="AccessDenied", http_status_code=403
    )
    with pytest.raises(CatalogError, match="elasticache:DescribeCacheEngineVersions"):
        refresh_catalog(["us-east-1"], client_factory=world.factory)


def test_end_of_support_dates_are_optional_when_denied():
    world = World()
    stub_region(world, "us-east-1", rds={"postgres": [[dbv("postgres", "14.18")]]}, major_error="AccessDenied")
    cat = refresh_catalog(["us-east-1"], client_factory=world.factory)
    world.assert_all_used()
    assert cat.newest_valid("postgres", "14").version == "14.18"
    assert cat.major_end_of_standard_support("postgres", "14") is None


def test_end_of_support_dates_skipped_when_botocore_lacks_the_operation():
    world = World()
    stub_region(world, "us-east-1", rds={"postgres": [[dbv("postgres", "14.18")]]}, majors=None)

    class OldRds:
        """An rds client as an older botocore would build it: no DescribeDBMajorEngineVersions."""

        def __init__(self, client):
            self._client = client
            names = [n for n in client.meta.service_model.operation_names if n != "DescribeDBMajorEngineVersions"]
            self.meta = types.SimpleNamespace(service_model=types.SimpleNamespace(operation_names=names))

        def __getattr__(self, name):
            return getattr(self._client, name)

    def factory(service, region):
        client = world.factory(service, region)
        return OldRds(client) if service == "rds" else client

    cat = refresh_catalog(["us-east-1"], client_factory=factory)
    world.assert_all_used()  # and no unexpected call to the missing operation
    assert cat.find("postgres", "14.18").available


def test_missing_credentials_become_a_catalog_error():
    session = boto3.session.Session(region_name="us-east-1")  # nothing to find in the cleaned env
    with pytest.raises(CatalogError, match="no AWS credentials"):
        refresh_catalog([], session=session)


def test_missing_region_becomes_a_catalog_error():
    session = boto3.session.Session(aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_SECRET)
    assert session.region_name is None
    with pytest.raises(CatalogError, match="no AWS region"):
        refresh_catalog([], session=session)


def test_session_region_is_the_default(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    world = World()
    stub_region(world, "ap-southeast-2")

    class Session(boto3.session.Session):
        def client(self, service_name, region_name=None, **kwargs):
            return world.factory(service_name, region_name)

    cat = refresh_catalog(None, session=Session(aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_SECRET))
    world.assert_all_used()
    assert cat.regions == ("ap-southeast-2",)


def test_endpoint_url_from_the_environment_is_honoured(monkeypatch):
    # boto3 reads AWS_ENDPOINT_URL itself; refresh must not override it.  Nothing listens on
    # 127.0.0.1:9, so the call fails to connect (locally) and becomes a CatalogError.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    session = boto3.session.Session(
        aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_SECRET, region_name="us-west-2"
    )
    with pytest.raises(CatalogError) as err:
        refresh_catalog(["us-west-2"], session=session)
    assert str(err.value) == "cannot reach the rds endpoint for region us-west-2: check the region and network"
