"""DOCX: body paragraphs and tables in document order, with Word list numbers rendered.

Drafts made with Word's numbering buttons hold ``一、`` / ``（一）`` / ``1.`` only in numbering.xml,
not in the paragraph text; without rendering them the heading ladder disappears. So every
paragraph's ``w:numPr`` (its own, or its style's) is resolved through the abstract numbering
definitions and the number is written in front of the text, as Word displays it.

Counters follow Word: paragraphs whose nums share an abstractNum continue one list; a num with
a ``startOverride`` restarts the level the first time it is used; a level restarts whenever a
shallower level of the same list advances.

Output is one paragraph per line; a table is one line per row with cells joined by ``\\t``, and
also a ``RawTable`` whose ``raw_span`` covers those lines. Headers, footers, footnotes, deleted
revisions and hidden text are not part of the body and stay out. The zip is checked for bombs
before any XML is parsed. The list numbers themselves: ``pipeline.docx_numbering``.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from pipeline.docx_numbering import W, Numbering, NumPr, attr_val, int_attr, style_num_pr
from pipeline.errors import CorruptFileError, FileTooLargeError, ResourceLimitError
from pipeline.model import RawDocument, RawTable, Span

# Word list numbers as this module's callers and tests have long imported them from here
from pipeline.docx_numbering import format_number  # noqa: F401

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"

MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
# python-docx holds every XML part as an lxml tree of proxy objects, ~30× the XML's size: 300 MB
# of document.xml grew past 9 GB. A real 1,000-page document has well under 64 MiB of XML.
MAX_XML_PART_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 100  # deflate of real XML is 5–20×; zeros reach 1000×
RATIO_MIN_BYTES = 1024 * 1024  # tiny members can compress absurdly well and harmlessly


def check_zip(path: Path, data: bytes) -> None:
    """Refuse archives that are not zips or would inflate to far more than they hold."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise CorruptFileError.because(path, "docx_damaged_zip") from None
    if len(infos) > MAX_MEMBERS:
        raise ResourceLimitError.because(path, "docx_too_many_parts", parts=len(infos))
    total = sum(info.file_size for info in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise ResourceLimitError.because(path, "docx_expands_too_far", size=total)
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART_BYTES:
            raise FileTooLargeError.because(path, "docx_part_too_large", part=info.filename,
                                            size=info.file_size, limit=MAX_XML_PART_BYTES)
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise ResourceLimitError.because(path, "docx_part_ratio", part=info.filename, ratio=ratio,
                                             size=info.file_size)
    if "word/document.xml" not in {info.filename for info in infos}:
        raise CorruptFileError.because(path, "docx_no_document")


# --------------------------------------------------------------------------------------------
# The body


class _BodyReader:
    def __init__(self, numbering: Numbering, style_num: dict[str, NumPr]) -> None:
        self.numbering = numbering
        self.style_num = style_num
        self.lines: list[str] = []
        self.offset = 0
        self.tables: list[RawTable] = []

    def emit(self, line: str) -> None:
        self.lines.append(line)
        self.offset += len(line) + 1

    def block(self, el) -> None:
        tag = el.tag
        if tag == W + "p":
            extra: list = []
            self.emit(self.paragraph(el, extra))
            for box in extra:  # text boxes anchored in the paragraph follow it
                for child in box:
                    self.block(child)
        elif tag == W + "tbl":
            self.table(el)
        elif tag in (W + "sdt", W + "customXml", W + "sdtContent"):
            content = el.find(W + "sdtContent") if tag == W + "sdt" else el
            for child in content if content is not None else ():
                self.block(child)

    def number_prefix(self, p) -> str:
        ppr = p.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        style_id = attr_val(ppr, "pStyle") if ppr is not None else None
        style_num, style_ilvl = self.style_num.get(style_id or "", (None, None))
        num_id = attr_val(num_pr, "numId") if num_pr is not None else None
        ilvl = attr_val(num_pr, "ilvl") if num_pr is not None else None
        num_id = num_id or style_num
        level = int_attr(ilvl, 0, 0, 8) if ilvl is not None else (style_ilvl or 0)
        if not num_id or num_id == "0":
            return ""
        return self.numbering.render(num_id, min(max(level, 0), 8))

    def paragraph(self, p, boxes: list) -> str:
        parts: list[str] = [self.number_prefix(p)]
        self.inline(p, parts, boxes)
        return "".join(parts)

    def inline(self, el, parts: list[str], boxes: list) -> None:
        for child in el:
            tag = child.tag
            if tag == W + "r":
                self.run(child, parts, boxes)
            elif tag in (W + "del", W + "moveFrom", W + "pPr", MC + "Fallback"):
                continue
            elif tag == MATH + "t":
                parts.append(child.text or "")
            elif tag == W + "txbxContent":
                boxes.append(child)
            else:  # hyperlink, ins, smartTag, fldSimple, sdt, oMath, AlternateContent/Choice …
                self.inline(child, parts, boxes)

    def run(self, r, parts: list[str], boxes: list) -> None:
        rpr = r.find(W + "rPr")
        if rpr is not None:
            vanish = rpr.find(W + "vanish")
            if vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off"):
                return
        for child in r:
            tag = child.tag
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag == W + "tab":
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag not in (W + "rPr", W + "instrText", W + "delText", W + "fldChar"):
                # drawings and pictures may hold text boxes
                for box in child.iter(W + "txbxContent"):
                    if not any(a.tag == MC + "Fallback" for a in box.iterancestors()):
                        boxes.append(box)

    def cell_text(self, tc) -> str:
        lines: list[str] = []
        for el in tc.iter(W + "p"):
            parts: list[str] = [self.number_prefix(el)]
            self.inline(el, parts, [])
            lines.append("".join(parts).strip())
        return "\n".join(line for line in lines if line)

    def table(self, tbl) -> None:
        rows: list[tuple[str, ...]] = []
        start = self.offset
        for tr in tbl.iter(W + "tr"):
            if tr.getparent() is not tbl:
                continue  # rows of a nested table belong to its cell text
            cells = tuple(self.cell_text(tc) for tc in tr.findall(W + "tc"))
            rows.append(cells)
            self.emit("\t".join(c.replace("\n", " ") for c in cells))
        if rows:
            span = Span(start=start, end=self.offset - 1)
            self.tables.append(RawTable(page=1, rows=tuple(rows), raw_span=span))


def load_docx(path: Path, data: bytes, *, sha256: str) -> RawDocument:
    """A .docx as a ``RawDocument`` (one paragraph per line, tables as rows and ``RawTable``)."""
    check_zip(path, data)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        try:
            numbering_root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            numbering_root = None
        styles_root = document.styles.element
    except CorruptFileError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types for a damaged package
        raise CorruptFileError.because(path, "docx_unparsable", detail=f"{type(exc).__name__}: {exc}") from None
    reader = _BodyReader(Numbering.from_xml(numbering_root), style_num_pr(styles_root))
    for child in body:
        reader.block(child)
    text = "\n".join(reader.lines)
    return RawDocument(
        path=str(path), format="docx", text=text, sha256=sha256, tables=tuple(reader.tables)
    )
