"""PDF: the text layer with pypdfium2 (fast), tables with pdfplumber (only where ruled).

pdfplumber reads 16–30 pages/s; pypdfium2 reads hundreds, so every page goes through pdfium
and only pages that carry enough ruling-line segments to hold a table are opened again by
pdfplumber for ``extract_tables``. Unembedded CJK fonts are measured with a stand-in font rather
than the system's (``pdf_fonts``): the same text, with pdfium ten times faster on such pages.

The raw text keeps the printed page's line structure: each page's lines are put top to bottom
(pdfium returns them in content-stream order, which often puts a footer drawn first at the top),
so "page 3, line 12" means what a reader counts. Running headers and page numbers stay in;
the cleaner removes them with an offset map. Pages are joined by ``\\f``.

A page with no usable text (none at all, or mostly U+FFFD / private-use glyphs from a font
without a Unicode map) but with an image or outlined glyphs needs OCR. All pages like that →
``NeedsOCRError``; some → the rest are loaded and a warning names the pages.

Both cores: a PDF of ``PARALLEL_MIN_PAGES`` pages or more is read by this process and
``settings.pdf_workers - 1`` worker processes together, each opening the PDF itself (pdfium is
not thread-safe). This process takes pages two at a time from the bottom, the workers from the
top; when none are left, it reads itself any page a worker has taken but not sent back yet,
so it never waits for a worker slowed down by other programs (or dead). The output, and any
error, is the same as reading in process, which is what happens for small PDFs, with
``pdf_workers=1`` and while the pool is starting. The pool starts with the first big PDF or
``start_pdf_workers()`` and lives until the interpreter exits or ``stop_pdf_workers()``; its
workers are forked where the OS can, as ``pipeline.parallel``'s are (``spawn`` would re-run
the caller's ``__main__`` in each).

What one page holds is read by ``pipeline.pdf_pages`` (``scan_page``), its ruled tables by
``pipeline.pdf_tables``; this module opens the document, shares its pages out and assembles them.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from pypdfium2 import PdfiumError

from pipeline.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    NeedsOCRError,
    ResourceLimitError,
)
from pipeline.messages import warning
from pipeline.model import RawDocument
from pipeline.pdf_fonts import cjk_stand_in_enabled, use_cjk_stand_in
from pipeline.pdf_pages import UNREAD_PAGE, PageScan, scan_page
from pipeline.pdf_tables import extract_tables

# the page scan's patterns and object count, by the names this module's tests have long read here
from pipeline.pdf_pages import ASTRAL as _ASTRAL  # noqa: F401
from pipeline.pdf_pages import CONTROL_BUT_TAB as _CONTROL_BUT_TAB  # noqa: F401
from pipeline.pdf_pages import UNREADABLE as _UNREADABLE  # noqa: F401
from pipeline.pdf_pages import drawn as _drawn  # noqa: F401
from pipeline.settings import Settings

# The workers are asked only when the first pages say the rest would take this long here: a
# worker needs ~10–30 ms to open a PDF and load its fonts, and on a busy machine it takes CPU
# from this process; a page takes ~1–1.5 ms (embedded fonts, or unembedded CJK ones measured with
# the stand-in of ``pdf_fonts``) to 11 ms (unembedded CJK fonts measured with Noto CJK).
PARALLEL_MIN_SECONDS = 0.05
PARALLEL_MIN_PAGES = 8
_PROBE_PAGES = 3  # the first loads the fonts; the next two are timed
_CHUNK = 2
_LOCK_TIMEOUT_S = 5.0
_log = logging.getLogger(__name__)

def _scan_pages(pdf, start: int, stop: int) -> list[tuple[PageScan, str | None]]:
    """Pages ``start``…``stop - 1`` (0-based), each with the warning it gave, if any."""
    out: list[tuple[PageScan, str | None]] = []
    for n in range(start, stop):
        try:
            page = pdf[n]
        except Exception as exc:  # noqa: BLE001 - one bad page should not lose the document
            _log.info("page %d could not be read", n + 1, exc_info=exc)
            out.append((UNREAD_PAGE, warning("pdf_page_unreadable", page=n + 1, kind=type(exc).__name__)))
            continue
        try:
            out.append((scan_page(page), None))
        finally:
            page.close()
    return out


# ------------------------------------------------------------------------- sharing pages


@contextmanager
def _locked(claims):
    """The page counter's lock, or TimeoutError: a worker killed while holding it never frees it."""
    lock = claims.get_lock()
    if not lock.acquire(timeout=_LOCK_TIMEOUT_S):
        raise TimeoutError("the PDF workers' page counter stayed locked")
    try:
        yield
    finally:
        lock.release()


