"""Bench steps for the registry, the index and search: the embedding floor, a whole build, an
up-to-date rebuild, warm query latency, and the scaling runs over synthetic documents.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bench.measure import QUERIES, REPS, corpus_files, peak_rss_mb, percentiles, settings_for
from pipeline.settings import BUNDLED_CORPUS, Settings


def corpus_passages(settings: Settings) -> list[str]:
    """Exactly the texts the index embeds for the corpus (measures, then clauses and table rows)."""
    from extractors.run import extract_document
    from pipeline.run import parse_paths
    from search_api.index.items import DocItems, dense_text, document_items

    items = DocItems()
    for _, doc in parse_paths([BUNDLED_CORPUS], settings):
        extraction = extract_document(doc)
        part = document_items(doc, extraction.tasks, extraction.targets)
        items.cards += part.cards
        items.clauses += part.clauses
        items.measure_texts += part.measure_texts
    cards = {c.item_id: c for c in items.cards}
    return items.measure_texts + [dense_text(p, cards) for p in items.clauses]


def step_embed_floor(work: Path, mode: str, _: str) -> dict:
    from search_api.embedding.embed import make_embedder

    settings = settings_for(work, mode)
    texts = corpus_passages(settings)
    started = time.perf_counter()
    embedder = make_embedder(settings, "passages")
    embedder.embed_passages(texts[:1])
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    embedder.embed_passages(texts)
    embed_s = time.perf_counter() - started
    return {"passages": len(texts), "passages_per_s": round(len(texts) / embed_s, 1),
            "embed_s": round(embed_s, 2), "load_s": round(load_s, 2), "floor_s": round(load_s + embed_s, 2),
            "peak_rss_mb": round(peak_rss_mb())}


def build_and_index(settings: Settings, paths: list[Path], index: bool = True) -> dict:
    from extractors.registry.build import build_registry
    from extractors.registry.store import Registry
    from search_api.index.indexing import update_index

    started = time.perf_counter()
    report = build_registry(paths, settings, progress=False)
    registry_s = time.perf_counter() - started
    out = {"registry_s": round(registry_s, 2), "failed": len(report.failed), "documents": len(report.items),
           "changed": len(report.added) + len(report.updated)}
    if index:
        started = time.perf_counter()
        with Registry.open(settings) as registry:
            result = update_index(settings, registry)
        out["index_s"] = round(time.perf_counter() - started, 2)
        out["index"] = str(result)
    out["seconds"] = round(registry_s + out.get("index_s", 0.0), 2)
    return out


def step_build(work: Path, mode: str, _: str) -> dict:
    """Whole build from nothing: registry, then index with the real model and a cold cache."""
    import shutil

    settings = settings_for(work, mode)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    out = build_and_index(settings, [BUNDLED_CORPUS])
    size = sum(p.stat().st_size for p in corpus_files())
    out["mb_per_s"] = round(size / out["seconds"] / 1e6, 4)
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def step_rebuild(work: Path, mode: str, _: str) -> dict:
    """What ``taizhang build`` runs (registry, then the index only if it is stale) on a data dir
    that is up to date: the second of two runs, so imports are paid (the CLI figure has them)."""
    import contextlib
    import io

    from extractors.registry.build_cli import run_build_command
    from search_api.index.indexing import index_step

    settings = settings_for(work, mode)
    with contextlib.redirect_stdout(io.StringIO()):  # brings the data dir up to date (code may have changed)
        run_build_command([BUNDLED_CORPUS], settings, export=False, index_step=index_step)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        ok = run_build_command([BUNDLED_CORPUS], settings, export=False, index_step=index_step)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "ok": ok, "index_up_to_date": "up to date" in printed.getvalue(),
            "peak_rss_mb": round(peak_rss_mb())}


def warm_query_latency(engine, reps: int) -> dict[str, float]:
    """Percentiles of ``engine.search`` over QUERIES, ``reps`` times each, after a first query
    has loaded the index and the query embedder."""
    engine.search(QUERIES[0])
    samples = []
    for _ in range(reps):
        for query in QUERIES:
            started = time.perf_counter()
            engine.search(query)
            samples.append(time.perf_counter() - started)
    return percentiles(samples)


def step_query_warm(work: Path, mode: str, _: str) -> dict:
    from search_api.search.engine import SearchEngine

    engine = SearchEngine(settings_for(work, mode))
    return {**warm_query_latency(engine, REPS[mode]), "peak_rss_mb": round(peak_rss_mb())}


def scale_settings(work: Path, n: int) -> Settings:
    return Settings(data_dir=work / f"scale-{n}", embedding_model="fake")


def step_scaling(work: Path, mode: str, arg: str) -> dict:
    """Registry + extraction over N synthetic documents (its own process: its own peak RSS).

    With ``TAIZHANG_BENCH_REUSE_REGISTRY=1`` a registry this step built earlier from the same
    corpus is kept and the figures measured then (``registry_bench.json`` beside it) are returned,
    with ``reused_from`` naming when: the index steps need the registry, and building it for
    10,000 documents takes ~20 minutes."""
    import shutil

    from bench.synthetic import corpus_bytes, make_corpus

    n = int(arg)
    folder = work / f"syn-{n}"
    paths = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if len(paths) != n:
        shutil.rmtree(folder, ignore_errors=True)
        paths = make_corpus(n, folder)
    settings = scale_settings(work, n)
    size = corpus_bytes(paths)
    record = settings.data_dir / "registry_bench.json"
    reuse = os.environ.get("TAIZHANG_BENCH_REUSE_REGISTRY") == "1"
    if reuse and record.exists() and (settings.data_dir / "registry.sqlite").exists():
        earlier = json.loads(record.read_text(encoding="utf-8"))
        if earlier.get("n") == n and earlier.get("bytes") == size:
            return {**earlier, "reused_from": earlier["measured_at"]}
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    out = build_and_index(settings, [folder], index=False)
    out.update(n=n, bytes=size, mb=round(size / 1e6, 1), mb_per_s=round(size / out["registry_s"] / 1e6, 3),
               ms_per_doc=round(out["registry_s"] / n * 1000, 1), peak_rss_mb=round(peak_rss_mb()),
               measured_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
    record.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def step_scaling_index(work: Path, mode: str, arg: str) -> dict:
    """The search index (fake embedder, cold caches) over the registry ``step_scaling`` built for
    N documents. ``embedded`` and ``tokenized`` count distinct texts: the synthetic documents
    repeat many sentences of the bundled ones, and each distinct text is embedded and cut once."""
    import shutil
    import sqlite3

    from extractors.registry.store import Registry
    from search_api.index.indexing import update_index

    n = int(arg)
    settings = scale_settings(work, n)
    for cold in ("cache", "index"):
        shutil.rmtree(settings.data_dir / cold, ignore_errors=True)
    started = time.perf_counter()
    with Registry.open(settings) as registry:
        report = update_index(settings, registry)
    seconds = time.perf_counter() - started
    db = sqlite3.connect(settings.data_dir / "cache" / "tokens.sqlite")
    tokenized = db.execute("SELECT count(*) FROM terms").fetchone()[0]
    db.close()
    index_bytes = sum(p.stat().st_size for p in Path(report.path).rglob("*") if p.is_file())
    return {"n": n, "index_s": round(seconds, 2), "ms_per_doc": round(seconds / n * 1000, 1),
            "passages": report.passages + report.measures + report.context_items,
            "embedded": report.embedded, "tokenized": tokenized, "index_mb": round(index_bytes / 1e6),
            "index": str(report), "peak_rss_mb": round(peak_rss_mb())}


def step_scaling_search(work: Path, mode: str, arg: str) -> dict:
    """The search side over the index ``step_scaling_index`` built for N documents (fake
    embedder; its own process, so its peak RSS is the index's): time to load the index, peak
    memory, and warm query latency over the bench's queries."""
    from search_api.search.engine import SearchEngine

    n = int(arg)
    engine = SearchEngine(scale_settings(work, n))
    started = time.perf_counter()
    index = engine.index()
    load_s = time.perf_counter() - started
    loaded_rss = peak_rss_mb()
    return {"n": n, "load_s": round(load_s, 1), "loaded_rss_mb": round(loaded_rss),
            "passages": sum(len(c.passages) for c in index.collections.values()),
            "query": warm_query_latency(engine, reps=3), "peak_rss_mb": round(peak_rss_mb())}
