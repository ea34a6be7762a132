"""What ``taizhang serve --workers N`` holds in memory once every worker has loaded the index.

    python -m bench.workers_memory DATA_DIR [--workers 2] [--queries 40]

Starts the server on DATA_DIR (an index built already, e.g. by ``python -m bench.steps
scaling_index WORK quick 1000``), sends queries until every worker has answered some (uvicorn
hands connections to workers as they come, so a few dozen reach all of them), then reads each
worker's memory from ``/proc/PID/smaps_rollup``:

- ``rss``: resident pages, pages shared with other processes counted in full (so the sum over
  workers counts a shared page N times);
- ``pss``: each shared page divided among the processes sharing it (the sum is the machine's
  real cost);
- ``anonymous``: heap and other memory backed by no file: never shared between these spawned
  workers, so what one more worker adds;
- ``file``: resident pages of mapped files (the index's vectors and BM25 arrays, libraries):
  page cache, one copy however many workers map it.

Memory is read once every worker's RSS has stopped growing (a worker still loading the index
would make its neighbour's mapped pages look unshared).

Prints one JSON object. Run it against another checkout with ``PYTHONPATH=/other/checkout``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import httpx

from bench.measure import QUERIES
from bench.server import free_port, start_server, stop_server


def memory_mb(pid: int) -> dict[str, float]:
    """rss, pss, anonymous and file-backed memory of ``pid``, in MB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name.strip()] = int(rest.split()[0])
    return {"rss": round(fields["Rss"] / 1024, 1), "pss": round(fields["Pss"] / 1024, 1),
            "anonymous": round(fields["Anonymous"] / 1024, 1),
            "file": round((fields["Rss"] - fields["Anonymous"]) / 1024, 1)}


def settled(pids: list[int], every: float = 10.0, timeout: float = 900.0) -> None:
    """Wait until no worker's RSS grew by more than 1% over ``every`` seconds."""
    deadline = time.time() + timeout
    before = {p: memory_mb(p)["rss"] for p in pids}
    while time.time() < deadline:
        time.sleep(every)
        now = {p: memory_mb(p)["rss"] for p in pids}
        if all(now[p] <= before[p] * 1.01 for p in pids):
            return
        before = now


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes: the children of its master (not its resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def measure(data_dir: Path, workers: int, queries: int) -> dict:
    port = free_port()
    proc = start_server(data_dir, port, {}, workers=workers)
    try:
        latencies = []
        for i in range(queries):
            started = time.perf_counter()
            # a new connection each time: uvicorn's workers share the listening socket
            response = httpx.get(f"http://127.0.0.1:{port}/search", params={"q": QUERIES[i % len(QUERIES)]},
                                 timeout=300)
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)
        workers_now = workers_of(proc.pid)
        settled(workers_now)
        per_worker = {str(pid): memory_mb(pid) for pid in workers_now}
        master = memory_mb(proc.pid)
    finally:
        stop_server(proc)
    return {
        "data_dir": str(data_dir), "workers": workers, "queries": queries,
        "per_worker_mb": per_worker, "master_mb": master,
        "sum_rss_mb": round(sum(w["rss"] for w in per_worker.values()), 1),
        "sum_pss_mb": round(sum(w["pss"] for w in per_worker.values()), 1),
        "sum_anonymous_mb": round(sum(w["anonymous"] for w in per_worker.values()), 1),
        "slowest_query_s": round(max(latencies), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    print(json.dumps(measure(args.data_dir, args.workers, args.queries), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
