"""Recover the structure of a cleaned document: headings, numbered items, boxes, tables, clauses.

The heading ladder of Chinese official documents (第X章 / 第X节 / 一、 / （一） / 1. / （1） / ①)
is data (``rules/headings.yaml``). Which level a marker stands for is decided per document, by
the order in which the markers first appear: one document starts at 第一章, another at 一、,
another has nothing above its 一、…十六、 measures. A marker seen before closes everything below
it; a marker seen for the first time opens a level under the current one (unless convention
says it belongs above what is open, like 第一章 after a "1." list in a preface).

Weak markers (``1.``, ``（1）``, ``①``, ``——``) also start ordinary paragraphs, so they count as
headings only when their number continues the sequence: 1 starts a list, n follows n-1 under
the same parent, or continues the numbering of the previous parent (a notice that numbers its
tasks 1–16 across six groups).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from pipeline.chinese import cn_to_int
from pipeline.clauses import build_clauses, protected_ranges
from pipeline.messages import warning
from pipeline.model import CleanText, Document, DocumentMeta, RawDocument, Section, Span
from pipeline.doc_tables import CaptionedTable, document_tables
from pipeline.rules.classify import ends_paragraph, ends_table, match_heading, table_of_contents
from pipeline.rules import HeadingRule, cleaning_rules, heading_rules, meta_rules

_MD_PREFIX = re.compile(r"[ \t]*(#{1,6})[ \t]*(?:\*\*)?[ \t]*$")
_COLON_TITLE_MAX = 20
_CHAPTER_LIKE = 3  # canonical_rank of 第X条 in headings.yaml: this and above are chapter-like
_ROW_SPLIT = re.compile(r"[ \t\u3000]+")


@dataclass
class Heading:
    """A paragraph recognised as a heading, before it is placed in the tree."""

    para: int
    rule: HeadingRule
    key: str
    number: str | None
    ordinal: int | None
    title: str
    heading_span: tuple[int, int]
    run_in: bool


@dataclass
class _Open:
    index: int  # into the list of accepted headings
    key: str
    role: str


@dataclass
class _Placed:
    heading: Heading
    parent: int | None
    level: int
    end_para: int = -1  # last paragraph inside the section


@dataclass
class _Tree:
    placed: list[_Placed] = field(default_factory=list)
    section_of_para: list[int | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class PageLines:
    """Page and line of raw offsets in O(log n): ``RawDocument.page_line`` without rescanning."""

    def __init__(self, raw: RawDocument) -> None:
        self.starts = raw.page_starts or (0,)
        self.newlines = [m.start() for m in re.finditer("\n", raw.text)]

    def at(self, raw_offset: int) -> tuple[int, int]:
        """(page, line), both 1-based, as ``model.raw_page_line`` counts them."""
        p = max(bisect.bisect_right(self.starts, raw_offset) - 1, 0)
        page_start = self.starts[p]
        before = bisect.bisect_left(self.newlines, max(raw_offset, page_start))
        return p + 1, before - bisect.bisect_left(self.newlines, page_start) + 1


def paragraphs_of(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer("\n", text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


# --------------------------------------------------------------------------------------------
# Recognising headings


class _RawLines:
    """Where the raw line holding an offset starts (to see the ``#`` the cleaner removed)."""

    def __init__(self, raw: RawDocument) -> None:
        self.text = raw.text
        self.breaks = [m.end() for m in re.finditer(r"[\n\r\f]", raw.text)]
        self.has_marks = "#" in raw.text

    def markdown_level(self, raw_offset: int) -> int | None:
        if not self.has_marks:
            return None
        i = bisect.bisect_right(self.breaks, raw_offset) - 1
        line_start = self.breaks[i] if i >= 0 else 0
        m = _MD_PREFIX.match(self.text, line_start, raw_offset)
        return len(m.group(1)) if m else None


def _run_in_title(text: str, start: int, end: int) -> tuple[int, bool]:
    """End of the title that starts at ``start``, and whether body text follows it."""
    terminators = heading_rules().run_in_terminators
    blocked = protected_ranges(text[start:end])
    in_brackets = lambda i: any(a <= i - start <= b for a, b in blocked)  # noqa: E731
    for i in range(start, end):
        ch = text[i]
        colon = ch in "：:" and i - start <= _COLON_TITLE_MAX and "，" not in text[start:i]
        if (ch in terminators or colon) and not in_brackets(i):
            j = i + 1
            while j < end and text[j] in terminators:
                j += 1
            return i, j < end
    stop = end
    while stop > start and text[stop - 1] in "。；！？!?;：: ":
        stop -= 1
    return stop, False


def recognise(text: str, paras: list[tuple[int, int]], clean: CleanText, raw: RawDocument) -> list[Heading]:
    """Every paragraph that looks like a heading, with its number, title and run-in flag."""
    title_end = meta_rules().title_end[0].regex
    rules = cleaning_rules()
    headings: list[Heading] = []
    body_started = False
    raw_lines = _RawLines(raw)
    toc = table_of_contents([text[a:b] for a, b in paras])
    for index, (a, b) in enumerate(paras):
        if index in toc:
            continue
        p = text[a:b]
        found = match_heading(p)
        md_level = None if found else raw_lines.markdown_level(clean.offsets.to_raw(a))
        if found is None and md_level is None:
            body_started = body_started or ends_paragraph(p, rules)
            continue
        if found is None:
            if not headings and title_end.search(p.replace(" ", "")):
                continue  # the document's title set as a Markdown heading
            rule = HeadingRule(id="markdown", kind="heading", role="ladder", pattern="^", examples=(), counter_examples=())
            key, number, num, rest = f"md{md_level}", None, None, 0
        else:
            rule, m = found
            if rule.role == "top" and rule.kind == "annex" and not body_started:
                continue  # "附件" above the title of an attached document
            key = rule.id
            number = m.group("number").strip() or None
            num = m.groupdict().get("num")
            rest = m.start("rest")
        title_stop, run_in = _run_in_title(text, a + rest, b)
        title = text[a + rest : title_stop].strip()
        if not title and number:
            title, title_stop = number, a + len(number)
        body_started = True
        headings.append(
            Heading(
                para=index,
                rule=rule,
                key=key,
                number=number,
                ordinal=cn_to_int(num) if num else None,
                title=title,
                heading_span=(a, max(title_stop, a)),
                run_in=run_in,
            )
        )
    return headings


# --------------------------------------------------------------------------------------------
# Placing headings in a tree


class _Ladder:
    """The document's own ordering of ladder keys, learned as they first appear."""

    def __init__(self) -> None:
        self.order: dict[str, float] = {}
        self.canonical: dict[str, int | None] = {}

    def above_or_same(self, open_key: str, h: Heading) -> bool:
        """Does an open section of ``open_key`` have to close before heading ``h`` opens?"""
        if h.key in self.order and open_key in self.order:
            return self.order[open_key] >= self.order[h.key]
        # A key seen for the first time nests under what is open (first appearance decides),
        # except that a chapter-like heading (第X章/节/条) never nests under a numbered item, and
        # a strong marker first seen past its first number (四、 when 一、 to 三、 were lost in a
        # copy) continues a sequence above the open item rather than starting one inside it.
        a, b = self.canonical.get(open_key), h.rule.canonical_rank
        if a is None or b is None:
            return False
        lost_start = not h.rule.weak and (h.ordinal or 0) > 1 and b < a
        return b <= _CHAPTER_LIKE < a or lost_start


def _popped(stack: list[_Open], h: Heading, ladder: _Ladder) -> int:
    """How many entries of ``stack`` close when ``h`` opens."""
    n = len(stack)
    while n and stack[n - 1].role in ("leaf", "container"):
        n -= 1
    role = h.rule.role
    if role in ("top", "peer"):
        return len(stack)
    if role in ("leaf", "container"):
        return len(stack) - n
    keys = [o.key for o in stack[:n]]
    if h.key in keys:
        return len(stack) - keys.index(h.key)
    roles = [o.role for o in stack[:n]]
    if "peer" in roles and not h.rule.weak:  # 一、 or 第一章 closes 前言; a "1." list stays inside it
        return len(stack) - roles.index("peer")
    while n and stack[n - 1].role == "ladder" and ladder.above_or_same(stack[n - 1].key, h):
        n -= 1
    return len(stack) - n


def _inside_box(stack: list[_Open], h: Heading, last_under: dict, last_global: dict) -> int | None:
    """How many entries close when a weak marker (1. ①) opens inside an open 专栏, if it starts
    or continues the box's own list; None when it belongs outside (closing the box).

    A box lists its own items (专栏1 基础理论：1.…8.) in the middle of an outer list (1.建立…
    专栏1 … 2.建立…): the outer 2. continues the outer list, a box's 2. its own."""
    if not h.rule.weak or h.rule.role != "ladder":
        return None
    boxes = [k for k, o in enumerate(stack) if o.key == "box"]
    if not boxes:
        return None
    inner = boxes[-1]
    own = [o.key for o in stack[inner + 1 :]]
    pops = len(own) - own.index(h.key) if h.key in own else len(own)
    parent = stack[len(stack) - pops - 1].index
    return pops if _in_sequence(h, parent, last_under, last_global) else None


def _in_sequence(h: Heading, parent: int | None, last_under: dict, last_global: dict) -> bool:
    if h.ordinal is None:
        return True
    before = last_under.get((parent, h.key))
    if before is not None:
        return h.ordinal in (before + 1, 1)
    return h.ordinal in (1, last_global.get(h.key, 0) + 1)


# Text after a top-level table (or box) that closed with nothing else open: a section of its own,
# unnamed like the preamble, closed by the next heading of any kind.
_BODY = HeadingRule(id="body", kind="preamble", role="top", pattern="^", examples=(), counter_examples=())


def build_tree(headings: list[Heading], paras: list[tuple[int, int]], text: str) -> _Tree:
    tree = _Tree(section_of_para=[None] * len(paras))
    ladder = _Ladder()
    stack: list[_Open] = []
    last_under: dict[tuple[int | None, str], int] = {}
    last_global: dict[str, int] = {}
    table_rows_end: dict[int, int] = {}
    by_para = {h.para: h for h in headings}

    def close(count: int, at_para: int) -> None:
        for _ in range(count):
            tree.placed[stack.pop().index].end_para = at_para - 1

    for index in range(len(paras)):
        # a table section ends with its last row
        if stack and stack[-1].index in table_rows_end and index > table_rows_end[stack[-1].index]:
            close(1, index)
        h = by_para.get(index)
        if stack and stack[-1].index in table_rows_end:
            h = None  # a weak marker inside a table is a cell ("①氢能及磷"), not a heading
        if h is not None:
            body = bool(stack) and stack[-1].key == _BODY.id  # closed by any heading
            pops = _popped(stack[:-1], h, ladder) + 1 if body else _popped(stack, h, ladder)
            inside = _inside_box(stack, h, last_under, last_global)
            if inside is not None:
                pops = inside
            parent = stack[len(stack) - pops - 1].index if len(stack) > pops else None
            if h.rule.weak and not _in_sequence(h, parent, last_under, last_global):
                h = None
            elif not h.rule.weak and not _in_sequence(h, parent, last_under, last_global):
                tree.warnings.append(warning("heading_out_of_sequence", number=h.number, title=h.title[:12]))
        if h is not None:
            closed = [o.key for o in stack[len(stack) - pops :] if o.role == "ladder" and o.key in ladder.order]
            close(pops, index)
            if h.rule.role == "ladder" and h.key not in ladder.order:
                # a new key that closed open ladder levels ranks above them from now on
                ladder.order[h.key] = min((ladder.order[k] for k in closed), default=len(ladder.order) + 0.5) - 0.5
                ladder.canonical[h.key] = h.rule.canonical_rank
            if h.ordinal is not None:
                last_under[(parent, h.key)] = h.ordinal
                last_global[h.key] = h.ordinal
            tree.placed.append(_Placed(heading=h, parent=parent, level=len(stack) + 1))
            stack.append(_Open(index=len(tree.placed) - 1, key=h.key, role=h.rule.role))
            if h.rule.kind == "table":
                table_rows_end[len(tree.placed) - 1] = _last_table_row(index, paras, text)
        if not stack and tree.placed:
            a = paras[index][0]
            body = Heading(para=index, rule=_BODY, key=_BODY.id, number=None, ordinal=None, title="",
                           heading_span=(a, a), run_in=False)
            tree.placed.append(_Placed(heading=body, parent=None, level=0))
            stack.append(_Open(index=len(tree.placed) - 1, key=_BODY.id, role=_BODY.role))
        tree.section_of_para[index] = stack[-1].index if stack else None
    close(len(stack), len(paras))
    return tree


def _last_table_row(caption: int, paras: list[tuple[int, int]], text: str) -> int:
    last = caption
    for i in range(caption + 1, len(paras)):
        if ends_table(text[paras[i][0] : paras[i][1]]):
            break
        last = i
    return last


# --------------------------------------------------------------------------------------------
# Assembling the Document


def _captioned_tables(doc_text: str, paras: list[tuple[int, int]], tree: _Tree, ids: list[str]) -> list[CaptionedTable]:
    """The tables the text captions (表 1—1 …): their caption, section, span and rows as text."""
    out: list[CaptionedTable] = []
    for n, placed in enumerate(tree.placed):
        h = placed.heading
        if h.rule.kind != "table":
            continue
        rows = tuple(
            tuple(c for c in _ROW_SPLIT.split(doc_text[a:b]) if c) for a, b in paras[h.para + 1 : placed.end_para + 1]
        )
        span = Span(start=paras[h.para][0], end=paras[placed.end_para][1])
        out.append(CaptionedTable(caption=h.title, section_id=ids[n], span=span, rows=rows))
    return out


def segment(clean: CleanText, raw: RawDocument, meta: DocumentMeta) -> Document:
    """The structured document: sections (heading tree), clauses and tables over ``clean.text``."""
    text = clean.text
    paras = paragraphs_of(text)
    pages = PageLines(raw)
    page_line = lambda i: pages.at(clean.offsets.to_raw(i))  # noqa: E731
    tree = build_tree(recognise(text, paras, clean, raw), paras, text)

    first = tree.placed[0].heading.para if tree.placed else len(paras)
    has_preamble = first > 0
    offset = 1 if has_preamble else 0
    ids = [f"s{i + offset}" for i in range(len(tree.placed))]
    sections: list[Section] = []
    if has_preamble:
        where = page_line(paras[0][0])
        sections.append(
            Section(
                section_id="s0", kind="preamble", title="", level=0,
                heading_span=Span(start=paras[0][0], end=paras[0][0]),
                span=Span(start=paras[0][0], end=paras[first - 1][1]),
                page=where[0], line=where[1],
            )
        )
    for n, placed in enumerate(tree.placed):
        h = placed.heading
        start = paras[h.para][0]
        where = page_line(start)
        sections.append(
            Section(
                section_id=ids[n],
                kind=h.rule.kind,
                number=h.number,
                ordinal=h.ordinal,
                title=h.title,
                level=0 if h.rule is _BODY else placed.level,
                parent_id=ids[placed.parent] if placed.parent is not None else None,
                heading_span=Span(start=h.heading_span[0], end=h.heading_span[1]),
                span=Span(start=start, end=paras[max(placed.end_para, h.para)][1]),
                run_in=h.run_in,
                page=where[0],
                line=where[1],
            )
        )
    section_of_para = [ids[s] if s is not None else "s0" for s in tree.section_of_para]
    return Document(
        doc_id=meta.doc_id,
        meta=meta,
        source_path=raw.path,
        source_format=raw.format,
        raw_sha256=raw.sha256,
        text=text,
        sections=tuple(sections),
        clauses=build_clauses(text, paras, section_of_para, page_line),
        tables=tuple(document_tables(_captioned_tables(text, paras, tree, ids), paras, section_of_para, raw, clean)),
        offsets=clean.offsets,
        raw_page_starts=raw.page_starts,
        raw_text=raw.text,
        warnings=raw.warnings + tuple(tree.warnings),
    )
