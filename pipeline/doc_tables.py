"""A document's tables: those its text captions (表 1—1 …) and those its loader found (PDF
ruling lines, DOCX and HTML tables, tables written as text), matched to each other and to the
sections they sit in."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from pipeline.model import CleanText, DocTable, RawDocument, Span
from pipeline.normalize import clean_offset


@dataclass(frozen=True)
class CaptionedTable:
    """A table the text announces with a caption; its rows as the text splits them."""

    caption: str
    section_id: str
    span: Span  # in the cleaned text, caption to last row
    rows: tuple[tuple[str, ...], ...]


def raw_table_spans(raw: RawDocument, clean: CleanText) -> list[Span | None]:
    """Where each loader table (PDF ruling lines, DOCX table) sits in the cleaned text, if known."""
    spans: list[Span | None] = []
    for raw_table in raw.tables:
        if raw_table.raw_span is None or not clean.offsets.lengths:
            spans.append(None)
            continue
        a = clean_offset(clean.offsets, raw_table.raw_span.start)
        spans.append(Span(start=a, end=max(a, clean_offset(clean.offsets, raw_table.raw_span.end))))
    return spans


def document_tables(
    captioned: list[CaptionedTable], paras: list[tuple[int, int]], section_of_para: list[str],
    raw: RawDocument, clean: CleanText,
) -> list[DocTable]:
    """Captioned tables with their rows, and the loader's tables.

    A loader table inside a captioned table's region gives that table its rows (real cells rather
    than space-separated text); the others are listed on their own, under the section they sit in.
    """
    raw_spans = raw_table_spans(raw, clean)
    used: set[int] = set()
    tables: list[DocTable] = []
    for table in captioned:
        span, rows, page = table.span, table.rows, 1
        inside = next((i for i, r in enumerate(raw_spans) if r and span.start <= r.start <= span.end + 1), None)
        if inside is not None:
            used.add(inside)
            rows, page = raw.tables[inside].rows, raw.tables[inside].page
        tables.append(DocTable(table_id=f"t{len(tables) + 1}", caption=table.caption, section_id=table.section_id,
                               span=span, rows=rows, page=page))
    starts = [a for a, _ in paras]
    for i, raw_table in enumerate(raw.tables):
        if i in used:
            continue
        span, section_id = raw_spans[i], None
        if span is not None and paras:
            section_id = section_of_para[max(bisect.bisect_right(starts, span.start) - 1, 0)]
        tables.append(
            DocTable(
                table_id=f"t{len(tables) + 1}", section_id=section_id, span=span, rows=raw_table.rows, page=raw_table.page
            )
        )
    return tables
