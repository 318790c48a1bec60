"""The constants aws-cdk-lib defines for RDS engine versions and Lambda runtimes.

Read from `cdk_constants.json` beside this module, generated from an aws-cdk-lib wheel by
`scripts/update_cdk_data.py` (its `source` field names the release).  aws-cdk-lib itself is not
needed at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from autofix.catalog import version_key

DATA_FILE = Path(__file__).resolve().parent / "cdk_constants.json"


@dataclass(frozen=True)
class EngineConstant:
    cls: str  # PostgresEngineVersion
    name: str  # VER_14_7
    version: str  # 14.7
    major: str  # 14
    features: Mapping[str, bool]  # {"s3_import": True, "s3_export": True}


class CdkData:
    def __init__(self, data: dict):
        self.source: str = data["source"]
        self.generated_at: str = data["generated_at"]
        self.engines: dict[str, str] = {}  # class -> catalog engine
        self._constants: dict[str, dict[str, EngineConstant]] = {}
        self._by_version: dict[str, dict[str, EngineConstant]] = {}
        for cls, body in data["engine_versions"].items():
            self.engines[cls] = body["engine"]
            consts = {
                name: EngineConstant(cls, name, c["version"], c["major"], dict(c.get("features", {})))
                for name, c in body["constants"].items()
            }
            self._constants[cls] = consts
            by_version: dict[str, EngineConstant] = {}
            # shortest name first, so an alias never wins over the canonical VER_x_y
            for c in sorted(consts.values(), key=lambda c: (len(c.name), c.name)):
                by_version.setdefault(c.version.lower(), c)
            self._by_version[cls] = by_version
        self.runtimes: dict[str, str] = dict(data["runtimes"])  # PYTHON_3_8 -> python3.8
        self._runtime_names: dict[str, str] = {}
        for name, value in sorted(self.runtimes.items(), key=lambda kv: (len(kv[0]), kv[0])):
            self._runtime_names.setdefault(value, name)
        self.variable_runtimes: frozenset[str] = frozenset(data.get("variable_runtimes", ()))

    def constants(self, cls: str) -> list[EngineConstant]:
        return list(self._constants.get(cls, {}).values())

    def constant(self, cls: str, name: str) -> EngineConstant | None:
        return self._constants.get(cls, {}).get(name)

    def constant_for(self, cls: str, version: str) -> EngineConstant | None:
        """The constant of `cls` whose value is exactly `version`, or None."""
        return self._by_version.get(cls, {}).get(version.strip().lower())

    def features_for(self, cls: str, major: str) -> dict[str, bool]:
        """Engine features aws-cdk-lib gives its newest constant of that major ({} if none):
        what `.of(...)` should pass for a version of the major that has no constant."""
        same = [c for c in self._constants.get(cls, {}).values() if c.major == major and c.version != major]
        if not same:
            return {}
        return dict(max(same, key=lambda c: version_key(c.version)).features)

    def runtime_constant(self, runtime: str) -> str | None:
        """`python3.12` -> `PYTHON_3_12` (never a variable constant such as NODEJS_LATEST)."""
        return self._runtime_names.get(runtime)


@lru_cache(maxsize=1)
def cdk_data() -> CdkData:
    with open(DATA_FILE, encoding="utf-8") as fh:
        return CdkData(json.load(fh))
