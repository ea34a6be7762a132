"""Spans and the way back to the raw file: a character range in ``Document.text``, the offset
map from cleaned text to raw text, and ``SourceRef``, where a thing is in the original file.

Invariant everywhere: ``doc.text[span.start:span.end] == <the text the object claims>``.
"""

from __future__ import annotations

import bisect

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.places import page_line_text


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
    # False when the original has no pages (a text file): only the line is shown. Written only
    # when False, so what was saved before the field existed is written back unchanged.
    paged: bool = Field(default=True, exclude_if=lambda paged: paged)

    def where(self, sep: str = "") -> str:
        """``第3页第12行`` in the original, or ``第12行`` when it has no pages."""
        return page_line_text(self.page, self.line_start, line_end=self.line_end, page_end=self.page_end,
                              paged=self.paged, sep=sep)
