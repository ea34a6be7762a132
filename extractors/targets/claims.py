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
    HARD_STOPS,
    Claim,
    ClauseContext,
    cue_at_end,
    in_any,
    lead_end,
    longest_cue,
    phrase_start,
    suffix_comparator,
    year_for,
)
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
_BARE_YEAR = re.compile(r"(20(?<![0-9〔\[（(—–\-]20)\d{2})年(?![0-9]|度|—|–|-|至)")
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
        if (y := d.due_year) is not None:
            years.append((d.span.start, y))
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


@dataclass
class _State:
    """What the figures of one clause hand on to the next: enumerations share cue and scope."""

    prev: Claim | None = None
    floor: int = 0  # the next phrase starts after the previous claim
    queue: tuple[str, ...] = ()  # indicators still to hand out after 分别
    in_context: bool = False  # a year, a time phrase or a target section precedes the figure
    counting: bool = False  # the previous claim counted things (建设100家基地、16家以上牧场)
    next_figure: int | None = None  # where the next figure of the clause starts
    also: tuple[str, ...] = ()  # the same figure for other objects (面向A和B，分别形成…)


def _is_part_of_a_name(q: QuantityMatch, after: str) -> bool:
    """千亿级园区, 200亿级园区: a class of things, not a figure."""
    return bool(q.quantity.unit and q.quantity.unit.endswith("级") and after[:1]
                and "\u4e00" <= after[0] <= "\u9fff")


def _read_figure(text: str, q: QuantityMatch, st: _State, year: int | None) -> Claim | None:
    """The claim a figure states, or None when it is a baseline, a share, a name, a spec…"""
    lex = target_lexicon()
    suffix_cmp, suffix_len = suffix_comparator(text[q.end :])
    end = q.end + suffix_len
    after = text[end:]
    if _is_part_of_a_name(q, after):
        return None
    if lex.incentives.regex.search(text) and (
        (q.quantity.unit and "元" in q.quantity.unit) or year is None or lex.eligibility.regex.search(text)
    ):
        return None  # 给予最高不超过100万元补助, 面积超过300平方米的，给予…补贴，其中前两年100%: terms of an incentive
    pstart = phrase_start(text, q.start, st.floor)
    if not any(r.regex.search(after) for r in lex.not_target_after):
        rate = _rate_of_action(text, q, pstart, end, suffix_cmp, year)
        return rate or _count_before_noun(text, q, pstart, end, suffix_cmp, st, year)
    while True:
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
        many = _counted(q.quantity.unit) and q.quantity.value > 1
        read = _interpret(phrase, bare, st, bounded=suffix_cmp in ("ge", "le"), counted=many)
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


def _interpret(phrase: str, bare: str, st: _State, bounded: bool = False,
               counted: bool = False) -> tuple[Comparator, str | None, str] | None:
    """(comparator, scope, indicator) of the words before a figure; ``bounded``: 以上/以内 follows
    the figure (带宽可用性5000M以上: a capacity with a bound is a target without a cue);
    ``counted``: the figure counts more than one thing (a verb that also describes projects
    commits to a count then)."""
    lex = target_lexicon()
    cue = cue_at_end(bare)
    if cue:
        subject = bare[: cue[1].start()]
        if subject.endswith("分别") and "、" in subject:
            items = distribute(indicator_tail().sub("", subject))
            st.queue = tuple(items[1:])
            subject = items[0]
        return (cue[0].comparator, *split_subject(subject))
    verb = _verb_before_indicator(phrase)
    if verb and lex.lead_ins.regex.sub("", phrase[: verb[1].start()]):
        if scope_of(phrase[: verb[1].start()]) is None:
            if verb[0].keep:  # 城镇新增就业5万人: a verb the indicator keeps may stand inside it
                return verb[0].comparator, None, indicator_tail().sub("", phrase[lead_end(phrase):])
            verb = None  # 科技型中小企业认定入库 45 家: the verb is inside the indicator
    if verb:
        rule, m = verb
        if rule.needs_context and not (st.in_context or st.prev is not None or _COMMITMENT.match(phrase) or counted):
            # 新建标准体育场1座 describes a project; 力争建成…5G基站10万个 and 新建5G工厂50家 commit to a count
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


