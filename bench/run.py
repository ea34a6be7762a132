"""Benchmarks: throughput, the embedding floor, rebuilds, query latency, memory and scaling.

    .venv/bin/python -m bench.run --quick          # ~10 min on 2 cores: writes bench/results.{json,md}
    .venv/bin/python -m bench.run                  # full: 10 reps, scaling on 1,000 and 10,000 documents
    .venv/bin/python -m bench.run --quick --only query_warm,rebuild   # some figures again
    .venv/bin/python -m bench.run --tiny --out /tmp/b   # seconds, fake embedder (the smoke test)

Every step runs in its own process (``bench.steps``) so its peak RSS and import costs are its
own. Every figure in the results carries the command that reproduces it and the machine
(nproc, RAM, CPU, load average at start: on a shared machine the load says how much to trust it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.server import free_port, rss_mb, start_server, stop_server
from bench.measure import QUERIES, percentiles
from pipeline.settings import REPO_ROOT

BENCH_DIR = Path(__file__).resolve().parent
PY = sys.executable
SCALING = {"tiny": (5, 15), "quick": (200, 1000), "full": (1000, 10000)}
MARKER_START, MARKER_END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass
class Figure:
    id: str
    label: str
    value: float | str | None
    unit: str
    command: str
    target: str = ""
    met: bool | None = None
    detail: dict = field(default_factory=dict)
    measured_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))


def machine() -> dict:
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
            "started": time.strftime("%Y-%m-%dT%H:%M:%S")}


def _spread(runs: list[float]) -> str:
    """The range of a figure's runs: this machine is shared and the spread is part of the figure."""
    return f"(runs {min(runs):g}–{max(runs):g})"


def _per_worker_figures(r: dict, name: str, unit: str, key: str, command: str, what: str) -> list[Figure]:
    """One figure per ``workers_N`` entry of a step that builds with 1 and N processes (target ≥ 1
    MB/s of text or ≥ 100 pages/s of PDF)."""
    target = 1 if unit == "MB/s" else 100
    out = []
    for workers in sorted(k for k in r if k.startswith("workers_")):
        n, runs = int(workers.split("_")[1]), r[workers][f"runs_{key}"]
        out.append(Figure(f"{name}_{workers}_{unit.replace('/', '_').lower()}",
                          f"{what}, {n} process{'es' if n > 1 else ''}, median of {len(runs)} runs {_spread(runs)}",
                          r[workers][key], unit, command, f"≥ {target}", r[workers][key] >= target, r))
    return out