def _claim(claims, generation: int, from_top: bool) -> tuple[int, int] | None:
    """Take the next ``_CHUNK`` pages of document ``generation``: this process from the bottom
    of what is left, workers from the top. None when nothing is left (or the document is over)."""
    with _locked(claims):
        current, low, high = claims[0], claims[1], claims[2]
        if current != generation or low >= high:
            return None
        if from_top:
            claims[2] = start = max(low, high - _CHUNK)
            return start, high
        claims[1] = stop = min(high, low + _CHUNK)
        return low, stop


_shared: tuple = ()  # in a worker: the pool's page counter and results queue


def _init_worker(claims, results) -> None:
    global _shared
    _shared = (claims, results)


def _ping() -> bool:
    return True  # the worker is up (a spawned one has imported this module and pdfium)


def _steal(data: bytes, generation: int, cjk_stand_in: bool) -> None:
    """In a worker: open the PDF (already checked by the parent) and read chunks from its end
    until none are left, sending each one as soon as it is read."""
    claims, results = _shared
    use_cjk_stand_in(cjk_stand_in)  # spawned: inherits nothing; forked: only the choice at its fork
    pdf = pdfium.PdfDocument(data)
    try:
        while (taken := _claim(claims, generation, from_top=True)) is not None:
            results.put((generation, taken[0], _scan_pages(pdf, *taken)))
    finally:
        pdf.close()


@dataclass(frozen=True)
class _Running:
    executor: ProcessPoolExecutor
    claims: Any  # multiprocessing Array: [document generation, next low page, next high page]
    results: Any  # multiprocessing Queue of (generation, first page, [(PageScan, warning)])


def _drain(pool: _Running, generation: int, pages: dict[int, tuple[PageScan, str | None]]) -> None:
    """Add the pages the workers have sent for this document (earlier documents' are dropped)."""
    while True:
        try:
            sent, start, scans = pool.results.get_nowait()
        except queue.Empty:
            return
        except Exception:  # noqa: BLE001 - a worker died mid-message: read the rest here
            _discard(pool)
            return
        if sent == generation:
            for n, scan in enumerate(scans, start):
                pages.setdefault(n, scan)


def _scan_shared(pdf, data: bytes, first: int, total: int, pool: _Running, workers: int,
                 ) -> list[tuple[PageScan, str | None]]:
    """Pages ``first``… read by this process and the workers together. This process takes pages
    from the bottom; when none are left it reads, lowest first, each page a worker has taken but
    not sent yet, so it never waits for a worker (one slowed down by other programs, or dead).
    Pages are read in order here, so an error is the one reading in process would raise."""
    pages: dict[int, tuple[PageScan, str | None]] = {}
    futures: list[Future] = []
    generation = None
    try:
        with _locked(pool.claims):
            generation = pool.claims[0] + 1
            pool.claims[0], pool.claims[1], pool.claims[2] = generation, first, total
        # the workers outlive this document: each is told the font choice ``load_pdf`` made
        stand_in = cjk_stand_in_enabled()
        futures = [pool.executor.submit(_steal, data, generation, stand_in)
                   for _ in range(workers - 1)]
    except Exception:  # noqa: BLE001 - the pool broke, was stopped, or its counter is stuck
        _discard(pool)
    try:
        while generation is not None:
            try:
                taken = _claim(pool.claims, generation, from_top=False)
            except TimeoutError:
                _discard(pool)
                break
            if taken is None:
                break
            pages.update(zip(range(*taken), _scan_pages(pdf, *taken)))
            _drain(pool, generation, pages)
        for n in range(first, total):
            if n not in pages and generation is not None:
                _drain(pool, generation, pages)
            if n not in pages:
                pages[n] = _scan_pages(pdf, n, n + 1)[0]
    finally:
        with suppress(Exception), _locked(pool.claims):
            if pool.claims[0] == generation:
                pool.claims[1] = pool.claims[2]  # nothing left: workers stop after their chunk
    if any(f.done() and isinstance(f.exception(), BrokenProcessPool) for f in futures):
        _discard(pool)  # a worker died: the next PDF starts a new pool
    return [pages[n] for n in range(first, total)]


