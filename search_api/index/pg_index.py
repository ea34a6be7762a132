"""The search index inside PostgreSQL (pgvector), used when ``TAIZHANG_DB_URL`` is PostgreSQL:
writing it. Its tables, and why one row per distinct content: ``pg_schema.py``.

Incremental: ``sync_pg_index`` compares the registry's fingerprints with ``search_docs`` and
rewrites only the documents that are new or changed (one transaction per document: delete its
passages, insert the new ones with their new contents, drop contents no passage uses any more,
move the BM25 statistics by the difference), deletes those gone from the registry, then moves
the generation on. A full rebuild happens only when the embedding model (or its vector size) or
the indexer changes.

The lexical side is BM25 with the embedded index's tokens (the same ``tokenize_many``), the same
k1 and b and the same Lucene idf (``search/pg_rankings.py`` scores it): each content's terms with
their frequencies and its length, and per collection the passage counts. Documents are written
one at a time, in one writer's transaction each (``WRITE_LOCK_KEY``), so two builds never count
one passage twice.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from pipeline.settings import Settings

from search_api.embedding.embed import CacheStats, Embedder, embed_with_cache, index_model_id, make_embedder
from search_api.index import index as index_files
from search_api.index.pg_caches import PgEmbeddingCache, PgTokenCache, pg_engine
from search_api.index.pg_schema import COLLECTIONS, PgIndexState, create_hnsw, drop_hnsw, prepare_tables, read_state
from search_api.index.ray_embed import embed_on_ray, missing_texts
from search_api.index.items import DENSE_ITEM_CHARS, DocItems, dense_text, document_items, item_vectors
from search_api.schemas import IndexReport, ItemCard, Passage
from search_api.sparse.sparse_build import tokenize_many

__all__ = ["PgIndexState", "pg_engine", "pg_index_is_current", "read_state", "sync_pg_index", "vector_literal"]

# A sync rewriting more than this share of the documents (a first build, a new model) drops the
# HNSW graphs and builds each once over all rows at the end: inserting row by row into a graph
# was most of a full build's time. Searches meanwhile scan exactly (correct, slower); a build
# that dies midway leaves no graph, and the next sync makes it again (IF NOT EXISTS).
BULK_SHARE = 0.5
HNSW_BUILD_MEMORY = "1GB"  # maintenance_work_mem for the bulk build: the graph built in memory
WRITE_LOCK_KEY = 0x7A5C_0004  # pg_advisory_xact_lock key held by each document's write
BM25_K1, BM25_B = 1.2, 0.75  # as the embedded index (sparse_build.SparseBuilder)


def vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{float(x):.6g}" for x in vector) + "]"


@dataclass(frozen=True)
class ContentRow:
    """One distinct (collection, vector, indexed text): what passages that repeat share."""

    collection: str
    key: bytes
    vector: np.ndarray
    terms: Counter  # term → frequency
    length: int  # terms, repeats included; an empty text counts 1, as bm25s counts it


def content_row(collection: str, vector: np.ndarray, indexed_text: str, terms: Sequence[str]) -> ContentRow:
    vector = np.asarray(vector, dtype=np.float32)
    key = hashlib.sha256(vector.tobytes() + b"\0" + indexed_text.encode()).digest()
    return ContentRow(collection, key, vector, Counter(t for t in terms if t), max(len(terms), 1))


@dataclass
class DocumentRows:
    cards: list[dict]
    passages: list[dict]  # columns of search_passages, ``content_key`` in place of content_id
    contents: dict[tuple[str, bytes], ContentRow]


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

    def rows(self, items: DocItems) -> DocumentRows:
        """The card, passage and content rows of one document."""
        cards = {c.item_id: c for c in items.cards}
        rows_of: dict[str, list[int]] = {}
        for row, p in enumerate(items.clauses):
            rows_of.setdefault(p.item_id, []).append(row)
        clause_texts, lonely_texts, lonely = self.dense_texts(items)
        c_vectors = self._vectors(clause_texts)
        l_vectors = self._vectors(lonely_texts)
        m_vectors = item_vectors(items.measures, rows_of, c_vectors, dict(zip(lonely, l_vectors)),
                                 self.embedder.dim)
        out = DocumentRows(cards=[{"item_id": c.item_id, "doc_id": c.doc_id, "card_json": c.model_dump_json()}
                                  for c in cards.values()], passages=[], contents={})
        for name, group, vectors, texts in (
            ("measures", items.measures, m_vectors, items.measure_texts),
            ("clauses", items.clauses, c_vectors, [p.text for p in items.clauses]),
        ):
            terms, _ = tokenize_many(texts, self.token_cache)
            for p, vector, indexed, words in zip(group, vectors, texts, terms):
                content = content_row(name, vector, indexed, words)
                out.contents.setdefault((name, content.key), content)
                out.passages.append(_passage_row(name, p, cards[p.item_id], content.key))
        for card in items.cards:
            self.counts["measures" if card.kind == "measure" else "context_items"] += 1
        self.counts["passages"] += len(items.clauses)
        return out


def _passage_row(collection: str, p: Passage, card: ItemCard, content_key: bytes) -> dict:
    return {
        "collection": collection, "item_id": p.item_id, "doc_id": p.doc_id, "doc_status": card.doc_status,
        "years": list(card.deadline_years), "units": unit_keys(card), "kind": p.kind, "text": p.text,
        "span_start": p.span.start, "span_end": p.span.end, "page": p.page, "line": p.line,
        "content_key": content_key,
    }


_INSERT_PASSAGE = text(
    "INSERT INTO search_passages (collection, item_id, doc_id, doc_status, years, units, kind, text, "
    "span_start, span_end, page, line, content_id) VALUES (:collection, :item_id, :doc_id, "
    ":doc_status, :years, :units, :kind, :text, :span_start, :span_end, :page, :line, :content_id)")


def _document_counts(conn: Connection, doc_id: str) -> tuple[Counter, Counter, Counter]:
    """(passages per collection, their total length per collection, passages per (collection,
    term)) of the rows ``doc_id`` holds now: what its removal takes off the BM25 statistics."""
    passages, lengths, terms = Counter(), Counter(), Counter()
    for collection, n, total in conn.execute(text(
            "SELECT p.collection, count(*), sum(c.length) FROM search_passages p JOIN search_contents c "
            "ON c.id = p.content_id WHERE p.doc_id = :d GROUP BY p.collection"), {"d": doc_id}):
        passages[collection], lengths[collection] = int(n), int(total)
    for collection, term, n in conn.execute(text(
            "SELECT p.collection, t.term, count(*) FROM search_passages p JOIN search_terms t "
            "ON t.content_id = p.content_id WHERE p.doc_id = :d GROUP BY p.collection, t.term"), {"d": doc_id}):
        terms[(collection, term)] = int(n)
    return passages, lengths, terms


def _content_ids(conn: Connection, rows: DocumentRows) -> dict[tuple[str, bytes], int]:
    """The id of each of the document's contents: found, or inserted with its vector and terms."""
    ids: dict[tuple[str, bytes], int] = {}
    for collection in COLLECTIONS:
        mine = [c for (name, _), c in rows.contents.items() if name == collection]
        if not mine:
            continue
        keys = [c.key for c in mine]
        ids.update(((collection, bytes(k)), i) for k, i in conn.execute(text(
            "SELECT key, id FROM search_contents WHERE collection = :c AND key = ANY(:k)"),
            {"c": collection, "k": keys}))
        new = [c for c in mine if (collection, c.key) not in ids]
        if not new:
            continue
        inserted = {bytes(k): i for k, i in conn.execute(text(
            "INSERT INTO search_contents (collection, key, length, embedding) "
            "SELECT :c, k, n, CAST(e AS halfvec) FROM unnest(CAST(:k AS bytea[]), CAST(:n AS int[]), "
            "CAST(:e AS text[])) AS u(k, n, e) RETURNING key, id"),
            {"c": collection, "k": [c.key for c in new], "n": [c.length for c in new],
             "e": [vector_literal(c.vector) for c in new]})}
        ids.update(((collection, k), i) for k, i in inserted.items())
        terms = [(inserted[c.key], term, tf, c.length) for c in new for term, tf in c.terms.items()]
        if terms:
            cid, term, tf, length = map(list, zip(*terms))
            conn.execute(text(
                "INSERT INTO search_terms (content_id, term, collection, tf, length) "
                "SELECT c, t, :collection, f, n FROM unnest(CAST(:c AS bigint[]), CAST(:t AS text[]), "
                "CAST(:f AS int[]), CAST(:n AS int[])) AS u(c, t, f, n)"),
                {"collection": collection, "c": cid, "t": term, "f": tf, "n": length})
    return ids


