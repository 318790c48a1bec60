"""Where catalogs live and how they are read and written.

`load_catalog` picks, in order: an explicit path, the user cache (`default_cache_path`, written
by ``autofix catalog update``) when present and valid, the snapshot bundled with the package.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

from autofix.catalog.model import Catalog, CatalogError

BUNDLED_SNAPSHOT = Path(__file__).resolve().parent / "data" / "snapshot.json"


def default_cache_path() -> Path:
    """The user cache file: ``$XDG_CACHE_HOME/autofix/catalog.json`` when XDG_CACHE_HOME is set
    (to an absolute path, as the XDG spec requires), else the platform cache folder:
    ``~/Library/Caches/autofix/catalog.json`` on macOS, ``%LOCALAPPDATA%\\autofix\\Cache\\catalog.json``
    on Windows, ``~/.cache/autofix/catalog.json`` elsewhere."""
    return _default_cache_path(os.environ.get("XDG_CACHE_HOME", ""), os.environ.get("HOME", ""),
                               os.environ.get("USERPROFILE", ""), os.environ.get("LOCALAPPDATA", ""), sys.platform)


@functools.lru_cache(maxsize=16)
def _default_cache_path(_xdg: str, _home: str, _profile: str, _local: str, _platform: str) -> Path:
    # worked out once per environment: every file's check asks for it
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "autofix" / "catalog.json"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "autofix" / "catalog.json"
    if sys.platform.startswith("win"):
        local = os.environ.get("LOCALAPPDATA", "").strip()
        base = Path(local) if local else Path.home() / "AppData" / "Local"
        return base / "autofix" / "Cache" / "catalog.json"
    return Path.home() / ".cache" / "autofix" / "catalog.json"


def catalog_to_text(catalog: Catalog) -> str:
    """Stable JSON text: indented, one version (and one runtime) per line, newline-terminated."""
    data = catalog.to_json()

    def one(obj) -> str:
        return json.dumps(obj, sort_keys=False, separators=(", ", ": "), ensure_ascii=False)

    lines = ["{"]
    head = [k for k in data if k not in ("engines", "lambda_runtimes")]
    for k in head:
        lines.append(f"  {json.dumps(k)}: {one(data[k])},")
    lines.append('  "engines": {')
    engines = list(data["engines"].items())
    for i, (name, body) in enumerate(engines):
        lines.append(f"    {json.dumps(name)}: {{")
        parts = []
        if "majors" in body:
            majors = list(body["majors"].items())
            mlines = [f"        {json.dumps(m)}: {one(info)}" for m, info in majors]
            parts.append('      "majors": {\n' + ",\n".join(mlines) + "\n      }")
        vlines = [f"        {one(v)}" for v in body["versions"]]
        parts.append('      "versions": [' + ("\n" + ",\n".join(vlines) + "\n      ]" if vlines else "]"))
        lines.append(",\n".join(parts))
        lines.append("    }" + ("," if i < len(engines) - 1 else ""))
    lines.append("  },")
    rts = list(data["lambda_runtimes"].items())
    rlines = [f"    {json.dumps(n)}: {one(info)}" for n, info in rts]
    lines.append('  "lambda_runtimes": {' + ("\n" + ",\n".join(rlines) + "\n  }" if rlines else "}"))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == data  # the hand layout must stay plain JSON
    return text


def write_catalog(catalog: Catalog, path: str | os.PathLike) -> Path:
    """Write `catalog` to `path` atomically: a temporary file in the same folder, flushed and
    fsynced, then ``os.replace``.  A failure leaves any existing file untouched."""
    target = Path(path).expanduser()
    text = catalog_to_text(catalog)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise CatalogError(f"cannot write catalog {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise CatalogError(f"cannot write catalog {target}: {exc.strerror or exc}") from None
        raise
    _read_catalog.cache_clear()
    return target


@functools.lru_cache(maxsize=16)
def _read_catalog(path: str, mtime_ns: int, size: int) -> Catalog:
    # keyed by path and file identity, so an updated cache file is re-read
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise CatalogError(f"cannot read catalog {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(f"catalog {path} is not valid JSON: {exc}") from None
    try:
        return Catalog.from_json(data)
    except CatalogError as exc:
        raise CatalogError(f"catalog {path}: {exc}") from None


def _load(path: Path) -> Catalog:
    try:
        st = path.stat()
    except OSError as exc:
        raise CatalogError(f"cannot read catalog {path}: {exc.strerror or exc}") from None
    return _read_catalog(str(path), st.st_mtime_ns, st.st_size)


def load_catalog(path: str | os.PathLike | None = None) -> Catalog:
    """The catalog to use: `path` when given (CatalogError if it is missing or invalid), else
    the user cache when present and valid, else the bundled snapshot.  A corrupt cache is
    logged and skipped.  Results are cached in-process per file (path, mtime, size)."""
    if path is not None:
        return _load(Path(path).expanduser())
    cache = default_cache_path()
    try:
        present = cache.is_file()
    except OSError:  # a cache folder we may not look into (before 3.12 is_file raises EACCES)
        present = False
    if present:
        try:
            return _load(cache)
        except CatalogError as exc:
            import logging  # only on this path: logging's import is a fifth of the catalog's

            logging.getLogger(__name__).warning("ignoring the catalog cache (%s); using the bundled snapshot", exc)
    return _load(BUNDLED_SNAPSHOT)


def bundled_catalog() -> Catalog:
    """The snapshot shipped with the package (ignores the user cache)."""
    return _load(BUNDLED_SNAPSHOT)


load_catalog.cache_clear = _read_catalog.cache_clear  # type: ignore[attr-defined]
