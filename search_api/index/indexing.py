"""Build the search index from the registry.

Two collections:
- ``measures``: one passage per Task (title + text + its units), answering "which measure";
- ``clauses``: every clause of every document, and every table row kept whole as one passage,
  each mapped to the innermost measure containing it, or else to its section as a *context*
  item (text outside any measure, e.g. a plan's 发展目标, is still findable); items.py chooses them.

Only texts whose vectors are not cached are embedded (cache key sha256(model_id + text)), and
only texts whose BM25 terms are not cached are tokenized, so an update after one changed
document embeds and cuts only that document's new texts. The index records the registry
generation it was built from, so search can tell when it is stale.

A build streams: documents are read from the registry one at a time and written out in rounds
(``IndexBuild``), so its memory does not grow with the number of passages' Python objects
(1,000 synthetic documents: 1.9 GB peak before, ~0.35 GB after; see bench/results.md).

A build is incremental: a document whose fingerprint the live generation was built from is
copied from it (``previous.py``), not read from the registry again; only new and changed
documents are read, cut, embedded and tokenized. The generation written is the one a build from
nothing would write. A build starts from nothing when the embedding model, the indexer or the
tokenizer changed, or when asked (``full=True``, ``taizhang build --reindex``).
"""

from __future__ import annotations

import contextlib
import sys
import time
from dataclasses import replace
from collections.abc import Callable

import numpy as np

from extractors.registry.locks import is_postgres
from extractors.registry.snapshot import documents_digest
from pipeline.settings import Settings

from search_api.embedding.embed import (
    CacheStats, Embedder, EmbeddingCache, embed_with_cache, index_model_id, make_embedder,
)
from search_api.index import index as index_files
from search_api.index.index import (
    COLLECTIONS, DocumentRows, GenerationWriter, IndexMeta, current_generation_folder, new_generation_stamp,
    read_meta,
)
from search_api.index.items import DENSE_ITEM_CHARS, DocItems, dense_text, document_items, item_vectors
from search_api.index.pg_index import pg_index_is_current, sync_pg_index
from search_api.index.previous import PreviousGeneration, PreviousUnreadable, open_previous
from search_api.schemas import IndexReport, ItemCard, Passage
from search_api.sparse.sparse import ensure_freq_db
from search_api.sparse.sparse_build import SparseBuilder, TokenCache, terms_identity, tokenize_many

# Clause passages embedded and written per round of a build: bounds its memory (see IndexBuild).
BATCH_PASSAGES = 2048


# ------------------------------------------------------------------------------ the build


@contextlib.contextmanager
def _progress():
    """A progress bar on stderr while texts are embedded (only on a terminal; builds in CI or
    under the API stay quiet). Yields ``report(done, _)``."""
    if not sys.stderr.isatty():
        yield lambda done, _: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("embedding new texts", total=None)
        yield lambda done, _: bar.update(task, completed=done)


def _numbered(passages: list[Passage], first: int = 0) -> list[Passage]:
    return [p.model_copy(update={"pid": first + i}) for i, p in enumerate(passages)]