# ------------------------------------------------------------------------- the worker pool


class _Pool:
    """``pdf_workers - 1`` processes, started once per interpreter (lazily)."""

    lock = threading.Lock()
    busy = threading.Lock()  # one document at a time: a second thread reads its PDF in process
    running: _Running | None = None
    ready: Future | None = None  # a no-op answered by a worker: the pool is up
    size = 0
    unavailable = False  # the workers could not start here (a sandbox, no /dev/shm…)


def _start_locked(size: int) -> Future:
    if _Pool.running is None or _Pool.size != size:
        _stop_locked()
        from pipeline.parallel import worker_context

        # A forked worker only ever runs _steal: it opens its own document and never touches
        # what it inherited (open documents, threads' locks, SQLite handles).
        context = worker_context()
        claims, results = context.Array("q", 3), context.Queue()
        executor = ProcessPoolExecutor(size, mp_context=context, initializer=_init_worker,
                                       initargs=(claims, results))
        _Pool.running, _Pool.size = _Running(executor, claims, results), size
        _Pool.ready = executor.submit(_ping)
    assert _Pool.ready is not None
    return _Pool.ready


def _stop_locked() -> None:
    running, _Pool.running, _Pool.ready, _Pool.size = _Pool.running, None, None, 0
    if running is not None:
        with suppress(Exception), _locked(running.claims):
            running.claims[1] = running.claims[2]
        with suppress(Exception):  # so that no worker blocks on exit flushing a full pipe
            while True:
                running.results.get_nowait()
        running.executor.shutdown(wait=True, cancel_futures=True)
        running.results.close()


def start_pdf_workers(settings: Settings, timeout: float | None = 60.0) -> bool:
    """Start the pool now (a warm-up step) and wait until it answers; False if it cannot run.

    Args:
        settings: ``settings.pdf_workers`` processes read a big PDF (this one included);
            1 starts nothing.
        timeout: seconds to wait for the first worker (spawning imports Python and pdfium).
    """
    if settings.pdf_workers < 2:
        return False
    with _Pool.lock:
        _Pool.unavailable = False
        ready = _start_locked(settings.pdf_workers - 1)
    try:
        return bool(ready.result(timeout=timeout))
    except Exception:  # noqa: BLE001 - no pool is a slower loader, not an error
        return False


def stop_pdf_workers() -> None:
    """Stop the pool's processes (they also stop when the interpreter exits)."""
    with _Pool.lock:
        _stop_locked()


def _pool_for(workers: int) -> _Running | None:
    """The pool if it is up; otherwise start it in the background and return None: this PDF
    is read in process rather than waiting for the workers.

    Never in a process that ``multiprocessing`` started (a parallel build's worker): there the
    cores are already taken by the other documents."""
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        return None
    with _Pool.lock:
        if _Pool.unavailable:
            return None
        starting = _Pool.running is None or _Pool.size != workers - 1
        try:
            ready = _start_locked(workers - 1)
        except Exception:  # noqa: BLE001 - cannot start processes here: read in process
            _Pool.unavailable = True
            return None
        if starting or not ready.done():
            return None  # the PDF that starts the pool never waits for it, however fast it comes up
        if ready.exception() is not None:
            _Pool.unavailable = True
            _stop_locked()
            return None
        return _Pool.running


def _discard(pool: _Running) -> None:
    """A worker died or the pool was stopped: the next big PDF starts a new pool."""
    with _Pool.lock:
        if _Pool.running is pool:
            _stop_locked()


