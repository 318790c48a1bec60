"""The public API: fix text or files and get result values back.  Nothing here raises for bad
input; every file ends as a `FileResult` (fixed, unchanged, skipped or failed)."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

from autofix.fixes import Fix
from autofix.rules import Rule
from autofix.settings import MAX_FILE_SIZE_DEFAULT as MAX_BYTES_DEFAULT  # noqa: F401 (the API's name for it)
from autofix.settings import ConfigError, Settings

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
PYTHON_SUFFIXES = (".py",)
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", "cdk.out",
             ".aws-sam", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".autofix_cache"}


@dataclass
class FileResult:
    path: str
    status: str  # "fixed" | "would-fix" | "unchanged" | "skipped" | "failed"
    fixes: list[Fix] = field(default_factory=list)
    error: str | None = None
    line: int = 0
    column: int = 0
    original: str | None = None  # decoded text (BOM removed)
    output: str | None = None  # the fixed text, when it differs
    bom: bool = False
    language: str | None = None
    cache_entry: tuple[str, dict] | None = None  # (key, entry) for the result cache
    cache_stat: tuple[str, str] | None = None  # (stat key, key): the shortcut to that entry

    @property
    def changed(self) -> bool:
        return self.output is not None and self.output != self.original

    @property
    def error_line(self) -> str:
        """`file:line:col: reason` — what a person sees for a failed file."""
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.error}"

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "error": self.error,
            "line": self.line or None,
            "column": self.column or None,
            "fixes": [f.to_json() for f in self.fixes],
        }


def language_of(path: str | None, text: str | None = None) -> str:
    if path and path.endswith(PYTHON_SUFFIXES):
        return "cdk"
    return "cfn"


def _loader(language: str):
    if language == "cdk":
        from autofix.cdk.document import CdkDocument

        return CdkDocument
    from autofix.cfn.document import Document

    return Document


def _rules_for(settings: Settings, language: str, rules: Sequence[Rule] | None) -> list[Rule]:
    if rules is not None:
        return [r for r in rules if r.language == language]
    from autofix import registry

    return registry.select(settings.select, settings.ignore, language=language)


def fix_text(
    source: str | bytes,
    *,
    path: str | None = None,
    settings: Settings | None = None,
    rules: Sequence[Rule] | None = None,
    language: str | None = None,
    max_bytes: int | None = None,
    fast: bool = True,
    detect_only: bool = False,
) -> FileResult:
    """Fix one document held in memory.  Never raises for bad input.

    With `fast`, a file is first read with libyaml's C composer and the rules run on that
    tree; only a file with findings pays for the round-trip parser and the edit machinery."""
    from autofix.cfn.document import NotATemplate, TemplateError, decode
    from autofix.engine import EngineError, fix_document

    settings = settings or Settings()
    max_bytes = max_bytes or settings.max_bytes
    name = path or "<stdin>"
    lang = language or language_of(path)
    result = FileResult(path=name, status="unchanged", language=lang)
    try:
        if isinstance(source, bytes):
            if len(source) > max_bytes:
                raise TemplateError(f"file is {len(source):,} bytes, above the {max_bytes:,}-byte limit (max-file-size)")
            if lang == "cdk" and b"aws_cdk" not in source:
                raise NotATemplate("Python file without an aws_cdk import")
            text, bom = decode(source)
        else:
            bom = source.startswith("\ufeff")
            text = source[1:] if bom else source
            if len(text) > max_bytes:
                raise TemplateError(f"file is {len(text):,} characters, above the {max_bytes:,} limit (max-file-size)")
        result.original, result.bom = text, bom
        load = _loader(lang)
        selected = _rules_for(settings, lang, rules)
        if lang == "cfn" and fast:
            found = _findings_fast(text, selected, settings, path)
            if found is not None and (detect_only or not found):
                # check mode reports the first pass as ruff does; nothing found: nothing to do
                from autofix.engine import wanted

                for f in found:
                    f.would_apply = wanted(f, settings)
                result.fixes = sorted(found, key=lambda f: (f.line, f.column))
                if any(f.would_apply for f in found):
                    result.status = "would-fix"
                return result
        doc = load(text)
        outcome = fix_document(doc, load, selected, settings, path)
    except NotATemplate as e:
        result.status = "skipped"
        result.error = str(e)
        return result
    except (TemplateError, EngineError) as e:
        result.status, result.error, result.line, result.column = "failed", e.message, e.line, e.column
        return result
    except ConfigError as e:
        result.status, result.error = "failed", str(e)
        return result
    except RecursionError:
        result.status, result.error = "failed", "document nested too deeply"
        return result
    except MemoryError:
        result.status, result.error = "failed", "out of memory while reading the document"
        return result
    result.fixes = outcome.fixes
    if outcome.text != text:
        result.output = outcome.text
        result.status = "fixed"
    return result


def _findings_fast(text: str, rules, settings: Settings, path: str | None) -> list[Fix] | None:
    """The rules' findings on the C-parsed tree; None when in doubt (use the round-trip path)."""
    from autofix.cfn.document import Document, NotATemplate, TemplateError
    from autofix.engine import run_rules

    try:
        doc = Document(text, fast=True)
    except NotATemplate:
        raise
    except TemplateError as e:
        if e.message.startswith(("nesting", "document expands")):
            raise  # resource limits: refuse now rather than make the slow parser find out
        return None
    except Exception:  # FastParseUnavailable, or a disagreement: let the round-trip path decide
        return None
    try:
        return run_rules(doc, rules, settings, path)
    except Exception:
        return None