class IndexBuild:
    """One build, fed a document's items at a time, in bounded memory.

    Items wait until ``batch_passages`` clause passages are pending; then their vectors are
    taken from the cache or embedded, their BM25 terms likewise, and passages, cards and
    vectors are appended to the new generation's files. What stays in memory between rounds is
    the BM25 vocabulary and compact term ids (``SparseBuilder``), nothing per passage object.
    A document the previous generation holds unchanged is copied from it instead (``copy``;
    consecutive ones as one run), in its place in doc_id order.

    batch_passages: clause passages per round. Larger rounds send fuller batches to the model
        and write less often; smaller ones hold less. Rounds never split a document (an item's
        vector is the centroid of its clauses' vectors).
    """

    def __init__(self, settings: Settings, embedder: Embedder, gen: GenerationWriter,
                 batch_passages: int = BATCH_PASSAGES, previous: PreviousGeneration | None = None) -> None:
        self.embedder, self.gen, self.batch_passages = embedder, gen, batch_passages
        self.previous = previous
        self.pending_documents: list[tuple[DocumentRows, list[ItemCard]]] = []
        self.copying: tuple[int, int] | None = None  # a run of documents of ``previous`` to copy
        self.copied = 0  # documents copied from the previous generation
        cache_dir = settings.data_dir / "cache"
        self.vector_cache = EmbeddingCache(cache_dir / "embeddings.sqlite")
        self.token_cache = TokenCache(cache_dir / "tokens.sqlite")
        self.sparse = {name: SparseBuilder(gen.scratch(name)) for name in COLLECTIONS}
        self.pending = DocItems()
        self.rows = {name: 0 for name in COLLECTIONS}
        self.stats = CacheStats()
        self.kinds: dict[str, int] = {"measure": 0, "context": 0}
        self.dim: int | None = None
        self.cut = 0  # texts tokenized (not found in the token cache)
        self._report: Callable[[int, int], None] = lambda done, _: None

    def add(self, items: DocItems, doc_id: str, fingerprint: str) -> None:
        """One document's items, read from the registry (its ``fingerprint`` recorded so that
        the next build can copy them)."""
        self._copy_run()
        cards = list({c.item_id: c for c in items.cards}.values())
        self.pending_documents.append((DocumentRows(
            doc_id=doc_id, fingerprint=fingerprint, cards=len(cards), measures=len(items.measures),
            clauses=len(items.clauses), measure_cards=sum(c.kind == "measure" for c in items.cards),
            context_cards=sum(c.kind == "context" for c in items.cards)), cards))
        for name in ("cards", "measures", "clauses", "measure_texts"):
            getattr(self.pending, name).extend(getattr(items, name))
        if len(self.pending.clauses) >= self.batch_passages:
            self.flush()

    def _vectors(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim or self.embedder.dim), dtype=np.float32)
        done = self.stats.embedded
        vectors, stats = embed_with_cache(self.embedder, texts, self.vector_cache,
                                          progress=lambda n, _: self._report(done + n, 0))
        self.stats.hits += stats.hits
        self.stats.embedded += stats.embedded
        self.dim = vectors.shape[1]
        return vectors

    def copy(self, position: int) -> None:
        """The document at ``position`` of the previous generation, copied (runs of consecutive
        documents are copied together)."""
        if self.pending_documents:
            self._write_pending()
        if self.copying is not None and self.copying[1] == position:
            self.copying = (self.copying[0], position + 1)
            return
        self._copy_run()
        self.copying = (position, position + 1)

    def _copy_run(self) -> None:
        if self.copying is None or self.previous is None:
            return
        (first, stop), self.copying = self.copying, None
        for entry in self.previous.copy(first, stop, self.gen, self.sparse, self.rows):
            self.gen.documents.append(entry)
            self.kinds["measure"] += entry.measure_cards
            self.kinds["context"] += entry.context_cards
            self.copied += 1

    def flush(self) -> None:
        """Copy the pending run of documents, or embed, tokenize and write the pending items."""
        self._copy_run()
        self._write_pending()

    def _write_pending(self) -> None:
        items, self.pending = self.pending, DocItems()
        documents, self.pending_documents = self.pending_documents, []
        if not (items.cards or items.measures or items.clauses):
            self.gen.documents.extend(d for d, _ in documents)
            return
        cards = {c.item_id: c for c in items.cards}
        measures = _numbered(items.measures, self.rows["measures"])
        clauses = _numbered(items.clauses, self.rows["clauses"])
        rows_of: dict[str, list[int]] = {}
        for row, p in enumerate(clauses):
            rows_of.setdefault(p.item_id, []).append(row)
        lonely = [i for i, p in enumerate(measures) if p.item_id not in rows_of]
        c_vectors = self._vectors([dense_text(p, cards) for p in clauses])
        l_vectors = self._vectors([items.measure_texts[i][:DENSE_ITEM_CHARS] for i in lonely])
        dim = self.dim or self.embedder.dim
        m_vectors = item_vectors(measures, rows_of, c_vectors, dict(zip(lonely, l_vectors)), dim)
        for entry, doc_cards in documents:  # each document's own, so a later build can copy them
            self.gen.add_cards(doc_cards)
            self.gen.documents.append(entry)
        for card in items.cards:  # counted before de-duplication, as counts always were
            self.kinds[card.kind] = self.kinds.get(card.kind, 0) + 1
        for name, passages, vectors, texts in (
            ("measures", measures, m_vectors, items.measure_texts),
            ("clauses", clauses, c_vectors, [p.text for p in clauses]),
        ):
            self.gen.add_passages(name, passages, vectors)
            terms, cut = tokenize_many(texts, self.token_cache)
            self.cut += cut
            for t in terms:
                self.sparse[name].add(t)
            self.rows[name] += len(passages)

    def close(self) -> None:
        self.vector_cache.close()
        self.token_cache.close()
        for builder in self.sparse.values():
            builder.close()


