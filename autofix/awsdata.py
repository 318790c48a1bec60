"""AWS's own data about resource types, read from the CloudFormation resource provider
schemas that cfn-lint ships and refreshes (data only: cfn-lint's code is never imported, so
this costs a JSON read, not cfn-lint's start-up)."""

from __future__ import annotations

import importlib.util
import json
import os
from functools import lru_cache
from typing import Any

DEFAULT_REGION = "us-east-1"


@lru_cache(maxsize=1)
def _schemas_dir() -> str | None:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = os.path.join(list(spec.submodule_search_locations)[0], "data", "schemas")
    return d if os.path.isdir(d) else None


@lru_cache(maxsize=64)
def _provider_index(region: str) -> dict[str, str]:
    d = _schemas_dir()
    if d is None:
        return {}
    path = os.path.join(d, "providers", f"{region}.json")
    if not os.path.exists(path):
        path = os.path.join(d, "providers", f"{DEFAULT_REGION}.json")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=512)
def resource_schema(type_name: str, region: str = DEFAULT_REGION) -> dict[str, Any] | None:
    """The provider schema of a resource type (`properties`, `createOnlyProperties`, ...), or None."""
    key = _provider_index(region).get(type_name)
    d = _schemas_dir()
    if key is None or d is None:
        return None
    with open(os.path.join(d, "resources", f"{key}.json"), encoding="utf-8") as fh:
        return json.load(fh)


def resource_types(region: str = DEFAULT_REGION) -> frozenset[str]:
    return frozenset(_provider_index(region))


def property_names(type_name: str, region: str = DEFAULT_REGION) -> frozenset[str] | None:
    """Top-level property names of a type; None when the type is unknown."""
    schema = resource_schema(type_name, region)
    return None if schema is None else frozenset(schema.get("properties", {}))


def create_only_properties(type_name: str, region: str = DEFAULT_REGION, *, conditional: bool = False
                           ) -> frozenset[tuple[str, ...]]:
    """Property paths whose change replaces the resource, e.g. {("DBInstanceIdentifier",)}; with
    `conditional`, the ones whose change replaces it only in some cases (schema
    `conditionalCreateOnlyProperties`, e.g. an RDS instance's Engine).  A path may continue into
    nested properties ("Tags", "*", "Key")."""
    schema = resource_schema(type_name, region) or {}
    out = set()
    key = "conditionalCreateOnlyProperties" if conditional else "createOnlyProperties"
    for pointer in schema.get(key, []):
        parts = pointer.split("/")[2:] if pointer.startswith("/properties/") else []
        if parts:
            out.add(tuple(parts))
    return frozenset(out)


def replaces_resource(type_name: str, prop_path: tuple[str, ...], region: str = DEFAULT_REGION,
                      *, conditional: bool = False) -> bool:
    """Whether changing the property at `prop_path` (below Properties) replaces the resource:
    the path lies inside a create-only property, or contains one.  With `conditional`, whether
    it may replace it in some cases."""
    for p in create_only_properties(type_name, region, conditional=conditional):
        n = min(len(p), len(prop_path))
        if n and all(a == b or a == "*" for a, b in zip(p[:n], prop_path[:n])):
            return True
    return False


def data_version() -> str:
    d = _schemas_dir()
    try:
        from importlib.metadata import version

        return f"cfn-lint {version('cfn-lint')}"
    except Exception:  # pragma: no cover
        return "cfn-lint (unknown version)" if d else "unavailable"