def _counted(unit: str | None) -> bool:
    """个, 家, 项 … and the same with a magnitude word (万名, 万家): a count of things."""
    lex = target_lexicon()
    if unit is None:
        return False
    for mag in ("", *lex.units["magnitudes"]):
        if unit.startswith(mag) and unit[len(mag):] in lex.counter_units:
            return True
    return False


def _vague_numeral(figure: str) -> bool:
    """一 alone (一批, 一套: an article) or a bare 十/百/千/万 (千家企业: "thousands of")."""
    return figure[:1] in "一百千万" and not figure[1:2] in _CN_DIGIT_OR_UNIT


_CN_DIGIT_OR_UNIT = frozenset("零〇○一二两三四五六七八九十百千点")


def _count_verb(phrase: str) -> tuple[CueRule, re.Match[str]] | None:
    """The longest verb that ends ``phrase`` right before a count (推出, 遴选, 新增, 培育); of two
    as long, a count verb (打造 commits to a count even where it also builds a project)."""
    found = [
        (rule, m)
        for rule in target_lexicon().comparators
        if "count" in rule.positions or "indicator" in rule.positions
        for m in rule.regex.finditer(phrase)
        if m.end() == len(phrase)
    ]
    return max(found, key=lambda rm: (rm[1].end() - rm[1].start(), "count" in rm[0].positions), default=None)


_NOUN_CONNECTOR = re.compile(r"(?:和|及|与|以及|并|、)$")
_COMMITMENT = re.compile(r"^(?:力争|确保|争取|努力)")  # 力争100家企业达到…: a count without a verb


def _next_stop(text: str, pos: int) -> int:
    return min((i for i in (text.find(c, pos) for c in HARD_STOPS) if i >= 0), default=len(text))


