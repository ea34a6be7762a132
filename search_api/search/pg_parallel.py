"""A PostgreSQL search's rankings run side by side, each on a connection of its own that reads
the search's one snapshot.

Why: a hybrid search runs four rankings (dense and BM25 over both collections), eight with a
filter (the facets are those of the unfiltered ranking), plus a count per filtered collection.
They do not depend on one another, and each is one backend's work, so run one after the other
on one connection a search takes their sum (bench/README.md, "Where a search's time goes").
Side by side it takes about the longest of them while the server has cores free; under a full
load they take what they took before (the same statements, the same work), so this buys
latency, not throughput. For the same reason a ranking does not also split itself over
PostgreSQL's parallel workers (``PARALLEL_SCAN_WORKERS``).

What keeps the answer the same: the search's transaction exports its snapshot
(``pg_export_snapshot``) and every worker's transaction imports it (``SET TRANSACTION
SNAPSHOT``) before its first statement, so each ranking reads exactly the rows the search's own
connection reads, whatever a build commits meanwhile; each worker's ``SET LOCAL`` settings end
with its own transaction. The workers have their own connection pool, as large as their thread
pool: a search holds its own connection while it waits for them, and a worker never waits for
a connection a search holds, so many searches at once cannot starve one another.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

T = TypeVar("T")
WORKERS = 4  # rankings read at once: a filtered search has up to six ready together
# PostgreSQL's own parallel query inside each ranking (``max_parallel_workers_per_gather``): none.
# The rankings already run side by side, so an exact scan that also starts two parallel workers
# puts three processes per ranking on the cores the other rankings need. Measured on this 2-core
# machine (bench databases, the 15 bench queries x 2, off and on alternating per query, median
# ratio of the pairs off/on): 0.97 / 0.97 / 0.93 at 1,000 documents and 0.86 / 0.80 / 0.83 at
# 3,000 (no filter / unit + year / unit). The answers are the same rows either way.
PARALLEL_SCAN_WORKERS = 0
_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f]+-[0-9A-Fa-f]+(-[0-9A-Fa-f]+)?$")


def export_snapshot(conn: Connection) -> str:
    """The id of the snapshot of ``conn``'s open REPEATABLE READ transaction, for workers to read."""
    return conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()


class RankingWorkers:
    """A thread pool with its own connection pool (module docstring). Made once per search
    engine; ``close`` ends both."""

    def __init__(self, url: str, workers: int = WORKERS) -> None:
        # statements never prepared, as ``pg_engine``'s: a prepared plan ignores later SET LOCALs
        self._engine: Engine = create_engine(url, connect_args={"prepare_threshold": None},
                                             pool_pre_ping=True, pool_size=workers, max_overflow=0)
        self._threads = ThreadPoolExecutor(workers, thread_name_prefix="pg-ranking")

    def submit(self, snapshot: str, job: Callable[[Connection], T]) -> Future[T]:
        """Run ``job(conn)`` on a worker, ``conn`` in a read-only transaction of ``snapshot``."""
        if not _SNAPSHOT_ID.match(snapshot):  # it is written into SQL: SET takes no parameters
            raise ValueError(f"not a snapshot id: {snapshot!r}")
        return self._threads.submit(self._run, snapshot, job)

    def _run(self, snapshot: str, job: Callable[[Connection], T]) -> T:
        with self._engine.connect() as conn, conn.begin():
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            conn.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
            conn.execute(text(f"SET LOCAL max_parallel_workers_per_gather = {int(PARALLEL_SCAN_WORKERS)}"))
            return job(conn)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        self._engine.dispose()
