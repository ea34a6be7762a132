"""Numbers and quantities as Chinese official documents write them (Decimal, never float)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.numbers import Quantity, find_quantities, fold_width, parse_number, parse_quantity

NUMBERS = [
    ("900", Decimal("900")),
    ("1,922.27", Decimal("1922.27")),
    ("1922.27", Decimal("1922.27")),
    ("16.4", Decimal("16.4")),
    ("０.５", Decimal("0.5")),
    ("９００", Decimal("900")),
    ("1200", Decimal("1200")),
    (" 7.5 ", Decimal("7.5")),
    ("-2.9", Decimal("-2.9")),  # 表 1—3 增长率
    ("五千", Decimal("5000")),
    ("十六", Decimal("16")),
    ("二十三", Decimal("23")),
    ("十", Decimal("10")),
    ("两", Decimal("2")),
    ("一千二百", Decimal("1200")),
    ("一百零五", Decimal("105")),
    ("二〇二五", Decimal("2025")),
    ("三点五", Decimal("3.5")),
    # not numbers on their own
    ("五千亿", None),  # magnitude words belong to the unit: parse_quantity
    ("900亿元", None),
    ("十百", None),
    ("二三十", None),
    ("1.2.3", None),
    ("abc", None),
    ("", None),
    ("第一", None),
]


@pytest.mark.parametrize(("text", "expected"), NUMBERS)
def test_parse_number(text: str, expected: Decimal | None):
    got = parse_number(text)
    assert got == expected
    assert got is None or isinstance(got, Decimal)


QUANTITIES = [
    ("五千亿元", Quantity(Decimal("5000"), "亿元")),
    ("16.4亿", Quantity(Decimal("16.4"), "亿")),
    ("16.4亿元", Quantity(Decimal("16.4"), "亿元")),
    ("900 亿元", Quantity(Decimal("900"), "亿元")),
    ("1200 亿元", Quantity(Decimal("1200"), "亿元")),
    ("5—10%", Quantity(Decimal("5"), "%", Decimal("10"))),
    ("5-10%", Quantity(Decimal("5"), "%", Decimal("10"))),
    ("5%—10%", Quantity(Decimal("5"), "%", Decimal("10"))),
    ("8—10个", Quantity(Decimal("8"), "个", Decimal("10"))),
    ("3-5家", Quantity(Decimal("3"), "家", Decimal("5"))),
    ("7.5％", Quantity(Decimal("7.5"), "%")),
    ("〔30户〕", Quantity(Decimal("30"), "户", bracketed=True)),
    ("20亿 m3", Quantity(Decimal("20"), "亿m3")),
    ("200万元/亩", Quantity(Decimal("200"), "万元/亩")),
    ("7\n\n万吨", Quantity(Decimal("7"), "万吨")),  # a PDF line break inside the figure
    ("176亿千瓦时", Quantity(Decimal("176"), "亿千瓦时")),
    ("214.35km2", Quantity(Decimal("214.35"), "km2")),
    ("0.5个百分点", Quantity(Decimal("0.5"), "个百分点")),
    ("十六条", Quantity(Decimal("16"), "条")),
    ("百分之八十", Quantity(Decimal("80"), "%")),
    ("三分之二", Quantity(Decimal("66.67"), "%")),
    ("2/3", Quantity(Decimal("66.67"), "%")),
    ("十分之一", Quantity(Decimal("10"), "%")),
    ("１０００家", Quantity(Decimal("1000"), "家")),
    ("２．５％", Quantity(Decimal("2.5"), "%")),
    ("2小时", Quantity(Decimal("2"), "小时")),
    ("12EFLOPS", Quantity(Decimal("12"), "EFLOPS")),
    ("10万名", Quantity(Decimal("10"), "万名")),
    # not quantities
    ("2023/12", None),  # a date, not a fraction
    ("五分之六", None),  # more than the whole
    ("2025年", None),
    ("川办发〔2018〕45号", None),
    ("5G", None),
    ("60kt/a", None),
    ("2023—2021个", None),  # a range that runs backwards is not a range
    ("一 个", None),
]


@pytest.mark.parametrize(("text", "expected"), QUANTITIES)
def test_parse_quantity(text: str, expected: Quantity | None):
    assert parse_quantity(text) == expected


def test_find_quantities_spans_point_at_their_text():
    text = "园区钒制品产能达到（折合 V2O5）7万吨，形成千亿级园区2个、200亿级园区3个；攀东府办〔2023〕4号"
    found = find_quantities(text)
    assert [m.text for m in found] == ["7万吨", "千亿级", "2个", "200亿级", "3个"]
    for m in found:
        assert text[m.start : m.end] == m.text


def test_years_and_document_numbers_are_not_quantities():
    assert find_quantities("截至2020年，川办发〔2018〕45号，2021年—2025年") == []


def test_fold_width_keeps_length():
    text = "达到９００亿元，增长７．５％"
    assert len(fold_width(text)) == len(text)
    assert fold_width(text) == "达到900亿元，增长7.5%"


# ---------------------------------------------------------------------------------- properties

decimals = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False, places=4)


def _grouped(d: Decimal) -> str:
    return f"{d:,f}"


_FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，-")


@settings(max_examples=200, deadline=None)
@given(decimals, st.sampled_from(["plain", "grouped", "fullwidth"]))
def test_parse_number_round_trips(d: Decimal, style: str):
    text = {"plain": f"{d:f}", "grouped": _grouped(d), "fullwidth": f"{d:f}".translate(_FULL)}[style]
    got = parse_number(text)
    assert got == d
    assert isinstance(got, Decimal)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=Decimal("1e7"), places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["亿元", "万吨", "%", "个", "户", "家", "亩", "平方公里"]))
def test_parse_quantity_round_trips(d: Decimal, unit: str):
    q = parse_quantity(f"{d:f}{unit}")
    assert q is not None and q.value == d and q.unit == unit


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=9999))
def test_chinese_numerals_round_trip(n: int):
    digits = "零一二三四五六七八九"
    parts, zero = [], False
    for power, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        k = n // power % 10
        if k:
            if zero and parts:
                parts.append("零")
            parts.append(digits[k] + unit)
            zero = False
        else:
            zero = True
    text = "".join(parts) or "零"
    assert parse_number(text) == Decimal(n)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789.,%—-~亿万千百十一二三五元吨个户家〔〕（）年号 \n达到以上约") + ["亿元", "km2"]), max_size=30).map("".join))
def test_arbitrary_text_never_raises(text: str):
    parse_number(text)
    parse_quantity(text)
    for m in find_quantities(text):
        assert text[m.start : m.end] == m.text
        assert isinstance(m.quantity.value, Decimal)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_never_raises(text: str):
    parse_number(text)
    parse_quantity(text)
    find_quantities(text)


def _spans_by_finditer(text: str) -> list[tuple[int, int]]:
    from extractors.numbers import _quantity_regex

    return [m.span() for m in _quantity_regex().finditer(text)]


def _spans_by_starts(text: str) -> list[tuple[int, int]]:
    from extractors.numbers import quantity_matches

    return [m.span() for m in quantity_matches(text)]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("〔［[]〕2025１０.．,%％—-至一二十百千万亿元个家吨年 a公里")), max_size=24))
def test_quantity_matches_equal_finditer(text: str) -> None:
    """quantity_matches only skips positions where no quantity can start: same matches."""
    assert _spans_by_starts(text) == _spans_by_finditer(text)


def test_quantity_matches_equal_finditer_on_the_corpus(corpus_documents) -> None:
    for doc in corpus_documents.values():
        assert _spans_by_starts(doc.text) == _spans_by_finditer(doc.text), doc.doc_id