def _noun_end(text: str, start: int, limit: int | None) -> int:
    """Where the thing counted after a figure ends: the next stop or 、 outside brackets
    (智能工厂（数字化车间、智能制造场景）), or the next figure after 和/及/与 (…企业和200家…)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        if i == limit and _NOUN_CONNECTOR.search(text, start, i):
            break
        c = text[i]
        if c in "（(":
            depth += 1
        elif c in "）)":
            depth = max(0, depth - 1)
        elif depth == 0 and c in HARD_STOPS:
            break
        elif depth == 0 and c == "、" and limit is not None and limit < _next_stop(text, i):
            break  # 建设100家基地、16家以上牧场 (not 10个左右特色鲜明、创新力强的集群)
        i += 1
    while i > start and _NOUN_CONNECTOR.search(text, start, i):
        i = _NOUN_CONNECTOR.search(text, start, i).start()
    return i


def _scope_before_count(phrase: str) -> tuple[str, str | None]:
    """(the words before, the scope) of a place between the verb and a count: 推动|全省,
    实现|省会、鲁南、胶东经济圈 (a list of regions may swallow the verb: it starts after the
    shortest lead that ends in one)."""
    inner = target_lexicon().scope_before_count.regex.search(phrase)
    if not inner:
        return phrase, None
    at = inner.start()
    if _count_verb(phrase[:at]) is None:
        at = next((k for k in range(at + 1, min(inner.end(), at + 5)) if _count_verb(phrase[:k])), at)
    return phrase[:at], phrase[at:] or None


def _count_before_noun(text: str, q: QuantityMatch, pstart: int, end: int,
                       suffix_cmp: Comparator | None, st: _State, year: int | None) -> Claim | None:
    """推出50项典型案例, 遴选10个以上应用场景, 力争100家企业达到…, 90%的市达到…: a verb (or a
    lead-in, or the enumeration before) then a figure, then the things counted or the share
    of things that reach a state (up to the end of the phrase)."""
    lex = target_lexicon()
    qv = q.quantity
    share = qv.unit in ("%", "％") and text.startswith("的", end)
    if not (_counted(qv.unit) or share):
        return None
    phrase = text[pstart : q.start]
    about = lex.about.regex.search(phrase)
    if about:
        phrase = phrase[: about.start()]
    comparator: Comparator = suffix_cmp or ("approx" if about else "eq")
    bound = cue_at_end(phrase)
    if bound and bound[0].comparator in ("ge", "gt", "le") and not lex.lead_ins.regex.fullmatch(bound[1].group(0)):
        comparator = suffix_cmp or bound[0].comparator  # 推动超过50项, 选择不少于1000家
        phrase = phrase[: bound[1].start()]
    if _vague_numeral(q.text):
        return None  # 一批, 一套, 千家企业: an article or "thousands", not a committed figure
    phrase, inner_scope = _scope_before_count(phrase)  # 推动全省100家企业
    verb = _count_verb(phrase)
    head = phrase[: verb[1].start()] if verb else phrase
    scope = inner_scope or (scope_of(head) if head else None)
    bare = lex.lead_ins.regex.sub("", head).strip("、和及与")
    start = pstart + lead_end(text[pstart : q.start])
    explicit = bool(suffix_cmp or bound or about or year)
    if not explicit and q.text[:1] in _CN_DIGIT_OR_UNIT:
        return None  # 打造两个国家级运动基地, 建设两个平面: written-out small counts name the objects built
    if verb is not None:
        rule, m = verb
        if rule.needs_context and not (explicit or st.in_context):
            return None
        if head.endswith("每"):
            return None  # 每认定1家…给予: a rate of reward
        prefix = m.group(0) if rule.keep else ""
        if scope is None and bare:  # 依托信息消费大赛遴选…: the claim starts at its verb (每年 kept)
            start = pstart + m.start() - (2 if head.endswith("每年") else 0)
    elif not bare and st.counting:
        prefix = ""  # 建设100家基地、16家以上牧场: the enumeration goes on
    elif (not bare or scope) and (_COMMITMENT.match(head) or share):
        prefix = ""  # 力争100家企业达到3级以上标准, 90%的市达到…
    else:
        return None
    stop = _noun_end(text, end, st.next_figure)
    noun = text[end:stop].lstrip("的")
    if not noun or len(noun) > 40 or lex.incentives.regex.search(noun):
        return None
    objects: list[str] = []
    if head.endswith("分别") and pstart > 0:  # 面向自然人和法人组织，分别形成1000个以上的“数字标签”
        before = phrase_start(text, pstart - 1, 0)
        m_obj = lex.distributive_objects.regex.fullmatch(text[before : pstart - 1])
        if m_obj:
            objects = [o for o in re.split(r"和|、|及|与", m_obj.group("objects")) if o]
            start = before if len(objects) > 1 else start
    st.also = tuple(o + noun for o in objects[1:])
    return Claim(
        start=start, end=stop, comparator=comparator,
        value=qv.value, value_max=qv.value_max, unit=qv.unit, year=year,
        indicator=(objects[0] if len(objects) > 1 else prefix) + noun + ("比例" if share else ""),
        scope=scope or (st.prev.scope if st.prev else None),
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


NO_CONTEXT = ClauseContext()  # a clause read on its own
_NOTHING = ClauseReading((), None)  # what most clauses state: no figure, no year


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
    if not t or _is_baseline(t, ctx, markers):
        return _NOTHING
    masks = _masks(t)
    st = _State()
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
            st.counting = claim.end > q.end and _counted(claim.unit)
    if qualitative or anywhere:
        taken = [(c.start, c.end) for c in claims] + masks
        claims += figureless_claims(t, ctx, markers, taken, stated=qualitative)
    if qualitative:
        claims += index_value_claims(t, ctx, markers, [(c.start, c.end) for c in claims] + masks)
    if doubles:
        claims += doubling_claims(t, ctx, markers, [(c.start, c.end) for c in claims] + masks)
    if ctx.year is not None and not ctx.target_section:
        claims = [_yearly(t, c, markers) for c in claims]
    mapped = []
    for c in sorted(claims, key=lambda c: c.start):
        s, e = view.source_span(c.start, c.end)
        scope = c.scope
        if ctx.scope and (scope is None or target_lexicon().generic_scopes.regex.match(scope)):
            scope = ctx.scope
        mapped.append(replace(c, start=s, end=e, scope=scope))
    return ClauseReading(tuple(mapped), lead_year)


def read_paragraph(text: str, ctx: ClauseContext = NO_CONTEXT) -> list[Claim]:
    """Targets in a paragraph: clauses split at 。；！？, each inheriting the lead-in year before it."""
    claims: list[Claim] = []
    year, follows = ctx.year, ctx.follows_claims
    for m in re.finditer(r"[^。；！？]+[。；！？]?", text):
        reading = read_clause(m.group(0), ctx._replace(year=year, follows_claims=follows))
        at = m.start()
        claims += [replace(c, start=c.start + at, end=c.end + at) for c in reading.claims]
        year, follows = reading.lead_year or year, bool(reading.claims)
    return claims
