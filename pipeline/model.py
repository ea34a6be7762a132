"""The document model: the one typed shape that flows through every stage.

    RawDocument   what a loader read: the raw text (PDF pages joined by ``\\f``), tables, encoding
    CleanText     the cleaned text plus an OffsetMap back to the raw text
    Document      cleaned text + Sections (heading ladder, numbered items) + Clauses (sentences)

Extractor outputs (UnitMention, Deadline, Target, Task) and consistency Findings are defined here
too, so the CLI, the JSON on disk, the registry and the API all speak the same types.

Invariant everywhere: ``doc.text[span.start:span.end] == <the text the object claims>``.
Provenance: every object that users see carries a ``SourceRef`` (document, section path,
page/line in the *raw* file, character span in the *cleaned* text).
"""

from __future__ import annotations

import bisect
import re
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

# --------------------------------------------------------------------------------------------
# Spans and the way back to the raw file


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(Frozen):
    """Half-open character range ``[start, end)`` into a text (cleaned ``Document.text``)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end < self.start:
            raise ValueError(f"span end {self.end} < start {self.start}")
        return self

    def slice(self, text: str) -> str:
        return text[self.start : self.end]

    def __len__(self) -> int:
        return self.end - self.start


class OffsetMap(Frozen):
    """Maps each character of the cleaned text back to a character of the raw text.

    Stored as runs: cleaned ``[clean_starts[i], clean_starts[i] + lengths[i])`` was copied from raw
    ``[raw_starts[i], ...)``. Characters the cleaner inserted (e.g. nothing, or a joining space)
    are not covered by a run and map to the raw position of the previous copied character.
    Runs are sorted by ``clean_starts`` and never overlap.
    """

    clean_starts: tuple[int, ...] = ()
    raw_starts: tuple[int, ...] = ()
    lengths: tuple[int, ...] = ()

    @classmethod
    def identity(cls, length: int) -> "OffsetMap":
        return cls(clean_starts=(0,), raw_starts=(0,), lengths=(length,)) if length else cls()

    def to_raw(self, clean_index: int) -> int:
        """Raw offset of cleaned character ``clean_index`` (for an end offset use ``to_raw_end``)."""
        i = bisect.bisect_right(self.clean_starts, clean_index) - 1
        if i < 0:
            return self.raw_starts[0] if self.raw_starts else 0
        delta = clean_index - self.clean_starts[i]
        if delta < self.lengths[i]:
            return self.raw_starts[i] + delta
        return self.raw_starts[i] + max(self.lengths[i] - 1, 0)

    def to_raw_end(self, clean_end: int) -> int:
        """Raw end offset (exclusive) for a cleaned span ending at ``clean_end``."""
        if clean_end <= 0:
            return self.to_raw(0)
        return self.to_raw(clean_end - 1) + 1

    def raw_span(self, span: Span) -> Span:
        if len(span) == 0:
            r = self.to_raw(span.start)
            return Span(start=r, end=r)
        return Span(start=self.to_raw(span.start), end=self.to_raw_end(span.end))


class PageLine(Frozen):
    """A position in the raw file as a person finds it: page (1-based) and line on that page."""

    page: int = Field(ge=1)
    line: int = Field(ge=1)


def raw_page_line(raw_text: str, raw_offset: int, page_starts: tuple[int, ...]) -> PageLine:
    """Page and line of ``raw_offset`` given the raw offsets where pages begin.

    Lines count from 1 at the top of each page (what a reader counts on a printed page); a
    file without pages is page 1.
    """
    p = max(bisect.bisect_right(page_starts, raw_offset) - 1, 0) if page_starts else 0
    page_start = page_starts[p] if page_starts else 0
    line = raw_text.count("\n", page_start, max(raw_offset, page_start)) + 1
    return PageLine(page=p + 1, line=line)


# --------------------------------------------------------------------------------------------
# What loaders produce


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
        )


# --------------------------------------------------------------------------------------------
# Provenance and extractor outputs


class SourceRef(Frozen):
    """Where a thing comes from. ``char_*`` index ``Document.text``; page/line are in the raw file."""

    doc_id: str
    section_path: tuple[str, ...] = ()
    page: int = 1
    line_start: int = 1
    page_end: int | None = None
    line_end: int = 1
    char_start: int
    char_end: int


Role = Literal["lead", "supporting", "unassigned"]


UnitFlagKind = Literal["possible_typo", "needs_jurisdiction", "place_prefix", "other_city", "not_unit_shape"]


class UnitFlag(Frozen):
    """Why the unit authority's reading of a name deserves a second look.

    ``value`` is what the flag is about:

    - ``possible_typo``: the known name it is one or two characters away from (市政务管理局);
    - ``needs_jurisdiction``: the tier word of a bare name whose place is not given (区);
    - ``place_prefix``: the document's own place, dropped from the name (攀枝花);
    - ``other_city``: another city, whose body it stays (成都);
    - ``not_unit_shape``: none (the name does not end like the name of a body).

    On the wire (the registry's JSON, the JSON contract, the API) a flag is the text
    ``kind:value`` (``possible_typo:市政务管理局``): the contract (docs/json-contract.md) lists
    flags as strings, and registries already saved hold them so.
    """

    kind: UnitFlagKind
    value: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            kind, colon, value = data.partition(":")
            return {"kind": kind, "value": value if colon else None}
        return data

    @model_serializer
    def _as_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"


# where a model holds flags, its JSON Schema shows their wire form, the text read and written
UnitFlagText = Annotated[
    UnitFlag,
    WithJsonSchema({
        "type": "string",
        "pattern": f"^({'|'.join(get_args(UnitFlagKind))})(:.+)?$",
        "examples": ["possible_typo:市政务管理局"],
    }),
]


class UnitMention(Frozen):
    name: str  # as written (page-break repairs applied, nothing else)
    canonical: str  # from the unit authority; == name when unknown
    role: Role
    span: Span | None = None  # in Document.text
    known: bool = True  # False when the authority does not know the name
    flags: tuple[UnitFlagText, ...] = ()


DeadlineKind = Literal["by_date", "period", "relative", "recurring", "ongoing", "unspecified"]


class Deadline(Frozen):
    text: str
    kind: DeadlineKind
    date: dt.date | None = None  # the due date for by_date / relative
    start: dt.date | None = None  # for period
    end: dt.date | None = None
    span: Span | None = None

    @property
    def due(self) -> dt.date | None:
        """The day this deadline falls due: its date, or the last day of its period."""
        return self.date or self.end

    @property
    def due_year(self) -> int | None:
        return self.due.year if self.due else None


Comparator = Literal[
    "eq", "ge", "gt", "le", "lt", "approx", "increase_by", "decrease_by", "qualitative"
]


class Target(Frozen):
    """A target as a typed claim: indicator, scope, value(s), unit, comparator, year."""

    target_id: str  # f"{doc_id}:t{n}"
    doc_id: str
    text: str  # the sentence (clause) the claim comes from
    quote: str  # the smallest piece of text that states the claim
    indicator: str
    scope: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    comparator: Comparator
    year: int | None = None
    binding: Literal["预期性", "约束性"] | None = None
    cumulative: bool = False
    task_id: str | None = None
    span: Span  # the quote in Document.text
    source: SourceRef


class Task(Frozen):
    """A measure (任务/措施) as the secretariat tracks it."""

    task_id: str  # f"{doc_id}:{path of numbers}" e.g. "002:二.（一）.1"
    doc_id: str
    number: str | None = None  # its own number as written: "十二、", "3.", "（一）"
    title: str
    text: str
    section_path: tuple[str, ...] = ()
    lead: tuple[UnitMention, ...] = ()
    supporting: tuple[UnitMention, ...] = ()
    unassigned_units: tuple[UnitMention, ...] = ()  # named, but no role can be told
    role_rule: str | None = None  # the rule that assigned roles, e.g. "逗号前为牵头单位"
    deadlines: tuple[Deadline, ...] = ()
    target_ids: tuple[str, ...] = ()
    span: Span
    source: SourceRef

    @property
    def assigned(self) -> bool:
        return bool(self.lead or self.supporting)


class Evidence(Frozen):
    quote: str
    source: SourceRef
    target_id: str | None = None
    task_id: str | None = None
    parsed: str | None = None  # the typed reading, e.g. "2025年 工业总产值 = 900 亿元"


FindingKind = Literal[
    "conflict",
    "basis_mismatch",
    "year_drift",
    "superseded",
    "consistent",
    "part_exceeds_whole",
    "rule_conflict",
    "lead_conflict",
    "sum_mismatch",
]


class Finding(Frozen):
    finding_id: str
    kind: FindingKind
    severity: Literal["high", "medium", "low", "info"]
    rule: str  # id of the check that fired
    reason: str  # one line, in Chinese
    left: Evidence
    right: Evidence
    newer: Literal["left", "right"] | None = None
