"""Faults, through the real CLI and API on real files: read-only files and folders, a file
changed or deleted between read and write, a full disk, SIGKILL in the middle of a folder,
symbolic links, and two autofix processes on the same folder.

After every fault each file must be exactly the original or exactly the fixed version.
The fixable template uses AF101 (a KMS key with DeletionPolicy: Delete), which needs no
environment.  Root ignores permission bits, so the permission tests drop to the `nobody` user
(effective ids, restored afterwards) when they run as root.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autofix import api, registry
from autofix.cli import cli
from autofix.settings import Settings

ORIGINAL = b"""AWSTemplateFormatVersion: '2010-09-09'
Description: a key that goes away with its stack   # keep this comment
Resources:
  Key:
    Type: AWS::KMS::Key
    DeletionPolicy: Delete
    Properties:
      Description: data key
      EnableKeyRotation: true
"""

# a second resource for a second rule (AF102: Retain without UpdateReplacePolicy)
ORIGINAL_TWO_RULES = ORIGINAL + b"""  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
"""

AUTOFIX = [sys.executable, "-m", "autofix"]


@pytest.fixture(autouse=True, scope="module")
def _private_cache(tmp_path_factory):
    """autofix's result cache goes to a temporary folder, not the working directory; the user
    catalog folder is an empty one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOFIX_CACHE_DIR", str(tmp_path_factory.mktemp("autofix-cache")))
        # no user catalog from ~/.cache: every run sees the bundled one
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


def fixed_bytes(data: bytes, select: str | None = None) -> bytes:
    rules = registry.select((select,)) if select else None
    r = api.fix_text(data, path="t.yaml", rules=rules)
    assert r.status == "fixed", (r.status, r.error)
    return api.encode(r)


FIXED = fixed_bytes(ORIGINAL)


def test_reference_fix_is_what_we_expect():
    """The fixtures below rest on this: AF101 changes exactly the policy lines."""
    assert FIXED == ORIGINAL.replace(
        b"    DeletionPolicy: Delete\n", b"    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n"
    )


def leftover_temps(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob(".autofix-*") if p.is_file())


