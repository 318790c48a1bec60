"""Refresh the catalog from the AWS APIs through boto3.

Calls, per region (all read-only ``Describe*``):

* ``rds.describe_db_engine_versions(Engine=e, IncludeAll=True)`` for postgres, mysql, mariadb,
  aurora-postgresql and aurora-mysql (paginated); IncludeAll also returns deprecated versions,
  with their ``Status``.
* ``rds.describe_db_major_engine_versions`` (paginated) for end-of-standard-support and
  end-of-extended-support dates, when the installed botocore has the operation; skipped when it
  does not or when the caller may not call it.
* ``docdb.describe_db_engine_versions(Engine="docdb")`` and
  ``neptune.describe_db_engine_versions(Engine="neptune")`` (paginated).  These APIs have no
  IncludeAll and no Status: they list only versions that can be used.
* ``elasticache.describe_cache_engine_versions`` (paginated), redis/valkey/memcached; likewise
  only usable versions.

For the engines whose API lists only usable versions, versions known to the bundled snapshot
that no queried region lists any more are kept as "deprecated" (they can no longer be used to
create resources there), so a template that still names one is recognised.

Lambda runtimes are copied from the bundled snapshot: no AWS API lists runtimes with their
deprecation dates.

boto3 settings are honoured as boto3 resolves them (AWS_PROFILE or the given session's profile,
AWS_REGION/AWS_DEFAULT_REGION, AWS_ENDPOINT_URL*, retry settings): nothing here overrides them.
Failures become CatalogError with a one-line message that names the operation and region but
never includes credentials or the raw AWS error text.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable, Iterable

from autofix.catalog.model import (
    AVAILABLE,
    DEPRECATED,
    DOCDB_ENGINES,
    ELASTICACHE_ENGINES,
    NEPTUNE_ENGINES,
    RDS_ENGINES,
    Catalog,
    CatalogError,
    EngineVersion,
    _major,
    derive_family,
)
from autofix.catalog.store import bundled_catalog, default_cache_path, write_catalog

log = logging.getLogger(__name__)

__all__ = ["refresh_catalog", "default_cache_path", "write_catalog", "ClientFactory"]

ClientFactory = Callable[[str, str], Any]  # (service_name, region_name) -> botocore client

_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "NotAuthorized",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
}
_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "AuthFailure",
    "IncompleteSignature",
}
_UNSUPPORTED = {"InvalidAction", "UnknownOperationException", "UnsupportedOperation", "InvalidParameterValue"}


def _op_name(service: str, operation: str) -> str:
    return f"{service}:{''.join(p.capitalize() for p in operation.split('_'))}".replace("Db", "DB")


def _translate(exc: BaseException, service: str, operation: str, region: str) -> CatalogError:
    """A one-line CatalogError for a boto3/botocore failure (no AWS message text, no secrets)."""
    from botocore import exceptions as bx

    op = _op_name(service, operation)
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return CatalogError(
            "no AWS credentials found: configure a profile (--profile / AWS_PROFILE) or environment credentials"
        )
    if isinstance(exc, bx.NoRegionError):
        return CatalogError("no AWS region: pass --region or set AWS_REGION")
    if isinstance(exc, bx.ClientError):
        err = exc.response.get("Error", {}) if isinstance(exc.response, dict) else {}
        code = str(err.get("Code") or "Unknown")
        if code in _ACCESS_DENIED:
            return CatalogError(f"access denied calling {op} in {region} ({code}): the credentials need {op}")
        if code in _THROTTLED:
            return CatalogError(f"AWS throttled {op} in {region} ({code}) after retries; try again later")
        if code in _BAD_CREDENTIALS:
            return CatalogError(f"AWS rejected the credentials calling {op} in {region} ({code})")
        return CatalogError(f"AWS error calling {op} in {region}: {code}")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return CatalogError(f"cannot reach the {service} endpoint for region {region}: check the region and network")
    if isinstance(exc, bx.CredentialRetrievalError) or type(exc).__name__.endswith("CredentialsError"):
        return CatalogError(f"cannot load AWS credentials: {type(exc).__name__}")
    if isinstance(exc, bx.BotoCoreError):
        return CatalogError(f"AWS SDK error calling {op} in {region}: {type(exc).__name__}")
    return CatalogError(f"unexpected error calling {op} in {region}: {type(exc).__name__}")


def _paginate(client: Any, service: str, operation: str, region: str, result_key: str, **params: Any):
    from botocore import exceptions as bx

    try:
        paginator = client.get_paginator(operation)
        for page in paginator.paginate(**params):
            yield from page.get(result_key, [])
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise _translate(exc, service, operation, region) from None


class _Collector:
    """Merges versions seen across regions."""

    def __init__(self) -> None:
        # (engine, lowercase version) -> [version, family, {region: status}]
        self.seen: dict[tuple[str, str], list[Any]] = {}
        self.majors: dict[str, dict[str, dict[str, str]]] = {}

    def add(self, engine: str, version: Any, family: Any, status: Any, region: str) -> None:
        if not isinstance(version, str) or not version.strip() or _major(engine, version) is None:
            return
        status = AVAILABLE if (status is None or str(status).lower() == AVAILABLE) else DEPRECATED
        key = (engine, version.strip().lower())
        rec = self.seen.setdefault(key, [version.strip(), None, {}])
        if isinstance(family, str) and family and not rec[1]:
            rec[1] = family
        if rec[2].get(region) != AVAILABLE:
            rec[2][region] = status

    def add_major(self, engine: str, major: Any, lifecycles: Iterable[dict]) -> None:
        if not isinstance(major, str) or _major(engine, major) is None:
            return
        info = self.majors.setdefault(engine, {}).setdefault(_major(engine, major), {})
        for lc in lifecycles or ():
            name, end = lc.get("LifecycleSupportName"), lc.get("LifecycleSupportEndDate")
            field = {
                "open-source-rds-standard-support": "end_of_standard_support",
                "open-source-rds-extended-support": "end_of_extended_support",
            }.get(name)
            if field and end is not None and field not in info:
                info[field] = end.date().isoformat() if isinstance(end, dt.datetime) else str(end)[:10]

    def versions(self) -> list[EngineVersion]:
        out = []
        for (engine, _), (version, family, per_region) in self.seen.items():
            avail = tuple(sorted(r for r, s in per_region.items() if s == AVAILABLE))
            out.append(
                EngineVersion(
                    engine=engine,
                    version=version,
                    major=_major(engine, version),
                    family=family or derive_family(engine, version),
                    status=AVAILABLE if avail else DEPRECATED,
                    regions=avail,
                )
            )
        return out


def _default_factory(session: Any) -> ClientFactory:
    def make(service: str, region: str) -> Any:
        return session.client(service, region_name=region)

    return make


def refresh_catalog(
    regions: list[str] | tuple[str, ...] | None = None,
    session: Any = None,
    *,
    client_factory: ClientFactory | None = None,
    today: dt.date | None = None,
) -> Catalog:
    """Build a catalog from the live AWS APIs for `regions` (default: the session's region).

    `session` is a ``boto3.session.Session`` (default: a new one, which reads the standard boto3
    environment and config).  `client_factory(service, region)` returns the client to use; it
    defaults to ``session.client(service, region_name=region)``; tests pass stubbed clients
    through either.  Raises CatalogError on any failure; nothing is written here (see
    `write_catalog`), so an existing cache is never touched by a failed refresh.
    """
    if client_factory is None:
        if session is None:
            try:
                import boto3
            except ImportError:  # pragma: no cover - boto3 is a dependency
                raise CatalogError("boto3 is not installed") from None
            from botocore import exceptions as bx

            try:
                session = boto3.session.Session()
            except bx.BotoCoreError as exc:
                raise _translate(exc, "sts", "session", "?") from None
        client_factory = _default_factory(session)
    wanted = [r.strip() for r in (regions or []) if r and r.strip()]
    if not wanted:
        default = getattr(session, "region_name", None) if session is not None else None
        if not default:
            raise CatalogError("no AWS region: pass --region or set AWS_REGION")
        wanted = [default]
    wanted = list(dict.fromkeys(wanted))

    coll = _Collector()
    for region in wanted:
        rds = _client(client_factory, "rds", region)
        for engine in RDS_ENGINES:
            for item in _paginate(
                rds, "rds", "describe_db_engine_versions", region, "DBEngineVersions", Engine=engine, IncludeAll=True
            ):
                if item.get("Engine", engine) == engine:
                    coll.add(engine, item.get("EngineVersion"), item.get("DBParameterGroupFamily"), item.get("Status"), region)
        _major_versions(rds, region, coll)
        for service, engines in (("docdb", DOCDB_ENGINES), ("neptune", NEPTUNE_ENGINES)):
            client = _client(client_factory, service, region)
            for engine in engines:
                for item in _paginate(
                    client, service, "describe_db_engine_versions", region, "DBEngineVersions", Engine=engine
                ):
                    if item.get("Engine", engine) == engine:
                        coll.add(engine, item.get("EngineVersion"), item.get("DBParameterGroupFamily"), None, region)
        cache = _client(client_factory, "elasticache", region)
        for item in _paginate(cache, "elasticache", "describe_cache_engine_versions", region, "CacheEngineVersions"):
            engine = item.get("Engine")
            if engine in ELASTICACHE_ENGINES:
                coll.add(engine, item.get("EngineVersion"), item.get("CacheParameterGroupFamily"), None, region)

    base = bundled_catalog()
    listed_only = ELASTICACHE_ENGINES + DOCDB_ENGINES + NEPTUNE_ENGINES
    for engine in listed_only:
        for ev in base.versions(engine):
            if (engine, ev.version.lower()) not in coll.seen:
                coll.seen[(engine, ev.version.lower())] = [ev.version, ev.family, {}]

    notes = [
        f"Refreshed from the AWS APIs in {', '.join(wanted)}.",
        "ElastiCache, DocumentDB and Neptune list only usable versions; versions from the bundled "
        "snapshot that no queried region lists are marked deprecated.",
        f"Lambda runtimes from the bundled snapshot ({base.source}, {base.generated_at}): no AWS API lists them.",
    ]
    return Catalog(
        coll.versions(),
        base.runtimes(),
        source=f"aws-api {','.join(wanted)}",
        generated_at=(today or dt.datetime.now(dt.timezone.utc).date()).isoformat(),
        regions=wanted,
        majors_info=coll.majors,
        notes=notes,
    )


def _client(factory: ClientFactory, service: str, region: str) -> Any:
    from botocore import exceptions as bx

    try:
        return factory(service, region)
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise _translate(exc, service, "client", region) from None


def _major_versions(rds: Any, region: str, coll: _Collector) -> None:
    """End-of-support dates; optional: skipped when botocore lacks the operation or the caller
    may not call it (other failures, e.g. throttling, still fail the refresh)."""
    from botocore import exceptions as bx

    try:
        names = rds.meta.service_model.operation_names
    except AttributeError:
        names = []
    if "DescribeDBMajorEngineVersions" not in names:
        log.info("botocore has no DescribeDBMajorEngineVersions: no end-of-support dates")
        return
    try:
        for page in rds.get_paginator("describe_db_major_engine_versions").paginate():
            for item in page.get("DBMajorEngineVersions", []):
                engine = item.get("Engine")
                if engine in RDS_ENGINES:
                    coll.add_major(engine, item.get("MajorEngineVersion"), item.get("SupportedEngineLifecycles"))
    except bx.ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _ACCESS_DENIED or code in _UNSUPPORTED:
            log.warning("skipping end-of-support dates in %s: %s", region, code)
            return
        raise _translate(exc, "rds", "describe_db_major_engine_versions", region) from None
    except bx.BotoCoreError as exc:
        raise _translate(exc, "rds", "describe_db_major_engine_versions", region) from None
