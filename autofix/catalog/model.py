"""The engine-version catalog: data model, version ordering, majors and families.

Everything here is pure data and pure functions: no file system, no network, no boto3.

Version ordering
----------------
`version_key` orders versions numerically (``14.10 > 14.9``), never lexically.  A version is
split into runs of digits and runs of letters (``8.0.mysql_aurora.3.08.2`` -> 8, 0, mysql,
aurora, 3, 8, 2); numbers compare as integers, a word sorts before any number at the same
position, and a version that is a prefix of another sorts first (``11.22`` <
``11.22-rds.20240418`` < ``11.22-rds.20240509``; ``16.10`` < ``16.10-limitless`` < ``16.11``).

Majors (see `major_of`)
-----------------------
The "major" of a version is the part that stays fixed across minor upgrades, i.e. the unit RDS
and ElastiCache use for lifecycle dates and parameter-group families:

===================  ===========================================  =========================
engine               rule                                         examples
===================  ===========================================  =========================
postgres,            first component from 10 on; first two        14.10 -> 14, 9.6.24 -> 9.6
aurora-postgresql    components before 10
mysql, mariadb       first two components                         8.0.36 -> 8.0, 10.6.14 -> 10.6
aurora-mysql         the MySQL version in front of                8.0.mysql_aurora.3.08.2 -> 8.0,
                     ``.mysql_aurora.``; plain legacy forms use   5.7.12 -> 5.7, 5.6.10a -> 5.6;
                     their first two components; a bare Aurora    3.08.2 -> 8.0, 2.11.2 -> 5.7
                     version maps 1/2/3 -> 5.6/5.7/8.0
redis, valkey        first component                              6.x -> 6, 6.2 -> 6, 7.1 -> 7
memcached, docdb,    first two components                         1.6.22 -> 1.6, 5.0.0 -> 5.0,
neptune                                                           1.3.2.1 -> 1.3
===================  ===========================================  =========================

Families (see `derive_family`): postgres14, postgres9.6, aurora-postgresql15, mysql8.0,
mariadb10.6, aurora-mysql8.0, aurora-mysql5.7, aurora5.6 (the legacy ``aurora`` engine),
redis7 (7.x), redis6.x (6.0 and 6.2), redis5.0, redis4.0, valkey7, valkey8, memcached1.6,
docdb5.0, neptune1 (1.0 and 1.1), neptune1.2, neptune1.3.  A catalog built from the AWS API
stores the family the API reports; derivation is the fallback.

Catalog entries are concrete versions only.  Values that name a whole major (``14`` for
postgres, ``8.0`` for aurora-mysql or mysql, ``6.x`` for redis) are accepted by CloudFormation
and resolved by AWS to a default minor; they are not entries (`Catalog.find` returns None) and
`Catalog.is_major_only` recognises them.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

FORMAT_VERSION = 1

AVAILABLE = "available"
DEPRECATED = "deprecated"
STATUSES = (AVAILABLE, DEPRECATED)

RDS_ENGINES = ("postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql")
ELASTICACHE_ENGINES = ("redis", "valkey", "memcached")
DOCDB_ENGINES = ("docdb",)
NEPTUNE_ENGINES = ("neptune",)
ENGINES = RDS_ENGINES + ELASTICACHE_ENGINES + DOCDB_ENGINES + NEPTUNE_ENGINES

RUNTIME_FAMILIES = ("python", "nodejs", "java", "dotnet", "ruby", "go", "provided")


class CatalogError(Exception):
    """A catalog problem to show the user as one line (``error: <message>``), no traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


# --------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[0-9]+|[a-z]+")
_NUMERIC_PREFIX = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)*)")


def version_key(version: str) -> tuple:
    """Sort key ordering versions numerically: ``sorted(vs, key=version_key)``.

    Digit runs compare as integers, letter runs as (lowercase) words that sort before numbers at
    the same position, shorter prefixes first.  The normalised string is the last tie-breaker, so
    the order is total on normalised (stripped, lowercased) strings; for purely numeric dotted
    versions it agrees with comparing tuples of ints.
    """
    text = str(version).strip().lower()
    parts = tuple((1, int(tok), "") if tok[0].isdigit() else (0, 0, tok) for tok in _TOKEN.findall(text))
    return (parts, text)


def _numbers(version: str) -> list[int]:
    """The leading dotted numeric components: ``11.22-rds.2024`` -> [11, 22]; ``6.x`` -> [6]."""
    m = _NUMERIC_PREFIX.match(str(version))
    if not m:
        return []
    return [int(p) for p in m.group(1).split(".")]