def invoke(*args: str):
    r = CliRunner().invoke(cli, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    return r


# ------------------------------------------------------------------------------------------------
# unprivileged: root ignores permission bits, so drop to nobody for the permission tests

NOBODY = 65534


@contextlib.contextmanager
def unprivileged():
    """Run the block with the effective ids of `nobody` when we are root (and restore them)."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def open_dir(monkeypatch):
    """A folder `nobody` can reach (pytest's tmp_path is private to root), with the result cache
    and the user cache folder inside it."""
    d = Path(tempfile.mkdtemp(prefix="autofix-faults-"))
    d.chmod(0o777)
    for sub, var in (("cache", "AUTOFIX_CACHE_DIR"), ("xdg", "XDG_CACHE_HOME")):
        (d / sub).mkdir(mode=0o777)
        (d / sub).chmod(0o777)
        monkeypatch.setenv(var, str(d / sub))
    yield d
    for p in [d, *d.rglob("*")]:
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o777)
    shutil.rmtree(d, ignore_errors=True)


def _owned_by_caller(p: Path, mode: int) -> None:
    if os.geteuid() == 0:
        os.chown(p, NOBODY, NOBODY)
    p.chmod(mode)


# warm up: load every module a run needs before the effective user changes
api.fix_text(ORIGINAL, path="warm.yaml")
invoke("check", "--help")


def test_read_only_file_is_replaced_whole_and_stays_read_only(open_dir):
    """Decision: a read-only file (0444) in a writable folder is fixed.  autofix writes a new
    file and renames it over the old one, as `sed -i` and git do: the folder's permission
    governs that, not the file's.  The file keeps its 0444 mode and is never partial.
    (ruff and black instead refuse such a file; see the report for the trade-off.)"""
    d = open_dir / "proj"
    d.mkdir()
    _owned_by_caller(d, 0o755)
    f = d / "key.yaml"
    f.write_bytes(ORIGINAL)
    _owned_by_caller(f, 0o444)
    with unprivileged():
        r = invoke("apply", str(f))
        assert not os.access(f, os.W_OK, effective_ids=True)
    assert r.exit_code == 0, r.output
    assert f.read_bytes() == FIXED
    assert stat.S_IMODE(f.stat().st_mode) == 0o444
    assert leftover_temps(d) == []


def test_read_only_folder_fails_and_leaves_the_file(open_dir):
    """A folder without write permission: the temporary file cannot be created, the file is
    reported failed (exit 2) and stays byte for byte the original."""
    d = open_dir / "ro"
    d.mkdir()
    f = d / "key.yaml"
    f.write_bytes(ORIGINAL)
    _owned_by_caller(f, 0o644)
    _owned_by_caller(d, 0o555)
    with unprivileged():
        assert not os.access(d, os.W_OK, effective_ids=True)
        r = invoke("apply", str(f))
        res = api.fix_path(f)
    assert r.exit_code == 2, r.output
    assert f"{f}" in r.output and "cannot write" in r.output and "left unchanged" in r.output
    assert len([ln for ln in r.output.splitlines() if str(f) in ln]) == 1
    assert res.status == "failed" and "cannot write" in res.error
    assert not any(fx.applied for fx in res.fixes)
    assert f.read_bytes() == ORIGINAL
    assert leftover_temps(d) == []


def test_read_only_folder_check_still_reports(open_dir):
    """check never writes, so a read-only folder does not matter to it."""
    d = open_dir / "ro"
    d.mkdir()
    f = d / "key.yaml"
    f.write_bytes(ORIGINAL)
    _owned_by_caller(d, 0o555)
    with unprivileged():
        r = invoke("check", str(f))
    assert r.exit_code == 1 and "AF101" in r.output
    assert f.read_bytes() == ORIGINAL


def test_unreadable_user_cache_folder_does_not_fail_templates(open_dir, monkeypatch):
    """A user cache folder autofix may not enter (HOME of another user in a container, a
    locked-down ~/.cache): the catalog falls back to the bundled snapshot; templates are still
    checked and fixed."""
    private = open_dir / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)  # owned by root: `nobody` cannot look inside
    monkeypatch.setenv("XDG_CACHE_HOME", str(private / "cache"))
    f = open_dir / "key.yaml"
    f.write_bytes(ORIGINAL)
    _owned_by_caller(f, 0o644)
    if os.geteuid() != 0:
        private.chmod(0o000)
    try:
        with unprivileged():
            with pytest.raises(PermissionError):
                (private / "cache").exists()
            r = invoke("check", str(f))
    finally:
        private.chmod(0o700)
    assert r.exit_code == 1, r.output
    assert "AF101" in r.output


# ------------------------------------------------------------------------------------------------
# another process changes or deletes the file between autofix's read and its write


def _race(monkeypatch, action):
    real = api.fix_text

    def fix_text_then_interfere(*args, **kwargs):
        result = real(*args, **kwargs)
        action(Path(kwargs.get("path") or args[0]))
        return result

    monkeypatch.setattr(api, "fix_text", fix_text_then_interfere)


OTHER = b"# rewritten by someone else\n" + ORIGINAL


@pytest.mark.parametrize("via", ["api", "cli"])
def test_file_changed_between_read_and_write_is_not_overwritten(tmp_path, monkeypatch, via):
    """Someone keeps rewriting the file while autofix works on it: after its retries autofix
    gives up, reports it, and the other writer's bytes are kept."""
    f = tmp_path / "key.yaml"
    f.write_bytes(ORIGINAL)
    writes = []

    def other_writer(p):
        writes.append(1)
        p.write_bytes(b"# rewritten by someone else, time %d\n" % len(writes) + ORIGINAL)

    _race(monkeypatch, other_writer)
    if via == "api":
        res = api.fix_path(f)
        assert res.status == "failed"
        assert "changed by another process" in res.error
        assert not any(fx.applied for fx in res.fixes)
    else:
        r = invoke("apply", str(f))
        assert r.exit_code == 2, r.output
        assert "changed by another process" in r.output
    assert len(writes) == api.CONCURRENT_RETRIES
    assert f.read_bytes() == b"# rewritten by someone else, time %d\n" % len(writes) + ORIGINAL
    assert leftover_temps(tmp_path) == []


def test_file_changed_once_is_fixed_on_top_of_the_other_writers_bytes(tmp_path, monkeypatch):
    f = tmp_path / "key.yaml"
    f.write_bytes(ORIGINAL)
    done = []

    def other_writer_once(p):
        if not done:
            done.append(1)
            p.write_bytes(OTHER)

    _race(monkeypatch, other_writer_once)
    res = api.fix_path(f)
    assert res.status == "fixed"
    assert f.read_bytes() == fixed_bytes(OTHER, "AF101")  # their edit and ours
    assert leftover_temps(tmp_path) == []


@pytest.mark.parametrize("via", ["api", "cli"])
def test_file_deleted_between_read_and_write_is_not_recreated(tmp_path, monkeypatch, via):
    f = tmp_path / "key.yaml"
    f.write_bytes(ORIGINAL)
    _race(monkeypatch, lambda p: p.unlink())
    if via == "api":
        res = api.fix_path(f)
        assert res.status == "failed", res.status
        assert res.error
    else:
        r = invoke("apply", str(f))
        assert r.exit_code == 2, r.output
        assert str(f) in r.output
    assert not f.exists()
    assert leftover_temps(tmp_path) == []


def test_write_race_between_check_and_rename_loses_no_edit(tmp_path, monkeypatch):
    """The narrow window of a write: this process has checked that the file still holds what
    it read and is about to rename its new version over it, when a second autofix process
    (another rule) fixes the same file.  Reproduced deterministically: the rename waits for
    the other process (up to 5 s, so that a lock that makes it wait for us cannot deadlock).
    Afterwards every edit a process reported applied must be in the file."""
    f = tmp_path / "t.yaml"
    f.write_bytes(ORIGINAL_TWO_RULES)
    a_only = fixed_bytes(ORIGINAL_TWO_RULES, "AF101")
    both = fixed_bytes(a_only, "AF102")
    real_replace = os.replace
    other: dict = {}

    def replace_after_the_other_writer(src, dst):
        if not other and os.path.abspath(dst) == str(f):
            other["proc"] = subprocess.Popen([*AUTOFIX, "apply", "--no-cache", "--select", "AF102", "--format", "json",
                                              str(f)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            with contextlib.suppress(subprocess.TimeoutExpired):
                other["proc"].wait(timeout=5)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_after_the_other_writer)
    res = api.fix_path(f, rules=registry.select(("AF101",)))
    monkeypatch.setattr(os, "replace", real_replace)
    out, err = other["proc"].communicate(timeout=60)
    assert "Traceback" not in err, err
    theirs = json.loads(out)["files"][0]
    final = f.read_bytes()
    b_only = fixed_bytes(ORIGINAL_TWO_RULES, "AF102")
    assert final in (ORIGINAL_TWO_RULES, a_only, b_only, both), "corrupt"
    if res.status == "fixed":
        assert final in (a_only, both), f"our AF101 fix was reported applied but is not in the file ({theirs})"
    if theirs["status"] == "fixed":
        assert final in (b_only, both), (
            f"the other process reported its AF102 fix applied, but it is not in the file (we: {res.status})")


def test_file_vanishes_before_read(tmp_path):
    """A path that does not exist (deleted after the folder was listed, or a typo)."""
    r = invoke("apply", str(tmp_path / "gone.yaml"))
    assert r.exit_code == 2
    assert "gone.yaml" in r.output
    assert not (tmp_path / "gone.yaml").exists()


# ------------------------------------------------------------------------------------------------
# full disk


@pytest.fixture
def full_tmpfs(tmp_path):
    """A 64 KiB tmpfs holding the template, then filled to the last byte."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    cp = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if cp.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({cp.stderr.strip() or cp.returncode}); the RLIMIT_FSIZE test covers it")
    try:
        f = mnt / "key.yaml"
        f.write_bytes(ORIGINAL)
        with open(mnt / "filler", "wb", buffering=0) as fh:
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 512)
        yield mnt, f
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_fails_cleanly(full_tmpfs):
    mnt, f = full_tmpfs
    with pytest.raises(OSError):  # the disk is really full
        (mnt / "probe").write_bytes(b"x" * 8192)
    with contextlib.suppress(OSError):
        (mnt / "probe").unlink()
    r = invoke("apply", str(f))
    assert r.exit_code == 2, r.output
    assert "No space left on device" in r.output and "left unchanged" in r.output
    res = api.fix_path(f)
    assert res.status == "failed" and "No space" in res.error
    assert f.read_bytes() == ORIGINAL
    assert leftover_temps(mnt) == []


def test_file_size_limit_fails_cleanly(tmp_path):
    """The other way to run out of room: RLIMIT_FSIZE below the fixed file's size.  The write
    fails with EFBIG (SIGXFSZ ignored, as a shell's `ulimit -f` would leave it otherwise killed)."""
    f = tmp_path / "key.yaml"
    f.write_bytes(ORIGINAL)
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({len(ORIGINAL)}, {len(ORIGINAL)}))\n"
        "sys.argv = ['autofix', 'apply', sys.argv[1]]\n"
        "from autofix.cli import main\n"
        "main()\n"
    )
    cp = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, timeout=60)
    out = cp.stdout + cp.stderr
    assert "Traceback" not in out, out
    assert cp.returncode == 2, out
    assert "cannot write" in out and "left unchanged" in out
    assert f.read_bytes() == ORIGINAL
    assert leftover_temps(tmp_path) == []


# ------------------------------------------------------------------------------------------------
# SIGKILL in the middle of a large folder


def _many(folder: Path, n: int, data: bytes = ORIGINAL) -> list[Path]:
    files = []
    for i in range(n):
        sub = folder / f"team{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        p = sub / f"stack{i:03d}.yaml"
        p.write_bytes(data)
        files.append(p)
    return files


def _start_and_kill(folder: Path, files: list[Path], delay: float) -> bool:
    """Start `autofix apply` on the folder, wait until it has fixed something, wait `delay`
    more, then SIGKILL its whole process group (the run and its pool workers, as a cancelled CI
    job is killed).  True when the kill came while the run was still going."""
    proc = subprocess.Popen([*AUTOFIX, "apply", "-q", str(folder)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    before = sum(p.read_bytes() == FIXED for p in files)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if sum(p.read_bytes() == FIXED for p in files) > before:
                break
            time.sleep(0.01)
        time.sleep(delay)
        running = proc.poll() is None
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        running = False
    proc.wait(timeout=30)
    return running


def test_sigkill_mid_folder_leaves_no_partial_file(tmp_path):
    folder = tmp_path / "repo"
    files = _many(folder, 300)
    history = []
    seen_temps: set[Path] = set()
    for delay in (0.0, 0.3, 0.6):  # three kills at different points of the run
        killed_running = _start_and_kill(folder, files, delay)
        time.sleep(0.2)  # a worker that outlived its group would show up here
        states = {"original": 0, "fixed": 0}
        for p in files:
            b = p.read_bytes()
            assert b in (ORIGINAL, FIXED), f"{p}: partial or corrupt after SIGKILL: {b[:80]!r}"
            states["original" if b == ORIGINAL else "fixed"] += 1
        temps = [t for t in leftover_temps(folder) if t not in seen_temps]
        seen_temps.update(temps)
        history.append((delay, killed_running, states, len(temps)))
        # each process killed mid-write can leave at most its own temporary file behind
        assert len(temps) <= (os.cpu_count() or 1) + 1, temps
    print(f"\nSIGKILL runs (delay, killed while running, states, new leftover temporary files): {history}")
    assert history[0][1], "the first run finished before the kill; nothing was tested"
    assert history[0][2]["fixed"] >= 1 and history[0][2]["original"] >= 1, history[0]
    # a last run finishes the job and does not trip over leftovers
    r = subprocess.run([*AUTOFIX, "apply", "-q", str(folder)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert all(p.read_bytes() == FIXED for p in files)
    # and it removes what the killed runs left (their processes are gone)
    assert leftover_temps(folder) == []


def test_leftovers_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "key.yaml").write_bytes(ORIGINAL)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = folder / f".autofix-{dead.pid}-abc123.tmp"
        current = folder / f".autofix-{live.pid}-def456.tmp"
        unknown = folder / ".autofix-xyz.tmp"  # no pid: cannot be judged, so kept
        for p in (stale, current, unknown):
            p.write_bytes(ORIGINAL[:20])
        r = invoke("apply", "-q", str(folder))
        assert r.exit_code == 0, r.output
        assert not stale.exists()
        assert current.exists() and unknown.exists()
        assert (folder / "key.yaml").read_bytes() == FIXED
    finally:
        live.kill()
        live.wait()


def test_check_never_deletes_anything(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".autofix-{dead.pid}-abc123.tmp"
    stale.write_bytes(b"x")
    (tmp_path / "key.yaml").write_bytes(ORIGINAL)
    invoke("check", "-q", str(tmp_path))
    assert stale.exists()


# ------------------------------------------------------------------------------------------------
# symbolic links


def test_link_out_of_the_given_folder_is_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "key.yaml"
    target.write_bytes(ORIGINAL)
    (outside / "nested").mkdir()
    (outside / "nested" / "deep.yaml").write_bytes(ORIGINAL)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "link.yaml").symlink_to(target)
    (root / "linkdir").symlink_to(outside / "nested", target_is_directory=True)
    (root / "own.yaml").write_bytes(ORIGINAL)

    r = invoke("apply", "--show-skipped", str(root))
    assert r.exit_code == 0, r.output
    assert target.read_bytes() == ORIGINAL
    assert (outside / "nested" / "deep.yaml").read_bytes() == ORIGINAL
    assert (root / "link.yaml").is_symlink() and os.readlink(root / "link.yaml") == str(target)
    assert (root / "own.yaml").read_bytes() == FIXED
    assert "outside" in r.output  # the skipped link is reported with its reason
    res = {x.path: x for x in api.run([str(root)], settings_for=lambda p: Settings(), write=True)}
    assert res[str(root / "link.yaml")].status == "skipped"
    assert target.read_bytes() == ORIGINAL


def test_link_inside_is_written_through_and_stays_a_link(tmp_path):
    root = tmp_path / "repo"
    (root / "real").mkdir(parents=True)
    target = root / "real" / "key.yaml"
    target.write_bytes(ORIGINAL)
    link = root / "alias.yaml"
    link.symlink_to(Path("real") / "key.yaml")  # relative link, as in a git checkout

    r = invoke("apply", str(root))
    assert r.exit_code == 0, r.output
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "key.yaml")
    assert target.read_bytes() == FIXED
    assert r.output.count("AF101") == 1  # the target is fixed once, not once per name
    assert leftover_temps(root) == []


def test_link_between_two_given_paths_is_written(tmp_path):
    """A link in one given folder to a file in another given folder lies inside the paths."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    target = b / "key.yaml"
    target.write_bytes(ORIGINAL)
    (a / "link.yaml").symlink_to(target)
    r = invoke("apply", str(a))
    assert r.exit_code == 0 and target.read_bytes() == ORIGINAL  # b was not given
    r = invoke("apply", str(a), str(b))
    assert r.exit_code == 0, r.output
    assert target.read_bytes() == FIXED and (a / "link.yaml").is_symlink()


def test_dangling_link_creates_nothing(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dangling.yaml").symlink_to(root / "missing.yaml")
    (root / "dangling-out.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    r = invoke("apply", str(root))
    assert r.exit_code in (0, 2), r.output
    assert not (root / "missing.yaml").exists() and not (tmp_path / "elsewhere.yaml").exists()
    assert (root / "dangling.yaml").is_symlink()


def test_named_link_is_never_replaced_by_a_regular_file(tmp_path):
    """A link named on the command line: whatever autofix decides about its target, the link
    itself stays a link, and the target is the original or the fixed version."""
    target = tmp_path / "key.yaml"
    target.write_bytes(ORIGINAL)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    r = invoke("apply", str(link))
    assert r.exit_code in (0, 2), r.output
    assert link.is_symlink()
    assert target.read_bytes() in (ORIGINAL, FIXED)


# ------------------------------------------------------------------------------------------------
# two autofix processes on the same folder


def test_two_processes_same_rules_same_folder(tmp_path):
    folder = tmp_path / "repo"
    files = _many(folder, 150)
    procs = [subprocess.Popen([*AUTOFIX, "apply", "--format", "json", str(folder)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert "Traceback" not in out + err, err
        assert p.returncode in (0, 2), err
        for fr in json.loads(out)["files"]:
            if fr["status"] == "failed":  # only a detected race may fail
                assert "changed by another process" in fr["error"], fr
    for p in files:
        assert p.read_bytes() == FIXED, p
    assert leftover_temps(folder) == []


def test_two_processes_different_rules_lose_no_edit(tmp_path):
    """Process A fixes the KMS key (AF101), process B the table (AF102), on the same files at
    the same time.  Every edit a process reports as applied must be in the final file; a file
    a process could not write (detected race) is reported failed by it."""
    a_only = fixed_bytes(ORIGINAL_TWO_RULES, "AF101")
    b_only = fixed_bytes(ORIGINAL_TWO_RULES, "AF102")
    both = fixed_bytes(a_only, "AF102")
    assert both == fixed_bytes(b_only, "AF101") and len({ORIGINAL_TWO_RULES, a_only, b_only, both}) == 4
    folder = tmp_path / "repo"
    files = _many(folder, 150, ORIGINAL_TWO_RULES)
    procs = {
        sel: subprocess.Popen([*AUTOFIX, "apply", "--select", sel, "--format", "json", str(folder)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for sel in ("AF101", "AF102")
    }
    reports = {}
    for sel, p in procs.items():
        out, err = p.communicate(timeout=300)
        assert "Traceback" not in out + err, err
        assert p.returncode in (0, 2), err
        reports[sel] = {fr["path"]: fr for fr in json.loads(out)["files"]}
    lost = []
    for p in files:
        b = p.read_bytes()
        assert b in (ORIGINAL_TWO_RULES, a_only, b_only, both), f"{p}: corrupt"
        for sel, has in (("AF101", b in (a_only, both)), ("AF102", b in (b_only, both))):
            fr = reports[sel][str(p)]
            if fr["status"] == "fixed" and not has:
                lost.append((p.name, sel))
            if fr["status"] == "failed":
                assert "changed by another process" in fr["error"], fr
    assert lost == [], f"edits reported applied but missing from the file: {lost[:5]}"
    # whatever a race refused, one more run completes
    r = subprocess.run([*AUTOFIX, "apply", "-q", str(folder)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert all(p.read_bytes() == both for p in files)
