"""The PostgreSQL + pgvector path, measured: ``python -m bench.postgres --docs 200``.

Starts a local PostgreSQL (taizhang's own ``start_local_postgres``) under ``--work``, writes
``--docs`` synthetic documents (bench/synthetic.py), then measures with the fake embedder of
``--dim`` dimensions (so the figures are the store's, not the model's; 384 is e5-small's size):
the registry build (serial and, with ``--ray``, on a local Ray cluster), the index build into
pgvector, adding one document (registry + index), the database size, hybrid query latency in
process (p50/p99) without a filter, with a selective one (the busiest lead unit and deadline
year) and with a broad one (that unit alone), each with nothing searched before it, and the
filtered ones again right after the same question unfiltered (a facet clicked: the engine
keeps the facets' items of that search, ``search/pg_unfiltered_cache.py``); per filter, dense recall@10 against exact search
(as planned, and with the graph forced) and BM25's top-10 agreement with BM25 over every
posting, with the time of each. Prints JSON.

``--reuse`` keeps the registry in the database ``bench_<docs>`` (and its corpus under
``--work``) for the next ``--reuse`` run, which then measures the index alone (from cold: the
search tables and the shared caches are dropped first) and reports the build time recorded
when the registry was made.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from bench.measure import QUERIES, percentiles
from bench.synthetic import make_corpus
from extractors.registry.build import build_registry
from extractors.registry.local_postgres import create_database, fresh_database, start_local_postgres, stop_local_postgres
from extractors.registry.store import Registry
from pipeline.settings import Settings
from search_api.embedding.embed import FakeEmbedder
from search_api.index.pg_index import pg_engine, sync_pg_index
from search_api.schemas import SearchFilters
from search_api.search.engine import SearchEngine
from search_api.search.pg_rankings import PgPassage, dense_ranking, matching_passages, sparse_ranking
from search_api.search.ranking import plan_query


def _timed(fn):
    started = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - started, 2)


def busiest_unit(settings: Settings) -> tuple[str, int]:
    """The (lead unit, deadline year) pair most measures share: a selective filter that matches."""
    with Registry.open(settings) as registry:
        tasks = registry.tasks()
    pairs = Counter((m.canonical, d.due_year) for t in tasks for m in t.lead for d in t.deadlines if d.due_year)
    return min(pairs, key=lambda p: (-pairs[p], p))


def _registry(n_docs: int, work: Path, admin: str, model: str, reuse: bool, out: dict) -> tuple[Settings, Path]:
    """The registry of ``n_docs`` synthetic documents, built and timed; with ``reuse``, the one a
    previous run left in the database ``bench_<n>`` (its build time as that run recorded it),
    so a 10,000-document run need not build its registry again. Returns (settings, the extra
    document kept aside for the add-one step)."""
    docs, extra_dir = work / f"docs-{n_docs}", work / f"extra-{n_docs}"
    record = work / f"registry-{n_docs}.json"
    settings = Settings(data_dir=work / f"data-{n_docs}", embedding_model=model,
                        db_url=create_database(admin, f"bench_{n_docs}") if reuse else fresh_database(admin, "bench"))
    if reuse and record.exists():
        out.update(json.loads(record.read_text()), registry_reused=True)
        return settings, next(extra_dir.iterdir())
    shutil.rmtree(docs, ignore_errors=True)
    shutil.rmtree(extra_dir, ignore_errors=True)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    files = make_corpus(n_docs + 1, docs)
    extra_dir.mkdir(parents=True)
    extra = files[-1].rename(extra_dir / files[-1].name)
    report, seconds = _timed(lambda: build_registry([docs], settings, progress=False))
    assert not report.failed, report.failed[:3]
    record.write_text(json.dumps({"registry_build_s": seconds}))
    out["registry_build_s"] = seconds
    return settings, extra


def _drop_search_tables(settings: Settings) -> None:
    """A cold index build: no search tables and no cached vectors or terms from a run before."""
    db = pg_engine(settings.db_url)
    with db.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS search_state, search_docs, search_cards, search_passages, "
                          "search_contents, search_terms, search_term_stats, search_collections, "
                          "embedding_cache, token_cache"))
    db.dispose()


def _build_and_add_one(settings: Settings, docs: Path, extra: Path, out: dict) -> None:
    """The index built from cold, then one document added (registry, then index), then taken
    out again (registry and index as they were, for a later run with --reuse)."""
    _drop_search_tables(settings)
    with Registry.open(settings) as registry:
        index, out["index_build_s"] = _timed(lambda: sync_pg_index(settings, registry))
    out["passages"] = index.passages
    with Registry.open(settings) as registry:
        before = set(registry.document_hashes())
    shutil.copy(extra, docs / extra.name)
    _, out["add_one_registry_s"] = _timed(lambda: build_registry([docs], settings, progress=False))
    with Registry.open(settings) as registry:
        added, out["add_one_index_s"] = _timed(lambda: sync_pg_index(settings, registry))
    out["add_one_embedded"] = added.embedded
    (docs / extra.name).unlink()  # the registry as it was, for a run with --reuse
    with Registry.open(settings) as registry:
        registry.remove_documents(set(registry.document_hashes()) - before)
        sync_pg_index(settings, registry)


def measure(n_docs: int, work: Path, use_ray: bool, dim: int = 256, reuse: bool = False,
            queries_only: bool = False) -> dict:
    admin = start_local_postgres(work / "pg")
    out: dict = {"documents": n_docs, "dim": dim}
    model = "fake" if dim == 256 else f"fake-{dim}"
    settings, extra = _registry(n_docs, work, admin, model, reuse, out)
    docs = work / f"docs-{n_docs}"
    if use_ray:
        on_ray = Settings(data_dir=work / "data-ray", embedding_model=model, build_ray=True,
                          db_url=fresh_database(admin, "bench"))
        _, out["registry_build_ray_s"] = _timed(lambda: build_registry([docs], on_ray, progress=False))
    if not queries_only:
        _build_and_add_one(settings, docs, extra, out)
    else:  # the index a previous run built (a sync adds only what a newer taizhang's tables lack)
        with Registry.open(settings) as registry:
            sync_pg_index(settings, registry)
    unit, year = busiest_unit(settings)
    filters = {"none": SearchFilters(), "unit+year": SearchFilters(unit=unit, year=year),
               "unit": SearchFilters(unit=unit)}
    engine = SearchEngine(settings)
    for name, chosen in filters.items():
        engine.search(QUERIES[0], filters=chosen)  # warm: the jieba dictionary, the pool
        samples, after_unfiltered = [], []
        for _ in range(3):
            for q in QUERIES:
                engine.forget_recent_searches()  # a search with nothing before it does all its work
                started = time.perf_counter()
                engine.search(q, k=10, filters=chosen)
                samples.append(time.perf_counter() - started)
                if name != "none":  # a facet clicked under the question's unfiltered answer
                    engine.search(q, k=10)
                    started = time.perf_counter()
                    engine.search(q, k=10, filters=chosen)
                    after_unfiltered.append(time.perf_counter() - started)
        out[f"hybrid_query_{name}"] = percentiles(samples)
        if after_unfiltered:
            out[f"hybrid_query_{name}_after_unfiltered"] = percentiles(after_unfiltered)
    db = pg_engine(settings.db_url)
    with db.connect() as conn:
        out["database_mb"] = round(conn.execute(text("SELECT pg_database_size(current_database())")).scalar() / 2**20, 1)
        out["contents"] = dict(conn.execute(text("SELECT collection, count(*) FROM search_contents GROUP BY 1")).all())
        conn.rollback()  # end the read so the rankings can open their own transactions
        out.update(ranking_quality(conn, FakeEmbedder(dim), filters))
    db.dispose()
    out["filter"] = {"unit": unit, "year": year}
    return out


def _recall(exact: list[PgPassage], approx: list[PgPassage]) -> float:
    """Share of the exact top list found by the approximate one, by score: rows of equal score
    (identical texts under one heading) tie, and which of them comes back is arbitrary."""
    if not exact:
        return 1.0
    last = exact[-1].score - 1e-6
    return min(1.0, sum(p.score >= last for p in approx) / len(exact))


def ranking_quality(conn, embedder: FakeEmbedder, filters: dict[str, SearchFilters]) -> dict:
    """Per filter: passages it leaves (counted up to the exact-scan limit, and past it), dense
    recall@10 against exact search (both collections) as the planner reads it and with the
    graph forced (``enable_seqscan`` off: on a small collection the planner may prefer an exact
    scan to a wide graph read, which is exact by construction and says nothing of the graph), and
    the top-10 agreement of BM25 as the search reads it with BM25 over every posting, with the
    median time of each BM25 read."""
    dense: dict[str, list[float]] = {n: [] for n in filters}
    forced: dict[str, list[float]] = {n: [] for n in filters}
    lexical: dict[str, list[float]] = {n: [] for n in filters}
    lexical_ms: dict[str, list[float]] = {n: [] for n in filters}
    every_ms: dict[str, list[float]] = {n: [] for n in filters}
    rows: dict[str, dict[str, int]] = {}
    for name, chosen in filters.items():
        with conn.begin():
            rows[name] = {c: matching_passages(conn, c, chosen, limit=10**9) for c in ("measures", "clauses")}
        for q in QUERIES:
            vector, terms = embedder.embed_query(q), plan_query(q).terms
            for collection in ("measures", "clauses"):
                exact = dense_ranking(conn, collection, vector, chosen, depth=10, exact=True)
                approx = dense_ranking(conn, collection, vector, chosen, depth=10)
                assert len(approx) == len(exact), (name, collection, len(approx), len(exact))
                dense[name].append(_recall(exact, approx))
                conn.execute(text("SET enable_seqscan = off"))
                conn.commit()
                forced[name].append(_recall(exact, dense_ranking(conn, collection, vector, chosen, depth=10)))
                conn.execute(text("RESET enable_seqscan"))
                conn.commit()
                started = time.perf_counter()
                every = sparse_ranking(conn, collection, terms, chosen, depth=10, every_posting=True)
                every_ms[name].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                bounded = sparse_ranking(conn, collection, terms, chosen, depth=10)
                lexical_ms[name].append((time.perf_counter() - started) * 1000)
                lexical[name].append(_recall(every, bounded))
    return {"passages_matching": rows, "dense_recall_at_10": {n: _mean(v) for n, v in dense.items()},
            "dense_recall_at_10_graph_forced": {n: _mean(v) for n, v in forced.items()},
            "bm25_agreement_at_10": {n: _mean(v) for n, v in lexical.items()},
            "bm25_ms_median": {n: round(statistics.median(v)) for n, v in lexical_ms.items()},
            "bm25_every_posting_ms_median": {n: round(statistics.median(v)) for n, v in every_ms.items()}}


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.postgres", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--work", type=Path, default=Path("/tmp/taizhang-bench-pg"))
    parser.add_argument("--ray", action="store_true", help="also time the registry build on Ray")
    parser.add_argument("--dim", type=int, default=256, help="the fake embedder's vector size (384: e5-small's)")
    parser.add_argument("--keep", action="store_true", help="leave the server running afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the registry in database bench_<docs> for the next --reuse run (built if missing)")
    parser.add_argument("--registry-only", action="store_true", help="with --reuse: build the registry and stop")
    parser.add_argument("--queries-only", action="store_true",
                        help="with --reuse: measure queries on the index a previous run left (no build)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    try:
        if args.registry_only:
            out: dict = {}
            _registry(args.docs, args.work, start_local_postgres(args.work / "pg"),
                      "fake" if args.dim == 256 else f"fake-{args.dim}", True, out)
            print(json.dumps(out))
            return 0
        print(json.dumps(measure(args.docs, args.work, args.ray, args.dim, args.reuse, args.queries_only),
                         ensure_ascii=False, indent=2))
    finally:
        if not args.keep:
            stop_local_postgres(args.work / "pg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
