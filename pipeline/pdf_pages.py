"""What pdfium sees on one PDF page: its text lines top to bottom, and whether it is readable,
needs OCR, or may hold a ruled table (``PageScan``). ``pipeline.load_pdf`` reads a document's
pages with ``scan_page``, in this process or shared with worker processes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c
from pypdfium2 import PdfiumError

from pipeline.load_text import SURROGATE_AND_PRIVATE_USE

# A 2×2 grid already needs 6 lines (12 segments); one separator rule under a 版头 is 2 and
# a page border 5, so fewer than this many segments cannot be a table.
TABLE_MIN_PATH_SEGMENTS = 10
# Text drawn as outlines leaves thousands of path segments and no characters.
OUTLINED_TEXT_MIN_SEGMENTS = 400
UNREADABLE_RATIO = 0.3
MONOTONIC_SHARE = 0.8

# Unicode categories Cc (C0, DEL, C1), Cs (surrogates) and Co (the three private-use areas),
# and U+FFFD: what pdfium gives for glyphs it cannot map to Unicode.
UNREADABLE = re.compile(f"[\ufffd\x00-\x1f\x7f-\x9f{SURROGATE_AND_PRIVATE_USE}]")
CONTROL_BUT_TAB = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # category Cc except \t
ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 units each in pdfium's indexes


@dataclass(frozen=True)
class PageScan:
    """What pdfium saw on one page."""

    text: str  # lines top to bottom, joined by \n
    usable: bool  # has a readable text layer
    needs_ocr: bool
    table_candidate: bool


UNREAD_PAGE = PageScan("", False, False, False)


def clean_line(line: str) -> str:
    # pdfium marks soft hyphens and unknown glyphs with control characters
    return CONTROL_BUT_TAB.sub("", line).rstrip()


def ordered_lines(textpage, text: str, rotation: int = 0) -> list[str]:
    """Lines of ``text`` sorted top to bottom (stable for lines on the same baseline).

    Only when the stream is already mostly top-to-bottom: then the few lines out of place are
    headers and footers drawn first or last. Rotated pages, rotated text and multi-column
    layouts keep pdfium's order, which is the better guess there.
    """
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    astral = ASTRAL.search(text) is not None
    keyed: list[tuple[int, int, str]] = []
    index = 0  # pdfium char index; astral characters count twice in its UTF-16 text
    for order, line in enumerate(raw_lines):
        stripped = line.lstrip()
        top = 0
        if stripped:
            first = len(line) - len(stripped)
            char_index = index + first + (len(ASTRAL.findall(line, 0, first)) if astral else 0)
            try:
                top = -round(textpage.get_charbox(char_index)[3])
            except Exception:  # noqa: BLE001 - a missing box only costs ordering, never text
                top = keyed[-1][0] if keyed else 0
        keyed.append((top, order, line))
        index += len(line) + (len(ASTRAL.findall(line)) if astral else 0) + 2  # + the \r\n
    tops = [top for top, _, line in keyed if line.strip()]
    in_order = sum(1 for a, b in zip(tops, tops[1:]) if a <= b)
    if rotation == 0 and in_order >= MONOTONIC_SHARE * max(len(tops) - 1, 1):
        keyed.sort()
    return [clean_line(line) for _, _, line in keyed]


def _tally(parent, count_objects, get_object, counts: list[int]) -> list:
    """Add ``parent``'s images and path segments to ``counts``; its form XObjects."""
    count = count_objects(parent)
    if count < 0:
        raise PdfiumError("Failed to get number of pageobjects.")
    get_type, image, path, form = (
        pdfium_c.FPDFPageObj_GetType, pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    )
    forms = []
    for i in range(count):
        obj = get_object(parent, i)
        if not obj:
            raise PdfiumError("Failed to get pageobject.")
        kind = get_type(obj)
        if kind == image:
            counts[0] += 1
        elif kind == path:
            counts[1] += max(pdfium_c.FPDFPath_CountSegments(obj), 0)
        elif kind == form:
            forms.append(obj)
    return forms


def drawn(page) -> tuple[int, int]:
    """(images, path segments) on the page and one level into its form XObjects: what
    ``page.get_objects(max_depth=2)`` visits, without a Python object per page object (those
    cost more than pdfium's text extraction on pages drawn one glyph run at a time)."""
    counts = [0, 0]
    top = _tally(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, counts)
    for form in top:
        _tally(form, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, counts)
    return counts[0], counts[1]


def scan_page(page) -> PageScan:
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        lines = ordered_lines(textpage, text, page.get_rotation()) if text else []
    finally:
        textpage.close()
    visible = "".join(text.split())  # str.split() and str.isspace() agree on what is a space
    unreadable = len(UNREADABLE.findall(visible))
    usable = bool(visible) and unreadable <= len(visible) * UNREADABLE_RATIO
    images, segments = drawn(page)
    has_drawing = images > 0 or segments >= OUTLINED_TEXT_MIN_SEGMENTS
    needs_ocr = not usable and (has_drawing or bool(visible))
    page_text = "\n".join(lines).strip("\n") if usable else ""
    return PageScan(page_text, usable, needs_ocr, usable and segments >= TABLE_MIN_PATH_SEGMENTS)
