"""Forked workers for one batch run (Linux).

A run is one process that knows all its work before it starts: the file list, the settings and
the loaded rules.  Forked workers inherit all of that, so nothing but the results has to cross
a pipe, and no executor machinery has to be imported: concurrent.futures.process (with
multiprocessing, logging and tempfile) costs about 18 ms to import, and its executor about
6 ms more per run, together a twentieth of a `check` over the corpus.  Elsewhere (no fork, or
not Linux, where forking is less safe) `api.run` uses ProcessPoolExecutor.

Workers take chunks of work in turn from one pipe that the parent fills before it forks (each
read of 4 bytes takes one chunk number whole), and send each result back on a pipe of their own
as it is done, so that progress shows as files finish.  A worker that dies leaves its files
without a result; the caller runs those itself (a file the worker had already rewritten then
shows nothing more to fix: writes are atomic, so it holds either version whole).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
from typing import Any, Callable, Sequence

_LEN = 8  # bytes of a message's length prefix
_PIPE_ROOM = 60_000  # what the task pipe holds before a writer would block (Linux: 64 KiB)


def available() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def fork_map(fn: Callable[[Any], Any], items: Sequence[Any], chunks: list[list[int]], jobs: int,
             on_result: Callable[[int, Any], None]) -> set[int]:
    """Call fn(items[i]) for every index of `chunks` in `jobs` forked processes, and
    on_result(i, result) in this process as each arrives.  Returns the indexes that got no
    result (a worker died)."""
    while len(chunks) * 4 > _PIPE_ROOM:  # fewer, larger chunks: every number must fit the pipe
        chunks = [chunks[i] + chunks[i + 1] if i + 1 < len(chunks) else chunks[i] for i in range(0, len(chunks), 2)]
    task_r, task_w = os.pipe()
    os.write(task_w, b"".join(c.to_bytes(4, "little") for c in range(len(chunks))))
    os.close(task_w)  # workers read to its end
    workers: dict[int, int] = {}  # result pipe -> pid
    try:
        for _ in range(max(1, min(jobs, len(chunks)))):
            r, w = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(r)
                os.close(w)
                raise
            if pid == 0:  # the worker
                code = 1
                try:
                    os.close(r)
                    for other in workers:
                        os.close(other)
                    _work(fn, items, chunks, task_r, w)
                    code = 0
                finally:
                    os._exit(code)  # no atexit handlers, no flushing the parent's buffers again
            os.close(w)
            workers[r] = pid
        os.close(task_r)
        task_r = -1
        return _collect(workers, chunks, on_result)
    finally:
        if task_r >= 0:
            os.close(task_r)
        for r, pid in workers.items():  # normally all done and reaped; after an error, stopped
            try:
                os.close(r)
            except OSError:
                pass
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGTERM)
                    _reap(pid)
            except ChildProcessError:
                pass  # reaped already (or SIGCHLD is ignored, and the kernel reaps them)


def _work(fn, items, chunks, task_r: int, out: int) -> None:
    while True:
        number = os.read(task_r, 4)
        if len(number) < 4:
            return  # no chunk left
        for i in chunks[int.from_bytes(number, "little")]:
            data = pickle.dumps((i, fn(items[i])), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(len(data).to_bytes(_LEN, "little") + data)
            while view:
                view = view[os.write(out, view):]


def _collect(workers: dict[int, int], chunks: list[list[int]], on_result) -> set[int]:
    missing = {i for c in chunks for i in c}
    buffers = {r: bytearray() for r in workers}
    open_pipes = set(workers)
    while open_pipes:
        ready, _, _ = select.select(list(open_pipes), [], [])
        for r in ready:
            data = os.read(r, 1 << 16)
            if not data:
                open_pipes.discard(r)
                _reap(workers[r])
                continue
            buf = buffers[r]
            buf += data
            while len(buf) >= _LEN:
                size = int.from_bytes(buf[:_LEN], "little")
                if len(buf) < _LEN + size:
                    break
                i, result = pickle.loads(buf[_LEN : _LEN + size])
                del buf[: _LEN + size]
                missing.discard(i)
                on_result(i, result)
    return missing


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # SIGCHLD ignored by whoever started us: the kernel reaped it
        pass