def _scan_document(pdf, data: bytes, total: int, workers: int) -> list[tuple[PageScan, str | None]]:
    """Every page of ``pdf``; the rest after the first pages shared with the workers when those
    pages say it would take ``PARALLEL_MIN_SECONDS`` or more here (and the workers are up)."""
    if workers < 2 or total < PARALLEL_MIN_PAGES:
        return _scan_pages(pdf, 0, total)
    out = _scan_pages(pdf, 0, 1)  # the first page pays for loading the fonts: not a sample
    started = time.perf_counter()
    out += _scan_pages(pdf, 1, _PROBE_PAGES)
    rest = (time.perf_counter() - started) / (_PROBE_PAGES - 1) * (total - _PROBE_PAGES)
    pool = _pool_for(workers) if rest >= PARALLEL_MIN_SECONDS else None
    if pool is None or not _Pool.busy.acquire(blocking=False):
        return out + _scan_pages(pdf, _PROBE_PAGES, total)
    try:
        return out + _scan_shared(pdf, data, _PROBE_PAGES, total, pool, workers)
    finally:
        _Pool.busy.release()


def _open(path: Path, data: bytes):
    try:
        return pdfium.PdfDocument(data)
    except PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4 or "password" in str(exc).lower():
            raise EncryptedFileError.because(path, "pdf_encrypted") from None
        raise CorruptFileError.because(path, "pdf_unparsable", detail=exc) from None


def load_pdf(path: Path, data: bytes, *, sha256: str, settings: Settings) -> RawDocument:
    """A PDF as a ``RawDocument``: pages joined by ``\\f``, ``page_starts``, ruled tables."""
    if b"%%EOF" not in data[-65536:]:
        raise CorruptFileError.because(path, "pdf_cut_short")
    use_cjk_stand_in(settings.pdf_cjk_stand_in)
    pdf = _open(path, data)
    try:
        total = len(pdf)
        if total == 0:
            raise EmptyDocumentError.because(path, "pdf_no_pages")
        if total > settings.max_pdf_pages:
            raise ResourceLimitError.because(path, "pdf_too_many_pages", pages=total, limit=settings.max_pdf_pages)
        scanned = _scan_document(pdf, data, total, settings.pdf_workers)
    finally:
        pdf.close()
    scans = [scan for scan, _ in scanned]
    warnings = [warning for _, warning in scanned if warning]

    ocr_pages = [n + 1 for n, scan in enumerate(scans) if scan.needs_ocr]
    if not any(scan.usable for scan in scans):
        if not ocr_pages:  # nothing drawn anywhere: not a scan, OCR would find nothing
            _refuse_without_content(path, [n + 1 for n, (_, warning) in enumerate(scanned) if warning], total)
        raise NeedsOCRError(path, ocr_pages, total)
    if ocr_pages:
        shown = "、".join(map(str, ocr_pages[:20])) + (" …" if len(ocr_pages) > 20 else "")
        warnings.append(warning("pdf_pages_need_ocr", total=total, count=len(ocr_pages), pages=shown))

    page_texts = [scan.text for scan in scans]
    page_starts: list[int] = []
    offset = 0
    for text in page_texts:
        page_starts.append(offset)
        offset += len(text) + 1  # the \f that follows
    candidates = [n for n, scan in enumerate(scans) if scan.table_candidate]
    tables, table_warnings = extract_tables(path, data, candidates, page_texts, page_starts)
    return RawDocument(
        path=str(path),
        format="pdf",
        text="\f".join(page_texts),
        encoding=None,
        sha256=sha256,
        page_starts=tuple(page_starts),
        tables=tuple(tables),
        warnings=tuple(warnings + table_warnings),
    )


def _refuse_without_content(path: Path, unread: list[int], total: int) -> None:
    """A PDF with no text and no images on any page: its page tree is broken (a page that loops
    back to its parent cannot be read) or its pages are empty. Either way OCR cannot help."""
    if unread:
        shown = "、".join(map(str, unread[:20])) + (" …" if len(unread) > 20 else "")
        raise CorruptFileError.because(path, "pdf_page_tree_broken", pages=shown, total=total)
    raise EmptyDocumentError.because(path, "pdf_blank_pages", total=total)
