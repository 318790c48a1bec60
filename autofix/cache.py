"""A result cache like ruff's: a file whose bytes, autofix version, settings, catalog and date
are unchanged since the last run is not parsed again.

One JSON file per autofix version holds every entry: it is read once before a run (and
shared with the pool's workers through fork), entries found in the run are gathered by the
parent process and written back at the end in one atomic replace."""

from __future__ import annotations

import datetime
import json
import os

try:  # BLAKE2 straight from CPython's built-in module: hashlib would load OpenSSL first
    from _blake2 import blake2b as _hash
except ImportError:  # pragma: no cover - another Python implementation
    from hashlib import blake2b as _hash

from autofix import __version__

DEFAULT_DIR = ".autofix_cache"
MAX_ENTRIES = 50_000  # oldest entries are dropped past this
STATS_KEY = "stat-shortcuts"  # not a hex digest, so it cannot collide with an entry's key


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


def _code_fingerprint() -> str:
    """When autofix's own code last changed (newest .py under autofix/ and transforms/): a
    released version never changes under the same version number, but a checkout does, and a
    cached result of the old rules must not survive an edit of them.  A few directory scans."""
    import autofix

    roots = [os.path.dirname(autofix.__file__)]
    try:
        import importlib.util

        spec = importlib.util.find_spec("transforms")
        roots += list(spec.submodule_search_locations or []) if spec else []
    except (ImportError, ValueError):
        pass
    newest = 0
    stack = list(roots)
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.name.endswith(".py"):
                newest = max(newest, e.stat().st_mtime_ns)
            elif e.is_dir() and not e.name.startswith((".", "__")) and e.name != "data":
                stack.append(e.path)
    return str(newest)


class Cache:
    def __init__(self, folder: str | os.PathLike | None = None):
        # os.path, not pathlib: a cached run is mostly start-up, and pathlib alone is a tenth of it
        self.root = os.fspath(folder or os.environ.get("AUTOFIX_CACHE_DIR") or DEFAULT_DIR)
        self.file = os.path.join(self.root, __version__, "results.json")
        self._entries: dict[str, dict] | None = None
        self._stats: dict[str, str] = {}  # stat key -> content key
        self._fingerprints: dict = {}
        self._fp_digests: dict = {}

    def _fp(self, settings) -> str:
        sfp = settings.fingerprint()
        fp = self._fingerprints.get(sfp)
        if fp is None:
            fp = self._fingerprints[sfp] = "\0".join((
                __version__,
                _code_fingerprint(),
                sfp,
                _catalog_fingerprint(settings.catalog),
                datetime.date.today().isoformat(),  # runtime deprecation dates move with the calendar
            ))
        return fp

    def key(self, data: bytes, settings, path: str) -> str:
        """The entry's key: the file's bytes with everything else its result depends on."""
        h = _hash(self._fp(settings).encode(), digest_size=20)
        h.update(b"\0" + repr(settings.ignores_for(path)).encode() + b"\0")
        h.update(data)
        return h.hexdigest()

    def stat_key(self, st: os.stat_result, settings, path: str) -> str:
        """A shortcut to `key` that needs no read: the file's identity (device and inode), size
        and modification time (what ruff's cache and make go by), with the same settings part
        (as a digest, worked out once per settings)."""
        fp = self._fp(settings)
        digest = self._fp_digests.get(fp)
        if digest is None:
            digest = self._fp_digests[fp] = _hash(fp.encode(), digest_size=12).hexdigest()
        return f"{digest}:{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{settings.ignores_for(path)!r}"

    def by_stat(self, stat_key: str) -> str | None:
        """The content key last seen for a file with this identity, size and mtime."""
        return self.load()._stats.get(stat_key)

    def load(self) -> "Cache":
        if self._entries is None:
            try:
                with open(self.file, encoding="utf-8") as fh:
                    data = json.load(fh)
                data = data if isinstance(data, dict) else {}
                stats = data.pop(STATS_KEY, {})
                self._stats = stats if isinstance(stats, dict) else {}
                self._entries = data
            except (OSError, ValueError):
                self._entries = {}
        return self

    def without_entries(self) -> "Cache":
        """A copy for the pool's workers: it computes keys, finds nothing (the parent looked
        already), and is cheap to send to another process."""
        other = Cache(self.root)
        other._entries = {}
        other._fingerprints = dict(self._fingerprints)
        return other

    @property
    def empty(self) -> bool:
        return not self.load()._entries

    def get(self, key: str) -> dict | None:
        return self.load()._entries.get(key)

    def save(self, new: dict[str, dict], stats: dict[str, str] | None = None) -> None:
        """Merge `new` entries (and stat shortcuts to them) into the file (atomic replace; a
        cache that cannot be written only costs speed)."""
        stats = {k: v for k, v in (stats or {}).items() if self._stats.get(k) != v}
        if not new and not stats:
            return
        entries = dict(self.load()._entries)
        entries.update(new)
        if len(entries) > MAX_ENTRIES:
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        shortcuts = {k: v for k, v in {**self._stats, **stats}.items() if v in entries}
        if len(shortcuts) > MAX_ENTRIES:
            shortcuts = dict(list(shortcuts.items())[-MAX_ENTRIES:])
        try:
            folder = os.path.dirname(self.file)
            os.makedirs(folder, exist_ok=True)
            tag = os.path.join(self.root, "CACHEDIR.TAG")
            if not os.path.exists(tag):
                with open(os.path.join(self.root, ".gitignore"), "w", encoding="utf-8") as fh:
                    fh.write("*\n")
                # the standard cache-folder tag: backup tools, and autofix's own walk, skip it
                with open(tag, "w", encoding="utf-8") as fh:
                    fh.write("Signature: 8a477f597d28d172789f06886806bc55\n# autofix result cache\n")
            # a name of this process's own (tempfile's mkstemp, without importing tempfile)
            tmp = os.path.join(folder, f".results-{os.getpid()}-{os.urandom(6).hex()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    # dumps: the C encoder, in one piece
                    fh.write(json.dumps({**entries, STATS_KEY: shortcuts}, separators=(",", ":")))
                os.replace(tmp, self.file)
            except OSError:
                os.unlink(tmp)  # a full disk: no half-written file left behind
                raise
            self._entries, self._stats = entries, shortcuts
        except OSError:
            pass
