"""Engine-version catalog: which RDS/Aurora/ElastiCache/DocumentDB/Neptune engine versions and
Lambda runtimes exist, which are deprecated, and what to move to.

    from autofix.catalog import load_catalog
    cat = load_catalog()
    cat.find("postgres", "14.7").status          # "deprecated"
    cat.newest_valid("postgres", "14").version   # newest available 14.x

The data comes from the bundled snapshot (seeded from cfn-lint, see
scripts/update_catalog_snapshot.py) or from the user cache written by ``autofix catalog update``
(live AWS API data through boto3).  `refresh_catalog`, `write_catalog` and `default_cache_path`
are importable from here too; boto3 is only imported when `refresh_catalog` is used.
"""

from __future__ import annotations

from typing import Any

from autofix.catalog.model import (
    AVAILABLE,
    DEPRECATED,
    ENGINES,
    Catalog,
    CatalogError,
    EngineVersion,
    LambdaRuntime,
    derive_family,
    major_of,
    normalize_engine,
    variant_of,
    version_key,
)
from autofix.catalog.store import (
    BUNDLED_SNAPSHOT,
    bundled_catalog,
    default_cache_path,
    load_catalog,
    write_catalog,
)

__all__ = [
    "AVAILABLE",
    "BUNDLED_SNAPSHOT",
    "DEPRECATED",
    "ENGINES",
    "Catalog",
    "CatalogError",
    "EngineVersion",
    "LambdaRuntime",
    "bundled_catalog",
    "default_cache_path",
    "derive_family",
    "load_catalog",
    "major_of",
    "normalize_engine",
    "refresh_catalog",
    "variant_of",
    "version_key",
    "write_catalog",
]


def __getattr__(name: str) -> Any:
    if name == "refresh_catalog":
        from autofix.catalog.refresh import refresh_catalog

        return refresh_catalog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
