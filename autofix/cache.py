"""A result cache like ruff's: a file whose bytes, autofix version, settings, catalog and date
are unchanged since the last run is not parsed again."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
from pathlib import Path

from autofix import __version__

DEFAULT_DIR = ".autofix_cache"


def _catalog_fingerprint(explicit: str | None) -> str:
    """Which catalog a run would load, by file identity (no need to load it)."""
    candidates = [explicit] if explicit else []
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append(os.path.join(base, "autofix", "catalog.json"))
    out = []
    for c in candidates:
        try:
            st = os.stat(c)
            out.append(f"{c}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            out.append(f"{c}:-")
    return "|".join(out)


class Cache:
    def __init__(self, folder: str | os.PathLike | None = None):
        root = Path(folder or os.environ.get("AUTOFIX_CACHE_DIR") or DEFAULT_DIR)
        self.folder = root / __version__

    def key(self, data: bytes, settings, path: str) -> str:
        h = hashlib.sha256()
        for part in (
            __version__,
            settings.fingerprint(),
            repr(settings.ignores_for(path)),
            _catalog_fingerprint(settings.catalog),
            datetime.date.today().isoformat(),  # runtime deprecation dates move with the calendar
        ):
            h.update(part.encode())
            h.update(b"\0")
        h.update(data)
        return h.hexdigest()

    def get(self, key: str) -> dict | None:
        try:
            with open(self.folder / key[:2] / f"{key}.json", encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            return None

    def put(self, key: str, entry: dict) -> None:
        d = self.folder / key[:2]
        try:
            d.mkdir(parents=True, exist_ok=True)
            if not (self.folder.parent / "CACHEDIR.TAG").exists():
                (self.folder.parent / ".gitignore").write_text("*\n")
                # the standard cache-folder tag: backup tools, and autofix's own walk, skip it
                (self.folder.parent / "CACHEDIR.TAG").write_text(
                    "Signature: 8a477f597d28d172789f06886806bc55\n# autofix result cache\n"
                )
            fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh)
            os.replace(tmp, d / f"{key}.json")
        except OSError:
            pass  # a cache that cannot be written only costs speed
