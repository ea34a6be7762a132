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
before any XML is parsed.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import CorruptFileError, FileTooLargeError, ResourceLimitError
from pipeline.model import RawDocument, RawTable, Span

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
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
# Number formats (ST_NumberFormat values that occur in Chinese documents, plus the usual ones)

_CN = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def _cn_counting(
    n: int, digits: str = _CN, ten: str = "十", hundred: str = "百", thousand: str = "千"
) -> str:
    if n <= 0 or n >= 10000:
        return str(n)
    parts: list[str] = []
    pending_zero = False
    for value, unit in ((1000, thousand), (100, hundred), (10, ten), (1, "")):
        d = n // value % 10
        if d == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append(digits[0])
            pending_zero = False
        # 十一, not 一十一, when the number starts with the tens
        parts.append(unit if (unit == ten and d == 1 and not parts) else digits[d] + unit)
    return "".join(parts)


# Word's own dialogs stop a list's start at 32767; a file may say anything (w:start="1e11"). Past
# this a number is written in digits: a Roman or letter form that long is nothing a reader cites,
# and building it would take time and memory in proportion to the number.
MAX_LIST_NUMBER = 32767


def _int_attr(value: str | None, default: int, lo: int = 0, hi: int = MAX_LIST_NUMBER) -> int:
    """An integer attribute of numbering.xml, ``default`` when it is not one (w:start="x"), kept
    within [lo, hi]."""
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(number, lo), hi)


def _roman(n: int) -> str:
    if n > MAX_LIST_NUMBER:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: 27 → AA, 28 → BB
    if n > MAX_LIST_NUMBER:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


_COUNTING = frozenset(
    "chineseCounting chineseCountingThousand japaneseCounting taiwaneseCounting "
    "taiwaneseCountingThousand japaneseLegal koreanCounting".split()
)
_CIRCLED = frozenset(
    "decimalEnclosedCircle decimalEnclosedCircleChinese ideographEnclosedCircle".split()
)


def format_number(n: int, num_fmt: str) -> str:
    """Render counter ``n`` the way Word does for ``w:numFmt`` ``num_fmt``."""
    if num_fmt in _COUNTING:
        return _cn_counting(n)
    if num_fmt == "chineseLegalSimplified":
        return _cn_counting(n, _CN_LEGAL, "拾", "佰", "仟")
    if num_fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇" if c == "0" else _CN[int(c)] for c in str(n))
    if num_fmt in ("ideographTraditional",) and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if num_fmt in ("ideographZodiac",) and 1 <= n <= 12:
        return _DIZHI[n - 1]
    if num_fmt in _CIRCLED and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if num_fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if num_fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if num_fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(c)) for c in str(n))
    if num_fmt == "decimalZero":
        return f"{n:02d}"
    if num_fmt == "upperRoman":
        return _roman(n)
    if num_fmt == "lowerRoman":
        return _roman(n).lower()
    if num_fmt == "upperLetter":
        return _letters(n)
    if num_fmt == "lowerLetter":
        return _letters(n).lower()
    if num_fmt == "none":
        return ""
    return str(n)


# --------------------------------------------------------------------------------------------
# numbering.xml


def _val(el, tag: str) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val") if child is not None else None


@dataclass(frozen=True)
class Level:
    start: int = 1
    num_fmt: str = "decimal"
    lvl_text: str = "%1."
    suffix: str = "tab"
    is_legal: bool = False


def _level(el) -> Level:
    return Level(
        start=_int_attr(_val(el, "start"), 1),
        num_fmt=_val(el, "numFmt") or "decimal",
        lvl_text=_val(el, "lvlText") if el.find(W + "lvlText") is not None else "",
        suffix=_val(el, "suff") or "tab",
        is_legal=el.find(W + "isLgl") is not None,
    )


