"""Run a function over many inputs in worker processes, results in input order.

Parsing and extraction are pure Python and hold the GIL, so a batch uses the machine's cores only
through processes. Workers are forked where the OS can (Linux): they start at once with the
parent's lexicons loaded, and unlike ``spawn``/``forkserver`` they never re-run the caller's
``__main__`` (a script without an ``if __name__ == "__main__"`` guard would otherwise fail every
file). The parent's open SQLite connection and progress-bar thread are copied but never used: a
worker only parses and extracts, and leaves through ``os._exit`` without closing inherited handles.

A worker that dies (a segfault in a PDF library, the kernel's OOM killer) costs only the input it
was working on: every input in flight is retried alone in a fresh worker, and the one that kills
its worker again comes back as a ``WorkerCrash`` instead of a result. The rest of the batch goes on.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

@dataclass(frozen=True)
class WorkerCrash(Generic[T]):
    """``item`` killed the worker process that handled it, twice."""

    item: T
    exitcode: int | None = None


def worker_context():
    """The multiprocessing context for taizhang's workers: fork where the OS has it (see above)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def map_in_order(
    fn: Callable[[T], R], items: Sequence[T], workers: int, window: int | None = None, *,
    isolate: bool = False, on_wait: Callable[[], None] | None = None,
) -> Iterator[R | WorkerCrash[T]]:
    """``fn(item)`` for each item, in order. ``workers <= 1`` runs in this process, unless
    ``isolate``: then even one item goes to a worker process (where a per-file budget can be
    set without touching this process).

    At most ``window`` inputs (default 2 × workers) are in flight, so memory stays bounded
    whatever the batch size. ``fn`` must be picklable (a module-level function or a partial).
    ``on_wait`` is called before waiting for a result that is not ready yet (before each item
    when running in this process): the caller stores what it holds then, so a slow or runaway
    item never keeps finished ones unsaved.
    """
    if not isolate and (workers <= 1 or len(items) < 2):
        for item in items:
            if on_wait is not None:
                on_wait()
            yield fn(item)
        return
    workers = max(1, workers)
    window = window or 2 * workers
    context = worker_context()
    position = 0
    while position < len(items):
        with ProcessPoolExecutor(workers, mp_context=context, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            pending: deque[Future] = deque()
            broken = False
            try:
                while position < len(items):
                    while len(pending) < window and position + len(pending) < len(items):
                        pending.append(pool.submit(fn, items[position + len(pending)]))
                    future = pending.popleft()
                    if on_wait is not None and not future.done():
                        on_wait()
                    result = future.result()
                    position += 1
                    yield result
            except BrokenProcessPool:
                broken = True
            finally:
                for future in pending:
                    future.cancel()
        if broken:
            # Which in-flight input killed the pool is unknown: run each of them alone.
            in_flight = min(window, len(items) - position)
            for item in items[position : position + in_flight]:
                if on_wait is not None:
                    on_wait()
                yield _alone(fn, item, context)
            position += in_flight


def _alone(fn: Callable[[T], R], item: T, context) -> R | WorkerCrash[T]:
    with ProcessPoolExecutor(1, mp_context=context, initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        future = pool.submit(fn, item)
        # the worker exists once submitted; its exit code tells a kill (-9) from a crash
        workers = list((getattr(pool, "_processes", None) or {}).values())
        try:
            return future.result()
        except BrokenProcessPool:
            for worker in workers:
                worker.join(5)
            return WorkerCrash(item, workers[0].exitcode if workers else None)


def die_with_parent(parent_pid: int) -> None:
    """A worker is killed when the build that started it dies (SIGKILL, OOM killer): orphaned
    workers would go on burning CPU on a runaway file and hold the build lock the parent took
    (a forked worker shares its descriptor). Linux only; elsewhere workers end with their pipe."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1
