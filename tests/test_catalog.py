"""Catalog model, ordering, majors/families, the bundled snapshot and load_catalog precedence."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autofix.catalog as catalog_pkg
from autofix.catalog import (
    BUNDLED_SNAPSHOT,
    Catalog,
    CatalogError,
    EngineVersion,
    LambdaRuntime,
    default_cache_path,
    derive_family,
    load_catalog,
    major_of,
    normalize_engine,
    version_key,
    write_catalog,
)
from autofix.catalog import store

ROOT = Path(__file__).resolve().parent.parent


def ev(engine: str, version: str, status: str = "available", regions=None) -> EngineVersion:
    return EngineVersion(engine, version, major_of(engine, version), derive_family(engine, version), status, regions)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test sees an empty user cache folder and a fresh in-process cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    load_catalog.cache_clear()
    yield
    load_catalog.cache_clear()


# ---------------------------------------------------------------------------------------------
# ordering


def test_numeric_not_lexical_ordering():
    assert version_key("14.10") > version_key("14.9")
    assert version_key("10.21") > version_key("9.6.24")
    versions = ["14.9", "14.10", "9.6.24", "14.1", "10.21", "14.2"]
    assert sorted(versions, key=version_key) == ["9.6.24", "10.21", "14.1", "14.2", "14.9", "14.10"]


def test_ordering_of_suffixed_and_aurora_versions():
    ordered = [
        "8.0.mysql_aurora.3.02.0",
        "8.0.mysql_aurora.3.08.2",
        "8.0.mysql_aurora.3.10.0",
        "8.0.mysql_aurora.3.10.1",
    ]
    assert sorted(reversed(ordered), key=version_key) == ordered
    rds = ["11.21", "11.22", "11.22-rds.20240418", "11.22-rds.20240509", "11.22-rds.20260514"]
    assert sorted(reversed(rds), key=version_key) == rds
    assert version_key("16.10") < version_key("16.10-limitless") < version_key("16.11")
    assert version_key("3.08.2") == version_key("3.08.2") and version_key("3.8.2") != version_key("3.08.2")


_part = st.one_of(st.integers(0, 10**12).map(str), st.sampled_from(["rds", "mysql_aurora", "x", "limitless", "a"]))
_versions = st.lists(_part, min_size=1, max_size=6).flatmap(
    lambda parts: st.sampled_from([".", "-", "_"]).map(lambda sep: sep.join(parts))
)
_any_versions = st.one_of(_versions, st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=6), st.lists(st.integers(0, 10**6), min_size=1, max_size=6))
def test_version_key_agrees_with_numeric_tuples(a, b):
    va, vb = ".".join(map(str, a)), ".".join(map(str, b))
    ka, kb = version_key(va), version_key(vb)
    assert (ka < kb) == (tuple(a) < tuple(b))
    assert (ka == kb) == (tuple(a) == tuple(b))


@settings(max_examples=300, deadline=None)
@given(_any_versions, _any_versions, _any_versions)
def test_version_key_is_a_total_order(a, b, c):
    ka, kb, kc = version_key(a), version_key(b), version_key(c)
    # totality / trichotomy: exactly one relation holds (comparison never raises)
    assert [ka < kb, ka == kb, ka > kb].count(True) == 1
    # keys are equal only for the same normalised string
    assert (ka == kb) == (a.strip().lower() == b.strip().lower())
    # transitivity
    if ka <= kb and kb <= kc:
        assert ka <= kc


# ---------------------------------------------------------------------------------------------
# majors, families, engines


@pytest.mark.parametrize(
    "engine, version, major",
    [
        ("postgres", "14.10", "14"),
        ("postgres", "14", "14"),
        ("postgres", "11.22-rds.20240418", "11"),
        ("postgres", "9.6.24", "9.6"),
        ("postgres", "9.5.2", "9.5"),
        ("aurora-postgresql", "15.4", "15"),
        ("aurora-postgresql", "16.10-limitless", "16"),
        ("aurora-postgresql", "9.6.22", "9.6"),
        ("mysql", "8.0.36", "8.0"),
        ("mysql", "5.7.44-rds.20240408", "5.7"),
        ("MySQL", "8.4.3", "8.4"),
        ("mariadb", "10.6.14", "10.6"),
        ("mariadb", "10.11.9", "10.11"),
        ("aurora-mysql", "8.0.mysql_aurora.3.08.2", "8.0"),
        ("aurora-mysql", "5.7.mysql_aurora.2.11.2", "5.7"),
        ("aurora-mysql", "8.4.mysql_aurora.8.4.7", "8.4"),
        ("aurora-mysql", "5.7.12", "5.7"),
        ("aurora-mysql", "8.0", "8.0"),
        ("aurora-mysql", "3.08.2", "8.0"),
        ("aurora-mysql", "2.11.2", "5.7"),
        ("aurora", "5.6.10a", "5.6"),
        ("redis", "7.1", "7"),
        ("redis", "6.x", "6"),
        ("redis", "6.2", "6"),
        ("redis", "5.0.6", "5"),
        ("valkey", "7.2", "7"),
        ("valkey", "8.0", "8"),
        ("memcached", "1.6.22", "1.6"),
        ("docdb", "5.0.0", "5.0"),
        ("neptune", "1.3.2.1", "1.3"),
    ],
)
def test_major_of(engine, version, major):
    assert major_of(engine, version) == major


def test_major_of_rejects_unknown_engine_and_non_versions():
    with pytest.raises(CatalogError, match="unknown engine"):
        major_of("oracle-ee", "19.0.0.0")
    with pytest.raises(CatalogError, match="latest"):
        major_of("postgres", "latest")


@pytest.mark.parametrize(
    "engine, version, family",
    [
        ("postgres", "14.10", "postgres14"),
        ("postgres", "9.6.24", "postgres9.6"),
        ("aurora-postgresql", "15.4", "aurora-postgresql15"),
        ("mysql", "8.0.36", "mysql8.0"),
        ("mysql", "5.7.44", "mysql5.7"),
        ("mariadb", "10.6.14", "mariadb10.6"),
        ("aurora-mysql", "8.0.mysql_aurora.3.08.2", "aurora-mysql8.0"),
        ("aurora-mysql", "5.7.mysql_aurora.2.11.2", "aurora-mysql5.7"),
        ("aurora", "5.6.10a", "aurora5.6"),
        ("redis", "7.1", "redis7"),
        ("redis", "7.0", "redis7"),
        ("redis", "6.2", "redis6.x"),
        ("redis", "6.x", "redis6.x"),
        ("redis", "5.0.6", "redis5.0"),
        ("redis", "4.0.10", "redis4.0"),
        ("valkey", "8.1", "valkey8"),
        ("valkey", "7.2", "valkey7"),
        ("memcached", "1.6.22", "memcached1.6"),
        ("docdb", "5.0.0", "docdb5.0"),
        ("neptune", "1.3.2.1", "neptune1.3"),
        ("neptune", "1.1.1.0", "neptune1"),
        ("postgres", "latest", None),
        ("oracle-ee", "19.0", None),
    ],
)
def test_derive_family(engine, version, family):
    assert derive_family(engine, version) == family


@pytest.mark.parametrize(
    "value, engine",
    [
        ("postgres", "postgres"),
        ("POSTGRES", "postgres"),
        (" aurora-postgresql ", "aurora-postgresql"),
        ("MySQL", "mysql"),
        ("mariadb", "mariadb"),
        ("aurora", "aurora-mysql"),
        ("aurora-mysql", "aurora-mysql"),
        ("Redis", "redis"),
        ("valkey", "valkey"),
        ("memcached", "memcached"),
        ("docdb", "docdb"),
        ("neptune", "neptune"),
        ("oracle-ee", None),
        ("sqlserver-se", None),
        ("custom-oracle-ee", None),
        ("db2-se", None),
        ("", None),
        (None, None),
        ({"Ref": "Engine"}, None),
    ],
)
def test_normalize_engine(value, engine):
    assert normalize_engine(value) == engine


# ---------------------------------------------------------------------------------------------
# catalog lookups


@pytest.fixture
def small() -> Catalog:
    return Catalog(
        [
            ev("postgres", "14.9"),
            ev("postgres", "14.10", "deprecated"),
            ev("postgres", "14.7", "deprecated"),
            ev("postgres", "14.8"),
            ev("postgres", "15.2", "deprecated"),
            ev("aurora-postgresql", "16.8"),
            ev("aurora-postgresql", "16.10-limitless"),
            ev("aurora-postgresql", "16.9", "deprecated"),
            ev("redis", "6.2"),
            ev("redis", "7.1"),
        ],
        [LambdaRuntime("python3.9", "python", "2025-12-15", "2027-02-01", "2027-03-03", "python3.14")],
        source="test",
        generated_at="2026-01-01",
        majors_info={"postgres": {"14": {"end_of_standard_support": "2027-02-28"}}},
    )


def test_versions_sorted_numerically_and_find(small):
    assert [v.version for v in small.versions("postgres")] == ["14.7", "14.8", "14.9", "14.10", "15.2"]
    assert small.find("postgres", "14.7").status == "deprecated"
    assert small.find("POSTGRES", "14.7").available is False
    assert small.find("postgres", "14.8").available is True
    assert small.find("postgres", "14.11") is None
    assert small.find("oracle-ee", "19") is None
    assert small.engines() == ["aurora-postgresql", "postgres", "redis"]


def test_newest_valid_skips_deprecated_even_when_newest(small):
    # 14.10 is the newest 14.x but deprecated: the newest *valid* one is 14.9
    assert small.newest_valid("postgres", "14").version == "14.9"
    assert small.newest_valid("postgres", "14.7").version == "14.9"  # any version of the major works
    assert small.newest_valid("postgres", "15") is None  # all deprecated
    assert small.newest_valid("postgres", "16") is None  # no such major
    assert small.newest_valid("oracle-ee", "19") is None


def test_newest_valid_ignores_limitless_unless_asked(small):
    assert small.newest_valid("aurora-postgresql", "16").version == "16.8"
    assert small.newest_valid("aurora-postgresql", "16", variant="limitless").version == "16.10-limitless"


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.tuples(st.integers(0, 30), st.integers(0, 30)), st.booleans(), min_size=1, max_size=25))
def test_newest_valid_is_the_max_available(entries):
    cat = Catalog([ev("postgres", f"14.{a}.{b}", "available" if ok else "deprecated") for (a, b), ok in entries.items()])
    got = cat.newest_valid("postgres", "14")
    avail = [(a, b) for (a, b), ok in entries.items() if ok]
    if not avail:
        assert got is None
    else:
        assert got is not None and got.available
        assert got.version == "14.%d.%d" % max(avail)


def test_majors_family_and_support(small):
    assert small.majors("postgres") == ["14", "15"]
    assert small.majors("redis") == ["6", "7"]
    assert small.family_for("postgres", "14.9") == "postgres14"
    assert small.family_for("redis", "6.2") == "redis6.x"
    assert small.family_for("postgres", "18.1") == "postgres18"  # not in the catalog: derived
    assert small.family_for("postgres", "garbage") is None
    assert small.major_end_of_standard_support("postgres", "14") == "2027-02-28"
    assert small.major_end_of_standard_support("postgres", "15") is None


def test_is_major_only(small):
    assert small.is_major_only("postgres", "14") is True
    assert small.is_major_only("redis", "6.x") is True
    assert small.is_major_only("postgres", "14.9") is False
    assert small.is_major_only("postgres", "13") is False  # no 13.x in the catalog


def test_region_filtering():
    cat = Catalog(
        [
            ev("postgres", "14.8", regions=("us-east-1", "eu-west-1")),
            ev("postgres", "14.9", regions=("us-east-1",)),
            ev("postgres", "14.7", "deprecated", regions=()),
        ],
        regions=["us-east-1", "eu-west-1"],
    )
    assert [v.version for v in cat.versions("postgres", "eu-west-1")] == ["14.7", "14.8"]
    assert cat.newest_valid("postgres", "14", "eu-west-1").version == "14.8"
    assert cat.newest_valid("postgres", "14", "us-east-1").version == "14.9"
    assert cat.newest_valid("postgres", "14").version == "14.9"
    assert cat.find("postgres", "14.9", "eu-west-1") is None
    assert cat.find("postgres", "14.7", "eu-west-1").status == "deprecated"
    # a region the catalog has no data for is not filtered
    assert cat.newest_valid("postgres", "14", "ap-south-1").version == "14.9"


def test_lambda_runtime_status_boundaries():
    rt = LambdaRuntime("python3.9", "python", "2025-12-15", "2027-02-01", "2027-03-03", "python3.14")
    assert rt.status(dt.date(2025, 12, 14)) == "supported"
    assert rt.status(dt.date(2025, 12, 15)) == "deprecated"
    assert rt.status(dt.date(2027, 1, 31)) == "deprecated"
    assert rt.status(dt.date(2027, 2, 1)) == "blocked"
    assert rt.status(dt.datetime(2027, 2, 1, 12, 0)) == "blocked"
    assert LambdaRuntime("python3.14", "python").status(dt.date(2030, 1, 1)) == "supported"


def test_json_round_trip(small):
    data = small.to_json()
    again = Catalog.from_json(json.loads(json.dumps(data)))
    assert again == small
    assert again.find("postgres", "14.7").status == "deprecated"
    assert again.runtime("python3.9").successor == "python3.14"
    assert again.major_end_of_standard_support("postgres", "14") == "2027-02-28"


@pytest.mark.parametrize(
    "bad",
    [
        [],
        {"format": 99, "source": "x", "generated_at": "2026-01-01", "engines": {}},
        {"format": 1, "source": "x", "generated_at": "2026-01-01", "engines": []},
        {"format": 1, "source": "x", "generated_at": "2026-01-01",
         "engines": {"postgres": {"versions": [{"version": "14.7", "status": "maybe"}]}}},
        {"format": 1, "source": "x", "generated_at": "2026-01-01",
         "engines": {"postgres": {"versions": [{"status": "available"}]}}},
        {"format": 1, "source": "x", "generated_at": "not a date", "engines": {}},
    ],
)
def test_from_json_rejects_bad_data(bad):
    with pytest.raises(CatalogError, match="not a valid catalog|not an ISO date"):
        Catalog.from_json(bad)


# ---------------------------------------------------------------------------------------------
# the bundled snapshot


def test_snapshot_postgres_14():
    cat = load_catalog(BUNDLED_SNAPSHOT)
    assert cat.source.startswith("cfn-lint ")
    dt.date.fromisoformat(cat.generated_at)
    old = cat.find("postgres", "14.7")
    assert old is not None and old.status == "deprecated"
    newest = cat.newest_valid("postgres", "14")
    assert newest is not None and newest.available and newest.family == "postgres14"
    assert version_key(newest.version) > version_key("14.17")
    assert all(not v.available for v in cat.versions("postgres") if v.major == "14" and v.key > newest.key)
    assert cat.find("postgres", "14") is None and cat.is_major_only("postgres", "14")


def test_snapshot_contents():
    cat = load_catalog(BUNDLED_SNAPSHOT)
    assert set(cat.engines()) >= {
        "postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql", "redis", "valkey", "memcached", "docdb",
    }
    assert BUNDLED_SNAPSHOT.stat().st_size < 300_000
    # aurora-mysql: both generations, newest valid 8.0 is a 3.x release
    assert cat.find("aurora-mysql", "5.7.mysql_aurora.2.11.2") is not None
    assert cat.newest_valid("aurora-mysql", "8.0").version.startswith("8.0.mysql_aurora.3.")
    assert cat.family_for("aurora-mysql", "8.0.mysql_aurora.3.08.2") == "aurora-mysql8.0"
    # aurora-postgresql newest 16 is never a Limitless release
    assert cat.newest_valid("aurora-postgresql", "16").variant == ""
    # mariadb: long-retired lines deprecated, 10.6 still has a valid version
    assert cat.find("mariadb", "10.3.39").status == "deprecated"
    assert cat.newest_valid("mariadb", "10.6") is not None
    assert cat.newest_valid("postgres", "10") is None
    assert cat.majors("redis")[-1] == "7" and cat.newest_valid("redis", "7") is not None
    assert cat.runtime("python3.9").successor and cat.runtime("python3.9").family == "python"
    assert cat.runtime("nodejs18.x").family == "nodejs" == cat.runtime("nodejs18.x").language
    assert cat.runtime("dotnetcore3.1").family == "dotnet"
    assert cat.runtime("python2.7").status(dt.date(2026, 1, 1)) == "blocked"
    family_forms = {
        "postgres": r"postgres\d+(\.\d)?",
        "aurora-postgresql": r"aurora-postgresql\d+(\.\d)?",
        "mysql": r"mysql\d\.\d",
        "mariadb": r"mariadb\d+\.\d+",
        "aurora-mysql": r"aurora-mysql\d\.\d",
        "redis": r"redis(\d\.\d|6\.x|[7-9])",
        "valkey": r"valkey\d+",
        "memcached": r"memcached1\.\d",
        "docdb": r"docdb\d\.\d",
    }
    for engine, form in family_forms.items():
        for v in cat.versions(engine):
            assert re.fullmatch(form, v.family), (engine, v.version, v.family)


def _load_script():
    spec = importlib.util.spec_from_file_location("update_catalog_snapshot", ROOT / "scripts" / "update_catalog_snapshot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_update_script_reproduces_the_bundled_snapshot(tmp_path):
    script = _load_script()
    bundled = json.loads(BUNDLED_SNAPSHOT.read_text())
    if bundled["source"] != f"cfn-lint {script._cfnlint_version()}":
        pytest.skip("installed cfn-lint differs from the one the snapshot was built from")
    out = tmp_path / "snap.json"
    assert script.main(["--output", str(out)]) == 0
    assert out.read_text() == BUNDLED_SNAPSHOT.read_text()


# ---------------------------------------------------------------------------------------------
# load_catalog and the cache


def _tiny(source: str) -> Catalog:
    return Catalog([ev("postgres", "14.9")], source=source, generated_at="2026-02-02")


def test_default_cache_path_honours_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    assert default_cache_path() == tmp_path / "c" / "autofix" / "catalog.json"


def test_default_cache_path_platforms(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    assert default_cache_path() == tmp_path / ".cache" / "autofix" / "catalog.json"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_cache_path() == tmp_path / ".cache" / "autofix" / "catalog.json"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_cache_path() == tmp_path / "Library" / "Caches" / "autofix" / "catalog.json"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert default_cache_path() == tmp_path / "Local" / "autofix" / "Cache" / "catalog.json"


def test_load_catalog_precedence(tmp_path):
    bundled = load_catalog()
    assert bundled.source.startswith("cfn-lint ")  # no cache yet: the snapshot
    write_catalog(_tiny("from-cache"), default_cache_path())
    assert load_catalog().source == "from-cache"  # cache beats the snapshot
    explicit = write_catalog(_tiny("explicit"), tmp_path / "mine.json")
    assert load_catalog(explicit).source == "explicit"  # explicit path beats the cache
    assert load_catalog(str(explicit)).source == "explicit"


def test_load_catalog_is_cached_and_sees_updates(tmp_path):
    path = write_catalog(_tiny("one"), tmp_path / "c.json")
    first = load_catalog(path)
    assert load_catalog(path) is first
    write_catalog(_tiny("two-longer"), path)
    assert load_catalog(path).source == "two-longer"


def test_corrupt_cache_falls_back_to_snapshot(caplog):
    cache = default_cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_text('{"format": 1, "engines": ')  # truncated
    with caplog.at_level(logging.WARNING):
        cat = load_catalog()
    assert cat.source.startswith("cfn-lint ")
    assert "ignoring the catalog cache" in caplog.text
    cache.write_text(json.dumps({"format": 1, "source": "x", "generated_at": "2026-01-01", "engines": []}))
    assert load_catalog().source.startswith("cfn-lint ")


def test_explicit_bad_path_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="cannot read catalog"):
        load_catalog(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("nope")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(bad)


def test_write_catalog_is_atomic(tmp_path, monkeypatch):
    path = write_catalog(_tiny("original"), tmp_path / "c.json")
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(CatalogError, match="No space left"):
        write_catalog(_tiny("replacement"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]  # no temp file left


def test_refresh_is_lazily_exported():
    from autofix.catalog.refresh import refresh_catalog

    assert catalog_pkg.refresh_catalog is refresh_catalog
    assert store.BUNDLED_SNAPSHOT == BUNDLED_SNAPSHOT
