"""PDF: the text layer with pypdfium2 (fast), tables with pdfplumber (only where ruled).

pdfplumber reads 16–30 pages/s; pypdfium2 reads hundreds, so every page goes through pdfium
and only pages that carry enough ruling-line segments to hold a table are opened again by
pdfplumber for ``extract_tables``.

The raw text keeps the printed page's line structure: each page's lines are put top to bottom
(pdfium returns them in content-stream order, which often puts a footer drawn first at the top),
so "page 3, line 12" means what a reader counts. Running headers and page numbers stay in;
the cleaner removes them with an offset map. Pages are joined by ``\\f``.

A page with no usable text (none at all, or mostly U+FFFD / private-use glyphs from a font
without a Unicode map) but with an image or outlined glyphs needs OCR. All pages like that →
``NeedsOCRError``; some → the rest are loaded and a warning names the pages.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    NeedsOCRError,
    ResourceLimitError,
)
from .model import RawDocument, RawTable, Span
from .settings import Settings

# A 2×2 grid already needs 6 lines (12 segments); one separator rule under a 版头 is 2 and
# a page border 5, so fewer than this many segments cannot be a table.
TABLE_MIN_PATH_SEGMENTS = 10
# Text drawn as outlines leaves thousands of path segments and no characters.
OUTLINED_TEXT_MIN_SEGMENTS = 400
UNREADABLE_RATIO = 0.3
MONOTONIC_SHARE = 0.8


@dataclass(frozen=True)
class PageScan:
    """What pdfium saw on one page."""

    text: str  # lines top to bottom, joined by \n
    usable: bool  # has a readable text layer
    needs_ocr: bool
    table_candidate: bool


def _is_unreadable(ch: str) -> bool:
    return ch == "\ufffd" or unicodedata.category(ch) in ("Co", "Cs", "Cc")


def _clean_line(line: str) -> str:
    # pdfium marks soft hyphens and unknown glyphs with control characters
    return "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch) != "Cc").rstrip()


def _ordered_lines(textpage, text: str, rotation: int = 0) -> list[str]:
    """Lines of ``text`` sorted top to bottom (stable for lines on the same baseline).

    Only when the stream is already mostly top-to-bottom: then the few lines out of place are
    headers and footers drawn first or last. Rotated pages, rotated text and multi-column
    layouts keep pdfium's order, which is the better guess there.
    """
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    keyed: list[tuple[int, int, str]] = []
    index = 0  # pdfium char index; astral characters count twice in its UTF-16 text
    for order, line in enumerate(raw_lines):
        first = next((i for i, ch in enumerate(line) if not ch.isspace()), None)
        top = 0
        if first is not None:
            char_index = index + first + sum(1 for ch in line[:first] if ord(ch) > 0xFFFF)
            try:
                top = -round(textpage.get_charbox(char_index)[3])
            except Exception:  # noqa: BLE001 - a missing box only costs ordering, never text
                top = keyed[-1][0] if keyed else 0
        keyed.append((top, order, line))
        index += len(line) + sum(1 for ch in line if ord(ch) > 0xFFFF) + 2  # + the \r\n
    tops = [top for top, _, line in keyed if line.strip()]
    in_order = sum(1 for a, b in zip(tops, tops[1:]) if a <= b)
    if rotation == 0 and in_order >= MONOTONIC_SHARE * max(len(tops) - 1, 1):
        keyed.sort()
    return [_clean_line(line) for _, _, line in keyed]


def _scan_page(page) -> PageScan:
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        lines = _ordered_lines(textpage, text, page.get_rotation()) if text else []
    finally:
        textpage.close()
    visible = [ch for ch in text if not ch.isspace()]
    unreadable = sum(1 for ch in visible if _is_unreadable(ch))
    usable = bool(visible) and unreadable <= len(visible) * UNREADABLE_RATIO
    images, segments = 0, 0
    for obj in page.get_objects(max_depth=2):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            segments += max(pdfium_c.FPDFPath_CountSegments(obj.raw), 0)
    drawn = images > 0 or segments >= OUTLINED_TEXT_MIN_SEGMENTS
    needs_ocr = not usable and (drawn or bool(visible))
    page_text = "\n".join(lines).strip("\n") if usable else ""
    return PageScan(page_text, usable, needs_ocr, usable and segments >= TABLE_MIN_PATH_SEGMENTS)


def _open(path: Path, data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4 or "password" in str(exc).lower():
            raise EncryptedFileError(
                path,
                "the PDF is password-protected",
                "open it with the password and print/save an unprotected copy, then load that",
            ) from None
        raise CorruptFileError(
            path,
            f"the PDF cannot be parsed ({exc})",
            "re-download it, or re-export it from the original",
        ) from None


def _table_span(page_text: str, page_start: int, rows: tuple[tuple[str, ...], ...]) -> Span | None:
    """Where the table's first and last cells sit in the raw text, if both can be found."""
    cells = [c for row in rows for c in row if c.strip()]
    if not cells:
        return None
    first_line = cells[0].strip().split("\n")[0]
    last_line = cells[-1].strip().split("\n")[-1]
    start = page_text.find(first_line)
    if start < 0:
        return None
    end = page_text.find(last_line, start)
    if end < 0:
        return None
    end += len(last_line)
    return Span(start=page_start + start, end=page_start + end)


