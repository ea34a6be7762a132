"""The embedded search side serving one built index: load time, memory, query latency in
process and over HTTP, and what a new index generation costs a running server.

    .venv/bin/python -m bench.serving /tmp/taizhang-bench/quick/scale-1000
    .venv/bin/python -m bench.serving DATA_DIR --reps 5 --out result.json

DATA_DIR holds a registry and an index built with the fake embedder (``bench.steps scaling``
then ``scaling_index`` make one for N synthetic documents). Measured, in order:

- in this process: ``SearchEngine.index()`` (the load), the process's resident memory after it,
  and warm queries (``engine.search`` over the bench's queries, ``--reps`` times), hybrid and
  BM25 only (``mode=sparse``, where the top-k selection shows);
- ``taizhang serve`` on loopback: its resident memory once it answers (the lifespan has loaded the
  index and run a query), sequential ``GET /search`` latency, and latency with 4 clients at once;
- a swap: while 4 clients query, a new generation (a copy of the live one) is published; the
  server's peak memory and the slowest request in the next seconds, i.e. what the load of a new
  generation costs the requests arriving meanwhile.

The file runs as a script too (``python bench/serving.py DATA_DIR``), so the same measurement can
be taken of another checkout's code with ``PYTHONPATH=that/checkout``: before and after a change.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.server import free_port, rss_mb, start_server, stop_server
from bench.steps import QUERIES, percentiles
from pipeline.settings import Settings

CLIENTS = 4


def own_rss_mb() -> float:
    return rss_mb(os.getpid())


def in_process(data_dir: Path, reps: int) -> dict:
    from search_api.search.engine import SearchEngine

    engine = SearchEngine(Settings(data_dir=data_dir, embedding_model="fake"))
    before = own_rss_mb()
    started = time.perf_counter()
    index = engine.index()
    load_s = time.perf_counter() - started
    loaded = own_rss_mb()
    out = {"load_s": round(load_s, 2), "rss_after_load_mb": loaded, "index_rss_mb": round(loaded - before),
           "passages": sum(len(c.passages) for c in index.collections.values())}
    if hasattr(index.collections["clauses"].dense, "faiss_index"):  # (not in older checkouts)
        out["faiss_in_a_new_thread"] = faiss_threads(index.collections["clauses"].dense.faiss_index, reps * 10)
        out["bm25_top_300"] = bm25_selection(index)
    for mode in ("hybrid", "sparse"):
        engine.search(QUERIES[0], mode=mode)
        samples = []
        for _ in range(reps):
            for query in QUERIES:
                t = time.perf_counter()
                engine.search(query, mode=mode)
                samples.append(time.perf_counter() - t)
        out[f"query_{mode}"] = percentiles(samples)
    return out


def faiss_threads(faiss_index, reps: int) -> dict:
    """One flat search in a thread that never set OpenMP's thread count (as a server's request
    threads were) against one that set it to 1, alternating, in this process."""
    import faiss
    import numpy as np

    query = np.random.default_rng(0).random((1, faiss_index.d), dtype=np.float32)
    default = len(os.sched_getaffinity(0))  # OpenMP's default: every usable core
    samples: dict[str, list[float]] = {f"omp_{default}_threads": [], "omp_1_thread": []}

    def run() -> None:
        for _ in range(reps):
            for threads, key in ((default, f"omp_{default}_threads"), (1, "omp_1_thread")):
                faiss.omp_set_num_threads(threads)
                t = time.perf_counter()
                faiss_index.search(query, 300)
                samples[key].append(time.perf_counter() - t)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return {key: percentiles(values) for key, values in samples.items()}


def bm25_selection(index) -> dict:
    """Per query, the clause collection's BM25 top 300: every score sorted (``np.argsort``, as
    before) against ``top_scores``, alternating."""
    import numpy as np

    from search_api.search.ranking import index_freq_db, plan_query
    from search_api.sparse.sparse import top_scores

    sparse = index.collections["clauses"].sparse
    samples: dict[str, list[float]] = {"argsort_all": [], "top_scores": []}
    for query in QUERIES * 3:
        scores = sparse.scores(plan_query(query, index_freq_db(index)).terms)
        t = time.perf_counter()
        np.argsort(-scores, kind="stable")[:300]
        samples["argsort_all"].append(time.perf_counter() - t)
        t = time.perf_counter()
        top_scores(scores, 300)
        samples["top_scores"].append(time.perf_counter() - t)
    return {key: percentiles(values) for key, values in samples.items()}


def _get(client: httpx.Client, url: str) -> float:
    t = time.perf_counter()
    response = client.get(url)
    response.raise_for_status()
    return time.perf_counter() - t


def _clients(base: str, stop: threading.Event, samples: list[tuple[float, float]]) -> list[threading.Thread]:
    """CLIENTS threads querying until ``stop``; each request appended as (start time, seconds)."""
    def run(offset: int) -> None:
        with httpx.Client(timeout=120) as client:
            n = offset
            while not stop.is_set():
                start = time.perf_counter()
                samples.append((start, _get(client, f"{base}/search?q={quote(QUERIES[n % len(QUERIES)])}")))
                n += 1
    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    return threads


def publish_copy(index_dir: Path) -> str:
    """A new generation for the server to pick up: the live one copied under a new name."""
    live = (index_dir / "CURRENT").read_text(encoding="utf-8").strip()
    name = f"{live}-copy{int(time.time())}"
    shutil.copytree(index_dir / live, index_dir / name)
    tmp = index_dir / ".CURRENT.bench.tmp"
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")
    return live


def over_http(data_dir: Path, reps: int, swap_window_s: float = 20.0) -> dict:
    port = free_port()
    started = time.perf_counter()
    server = start_server(data_dir, port, {"TAIZHANG_EMBEDDING_MODEL": "fake"})
    out: dict = {"ready_s": round(time.perf_counter() - started, 1), "server_rss_after_load_mb": rss_mb(server.pid)}
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=120) as client:
            _get(client, f"{base}/search?q={quote(QUERIES[0])}")
            samples = [_get(client, f"{base}/search?q={quote(q)}") for _ in range(reps) for q in QUERIES]
        out["query_sequential"] = percentiles(samples)
        stop, timed = threading.Event(), []
        threads = _clients(base, stop, timed)
        time.sleep(10)
        stop.set()
        for t in threads:
            t.join()
        out[f"query_{CLIENTS}_clients"] = {**percentiles([s for _, s in timed]),
                                           "requests_per_s": round(len(timed) / 10, 1)}
        out["server_rss_after_queries_mb"] = rss_mb(server.pid)
        out["swap"] = _swap(data_dir / "index", server.pid, base, swap_window_s)
    finally:
        stop_server(server)
    return out


def _swap(index_dir: Path, pid: int, base: str, window_s: float) -> dict:
    stop, timed = threading.Event(), []
    threads = _clients(base, stop, timed)
    time.sleep(2)
    rss_before = rss_mb(pid)
    published = time.perf_counter()
    old = publish_copy(index_dir)
    peak = rss_before
    while time.perf_counter() - published < window_s:
        peak = max(peak, rss_mb(pid))
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join()
    after = [s for start, s in timed if start >= published]
    shutil.rmtree(index_dir / old, ignore_errors=True)  # the copy is live now; keep one generation
    return {"rss_before_mb": rss_before, "rss_peak_mb": peak, "rss_after_mb": rss_mb(pid),
            "requests_after_publish": len(after), "slowest_after_publish_ms": round(max(after) * 1000, 1),
            "median_after_publish_ms": round(statistics.median(after) * 1000, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="a data dir with an index built with the fake embedder")
    parser.add_argument("--reps", type=int, default=5, help="passes over the queries (default 5)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    result = {"data_dir": str(args.data_dir), "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
              "in_process": in_process(args.data_dir, args.reps),
              "http": over_http(args.data_dir, args.reps)}
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
