"""PostgreSQL settings shared by postgres-parameters (AF403) and postgres-parameter-group (AF404)."""

from __future__ import annotations

import re
from typing import Any

from autofix.cfn.document import Document, Resource, is_plain_scalar

from ._edits import literal_str, parameters, ref_target

PG_PARAMS_DOC = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PostgreSQL.Parameters.html"

#: what every PostgreSQL parameter group should set; a value the template sets is kept
DEFAULTS: dict[str, Any] = {
    "shared_preload_libraries": "pg_stat_statements",
    "log_min_duration_statement": 1000,
    "log_connections": 1,
    "log_disconnections": 1,
}
#: parameters that take effect only after a reboot
STATIC = frozenset({"shared_preload_libraries"})
PRELOAD = "shared_preload_libraries"

_FAMILY = re.compile(r"^(postgres|aurora-postgresql)[0-9]")
PG_ENGINES = ("postgres", "aurora-postgresql")


def wanted(ctx) -> dict[str, Any]:
    """DEFAULTS with `[postgres] parameters` over them (`shared_preload_libraries` there is a
    comma-separated list of libraries to make sure of)."""
    sec = ctx.section("postgres")
    extra = sec.get("parameters", {}) if isinstance(sec, dict) else {}
    if not isinstance(extra, dict) or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in extra.values()):
        raise ValueError("[postgres] parameters must map parameter names to strings or integers")
    out = dict(DEFAULTS)
    out.update(extra)
    return out


def is_pg_family(family: str | None) -> bool:
    return bool(family and _FAMILY.match(family))


def libraries(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def merge_libraries(current: str, want: str) -> str | None:
    """`current` with the libraries of `want` it lacks appended; None when nothing is missing."""
    have = libraries(current)
    missing = [lib for lib in libraries(want) if lib.lower() not in {h.lower() for h in have}]
    if not missing:
        return None
    return ",".join(have + missing)


def engine_of(res: Resource) -> str | None:
    e = literal_str(res.prop("Engine"))
    return e.strip().lower() if e else None


def version_candidates(doc: Document, res: Resource) -> tuple[list[str] | None, str | None]:
    """The EngineVersion values a database can be deployed with, or (None, why not)."""
    node = res.prop("EngineVersion")
    if node is None:
        return None, "it sets no EngineVersion, so its parameter group family is unknown"
    if is_plain_scalar(node):  # the text as written: an unquoted 14.10 stays 14.10
        return [str(node.value).strip()], None
    p = ref_target(node)
    params = parameters(doc)
    if p and p in params and isinstance(params[p], dict):
        allowed = params[p].get("AllowedValues")
        if isinstance(allowed, list) and allowed:
            return [str(v) for v in allowed], None
        return None, f"its EngineVersion comes from parameter {p}, which has no AllowedValues"
    return None, "its EngineVersion is not a literal"


def family_for(ctx, engine: str, version: str) -> str | None:
    try:
        fam = ctx.catalog.family_for(engine, version)
    except Exception:
        fam = None
    if fam is None:
        from autofix.catalog import derive_family

        fam = derive_family(engine, version)
    return fam if is_pg_family(fam) else None