def _extract_tables(
    data: bytes, page_numbers: list[int], page_texts: list[str], page_starts: list[int]
) -> tuple[list[RawTable], list[str]]:
    """``extract_tables`` on the given 0-based pages only; failures become warnings."""
    if not page_numbers:
        return [], []
    import pdfplumber

    tables: list[RawTable] = []
    warnings: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data), pages=[n + 1 for n in page_numbers]) as pdf:
            for n, page in zip(page_numbers, pdf.pages):
                for found in page.extract_tables():
                    rows = tuple(tuple((cell or "").strip() for cell in row) for row in found)
                    if len(rows) < 1 or not any(any(c for c in row) for row in rows):
                        continue
                    span = _table_span(page_texts[n], page_starts[n], rows)
                    tables.append(RawTable(page=n + 1, rows=rows, raw_span=span))
    except Exception as exc:  # noqa: BLE001 - tables are a bonus; the text is already loaded
        warnings.append(f"tables could not be extracted ({type(exc).__name__}: {exc})")
    return tables, warnings


def load_pdf(path: Path, data: bytes, *, sha256: str, settings: Settings) -> RawDocument:
    """A PDF as a ``RawDocument``: pages joined by ``\\f``, ``page_starts``, ruled tables."""
    if b"%%EOF" not in data[-65536:]:
        raise CorruptFileError(
            path,
            "the PDF ends before its %%EOF marker: the file was cut short (interrupted download?)",
            "download or export it again",
        )
    pdf = _open(path, data)
    try:
        total = len(pdf)
        if total == 0:
            raise EmptyDocumentError(path, "the PDF has no pages", "check it is the right file")
        if total > settings.max_pdf_pages:
            raise ResourceLimitError(
                path,
                f"the PDF has {total:,} pages, over the limit of {settings.max_pdf_pages:,}",
                "split it, or raise TAIZHANG_MAX_PDF_PAGES if it really is one document",
            )
        scans: list[PageScan] = []
        warnings: list[str] = []
        for n in range(total):
            try:
                page = pdf[n]
            except Exception as exc:  # noqa: BLE001 - one bad page should not lose the document
                warnings.append(f"page {n + 1} could not be read ({exc}); it is left empty")
                scans.append(PageScan("", False, False, False))
                continue
            try:
                scans.append(_scan_page(page))
            finally:
                page.close()
    finally:
        pdf.close()

    ocr_pages = [n + 1 for n, scan in enumerate(scans) if scan.needs_ocr]
    if not any(scan.usable for scan in scans):
        raise NeedsOCRError(path, ocr_pages or list(range(1, total + 1)), total)
    if ocr_pages:
        shown = ", ".join(map(str, ocr_pages[:20])) + (" …" if len(ocr_pages) > 20 else "")
        warnings.append(
            f"{len(ocr_pages)} of {total} page(s) have no text layer and were skipped: {shown} "
            "(run OCR, e.g. ocrmypdf, to include them)"
        )

    page_texts = [scan.text for scan in scans]
    page_starts: list[int] = []
    offset = 0
    for text in page_texts:
        page_starts.append(offset)
        offset += len(text) + 1  # the \f that follows
    candidates = [n for n, scan in enumerate(scans) if scan.table_candidate]
    tables, table_warnings = _extract_tables(data, candidates, page_texts, page_starts)
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
