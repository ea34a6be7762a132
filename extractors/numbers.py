"""Numbers and quantities as Chinese official documents write them, always as ``Decimal``.

    parse_number("1,922.27") -> Decimal("1922.27")      parse_number("二十三") -> Decimal("23")
    parse_quantity("五千亿元") -> Quantity(value=5000, unit="亿元")
    find_quantities("达到 900亿元以上") -> [QuantityMatch(900 亿元, span of "900亿元")]

Magnitude words (万, 亿, 千亿 …) stay in the unit as written: 16.4亿元 is 16.4 of 亿元, so a
figure can be compared with the same figure elsewhere without float rounding or silent scaling.
Unit words are data (``lexicons/targets.yaml``: ``units``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict

from extractors.lexicon import load_yaml

# Length-preserving (one char -> one char) so offsets found in the folded text stay valid.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％－～", "0123456789.%-~")

_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL_UNITS)

ARABIC = r"[0-9０-９]+(?:,[0-9０-９]{3})*(?:[.．][0-9０-９]+)?"  # 1,922.27 (never the Chinese 、，)
CHINESE = rf"[{_CN_NUMERAL_CHARS}]+(?:点[{''.join(_CN_DIGITS)}]+)?"
_ARABIC_RE = re.compile(rf"[-−]?{ARABIC}")
_CHINESE_RE = re.compile(CHINESE)


class UnitLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    magnitudes: tuple[str, ...]  # 万亿, 千亿, 亿, 万 … (kept in the unit, never multiplied out)
    units: tuple[str, ...]  # 元, 吨, %, 个, 户 … standard units after a number
    per_units: tuple[str, ...] = ()  # 亩, 人 … in 万元/亩


@functools.cache
def unit_lexicon() -> UnitLexicon:
    return UnitLexicon.model_validate(load_yaml("targets.yaml")["units"])


@dataclass(frozen=True)
class Quantity:
    """``value`` (and ``value_max`` for a range such as 5—10%) in ``unit`` as written."""

    value: Decimal
    unit: str | None = None
    value_max: Decimal | None = None
    bracketed: bool = False  # 〔30户〕: a five-year total in Chinese target tables


@dataclass(frozen=True)
class QuantityMatch:
    quantity: Quantity
    start: int  # into the text that was searched
    end: int
    text: str


def fold_width(text: str) -> str:
    """Full-width digits and signs to ASCII, one character for one (offsets unchanged)."""
    return text.translate(_FULLWIDTH)


def parse_chinese_numeral(s: str) -> Decimal | None:
    """一 → 1, 十六 → 16, 二十三 → 23, 五千 → 5000, 一千二百 → 1200, 二〇二五 → 2025, 三点五 → 3.5.

    Magnitude words 万/亿 are not numerals here (see module doc): ``五千亿`` gives None.
    """
    if not s:
        return None
    whole, _, frac = s.partition("点")
    if not whole or any(c not in _CN_NUMERAL_CHARS for c in whole):
        return None
    if frac and any(c not in _CN_DIGITS for c in frac):
        return None
    if all(c in _CN_DIGITS for c in whole):
        if len(whole) > 1 and whole[0] in "零〇○" and not frac:
            return None
        digits = "".join(str(_CN_DIGITS[c]) for c in whole)
    else:
        total, current, last_unit = 0, None, 10**9
        for c in whole:
            if c in _CN_DIGITS:
                if current is not None and _CN_DIGITS[c] != 0:
                    return None  # two digits in a row inside a unit numeral: 二三十
                current = _CN_DIGITS[c] if _CN_DIGITS[c] != 0 else None
            else:
                unit = _CN_SMALL_UNITS[c]
                if unit >= last_unit:
                    return None  # 十百, 百百: not a numeral
                total += (current if current is not None else 1) * unit
                current, last_unit = None, unit
        if current is not None:
            total += current
        digits = str(total)
    text = digits + ("." + "".join(str(_CN_DIGITS[c]) for c in frac) if frac else "")
    return Decimal(text)


def parse_number(s: str) -> Decimal | None:
    """A whole string as a number, or None: "900", "1,922.27", "９００", "16.4", "五千", "十六".

    Surrounding whitespace is ignored; anything else around the number (units, 万/亿) gives None,
    use ``parse_quantity`` for those.
    """
    if not isinstance(s, str):
        return None
    t = fold_width(s.strip()).replace("，", ",")
    if not t:
        return None
    if _ARABIC_RE.fullmatch(t):
        try:
            return Decimal(t.replace(",", "").replace("−", "-"))
        except InvalidOperation:
            return None
    if _CHINESE_RE.fullmatch(t):
        return parse_chinese_numeral(t)
    return None


@functools.cache
def _quantity_regex() -> re.Pattern[str]:
    lex = unit_lexicon()

    def alt(words: tuple[str, ...]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    num = rf"(?:{ARABIC}|{CHINESE})"
    per = rf"(?:/(?:{alt(lex.per_units)}))?" if lex.per_units else ""
    return re.compile(
        rf"(?<![0-9A-Za-z.．０-９{_CN_NUMERAL_CHARS}])"
        rf"(?P<open>[〔［\[])?"
        rf"(?P<num>{num})(?P<pct1>[%％])?"
        rf"(?:[ \t]*(?P<sep>[—–\-－~～至到])[ \t]*(?P<num2>{num}))?"
        rf"\s*(?P<mag>{alt(lex.magnitudes)})?"
        rf"\s*(?P<unit>(?:{alt(lex.units)}){per})?"
        rf"(?![A-Za-z0-9])"
        rf"(?P<close>[〕］\]])?"
    )


# Where a quantity can start: a numeral, or the bracket of 〔30户〕 right before one.
_QUANTITY_START = re.compile(rf"[〔［\[]?[0-9０-９{_CN_NUMERAL_CHARS}]")


def quantity_matches(text: str) -> Iterator[re.Match[str]]:
    """``_quantity_regex().finditer(text)``, trying the pattern only where a quantity can start.

    The pattern opens with a lookbehind and optional parts, so ``finditer`` attempts a match at
    every character; most characters of a clause are not numerals. Same matches, same order:
    a match can only begin where ``_QUANTITY_START`` does, and matching at a position sees the
    text before it (lookbehinds) just as ``finditer`` does.
    """
    regex = _quantity_regex()
    pos = 0
    while (start := _QUANTITY_START.search(text, pos)) is not None:
        at = start.start()
        m = regex.match(text, at)
        if m is None and start.end() - at == 2:  # 〔 then a numeral: the numeral may start one
            at += 1
            m = regex.match(text, at)
        if m is None:
            pos = at + 1
            continue
        yield m
        pos = m.end()


def _number_token(s: str) -> Decimal | None:
    return parse_number(s.replace(" ", ""))


def _quantity_from_match(m: re.Match[str]) -> Quantity | None:
    mag, unit, pct1 = m.group("mag"), m.group("unit"), m.group("pct1")
    if not (mag or unit or pct1):
        return None
    num, num2 = m.group("num"), m.group("num2")
    is_cn = num[0] in _CN_NUMERAL_CHARS
    if is_cn and re.search(r"\s", m.group(0)):
        return None  # 一 个: Chinese numerals are written tight against their unit
    value = _number_token(num)
    value_max = _number_token(num2) if num2 else None
    if value is None or (num2 and value_max is None):
        return None
    if pct1 and unit and unit not in ("%", "％"):
        return None  # 5%—10亿元 is not one quantity
    if pct1 and num2 and not unit:
        return None  # 5%—10 without a unit on the second figure
    if value_max is not None and value_max < value:
        return None  # 2023—2021: not a range (usually a date or a code)
    written = re.sub(r"\s+", "", (mag or "") + (unit or ("%" if pct1 else "")))
    written = fold_width(written)
    bracketed = bool(m.group("open") and m.group("close"))
    return Quantity(value=value, unit=written or None, value_max=value_max, bracketed=bracketed)


# Shares written in words or as a fraction: 百分之八十, 三分之二, 2/3. One digit on each side of
# the slash (2/3, never 2023/12 or 24/7 … which the lookarounds refuse).
_SHARE = re.compile(
    rf"百分之(?P<pct>{CHINESE}|{ARABIC})"
    rf"|(?<![0-9０-９{_CN_NUMERAL_CHARS}])(?P<den_cn>[一二三四五六七八九十])分之(?P<num_cn>[一二三四五六七八九])(?![{_CN_NUMERAL_CHARS}])"
    r"|(?<![0-9０-９/.．])(?P<num_ar>[1-9１-９])[/／](?P<den_ar>[1-9１-９])(?![0-9０-９/.．])"
)
_PERCENT = Decimal(100)


def _share(m: re.Match[str]) -> Quantity | None:
    """百分之八十 → 80 %; 三分之二, 2/3 → 66.67 % (a fraction is compared as the share it is)."""
    if m.group("pct"):
        value = parse_number(m.group("pct"))
        return Quantity(value=value, unit="%") if value is not None else None
    num = parse_number(m.group("num_cn") or m.group("num_ar"))
    den = parse_number(m.group("den_cn") or m.group("den_ar"))
    if num is None or den is None or not 0 < num < den:
        return None
    share = num * _PERCENT / den
    exact = share.to_integral_value()
    return Quantity(value=exact if share == exact else share.quantize(Decimal("0.01")), unit="%")


# A ratio to one (车桩比2:1, 停车泊位比1:1.2): the other term is the figure, with no unit. Only after
# a 比 word, so a clock time (1:30) is never one.
_RATIO = re.compile(r"(?<![0-9０-９.．:：])(?P<a>\d+(?:\.\d+)?)\s*[:：]\s*(?P<b>\d+(?:\.\d+)?)(?![0-9０-９.．:：])")


def _ratio(m: re.Match[str], text: str) -> Quantity | None:
    if "比" not in text[max(0, m.start() - 16) : m.start()]:
        return None
    a, b = Decimal(m.group("a")), Decimal(m.group("b"))
    if a == 1:
        return Quantity(value=b)
    return Quantity(value=a) if b == 1 else None


def _shares(text: str) -> list[QuantityMatch]:
    ratios = ":" in text or "：" in text
    if "分之" not in text and "/" not in text and "／" not in text and not ratios:  # most clauses
        return []
    out = []
    for m in _SHARE.finditer(text):
        q = _share(m)
        if q is not None:
            out.append(QuantityMatch(quantity=q, start=m.start(), end=m.end(), text=m.group(0)))
    if ratios:
        for m in _RATIO.finditer(text):
            q = _ratio(m, text)
            if q is not None:
                out.append(QuantityMatch(quantity=q, start=m.start(), end=m.end(), text=m.group(0)))
    return sorted(out, key=lambda m: m.start)


def find_quantities(text: str) -> list[QuantityMatch]:
    """Every number-with-unit in ``text`` (ranges such as 5—10%, 3-5家 are one quantity), and
    every share written in words or as a fraction (百分之八十, 三分之二, 2/3: in %).

    Bare numbers without a unit or magnitude word are not quantities (years, list numbers).
    Spans exclude the brackets of 〔30户〕 unless both brackets are there.
    """
    shares = _shares(text)
    out: list[QuantityMatch] = []
    for m in quantity_matches(text):
        if shares and any(s.start < m.end() and m.start() < s.end for s in shares):
            continue
        q = _quantity_from_match(m)
        if q is None:
            continue
        start, end = m.start(), m.end()
        if m.group("open") and not q.bracketed:
            start = m.start("num")
        if m.group("close") and not q.bracketed:
            end = m.end("unit") if m.group("unit") else m.end("mag")
        while end > start and text[end - 1].isspace():
            end -= 1
        out.append(QuantityMatch(quantity=q, start=start, end=end, text=text[start:end]))
    if shares:
        out = sorted(out + shares, key=lambda m: m.start)
    return out


def parse_quantity(s: str) -> Quantity | None:
    """A whole string as one quantity: "五千亿元" → 5000 亿元, "5—10%" → 5..10 %, "〔30户〕"."""
    if not isinstance(s, str):
        return None
    t = s.strip()
    found = find_quantities(t)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(t):
        return found[0].quantity
    return None