def _replace_document(conn: Connection, doc_id: str, fingerprint: str | None, rows: DocumentRows | None) -> None:
    """Rewrite one document's rows and move the BM25 statistics by the difference."""
    conn.execute(text(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"))
    old_passages, old_lengths, old_terms = _document_counts(conn, doc_id)
    old_contents = conn.execute(text("DELETE FROM search_passages WHERE doc_id = :d RETURNING content_id"),
                                {"d": doc_id}).scalars().all()
    for table in ("search_cards", "search_docs"):
        conn.execute(text(f"DELETE FROM {table} WHERE doc_id = :d"), {"d": doc_id})
    passages, lengths, terms = Counter(), Counter(), Counter()
    if fingerprint is not None and rows is not None:
        if rows.cards:
            conn.execute(text("INSERT INTO search_cards VALUES (:item_id, :doc_id, :card_json) "
                              "ON CONFLICT (item_id) DO UPDATE SET card_json = EXCLUDED.card_json"), rows.cards)
        ids = _content_ids(conn, rows)
        if rows.passages:
            conn.execute(_INSERT_PASSAGE, [{**{k: v for k, v in p.items() if k != "content_key"},
                                            "content_id": ids[(p["collection"], p["content_key"])]}
                                           for p in rows.passages])
        for p in rows.passages:
            content = rows.contents[(p["collection"], p["content_key"])]
            passages[p["collection"]] += 1
            lengths[p["collection"]] += content.length
            for term in content.terms:
                terms[(p["collection"], term)] += 1
        conn.execute(text("INSERT INTO search_docs VALUES (:d, :f)"), {"d": doc_id, "f": fingerprint})
    if old_contents:  # contents no passage uses any more, and their terms
        gone = conn.execute(text(
            "DELETE FROM search_contents c WHERE c.id = ANY(:ids) AND NOT EXISTS "
            "(SELECT 1 FROM search_passages p WHERE p.content_id = c.id) RETURNING c.id"),
            {"ids": sorted(set(old_contents))}).scalars().all()
        if gone:
            conn.execute(text("DELETE FROM search_terms WHERE content_id = ANY(:ids)"), {"ids": gone})
    terms.subtract(old_terms)
    changed = sorted((c, t, n) for (c, t), n in terms.items() if n)
    if changed:
        collection, term, delta = map(list, zip(*changed))
        conn.execute(text(
            "INSERT INTO search_term_stats (collection, term, df) SELECT * FROM unnest(CAST(:c AS text[]), "
            "CAST(:t AS text[]), CAST(:n AS bigint[])) ON CONFLICT (collection, term) "
            "DO UPDATE SET df = search_term_stats.df + EXCLUDED.df"), {"c": collection, "t": term, "n": delta})
    for collection in COLLECTIONS:
        moved = (passages[collection] - old_passages[collection], lengths[collection] - old_lengths[collection])
        if any(moved):
            conn.execute(text("UPDATE search_collections SET passages = passages + :n, "
                              "total_length = total_length + :l WHERE collection = :c"),
                         {"n": moved[0], "l": moved[1], "c": collection})


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
            prepare_tables(conn, embedder.model_id, embedder.dim, index_files.INDEXER_VERSION)
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
                drop_hnsw(conn)
        for doc_id, fingerprint, items in _changed(registry, wanted, have):
            rows = writer.rows(items) if items is not None else None
            with engine.begin() as conn:
                _replace_document(conn, doc_id, fingerprint if items is not None else None, rows)
        with engine.begin() as conn:  # once over all rows after a bulk load; else already there
            conn.execute(text(f"SET LOCAL maintenance_work_mem = '{HNSW_BUILD_MEMORY}'"))
            for collection in COLLECTIONS:
                create_hnsw(conn, collection)
        if bulk:  # the planner's statistics for tables that were empty (autovacuum keeps them later)
            with engine.connect() as conn:
                auto = conn.execution_options(isolation_level="AUTOCOMMIT")
                for table in ("search_passages", "search_contents", "search_terms"):
                    auto.execute(text(f"ANALYZE {table}"))
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