def variant_of(version: str) -> str:
    """The product variant a version belongs to: ``"limitless"`` for Aurora Limitless
    (``16.10-limitless``), else ``""``.  RDS patch suffixes (``-rds.20240418``) are not a variant:
    they are later releases of the same line."""
    return "limitless" if "limitless" in str(version).lower() else ""


_AURORA_MYSQL_BY_AURORA_MAJOR = {1: "5.6", 2: "5.7", 3: "8.0"}
_AURORA_ONLY = re.compile(r"^\s*([123])\.[0-9]{2}(\.[0-9]+)*\s*$")


def _major(engine: str, version: str) -> str | None:
    nums = _numbers(version)
    if not nums:
        return None
    if engine in ("postgres", "aurora-postgresql"):
        if nums[0] >= 10 or len(nums) == 1:
            return str(nums[0])
        return f"{nums[0]}.{nums[1]}"
    if engine == "aurora-mysql":
        m = _AURORA_ONLY.match(str(version))
        if m and "mysql_aurora" not in str(version):
            return _AURORA_MYSQL_BY_AURORA_MAJOR[int(m.group(1))]
        return ".".join(str(n) for n in nums[:2])
    if engine in ("redis", "valkey"):
        return str(nums[0])
    if engine in ("mysql", "mariadb", "memcached", "docdb", "neptune"):
        return ".".join(str(n) for n in nums[:2])
    return None


def major_of(engine: str, version: str) -> str:
    """The major of `version` for `engine` (see the module docstring for the rules).

    `engine` may be a CloudFormation ``Engine`` value (normalised with `normalize_engine`).
    Raises CatalogError for an engine the catalog does not model or a version without a leading
    number (``latest``).
    """
    name = normalize_engine(engine)
    if name is None:
        raise CatalogError(f"unknown engine {engine!r}")
    major = _major(name, str(version))
    if major is None:
        raise CatalogError(f"cannot read a version number from {str(version)!r} for {name}")
    return major


def derive_family(engine: str, version: str) -> str | None:
    """The parameter-group family for a version, derived from its number (None if not a version).

    ``postgres14``, ``postgres9.6``, ``aurora-postgresql15``, ``mysql8.0``, ``mariadb10.6``,
    ``aurora-mysql8.0``, ``aurora5.6``, ``redis7``, ``redis6.x``, ``redis5.0``, ``valkey8``,
    ``memcached1.6``, ``docdb5.0``, ``neptune1``, ``neptune1.3``.
    """
    name = normalize_engine(engine)
    if name is None:
        return None
    nums = _numbers(version)
    major = _major(name, str(version))
    if not nums or major is None:
        return None
    if name in ("postgres", "aurora-postgresql", "mysql", "mariadb", "docdb"):
        return f"{name}{major}"
    if name == "aurora-mysql":
        return "aurora5.6" if major == "5.6" else f"aurora-mysql{major}"
    if name == "redis":
        if nums[0] >= 7:
            return f"redis{nums[0]}"
        if nums[0] == 6:
            return "redis6.x"
        return f"redis{nums[0]}.{nums[1] if len(nums) > 1 else 0}"
    if name == "valkey":
        return f"valkey{nums[0]}"
    if name == "memcached":
        return f"memcached{major}"
    if name == "neptune":
        if nums[0] == 1 and (len(nums) < 2 or nums[1] < 2):
            return "neptune1"
        return f"neptune{major}"
    return None


def _is_concrete(engine: str, version: str) -> bool:
    """False for values naming a whole major (``14``, ``8.0`` for aurora-mysql, ``6.x``)."""
    text = str(version).strip().lower()
    if text.endswith(".x"):
        return False
    major = _major(engine, text)
    return major is not None and text != major


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------

_ENGINE_ALIASES = {
    "postgres": "postgres",
    "aurora-postgresql": "aurora-postgresql",
    "mysql": "mysql",
    "mariadb": "mariadb",
    "aurora-mysql": "aurora-mysql",
    # The legacy MySQL 5.6-compatible Aurora (Aurora MySQL version 1, end of life 2023): its
    # versions (5.6.10a, 5.6.mysql_aurora.1.22.2) have major 5.6, which has no valid version.
    "aurora": "aurora-mysql",
    "redis": "redis",
    "valkey": "valkey",
    "memcached": "memcached",
    "docdb": "docdb",
    "neptune": "neptune",
}


