"""Reading targets as typed claims, and pairing the claims that speak of the same quantity.

A ``Target`` says "到2025年，攀枝花东区高新技术产业园区工业产值达到900亿元". To compare it with
another document we need its typed reading (``Reading``): indicator 工业总产值 (工业产值 is the
same quantity), sector none, scope 东区园区, year 2025, interval [900, 900] 亿元, basis: all
enterprises, a level (not a growth rate), a target (not a baseline). Everything here is decided
by the tables in ``search_api/lexicons/indicators.yaml`` and ``scopes.yaml``.

``aligned_pairs`` yields the pairs worth classifying: same indicator and sector, scopes that are
the same or nested. An embedding model may *propose* further pairs through an injected function
(``propose``), only for indicators the lexicon does not know; typed fields still decide.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pipeline.model import DocumentMeta, Target

from extractors.lexicon import LexiconModel, load_lexicon
from extractors.checks.scopes import (
    Cue,
    Relation,
    effective_date,
    first_cue,
    resolve_scope,
    scope_lexicon,
    scope_relation,
    squash,
)

ProposeFn = Callable[[Sequence[str]], Sequence[tuple[int, int]]]


class UnitFamily(LexiconModel):
    id: str
    base: str
    additive: bool = False
    factors: dict[str, Decimal]


class IndicatorEntry(LexiconModel):
    id: str
    description: str = ""
    aliases: tuple[str, ...]
    related: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


class IndicatorLexicon(LexiconModel):
    version: int
    units: tuple[UnitFamily, ...]
    indicators: tuple[IndicatorEntry, ...]
    scale: tuple[Cue, ...]
    growth: tuple[Cue, ...]
    bounds: tuple[Cue, ...]
    tense: tuple[Cue, ...]
    sector_noise: tuple[Cue, ...]
    sector_cues: tuple[Cue, ...]
    breakdown: Cue


@functools.cache
def indicator_lexicon() -> IndicatorLexicon:
    return load_lexicon("indicators.yaml", IndicatorLexicon)


# --------------------------------------------------------------------------------------------
# Indicators


@functools.cache
def _alias_index() -> tuple[re.Pattern[str], dict[str, str]]:
    lex = indicator_lexicon()
    alias_to_id = {squash(a): e.id for e in lex.indicators for a in e.aliases}
    ordered = sorted(alias_to_id, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in ordered)), alias_to_id


@dataclass(frozen=True)
class IndicatorKey:
    indicator: str  # lexicon id, or the cleaned phrase when the lexicon does not know it
    known: bool
    sector: str | None


def _strip_growth(phrase: str) -> str:
    for cue in indicator_lexicon().growth:
        phrase = cue.regex.sub("", phrase)
    return phrase


def _sector(prefix: str) -> str | None:
    """What stands before an indicator once places, generic words, time and filler are gone."""
    lex, scopes = indicator_lexicon(), scope_lexicon()
    text = scopes.alias_regex.sub("", squash(prefix)) if scopes.alias_to_id else squash(prefix)
    for cue in (*scopes.generic, *lex.sector_noise, *lex.scale):
        text = cue.regex.sub("", text)
    return text if text and first_cue(lex.sector_cues, text) else None


def normalise_indicator(phrase: str, quote: str = "") -> IndicatorKey:
    """Indicator id and sector of an indicator phrase (helped by the quote it stands in).

    >>> normalise_indicator("工业产值").indicator
    '工业总产值'
    """
    regex, alias_to_id = _alias_index()
    core = _strip_growth(squash(phrase))
    # the longest alias the phrase ENDS with: 服务业增加值 is not 工业增加值
    start = next((i for i in range(len(core)) if core[i:] in alias_to_id), None)
    if start is not None:
        indicator = alias_to_id[core[start:]]
        sector = _sector(core[:start])
        if sector is None and quote:
            sector = _sector_from_quote(quote, indicator)
        return IndicatorKey(indicator, True, sector)
    q = squash(quote)
    value_at = re.search(r"\d", q)
    hits = [m for m in regex.finditer(q[: value_at.start()] if value_at else q)]
    if hits:
        m = hits[-1]
        return IndicatorKey(alias_to_id[m.group()], True, _sector(q[: m.start()]))
    cleaned = core
    for cue in (*indicator_lexicon().scale, *indicator_lexicon().sector_noise):
        cleaned = cue.regex.sub("", cleaned)
    return IndicatorKey(cleaned or core, False, None)


def _sector_from_quote(quote: str, indicator: str) -> str | None:
    regex, alias_to_id = _alias_index()
    q = squash(quote)
    value_at = re.search(r"\d(?![\d.]*\s*年)", q)
    head = q[: value_at.start()] if value_at else q
    hits = [m for m in regex.finditer(head) if alias_to_id[m.group()] == indicator]
    return _sector(head[: hits[-1].start()]) if hits else None


# --------------------------------------------------------------------------------------------
# Readings


@dataclass(frozen=True)
class Reading:
    target: Target
    meta: DocumentMeta
    key: IndicatorKey
    scope: str
    scope_how: str
    year: int | None
    low: Decimal | None  # in the family's base unit; None = unbounded
    high: Decimal | None
    family: str | None
    scale: str | None  # "规上" or None (all enterprises)
    growth: str  # level | single | annual_avg | cumulative
    tense: str  # target | baseline

    @property
    def additive(self) -> bool:
        fam = next((u for u in indicator_lexicon().units if u.id == self.family), None)
        return bool(fam and fam.additive)

    @property
    def scale_label(self) -> str:
        """ "规上" when it qualifies the indicator and is not already part of its name."""
        return self.scale if self.scale and self.scale not in self.key.indicator else ""

    def parsed(self) -> str:
        t = self.target
        basis = {"single": "增长", "annual_avg": "年均增长", "cumulative": "累计"}.get(
            self.growth, ""
        )
        what = f"{self.scale_label}{self.key.sector or ''}{self.key.indicator}{basis}"
        unit = t.unit or ""
        if self.low is not None and self.high is not None and self.low != self.high:
            op, val = "∈", f"{t.value}–{t.value_max or t.value}"
        else:
            op = "=" if self.low == self.high else ("≥" if self.high is None else "≤")
            val = f"{t.value}"
        year = f"{self.year}年 " if self.year else ""
        return f"{year}{self.scope} {what} {op} {val} {unit}".strip()


def _unit(unit: str | None) -> tuple[str | None, Decimal]:
    if not unit:
        return None, Decimal(1)
    u = squash(unit)
    for fam in indicator_lexicon().units:
        if u in fam.factors:
            return fam.id, fam.factors[u]
    return u, Decimal(1)


def _interval(t: Target, factor: Decimal) -> tuple[Decimal | None, Decimal | None]:
    value = t.value * factor
    if t.value_max is not None:
        return value, t.value_max * factor
    bound = first_cue(indicator_lexicon().bounds, squash(t.quote))
    kind = bound.value if bound else {"le": "upper", "lt": "upper"}.get(t.comparator)
    if kind == "lower":
        return value, None
    if kind == "upper":
        return None, value
    return value, value  # eq, approx, and ge/gt stated as a level ("达到900亿元")


def _growth(t: Target, phrase: str) -> str:
    if t.cumulative:
        return "cumulative"
    cue = first_cue(indicator_lexicon().growth, phrase)
    if cue:
        return cue.value
    return "single" if t.comparator in ("increase_by", "decrease_by") else "level"


def _tense(t: Target, doc_year: int | None) -> str:
    cue = first_cue(indicator_lexicon().tense, squash(t.quote))
    if cue:
        return cue.value
    return "baseline" if t.year and doc_year and t.year < doc_year else "target"


def read_target(t: Target, meta: DocumentMeta) -> Reading | None:
    """The typed reading of a target, or None when it carries no comparable number."""
    if t.value is None or t.comparator == "qualitative" or not t.quote.strip():
        return None
    if t.scope and scope_lexicon().distributive.regex.search(squash(t.scope)):
        return None  # "每个园区…不超过3个" is a rule for each park: consistency_rules reads it
    quote = squash(t.quote)
    key = normalise_indicator(t.indicator, t.quote)
    head = quote[: m.start()] if (m := re.search(r"\d(?![\d.]*年)", quote)) else quote
    scope, how = resolve_scope(head, t.source.section_path, meta, explicit=t.scope)
    family, factor = _unit(t.unit)
    low, high = _interval(t, factor)
    phrase = squash(t.indicator) + "|" + quote
    scale = first_cue(indicator_lexicon().scale, phrase)
    doc_date = effective_date(meta)
    return Reading(
        target=t,
        meta=meta,
        key=key,
        scope=scope,
        scope_how=how,
        year=t.year,
        low=low,
        high=high,
        family=family,
        scale=scale.value if scale else None,
        growth=_growth(t, phrase),
        tense=_tense(t, doc_date.year if doc_date else None),
    )


def read_targets(targets: Sequence[Target], metas: dict[str, DocumentMeta]) -> list[Reading]:
    readings = []
    for t in targets:
        meta = metas.get(t.doc_id) or DocumentMeta(doc_id=t.doc_id, title=t.doc_id)
        r = read_target(t, meta)
        if r is not None:
            readings.append(r)
    return readings


def _same_claim(a: Reading, b: Reading) -> bool:
    ta, tb = a.target, b.target
    if ta.target_id == tb.target_id:
        return True
    return ta.doc_id == tb.doc_id and ta.span.start < tb.span.end and tb.span.start < ta.span.end


def aligned_pairs(
    readings: Sequence[Reading], propose: ProposeFn | None = None
) -> Iterator[tuple[Reading, Reading, Relation]]:
    """Pairs with the same indicator and sector whose scopes are the same or nested.

    ``propose`` (e.g. embedding similarity of the quotes) may add pairs of indicators the lexicon
    does not know; they are kept only if their units are of one family and scopes relate.
    """
    groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for i, r in enumerate(readings):
        groups[(r.key.indicator, r.key.sector)].append(i)
    pairs = {(i, j) for idx in groups.values() for n, i in enumerate(idx) for j in idx[n + 1 :]}
    for entry in indicator_lexicon().indicators:  # 营业收入 ~ 主营业务收入: related, not the same
        for other in entry.related:
            for (ind, sector), idx in groups.items():
                if ind != entry.id:
                    continue
                for i in idx:
                    for j in groups.get((other, sector), ()):
                        pairs.add((min(i, j), max(i, j)))
    if propose is not None:
        for i, j in propose([r.target.quote for r in readings]):
            a, b = readings[i], readings[j]
            if not (a.key.known or b.key.known) and a.family == b.family and i != j:
                pairs.add((min(i, j), max(i, j)))
    for i, j in sorted(pairs):
        a, b = readings[i], readings[j]
        rel = scope_relation(a.scope, b.scope)
        if rel != "disjoint" and not _same_claim(a, b):
            yield a, b, rel
