"""Settings: `--config FILE`, else `autofix.toml` / `.autofix.toml` / `[tool.autofix]` in
`pyproject.toml` found from the template's folder upward.  Command-line options win."""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any


def _toml():
    """tomllib, imported when a config file is read (a run without one does not pay for it)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib

CONFIG_NAMES = ("autofix.toml", ".autofix.toml", "pyproject.toml")
TOP_LEVEL_KEYS = {"select", "ignore", "unsafe-fixes", "environment", "catalog", "region", "per-file-ignores",
                  "extend-select", "exclude", "max-file-size"}
MAX_FILE_SIZE_DEFAULT = 5 * 1024 * 1024  # CloudFormation's own limit is 1 MB (a template in S3)
_SIZE_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "KIB": 1024, "M": 1024**2, "MB": 1024**2, "MIB": 1024**2,
               "G": 1024**3, "GB": 1024**3, "GIB": 1024**3}


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] | None = None  # None: the default rule set (every rule but opt-in ones)
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    environment: str | None = None
    catalog: str | None = None
    region: str | None = None
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_size: int | None = None  # bytes; None: MAX_FILE_SIZE_DEFAULT
    sections: tuple[tuple[str, Any], ...] = ()  # rule sections, e.g. ("lifecycle", {...})
    source: str | None = None  # the file these came from

    @property
    def max_bytes(self) -> int:
        return self.max_file_size or MAX_FILE_SIZE_DEFAULT

    def section(self, name: str) -> dict:
        for k, v in self.sections:
            if k == name:
                return v
        return {}

    def ignores_for(self, path: str | None) -> tuple[str, ...]:
        if not path:
            return ()
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern):
                out.extend(codes)
        return tuple(out)

    def merged(self, **overrides: Any) -> "Settings":
        """Command-line values (None = not given) over these settings."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def fingerprint(self) -> str:
        return repr((self.select, self.ignore, self.unsafe_fixes, self.environment, self.catalog, self.region,
                     self.per_file_ignores, self.sections, self.max_file_size))


def _as_tuple(v: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    raise ConfigError(f"{where}: '{key}' must be a string or a list of strings")


def parse_size(value: Any, where: str = "max-file-size") -> int:
    """A size in bytes: an integer, or a string with a unit ("10MB", "512 KiB"; K/M/G are
    powers of 1024, as file sizes are usually read)."""
    import re

    if isinstance(value, bool):
        raise ConfigError(f"{where}: a size must be a number of bytes or a string like \"10MB\"")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", value)
        if m is None or m.group(2).upper() not in _SIZE_UNITS:
            raise ConfigError(f"{where}: {value!r} is not a size (examples: 1048576, \"512KB\", \"10MB\")")
        n = int(float(m.group(1)) * _SIZE_UNITS[m.group(2).upper()])
    else:
        raise ConfigError(f"{where}: a size must be a number of bytes or a string like \"10MB\"")
    if n <= 0:
        raise ConfigError(f"{where}: the size must be above zero")
    return n


def parse_settings(data: dict, where: str) -> Settings:
    kw: dict[str, Any] = {"source": where}
    sections = []
    for key, val in data.items():
        if key in ("select", "ignore", "exclude"):
            kw[key] = _as_tuple(val, key, where)
        elif key == "extend-select":
            continue
        elif key == "unsafe-fixes":
            if not isinstance(val, bool):
                raise ConfigError(f"{where}: 'unsafe-fixes' must be true or false")
            kw["unsafe_fixes"] = val
        elif key == "environment":
            if val not in ("test", "production"):
                raise ConfigError(f"{where}: 'environment' must be \"test\" or \"production\", not {val!r}")
            kw["environment"] = val
        elif key in ("catalog", "region"):
            if not isinstance(val, str):
                raise ConfigError(f"{where}: '{key}' must be a string")
            kw[key] = val
        elif key == "max-file-size":
            kw["max_file_size"] = parse_size(val, f"{where}: 'max-file-size'")
        elif key == "per-file-ignores":
            if not isinstance(val, dict):
                raise ConfigError(f"{where}: 'per-file-ignores' must be a table of glob = [codes]")
            kw["per_file_ignores"] = tuple((g, _as_tuple(c, f"per-file-ignores.{g}", where)) for g, c in val.items())
        elif isinstance(val, dict):
            sections.append((key, val))
        else:
            raise ConfigError(f"{where}: unknown setting '{key}'")
    if "extend-select" in data:
        kw["select"] = tuple(kw.get("select", ("DEFAULT",))) + _as_tuple(data["extend-select"], "extend-select", where)
    kw["sections"] = tuple(sections)
    return Settings(**kw)


def read_config(path: str | os.PathLike) -> Settings:
    p = os.fspath(path)
    tomllib = _toml()
    try:
        with open(p, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as e:
        raise ConfigError(f"{p}: cannot read config: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: invalid TOML: {e}") from None
    if os.path.basename(p) == "pyproject.toml":
        data = data.get("tool", {}).get("autofix", {})
    return parse_settings(data, p)


def find_config(folder: str) -> str | None:
    """The nearest config file at or above `folder`."""
    return _config_at_or_above(os.path.realpath(folder))


@lru_cache(maxsize=4096)
def _config_at_or_above(folder: str) -> str | None:
    # one folder at a time, cached: the files of a repository share their ancestors' answers
    for name in CONFIG_NAMES:
        f = os.path.join(folder, name)
        if os.path.isfile(f):
            if name == "pyproject.toml":
                tomllib = _toml()
                try:
                    with open(f, "rb") as fh:
                        if "autofix" not in tomllib.load(fh).get("tool", {}):
                            continue
                except (OSError, tomllib.TOMLDecodeError):
                    continue
            return f
    up = os.path.dirname(folder)
    return None if up == folder else _config_at_or_above(up)


def _settings_from(path: str | None) -> Settings:
    if not path:
        return Settings()
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None  # read_config reports it
    return _read_config_cached(path, stamp)


@lru_cache(maxsize=64)
def _read_config_cached(path: str, _stamp) -> Settings:
    """read_config, again only when the file changed (its mtime and size are in the key)."""
    return read_config(path)


def settings_for(target: str | None, config: str | None = None, section_overrides: dict | None = None,
                 **overrides: Any) -> Settings:
    """Settings for one file: the explicit config, else the nearest one, then the CLI overrides
    (`section_overrides` merges keys into rule sections, e.g. {"versions": {"policy": ...}})."""
    if config:
        base = _settings_from(str(config))
    elif target and target != "-":
        base = _settings_from(find_config(os.path.dirname(os.path.abspath(target)) or "."))
    else:
        base = _settings_from(find_config(os.getcwd()))
    merged = base.merged(**overrides)
    if section_overrides:
        sections = dict(merged.sections)
        for name, values in section_overrides.items():
            sections[name] = {**sections.get(name, {}), **values}
        merged = replace(merged, sections=tuple(sections.items()))
    return merged
