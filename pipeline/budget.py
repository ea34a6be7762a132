"""Each file's budget of time and memory, enforced inside the worker process that reads it.

One hostile or absurd file (a list numbered from 1e11, 300 MB of XML in a 50 MB .docx, a text
of millions of nested brackets) must cost a build one clear line, not the machine and not the
rest of the batch. The build reads every file in a worker process (``pipeline.parallel``) and
wraps the work in ``within_budget``:

- time: an interval timer raises ``BudgetTimeout`` in the worker after ``seconds`` of wall
  time; it is a ``BaseException`` so that no ``except Exception`` in a loader can swallow it.
  Code that never returns to the interpreter (a C loop holding the GIL) cannot see that signal,
  so the CPU-time limit (``RLIMIT_CPU``) is also set a little above it: the kernel stops that
  worker with SIGXCPU and the parent reports the file (``CPU_KILL_EXIT``).
- memory: the worker's address space may grow by ``memory_bytes`` over what it held when the
  file started (``RLIMIT_AS``); past it an allocation fails with ``MemoryError``.

Both limits are process-wide, which is why they are set only in a worker: a server's threads or
the CLI's index step never run under them. Linux only; elsewhere the time budget still holds
(``setitimer``) and the memory budget is skipped.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pipeline.errors import ResourceLimitError
from pipeline.settings import Settings

R = TypeVar("R")

# the exit status of a worker the kernel stopped for CPU time (SIGXCPU)
CPU_KILL_EXIT = -signal.SIGXCPU


class BudgetTimeout(BaseException):
    """Raised in a worker when a file's time budget is spent. A ``BaseException``: a loader's
    ``except Exception`` must not catch it and carry on."""


@dataclass(frozen=True)
class FileBudget:
    """What one file may cost: ``seconds`` of wall time, ``memory_bytes`` of new address space.
    0 turns that limit off; both 0 means files are read in the calling process."""

    seconds: float = 0.0
    memory_bytes: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> FileBudget:
        return cls(settings.file_seconds, settings.file_memory_bytes)

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 or self.memory_bytes > 0

    def cpu_stop_seconds(self, used: float) -> int:
        """Where the kernel stops a worker that never returned to the interpreter: a little over
        the wall-time budget, counted from the CPU time the worker has already used."""
        return int(used + self.seconds * 1.5 + 2)


def timeout_error(path: str | Path, budget: FileBudget) -> ResourceLimitError:
    return ResourceLimitError.because(path, "over_time_budget", seconds=budget.seconds,
                                      setting="TAIZHANG_FILE_SECONDS")


def memory_error(path: str | Path, budget: FileBudget) -> ResourceLimitError:
    limit = f"{budget.memory_bytes / (1 << 20):,.0f} MiB" if budget.memory_bytes else "可用内存"
    return ResourceLimitError.because(path, "over_memory_budget", limit=limit,
                                      setting="TAIZHANG_FILE_MEMORY_BYTES")


def crash_error(path: str | Path, budget: FileBudget, exitcode: int | None) -> ResourceLimitError:
    """Why the worker reading ``path`` died, as the user should hear it."""
    if exitcode == CPU_KILL_EXIT:
        return timeout_error(path, budget)
    how = ("原因不明" if exitcode is None  # already reaped elsewhere: the cause is unknown
           else "被系统终止，信号 9：通常是内存不足" if exitcode == -9
           else f"因信号 {-exitcode} 终止" if exitcode < 0
           else f"退出码 {exitcode}")
    return ResourceLimitError.because(path, "worker_died", how=how)


def within_budget(path: str | Path, budget: FileBudget, fn: Callable[[], R]) -> R:
    """``fn()`` under ``budget``; raises the ``ResourceLimitError`` naming ``path`` and the budget
    when it runs out of time or memory. Call it only in a worker process (see the module doc)."""
    if threading.current_thread() is not threading.main_thread():
        return fn()  # signals and process limits belong to a process's main thread (a Ray task may not be)
    restore: list[Callable[[], None]] = []
    try:
        if budget.memory_bytes > 0 and sys.platform.startswith("linux"):
            restore.append(_limit(_resource().RLIMIT_AS, _address_space() + budget.memory_bytes))
        if budget.seconds > 0:
            resource = _resource()
            usage = resource.getrusage(resource.RUSAGE_SELF)
            restore.append(_limit(resource.RLIMIT_CPU, budget.cpu_stop_seconds(usage.ru_utime + usage.ru_stime)))
            restore.append(_alarm(budget.seconds))
        return fn()
    except BudgetTimeout:
        raise timeout_error(path, budget) from None
    except MemoryError:
        raise memory_error(path, budget) from None
    finally:
        for undo in reversed(restore):
            undo()


def _resource():
    import resource

    return resource


def _limit(which: int, soft: int) -> Callable[[], None]:
    """Lower ``which``'s soft limit to ``soft`` (never above the hard limit); return its undo."""
    resource = _resource()
    old_soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))
    return lambda: resource.setrlimit(which, (old_soft, hard))


def _address_space() -> int:
    """This process's address space now, in bytes (what RLIMIT_AS counts)."""
    if not sys.platform.startswith("linux"):
        return 0
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _alarm(seconds: float) -> Callable[[], None]:
    def ring(signum, frame):
        raise BudgetTimeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def undo() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    return undo
