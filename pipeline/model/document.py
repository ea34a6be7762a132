"""What loaders produce and the structured document built from it.

    RawDocument   what a loader read: the raw text (PDF pages joined by ``\\f``), tables, encoding
    CleanText     the cleaned text plus an OffsetMap back to the raw text
    Document      cleaned text + Sections (heading ladder, numbered items) + Clauses (sentences)
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, model_validator

from pipeline.places import has_pages
from pipeline.model.spans import Frozen, OffsetMap, PageLine, SourceRef, Span, raw_page_line

SourceFormat = Literal["txt", "md", "docx", "pdf", "html"]


class RawTable(Frozen):
    """A table as the loader saw it (PDF ruling lines, DOCX table). Cells are raw strings."""

    page: int = 1
    rows: tuple[tuple[str, ...], ...]
    raw_span: Span | None = None  # where its text sits inside RawDocument.text, when it does


class RawDocument(Frozen):
    path: str
    format: SourceFormat
    text: str  # pages joined by "\f"; DOCX/TXT/HTML are one page unless they hold \f themselves
    encoding: str | None = None
    sha256: str
    page_starts: tuple[int, ...] = (0,)  # raw offset at which each page begins
    tables: tuple[RawTable, ...] = ()
    warnings: tuple[str, ...] = ()

    def page_line(self, raw_offset: int) -> PageLine:
        return raw_page_line(self.text, raw_offset, self.page_starts)


class CleanText(Frozen):
    text: str
    offsets: OffsetMap


# --------------------------------------------------------------------------------------------
# The structured document


DocStatus = Literal["征求意见稿", "代拟稿", "送审稿", "试行", "正式", "未知"]


class DocumentMeta(Frozen):
    doc_id: str
    title: str
    issuer: str | None = None
    date: dt.date | None = None
    date_note: str | None = None
    doc_type: str | None = None  # 规划 / 行动方案 / 通知 / 措施 / 意见 …
    doc_number: str | None = None  # 攀东府办〔2023〕4号
    status: DocStatus = "未知"
    period: str | None = None
    original_file: str | None = None
    sha256: str | None = None


SectionKind = Literal[
    "preamble",  # text before the first heading
    "chapter",  # 第一章
    "section",  # 第一节
    "article",  # 第一条 (regulations, 办法): each article is usually one run-in paragraph
    "cn_num",  # 一、
    "paren_cn",  # （一）
    "arabic",  # 1. / 1． / 1、
    "paren_arabic",  # （1）
    "circled",  # ①
    "dash",  # ——加快重点园区建设。
    "box",  # 专栏
    "annex",  # 附件
    "table",  # 表 1—1 caption + rows
    "stage",  # 第一阶段：
    "heading",  # markdown / unnumbered heading
]


class Clause(Frozen):
    """A sentence-like unit: split on 。；！？ outside brackets and quotes."""

    clause_id: str  # f"{section_id}.c{n}"
    section_id: str
    span: Span
    text: str
    paragraph: int  # index of the paragraph within the document (0-based)
    page: int = 1
    line: int = 1  # line on that page in the raw file

    @model_validator(mode="before")
    @classmethod
    def _drop_saved_shadow(cls, data: object) -> object:
        # A saved document may carry a Simplified copy of each clause (``simplified``); readers
        # derive it where they need it, so it is dropped and such files still load.
        if isinstance(data, dict) and "simplified" in data:
            data = {k: v for k, v in data.items() if k != "simplified"}
        return data


class Section(Frozen):
    """A heading or a numbered item and everything under it, until the next sibling.

    Numbered items with a run-in title (``1.编制发展规划。`` / ``**1.优化园区产业布局。**``) are
    sections of kind ``arabic`` etc. whose ``title`` is the run-in phrase and whose body continues
    in the same paragraph (``run_in=True``).
    """

    section_id: str  # stable within the document: "s0", "s1", … in document order
    kind: SectionKind
    number: str | None = None  # as written: "第一章", "一、", "（一）", "1.", "①"
    ordinal: int | None = None  # numeric value of the number: 一 → 1, （三） → 3
    title: str  # heading text or run-in title without number and trailing 。
    level: int = Field(ge=0)  # 0 = preamble; 1 = the top of this document's ladder
    parent_id: str | None = None
    heading_span: Span  # number + title as they stand in Document.text
    span: Span  # the whole section including its children
    run_in: bool = False
    page: int = 1
    line: int = 1

    @property
    def label(self) -> str:
        return f"{self.number or ''}{self.title}".strip()


class DocTable(Frozen):
    table_id: str
    caption: str | None = None
    section_id: str | None = None
    span: Span | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    page: int = 1


class Document(Frozen):
    doc_id: str
    meta: DocumentMeta
    source_path: str
    source_format: SourceFormat
    raw_sha256: str
    text: str  # the cleaned text: every Span points here
    sections: tuple[Section, ...] = ()
    clauses: tuple[Clause, ...] = ()
    tables: tuple[DocTable, ...] = ()
    offsets: OffsetMap
    raw_page_starts: tuple[int, ...] = (0,)
    raw_text: str  # kept so any span can be shown at its page and line in the original
    warnings: tuple[str, ...] = ()

    _sections_by_id: dict[str, Section] | None = PrivateAttr(default=None)

    # Reading ``self._sections_by_id`` goes through pydantic's ``__getattr__``, which costs more
    # than the lookups the cache saves; the caches are read from pydantic's store of private
    # attributes, ``__pydantic_private__``, instead.
    def _section_index(self) -> dict[str, Section]:
        memo = self.__pydantic_private__
        index = memo["_sections_by_id"]
        if index is None:
            index = memo["_sections_by_id"] = {s.section_id: s for s in self.sections}
        return index

    def section(self, section_id: str) -> Section:
        return self._section_index()[section_id]

    def section_path(self, section_id: str | None) -> tuple[str, ...]:
        """Labels from the top of the ladder down to ``section_id`` (preamble excluded)."""
        path: list[str] = []
        by_id = self._section_index()
        cur = by_id.get(section_id) if section_id else None
        while cur is not None:
            if cur.kind != "preamble":
                path.append(cur.label)
            cur = by_id.get(cur.parent_id) if cur.parent_id else None
        return tuple(reversed(path))

    _raw_newlines: list[int] | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # compare the fields only: the lazily built newline index is a cache, not content
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = BaseModel.__hash__

    @property
    def paged(self) -> bool:
        """Whether the original file has pages to name (see ``pipeline.places.has_pages``)."""
        return has_pages(self.source_format, self.raw_page_starts)

    def page_line(self, clean_offset: int) -> PageLine:
        """Page and line in the raw file of a cleaned offset, in O(log n) (same counting as
        ``raw_page_line``; the newline index is built once per document on first use)."""
        page, line = self._page_line_of(clean_offset, self._raw_line_starts())
        return PageLine(page=page, line=line)

    def _raw_line_starts(self) -> list[int]:
        memo = self.__pydantic_private__
        newlines = memo["_raw_newlines"]
        if newlines is None:
            newlines = memo["_raw_newlines"] = [m.start() for m in re.finditer("\n", self.raw_text)]
        return newlines

    def _page_line_of(self, clean_offset: int, newlines: list[int]) -> tuple[int, int]:
        raw_offset = self.offsets.to_raw(clean_offset)
        starts = self.raw_page_starts or (0,)
        p = max(bisect.bisect_right(starts, raw_offset) - 1, 0)
        page_start = starts[p]
        first = bisect.bisect_left(newlines, page_start)
        return p + 1, bisect.bisect_left(newlines, max(raw_offset, page_start)) - first + 1

    def source_ref(self, span: Span, section_id: str | None) -> "SourceRef":
        newlines = self._raw_line_starts()
        page, line = self._page_line_of(span.start, newlines)
        page_end, line_end = self._page_line_of(max(span.end - 1, span.start), newlines)
        return SourceRef(
            doc_id=self.doc_id,
            section_path=self.section_path(section_id),
            page=page,
            line_start=line,
            page_end=page_end,
            line_end=line_end,
            char_start=span.start,
            char_end=span.end,
            paged=self.paged,
        )
