"""Fuzzing the text stages with hypothesis: cleaning → segmentation → every extractor → storage.

tests/pipeline/test_properties.py already checks cleaning and segmentation on their own; this
file drives the *whole chain* on policy-shaped text salted with hostile characters, and each
extractor directly, and checks that nothing raises anything but a ``TaizhangError``, that every
span still points at the text it claims, and that numbers come back as ``Decimal``.

Budget: ~150 examples per test in CI (a few seconds each). The long run, for a night or
before a release:

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/robustness/test_fuzz.py -q -p no:cacheprovider

(``long`` = 5,000 examples per test; ``HYPOTHESIS_PROFILE=ci`` is the default.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import LexiconError, TaizhangError
from pipeline.model import Document, DocumentMeta, RawDocument

settings.register_profile(
    "taizhang-fuzz-ci", max_examples=150, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "taizhang-fuzz-long", max_examples=5000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Read here, applied per test: loading a profile globally would change other helpers' tests.
PROFILE = settings.get_profile(
    "taizhang-fuzz-long" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "taizhang-fuzz-ci"
)

HEADINGS = ["一、", "二、", "十六、", "（一）", "（二）", "(三)", "1.", "2．", "3、", "（1）", "①",
            "第一章 ", "第二条 ", "第一阶段：", "——", "专栏1 ", "附件"]
UNITS = ["市发展改革委", "市经济和信息化局", "市自然资源规划局", "市财政局", "各县（区）人民政府",
         "国家钒钛高新区管委会", "市政务服务和大数据局", "市科技局", "东区", "盐边县"]
CUES = ["（责任单位：", "〔责任单位：", "牵头单位：", "配合单位：", "牵头", "配合", "负责", "参与",
        "按职责分工负责", "下同", "排在第一位的为牵头单位", "）", "〕", "、", "，", "；"]
WHEN = ["2025年底前", "到2027年", "2026年6月底前", "长期坚持", "持续推进", "“十四五”期间",
        "2023—2025年", "每年", "截至2020年", "2月30日", "二〇二五年", "即时"]
FIGURES = ["900亿元", "16.4亿元", "5—10%", "五千亿元", "1,922.27万吨", "达到", "不低于", "控制在",
           "以内", "以上", "增长7.5%", "年均增长8%以上", "〔30户〕", "３００家", "-5%", "0.0001"]
PROSE = ["加快推进园区基础设施建设", "强化要素保障", "优化营商环境", "园区“四上企业”", "工业总产值",
         "高新技术企业", "。", "\n", "\n\n", "\f"]
HOSTILE = ["\x00", "\ufeff", "\u200b", "\u202e", "\u200f", "\r", "\t", "\u3000",
           "🚀", "مرحبا", "**", "# ", "[bookmark: _Hlk1]", "\ufffd", "\uffff", "（", "〕", "—— ",
           "— 3 —", "關於開展", "ｓｍａｒｔ", "\x0b", "\x85", "\u2028"]

# Lone surrogates cannot come out of a strict decoder, but can come in a caller's own str (or
# surrogateescape'd file names): fuzzed on their own below, where JSON storage is not expected.
SURROGATES = ["\ud800", "\udfff", "\udc80", "\ud83d"]

pieces = st.sampled_from(HEADINGS + UNITS + CUES + WHEN + FIGURES + PROSE) | st.sampled_from(HOSTILE)
policy_text = st.one_of(
    st.lists(pieces | st.text(max_size=6), max_size=120).map("".join),
    st.text(max_size=400),
)
clean_policy_text = st.lists(st.sampled_from(HEADINGS + UNITS + CUES + WHEN + FIGURES + PROSE),
                             max_size=120).map("".join)


def as_raw(text: str) -> RawDocument:
    starts = (0,) + tuple(i + 1 for i, ch in enumerate(text) if ch == "\f")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return RawDocument(path="fuzz.txt", format="txt", text=text, sha256=digest, page_starts=starts)


def parse_text(text: str) -> Document:
    from pipeline.normalize import clean
    from pipeline.segment import segment

    raw = as_raw(text)
    return segment(clean(raw), raw, DocumentMeta(doc_id="fuzz", title="fuzz", date=dt.date(2023, 1, 19)))


def _slice(doc: Document, span) -> str:
    assert 0 <= span.start <= span.end <= len(doc.text), (span, len(doc.text))
    return doc.text[span.start:span.end]


def check_chain(text: str) -> int:
    """Text → Document → tasks → targets, with every span promise checked."""
    from extractors.run import extract_document

    try:
        doc = parse_text(text)
        extraction = extract_document(doc)
        tasks, targets = extraction.tasks, extraction.targets
    except LexiconError:
        raise  # a broken rule table is our bug, not the input's
    except TaizhangError:
        return -1  # a clear, documented refusal is an acceptable outcome for garbage
    task_ids = [t.task_id for t in tasks]
    assert len(task_ids) == len(set(task_ids)), task_ids
    for task in tasks:
        assert _slice(doc, task.span) == task.text
        assert task.source.char_start == task.span.start and task.source.char_end == task.span.end
        for mention in (*task.lead, *task.supporting, *task.unassigned_units):
            if mention.span is not None:
                assert _slice(doc, mention.span)
        for deadline in task.deadlines:
            if deadline.span is not None:
                _slice(doc, deadline.span)
    for target in targets:
        assert _slice(doc, target.span) == target.quote
        assert target.value is None or isinstance(target.value, Decimal)
        assert target.task_id is None or target.task_id in task_ids
    if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in doc.text):
        doc.model_dump_json()  # what the registry stores
        for task in tasks:
            task.model_dump_json()
    return len(tasks)


@settings(PROFILE)
@given(policy_text)
def test_whole_chain_never_crashes(text: str) -> None:
    check_chain(text)


CN = "一二三四五六七八九十"
LADDERS = {  # numbering styles a list of measures uses, written the way documents write them
    "cn": lambda i: (CN[i - 1] if i <= 10 else "十" + CN[i - 11]) + "、",
    "paren": lambda i: "（" + (CN[i - 1] if i <= 10 else "十" + CN[i - 11]) + "）",
    "arabic": lambda i: f"{i}.",
}


@settings(PROFILE)
@given(st.sampled_from(sorted(LADDERS)),
       st.lists(st.tuples(st.sampled_from(PROSE[:6]), st.sampled_from(WHEN), st.sampled_from(FIGURES),
                          st.lists(st.sampled_from(UNITS), min_size=1, max_size=4),
                          st.sampled_from(["（责任单位：{}）", "（{}牵头）", "〔牵头单位：{}〕", "{}负责。"])),
                min_size=1, max_size=19))
def test_well_formed_measures_keep_their_promises(ladder, items) -> None:
    """A list of numbered measures with a responsibility note each: the chain holds its span
    promises and finds measures in a text made of nothing else."""
    number = LADDERS[ladder]
    lines = [f"{number(i)}{p}。{w}{f}。" + note.format("、".join(units))
             for i, (p, w, f, units, note) in enumerate(items, 1)]
    found = check_chain("关于开展园区提质行动的通知\n各有关单位：\n" + "\n".join(lines))
    assert found >= 1, lines


@pytest.mark.parametrize("text", [
    "\ud800",
    "一、强化要素保障\n（一）加强\udc80土地保障。（责任单位：市财政局）",
    "关于\ud83d通知\n\f二、优化\udfff环境。到2025年底前完成。",
])
def test_lone_surrogates_survive_the_chain(text: str) -> None:
    check_chain(text)


@settings(PROFILE)
@given(st.lists(pieces | st.sampled_from(SURROGATES), max_size=60).map("".join))
def test_whole_chain_with_surrogates(text: str) -> None:
    check_chain(text)


# ------------------------------------------------------------------------- single extractors


@settings(PROFILE)
@given(policy_text, st.integers(min_value=0, max_value=10**6), st.none() | st.dates())
def test_deadlines_spans_shift_by_base(text: str, base: int, doc_date) -> None:
    from extractors.deadlines import extract_deadlines

    for d in extract_deadlines(text, doc_date=doc_date, base=base):
        if d.span is not None:
            assert base <= d.span.start <= d.span.end <= base + len(text)
            assert text[d.span.start - base:d.span.end - base].strip() == d.text.strip()
        for day in (d.date, d.start, d.end):
            assert day is None or isinstance(day, dt.date)


@settings(PROFILE)
@given(policy_text, st.integers(min_value=0, max_value=10**6))
def test_responsibility_spans_shift_by_base(text: str, base: int) -> None:
    from extractors.roles.statements import parse_responsibility

    parse = parse_responsibility(text, base=base)
    if parse.span is not None:
        assert base <= parse.span.start <= parse.span.end <= base + len(text)
    for unit in parse.units:
        assert unit.role in ("lead", "supporting", "unassigned")
        if unit.span is not None:
            assert base <= unit.span.start < unit.span.end <= base + len(text)


@settings(PROFILE)
@given(st.text(max_size=40) | st.sampled_from(UNITS + HOSTILE))
def test_canonical_unit_accepts_anything(name: str) -> None:
    from extractors.units.names import canonical_unit

    match = canonical_unit(name)
    assert isinstance(match.canonical, str)


def cn_numeral(n: int) -> str:
    """Reference writer for 0 ≤ n < 10,000, the way documents write them (十六, 一百零五, 二千零二十)."""
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            out += ("零" if zero and out else "") + ("" if (unit == "十" and d == 1 and not out) else digits[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


@settings(PROFILE)
@given(st.integers(min_value=0, max_value=9999))
def test_chinese_numerals_against_a_reference(n: int) -> None:
    from extractors.numbers import parse_number

    assert parse_number(cn_numeral(n)) == Decimal(n), cn_numeral(n)


@settings(PROFILE)
@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4,
                   allow_nan=False, allow_infinity=False))
def test_arabic_numbers_are_exact(value: Decimal) -> None:
    from extractors.numbers import parse_number

    written = f"{value:f}"
    parsed = parse_number(written)
    assert isinstance(parsed, Decimal) and parsed == value, written


@settings(PROFILE)
@given(st.text(max_size=30) | st.lists(st.sampled_from(FIGURES + HOSTILE + list("0123456789.,亿万元%")),
                                         max_size=12).map("".join))
def test_number_parsers_accept_anything(s: str) -> None:
    from extractors.numbers import find_quantities, parse_number, parse_quantity

    value = parse_number(s)
    assert value is None or isinstance(value, Decimal)
    quantity = parse_quantity(s)
    if quantity is not None:
        assert isinstance(quantity.value, Decimal)
        assert quantity.value_max is None or isinstance(quantity.value_max, Decimal)
    for m in find_quantities(s):
        assert s[m.start:m.end] == m.text and isinstance(m.quantity.value, Decimal)


@settings(PROFILE)
@given(st.text(max_size=60) | policy_text)
def test_chinese_helpers_accept_anything(s: str) -> None:
    from pipeline.chinese import cn_to_int, to_simplified

    assert len(to_simplified(s)) == len(s)  # spans found in the simplified shadow stay valid
    value = cn_to_int(s)
    assert value is None or isinstance(value, int)