def update_index(settings: Settings, registry, embedder: Embedder | None = None,
                 batch_passages: int = BATCH_PASSAGES, full: bool = False) -> IndexReport:
    """Build the index for everything in ``registry`` and make it current.

    registry: an ``extractors.registry.store.Registry``. Documents the live generation was
        built from (same doc_id and fingerprint) are copied from it; the others are read one
        at a time, and their unchanged texts reuse cached vectors and BM25 terms.
    embedder: default ``make_embedder(settings, "passages")``, made for this build; a
        process that builds more than once passes its own (``SearchEngine.passage_embedder``),
        tests a lighter one.
    batch_passages: see ``IndexBuild``.
    full: build from the registry alone, copying nothing (the result is the same; this is the
        way to check it, or to rebuild an index suspected of damage).
    """
    try:
        return _update_index(settings, registry, embedder, batch_passages, full)
    except PreviousUnreadable as exc:  # the new generation was abandoned; the live one stays
        print(f"检索索引：上一版索引无法复用（{exc}），重新建立全部索引", file=sys.stderr)
        return _update_index(settings, registry, embedder, batch_passages, full=True)


def _update_index(settings: Settings, registry, embedder: Embedder | None, batch_passages: int,
                  full: bool) -> IndexReport:
    started = time.perf_counter()
    registry_generation = registry.generation()
    hashes = registry.document_hashes()
    digest = documents_digest(hashes)  # documents only move under the build lock
    metas = registry.documents()
    settings.ensure_dirs()
    embedder = embedder or make_embedder(settings, "passages")
    freq_db = ensure_freq_db(settings.index_dir)
    terms = terms_identity()
    previous = None if full else open_previous(settings.index_dir, embedder.model_id, terms)
    generation = new_generation_stamp()
    ordered = sorted(metas, key=lambda m: m.doc_id)  # the layout a rebuild has
    if previous is not None and previous.holds([(m.doc_id, hashes.get(m.doc_id, "")) for m in ordered]):
        return _relabel(settings, previous, generation, registry_generation, digest, started)
    with GenerationWriter(settings.index_dir, generation) as gen:
        build = IndexBuild(settings, embedder, gen, batch_passages, previous)
        try:
            with _progress() as report:
                build._report = report
                for meta in ordered:
                    fingerprint = hashes.get(meta.doc_id, "")
                    position = previous.unchanged(meta.doc_id, fingerprint) if previous else None
                    if position is not None:
                        build.copy(position)
                        continue
                    doc = registry.document(meta.doc_id)
                    if doc is not None:
                        tasks, targets = registry.tasks(doc_id=meta.doc_id), registry.targets(doc_id=meta.doc_id)
                        build.add(document_items(doc, tasks, targets), meta.doc_id, fingerprint)
                build.flush()
            for name, builder in build.sparse.items():
                gen.save_sparse(name, builder)  # streamed to disk, never held whole
        finally:
            build.close()
        dim = build.dim or (previous.dim if previous else embedder.dim)
        counts = {"documents": len(metas), "measures": build.kinds["measure"],
                  "context_items": build.kinds["context"], "passages": build.rows["clauses"]}
        meta = IndexMeta(
            generation=generation, registry_generation=registry_generation, model_id=embedder.model_id,
            dim=dim, created=time.time(), counts=counts, freq_db=freq_db.name, indexer=index_files.INDEXER_VERSION,
            documents_digest=digest, terms=terms,
        )
        folder = gen.publish(meta)
    return IndexReport(
        generation=generation, registry_generation=registry_generation, model_id=embedder.model_id,
        documents=len(metas), measures=counts["measures"], context_items=counts["context_items"],
        passages=counts["passages"], embedded=build.stats.embedded, cache_hits=build.stats.hits,
        seconds=round(time.perf_counter() - started, 2), path=str(folder), copied=build.copied,
    )


