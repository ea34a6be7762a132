"""The search index inside PostgreSQL (pgvector), used when ``TAIZHANG_DB_URL`` is PostgreSQL.

Every replica on every machine reads the same tables, so no index files live on local disk:

    search_state     one row: model id, vector size, generation, the registry generation built from
    search_docs      doc_id → the registry fingerprint its rows were built from
    search_cards     item_id → its ItemCard (JSON), per document
    search_passages  one row per passage of both collections (measures, clauses): the text and its
                     place, the filter columns of its item (doc, status, deadline years, units),
                     the vector (``vector(dim)``, HNSW, cosine) and the jieba terms (``tsvector``
                     of the 'simple' configuration, GIN)

Incremental: ``sync_pg_index`` compares the registry's fingerprints with ``search_docs`` and
rewrites only the documents that are new or changed (one transaction per document: delete its
rows, insert the new ones), deletes those gone from the registry, then moves the generation on.
A full rebuild happens only when the embedding model (or its vector size) or the indexer changes.

The lexical side is PostgreSQL full-text search over jieba's tokens (the same ``tokenize_many``
the embedded BM25 uses), ranked by ``ts_rank``: not BM25 (no document-length saturation, no
IDF), chosen because it lives in the shared database and filters in the same SQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from pipeline.settings import Settings

from search_api.embedding.embed import CacheStats, Embedder, embed_with_cache, index_model_id, make_embedder
from search_api.index import index as index_files
from search_api.index.pg_caches import PgEmbeddingCache, PgTokenCache, create_cache_tables, pg_engine
from search_api.index.ray_embed import embed_on_ray, missing_texts
from search_api.index.items import DENSE_ITEM_CHARS, DocItems, dense_text, document_items, item_vectors
from search_api.schemas import IndexReport, ItemCard, Passage
from search_api.sparse.sparse_build import tokenize_many

SCHEMA_LOCK_KEY = 0x7A5C_0003  # pg_advisory_xact_lock key while the search tables are made


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(x):.6g}" for x in vector) + "]"


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


def _create_schema(conn: Connection, model_id: str, dim: int) -> None:
    """The tables for vectors of size ``dim``; dropped and made again when the model changed."""
    conn.execute(text(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})"))
    state = read_state(conn)
    if state is not None and (state.model_id, state.dim, state.indexer) != (
            model_id, dim, index_files.INDEXER_VERSION):
        conn.execute(text("DROP TABLE IF EXISTS search_passages, search_cards, search_docs, search_state"))
        state = None
    if state is not None:
        return
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    conn.execute(text(
        "CREATE TABLE search_state (id int PRIMARY KEY, model_id text NOT NULL, dim int NOT NULL, "
        "generation bigint NOT NULL, registry_generation text NOT NULL, indexer int NOT NULL)"))
    conn.execute(text("CREATE TABLE search_docs (doc_id text PRIMARY KEY, fingerprint text NOT NULL)"))
    conn.execute(text("CREATE TABLE search_cards (item_id text PRIMARY KEY, doc_id text NOT NULL, "
                      "card_json text NOT NULL)"))
    conn.execute(text("CREATE INDEX search_cards_doc ON search_cards (doc_id)"))
    conn.execute(text(
        "CREATE TABLE search_passages (id bigserial PRIMARY KEY, collection text NOT NULL, "
        "item_id text NOT NULL, doc_id text NOT NULL, doc_status text NOT NULL, "
        "years int[] NOT NULL, units text[] NOT NULL, kind text NOT NULL, text text NOT NULL, "
        "span_start int NOT NULL, span_end int NOT NULL, page int NOT NULL, line int NOT NULL, "
        f"terms tsvector NOT NULL, embedding vector({int(dim)}) NOT NULL)"))
    for name, how in (("terms", "gin (terms)"), ("doc", "btree (doc_id)"), ("units", "gin (units)"),
                      ("years", "gin (years)")):
        conn.execute(text(f"CREATE INDEX search_passages_{name} ON search_passages USING {how}"))
    conn.execute(_CREATE_HNSW)
    conn.execute(text("INSERT INTO search_state VALUES (1, :m, :d, 0, '', :v)"),
                 {"m": model_id, "d": dim, "v": index_files.INDEXER_VERSION})


_CREATE_HNSW = text("CREATE INDEX IF NOT EXISTS search_passages_hnsw ON search_passages "
                    "USING hnsw (embedding vector_cosine_ops)")
# A sync rewriting more than this share of the documents (a first build, a new model) drops the
# HNSW graph and builds it once over all rows at the end: inserting row by row into the graph
# was most of a full build's time. Searches meanwhile scan exactly (correct, slower); a build
# that dies midway leaves no graph, and the next sync makes it again (IF NOT EXISTS).
BULK_SHARE = 0.5
HNSW_BUILD_MEMORY = "512MB"  # maintenance_work_mem for the bulk build: the graph built in memory


def unit_keys(card: ItemCard) -> list[str]:
    """What a unit filter matches: each unit's canonical name and name, alone and with its role."""
    keys: set[str] = set()
    for role, mentions in (("lead", card.lead), ("supporting", card.supporting),
                           ("unassigned", card.unassigned_units)):
        for m in mentions:
            for name in (m.canonical, m.name):
                keys.update((name, f"{name}|{role}"))
    return sorted(keys)


