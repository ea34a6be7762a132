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
tasks 1–16 across six groups). Placing the recognised headings is ``heading_tree.py``'s.
"""

from __future__ import annotations

import bisect
import re

from pipeline.chinese import cn_to_int
from pipeline.clauses import build_clauses, protected_ranges
from pipeline.doc_tables import CaptionedTable, document_tables
from pipeline.heading_tree import BODY, Heading, HeadingTree, build_tree
from pipeline.model import CleanText, Document, DocumentMeta, RawDocument, Section, Span
from pipeline.rules import HeadingRule, cleaning_rules, heading_rules, meta_rules
from pipeline.rules.classify import ends_paragraph, match_heading, table_of_contents

_MD_PREFIX = re.compile(r"[ \t]*(#{1,6})[ \t]*(?:\*\*)?[ \t]*$")
_COLON_TITLE_MAX = 20
_ROW_SPLIT = re.compile(r"[ \t\u3000]+")


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
# Assembling the Document


def _captioned_tables(doc_text: str, paras: list[tuple[int, int]], tree: HeadingTree, ids: list[str]) -> list[CaptionedTable]:
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
                level=0 if h.rule is BODY else placed.level,
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