def _relabel(settings: Settings, previous: PreviousGeneration, generation: str, registry_generation: str,
             digest: str, started: float) -> IndexReport:
    """The previous generation's files under a new generation: its documents are the
    registry's, only the registry's generation moved (corrections, progress reports)."""
    meta = replace(previous.meta, generation=generation, registry_generation=registry_generation,
                   created=time.time(), documents_digest=digest)
    with GenerationWriter(settings.index_dir, generation) as gen:
        folder = gen.publish_links(previous.folder, meta)
    counts = meta.counts
    return IndexReport(
        generation=generation, registry_generation=registry_generation, model_id=meta.model_id,
        documents=counts["documents"], measures=counts["measures"], context_items=counts["context_items"],
        passages=counts["passages"], embedded=0, cache_hits=0, seconds=round(time.perf_counter() - started, 2),
        path=str(folder), copied=len(previous.documents),
    )


def index_is_current(settings: Settings, registry) -> bool:
    """True when the index was built from the registry's current content, by this version of
    the indexer, with the configured embedding model."""
    folder = current_generation_folder(settings.index_dir)
    if folder is None:
        return False
    meta = read_meta(folder)
    return (meta.registry_generation == registry.generation() and meta.indexer == index_files.INDEXER_VERSION
            and meta.model_id == index_model_id(settings)
            and bool(meta.documents_digest))  # an index from before the digest: rebuilt (vectors cached)


def refresh_index(settings: Settings, registry, embedder: Embedder | None = None) -> IndexReport | None:
    """``update_index`` unless the index already matches the registry (then no model load, no
    write, and None). An index that cannot be read counts as stale.

    embedder: passed to ``update_index``.
    """
    from pipeline.errors import TaizhangError

    if is_postgres(settings.registry_url):  # the index lives in the same PostgreSQL
        return None if pg_index_is_current(settings, registry) else sync_pg_index(settings, registry, embedder)
    try:
        current = index_is_current(settings, registry)
    except (OSError, ValueError, TaizhangError):
        current = False
    return None if current else update_index(settings, registry, embedder)


def index_step(settings: Settings, registry, console) -> bool:
    """The build's index step: ``refresh_index``. Prints one line; False (reason on stderr) on
    failure."""
    from pipeline.errors import TaizhangError

    try:
        report = refresh_index(settings, registry)
    except TaizhangError as exc:
        print(" ".join(exc.message.split()), file=sys.stderr)
        return False
    if report is None:
        console.print("检索索引：已是最新")
        return True
    kept = f"{report.copied} 个未变文件沿用上一版索引；" if report.copied else ""
    console.print(
        f"检索索引：{report.documents} 个文件，{report.measures} 条措施，{report.passages} 个段落"
        f"（{kept}新计算 {report.embedded} 个向量，{report.cache_hits} 个取自缓存），用时 {report.seconds:.1f} 秒"
        f" → {report.path}",
        soft_wrap=True,
    )
    return True