class PgDocumentWriter:
    """Embeds and tokenizes one document's items and writes its rows. Vectors and terms come
    from the caches in the same PostgreSQL (``pg_caches.py``), so no machine computes what any
    machine stored before; a cache miss costs an embedding, never a wrong row."""

    def __init__(self, engine: Engine, embedder: Embedder) -> None:
        self.embedder = embedder
        self.vector_cache = PgEmbeddingCache(engine)
        self.token_cache = PgTokenCache(engine)
        self.stats = CacheStats()
        self.counts = {"measures": 0, "context_items": 0, "passages": 0}

    def close(self) -> None:
        self.vector_cache.close()
        self.token_cache.close()

    def _vectors(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        vectors, stats = embed_with_cache(self.embedder, texts, self.vector_cache)
        self.stats.hits += stats.hits
        self.stats.embedded += stats.embedded
        return vectors

    @staticmethod
    def dense_texts(items: DocItems) -> tuple[list[str], list[str], list[int]]:
        """What one document's rows embed: its clauses' texts, and the texts of the measures
        with no clause of their own (``lonely``, by row), whose vector is their own."""
        cards = {c.item_id: c for c in items.cards}
        with_clauses = {p.item_id for p in items.clauses}
        lonely = [i for i, p in enumerate(items.measures) if p.item_id not in with_clauses]
        return ([dense_text(p, cards) for p in items.clauses],
                [items.measure_texts[i][:DENSE_ITEM_CHARS] for i in lonely], lonely)

    def rows(self, items: DocItems) -> tuple[list[dict], list[dict]]:
        """(card rows, passage rows) of one document."""
        cards = {c.item_id: c for c in items.cards}
        rows_of: dict[str, list[int]] = {}
        for row, p in enumerate(items.clauses):
            rows_of.setdefault(p.item_id, []).append(row)
        clause_texts, lonely_texts, lonely = self.dense_texts(items)
        c_vectors = self._vectors(clause_texts)
        l_vectors = self._vectors(lonely_texts)
        m_vectors = item_vectors(items.measures, rows_of, c_vectors, dict(zip(lonely, l_vectors)),
                                 self.embedder.dim)
        passages: list[dict] = []
        for name, group, vectors, texts in (
            ("measures", items.measures, m_vectors, items.measure_texts),
            ("clauses", items.clauses, c_vectors, [p.text for p in items.clauses]),
        ):
            terms, _ = tokenize_many(texts, self.token_cache)
            passages += [_passage_row(name, p, cards[p.item_id], v, t)
                         for p, v, t in zip(group, vectors, terms)]
        for card in items.cards:
            self.counts["measures" if card.kind == "measure" else "context_items"] += 1
        self.counts["passages"] += len(items.clauses)
        card_rows = [{"item_id": c.item_id, "doc_id": c.doc_id, "card_json": c.model_dump_json()}
                     for c in cards.values()]
        return card_rows, passages


def _passage_row(collection: str, p: Passage, card: ItemCard, vector: np.ndarray,
                 terms: Sequence[str]) -> dict:
    return {
        "collection": collection, "item_id": p.item_id, "doc_id": p.doc_id, "doc_status": card.doc_status,
        "years": list(card.deadline_years), "units": unit_keys(card), "kind": p.kind, "text": p.text,
        "span_start": p.span.start, "span_end": p.span.end, "page": p.page, "line": p.line,
        "terms": " ".join(terms), "embedding": vector_literal(vector),
    }


_INSERT_PASSAGE = text(
    "INSERT INTO search_passages (collection, item_id, doc_id, doc_status, years, units, kind, text, "
    "span_start, span_end, page, line, terms, embedding) VALUES (:collection, :item_id, :doc_id, "
    ":doc_status, :years, :units, :kind, :text, :span_start, :span_end, :page, :line, "
    "to_tsvector('simple', :terms), CAST(:embedding AS vector))")


def _replace_document(conn: Connection, doc_id: str, fingerprint: str | None,
                      cards: list[dict], passages: list[dict]) -> None:
    for table in ("search_passages", "search_cards", "search_docs"):
        conn.execute(text(f"DELETE FROM {table} WHERE doc_id = :d"), {"d": doc_id})
    if fingerprint is None:
        return
    if cards:
        conn.execute(text("INSERT INTO search_cards VALUES (:item_id, :doc_id, :card_json) "
                          "ON CONFLICT (item_id) DO UPDATE SET card_json = EXCLUDED.card_json"), cards)
    if passages:
        conn.execute(_INSERT_PASSAGE, passages)
    conn.execute(text("INSERT INTO search_docs VALUES (:d, :f)"), {"d": doc_id, "f": fingerprint})


def pg_index_is_current(settings: Settings, registry) -> bool:
    engine = pg_engine(settings.registry_url)
    try:
        with engine.connect() as conn:
            state = read_state(conn)
    finally:
        engine.dispose()
    return (state is not None and state.registry_generation == registry.generation()
            and state.model_id == index_model_id(settings) and state.indexer == index_files.INDEXER_VERSION)


def sync_pg_index(settings: Settings, registry, embedder: Embedder | None = None) -> IndexReport:
    """Bring the PostgreSQL index in line with ``registry``: only new, changed and removed
    documents are touched (see the module docstring)."""
    started = time.perf_counter()
    registry_generation = registry.generation()
    wanted = registry.document_hashes()
    embedder = embedder or make_embedder(settings, "passages")
    engine = pg_engine(settings.registry_url)
    writer = PgDocumentWriter(engine, embedder)
    try:
        with engine.begin() as conn:
            _create_schema(conn, embedder.model_id, embedder.dim)
            create_cache_tables(conn)  # under the same lock; kept when the search tables are remade
        with engine.connect() as conn:
            have = dict(conn.execute(text("SELECT doc_id, fingerprint FROM search_docs")).all())
        on_ray = 0  # texts embedded on Ray: the loop below reads them from the cache, yet they are new
        if settings.build_ray:  # the texts to embed, embedded on Ray Data into the shared cache first
            texts = (t for _, _, items in _changed(registry, wanted, have) if items is not None
                     for group in PgDocumentWriter.dense_texts(items)[:2] for t in group)
            on_ray = embed_on_ray(missing_texts(texts, embedder.model_id, writer.vector_cache), settings).embedded
        changed = sum(have.get(d) != f for d, f in wanted.items()) + len(set(have) - set(wanted))
        bulk = changed > BULK_SHARE * max(len(wanted), 1)
        if bulk:
            with engine.begin() as conn:
                conn.execute(text("DROP INDEX IF EXISTS search_passages_hnsw"))
        for doc_id, fingerprint, items in _changed(registry, wanted, have):
            cards, passages = writer.rows(items) if items is not None else ([], [])
            with engine.begin() as conn:
                _replace_document(conn, doc_id, fingerprint if items is not None else None, cards, passages)
        with engine.begin() as conn:  # once over all rows after a bulk load; else already there
            conn.execute(text(f"SET LOCAL maintenance_work_mem = '{HNSW_BUILD_MEMORY}'"))
            conn.execute(_CREATE_HNSW)
        with engine.connect() as conn:  # fresh statistics: the search reads its term shares from them
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE search_passages"))
        with engine.begin() as conn:
            generation = conn.execute(text(
                "UPDATE search_state SET generation = generation + 1, registry_generation = :g "
                "WHERE id = 1 RETURNING generation"), {"g": registry_generation}).scalar()
    finally:
        writer.close()
        engine.dispose()
    return IndexReport(
        generation=str(generation), registry_generation=registry_generation, model_id=embedder.model_id,
        documents=len(wanted), measures=writer.counts["measures"],
        context_items=writer.counts["context_items"], passages=writer.counts["passages"],
        embedded=writer.stats.embedded + on_ray, cache_hits=writer.stats.hits - on_ray,
        seconds=round(time.perf_counter() - started, 2), path=registry.url,
    )


def _changed(registry, wanted: dict[str, str], have: dict[str, str]
             ) -> Iterator[tuple[str, str | None, DocItems | None]]:
    """(doc_id, fingerprint, items) of each new or changed document; (doc_id, None, None) of
    each document the registry no longer holds."""
    for doc_id in sorted(set(have) - set(wanted)):
        yield doc_id, None, None
    for doc_id, fingerprint in sorted(wanted.items()):
        if have.get(doc_id) == fingerprint:
            continue
        doc = registry.document(doc_id)
        if doc is None:
            continue
        items = document_items(doc, registry.tasks(doc_id=doc_id), registry.targets(doc_id=doc_id))
        yield doc_id, fingerprint, items
