"""A document's own period (规划期 / 实施期): the time frame of its measures that state no deadline.

    document_period(meta)                    # the manifest's period, else the title's
        -> DocumentPeriod(start=2021, end=2025, label="规划期", basis="标题")
    document_period(meta, text)              # … else the text's 规划期限为2021年—2025年

A measure's own deadline always wins; the period is what a 任务分工表 shows instead of an empty
完成时限 cell, marked as inherited. The patterns are data (``lexicons/periods.yaml``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from pipeline.model import DocumentMeta, Span

from extractors.deadlines import plan_years
from extractors.lexicon import LexiconModel, Rule, load_lexicon

PeriodBasis = Literal["文件元数据", "标题", "正文"]


class PeriodLexicon(LexiconModel):
    declared: Rule
    title_range: Rule
    title_plan: Rule
    statement: Rule
    plan_words: Rule


@functools.cache
def period_lexicon() -> PeriodLexicon:
    return load_lexicon("periods.yaml", PeriodLexicon)


@dataclass(frozen=True)
class DocumentPeriod:
    """Years a document covers, where that was read, and what the document calls it."""

    start: int | None
    end: int
    label: str  # 规划期 / 实施期
    basis: PeriodBasis
    span: Span | None = None  # where the text states it (basis 正文)

    def due_text(self, sep: str = "") -> str:
        """``2025年底前（规划期）``: the period's end, marked as the document's, not the measure's
        (``sep`` before the mark: a line break in a narrow printed column)."""
        return f"{self.end}年底前{sep}（{self.label}）"


def _label(meta: DocumentMeta, stated_kind: str | None = None) -> str:
    if stated_kind == "规划":
        return "规划期"
    if stated_kind is None and period_lexicon().plan_words.regex.search(f"{meta.doc_type or ''}{meta.title}"):
        return "规划期"
    return "实施期"


def _years(start: str, end: str) -> tuple[int, int] | None:
    first, last = int(start), int(end)
    return (first, last) if first <= last <= first + 20 else None  # 2025—2021 is not a period


def document_period(meta: DocumentMeta, text: str | None = None) -> DocumentPeriod | None:
    """The period ``meta``'s document covers, or None when neither its metadata, its title nor
    (when given) its ``text`` states one.

    Args:
        meta: the document's metadata; ``meta.period`` (from a manifest) is read first.
        text: the document's text, read last for a 规划期限/实施期限 statement. None skips it
            (callers pass it only when the cheaper sources found nothing).
    """
    lexicon = period_lexicon()
    if meta.period and (m := lexicon.declared.regex.search(meta.period)):
        if years := _years(m.group("start"), m.group("end")):
            return DocumentPeriod(*years, _label(meta), "文件元数据")
    if m := lexicon.title_range.regex.search(meta.title):
        if years := _years(m.group("start"), m.group("end")):
            return DocumentPeriod(*years, _label(meta), "标题")
    if (m := lexicon.title_plan.regex.search(meta.title)) and (plan := plan_years(m.group("plan"))):
        return DocumentPeriod(*plan, _label(meta), "标题")
    if text and lexicon.statement.may_match(text) and (m := lexicon.statement.regex.search(text)):
        if years := _years(m.group("start"), m.group("end")):
            return DocumentPeriod(*years, _label(meta, m.group("kind")), "正文",
                                  Span(start=m.start(), end=m.end()))
    return None
