#!/usr/bin/env python
"""Regenerate autofix/catalog/data/snapshot.json from the installed cfn-lint.

    python scripts/update_catalog_snapshot.py [--output PATH] [--date YYYY-MM-DD]

What cfn-lint ships and how it is used (cfn-lint builds these files from the AWS APIs in
us-east-1 with ``describe_db_engine_versions(IncludeAll=True)`` and
``describe_cache_engine_versions``):

* RDS (postgres, mysql, mariadb, aurora-postgresql, aurora-mysql): every version from
  ``schemas/extensions/aws_rds_{dbinstance,dbcluster}/engine_version.json``; "deprecated" when
  listed in ``engine_version_deprecated.json``.  cfn-lint adds whole-major values to those lists
  (``14`` for postgres, ``8.0`` for aurora-mysql); they are not versions and are dropped.
* mariadb has no deprecated list in cfn-lint.  Its status is inferred from
  ``aws_rds_dbinstance/db_instance_class.json``, which cfn-lint builds from the *available*
  versions only, keyed by major.minor: a mariadb version whose major.minor has no entry there is
  "deprecated".  (That file merges the minors of all engines, so the inference can only err
  towards "available".)
* ElastiCache (redis, valkey, memcached): ``aws_elasticache_cachecluster/engine_version.json``;
  the API lists only versions that can be used, so all are "available".
* DocumentDB: the ``EngineVersion`` enum of the AWS::DocDB::DBCluster resource schema; no
  status data, so all are "available".  Neptune: cfn-lint has no version data (left out).
* Lambda: ``AdditionalSpecs/LmbdRuntimeLifecycle.json`` (deprecation / block dates, successor).
* No end-of-standard-support dates (cfn-lint has none): ``autofix catalog update`` adds them.

The source is recorded as ``cfn-lint <version>`` and the date as cfn-lint's schema date
(``data/schemas/version.json``), falling back to today.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autofix.catalog.model import (  # noqa: E402
    AVAILABLE,
    DEPRECATED,
    Catalog,
    EngineVersion,
    LambdaRuntime,
    _is_concrete,
    _major,
    derive_family,
    runtime_family,
)
from autofix.catalog.store import BUNDLED_SNAPSHOT, catalog_to_text  # noqa: E402

RDS = ("postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql")
CACHE = ("redis", "valkey", "memcached")


def _cfnlint_data_dir() -> Path:
    import cfnlint.data

    return Path(cfnlint.data.__file__).resolve().parent


def _cfnlint_version() -> str:
    from cfnlint.version import __version__

    return __version__


def _read(path: Path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _enums(path: Path) -> dict[str, list[str]]:
    """engine -> EngineVersion values from a cfn-lint ``if Engine const / then enum`` schema;
    for the *_deprecated files (``then: false``) the enum sits in the ``if``."""
    out: dict[str, list[str]] = {}
    for rule in _read(path).get("allOf", []):
        props = rule.get("if", {}).get("properties", {})
        engine = props.get("Engine", {}).get("const")
        if not engine:
            continue
        if rule.get("then") is False:
            values = props.get("EngineVersion", {}).get("enum", [])
        else:
            values = rule.get("then", {}).get("properties", {}).get("EngineVersion", {}).get("enum", [])
        out.setdefault(engine, []).extend(str(v) for v in values)
    return out


def _available_minors(path: Path) -> set[str]:
    minors = set()
    for rule in _read(path).get("allOf", []):
        pattern = rule.get("if", {}).get("properties", {}).get("EngineVersion", {}).get("pattern", "")
        m = re.match(r"^\^\(([0-9]+)\\\.([0-9]+)\\\.", pattern)
        if m:
            minors.add(f"{m.group(1)}.{m.group(2)}")
    return minors


def _schema_date(data: Path) -> str | None:
    try:
        stamp = _read(data / "schemas" / "version.json").get("schema_date")
        return dt.date.fromisoformat(str(stamp)[:10]).isoformat()
    except (OSError, ValueError, AttributeError):
        return None


def build_snapshot(data: Path | None = None, version: str | None = None, date: str | None = None) -> Catalog:
    data = data or _cfnlint_data_dir()
    version = version or _cfnlint_version()
    ext = data / "schemas" / "extensions"
    versions: list[EngineVersion] = []

    def add(engine: str, values, deprecated=frozenset(), status_of=None) -> None:
        seen = set()
        for v in values:
            v = v.strip()
            if not v or v.lower() in seen or not _is_concrete(engine, v):
                continue
            seen.add(v.lower())
            status = status_of(v) if status_of else (DEPRECATED if v in deprecated else AVAILABLE)
            versions.append(
                EngineVersion(engine, v, _major(engine, v), derive_family(engine, v), status, None)
            )

    all_rds: dict[str, list[str]] = {}
    dep_rds: dict[str, set[str]] = {}
    for resource in ("aws_rds_dbinstance", "aws_rds_dbcluster"):
        for engine, values in _enums(ext / resource / "engine_version.json").items():
            all_rds.setdefault(engine, []).extend(values)
        for engine, values in _enums(ext / resource / "engine_version_deprecated.json").items():
            dep_rds.setdefault(engine, set()).update(values)
    minors = _available_minors(ext / "aws_rds_dbinstance" / "db_instance_class.json")
    for engine in RDS:
        if engine == "mariadb" and engine not in dep_rds:

            def status_of(v: str) -> str:
                return AVAILABLE if ".".join(v.split(".")[:2]) in minors else DEPRECATED

            add(engine, all_rds.get(engine, []), status_of=status_of)
        else:
            add(engine, all_rds.get(engine, []), deprecated=frozenset(dep_rds.get(engine, ())))

    cache = _enums(ext / "aws_elasticache_cachecluster" / "engine_version.json")
    for engine in CACHE:
        add(engine, cache.get(engine, []))

    providers = _read(data / "schemas" / "providers" / "us-east-1.json")
    docdb_hash = providers.get("AWS::DocDB::DBCluster")
    if docdb_hash:
        schema = _read(data / "schemas" / "resources" / f"{docdb_hash}.json")
        add("docdb", schema.get("properties", {}).get("EngineVersion", {}).get("enum", []))

    runtimes = []
    for name, info in sorted(_read(data / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json").items()):
        runtimes.append(
            LambdaRuntime(
                name=name,
                family=runtime_family(name),
                deprecated=info.get("deprecated"),
                block_create=info.get("create-block"),
                block_update=info.get("update-block"),
                successor=info.get("successor"),
            )
        )

    notes = [
        "Seeded from cfn-lint data (built by cfn-lint from the AWS APIs in us-east-1); no per-region data.",
        "RDS status: cfn-lint's engine_version_deprecated lists; mariadb status inferred per major.minor "
        "from cfn-lint's available instance-class data.",
        "ElastiCache and DocumentDB: versions accepted/listed, all marked available (no status data).",
        "Neptune: no data in cfn-lint; run 'autofix catalog update' to add it.",
        "End-of-standard-support dates: not in cfn-lint; 'autofix catalog update' adds them.",
    ]
    return Catalog(
        versions,
        runtimes,
        source=f"cfn-lint {version}",
        generated_at=date or _schema_date(data) or dt.date.today().isoformat(),
        notes=notes,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=BUNDLED_SNAPSHOT, help="default: the bundled snapshot")
    ap.add_argument("--date", help="date to record (default: cfn-lint's schema date, else today)")
    args = ap.parse_args(argv)
    catalog = build_snapshot(date=args.date)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(catalog_to_text(catalog), encoding="utf-8")
    counts = ", ".join(f"{e} {len(catalog.versions(e))}" for e in catalog.engines())
    print(f"wrote {args.output}: {catalog.source} ({catalog.generated_at}): {counts}; "
          f"{len(catalog.runtimes())} Lambda runtimes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