def normalize_engine(engine_value: Any) -> str | None:
    """Map a CloudFormation/API ``Engine`` value to a catalog engine name, or None.

    Case-insensitive (CloudFormation accepts ``MySQL``).  ``aurora`` is the legacy MySQL
    5.6-compatible Aurora engine and maps to ``aurora-mysql`` (no 5.6 version is valid any more,
    so `Catalog.newest_valid` finds nothing for it).  Engines the catalog has no data model for
    (``oracle-ee``, ``sqlserver-se``, ``db2-se``, ``custom-*``, ...) and non-strings give None.
    """
    if not isinstance(engine_value, str):
        return None
    return _ENGINE_ALIASES.get(engine_value.strip().lower())


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineVersion:
    """One engine version.

    `status` is "available" (can be used to create new resources) or "deprecated" (can no
    longer be).  `regions` lists the regions (of those the catalog was refreshed for) where the
    version can be used to create resources; ``()`` for a deprecated version from a refresh; None
    when the data has no per-region information (the bundled snapshot).
    """

    engine: str
    version: str
    major: str
    family: str | None
    status: str
    regions: tuple[str, ...] | None = None

    @property
    def available(self) -> bool:
        return self.status == AVAILABLE

    @property
    def variant(self) -> str:
        return variant_of(self.version)

    @property
    def key(self) -> tuple:
        return version_key(self.version)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    try:
        return _dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise CatalogError(f"not an ISO date: {text!r}") from None


def runtime_family(name: str) -> str | None:
    """``python3.12`` -> python, ``dotnetcore3.1`` -> dotnet, ``provided.al2023`` -> provided."""
    m = re.match(r"^(python|nodejs|java|dotnetcore|dotnet|ruby|go|provided)", str(name).lower())
    if not m:
        return None
    return "dotnet" if m.group(1) == "dotnetcore" else m.group(1)


@dataclass(frozen=True)
class LambdaRuntime:
    """A Lambda runtime and its lifecycle dates (ISO strings, None when not announced).

    `deprecated`: security patches and support end.  `block_create` / `block_update`: creating /
    updating functions on it is blocked from that date.  `successor`: the runtime to move to.
    """

    name: str
    family: str | None
    deprecated: str | None = None
    block_create: str | None = None
    block_update: str | None = None
    successor: str | None = None

    @property
    def language(self) -> str | None:
        """Alias of `family` ("python", "nodejs", "java", "dotnet", "ruby", "go", "provided")."""
        return self.family

    def status(self, today: _dt.date | None = None) -> str:
        """"blocked" when creating a function is blocked on `today`, else "deprecated" when past
        its deprecation date, else "supported".  `today` defaults to the local date."""
        if today is None:
            today = _dt.date.today()
        elif isinstance(today, _dt.datetime):
            today = today.date()
        if self.block_create and today >= _dt.date.fromisoformat(self.block_create):
            return "blocked"
        if self.deprecated and today >= _dt.date.fromisoformat(self.deprecated):
            return "deprecated"
        return "supported"


# --------------------------------------------------------------------------------------------
# Catalog
# --------------------------------------------------------------------------------------------


