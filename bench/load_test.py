"""A bounded load test on loopback: ``taizhang serve`` under 32 concurrent clients for 60 s,
half on /search (varied queries), half on /tasks (whole ledger and per-unit lists).

    .venv/bin/python -m bench.load_test                       # 60 s, 32 connections, e5-small index
    .venv/bin/python -m bench.load_test --duration 10 --connections 8 --embedding fake
    .venv/bin/python -m bench.load_test --abuse     # also token guessers, export floods, /health (bench/abuse.py)

Reports requests/s, latency p50/p99, errors (non-2xx, socket errors, timeouts) and the server's
RSS at start, every 5 s, and at the end. Uses wrk (Debian package ``wrk``) when it is installed,
else an asyncio httpx client (which itself takes CPU from the server on a small machine).
The data dir defaults to the one ``bench.run`` built (``/tmp/taizhang-bench/<mode>/data``); when
there is none, the corpus is built there first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from bench.run import Figure, publish
from bench.server import free_port, rss_mb, start_server, stop_server
from pipeline.settings import REPO_ROOT

QUERIES = ("土地要素保障谁牵头", "化工园区适用哪些措施", "编制园区发展规划", "高新技术企业数量目标",
           "人才引进政策", "园区基础设施建设", "金融支持实体经济", "科技成果转化")
TASK_PATHS = ("/tasks", "/tasks?unit=" + quote("市科技局"), "/tasks?role=lead&unit=" + quote("市发展改革委"),
              "/tasks?unit=" + quote("市经济和信息化局"))
PATHS = [p for pair in zip([f"/search?q={quote(q)}" for q in QUERIES], TASK_PATHS * 2) for p in pair]


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, [rss_mb(pid)]
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            self.samples.append(rss_mb(self.pid))

    def stop(self) -> list[float]:
        self._stop_event.set()
        self.join()
        self.samples.append(rss_mb(self.pid))
        return self.samples


_WRK_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "non_2xx": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def run_wrk(base: str, duration: int, connections: int) -> dict:
    script = _WRK_SCRIPT % ", ".join(json.dumps(p) for p in PATHS)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        proc = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                               "-s", fh.name, base], capture_output=True, text=True, check=True)
    finally:
        os.unlink(fh.name)
    raw = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("WRKJSON"))[8:])
    seconds = raw["duration_us"] / 1e6
    errors = raw["non_2xx"] + raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {"tool": "wrk 2 threads", "requests": raw["requests"], "requests_per_s": round(raw["requests"] / seconds, 1),
            "p50_ms": round(raw["p50_us"] / 1000, 1), "p99_ms": round(raw["p99_us"] / 1000, 1),
            "max_ms": round(raw["max_us"] / 1000, 1), "errors": errors, "error_detail": raw}


async def _client_load(base: str, duration: int, connections: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + duration

    async def worker(n: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        i = n
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                if (await client.get(PATHS[i % len(PATHS)])).status_code >= 300:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)
            i += 1

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(n, client) for n in range(connections)))
        seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"tool": "asyncio httpx", "requests": len(ordered), "requests_per_s": round(len(ordered) / seconds, 1),
            "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1),
            "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 1), "max_ms": round(ordered[-1] * 1000, 1),
            "errors": errors}


def ensure_data(data_dir: Path, embedding: str) -> None:
    if (data_dir / "registry.sqlite").exists() and (data_dir / "index" / "CURRENT").exists():
        return
    env = {**os.environ, "TAIZHANG_EMBEDDING_MODEL": embedding, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TAIZHANG_MODEL_CACHE_DIR": str(REPO_ROOT / "data" / "models")}
    subprocess.run([str(Path(sys.executable).parent / "taizhang"), "build", "--data-dir", str(data_dir)],
                   cwd=REPO_ROOT, env=env, check=True, capture_output=True)


def load_test(data_dir: Path, duration: int = 60, connections: int = 32, embedding: str = "e5-small",
              workers: int = 1, abuse: bool = False) -> dict:
    ensure_data(data_dir, embedding)
    port = free_port()
    env = {"TAIZHANG_EMBEDDING_MODEL": embedding, "TAIZHANG_MODEL_CACHE_DIR": str(REPO_ROOT / "data" / "models")}
    if abuse:  # writes on, so that the token guessers meet the token check (not "writes are off")
        env["TAIZHANG_API_TOKEN"] = "load-test-token-not-guessable"
    proc = start_server(data_dir, port, env, workers=workers)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for path in PATHS:  # warm: index, query embedder, first JSON encodes
            httpx.get(base + path, timeout=60).raise_for_status()
        sampler = RssSampler(proc.pid)
        sampler.start()
        abusers = None
        if abuse:
            from bench.abuse import Abuse

            abusers = Abuse(base)
            abusers.start()
        if shutil.which("wrk"):
            result = run_wrk(base, duration, connections)
        else:
            result = asyncio.run(_client_load(base, duration, connections))
        if abusers is not None:
            result["abuse"] = abusers.stop()
        samples = sampler.stop()
    finally:
        stop_server(proc)
    return {**result, "duration_s": duration, "connections": connections, "workers": workers, "paths": len(PATHS),
            "rss_start_mb": samples[0], "rss_end_mb": samples[-1], "rss_max_mb": max(samples), "rss_samples_mb": samples,
            "load_avg_after": [round(x, 2) for x in os.getloadavg()], "nproc": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_test", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/taizhang-bench/quick/data"))
    parser.add_argument("--embedding", default="e5-small", help="e5-small (default) or fake")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="folder whose results.json gets the load-test figures (default bench/)")
    parser.add_argument("--no-save", action="store_true", help="print only")
    parser.add_argument("--abuse", action="store_true",
                        help="also run abusive clients (wrong tokens, export floods) and poll /health")
    args = parser.parse_args(argv)
    result = load_test(args.data_dir, args.duration, args.connections, args.embedding, args.workers, args.abuse)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_save and (args.out / "results.json").exists():
        command = ".venv/bin/python -m bench.load_test " + " ".join(argv if argv is not None else sys.argv[1:])
        save(args.out, result, command.strip())
    return 0 if result["errors"] == 0 else 1


def save(out_dir: Path, result: dict, command: str) -> None:
    """Add the load-test figures to the benchmark results (replacing earlier ones)."""
    from dataclasses import asdict


    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    workers = result.get("workers", 1)
    where = (f"{result['connections']} connections, {result['duration_s']} s, {result['tool']}, "
             f"{workers} server worker{'s' if workers > 1 else ''}")
    growth = round(result["rss_end_mb"] - result["rss_start_mb"], 1)
    figures = [
        Figure("load_requests_s", f"load test: requests/s ({where})", result["requests_per_s"], "req/s", command),
        Figure("load_p50_ms", "load test: latency p50", result["p50_ms"], "ms", command),
        Figure("load_p99_ms", "load test: latency p99", result["p99_ms"], "ms", command),
        Figure("load_errors", "load test: errors (non-2xx, socket, timeouts)", result["errors"], "", command,
               "0", result["errors"] == 0),
        Figure("load_rss_growth_mb", f"load test: server RSS {result['rss_start_mb']} → {result['rss_end_mb']} MB "
               f"(max {result['rss_max_mb']})", growth, "MB", command, "stable", None, result),
    ]
    results["figures"] = [f for f in results["figures"] if not f["id"].startswith("load_")] + [asdict(f) for f in figures]
    results.setdefault("raw", {})["load_test"] = result
    publish(out_dir, results)


if __name__ == "__main__":
    raise SystemExit(main())