def run_step(step: str, work: Path, mode: str, arg: str = "") -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run([PY, "-m", "bench.steps", step, str(work), mode, arg], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"bench step {step} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _server_env(mode: str) -> dict:
    return {"TAIZHANG_EMBEDDING_MODEL": "fake" if mode == "tiny" else "e5-small",
            "TAIZHANG_MODEL_CACHE_DIR": str(REPO_ROOT / "data" / "models")}


def http_latency(work: Path, mode: str) -> dict:
    import httpx

    port = free_port()
    proc = start_server(work / "data", port, _server_env(mode))
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/search", params={"q": QUERIES[0]})  # first query loads index and embedder
            out = {}
            for name, requests in (("search", [("/search", {"q": q}) for q in QUERIES]),
                                   ("tasks", [("/tasks", {})] * 5 + [("/tasks", {"unit": "市科技局"})] * 10)):
                samples = []
                for _ in range(3 if mode != "tiny" else 1):
                    for path, params in requests:
                        started = time.perf_counter()
                        assert client.get(path, params=params).status_code == 200
                        samples.append(time.perf_counter() - started)
                out[name] = percentiles(samples)
        out["server_rss_mb"] = rss_mb(proc.pid)
    finally:
        stop_server(proc)
    return out


def cli_wall(args: list[str], mode: str, runs: int = 3) -> dict:
    env = {**os.environ, **_server_env(mode), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    taizhang = str(Path(PY).parent / "taizhang")
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([taizhang, *args], cwd=REPO_ROOT, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return {"median_s": round(sorted(samples)[len(samples) // 2], 2), "runs": [round(s, 2) for s in samples]}


# ----------------------------------------------------------------------------- the figures


DEFAULT_INDEX_UP_TO = 2000  # the 10,000-document index takes ~20 min: opt in with --index-up-to


def measure(work: Path, mode: str, only: set[str] | None, index_up_to: int,
            scaling: tuple[int, int] | None = None) -> tuple[list[Figure], dict]:
    def cmd(step: str) -> str:
        return f".venv/bin/python -m bench.run --{mode} --only {step}"

    def wanted(step: str) -> bool:
        return only is None or step in only

    figures: list[Figure] = []
    raw: dict = {"prepare": run_step("prepare", work, mode)}
    if wanted("parse_extract"):
        r = raw["parse_extract"] = run_step("parse_extract", work, mode)
        speed, full = r["machine_speed"], r["at_full_speed"]
        figures.append(Figure("parse_extract_mb_s", "parse + extract, corpus text (no embeddings), one "
                              f"process, median of {r['reps']} passes {_spread(r['runs_mb_per_s'])}; the machine "
                              f"ran at {speed['slowest']:g}–1× its fastest (median {speed['median']:g}×, by a "
                              f"reference loop before each pass)",
                              r["mb_per_s"], "MB/s", cmd("parse_extract"), "≥ 1", r["mb_per_s"] >= 1, r))
        figures.append(Figure("parse_extract_full_speed_mb_s", "the same, median of the passes taken while the "
                              f"machine ran at ≥ 0.9× its fastest ({full['passes']} of {r['reps']})",
                              full["mb_per_s"], "MB/s", cmd("parse_extract"), "", None, r))
    if wanted("build_workers"):
        r = raw["build_workers"] = run_step("build_workers", work, mode)
        figures += _per_worker_figures(r, "build_registry", "MB/s", "mb_per_s", cmd("build_workers"),
                                       f"parse + extract + registry, {r['docs']} synthetic docs ({r['mb']} MB)")
    if wanted("pdf"):
        r = raw["pdf"] = run_step("pdf", work, mode)
        figures.append(Figure("pdf_pdfium_floor_pages_s", "pypdfium2 alone: open each page, read its text "
                              "(fixture font: unembedded CID STSong-Light, measured with the system's CJK font)",
                              r["pdfium_floor_pages_per_s"], "pages/s", cmd("pdf"), "", None, r))
        figures.append(Figure("pdf_pdfium_floor_stand_in_pages_s", "pypdfium2 alone, the same fixture measured "
                              "with taizhang's CJK stand-in font", r["pdfium_floor_stand_in_pages_per_s"],
                              "pages/s", cmd("pdf"), "", None, r))
        figures.append(Figure("pdf_load_pages_s", f"PDF text layer loaded (pypdfium2 + tables) {_spread(r['load_runs'])}",
                              r["load_pages_per_s"], "pages/s", cmd("pdf"), "≥ 100", r["load_pages_per_s"] >= 100, r))
        figures.append(Figure("pdf_ingest_pages_s", "PDF load + clean + segment + extract "
                              f"(unembedded CID font, CJK stand-in on: the default) {_spread(r['parse_extract_runs'])}",
                              r["parse_extract_pages_per_s"], "pages/s", cmd("pdf"), "≥ 100",
                              r["parse_extract_pages_per_s"] >= 100, r))
        figures.append(Figure("pdf_ingest_system_font_pages_s", "the same with the stand-in off "
                              "(`TAIZHANG_PDF_CJK_STAND_IN=false`: the system's CJK font, CFF outlines) "
                              f"{_spread(r['parse_extract_system_font_runs'])}",
                              r["parse_extract_system_font_pages_per_s"], "pages/s", cmd("pdf"), "", None, r))
        if (e := r.get("embedded_font")) and "parse_extract_pages_per_s" in e:
            figures.append(Figure("pdf_ingest_embedded_pages_s", "PDF load + clean + segment + extract "
                                  f"(embedded font, as WPS/Word exports: {e['fixture']}) {_spread(e['parse_extract_runs'])}",
                                  e["parse_extract_pages_per_s"], "pages/s", cmd("pdf"), "≥ 100",
                                  e["parse_extract_pages_per_s"] >= 100, r))
    if wanted("pdf_workers"):
        r = raw["pdf_workers"] = run_step("pdf_workers", work, mode)
        figures += _per_worker_figures(r, "pdf_folder", "pages/s", "pages_per_s", cmd("pdf_workers"),
                                       f"PDF folder ingest ({r['docs']} PDFs, {r['pages']} pages): load + extract + registry")
    if wanted("build"):
        floor = raw["embed_floor"] = run_step("embed_floor", work, mode)
        build = raw["build"] = run_step("build", work, mode)
        figures.append(Figure("embed_floor_passages_s", "embedding floor: the model alone on the corpus passages",
                              floor["passages_per_s"], "passages/s", cmd("build"), "", None, floor))
        figures.append(Figure("build_mb_s", "whole build with embeddings (registry + index, cold cache)",
                              build["mb_per_s"], "MB/s", cmd("build"), "", None, build))
        ratio = round(build["seconds"] / floor["floor_s"], 2)
        figures.append(Figure("build_vs_floor", "whole build ÷ embedding floor (model load + embedding)",
                              ratio, "×", cmd("build"), "≤ 1.2", ratio <= 1.2,
                              {"build_s": build["seconds"], "floor_s": floor["floor_s"]}))
    if wanted("rebuild"):
        r = raw["rebuild"] = run_step("rebuild", work, mode)
        figures.append(Figure("rebuild_nochange_s", "rebuild with nothing changed (in process)",
                              r["seconds"], "s", cmd("rebuild"), "≤ 1", r["seconds"] <= 1, r))
        c = raw["rebuild_cli"] = cli_wall(["build", "--data-dir", str(work / "data")], mode)
        figures.append(Figure("rebuild_nochange_cli_s", "`taizhang build` with nothing changed (process start included)",
                              c["median_s"], "s", cmd("rebuild"), "", None, c))
    if wanted("query"):
        r = raw["query_warm"] = run_step("query_warm", work, mode)
        figures.append(Figure("query_warm_p50_ms", "search() warm, in process (p50)", r["p50_ms"], "ms",
                              cmd("query"), "", None, r))
        h = raw["query_http"] = http_latency(work, mode)
        figures.append(Figure("query_http_p50_ms", "GET /search over loopback, sequential (p50)",
                              h["search"]["p50_ms"], "ms", cmd("query"), "", None, h))
        c = raw["query_cli"] = cli_wall(["search", QUERIES[1], "--data-dir", str(work / "data"), "--json"], mode)
        figures.append(Figure("query_cold_cli_s", "`taizhang search` cold (new process)", c["median_s"], "s",
                              cmd("query"), "", None, c))
    if wanted("scaling"):
        sizes = scaling or SCALING[mode]
        command = cmd("scaling") + (f" --scaling {sizes[0]},{sizes[1]}" if scaling else "")
        if index_up_to != DEFAULT_INDEX_UP_TO:
            command += f" --index-up-to {index_up_to}"
        if os.environ.get("TAIZHANG_BENCH_REUSE_REGISTRY"):
            command = "TAIZHANG_BENCH_REUSE_REGISTRY=1 " + command
        figures += scaling_figures(work, mode, sizes, raw, index_up_to, command)
    return figures, raw


def scaling_figures(work: Path, mode: str, sizes: tuple[int, int], raw: dict, index_up_to: int,
                    command: str) -> list[Figure]:
    """Registry + extraction at both sizes; the index (fake embedder) where it fits in memory,
    projected linearly from the smaller size above ``index_up_to`` documents."""
    small, big = sizes
    figures = []
    runs = {}
    for n in (small, big):
        r = raw[f"scaling_{n}"] = run_step("scaling", work, mode, str(n))
        if n <= index_up_to:
            r["index"] = raw[f"scaling_index_{n}"] = run_step("scaling_index", work, mode, str(n))
        runs[n] = r
        figures.append(Figure(f"scaling_{n}_registry_s", f"{n:,} synthetic docs ({r['mb']} MB): parse + extract + "
                              "registry", r["registry_s"], "s", command, "", None,
                              {k: v for k, v in r.items() if k != "index"}))
        if "index" in r:
            figures.append(Figure(f"scaling_{n}_index_s", f"{n:,} synthetic docs: search index, fake embedder",
                                  r["index"]["index_s"], "s", command, "", None, r["index"]))
            q = r["search"] = raw[f"scaling_search_{n}"] = run_step("scaling_search", work, mode, str(n))
            figures.append(Figure(f"scaling_{n}_search_rss_mb",
                                  f"{n:,} synthetic docs: search process with the index loaded "
                                  f"({q['passages']:,} passages; load {q['load_s']} s, warm query p50 "
                                  f"{q['query']['p50_ms']} ms, fake embedder)",
                                  q["peak_rss_mb"], "MB", command, "", None, q))
    a, b = runs[small], runs[big]
    growth = round((b["registry_s"] / big) / (a["registry_s"] / small), 2)
    figures.append(Figure("scaling_registry_growth", f"registry time per document at {big:,} ÷ at {small:,}",
                          growth, "×", command, "≈ 1 (linear)", growth <= 1.3,
                          {"peak_rss_mb": {small: a["peak_rss_mb"], big: b["peak_rss_mb"]}}))
    if "index" in a:
        ia = a["index"]
        if "index" in b:
            ib = b["index"]
            ratio = round((ib["index_s"] / big) / (ia["index_s"] / small), 2)
            detail = {"peak_rss_mb": {small: ia["peak_rss_mb"], big: ib["peak_rss_mb"]}}
        else:
            ratio, detail = None, {"projected_from": small, "projected_index_s": round(ia["index_s"] * big / small),
                                   "projected_peak_rss_mb": round(ia["peak_rss_mb"] * big / small),
                                   "why": f"the index of {big:,} documents was not built (--index-up-to "
                                          f"{index_up_to}; it takes ~20 min at 10,000 documents)"}
        label = f"index time per document at {big:,} ÷ at {small:,}"
        if ratio is None:
            label = (f"index of {big:,} docs not built; linear projection from {small:,}: "
                     f"~{detail['projected_index_s']} s, ~{detail['projected_peak_rss_mb']:,} MB peak RSS")
        figures.append(Figure("scaling_index_growth", label, ratio if ratio is not None else "not measured",
                              "" if ratio is None else "×", command, "≈ 1 (linear)",
                              None if ratio is None else ratio <= 1.3, detail))
        if "index" in b:
            figures.append(Figure("scaling_index_peak_rss", f"index build peak RSS at {small:,} → {big:,} docs "
                                  f"({ia['peak_rss_mb']} → {ib['peak_rss_mb']} MB)",
                                  round(ib["peak_rss_mb"] / ia["peak_rss_mb"], 2), "×", command,
                                  f"≪ {big // small} (bounded)", ib["peak_rss_mb"] < ia["peak_rss_mb"] * 2, detail))
    return figures


def write_results(out_dir: Path, mode: str, figures: list[Figure], raw: dict, info: dict, seconds: float,
                  rerun: set[str] | None = None) -> None:
    """results.json / results.md (and the README section between the markers). After a ``--only``
    run (``rerun``: its steps) the previous figures of those steps are replaced by the new ones."""
    result = {"mode": mode, "machine": info, "started": info["started"],
              "seconds": round(seconds, 1), "figures": [asdict(f) for f in figures], "raw": raw}
    previous_path = out_dir / "results.json"
    if rerun and previous_path.exists():
        previous = json.loads(previous_path.read_text(encoding="utf-8"))
        if previous.get("mode") == mode:
            stale = {f"--only {step}" for step in rerun}
            kept = [f for f in previous["figures"] if not any(s in f["command"] for s in stale)]
            result["figures"] = kept + result["figures"]
            result["raw"] = {**previous.get("raw", {}), **raw}
            result["machine"]["earlier_figures_started"] = previous.get("started")
    peaks = {k: v["peak_rss_mb"] for k, v in result["raw"].items() if isinstance(v, dict) and "peak_rss_mb" in v}
    result["figures"] = [f for f in result["figures"] if f["id"] != "peak_rss_mb"]
    if peaks:
        top = max(peaks, key=peaks.get)
        result["figures"].append(asdict(Figure(
            "peak_rss_mb", f"peak RSS of any step ({top})", peaks[top], "MB",
            f".venv/bin/python -m bench.run --{mode}", "", None, peaks)))
    publish(out_dir, result)


def publish(out_dir: Path, result: dict) -> None:
    """Write results.json, results.md and the README section between the markers."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md = render_markdown(result)
    (out_dir / "results.md").write_text(md, encoding="utf-8")
    readme = out_dir / "README.md"
    if readme.exists() and MARKER_START in (text := readme.read_text(encoding="utf-8")):
        head, rest = text.split(MARKER_START, 1)
        tail = rest.split(MARKER_END, 1)[1] if MARKER_END in rest else ""
        readme.write_text(f"{head}{MARKER_START}\n{md}{MARKER_END}{tail}", encoding="utf-8")


def render_markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"Mode `{result['mode']}`, {result['started']}, {result['seconds']} s in all. Machine: {m['nproc']} "
             f"cores ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, load average at start "
             f"{' / '.join(map(str, m['load_avg_at_start']))}.", "",
             "| figure | value | target | met | reproduce |", "|---|---|---|---|---|"]
    if m.get("earlier_figures_started"):
        lines.insert(1, f"Figures not re-measured by that run date from {m['earlier_figures_started']}; "
                        "each figure's own time is `measured_at` in results.json.")
    for f in result["figures"]:
        met = "" if f["met"] is None else ("yes" if f["met"] else "**no**")
        lines.append(f"| {f['label']} | {f['value']} {f['unit']} | {f['target']} | {met} | `{f['command']}` |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", const="quick", dest="mode")
    size.add_argument("--tiny", action="store_const", const="tiny", dest="mode")
    parser.add_argument("--only", help="comma-separated: parse_extract,build_workers,pdf,pdf_workers,build,rebuild,query,scaling")
    parser.add_argument("--work", type=Path, default=Path("/tmp/taizhang-bench"), help="scratch folder")
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where results.json/.md go")
    parser.add_argument("--index-up-to", type=int, default=DEFAULT_INDEX_UP_TO,
                        help="build the scaling index (fake embedder) only up to this many documents")
    parser.add_argument("--scaling", help="two corpus sizes for the scaling run, e.g. 1000,10000")
    args = parser.parse_args(argv)
    mode = args.mode or "full"
    only = set(args.only.split(",")) if args.only else None
    if only and ("rebuild" in only or "query" in only) and not (args.work / mode / "data").exists():
        only.add("build")  # these need a built data dir
    work = args.work / mode
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = time.perf_counter()
    scaling = tuple(int(n) for n in args.scaling.split(",")) if args.scaling else None
    figures, raw = measure(work, mode, only, args.index_up_to, scaling)
    write_results(args.out, mode, figures, raw, info, time.perf_counter() - started, rerun=only)
    print(render_markdown(json.loads((args.out / "results.json").read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
