"""autofix.pool: forked workers that share out chunks of work and send results back as they
finish.  Real processes, real pipes."""

from __future__ import annotations

import os
import time

import pytest

from autofix import api, pool
from autofix.rules import Rule
from autofix.settings import Settings

pytestmark = pytest.mark.skipif(not pool.available(), reason="forked workers are used on Linux only")


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False  # one still running, or exited and never reaped


def _square(x):
    return x * x


def test_every_item_once_with_its_own_result():
    items = list(range(200))
    chunks = [list(range(s, min(s + 7, 200))) for s in range(0, 200, 7)]
    got: dict[int, int] = {}
    seen_pids = set()

    def on_result(i, r):
        assert i not in got
        got[i] = r

    def fn(x):
        time.sleep(0.002)  # long enough that every worker is up before the chunks run out
        return x * x, os.getpid()

    missing = pool.fork_map(fn, items, chunks, 3, lambda i, r: (on_result(i, r[0]), seen_pids.add(r[1])))
    assert missing == set()
    assert got == {i: i * i for i in items}
    assert os.getpid() not in seen_pids and len(seen_pids) >= 2  # the work ran in the workers, shared out
    assert _no_children_left()


def test_results_larger_than_a_pipe_buffer_arrive_whole():
    items = [200_000 + i for i in range(20)]
    got = {}
    pool.fork_map(lambda n: "x" * n, items, [[i] for i in range(20)], 2, got.__setitem__)
    assert {i: len(v) for i, v in got.items()} == {i: items[i] for i in range(20)}


def test_a_worker_that_dies_leaves_its_items_to_the_caller():
    parent = os.getpid()

    def fn(x):
        if x == 13 and os.getpid() != parent:
            os._exit(9)  # killed mid-chunk, as by the OOM killer
        return x

    got = {}
    missing = pool.fork_map(fn, list(range(40)), [list(range(s, s + 4)) for s in range(0, 40, 4)], 2, got.__setitem__)
    assert 13 in missing and 12 in got  # the rest of 13's chunk is lost with it, what came before is kept
    assert missing | set(got) == set(range(40)) and not (missing & set(got))
    assert _no_children_left()


def test_an_error_in_the_parent_stops_the_workers():
    def on_result(i, r):
        raise RuntimeError("progress display broke")

    with pytest.raises(RuntimeError):
        pool.fork_map(_square, list(range(100)), [[i] for i in range(100)], 2, on_result)
    assert _no_children_left()


class _DiesInWorkers(Rule):
    """Kills the process it runs in, unless that is the test's own: a worker crashing on one file."""

    code = "AF999"
    name = "dies-in-workers"
    summary = "test rule"
    language = "cfn"
    parent = os.getpid()
    in_parent: list = []

    def check(self, ctx):
        if "KILLME" in ctx.doc.text:
            if os.getpid() != self.parent:
                os._exit(9)
            self.in_parent.append(ctx.doc.text)
        return iter(())


def test_run_finishes_the_files_of_a_worker_that_died(tmp_path):
    body = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
    for i in range(30):
        (tmp_path / f"t{i:02}.yaml").write_text(body + ("# KILLME\n" if i == 7 else ""))
    done = []
    results = api.run([str(tmp_path)], settings_for=lambda p: Settings(), write=False, rules=[_DiesInWorkers()],
                      jobs=2, progress=lambda d, t, r: done.append(r.path))
    assert [os.path.basename(r.path) for r in results] == [f"t{i:02}.yaml" for i in range(30)]
    assert all(r.status == "unchanged" for r in results)
    assert len(_DiesInWorkers.in_parent) == 1  # the dead worker's file, run again here
    assert sorted(done) == sorted(r.path for r in results)  # each reported once
    assert _no_children_left()


def test_ignored_sigchld_does_not_stop_the_run():
    """A launcher may leave SIGCHLD ignored; then the kernel reaps workers itself and waitpid
    finds nothing to wait for.  Every result must still arrive."""
    import signal

    old = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        got = {}
        missing = pool.fork_map(_square, list(range(40)), [list(range(s, s + 5)) for s in range(0, 40, 5)], 2, got.__setitem__)
    finally:
        signal.signal(signal.SIGCHLD, old)
    assert missing == set() and got == {i: i * i for i in range(40)}
