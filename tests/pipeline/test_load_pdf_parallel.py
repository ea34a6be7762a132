"""Reading a big PDF in several processes gives exactly what reading it in process gives.

The parallel path only moves page ranges to other processes; everything a page yields (its
text, line order, needs-OCR and table-candidate flags, the warning for an unreadable page) must
come back byte for byte, and failures (encrypted, truncated, a worker killed mid-way) must look
the same as without workers.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from pipeline import load_pdf as lp
from pipeline.errors import CorruptFileError, EncryptedFileError
from pipeline.settings import Settings
from tests.fixtures import make_docs

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
TABLE = [
    ["序号", "任务", "牵头单位"],
    ["1", "园区优化整合", "市经济和信息化局"],
    ["2", "建设人才平台", "市科技局"],
]


@pytest.fixture(scope="module")
def big_pdf(tmp_path_factory) -> Path:
    """~20 text pages with a ruled table late in the document and a scanned page in the second
    half: every kind of page lands in a worker's range, not only in this process's."""
    import pypdfium2 as pdfium

    folder = tmp_path_factory.mktemp("parallel")
    text = (CORPUS / "xiqu-2021-chengyu-guihua.txt").read_text(encoding="utf-8")
    paragraphs = [line for line in text.split("\n") if line.strip()][:160]
    text_pdf, _ = make_docs.write_pdf_with_layout(
        paragraphs, folder / "text.pdf", table=TABLE, table_after=len(paragraphs) - 20
    )
    scanned = make_docs.write_image_pdf(folder / "scan.pdf", pages=1)
    merged = pdfium.PdfDocument.new()
    source = pdfium.PdfDocument(str(text_pdf))
    cut = len(source) * 3 // 4
    merged.import_pages(source, list(range(cut)))
    merged.import_pages(pdfium.PdfDocument(str(scanned)))
    merged.import_pages(source, list(range(cut, len(source))))
    path = folder / "big.pdf"
    merged.save(str(path))
    return path


@pytest.fixture
def pool(monkeypatch):
    """No pool to begin with, stopped afterwards; any PDF of 8 pages or more is worth sharing."""
    monkeypatch.setattr(lp, "PARALLEL_MIN_SECONDS", 0.0)
    lp.stop_pdf_workers()
    yield
    lp.stop_pdf_workers()


@pytest.fixture
def ranges_read_here(monkeypatch) -> list[tuple[int, int]]:
    """The page ranges this process scanned. It is made slow, so that workers get pages to
    read even on a busy machine; forked workers inherit the spy but are neither slowed nor seen."""
    seen: list[tuple[int, int]] = []
    real, here = lp._scan_pages, os.getpid()

    def spy(pdf, start, stop):
        if os.getpid() != here:
            return real(pdf, start, stop)
        seen.append((start, stop))
        time.sleep(0.02 * (stop - start))
        return real(pdf, start, stop)

    monkeypatch.setattr(lp, "_scan_pages", spy)
    return seen


def pages_read_here(ranges: list[tuple[int, int]]) -> set[int]:
    return {n for start, stop in ranges for n in range(start, stop)}


def load(path: Path, workers: int):
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    return lp.load_pdf(path, data, sha256=sha256, settings=Settings(pdf_workers=workers))


@pytest.mark.parametrize("workers", [2, 3])
def test_parallel_read_is_byte_identical_to_sequential(big_pdf, pool, ranges_read_here, workers):
    sequential = load(big_pdf, 1)
    total = len(sequential.page_starts)
    assert ranges_read_here == [(0, total)]
    assert sequential.tables and any("页没有文字层" in w for w in sequential.warnings)
    assert lp.start_pdf_workers(Settings(pdf_workers=workers))
    ranges_read_here.clear()

    parallel = load(big_pdf, workers)

    read_here = pages_read_here(ranges_read_here)
    assert {0, 1, 2, 3} <= read_here and len(read_here) < total  # the bottom here, the top there
    assert parallel.model_dump_json() == sequential.model_dump_json()


def test_first_big_pdf_is_read_in_process_while_the_pool_starts(big_pdf, pool, ranges_read_here):
    first = load(big_pdf, 2)
    assert pages_read_here(ranges_read_here) == set(range(len(first.page_starts)))
    assert lp._Pool.running is not None  # starting in the background for the next PDF


def test_quick_pdf_stays_in_process(big_pdf, pool, monkeypatch, ranges_read_here):
    """Pages that read fast (embedded fonts) are not worth a worker: no pool is even started."""
    monkeypatch.setattr(lp, "PARALLEL_MIN_SECONDS", 1e6)
    raw = load(big_pdf, 2)
    assert pages_read_here(ranges_read_here) == set(range(len(raw.page_starts)))
    assert lp._Pool.running is None


def test_small_pdf_never_starts_the_pool(tmp_path, pool, ranges_read_here):
    path = make_docs.write_pdf(["第一条 小文件。"] * 3, tmp_path / "small.pdf")
    raw = load(path, 2)
    assert len(raw.page_starts) < lp.PARALLEL_MIN_PAGES
    assert lp._Pool.running is None


def test_errors_are_the_same_with_the_pool_up_and_leave_no_process(tmp_path, pool):
    encrypted = make_docs.write_encrypted_pdf(tmp_path / "encrypted.pdf")
    truncated = make_docs.write_truncated_pdf(tmp_path / "truncated.pdf")
    messages = {}
    for workers in (1, 2):
        assert lp.start_pdf_workers(Settings(pdf_workers=workers)) == (workers > 1)
        before = {p.pid for p in _pool_processes()}
        for path, error in ((encrypted, EncryptedFileError), (truncated, CorruptFileError)):
            with pytest.raises(error) as info:
                load(path, workers)
            messages.setdefault(path.name, set()).add(info.value.message)
        assert {p.pid for p in _pool_processes()} == before
    assert all(len(m) == 1 for m in messages.values())


def test_a_killed_worker_costs_time_not_output(big_pdf, pool, ranges_read_here):
    sequential = load(big_pdf, 1)
    assert lp.start_pdf_workers(Settings(pdf_workers=2))
    old = lp._Pool.running
    for process in _pool_processes():
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
    ranges_read_here.clear()

    again = load(big_pdf, 2)

    assert again.model_dump_json() == sequential.model_dump_json()
    assert pages_read_here(ranges_read_here) == set(range(len(sequential.page_starts)))  # all, here
    load(big_pdf, 2)  # by now the dead pool has been noticed and dropped
    assert lp._Pool.running is not old
    assert lp.start_pdf_workers(Settings(pdf_workers=2))
    assert load(big_pdf, 2).model_dump_json() == sequential.model_dump_json()


def test_pages_a_failing_worker_took_are_read_here(big_pdf, pool, monkeypatch):
    """A worker that fails after taking pages leaves a gap; this process fills it, in order."""
    sequential = load(big_pdf, 1)
    real, here = lp._scan_pages, os.getpid()

    def fails_in_workers(pdf, start, stop):
        if os.getpid() != here:
            raise RuntimeError("worker failure")
        time.sleep(0.02 * (stop - start))  # so that the worker has taken pages before failing
        return real(pdf, start, stop)

    monkeypatch.setattr(lp, "_scan_pages", fails_in_workers)
    assert lp.start_pdf_workers(Settings(pdf_workers=2))
    assert load(big_pdf, 2).model_dump_json() == sequential.model_dump_json()


def test_stop_leaves_no_worker_process(pool):
    assert lp.start_pdf_workers(Settings(pdf_workers=2))
    processes = _pool_processes()
    assert processes
    lp.stop_pdf_workers()
    assert not any(p.is_alive() for p in processes)


def test_no_pool_inside_a_worker_process(monkeypatch, pool):
    """A parallel build's worker reads its PDF in process: the cores are taken already."""
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert lp._pool_for(2) is None
    assert lp._Pool.running is None


