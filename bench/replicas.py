"""Two API replicas on one PostgreSQL, under load, while a new document is built.

    python -m bench.replicas --db-url URL --new-file FILE [--duration 40] [--clients 8]

Starts two ``taizhang serve`` processes, each with its own (empty) data dir, both on
``TAIZHANG_DB_URL=URL`` (two machines, as far as they can tell); ``--clients`` threads send
/search queries (bench.measure.QUERIES) to both in turn for ``--duration`` seconds. A third of
the way in, ``taizhang build FILE`` runs on a third data dir against the same database (a build
machine); from the moment it returns, a watcher asks each replica for that document
(``/search?doc=…``) until it answers. Prints requests, errors (non-200 and socket errors),
latency p50/p99, and how many seconds after the build each replica first returned the document.
The embedding model is the fake one of ``--embedding`` (``fake-384`` by default; it must be the
one the index was built with).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.measure import QUERIES, percentiles
from bench.server import free_port, start_server, stop_server


def _client(bases: list[str], stop: threading.Event, offset: int, samples: list, errors: list) -> None:
    with httpx.Client(timeout=30) as client:
        i = offset
        while not stop.is_set():
            base = bases[i % len(bases)]
            started = time.perf_counter()
            try:
                response = client.get(f"{base}/search", params={"q": QUERIES[i % len(QUERIES)], "k": 10})
                if response.status_code != 200:
                    errors.append(f"{base} {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{base} {exc.__class__.__name__}")
            samples.append(time.perf_counter() - started)
            i += 1


def _doc_id_of(built: str) -> str:
    for line in built.splitlines():
        if line.startswith("DOC_ID="):
            return line.removeprefix("DOC_ID=")
    raise RuntimeError(f"no document id in the build's output: {built[-500:]}")


def measure(db_url: str, new_file: Path, duration: float, clients: int, embedding: str) -> dict:
    env = {"TAIZHANG_DB_URL": db_url, "TAIZHANG_EMBEDDING_MODEL": embedding}
    work = Path(tempfile.mkdtemp(prefix="replicas-"))
    replicas = []
    try:
        for n in (1, 2):
            port = free_port()
            replicas.append((f"http://127.0.0.1:{port}", start_server(work / f"replica-{n}", port, env)))
        bases = [b for b, _ in replicas]
        stop, samples, errors = threading.Event(), [], []
        threads = [threading.Thread(target=_client, args=(bases, stop, i, samples, errors)) for i in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(duration / 3)
        build_started = time.perf_counter()
        taizhang = str(Path(sys.executable).parent / "taizhang")
        subprocess.run([taizhang, "build", str(new_file), "--data-dir", str(work / "builder")],
                       env={**os.environ, **env}, check=True, capture_output=True)
        built_at = time.perf_counter()
        doc_id = _doc_id_of(subprocess.run(
            [sys.executable, "-c", "import sys; from pipeline.run import parse_file; from pathlib import Path; "
             "print('DOC_ID=' + parse_file(Path(sys.argv[1])).doc_id)", str(new_file)],
            capture_output=True, text=True, check=True).stdout)
        seen: dict[str, float] = {}
        while len(seen) < len(bases) and time.perf_counter() - built_at < 120:
            for base in bases:
                if base not in seen:
                    hits = httpx.get(f"{base}/search", params={"q": QUERIES[0], "doc": doc_id}, timeout=30).json()
                    if hits.get("hits"):
                        seen[base] = round(time.perf_counter() - built_at, 2)
            time.sleep(0.2)
        time.sleep(max(0.0, duration - (time.perf_counter() - started)))
        stop.set()
        for t in threads:
            t.join()
    finally:
        for _, proc in replicas:
            stop_server(proc)
    return {
        "replicas": len(replicas), "clients": clients, "duration_s": duration, "requests": len(samples),
        "errors": len(errors), "error_examples": errors[:5], "latency": percentiles(samples),
        "build_s": round(built_at - build_started, 2), "new_doc": doc_id,
        "seen_after_build_s": {f"replica-{i}": seen.get(b) for i, b in enumerate(bases, 1)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--new-file", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--embedding", default="fake-384")
    args = parser.parse_args()
    print(json.dumps(measure(args.db_url, args.new_file, args.duration, args.clients, args.embedding),
                     ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
