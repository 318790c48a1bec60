"""Judging an engine version against the catalog, shared by the CloudFormation (AF2xx) and
CDK (AF5xx) version rules so that both give the same verdict, and the `[versions]` settings."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Any

from autofix.catalog.model import variant_of, version_key

POLICIES = ("fix-invalid", "latest-minor", "major-only")
#: engines for which `policy = "major-only"` writes the major alone (`14`): RDS then picks the
#: default minor.  RDS accepts majors for MySQL and MariaDB too, but cfn-lint's version data
#: lists only full versions for them and reports a major as an error (E3691), and autofix never
#: writes what cfn-lint rejects; so those engines get the newest full version instead.
MAJOR_ONLY_ENGINES = frozenset({"postgres"})
#: aws-cdk-lib names major-only versions for all three (PostgresEngineVersion.VER_14,
#: MysqlEngineVersion.VER_8_0, MariaDbEngineVersion.VER_10_6): CDK apps may use them
CDK_MAJOR_ONLY_ENGINES = frozenset({"postgres", "mysql", "mariadb"})

SERVICE = {
    "postgres": "RDS",
    "mysql": "RDS",
    "mariadb": "RDS",
    "aurora-postgresql": "Aurora",
    "aurora-mysql": "Aurora",
    "redis": "ElastiCache",
    "valkey": "ElastiCache",
    "memcached": "ElastiCache",
    "docdb": "DocumentDB",
    "neptune": "Neptune",
}

def section(ctx) -> dict:
    s = ctx.section("versions")
    return s if isinstance(s, dict) else {}


def policy(ctx) -> str:
    """`[versions] policy`: fix-invalid (default), latest-minor or major-only."""
    value = section(ctx).get("policy", "fix-invalid")
    if value not in POLICIES:
        raise ValueError(f"[versions] policy must be one of {', '.join(POLICIES)}, not {value!r}")
    return value


def today(ctx) -> _dt.date:
    """The date lifecycle dates are compared with: `[versions] today = "YYYY-MM-DD"` (for tests,
    or to see what a template will face on a later day), else the local date."""
    value = section(ctx).get("today")
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"[versions] today must be a date (YYYY-MM-DD), not {value!r}") from None


def region(ctx) -> str | None:
    """The region whose availability counts: settings/--region, else AWS_REGION, AWS_DEFAULT_REGION."""
    return ctx.settings.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


def parse_date(value: str | None) -> _dt.date | None:
    if not value:
        return None
    try:
        return _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def catalog_label(cat) -> str:
    src = getattr(cat, "source", "") or "catalog"
    when = getattr(cat, "generated_at", "")
    return f"{src}, {when}" if when else src


@dataclass
class Verdict:
    """What the catalog says about one engine version.

    status: "valid" (an available version, or a major alone that has one), "older" (available,
    but a newer minor of the same major is), "invalid" (deprecated, unknown, or not offered in
    the region, and a valid version of the same major exists), "ahead" (unknown, but newer than
    anything the catalog knows in its major: the catalog may be out of date), "retired" (no
    version of its major can be used any more), "unknown-major" (a major newer than the catalog
    knows), "not-a-version".
    """

    status: str
    engine: str
    value: str
    major: str | None = None
    entry: Any = None  # the catalog entry of `value`
    best: Any = None  # the newest valid version of the same major
    why: str = ""

    def replacement(self, pol: str, major_only_engines: frozenset = MAJOR_ONLY_ENGINES) -> str:
        if pol == "major-only" and self.engine in major_only_engines:
            return self.major
        return self.best.version


def judge(cat, engine: str, value: str, region: str | None) -> Verdict:
    try:
        major = cat.major_of(engine, value)
    except Exception:
        return Verdict("not-a-version", engine, value)
    service = SERVICE.get(engine, "AWS")
    best = cat.newest_valid(engine, major, region, variant=variant_of(value))
    v = Verdict("valid", engine, value, major, cat.find(engine, value, region), best)
    if best is None:
        majors = cat.majors(engine)
        if majors and major not in majors and version_key(major) > max(version_key(m) for m in majors):
            v.status, v.why = "unknown-major", f"is newer than any {engine} version the catalog knows"
        else:
            v.status, v.why = "retired", f"belongs to {engine} {major}, of which {service} offers no version any more"
        return v
    if cat.is_major_only(engine, value):
        return v
    entry = v.entry
    if entry is not None and entry.available:
        if version_key(best.version) > version_key(entry.version):
            v.status, v.why = "older", f"is not the newest {engine} {major} version"
        return v
    anywhere = entry or cat.find(engine, value)
    v.status = "invalid"
    if anywhere is not None and anywhere.available:
        v.why = f"is not offered in {region}"
    elif anywhere is not None:
        v.why = f"is deprecated ({service} no longer creates new resources with it)"
    elif version_key(value) > version_key(best.version):
        v.status, v.why = "ahead", f"is not in the catalog, and newer than its newest {engine} {major} version ({best.version})"
    else:
        v.why = f"is not a {engine} version {service} offers"
    return v


def newest_major(cat, engine: str, region: str | None):
    """The newest valid version of the newest major that has one."""
    for major in sorted(cat.majors(engine), key=version_key, reverse=True):
        best = cat.newest_valid(engine, major, region)
        if best is not None:
            return best
    return None


def has_data(cat, engine: str | None) -> bool:
    return bool(engine) and bool(cat.versions(engine))