@dataclass
class Numbering:
    """Resolved numbering definitions plus the running counters of one pass over the body."""

    abstract_levels: dict[str, dict[int, Level]] = field(default_factory=dict)
    num_abstract: dict[str, str] = field(default_factory=dict)
    num_levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # lvlOverride/lvl
    start_overrides: dict[str, dict[int, int]] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)  # per abstractNum
    used_overrides: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def from_xml(cls, root) -> "Numbering":
        numbering = cls()
        if root is None:
            return numbering
        for ab in root.iter(W + "abstractNum"):
            levels = {_int_attr(lvl.get(W + "ilvl"), 0, 0, 8): _level(lvl) for lvl in ab.findall(W + "lvl")}
            numbering.abstract_levels[ab.get(W + "abstractNumId", "")] = levels
        for num in root.iter(W + "num"):
            num_id = num.get(W + "numId", "")
            numbering.num_abstract[num_id] = _val(num, "abstractNumId") or ""
            for ov in num.findall(W + "lvlOverride"):
                ilvl = _int_attr(ov.get(W + "ilvl"), 0, 0, 8)
                start = _val(ov, "startOverride")
                if start is not None:
                    numbering.start_overrides.setdefault(num_id, {})[ilvl] = _int_attr(start, 1)
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    numbering.num_levels.setdefault(num_id, {})[ilvl] = _level(lvl)
        return numbering

    def _level_of(self, num_id: str, ilvl: int) -> Level | None:
        override = self.num_levels.get(num_id, {}).get(ilvl)
        return override or self.abstract_levels.get(self.num_abstract.get(num_id, ""), {}).get(ilvl)

    def render(self, num_id: str, ilvl: int) -> str:
        """Advance the counter for this paragraph and return its visible number prefix."""
        level = self._level_of(num_id, ilvl)
        if level is None or level.num_fmt == "bullet":
            return ""  # bullets carry no number a reader could cite
        abstract = self.num_abstract.get(num_id, num_id)
        counters = self.counters.setdefault(abstract, [None] * 9)
        override = self.start_overrides.get(num_id, {}).get(ilvl)
        if override is not None and (num_id, ilvl) not in self.used_overrides:
            self.used_overrides.add((num_id, ilvl))
            counters[ilvl] = override
        elif counters[ilvl] is None:
            counters[ilvl] = level.start
        else:
            counters[ilvl] = min((counters[ilvl] or 0) + 1, MAX_LIST_NUMBER)
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        text = level.lvl_text
        for k in range(8, -1, -1):  # %10 does not exist; go high to low so %1 never eats %1x
            token = f"%{k + 1}"
            if token in text:
                k_level = self._level_of(num_id, k) or Level()
                value = counters[k] if counters[k] is not None else k_level.start
                fmt = "decimal" if level.is_legal and k != ilvl else k_level.num_fmt
                text = text.replace(token, format_number(value or 0, fmt))
        if not text:
            return ""
        if level.suffix == "nothing" or text[-1] in "、.．）)：:，,":
            return text
        return text + " "


_NumPr = tuple[str | None, int | None]  # (numId, ilvl) from a style


def _style_num_pr(styles_root) -> dict[str, _NumPr]:
    """Style id → (numId, ilvl) from the style or the styles it is based on."""
    if styles_root is None:
        return {}
    raw: dict[str, tuple[str | None, int | None, str | None]] = {}
    for style in styles_root.iter(W + "style"):
        ppr = style.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        ilvl = _val(num_pr, "ilvl") if num_pr is not None else None
        raw[style.get(W + "styleId", "")] = (
            _val(num_pr, "numId") if num_pr is not None else None,
            _int_attr(ilvl, 0, 0, 8) if ilvl is not None else None,
            _val(style, "basedOn"),
        )
    resolved: dict[str, tuple[str | None, int | None]] = {}
    for style_id in raw:
        num_id, ilvl, current, seen = None, None, style_id, set()
        while current in raw and current not in seen and num_id is None:
            seen.add(current)
            style_num, style_ilvl, based_on = raw[current]
            num_id = style_num
            ilvl = style_ilvl if ilvl is None else ilvl
            current = based_on
        resolved[style_id] = (num_id, ilvl)
    return resolved


# --------------------------------------------------------------------------------------------
# The body


class _BodyReader:
    def __init__(self, numbering: Numbering, style_num: dict[str, _NumPr]) -> None:
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
        style_id = _val(ppr, "pStyle") if ppr is not None else None
        style_num, style_ilvl = self.style_num.get(style_id or "", (None, None))
        num_id = _val(num_pr, "numId") if num_pr is not None else None
        ilvl = _val(num_pr, "ilvl") if num_pr is not None else None
        num_id = num_id or style_num
        level = _int_attr(ilvl, 0, 0, 8) if ilvl is not None else (style_ilvl or 0)
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
    reader = _BodyReader(Numbering.from_xml(numbering_root), _style_num_pr(styles_root))
    for child in body:
        reader.block(child)
    text = "\n".join(reader.lines)
    return RawDocument(
        path=str(path), format="docx", text=text, sha256=sha256, tables=tuple(reader.tables)
    )
