"""Clauses (sentence splitting outside brackets and quotes) and the Chinese helpers they use."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.chinese import cn_to_int, has_traditional, to_simplified
from pipeline.clauses import split_clauses
from pipeline.model import Clause
from tests.pipeline.test_segment import parse_text

SPLITS = [
    ("推进建设。加快发展；强化保障！是否可行？", ["推进建设。", "加快发展；", "强化保障！", "是否可行？"]),
    # terminators inside brackets and quotes do not split
    ("坚持“考准、及时、简便”原则。开展评估。", ["坚持“考准、及时、简便”原则。", "开展评估。"]),
    ("提出“要加快发展。”然后推进。", ["提出“要加快发展。”然后推进。"]),
    (
        "推动发展。〔责任单位：国家钒钛高新区管委会、各县（区）政府；市发展改革委，分号前为牵头单位,下同〕",
        ["推动发展。", "〔责任单位：国家钒钛高新区管委会、各县（区）政府；市发展改革委，分号前为牵头单位,下同〕"],
    ),
    ("依据《规划（2021—2025年）；纲要》编制。完成。", ["依据《规划（2021—2025年）；纲要》编制。", "完成。"]),
    # a terminator followed by a closing bracket keeps it
    ("（逗号前为牵头单位，下同。）再推进。", ["（逗号前为牵头单位，下同。）", "再推进。"]),
    ("（未闭合。然后；再", ["（未闭合。", "然后；", "再"]),  # a stray bracket protects nothing
    ("没有终止符的标题", ["没有终止符的标题"]),
    ("  两端空白。  ", ["两端空白。"]),
    ("连续终止符！？。下一句。", ["连续终止符！？。", "下一句。"]),
    ("", []),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_split_clauses(text, expected):
    assert [text[a:b] for a, b in split_clauses(text)] == expected


def test_clauses_belong_to_the_deepest_section():
    doc = parse_text("一、总体要求\n（一）发展思路。坚持创新。\n1.编制规划。科学分析。\n继续推进。\n（二）发展目标。\n")
    by_text = {c.text: doc.section(c.section_id) for c in doc.clauses}
    assert by_text["坚持创新。"].title == "发展思路"
    assert by_text["科学分析。"].title == "编制规划"
    assert by_text["继续推进。"].title == "编制规划"  # a paragraph after a run-in item stays in it
    assert [c.paragraph for c in doc.clauses] == [0, 1, 1, 2, 2, 3, 4]
    assert [c.clause_id for c in doc.clauses if c.section_id == doc.clauses[3].section_id] == [
        f"{doc.clauses[3].section_id}.c1", f"{doc.clauses[3].section_id}.c2", f"{doc.clauses[3].section_id}.c3",
    ]


def test_clause_text_is_the_text_at_its_span(corpus_documents):
    for doc in corpus_documents.values():
        for c in doc.clauses:
            assert doc.text[c.span.start : c.span.end] == c.text
            assert c.text == c.text.strip() and "\n" not in c.text


def test_clause_page_and_line_point_at_the_raw_line(corpus_documents):
    for doc in corpus_documents.values():
        lines = doc.raw_text.split("\n")
        for c in doc.clauses:
            raw_start = doc.offsets.to_raw(c.span.start)
            assert doc.page_line(c.span.start).line == c.line
            assert lines[c.line - 1].find(doc.raw_text[raw_start]) >= 0
            # the clause starts on that raw line, at the raw character it maps to
            line_start = sum(len(line) + 1 for line in lines[: c.line - 1])
            assert line_start <= raw_start <= line_start + len(lines[c.line - 1])


def test_clauses_no_longer_carry_a_saved_shadow_and_old_saved_clauses_still_load():
    doc = parse_text("一、關於開展園區提質行動。推進發展。")
    assert "simplified" not in doc.clauses[0].model_dump()
    saved = {**doc.clauses[0].model_dump(mode="json"), "simplified": "一、关于开展园区提质行动。"}
    assert Clause.model_validate(saved) == doc.clauses[0]


# --------------------------------------------------------------------------------------------
# pipeline/chinese.py

NUMERALS = [
    ("一", 1), ("十", 10), ("十六", 16), ("二十三", 23), ("一百零五", 105), ("两千", 2000), ("一万二千", 12000),
    ("二〇二一", 2021), ("二零二一", 2021), ("贰拾", 20), ("16", 16), ("１６", 16), ("③", 3), ("⑳", 20),
    (" 五 ", 5), ("", None), ("第一", None), ("abc", None), ("十a", None),
]


@pytest.mark.parametrize("text,expected", NUMERALS)
def test_cn_to_int(text, expected):
    assert cn_to_int(text) == expected


CONVERSIONS = [
    ("關於開展園區提質行動", "关于开展园区提质行动", True),
    ("关于开展园区提质行动", "关于开展园区提质行动", False),
    ("發展和改革委員會2025年", "发展和改革委员会2025年", True),
    ("", "", False),
]


@pytest.mark.parametrize("text,simplified,traditional", CONVERSIONS)
def test_to_simplified(text, simplified, traditional):
    assert to_simplified(text) == simplified
    assert len(to_simplified(text)) == len(text)
    assert has_traditional(text) is traditional


_HANZI = st.sampled_from([chr(c) for c in range(0x4E00, 0x4E00 + 400)] + list("發展會國說門乾亁噹著為麼"))


@settings(max_examples=60, deadline=None)
@given(st.lists(_HANZI | st.characters(), min_size=0, max_size=3000).map("".join))
def test_long_and_short_texts_convert_as_one_character_table(text):
    """The fast paths (a numpy bitmap for a long text's characters, str.replace for a few
    Traditional ones) give exactly the plain per-character translation."""
    from pipeline.chinese import _distinct_chars, _table_for

    assert _distinct_chars(text) == set(text)
    assert to_simplified(text) == text.translate(_table_for(text))


def test_a_long_text_with_one_traditional_character():
    text = "园区" * 2000 + "噹" + "乾隆" + "\ud800" + "发展" * 100  # a lone surrogate too
    assert to_simplified(text) == text.translate(_table_for_plain(text))
    assert len(to_simplified(text)) == len(text)


def _table_for_plain(text):
    from pipeline.chinese import _simplified_char

    return {ord(ch): _simplified_char(ch) for ch in set(text) if _simplified_char(ch) != ch}
