"""Reading targets out of one clause of text: the pure core of ``extractors.targets.extract``.

    到2025年，攀枝花东区高新技术产业园区工业产值达到900亿元。
        -> Target(scope="攀枝花东区高新技术产业园区", indicator="工业产值", value=900,
                  unit="亿元", comparator="eq", year=2025, quote="攀枝花东区…达到900亿元")

A figure is a target when a cue says so (达到/突破/不超过/增长 before it, 以上/以内 after it, or a
verb such as 新增/形成 before the thing counted), or when it sits in an enumeration or a sentence
under a year lead-in (到2025年…钛精矿 600万吨). Baselines (截至2020年…, "十三五"时期, 现状
sections), shares (占…的46%), names (千亿级园区, “5+1”) and document numbers are not targets.
Cue words are data in ``lexicons/targets.yaml``. Text is read through a view without line breaks
(PDF text wraps every ~30 characters), and every quote maps back to ``Document.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extractors.deadlines import extract_deadlines
from extractors.numbers import QuantityMatch, find_quantities
from extractors.targets.clause import (
    Claim,
    ClaimState,
    ClauseContext,
    cue_at_end,
    in_any,
    lead_end,
    longest_cue,
    phrase_start,
    suffix_comparator,
    year_for,
)
from extractors.targets.counts import COMMITMENT, area, count_before_noun, counted
from extractors.targets.end_states import (
    doubling_claims,
    figureless_claims,
    index_value_claims,
    states_an_end_state,
)
from extractors.targets.lexicon import CueRule, compact, target_lexicon
from extractors.targets.subjects import distribute, indicator_tail, scope_of, split_subject
from pipeline.model import Comparator

# ------------------------------------------------------------------------------------------
# Claims read from one clause


# The lookbehind sits after the literal "20" (same matches) so the scan can jump from one "20"
# to the next instead of trying the pattern at every character of every clause.
_BARE_YEAR = re.compile(r"(20(?<![0-9〔\[（(—–\-]20)\d{2})年(?![0-9]{1,2}\s*[月日]|度|—|–|-|至)")  # 2023年88个县: a year, then a count
_TRAILING_PAREN = re.compile(r"[（(][^（）()]*[）)]$")


def _masks(text: str) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end())
        for r in target_lexicon().masks
        if r.may_match(text)
        for m in r.regex.finditer(text)
    ]


def _time_cues(text: str, ctx: ClauseContext) -> tuple[list[tuple[int, int]], list[int]]:
    """(position, year) of every year a target in ``text`` may be due by, and the positions of
    every time phrase (years, 每年, 按期…): figures after one may be targets."""
    years: list[tuple[int, int]] = []
    timed: set[int] = set()
    # a bare year before the document's own (2020年实现… in an undated plan) is a baseline
    for d in extract_deadlines(text, ctx.doc_date, first_due_year=ctx.doc_year):
        if d.span is None:
            continue
        timed.add(d.span.start)
        # 力争用3年时间 / 力争三年内 say how long, not which year: the target names none
        if (y := d.due_year) is not None and d.kind != "relative":
            years.append((d.span.start, y))
    if ctx.doc_year is not None:
        for m in target_lexicon().this_year.regex.finditer(text):
            timed.add(m.start())
    for m in _BARE_YEAR.finditer(text):
        y = int(m.group(1))
        known = any(p <= m.start() < p + 12 for p, _ in years)
        if (ctx.doc_year is None or y >= ctx.doc_year) and not known:
            years.append((m.start(), y))
            timed.add(m.start())
    return sorted(years), sorted(timed)


def _is_baseline(text: str, ctx: ClauseContext, markers: list[tuple[int, int]]) -> bool:
    if ctx.baseline_section:
        return True
    if markers:
        return False
    if any(r.regex.search(text) for r in target_lexicon().baseline_cues):
        return True
    if ctx.doc_year is not None:
        for m in _BARE_YEAR.finditer(text):
            reference = target_lexicon().year_reference.regex.search(text[: m.start()])
            if int(m.group(1)) < ctx.doc_year and not reference:
                return True
    return False


def _verb_before_indicator(phrase: str) -> tuple[CueRule, re.Match[str]] | None:
    """The first (then longest) verb followed by the thing counted (形成千亿级园区 2个)."""
    found = [
        (rule, m)
        for rule in target_lexicon().comparators
        if "indicator" in rule.positions
        for m in rule.regex.finditer(phrase)
        if m.end() < len(phrase)
    ]
    first = min((m.start() for _, m in found), default=None)
    return longest_cue([(r, m) for r, m in found if m.start() == first])


def _is_part_of_a_name(q: QuantityMatch, after: str) -> bool:
    """千亿级园区, 200亿级园区: a class of things, not a figure."""
    return bool(q.quantity.unit and q.quantity.unit.endswith("级") and after[:1]
                and "\u4e00" <= after[0] <= "\u9fff")


def _read_figure(text: str, q: QuantityMatch, st: ClaimState, year: int | None) -> Claim | None:
    """The claim a figure states, or None when it is a baseline, a share, a name, a spec…"""
    lex = target_lexicon()
    suffix_cmp, suffix_len = suffix_comparator(text[q.end :])
    end = q.end + suffix_len
    after = text[end:]
    if _is_part_of_a_name(q, after):
        return None
    if lex.incentives.regex.search(text) and (
        (q.quantity.unit and "元" in q.quantity.unit) or (year is None and not st.in_context)
        or lex.eligibility.regex.search(text)
    ):
        return None  # 给予最高不超过100万元补助, 面积超过300平方米的，给予…补贴，其中前两年100%: terms of an incentive
    pstart = phrase_start(text, q.start, st.floor)
    if lex.routine_frequency.regex.search(text, pstart, end):
        return None  # 每年更新一次: how often, not a level
    if not any(r.regex.search(after) for r in lex.not_target_after):
        rate = _rate_of_action(text, q, pstart, end, suffix_cmp, year)
        return rate or count_before_noun(text, q, pstart, end, suffix_cmp, st, year)
    while True:
        if (own_year := _YEAR_IN_BRACKETS.match(text, pstart)) is not None and own_year.end() <= q.start:
            pstart = own_year.end()  # 10万千瓦（2024年）、30万千瓦: the year before belongs to the figure before
        while pstart < q.start and text[pstart] in "、和及与（(":
            pstart += 1
        phrase = text[pstart : q.start].rstrip()
        bare = _TRAILING_PAREN.sub("", phrase).rstrip()
        # 达到约30亿元: "about" sits between the cue and the figure
        about = target_lexicon().about.regex.search(bare)
        if about:
            bare = bare[: about.start()]
        if any(r.regex.search(bare) for r in lex.not_target_before):
            return None
        many = q.quantity.value > 1 and (counted(q.quantity.unit) or area(q.quantity.unit))
        read = _interpret(phrase, bare, st, bounded=suffix_cmp in ("ge", "le"), counted=many,
                          area_amount=many and area(q.quantity.unit))
        if read is None:
            return None
        comparator, scope, indicator = read
        if not indicator and st.prev is not None:
            indicator = st.prev.indicator  # …达到4500亿元，力争突破5000亿元
        if indicator and len(indicator) > 40 and "、" in phrase:
            # …无研发活动实现清零、1亿元以上规上工业企业研发机构覆盖率达到70%左右: the claim
            # before the 、 is another one; the subject starts after it
            pstart += phrase.rfind("、") + 1
            continue
        break
    if not indicator or len(indicator) > 40:
        return None
    if suffix_cmp and comparator in ("eq", "approx"):
        comparator = suffix_cmp
    elif about and comparator == "eq":
        comparator = "approx"
    qv = q.quantity
    return Claim(
        start=pstart + lead_end(phrase), end=end, indicator=indicator, comparator=comparator,
        scope=scope if scope is not None else (st.prev.scope if st.prev else None),
        value=qv.value, value_max=qv.value_max, unit=qv.unit, year=year,
        cumulative=qv.bracketed or bool(lex.cumulative.regex.search(phrase)),
    )


def _interpret(phrase: str, bare: str, st: ClaimState, bounded: bool = False,
               counted: bool = False, area_amount: bool = False) -> tuple[Comparator, str | None, str] | None:
    """(comparator, scope, indicator) of the words before a figure; ``bounded``: 以上/以内 follows
    the figure (带宽可用性5000M以上: a capacity with a bound is a target without a cue);
    ``counted``: the figure counts more than one thing (a verb that also describes projects
    commits to a count then)."""
    lex = target_lexicon()
    cue = cue_at_end(bare)
    if cue:
        # 营业收入2024年、2025年、2026年分别达到…: the years are each figure's (_years_respectively),
        # not subjects to share the figures out among
        subject = _YEAR_LIST_BEFORE_RESPECTIVELY.sub("", bare[: cue[1].start()])
        if subject.endswith("分别") and "、" in subject:
            items = distribute(indicator_tail().sub("", subject))
            st.queue = tuple(items[1:])
            subject = items[0]
        elif subject.endswith("均") and "、" in subject:
            # 城镇居民人均可支配收入、农民人均纯收入均增长12%: one figure, a target for each
            items = distribute(indicator_tail().sub("", subject[:-1]))
            st.also, subject = tuple(items[1:]), items[0]
        return (cue[0].comparator, *split_subject(subject))
    verb = _verb_before_indicator(phrase)
    before = lex.lead_ins.regex.sub("", phrase[: verb[1].start()]) if verb else ""
    if before and not (not verb[0].keep and lex.time_before_verb.regex.fullmatch(before)):
        if scope_of(phrase[: verb[1].start()]) is None:
            if verb[0].keep:  # 城镇新增就业5万人: a verb the indicator keeps may stand inside it
                return verb[0].comparator, None, indicator_tail().sub("", phrase[lead_end(phrase):])
            verb = None  # 科技型中小企业认定入库 45 家: the verb is inside the indicator
    if verb:
        rule, m = verb
        commits = counted and (rule.area_is_amount or not area_amount)
        if rule.needs_context and not (st.in_context or st.prev is not None or COMMITMENT.match(phrase)
                                       or commits or bounded):
            # 新建标准体育场1座 describes a project; 力争建成…5G基站10万个, 新建5G工厂50家 and
            # 供应建设用地3000亩以上 commit to a count
            return None
        indicator = indicator_tail().sub("", phrase[m.start() if rule.keep else m.end() :])
        return rule.comparator, scope_of(phrase[: m.start()]), indicator
    if st.prev is not None and (st.queue or not phrase):  # 100亿元、300亿元: the enumeration goes on
        indicator = st.queue[0] if st.queue else st.prev.indicator
        st.queue = st.queue[1:]
        return st.prev.comparator, st.prev.scope, indicator
    if st.prev is not None or st.in_context:  # 钛精矿 600万吨 under 到2025年
        return ("eq", *split_subject(phrase))
    if bounded and lex.bounded_capacity.regex.search(bare):  # 接入能力10000M以上
        return ("eq", *split_subject(phrase))
    if bounded and (verb := _count_verb_opening(phrase)) is not None:  # 推出主题服务30项以上
        return ("eq", scope_of(phrase[: verb.start()]), indicator_tail().sub("", phrase[verb.end():]))
    return None


def _count_verb_opening(phrase: str) -> re.Match[str] | None:
    """A verb of counting that opens the phrase (推出, 接入, 培育 …): with a bound after the
    figure (…30项以上) the phrase commits to a count."""
    for rule in target_lexicon().comparators:
        if "count" in rule.positions:
            m = rule.regex.match(phrase)
            if m and m.end() < len(phrase):
                return m
    return None


def _rate_of_action(text: str, q: QuantityMatch, pstart: int, end: int,
                    suffix_cmp: Comparator | None, year: int | None) -> Claim | None:
    """园区未来“标准地”100%按《…指标体系》供应: the share of something done a stated way, a target
    wherever it stands (the indicator is that share: “标准地”按指标体系供应比例)."""
    lex = target_lexicon().rate_of_action
    qv = q.quantity
    if qv.unit not in ("%", "％") or qv.value_max is not None:
        return None
    m = lex.action.regex.match(text[end:])
    phrase = text[pstart : q.start]
    if m is None or any(r.regex.search(phrase) for r in target_lexicon().not_target_before):
        return None
    scope, subject = split_subject(phrase)
    action = lex.title_noun.regex.sub(lambda t: t.group("noun"), m.group(0))
    if not subject:
        return None
    return Claim(
        start=pstart + lead_end(phrase), end=end + m.end(), indicator=f"{subject}{action}比例",
        comparator=suffix_cmp or "eq", scope=scope, value=qv.value, unit=qv.unit, year=year,
    )


def _yearly(text: str, c: Claim, markers: list[tuple[int, int]]) -> Claim:
    """每年培育600家… after 到2027年… earlier in the paragraph: a yearly figure is due every year,
    not by the earlier sentence's year (a 目标 section's governing year still holds)."""
    if c.year is None or any(p < c.start for p, _ in markers):
        return c
    if "每年" in text[phrase_start(text, c.start, 0) : c.end]:
        return replace(c, year=None)
    return c


@dataclass(frozen=True)
class ClauseReading:
    claims: tuple[Claim, ...]
    lead_year: int | None  # the year later clauses of the paragraph inherit
    history: bool = False  # the clause states what was (2023年，全市…实现…): so do the next ones


NO_CONTEXT = ClauseContext()  # a clause read on its own
_NOTHING = ClauseReading((), None)  # what most clauses state: no figure, no year
_HISTORY = ClauseReading((), None, history=True)


def continues_history(text: str) -> bool:
    """After a clause telling what was (2023年，全市…实现30.6万辆), does ``text`` go on telling it
    (全市累计建成…1.5万个), naming no time or aim of its own (``aims`` in the lexicon)?"""
    return target_lexicon().aims.regex.search(text) is None


def read_clause(text: str, ctx: ClauseContext = NO_CONTEXT) -> ClauseReading:
    """Targets stated in one clause (a sentence); spans index ``text`` itself."""
    view = compact(text)
    t = view.text
    markers, timed = _time_cues(t, ctx)
    lead_year = markers[-1][1] if markers else None
    qualitative = bool(ctx.target_section or markers or ctx.year is not None)
    quantities = find_quantities(t)
    anywhere = not qualitative and states_an_end_state(t)
    doubles = "番" in t
    if not quantities and not (qualitative or anywhere or doubles):  # most clauses: no figure, no time
        return _NOTHING
    if not t or target_lexicon().scoring.regex.search(t):
        return _NOTHING
    if _is_baseline(t, ctx, markers):
        return _HISTORY if not ctx.baseline_section else _NOTHING
    masks = _masks(t)
    st = ClaimState()
    claims: list[Claim] = []
    for k, q in enumerate(quantities):
        if in_any(q.start, masks) or q.start < st.floor:
            continue  # a figure inside a claim read already (力争100家企业达到3级以上)
        st.in_context = bool(
            ctx.target_section
            or any(p < q.start for p in timed)
            or (ctx.year is not None and ctx.follows_claims)
        )
        st.next_figure = quantities[k + 1].start if k + 1 < len(quantities) else None
        st.also = ()
        claim = _read_figure(t, q, st, year_for(q.start, markers, ctx))
        if claim is not None:
            claims.append(claim)
            claims += [replace(claim, indicator=other) for other in st.also]
            st.prev, st.floor = claim, claim.end
            st.counting = claim.end > q.end and counted(claim.unit)
    if qualitative or anywhere:
        taken = [(c.start, c.end) for c in claims] + masks
        claims += figureless_claims(t, ctx, markers, taken, stated=qualitative)
    if qualitative:
        claims += index_value_claims(t, ctx, markers, [(c.start, c.end) for c in claims] + masks)
    if doubles:
        claims += doubling_claims(t, ctx, markers, [(c.start, c.end) for c in claims] + masks)
    if ctx.year is not None and not ctx.target_section:
        claims = [_yearly(t, c, markers) for c in claims]
    claims = _years_respectively(t, claims)
    claims = [_own_year_after(t, c) for c in claims]
    mapped = []
    for c in sorted(claims, key=lambda c: c.start):
        s, e = view.source_span(c.start, c.end)
        scope = c.scope
        if ctx.scope and (scope is None or target_lexicon().generic_scopes.regex.match(scope)):
            scope = ctx.scope
        mapped.append(replace(c, start=s, end=e, scope=scope))
    return ClauseReading(tuple(mapped), lead_year)


_YEAR_LIST = r"(?:(?:19|20)\d{2}年[、，,和及]?\s*){2,}"  # 2024年、2025年、2026年
_YEARS_RESPECTIVELY = re.compile(f"({_YEAR_LIST})分别")
_YEAR_LIST_BEFORE_RESPECTIVELY = re.compile(f"{_YEAR_LIST}(?=分别$)")
_YEAR = re.compile(r"((?:19|20)\d{2})年")


_YEAR_IN_BRACKETS = re.compile(r"\s*[（(]\s*((?:19|20)\d{2})\s*年\s*[）)]")


def _own_year_after(t: str, c: Claim) -> Claim:
    """分别达到10万千瓦（2024年）、30万千瓦（2025年）: a year in brackets right after the figure is its
    own, not the one the bracket before it named."""
    m = _YEAR_IN_BRACKETS.match(t, c.end)
    return replace(c, year=int(m.group(1))) if m else c


def _years_respectively(t: str, claims: list[Claim]) -> list[Claim]:
    """2024年、2025年、2026年分别完成改造30个、30个、26个: each figure is due in its own year; a
    second list after it (…，规模以上企业数量分别达到40家、55家和70家) follows the same years."""
    m = _YEARS_RESPECTIVELY.search(t)
    if m is None:
        return claims
    years = [int(y) for y in _YEAR.findall(m.group(1))]
    after = sorted((c for c in claims if c.end > m.end()), key=lambda c: c.start)
    if not after or len(after) % len(years):
        return claims
    due = {id(c): years[k % len(years)] for k, c in enumerate(after)}
    return [replace(c, year=due[id(c)], indicator=_YEARS_RESPECTIVELY.sub("", c.indicator or "") or c.indicator)
            if id(c) in due else c for c in claims]


def read_paragraph(text: str, ctx: ClauseContext = NO_CONTEXT) -> list[Claim]:
    """Targets in a paragraph: clauses split at 。；！？, each inheriting the lead-in year before it."""
    claims: list[Claim] = []
    year, follows, history = ctx.year, ctx.follows_claims, False
    for m in re.finditer(r"[^。；！？]+[。；！？]?", text):
        clause_ctx = ctx._replace(year=year, follows_claims=follows)
        if history and continues_history(m.group(0)):
            # 2023年，全市…实现30.6万辆。全市累计建成…1.5万个: the paragraph still tells what was
            clause_ctx = clause_ctx._replace(baseline_section=True)
        reading = read_clause(m.group(0), clause_ctx)
        at = m.start()
        claims += [replace(c, start=c.start + at, end=c.end + at) for c in reading.claims]
        year, follows = reading.lead_year or year, bool(reading.claims)
        history = reading.history or (history and clause_ctx.baseline_section)
    return claims
