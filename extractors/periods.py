"""A document's own period (规划期 / 实施期): the time frame of its measures that state no deadline.

    document_period(meta)                    # the manifest's period, else the title's
        -> DocumentPeriod(start=2021, end=2025, label="规划期", basis="标题")
    document_period(meta, text)              # … else the text's 规划期限为2021年—2025年

A measure's own deadline always wins; the period is what a 任务分工表 shows instead of an empty
完成时限 cell, marked as inherited. The patterns are data (``lexicons/periods.yaml``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from extractors.lexicon import LexiconModel, Rule, load_lexicon
from extractors.numbers import parse_number
from pipeline.model import DocumentMeta, Span

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


def plan_years(plan: str) -> tuple[int, int] | None:
    """A 五年规划 by its number: 十四五 → (2021, 2025)."""
    n = parse_number(plan[:-1]) if plan.endswith("五") and plan != "十五" else None
    ordinal = 10 if plan == "十五" else (int(n) if n is not None else None)
    if ordinal is None or not 1 <= ordinal <= 20:
        return None
    # The first two plans ran 1953—1962; 1963—1965 was a readjustment; then every five years.
    first = 1953 + 5 * (ordinal - 1) if ordinal <= 2 else 1966 + 5 * (ordinal - 3)
    return first, first + 4


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
    if meta.period and (years := declared_period(meta.period)):
        return DocumentPeriod(*years, _label(meta), "文件元数据")
    if years := period_in_title(meta.title):
        return DocumentPeriod(*years, _label(meta), "标题")
    if text and (m := _period_statement(text)):
        years = _years(m.group("start"), m.group("end"))
        assert years is not None  # _period_statement keeps real periods only
        return DocumentPeriod(*years, _label(meta, m.group("kind")), "正文",
                              Span(start=m.start(), end=m.end()))
    return None


def declared_period(period: str) -> tuple[int, int] | None:
    """The years of a manifest's ``period`` as people write it (2021—2025, 2025至2029年)."""
    m = period_lexicon().declared.regex.search(period)
    return _years(m.group("start"), m.group("end")) if m else None


def period_in_title(title: str) -> tuple[int, int] | None:
    """The years a title names as its period: …（2023—2025年）, “十四五”…规划."""
    lexicon = period_lexicon()
    if (m := lexicon.title_range.regex.search(title)) and (years := _years(m.group("start"), m.group("end"))):
        return years
    if m := lexicon.title_plan.regex.search(title):
        return plan_years(m.group("plan"))
    return None


def period_in_text(text: str) -> tuple[int, int] | None:
    """The years a document's text states as its own period (本规划期限为2021年—2025年)."""
    m = _period_statement(text)
    return _years(m.group("start"), m.group("end")) if m else None


def _period_statement(text: str) -> re.Match[str] | None:
    rule = period_lexicon().statement
    if not rule.may_match(text):
        return None
    for m in rule.regex.finditer(text):
        if _years(m.group("start"), m.group("end")):
            return m
    return None
