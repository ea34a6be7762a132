"""The search index's tables inside PostgreSQL (used when ``TAIZHANG_DB_URL`` is PostgreSQL).

Every replica on every machine reads the same tables, so no index files live on local disk.
Registry migrations 6 and 7 (``extractors/registry/migrations.py``) make all of them but one:

    search_state        one row: model id, vector size, generation, the registry generation built from
    search_docs         doc_id → the registry fingerprint its rows were built from
    search_cards        item_id → its ItemCard (JSON)
    search_passages     one row per passage of both collections (measures, clauses): its text and
                        place, its item's filter columns (doc, status, deadline years, units with
                        roles) and ``content_id``, the distinct content it shares with its twins
    search_contents     one row per distinct (collection, vector, text): the vector as
                        ``halfvec(dim)`` under an HNSW graph per collection, the text's length in
                        terms. Made here, not by the migration: its type is the model's.
    search_terms        (content, term) → term frequency and the content's length; a term's
                        postings read by tf descending, length ascending (``search_terms_by_tf``:
                        the order that bounds BM25, see ``search/pg_rankings.py``)
    search_term_stats   (collection, term) → how many passages hold the term (BM25's df)
    search_collections  collection → passages and their total length (BM25's N and average length)

Why one row per distinct content: documents repeat passages (boilerplate, a plan quoted by its
implementing notices; the synthetic bench corpus more than most). With one vector per passage,
HNSW's top-k filled with copies of one vector and recall@10 against exact search fell to 0.733
at 1,000 documents; equal points also make the graph hard to navigate. Passages join to their
content, so the graph holds each vector once, and the term rows are written once per text.

``halfvec``: half the bytes of ``vector`` per row and in the graph (384 dims: 768 B, not
1,536), so more of the graph stays in memory; cosine on half floats moves scores by ~1e-3,
far below what separates neighbours in the rankings (measured: ``bench.postgres`` recall@10).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from extractors.registry.migrations import ensure_postgres_search_tables

SCHEMA_LOCK_KEY = 0x7A5C_0003  # pg_advisory_xact_lock key while the search tables are (re)made
COLLECTIONS = ("measures", "clauses")
# HNSW build parameters. At 10,000 bench documents (291,992 clause contents, fake embedder of 384
# dimensions: near-random directions) m=16, ef_construction=100 gave recall@10 0.61 on 8 queries
# (ef_search 1000); m=32, ef_construction=200 gave 0.825 at the same query time, its build 187 s
# instead of ~90 s (a small part of the index build's 2,498 s).
HNSW_WITH = "WITH (m = 32, ef_construction = 200)"
# tables emptied when the model or the indexer changes (the caches stay: their keys name the model)
SEARCH_ROWS = ("search_passages", "search_cards", "search_docs", "search_terms", "search_term_stats",
               "search_collections")


@dataclass(frozen=True)
class PgIndexState:
    model_id: str
    dim: int
    generation: int
    registry_generation: str
    indexer: int


def read_state(conn: Connection) -> PgIndexState | None:
    exists = conn.execute(text("SELECT to_regclass('search_state') IS NOT NULL")).scalar()
    if not exists:
        return None
    row = conn.execute(text("SELECT model_id, dim, generation, registry_generation, indexer "
                            "FROM search_state WHERE id = 1")).first()
    return PgIndexState(*row) if row else None


def hnsw_index_name(collection: str) -> str:
    return f"search_contents_hnsw_{collection}"


def create_hnsw(conn: Connection, collection: str) -> None:
    """The HNSW graph over one collection's contents (a partial index: a query names its
    collection as a literal, so the planner can use it)."""
    check_collection(collection)
    conn.execute(text(f"CREATE INDEX IF NOT EXISTS {hnsw_index_name(collection)} ON search_contents "
                      f"USING hnsw (embedding halfvec_cosine_ops) {HNSW_WITH} WHERE collection = '{collection}'"))


def drop_hnsw(conn: Connection) -> None:
    for collection in COLLECTIONS:
        conn.execute(text(f"DROP INDEX IF EXISTS {hnsw_index_name(collection)}"))


def check_collection(collection: str) -> str:
    """``collection`` if it is one of ours: it is written into SQL as a literal."""
    if collection not in COLLECTIONS:
        raise ValueError(f"collection must be one of {COLLECTIONS}, not {collection!r}")
    return collection


def prepare_tables(conn: Connection, model_id: str, dim: int, indexer: int) -> None:
    """Make the index ready for vectors of ``model_id`` (size ``dim``): on a new model or
    indexer every row is emptied and ``search_contents`` made again for the new size; the
    caller holds a transaction, in which this takes the schema's advisory lock."""
    conn.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})"))
    ensure_postgres_search_tables(conn)  # made by the registry's migrations; again if dropped since
    state = read_state(conn)
    has_contents = conn.execute(text("SELECT to_regclass('search_contents') IS NOT NULL")).scalar()
    if state is not None and (state.model_id, state.dim, state.indexer) == (model_id, dim, indexer) and has_contents:
        return
    conn.execute(text(f"TRUNCATE {', '.join(SEARCH_ROWS)}"))
    conn.execute(text("DELETE FROM search_state"))
    conn.execute(text("DROP TABLE IF EXISTS search_contents"))
    conn.execute(text(
        "CREATE TABLE search_contents (id bigserial PRIMARY KEY, collection text NOT NULL, key bytea NOT NULL, "
        f"length int NOT NULL, embedding halfvec({int(dim)}) NOT NULL, UNIQUE (collection, key))"))
    for collection in COLLECTIONS:
        create_hnsw(conn, collection)
        conn.execute(text("INSERT INTO search_collections VALUES (:c, 0, 0)"), {"c": collection})
    conn.execute(text("INSERT INTO search_state VALUES (1, :m, :d, 0, '', :v)"),
                 {"m": model_id, "d": dim, "v": indexer})
