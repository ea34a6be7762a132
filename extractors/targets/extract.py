"""Targets of a document as typed claims: ``extract_targets(doc, tasks) -> list[Target]``.

    到2025年，攀枝花东区高新技术产业园区工业产值达到900亿元。
        -> Target(scope="攀枝花东区高新技术产业园区", indicator="工业产值", value=900,
                  unit="亿元", comparator="eq", year=2025, quote="攀枝花东区…达到900亿元")

Prose is read clause by clause (``target_claims``), each clause inheriting the lead-in year of its
paragraph (到2025年，…。…) and what its section says about it: 发展目标 / 第一阶段 sections state
targets, 发展现状 sections state baselines, a section about one park names the scope "园区" means.
Target tables are read row by row (``target_tables``). Every target quotes ``Document.text`` at
its span and carries a SourceRef; ``task_id`` is the innermost task whose span holds it.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from extractors.deadlines import extract_deadlines
from extractors.measures.restated import title_key
from extractors.targets.claims import Claim, ClauseContext, continues_history, read_clause
from extractors.targets.lexicon import target_lexicon
from extractors.targets.tables import read_table
from pipeline.chinese import to_simplified, traditional_chars
from pipeline.model import Document, DocumentMeta, Section, Span, Target, Task


@functools.cache
def _place_regex() -> re.Pattern[str]:
    """攀枝花市, 攀枝花市西区, 成都市武侯区, 某某区 at the start of a title or an issuer."""
    not_district = target_lexicon().not_a_district.pattern
    return re.compile(
        r"^(?:中共)?([\u4e00-\u9fff]{2,5}?(?:自治区|省|市|州|盟))?"
        rf"((?:(?!{not_district})[\u4e00-\u9fff]){{1,4}}?(?:区|县|旗)(?![域级内外]))?"
    )


@dataclass(frozen=True)
class SectionContext:
    target: bool
    baseline: bool
    scope: str | None


def document_scope(meta: DocumentMeta) -> str | None:
    """What the document is about when a sentence names no place: 攀枝花东区高新技术产业园区."""
    lex = target_lexicon()
    noise = lex.title_noise.regex
    title = noise.sub("", noise.sub("", meta.title or ""))
    place = next((p for p in (_place(title), _place(meta.issuer or "")) if p), None)
    m = lex.scope.regex.match(title)
    entity = m.group(0) if m and re.search(r"园区|开发区|发展区|高新区|产业园|园$", m.group(0)) else None
    if entity and lex.generic_scopes.regex.match(entity):
        return f"{place}{entity}" if place else entity
    return entity or place


def _place(text: str) -> str | None:
    m = _place_regex().match(text)
    return "".join(g for g in m.groups() if g) or None if m else None


def _period_start(period: str | None) -> int | None:
    m = re.match(r"\s*(\d{4})", period or "")
    return int(m.group(1)) if m else None


def _earliest_due_year(text: str) -> int | None:
    """For an undated document: the first year it sets anything for (到2025年 …); earlier years
    are history."""
    deadlines = extract_deadlines(text)
    years = [d.date.year for d in deadlines if d.kind == "by_date" and d.date is not None]
    return min(years, default=None)


def _section_context(
    by_id: dict[str, Section], section_id: str | None, doc_scope: str | None
) -> SectionContext:
    lex = target_lexicon()
    chain: list[Section] = []
    cur = by_id.get(section_id) if section_id else None
    while cur is not None:
        chain.append(cur)
        cur = by_id.get(cur.parent_id) if cur.parent_id else None
    target = baseline = False
    for s in chain:  # innermost first: a 目标 section inside a 现状 chapter states targets
        if s.kind == "dash":
            continue  # ——赋能中小企业成效明显: a goal's headline, its parent says what the list is
        label = s.label
        if s.kind == "stage" or lex.target_sections.regex.search(label):
            target = True
            break
        if lex.baseline_sections.regex.search(label) or lex.condition_sections.regex.search(label):
            baseline = True
            break
    scope = None
    for s in chain:
        m = lex.scope.regex.fullmatch(s.title.strip())
        if m and not lex.generic_scopes.regex.match(s.title.strip()):
            scope = s.title.strip()
            break
    return SectionContext(target=target, baseline=baseline, scope=scope or doc_scope)


class _Unit(NamedTuple):  # one per clause: a tuple is the cheapest record to make
    start: int
    end: int
    paragraph: int
    section_id: str | None
    simplified: str | None = None


def _reading_units(doc: Document) -> Iterator[_Unit]:
    """The clauses of ``doc`` (for a document the segmenter left without clauses: sentences)."""
    if doc.clauses:
        traditional = traditional_chars(doc.text)  # one pass over the document spares one per clause
        for c in doc.clauses:
            text = doc.text[c.span.start : c.span.end]
            shadow = to_simplified(text) if traditional and not traditional.isdisjoint(text) else None
            yield _Unit(c.span.start, c.span.end, c.paragraph, c.section_id, shadow)
        return
    for n, para in enumerate(re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", doc.text)):
        for m in re.finditer(r"[^。；！？]+[。；！？]?", para.group(0)):
            yield _Unit(para.start() + m.start(), para.start() + m.end(), n, None)


def _inherited_year(
    section_id: str | None, years: dict[str, int], parents: dict[str, str | None]
) -> int | None:
    """The lead-in year of the innermost enclosing section that stated one."""
    while section_id is not None:
        if section_id in years:
            return years[section_id]
        section_id = parents.get(section_id)
    return None


def _governing_year(section_id: str | None, kinds: dict[str, str], parents: dict[str, str | None],
                    body_years: dict[str, int]) -> int | None:
    """The year a list of —— items is governed by: the last year led in with by its parent's own
    text or an earlier item (一、总体要求 … 到2026年，我市… then ——创新能力。打造…; 第二步，到2025年…
    then the second step's items). None outside such a list."""
    if section_id is None or kinds.get(section_id) != "dash":
        return None
    parent = parents.get(section_id)
    return body_years.get(parent) if parent is not None else None


def is_notice(doc: Document) -> bool:
    """A 通报 (表扬, 批评, 情况): it narrates what was done and states no goals. Its title is the
    parsed one or, when none was recognised, the head of the text before the salutation."""
    rule = target_lexicon().notice_titles
    head = re.sub(r"\s+", "", doc.text[:300]).split("：", 1)[0]
    return any(rule.regex.search(t) for t in (doc.meta.title or "", head) if t)


class StatedClaim(NamedTuple):
    claim: Claim  # spans into ``Document.text``
    text: str  # the clause or table row it was read from
    section_id: str | None


def document_claims(
    doc: Document, by_id: Mapping[str, Section] | None = None, table_rows: Sequence[Task] = ()
) -> list[StatedClaim]:
    """Every claim of ``doc`` in document order. ``by_id``: the section index when the caller
    has one (``DocumentContext.by_id``). ``table_rows``: measures read from the rows of a 分工
    table, whose task cells are read like prose (the rest of a table is not)."""
    if is_notice(doc):
        return []
    meta = doc.meta
    doc_scope = document_scope(meta)
    doc_year = (
        meta.date.year if meta.date
        else _period_start(meta.period) or _earliest_due_year(doc.text)
    )
    found: list[StatedClaim] = []
    regions: list[tuple[int, int]] = []
    by_id = by_id if by_id is not None else {s.section_id: s for s in doc.sections}
    contexts = functools.lru_cache(maxsize=None)(lambda sid: _section_context(by_id, sid, doc_scope))
    for table in doc.tables:
        if table.span is not None:
            regions.append((table.span.start, table.span.end))
        ctx = contexts(table.section_id)
        holds_rows = table.span is not None and any(
            table.span.start <= r.span.start < table.span.end for r in table_rows)
        if not ctx.baseline and not holds_rows:  # a 分工 table's rows are read below, cell by cell
            rows = read_table(doc, table, ctx.scope, doc_year)
            found += [StatedClaim(r.claim, r.row_text, r.section_id) for r in rows]
    years: dict[int, int | None] = {}  # lead-in year of each paragraph so far
    section_years: dict[str, int] = {}  # lead-in year of each target section (到2025年，主要目标是：)
    parents = {s.section_id: s.parent_id for s in doc.sections}
    stated: dict[int, bool] = {}  # did the paragraph's last clause state targets
    history: dict[int, bool] = {}  # does the paragraph so far tell what was (2023年，全市…实现…)
    overlaps_table = _overlap_test(regions)
    body_years: dict[str, int] = {}  # last year a section's own text led in with (到2026年，我市…)
    kinds = {s.section_id: s.kind for s in doc.sections}
    for unit in _reading_units(doc):
        if overlaps_table(unit.start, unit.end):
            continue
        sc = contexts(unit.section_id)
        year = years.get(unit.paragraph)
        governing = _governing_year(unit.section_id, kinds, parents, body_years)
        if governing is not None and not sc.baseline:
            if not sc.target:
                sc = replace(sc, target=True)  # —— goals listed under 到2026年，…: the list states targets
            year = year or governing
        if year is None and sc.target:
            year = _inherited_year(unit.section_id, section_years, parents)
        text = doc.text[unit.start : unit.end]
        told = history.get(unit.paragraph, False) and continues_history(unit.simplified or text)
        ctx = ClauseContext(
            doc_date=meta.date, doc_year=doc_year, year=year,
            scope=sc.scope, target_section=sc.target, baseline_section=sc.baseline or told,
            follows_claims=stated.get(unit.paragraph, False),
        )
        reading = read_clause(unit.simplified or text, ctx)  # t2s shadow: same length, same spans
        history[unit.paragraph] = reading.history or told
        years[unit.paragraph] = reading.lead_year or years.get(unit.paragraph)
        stated[unit.paragraph] = bool(reading.claims)
        if sc.target and reading.lead_year and unit.section_id:
            section_years[unit.section_id] = reading.lead_year
        if reading.lead_year and unit.section_id:
            body_years[unit.section_id] = reading.lead_year
            if kinds.get(unit.section_id) == "dash" and (parent := parents.get(unit.section_id)):
                body_years[parent] = reading.lead_year  # 第二步，到2025年… after the first step's list
        for c in reading.claims:
            shifted = replace(c, start=c.start + unit.start, end=c.end + unit.start)
            found.append(StatedClaim(shifted, text, unit.section_id))
    for row in table_rows:
        found += _row_claims(doc, row, doc_year, doc_scope)
    found.sort(key=lambda f: (f.claim.start, f.claim.end))
    # A DOCX table can reach us twice (its caption's rows and the loader's table): one target a
    # row. One quote may hold one figure for several objects (面向A和B，分别形成…): one target each.
    unique: dict[tuple[int, int, str, int | None], StatedClaim] = {}
    for f in found:  # a table row may state one target a year
        unique.setdefault((f.claim.start, f.claim.end, f.claim.indicator, f.claim.year), f)
    return list(unique.values())


_GOAL_COLUMN = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?(?:预期|主要)?目标")


def _row_claims(doc: Document, row: Task, doc_year: int | None, scope: str | None) -> list[StatedClaim]:
    """Targets in the task cells of one 分工 table row (新建5G基站800个), due in the year the
    row's 完成时限 names (2024年12月底前; not 年底前)."""
    year = next((d.due.year for d in row.deadlines  # 年底前 names no year: the row states none
                 if d.kind == "by_date" and d.due and re.search(r"(?:19|20)\d{2}", d.text)), None)
    table = next((t for t in doc.tables if t.span is not None and t.span.start <= row.span.start < t.span.end), None)
    if year is None and table is not None and table.rows:
        # 序号 | 2022年预期目标 | 责任单位: the column's year is its rows' (a row's 完成时限 first)
        year = next((int(m.group(1)) for cell in table.rows[0] if (m := _GOAL_COLUMN.search(cell))), None)
    # a task cell states what the row commits to, as a 目标 section does
    ctx = ClauseContext(doc_date=doc.meta.date, doc_year=doc_year, year=year, scope=scope, target_section=True)
    section_id = table.section_id if table is not None else None
    out: list[StatedClaim] = []
    text = doc.text[row.span.start : row.span.end]
    for m in re.finditer(r"[^。；！？\n|｜\t]+[。；！？]?", text):  # a cell ends a clause too
        for c in read_clause(m.group(0), ctx).claims:
            at = row.span.start + m.start()
            out.append(StatedClaim(replace(c, start=c.start + at, end=c.end + at), m.group(0), section_id))
    return out


def _overlap_test(regions: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """``(start, end) -> any(a < end and start < b for a, b in regions)`` in one bisect: among
    the regions starting before ``end``, the furthest end decides."""
    ordered = sorted(regions)
    starts = [a for a, _ in ordered]
    furthest = list(itertools.accumulate((b for _, b in ordered), max))

    def overlaps(start: int, end: int) -> bool:
        k = bisect.bisect_left(starts, end)
        return k > 0 and furthest[k - 1] > start

    return overlaps


def _task_for(claim: Claim, tasks: Sequence[Task]) -> str | None:
    holders = [t for t in tasks if t.span.start <= claim.start and claim.end <= t.span.end]
    return min(holders, key=lambda t: len(t.span)).task_id if holders else None


def _restated_task(claim: Claim, rows: Sequence[Task], tasks: Sequence[Task]) -> str | None:
    """The measure a table row restates (same title), for a target read in that row's cells."""
    row = next((r for r in rows if r.span.start <= claim.start and claim.end <= r.span.end), None)
    if row is None:
        return None
    same = [t for t in tasks if t.task_id == row.task_id or title_key(t.title) == title_key(row.title)]
    return same[0].task_id if same else None


def _restatement_key(doc: Document, c: Claim) -> tuple:
    return (re.sub(r"\s+", "", doc.text[c.start : c.end]), c.value, c.unit, c.comparator)


def extract_targets(
    doc: Document, tasks: Sequence[Task] = (), by_id: Mapping[str, Section] | None = None,
    table_rows: Sequence[Task] | None = None,
) -> list[Target]:
    """Every target of ``doc``, prose and tables, in document order, with provenance.

    Args:
        doc: a parsed document (``pipeline.run.parse_file``).
        tasks: the document's tasks; a target inside a task's span gets its ``task_id``.
        by_id: the document's section index, when the caller has built it.
        table_rows: the rows of its 分工 tables read as measures (``measures.tables.table_tasks``),
            whose task cells state targets; None takes the tasks read from table rows.
    """
    targets: list[Target] = []
    rows = [t for t in tasks if t.role_rule == "table_columns"] if table_rows is None else list(table_rows)
    claims = document_claims(doc, by_id, rows)
    owners = [_task_for(c, tasks) for c, _, _ in claims]  # the measure a claim's text stands in
    in_body = {(owner, _restatement_key(doc, c)) for (c, _, _), owner in zip(claims, owners) if owner}
    n = 0
    for (c, text, section_id), owner in zip(claims, owners):
        restated = None if owner else _restated_task(c, rows, tasks)
        if restated and (restated, _restatement_key(doc, c)) in in_body:
            continue  # a 分工 table's cell repeating its measure's own words: one target, the body's
        n += 1
        span = Span(start=c.start, end=c.end)
        targets.append(
            Target(
                target_id=f"{doc.doc_id}:t{n}", doc_id=doc.doc_id, text=text,
                quote=span.slice(doc.text), indicator=c.indicator, scope=c.scope,
                value=c.value, value_max=c.value_max, unit=c.unit,
                comparator=c.comparator, year=c.year, binding=c.binding, cumulative=c.cumulative,
                task_id=owner or restated,
                span=span, source=doc.source_ref(span, section_id),
            )
        )
    return targets
