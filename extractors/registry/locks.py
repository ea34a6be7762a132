"""One build at a time per store, across processes and machines.

Two builds writing one data dir (or one PostgreSQL) at once could leave the older index live
with no warning. ``build_lock`` serialises them: on PostgreSQL with a session advisory lock
(held by a connection of its own, released when it closes, even if the process dies), on
SQLite with an ``flock`` on ``<data_dir>/.build.lock`` (released by the kernel when the process
dies). Both are real inter-process locks; two threads of one process also wait for each other,
since each takes the lock through its own connection or file handle.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from pipeline.settings import Settings

# pg_advisory_lock key of a build (any constant unique to taizhang)
BUILD_LOCK_KEY = 0x7A5C_0002
WAITING = "另一个构建正在进行，等待它完成…"  # printed once when the lock is not free


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


@contextlib.contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """Hold the store's build lock for the block; waits (saying so on stderr) while another
    build holds it."""
    if is_postgres(settings.registry_url):
        with _advisory_lock(settings.registry_url):
            yield
    else:
        with _file_lock(settings):
            yield


@contextlib.contextmanager
def _advisory_lock(url: str) -> Iterator[None]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            got = conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({BUILD_LOCK_KEY})").scalar()
            if not got:
                print(WAITING, file=sys.stderr, flush=True)
                conn.exec_driver_sql(f"SELECT pg_advisory_lock({BUILD_LOCK_KEY})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({BUILD_LOCK_KEY})")
    finally:
        engine.dispose()


@contextlib.contextmanager
def _file_lock(settings: Settings) -> Iterator[None]:
    import fcntl

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / ".build.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(WAITING, file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_running(settings: Settings) -> bool:
    """Whether a build holds the store's lock now (SQLite: its flock; always False on
    PostgreSQL, whose callers do not ask). Tried without waiting and let go at once: a build
    starting in that instant waits for that instant only."""
    import fcntl

    try:
        handle = open(settings.data_dir / ".build.lock", "rb")  # noqa: SIM115 - closed below
    except OSError:
        return False  # never built here
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