def encode(result: FileResult) -> bytes:
    assert result.output is not None
    return (b"\xef\xbb\xbf" if result.bom else b"") + result.output.encode("utf-8")


@contextlib.contextmanager
def _folder_lock(folder: str):
    """An exclusive advisory lock on a folder (flock on its descriptor), so that two autofix
    processes cannot interleave compare-and-replace on files in it.  Where flock is missing
    (Windows) the compare still catches most races."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: str, data: bytes, expect: bytes | None = None) -> None:
    """Replace `path` with `data` via a temporary file in the same folder and a rename, keeping
    its permissions.  With `expect`, refuse when the file no longer holds those bytes; the
    check and the rename happen under a folder lock, so no other autofix process can slip a
    write in between."""
    st = os.stat(path)
    folder = os.path.dirname(os.path.abspath(path))
    import tempfile

    # the pid in the name lets a later run tell a dead run's leftover from a live run's file
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        with _folder_lock(folder):
            if expect is not None:
                with open(path, "rb") as fh:
                    if fh.read() != expect:
                        raise ConcurrentChange(f"{path}: changed by another process while autofix ran; not written")
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class ConcurrentChange(Exception):
    pass


TEMP_PREFIX = ".autofix-"
_TEMP_NAME = re.compile(r"\.autofix-([0-9]+)-[^/]*\.tmp")


def _zombie(pid: int) -> bool:
    """A process that has exited but was not reaped yet (a killed run's pool worker whose
    parent died first, where nothing reaps orphans): it still answers os.kill(pid, 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[-1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def remove_stale_temps(folder: str, names: Iterable[str]) -> None:
    """Delete the temporary files of autofix runs that were killed before they could clean up
    (`.autofix-<pid>-*.tmp` whose process no longer exists).  A file of a live process, of
    another user's process, or without a pid is left alone."""
    if os.name != "posix":  # os.kill(pid, 0) only tests a process on POSIX
        return
    for name in names:
        m = _TEMP_NAME.fullmatch(name)
        pid = int(m.group(1)) if m else os.getpid()
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            if not _zombie(pid):
                continue  # alive
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError, OSError):
            continue  # another user's process, or not a pid we can judge
        try:
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def fix_path(
    path: str | os.PathLike,
    *,
    settings: Settings | None = None,
    write: bool = True,
    rules: Sequence[Rule] | None = None,
    write_to: str | None = None,
    max_bytes: int | None = None,
    cache=None,
    detect_only: bool = False,
) -> FileResult:
    """Fix one file; with `write`, replace it atomically when something changed.

    With a `cache` (autofix.cache.Cache), an unchanged file is not parsed again: in check mode
    its whole result comes back from the cache, in apply mode only a result with nothing to
    write does."""
    p = str(path)
    settings = settings or Settings()
    for attempt in range(CONCURRENT_RETRIES):
        result = _fix_path_once(p, settings=settings, write=write, rules=rules, write_to=write_to,
                                max_bytes=max_bytes or settings.max_bytes, cache=cache, detect_only=detect_only)
        if result.error != CHANGED_MEANWHILE:
            break  # another process wrote the file after we read it: start again from its bytes
    return result


CONCURRENT_RETRIES = 3
CHANGED_MEANWHILE = "changed by another process while autofix ran; not written"


def _fix_path_once(p: str, *, settings: Settings, write: bool, rules, write_to, max_bytes: int, cache,
                   detect_only: bool) -> FileResult:
    try:
        with open(write_to or p, "rb") as fh:
            st = os.fstat(fh.fileno())  # before the read: a change while reading gets a newer mtime
            data = fh.read(max_bytes + 1)
    except OSError as e:
        return FileResult(path=p, status="failed", error=f"cannot read: {e.strerror or e}")
    key = cache.key(data, settings, p) if cache is not None and rules is None else None
    if key is not None:
        hit = _hit(cache, key, p, write)
        if hit is not None:
            return hit
    result = fix_text(data, path=p, settings=settings, rules=rules, max_bytes=max_bytes, detect_only=detect_only)
    result.path = p
    if result.changed:
        if write:
            try:
                atomic_write(write_to or p, encode(result), expect=data)
            except ConcurrentChange:
                result.status, result.error = "failed", CHANGED_MEANWHILE
                _unapply(result)
            except OSError as e:
                result.status, result.error = "failed", f"cannot write: {e.strerror or e}; file left unchanged"
                _unapply(result)
        else:
            result.status = "would-fix"
            _unapply(result, would=True)
    # a result that depends only on the bytes is kept (not a write that failed or happened);
    # the caller gathers these and saves them once
    if key is not None and not (write and result.changed):
        result.cache_entry = (key, result.to_json())
        result.cache_stat = (cache.stat_key(st, settings, p), key)
    return result


def _hit(cache, key: str, path: str, write: bool) -> FileResult | None:
    """The cached result for `key`, when it can stand for a run: in check mode any result,
    in apply mode one with nothing to write."""
    hit = cache.get(key)
    if hit is None or (write and hit["status"] not in ("unchanged", "skipped", "failed")):
        return None
    return FileResult(
        path=path, status=hit["status"], error=hit.get("error"), line=hit.get("line") or 0,
        column=hit.get("column") or 0, fixes=[Fix.from_json(f) for f in hit.get("fixes", [])],
    )


def _cached(task) -> FileResult | None:
    """A task's result from the cache, looked up in the parent process: a file whose bytes and
    settings are unchanged costs a read and a hash, and never reaches the pool."""
    path, real, settings_for, write, rules, cache, detect_only = task
    if cache is None or rules is not None or real == "outside":
        return None
    try:
        settings = settings_for(path)
        # the stat shortcut first: an unchanged file (same identity, size and mtime) is not read
        key = cache.by_stat(cache.stat_key(os.stat(real or path), settings, path))
        if key is not None:
            hit = _hit(cache, key, path, write)
            if hit is not None:
                return hit
        with open(real or path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read(settings.max_bytes + 1)
    except (OSError, ConfigError):
        return None  # the worker reports it
    key = cache.key(data, settings, path)
    hit = _hit(cache, key, path, write)
    if hit is not None:  # same bytes, new mtime (a checkout, a touch): remember the new shortcut
        hit.cache_stat = (cache.stat_key(st, settings, path), key)
    return hit


def _unapply(result: FileResult, would: bool = False) -> None:
    for f in result.fixes:
        f.would_apply = would and f.applied
        f.applied = False


def iter_files(paths: Iterable[str], *, include_python: bool = True, exclude: Sequence[str] = (),
               clean: bool = False) -> Iterator[tuple[str, str | None]]:
    """Files to process, as (path as named, real path to write through or None).

    Folders are searched recursively for templates (and CDK Python files).  Symbolic links are
    never followed out of the paths the user gave: a link whose target lies outside is skipped.
    """
    import fnmatch

    suffixes = TEMPLATE_SUFFIXES + (PYTHON_SUFFIXES if include_python else ())
    roots = [os.path.realpath(p) for p in paths if p != "-"]

    def inside(real: str) -> bool:
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

    def excluded(p: str) -> bool:
        return any(fnmatch.fnmatch(p, pat) or fnmatch.fnmatch(os.path.basename(p), pat) for pat in exclude)

    def identity(path: str):
        """The same file reached twice (overlapping arguments, a link inside the paths) is
        processed once: a stat, where resolving every path component would cost a dozen."""
        try:
            st = os.stat(path)
            return (st.st_dev, st.st_ino)
        except OSError:
            return os.path.realpath(path)

    seen: set = set()
    for top in paths:
        if top == "-":
            yield "-", None
            continue
        if os.path.isdir(top) and not os.path.islink(top):
            for dirpath, dirnames, filenames in os.walk(top):
                if "CACHEDIR.TAG" in filenames:
                    dirnames[:] = []
                    continue
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not os.path.islink(os.path.join(dirpath, d)))
                if clean:  # a run that writes tidies up after runs that were killed
                    remove_stale_temps(dirpath, [n for n in filenames if n.startswith(TEMP_PREFIX)])
                for name in sorted(filenames):
                    if not name.endswith(suffixes):
                        continue
                    full = os.path.join(dirpath, name)
                    if excluded(full):
                        continue
                    link = os.path.islink(full)
                    real = os.path.realpath(full) if link else full
                    if link and not inside(real):
                        yield full, "outside"
                        continue
                    ident = identity(real)
                    if ident in seen:
                        continue
                    seen.add(ident)
                    yield full, (real if link else None)
        else:
            real = os.path.realpath(top)
            ident = identity(real)
            if ident in seen:
                continue
            seen.add(ident)
            yield top, (real if os.path.islink(top) else None)


def _process(task) -> FileResult:
    path, real, settings_for, write, rules, cache, detect_only = task
    if real == "outside":
        return FileResult(path=path, status="skipped", error="symbolic link to a file outside the given paths")
    if not os.path.exists(path):
        return FileResult(path=path, status="failed", error="no such file or directory")
    try:
        settings = settings_for(path)
    except ConfigError as e:
        return FileResult(path=path, status="failed", error=str(e))
    return fix_path(path, settings=settings, write=write, rules=rules, write_to=real, cache=cache,
                    detect_only=detect_only)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover
        return os.cpu_count() or 1


def run(
    paths: Sequence[str],
    *,
    settings_for,
    write: bool = True,
    rules: Sequence[Rule] | None = None,
    exclude: Sequence[str] = (),
    jobs: int | None = None,
    cache=None,
    progress=None,
    keep_text: bool = True,
    before_work=None,
) -> list[FileResult]:
    """Fix every file under `paths`; `settings_for(path)` gives each file's settings.

    Many files are shared out over a process pool (`jobs`, default: the usable cores); the
    results come back in the order the files were found, whatever order they finish in.
    `progress(done, total, result)` is called as results arrive; `before_work()` once before
    the first file that the cache does not answer."""
    detect_only = not write and not keep_text  # check without --diff: findings, not fixed text
    if cache is not None:
        cache.load()  # once, before the pool forks
    tasks = [(path, real, settings_for, write, rules, cache, detect_only)
             for path, real in iter_files(paths, exclude=exclude, clean=write)]
    results: list[FileResult | None] = [None] * len(tasks)
    done = 0
    todo = []
    lookup = cache is not None and not cache.empty  # an empty cache (a first run) answers nothing
    for i, t in enumerate(tasks):
        hit = _cached(t) if lookup else None
        if hit is None:
            todo.append(i)
            continue
        results[i] = hit
        done += 1
        if progress:
            progress(done, len(tasks), hit)
    if todo and before_work is not None:
        before_work()
    # workers look nothing up (the parent did), so they get the cache without its entries
    worker_cache = cache.without_entries() if cache is not None else None
    work = [tasks[i][:5] + (worker_cache,) + tasks[i][6:] for i in todo]
    jobs = default_jobs() if jobs is None else jobs
    one = _process if keep_text else _process_lean

    def finish(i: int, r: FileResult) -> None:
        nonlocal done
        results[i] = r
        done += 1
        if progress:
            progress(done, len(tasks), r)

    remaining = list(zip(todo, work))
    if jobs > 1 and len(work) >= 16:
        # largest files first, in small chunks, so that no worker is left with a big file
        # while the others idle at the end; results still come back in the files' order
        order = sorted(range(len(work)), key=lambda k: -_size(work[k][0]))
        size = max(1, len(work) // (jobs * 8))
        from autofix import pool

        try:
            if pool.available():
                chunks = [order[s : s + size] for s in range(0, len(order), size)]
                pool.fork_map(one, work, chunks, jobs, lambda k, r: finish(todo[k], r))
            else:
                from concurrent.futures import ProcessPoolExecutor

                with ProcessPoolExecutor(max_workers=min(jobs, len(work))) as executor:
                    for k, r in zip(order, executor.map(one, [work[k] for k in order], chunksize=size)):
                        finish(todo[k], r)
        except (OSError, ImportError, NotImplementedError):  # no process support here: run inline
            pass
        remaining = [(i, t) for i, t in remaining if results[i] is None]  # and what a dead worker left
    for i, t in remaining:
        finish(i, one(t))
    return _save_cache(cache, results)  # type: ignore[arg-type]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _save_cache(cache, results: list[FileResult]) -> list[FileResult]:
    if cache is not None:
        cache.save(dict(r.cache_entry for r in results if r.cache_entry),
                   dict(r.cache_stat for r in results if r.cache_stat))
    return results


def _process_lean(task) -> FileResult:
    """_process without the texts, so that a pool does not ship whole files back."""
    r = _process(task)
    r.original = r.output = None
    return r
