"""Figures before the things they count: 推出50项典型案例, 遴选10个以上应用场景, 力争100家企业
达到…, 90%的市达到…. A verb (or a lead-in, or the enumeration before) then a figure, then the
things counted or the share of things that reach a state. Read by ``claims.py`` for each figure
no cue before it explains."""

from __future__ import annotations

import re

from extractors.numbers import QuantityMatch
from extractors.targets.clause import (
    HARD_STOPS,
    Claim,
    ClaimState,
    cue_at_end,
    lead_end,
    phrase_start,
)
from extractors.targets.lexicon import CueRule, target_lexicon
from extractors.targets.subjects import scope_of
from pipeline.model import Comparator


def counted(unit: str | None) -> bool:
    """个, 家, 项 … and the same with a magnitude word (万名, 万家): a count of things."""
    lex = target_lexicon()
    if unit is None:
        return False
    for mag in ("", *lex.units["magnitudes"]):
        if unit.startswith(mag) and unit[len(mag):] in lex.counter_units:
            return True
    return False


def area(unit: str | None) -> bool:
    """亩, 平方米, 万平方米…: land or floor area."""
    lex = target_lexicon()
    return unit is not None and any(unit.startswith(mag) and unit[len(mag):] in lex.area_units
                                    for mag in ("", *lex.units["magnitudes"]))


def _vague_numeral(figure: str) -> bool:
    """一 alone (一批, 一套: an article) or a bare 十/百/千/万 (千家企业: "thousands of")."""
    return figure[:1] in "一百千万" and not figure[1:2] in _CN_DIGIT_OR_UNIT


_CN_DIGIT_OR_UNIT = frozenset("零〇○一二两三四五六七八九十百千点")


def count_verb(phrase: str) -> tuple[CueRule, re.Match[str]] | None:
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
COMMITMENT = re.compile(r"^(?:力争|确保|争取|努力)")  # 力争100家企业达到…: a count without a verb


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
    if count_verb(phrase[:at]) is None:
        at = next((k for k in range(at + 1, min(inner.end(), at + 5)) if count_verb(phrase[:k])), at)
    return phrase[:at], phrase[at:] or None


def count_before_noun(text: str, q: QuantityMatch, pstart: int, end: int,
                       suffix_cmp: Comparator | None, st: ClaimState, year: int | None) -> Claim | None:
    """推出50项典型案例, 遴选10个以上应用场景, 力争100家企业达到…, 90%的市达到…: a verb (or a
    lead-in, or the enumeration before) then a figure, then the things counted or the share
    of things that reach a state (up to the end of the phrase)."""
    lex = target_lexicon()
    qv = q.quantity
    share = qv.unit in ("%", "％") and text.startswith("的", end)
    if not (counted(qv.unit) or share):
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
    verb = count_verb(phrase)
    head = phrase[: verb[1].start()] if verb else phrase
    floor = cue_at_end(head.rstrip()) if verb and comparator == "eq" else None
    if floor and floor[0].comparator in ("ge", "gt", "le") and not lex.lead_ins.regex.fullmatch(floor[1].group(0)):
        comparator = floor[0].comparator  # 每个街道至少建成1个: the bound stands before the verb
        head = head.rstrip()[: floor[1].start()]
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
    elif (not bare or scope) and (COMMITMENT.match(head) or share):
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
