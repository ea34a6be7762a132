"""Rule claims read from a document's text: caps, counts, levels and tiers.

``extract_rule_claims(doc)`` reads what ``search_api/lexicons/rule_claims.yaml`` describes:

    cap    原则上每个园区的主导产业不超过3个          (a rule: every park ≤ 3)
    count  …绿色建材四大主导产业 / 主导产业：——A。——B。  (a plan: this park has 4)
    level  安全等级由一般风险等级（C级）升级为较低风险等级（D级）  (→ D by 2025)
    tier   形成千亿级园区2个                           (≥ 2 parks reach 1000亿元 in 2025)

Patterns run over the text with whitespace removed (PDF line breaks must not break a match);
spans map back to ``Document.text``, so every claim quotes the document exactly. The scope of a
claim is the place named closest before it in its sentence, else its section heading, else the
document's subject; its year, the last year named before it in its section.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

import cn2an

from extractors.checks.scopes import (
    issuer_area,
    known_scopes,
    resolve_scope,
    scope_lexicon,
    section_park,
    squash,
)
from extractors.lexicon import LexiconModel, Rule, load_lexicon
from extractors.targets.lexicon import compact
from pipeline.model import Document, Evidence, Section, SourceRef, Span

_SENTENCE_END = re.compile(r"[。；！？]")
_HEADING = re.compile(r"第[一二三四五六七八九十]+[节章]")
_CN_ONES = {"十": 10, "百": 100, "千": 1000, "万": 10000}


class ClaimRule(Rule):
    indicators: tuple[str, ...] = ()
    subject: str = ""


class ListRule(LexiconModel):
    id: str
    description: str = ""
    subject: str
    intro: str
    item: str
    stop: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


class EnumerationRule(Rule):
    subject: str
    separator: str = "、"
    open_marker: str = "等"


class LevelStep(LexiconModel):
    level: str
    names: tuple[str, ...]


class LevelSpec(LexiconModel):
    scale: tuple[LevelStep, ...]
    claims: tuple[ClaimRule, ...]


class LeadMatch(LexiconModel):
    min_title_overlap: float
    min_similarity: float


class LeadConfig(LexiconModel):
    matches: tuple[LeadMatch, ...]
    title_weight: int = 1
    generic_words: tuple[str, ...] = ()


class RuleLexicon(LexiconModel):
    version: int
    subjects: tuple[ClaimRule, ...]
    caps: tuple[ClaimRule, ...]
    counts: tuple[ClaimRule, ...]
    lists: tuple[ListRule, ...]
    enumerations: tuple[EnumerationRule, ...] = ()
    levels: LevelSpec
    tiers: tuple[ClaimRule, ...]
    year_context: ClaimRule
    lead_conflict: LeadConfig


@functools.cache
def rule_lexicon() -> RuleLexicon:
    return load_lexicon("rule_claims.yaml", RuleLexicon)


@dataclass(frozen=True)
class RuleClaim:
    claim_id: str  # f"{doc_id}@{start}-{end}"
    kind: str  # cap | count | level | tier
    rule: str
    doc_id: str
    subject: str
    quote: str
    source: SourceRef
    value: int | None = None  # the cap, the count, or the number of parks of a tier
    threshold: Decimal | None = None  # a tier's output, 亿元
    level: str | None = None
    scopes: tuple[str, ...] = ()
    per: str | None = None  # what a cap applies to: park | district
    year: int | None = None
    items: tuple[str, ...] = ()

    def parsed(self) -> str:
        where, year = "、".join(self.scopes), f"{self.year}年 " if self.year else ""
        if self.kind == "cap":
            per = "园区" if self.per == "park" else "县（区）"
            return f"{where} 每个{per} {self.subject} ≤ {self.value}个"
        if self.kind == "count":
            items = f"（{'、'.join(self.items)}）" if self.items else ""
            return f"{where} {self.subject} = {self.value}个{items}"
        if self.kind == "level":
            return f"{year}{where} {self.subject} → {self.level}级"
        return f"{year}{where} {self.threshold}亿元级园区 ≥ {self.value}个"

    def evidence(self) -> Evidence:
        return Evidence(quote=self.quote, source=self.source, parsed=self.parsed())


def cn_int(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text in _CN_ONES:
        return _CN_ONES[text]
    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


# --------------------------------------------------------------------------------------------
# Reading claims from a document


def section_at(doc: Document, offset: int) -> Section | None:
    inside = [s for s in doc.sections if s.span.start <= offset < s.span.end]
    return max(inside, key=lambda s: (s.level, s.span.start)) if inside else None


class _Reader:
    """Claims of one document; small helpers share the squashed text and the document."""

    def __init__(self, doc: Document) -> None:
        # one view without line breaks (PDF text wraps every ~30 characters), as targets read
        self.doc, self.sq, self.lex = doc, compact(doc.text), rule_lexicon()

    def claim(self, kind: str, rule: str, start: int, end: int, **fields) -> RuleClaim:
        a, b = self.sq.source_span(start, end)
        span = Span(start=a, end=b)
        section = section_at(self.doc, span.start)
        return RuleClaim(
            claim_id=f"{self.doc.doc_id}@{span.start}-{span.end}",
            kind=kind,
            rule=rule,
            doc_id=self.doc.doc_id,
            quote=self.doc.text[span.start : span.end],
            source=self.doc.source_ref(span, section.section_id if section else None),
            **fields,
        )

    def labels(self, start: int) -> tuple[str, ...]:
        section = section_at(self.doc, self.sq.orig[start])
        return self.doc.section_path(section.section_id) if section else ()

    def clause_start(self, start: int) -> int:
        """Start of the clause holding ``start`` (after the last ，。；： before it)."""
        lo = max(0, start - 200)
        ends = [m.end() for m in re.finditer(r"[，。；：:！？]", self.sq.text[lo:start])]
        return lo + ends[-1] if ends else lo

    def sentence_head(self, start: int) -> str:
        ends = [m.end() for m in _SENTENCE_END.finditer(self.sq.text, max(0, start - 300), start)]
        return self.sq.text[(ends[-1] if ends else max(0, start - 300)) : start]

    def scope(self, start: int) -> str:
        """The place named (or generically meant) closest before ``start`` in its sentence."""
        head = self.sentence_head(start)
        named = known_scopes(head)
        generic = [m for cue in scope_lexicon().generic for m in cue.regex.finditer(head)]
        last_generic = max(generic, key=lambda m: m.end(), default=None)
        if named and (last_generic is None or named[-1][2] >= last_generic.end()):
            return named[-1][0]
        word = last_generic.group() if last_generic else ""
        return resolve_scope(word, self.labels(start), self.doc.meta)[0]

    def year(self, start: int) -> int | None:
        """The last year named before ``start`` in its section (or its line, without sections)."""
        section = section_at(self.doc, self.sq.orig[start])
        if section is not None:
            lo = section.span.start
        else:
            lo = self.doc.text.rfind("\n", 0, self.sq.orig[start]) + 1
        region = self.doc.text[lo : self.sq.orig[start]]
        years = self.lex.year_context.regex.findall(squash(region))
        return int(years[-1]) if years else None

    def subject(self, text: str) -> str:
        return next((s.id for s in self.lex.subjects if s.regex.search(text)), text)

    def caps(self) -> list[RuleClaim]:
        area = issuer_area(self.doc.meta) or self.doc.doc_id
        out = []
        for rule in self.lex.caps:
            for m in rule.regex.finditer(self.sq.text):
                per = "district" if re.search("县|区县", m.group("per")) else "park"
                out.append(
                    self.claim(
                        "cap",
                        rule.id,
                        m.start(),
                        m.end(),
                        subject=self.subject(m.group("subject")),
                        value=cn_int(m.group("value")),
                        per=per,
                        scopes=(area,),
                    )
                )
        return out

    def counts(self) -> list[RuleClaim]:
        out = []
        for rule in self.lex.counts:
            for m in rule.regex.finditer(self.sq.text):
                if re.search(
                    "超过|多于|最多|不得", self.sq.text[max(0, m.start() - 4) : m.start()]
                ):
                    continue  # "不超过4个主导产业" is a cap, not a count
                out.append(
                    self.claim(
                        "count",
                        rule.id,
                        self.clause_start(m.start()),
                        m.end(),
                        subject=self.subject(m.group("subject")),
                        value=cn_int(m.group("value")),
                        scopes=(self.scope(m.start()),),
                    )
                )
        for rule in self.lex.lists:
            out += self._lists(rule)
        for rule in self.lex.enumerations:
            out += self._enumerations(rule)
        return out

    def _enumerations(self, rule: EnumerationRule) -> list[RuleClaim]:
        out = []
        for m in rule.regex.finditer(self.sq.text):
            items = m.group("items")
            if rule.open_marker in items:
                continue  # "A、B等": not a closed list
            names = tuple(x for x in items.split(rule.separator) if x)
            out.append(
                self.claim(
                    "count",
                    rule.id,
                    self.clause_start(m.start()),
                    m.end(),
                    subject=rule.subject,
                    value=len(names),
                    items=names,
                    scopes=(self.scope(m.start()),),
                )
            )
        return out

    def _lists(self, rule: ListRule) -> list[RuleClaim]:
        out, item_re, stop_re = [], re.compile(rule.item), re.compile(rule.stop)
        for intro in re.finditer(rule.intro, self.sq.text):
            stop = stop_re.search(self.sq.text, intro.end(), intro.end() + 4000)
            limit = stop.start() if stop else min(len(self.sq.text), intro.end() + 4000)
            items = list(item_re.finditer(self.sq.text, intro.end(), limit))
            if not items or items[0].start() > intro.end() + 2:
                continue
            names = tuple(m.group("item") for m in items)
            out.append(
                self.claim(
                    "count",
                    rule.id,
                    intro.start(),
                    items[-1].end(),
                    subject=rule.subject,
                    value=len(names),
                    items=names,
                    scopes=(self._list_scope(intro.start()),),
                )
            )
        return out

    def _list_scope(self, start: int) -> str:
        """The park a list belongs to: its section, else the heading before it, else the
        park named last before it."""
        for label in reversed(self.labels(start)):
            if park := section_park(label, self.doc.meta):
                return park
        before = self.sq.text[max(0, start - 3000) : start]
        headings = list(_HEADING.finditer(before))
        if headings:
            found = known_scopes(before[headings[-1].end() : headings[-1].end() + 40])
            if found:
                return found[0][0]
        found = known_scopes(before)
        return found[-1][0] if found else self.scope(start)

    def levels(self) -> list[RuleClaim]:
        out = []
        for rule in self.lex.levels.claims:
            for m in rule.regex.finditer(self.sq.text):
                level = _level(m.group("to"), self.lex.levels)
                if level is None:
                    continue
                head = self.sq.text[self.clause_start(m.start()) : m.start()]
                scopes = tuple(dict.fromkeys(f[0] for f in known_scopes(head))) or (
                    self.scope(m.start()),
                )
                out.append(
                    self.claim(
                        "level",
                        rule.id,
                        self.clause_start(m.start()),
                        m.end(),
                        subject=rule.subject,
                        level=level,
                        scopes=scopes,
                        year=self.year(m.start()),
                    )
                )
        return out

    def tiers(self) -> list[RuleClaim]:
        out = []
        for rule in self.lex.tiers:
            for m in rule.regex.finditer(self.sq.text):
                tier, count = cn_int(m.group("tier")), cn_int(m.group("count"))
                if tier is None or count is None:
                    continue
                out.append(
                    self.claim(
                        "tier",
                        rule.id,
                        m.start(),
                        m.end(),
                        subject="|".join(rule.indicators),
                        value=count,
                        threshold=Decimal(tier),
                        scopes=(self.scope(m.start()),),
                        year=self.year(m.start()),
                    )
                )
        return out


def _level(text: str, spec: LevelSpec) -> str | None:
    names = sorted(
        ((n, step.level) for step in spec.scale for n in step.names), key=lambda x: -len(x[0])
    )
    hits = [(text.find(n), lvl) for n, lvl in names if n in text]
    return min(hits)[1] if hits else None


def extract_rule_claims(doc: Document) -> list[RuleClaim]:
    """Caps, counts, levels and tiers stated in one document, with spans into ``doc.text``."""
    reader = _Reader(doc)
    return [*reader.caps(), *reader.counts(), *reader.levels(), *reader.tiers()]
