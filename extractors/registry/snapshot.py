"""Reading the registry as it was when the served search index was built (issue 18, item 10).

A build writes the registry first and publishes its search index after. In between, a server
that read the registry as it is now and searched the index as it was answered with a mix: hits
of measures the registry had replaced (follow-up ``/tasks/{id}`` 404s), old titles beside new
ones. A query must see one generation, registry rows and index together.

SQLite gives that for free to a reader that keeps its read transaction open: in WAL mode it
sees the database as of its first read, whatever is committed after. So a server keeps a few
read-only connections (``SnapshotPool``), each holding its read transaction between requests:

- while the registry's documents are those the served index was built from (the usual case),
  a connection is re-pinned when a request takes it, so it sees every correction and report;
- while a build has changed them and its index is not published yet, a connection keeps the
  transaction it holds, from before the build: the request reads the old generation whole;
- once the new index is served, the connections move on to the new registry with it.

Which registry is "the one the index was built from" is told by ``documents_digest``: a hash of
every document's id and fingerprint (the file's bytes, the extractor version, its manifest
entry), which is what the index's cards are made of. The registry's own generation counter
also moves on corrections and progress reports, which the index does not hold.

The cost: while a connection holds an old transaction, SQLite cannot reset its write-ahead log,
so the log grows by what the build writes until the new index is served. A connection that
cannot see the generation asked for (a server started in the middle of a build) says so
(``None``), and the caller falls back to the live registry. PostgreSQL and in-memory
databases get no pool: their callers read the live registry.
"""

from __future__ import annotations

import hashlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import StaticPool

from extractors.registry.store import Registry

# Each connection serves one request at a time; more requests than this wait for one. Reads are
# short but for the export (seconds), which the app bounds on its own (search_api/limits.py).
POOL_SIZE = 4
WAIT_SECONDS = 30.0


def documents_digest(hashes: dict[str, str]) -> str:
    """One hash of every (doc_id, fingerprint): equal exactly when the documents are the same
    files read by the same extractor (``Registry.document_hashes()`` gives ``hashes``)."""
    digest = hashlib.sha256()
    for doc_id, fingerprint in sorted(hashes.items()):
        digest.update(f"{doc_id}\0{fingerprint}\n".encode())
    return digest.hexdigest()[:32]


class _HeldTransaction:
    """The sqlite3 connection as SQLAlchemy sees it, except that its commit and rollback leave
    the read transaction open: the pool, not each session, decides when it moves on."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def _open_read_only(database: Path) -> sqlite3.Connection:
    # read-only: nothing read through a snapshot can write (a write would end the snapshot);
    # used by one thread at a time (the pool hands a connection to one request, the probe is locked)
    raw = sqlite3.connect(f"file:{database}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
    raw.execute("PRAGMA busy_timeout=15000")
    return raw


class _Digests:
    """generation → ``documents_digest``: a generation's documents never change, so each is
    hashed once, and always from inside one read transaction with the generation it is filed
    under (read apart, a build committing between the two reads would file the wrong hash)."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}

    def state(self, raw: sqlite3.Connection) -> tuple[str, str]:
        """(generation, documents digest) of what ``raw``'s open read transaction sees."""
        row = raw.execute("SELECT epoch, generation FROM registry_state WHERE id = 1").fetchone()
        generation = f"{row[0]}-{row[1]}" if row else "none"
        digest = self._known.get(generation)
        if digest is None:
            digest = documents_digest(dict(raw.execute("SELECT doc_id, fingerprint FROM documents").fetchall()))
            if len(self._known) > 64:
                self._known.clear()
            self._known[generation] = digest
        return generation, digest


class PinnedReader:
    """One read-only connection to the registry file and the read transaction it holds."""

    def __init__(self, database: Path, digests: _Digests) -> None:
        self._raw = _open_read_only(database)
        self._digests = digests
        held = _HeldTransaction(self._raw)
        self._engine = create_engine("sqlite://", creator=lambda: held, poolclass=StaticPool,
                                     pool_reset_on_return=None)
        self.generation = ""
        self.digest = ""
        self.registry: Registry | None = None

    def pin(self) -> None:
        """End the transaction held and start one on the registry as it is now."""
        if self._raw.in_transaction:
            self._raw.execute("COMMIT")
        self._raw.execute("BEGIN")
        # the snapshot starts at the first read, and this one says which generation it is
        self.generation, self.digest = self._digests.state(self._raw)
        if self.registry is None:
            self.registry = Registry(self._engine)

    def close(self) -> None:
        self._engine.dispose()
        self._raw.close()


class SnapshotPool:
    """Read-only connections that can read the registry of the served index's generation.

    database: the registry's SQLite file (``for_url`` makes a pool from a registry URL).
    size: connections, so requests read at once (each holds one for its duration).
    """

    def __init__(self, database: Path, size: int = POOL_SIZE,
                 building: Callable[[], bool] = lambda: True) -> None:
        self._building = building
        self._digests = _Digests()
        self._probe = _open_read_only(database)  # what the registry holds now
        self._probe_lock = threading.Lock()
        self._free: queue.Queue[PinnedReader] = queue.Queue()
        self._readers = [PinnedReader(database, self._digests) for _ in range(size)]
        for reader in self._readers:
            reader.pin()  # from now on each can answer for the registry as it is at this moment
            self._free.put(reader)

    @classmethod
    def for_url(cls, url: str, size: int = POOL_SIZE,
                building: Callable[[], bool] = lambda: True) -> SnapshotPool | None:
        """A pool for a SQLite registry file; None for PostgreSQL or an in-memory database.
        building: whether a build is under way now (``locks.build_running``): only then is an
        index behind its registry waiting for its new generation rather than simply stale."""
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return None
        database = Path(parsed.database)
        # only in WAL mode does a reader that holds its transaction let a build write (taizhang
        # sets WAL on every connection it opens; a file someone switched back would block builds)
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as probe:
            if probe.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                return None
        return cls(database, size, building)

    def live_digest(self) -> str:
        """The documents digest of the registry as it is now."""
        with self._probe_lock:
            self._probe.execute("BEGIN")
            try:
                return self._digests.state(self._probe)[1]
            finally:
                self._probe.execute("COMMIT")

    @contextmanager
    def reading(self, digest: str) -> Iterator[Registry | None]:
        """The registry whose documents have ``digest`` (the served index's), for one request:
        re-pinned to now when the registry as it is has them, else the older transaction a
        connection holds. None when no connection can see them (the caller reads the live one)."""
        try:
            reader = self._free.get(timeout=WAIT_SECONDS)
        except queue.Empty:
            yield None
            return
        try:
            if self.live_digest() == digest:
                reader.pin()  # a build committing just now leaves it on the new generation: None below
            elif not self._building():
                # the index is behind with no build under way (a build with --no-index, or one whose
                # index step failed): nothing is coming, so the registry as it is answers, and no
                # connection keeps an old transaction (the write-ahead log would grow without end)
                reader.pin()
                yield None
                return
            yield reader.registry if reader.digest == digest else None
        finally:
            self._free.put(reader)

    def close(self) -> None:
        for reader in self._readers:
            reader.close()
        self._probe.close()
