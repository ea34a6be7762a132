"""The embedding and token caches inside PostgreSQL, used when the registry lives there.

On the embedded default the caches are SQLite files under ``<data_dir>/cache``. With every
machine pointed at one PostgreSQL, a local file means each machine re-embeds (and re-cuts) every
text it indexes that another machine already did, and a machine with a fresh data dir starts
from nothing. These two tables hold the same rows, under the same keys, in the shared database:

    embedding_cache   key (sha256 of model id + text) → the float32 vector as bytes
    token_cache       key (sha256 of tokenizer id + normalised text) → its jieba terms

The key names the model (or the tokenizer, its word list and stopwords), so the tables are
never dropped: a new model simply finds no rows of its own. They outlive the search tables,
which are dropped and made again when the model or the indexer changes: that full rebuild then
embeds only what no machine embedded before. Rows are added with ``ON CONFLICT DO NOTHING``
(two machines embedding one text at once both write the same vector), in key order: two
transactions inserting overlapping keys in different orders could each wait for the other's
row, a deadlock. A row lost or missing only costs an embedding, never a wrong result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

CHUNK = 1000  # keys looked up per statement


def pg_engine(url: str) -> Engine:
    """An engine whose connections never prepare statements: psycopg 3 prepares a statement
    after five runs, and a prepared plan would ignore the ``SET LOCAL`` of later queries."""
    return create_engine(url, connect_args={"prepare_threshold": None}, pool_pre_ping=True)


def create_cache_tables(conn: Connection) -> None:
    """The two tables, where missing (the caller holds the search schema's advisory lock)."""
    conn.execute(text("CREATE TABLE IF NOT EXISTS embedding_cache "
                      "(key bytea PRIMARY KEY, dim int NOT NULL, vector bytea NOT NULL)"))
    conn.execute(text("CREATE TABLE IF NOT EXISTS token_cache (key bytea PRIMARY KEY, terms text[] NOT NULL)"))


class PgEmbeddingCache:
    """``VectorCache`` over ``embedding_cache`` (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._engine.connect() as conn:
            for start in range(0, len(keys), CHUNK):
                rows = conn.execute(text("SELECT key, vector FROM embedding_cache WHERE key = ANY(:k)"),
                                    {"k": list(keys[start:start + CHUNK])})
                for key, blob in rows:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        if not items:
            return
        rows = [{"k": k, "d": int(v.shape[0]), "v": np.asarray(v, np.float32).tobytes()}
                for k, v in sorted(items, key=lambda kv: kv[0])]  # key order: see the module docstring
        with self._engine.begin() as conn:
            conn.execute(text("INSERT INTO embedding_cache VALUES (:k, :d, :v) ON CONFLICT (key) DO NOTHING"),
                         rows)

    def close(self) -> None:
        """Nothing to close: the engine belongs to the caller."""


class PgTokenCache:
    """``TermCache`` over ``token_cache`` (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, list[str]]:
        found: dict[bytes, list[str]] = {}
        with self._engine.connect() as conn:
            for start in range(0, len(keys), CHUNK):
                rows = conn.execute(text("SELECT key, terms FROM token_cache WHERE key = ANY(:k)"),
                                    {"k": list(keys[start:start + CHUNK])})
                for key, terms in rows:
                    found[bytes(key)] = list(terms)
        return found

    def put_many(self, items: Sequence[tuple[bytes, list[str]]]) -> None:
        if not items:
            return
        with self._engine.begin() as conn:
            conn.execute(text("INSERT INTO token_cache VALUES (:k, :t) ON CONFLICT (key) DO NOTHING"),
                         [{"k": k, "t": list(terms)} for k, terms in sorted(items, key=lambda kv: kv[0])])

    def close(self) -> None:
        """Nothing to close: the engine belongs to the caller."""


def cached_counts(engine: Engine) -> tuple[int, int]:
    """(vectors, term lists) the shared caches hold: what a machine need not compute again."""
    with engine.connect() as conn:
        return (int(conn.execute(text("SELECT count(*) FROM embedding_cache")).scalar()),
                int(conn.execute(text("SELECT count(*) FROM token_cache")).scalar()))