def _pool_processes():
    running = lp._Pool.running
    return list((getattr(running and running.executor, "_processes", None) or {}).values())


# ------------------------------------------------------------------- the per-page shortcuts


def test_character_classes_are_the_unicode_categories():
    """The regexes that replaced per-character ``unicodedata.category`` calls, on every code
    point: unreadable = U+FFFD or Cc/Cs/Co; removed from lines = Cc except the tab."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        unreadable = ch == "\ufffd" or category in ("Cc", "Cs", "Co")
        assert bool(lp._UNREADABLE.match(ch)) == unreadable, hex(code)
        assert bool(lp._CONTROL_BUT_TAB.match(ch)) == (category == "Cc" and ch != "\t"), hex(code)
        assert bool(lp._ASTRAL.match(ch)) == (code > 0xFFFF), hex(code)


def test_drawn_counts_what_get_objects_counts(tmp_path, big_pdf):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    def reference(page) -> tuple[int, int]:
        images = segments = 0
        for obj in page.get_objects(max_depth=2):
            if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                images += 1
            elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
                segments += max(pdfium_c.FPDFPath_CountSegments(obj.raw), 0)
        return images, segments

    pdf = pdfium.PdfDocument(str(big_pdf))
    counted = [(lp._drawn(page), reference(page)) for page in pdf]
    assert all(ours == theirs for ours, theirs in counted)
    assert any(images for (images, _), _ in counted) and any(s >= 10 for (_, s), _ in counted)