class Catalog:
    """Engine versions and Lambda runtimes, with lookups.

    Engine arguments accept catalog names and CloudFormation ``Engine`` values alike; an engine
    the catalog does not model yields empty results (never an error) except in `major_of`.
    Lookups are case-insensitive on the version string.
    """

    def __init__(
        self,
        versions: Iterable[EngineVersion] = (),
        runtimes: Iterable[LambdaRuntime] = (),
        *,
        source: str = "",
        generated_at: str = "",
        regions: Iterable[str] = (),
        majors_info: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
        notes: Iterable[str] = (),
    ) -> None:
        self.source = source
        self.generated_at = generated_at
        self.regions: tuple[str, ...] = tuple(regions)
        self.notes: tuple[str, ...] = tuple(notes)
        by_engine: dict[str, dict[str, EngineVersion]] = {}
        for ev in versions:
            by_engine.setdefault(ev.engine, {})[ev.version.strip().lower()] = ev
        self._index = by_engine
        self._versions = {e: tuple(sorted(d.values(), key=lambda v: v.key)) for e, d in by_engine.items()}
        self._majors_info = {
            e: {m: dict(info) for m, info in per.items()} for e, per in (majors_info or {}).items()
        }
        self._runtimes = {r.name: r for r in runtimes}

    def __repr__(self) -> str:
        counts = ", ".join(f"{e}={len(v)}" for e, v in sorted(self._versions.items()))
        return f"<Catalog {self.source!r} {self.generated_at} {counts} runtimes={len(self._runtimes)}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Catalog) and self.to_json() == other.to_json()

    # -- engines and versions -----------------------------------------------------------------

    @staticmethod
    def _name(engine: str) -> str | None:
        return normalize_engine(engine)

    def engines(self) -> list[str]:
        """Engines with at least one version, sorted."""
        return sorted(e for e, v in self._versions.items() if v)

    def _region_filter(self, region: str | None):
        if region is None or region not in self.regions:
            return lambda ev: True  # no per-region data for that region: do not filter
        return lambda ev: ev.regions is None or region in ev.regions or not ev.available

    def versions(self, engine: str, region: str | None = None) -> list[EngineVersion]:
        """All versions of `engine`, ascending numerically.  With `region` (one the catalog was
        refreshed for), versions available elsewhere but not there are left out."""
        name = self._name(engine)
        keep = self._region_filter(region)
        return [ev for ev in self._versions.get(name or "", ()) if keep(ev)]

    def find(self, engine: str, version: Any, region: str | None = None) -> EngineVersion | None:
        """The entry for exactly this version (case-insensitive), or None.

        A YAML float such as ``14.10`` arrives as 14.1: pass the source text, not the float.
        """
        name = self._name(engine)
        if name is None or version is None:
            return None
        ev = self._index.get(name, {}).get(str(version).strip().lower())
        if ev is None or not self._region_filter(region)(ev):
            return None
        return ev

    def major_of(self, engine: str, version: Any) -> str:
        """See `autofix.catalog.model.major_of` (the catalog's data does not change the rule)."""
        return major_of(engine, str(version))

    def majors(self, engine: str) -> list[str]:
        """The majors with at least one version, ascending numerically."""
        name = self._name(engine)
        return sorted({ev.major for ev in self._versions.get(name or "", ())}, key=version_key)

    def newest_valid(
        self, engine: str, major: Any, region: str | None = None, *, variant: str = ""
    ) -> EngineVersion | None:
        """The newest available (never deprecated) concrete version of that major, or None.

        `major` may also be any version of the major (``14.7`` means ``14``).  Only versions of
        `variant` qualify: by default plain ones, so ``16.10-limitless`` (Aurora Limitless) is
        never proposed for an ordinary cluster; pass ``variant="limitless"`` for those.
        """
        name = self._name(engine)
        if name is None:
            return None
        wanted = _major(name, str(major))
        if wanted is None:
            return None
        keep = self._region_filter(region)
        best = None
        for ev in self._versions.get(name, ()):
            if (
                ev.major == wanted
                and ev.available
                and ev.variant == variant
                and _is_concrete(name, ev.version)
                and keep(ev)
            ):
                best = ev  # ascending order: the last match is the newest
        return best

    def family_for(self, engine: str, version: Any) -> str | None:
        """Parameter-group family of a version: the catalog's entry when known, else derived
        from the number (``postgres14``); None when `version` is not a version of `engine`."""
        ev = self.find(engine, version)
        if ev is not None and ev.family:
            return ev.family
        return derive_family(engine, str(version))

    def is_major_only(self, engine: str, version: Any) -> bool:
        """True for values that name a whole major which has versions in the catalog (``14`` for
        postgres, ``8.0`` for mysql/aurora-mysql, ``6.x`` for redis): AWS resolves them to a
        default minor, so they are valid without being an entry."""
        name = self._name(engine)
        if name is None or version is None:
            return False
        text = str(version).strip().lower()
        if self.find(name, text) is not None or _is_concrete(name, text):
            return False
        major = _major(name, text)
        return major is not None and major in self.majors(name)

    def _major_info(self, engine: str, major: Any, field: str) -> str | None:
        name = self._name(engine)
        if name is None:
            return None
        wanted = _major(name, str(major)) or str(major)
        return self._majors_info.get(name, {}).get(wanted, {}).get(field)

    def major_end_of_standard_support(self, engine: str, major: Any) -> str | None:
        """ISO date when standard support for that major ends (RDS), None when unknown."""
        return self._major_info(engine, major, "end_of_standard_support")

    def major_end_of_extended_support(self, engine: str, major: Any) -> str | None:
        """ISO date when RDS Extended Support for that major ends, None when unknown."""
        return self._major_info(engine, major, "end_of_extended_support")

    # -- Lambda -------------------------------------------------------------------------------

    def runtime(self, name: str) -> LambdaRuntime | None:
        if not isinstance(name, str):
            return None
        return self._runtimes.get(name.strip())

    def runtimes(self) -> list[LambdaRuntime]:
        """All runtimes, grouped by family, ascending version within a family."""
        return sorted(self._runtimes.values(), key=lambda r: (r.family or "", version_key(r.name)))

    # -- JSON ---------------------------------------------------------------------------------

    def to_json(self) -> dict:
        engines: dict[str, Any] = {}
        for name in sorted(self._versions):
            entries = []
            for ev in self._versions[name]:
                entry: dict[str, Any] = {"version": ev.version, "status": ev.status}
                if ev.family:
                    entry["family"] = ev.family
                if ev.regions is not None:
                    entry["regions"] = list(ev.regions)
                entries.append(entry)
            engines[name] = {"versions": entries}
            majors = self._majors_info.get(name)
            if majors:
                engines[name]["majors"] = {
                    m: {k: v for k, v in sorted(info.items()) if v is not None}
                    for m, info in sorted(majors.items(), key=lambda kv: version_key(kv[0]))
                }
        for name, majors in sorted(self._majors_info.items()):
            if name not in engines and majors:
                engines[name] = {"versions": [], "majors": {m: dict(i) for m, i in majors.items()}}
        runtimes = {}
        for rt in self.runtimes():
            runtimes[rt.name] = {
                "family": rt.family,
                "deprecated": rt.deprecated,
                "block_create": rt.block_create,
                "block_update": rt.block_update,
                "successor": rt.successor,
            }
        return {
            "format": FORMAT_VERSION,
            "source": self.source,
            "generated_at": self.generated_at,
            "regions": list(self.regions),
            "notes": list(self.notes),
            "engines": engines,
            "lambda_runtimes": runtimes,
        }

    @classmethod
    def from_json(cls, data: Any) -> "Catalog":
        """Build a catalog from `to_json` output; CatalogError if the data is not a catalog."""
        try:
            return cls._from_json(data)
        except CatalogError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise CatalogError(f"not a valid catalog: {type(exc).__name__}: {exc}") from None

    @classmethod
    def _from_json(cls, data: Any) -> "Catalog":
        if not isinstance(data, dict):
            raise CatalogError("not a valid catalog: top level is not an object")
        if data.get("format") != FORMAT_VERSION:
            raise CatalogError(f"not a valid catalog: unsupported format {data.get('format')!r}")
        source, generated_at = data.get("source"), data.get("generated_at")
        if not isinstance(source, str) or not isinstance(generated_at, str):
            raise CatalogError("not a valid catalog: missing source or generated_at")
        if generated_at:
            _iso(generated_at)
        regions = data.get("regions") or []
        engines = data.get("engines")
        if not isinstance(engines, dict) or not isinstance(regions, list):
            raise CatalogError("not a valid catalog: 'engines' must be an object")
        versions: list[EngineVersion] = []
        majors_info: dict[str, dict[str, dict[str, Any]]] = {}
        for name, body in engines.items():
            if name not in ENGINES:
                continue  # a newer catalog may know more engines: ignore them
            if not isinstance(body, dict) or not isinstance(body.get("versions", []), list):
                raise CatalogError(f"not a valid catalog: bad entry for engine {name!r}")
            for entry in body.get("versions", []):
                version, status = entry["version"], entry["status"]
                if not isinstance(version, str) or not version.strip():
                    raise CatalogError(f"not a valid catalog: bad version in {name}")
                if status not in STATUSES:
                    raise CatalogError(f"not a valid catalog: bad status {status!r} for {name} {version}")
                major = _major(name, version)
                if major is None:
                    raise CatalogError(f"not a valid catalog: {name} {version!r} is not a version")
                entry_regions = entry.get("regions")
                if entry_regions is not None:
                    entry_regions = tuple(str(r) for r in entry_regions)
                family = entry.get("family")
                versions.append(
                    EngineVersion(
                        engine=name,
                        version=version,
                        major=major,
                        family=family if isinstance(family, str) and family else derive_family(name, version),
                        status=status,
                        regions=entry_regions,
                    )
                )
            for major, info in (body.get("majors") or {}).items():
                majors_info.setdefault(name, {})[str(major)] = {k: _iso(v) for k, v in dict(info).items()}
        runtimes = []
        rts = data.get("lambda_runtimes") or {}
        if not isinstance(rts, dict):
            raise CatalogError("not a valid catalog: 'lambda_runtimes' must be an object")
        for rname, info in rts.items():
            runtimes.append(
                LambdaRuntime(
                    name=rname,
                    family=info.get("family") or runtime_family(rname),
                    deprecated=_iso(info.get("deprecated")),
                    block_create=_iso(info.get("block_create")),
                    block_update=_iso(info.get("block_update")),
                    successor=info.get("successor") or None,
                )
            )
        return cls(
            versions,
            runtimes,
            source=source,
            generated_at=generated_at,
            regions=[str(r) for r in regions],
            majors_info=majors_info,
            notes=[str(n) for n in data.get("notes") or []],
        )
