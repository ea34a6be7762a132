"""Chinese-text helpers every stage needs: Traditional → Simplified, numerals → int.

``to_simplified`` converts character by character so the result has exactly the length of the
input: a span computed on the simplified shadow is valid on the original, and vice versa. The
price is that phrase-level conversions (``乾隆`` stays ``乾隆`` only with phrase context) are
not applied; for policy documents, which are searched and matched, not published, that is the
right trade.
"""

from __future__ import annotations

import functools

_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0, "0": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _circled(ch: str) -> int | None:
    code = ord(ch)
    if 0x2460 <= code <= 0x2473:  # ① … ⑳
        return code - 0x2460 + 1
    if 0x3251 <= code <= 0x325F:  # ㉑ … ㉟
        return code - 0x3251 + 21
    if 0x32B1 <= code <= 0x32BF:  # ㊱ … ㊿
        return code - 0x32B1 + 36
    if 0x2776 <= code <= 0x277F:  # ❶ … ❿
        return code - 0x2776 + 1
    if 0x2474 <= code <= 0x2487:  # ⑴ … ⒇
        return code - 0x2474 + 1
    if 0x3220 <= code <= 0x3229:  # ㈠ … ㈩: （一）…（十） as one glyph (WPS numbering, some PDFs)
        return code - 0x3220 + 1
    return None


def cn_to_int(s: str) -> int | None:
    """The integer a heading number stands for, or ``None`` when ``s`` is not a numeral.

    Accepts Chinese numerals (``一``, ``十六``, ``二十三``, ``一百零五``, ``两千``, financial
    ``贰拾``), digit-by-digit forms (``二〇二一`` → 2021), Arabic digits in ASCII or full width,
    and circled or parenthesized numbers (``③`` → 3, ``㈡`` → 2). Surrounding whitespace is ignored.
    """
    s = s.strip()
    if not s:
        return None
    ascii_form = s.translate(_FULLWIDTH_DIGITS)
    if ascii_form.isascii() and ascii_form.isdigit():
        return int(ascii_form)
    if len(s) == 1 and (value := _circled(s)) is not None:
        return value
    if any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch not in _BIG_UNITS for ch in s):
        return None
    if not any(ch in _SMALL_UNITS or ch in _BIG_UNITS for ch in s):
        # 二〇二一: each character is a digit
        return int("".join(str(_DIGITS[ch]) for ch in s))
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]  # 十六: leading 一 implied
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _BIG_UNITS[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


@functools.cache
def _converter():
    """OpenCC t2s, built once per process on first use (it reads its dictionaries)."""
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=65536)
def _simplified_char(ch: str) -> str:
    converted = _converter().convert(ch)
    return converted if len(converted) == 1 else ch  # never change the length of the text


# Characters already looked up, and those of them that change: shared by every call so a
# document's alphabet is converted once, not once per clause.
_checked: set[str] = set()
_changes: dict[int, str] = {}
_changing: set[str] = set()  # the keys of _changes as characters, for set intersections in C


# Only short texts are cached (titles, unit names, brackets, clauses: they recur from one
# document to the next, and one is asked about more than once). A whole document is converted
# once by its reader (extractors/context.py builds its Simplified form once and passes it
# down): caching it here would keep megabytes of texts that never come back and would hide
# what reading a new document costs.
_CACHED_BELOW = 2048  # characters


def _table_for(text: str) -> dict[int, str]:
    """The translate table for ``text``: its characters that have a different Simplified form.
    Shared between callers: read it, never change it."""
    return _short_table(text) if len(text) < _CACHED_BELOW else _table(text)


def _table(text: str) -> dict[int, str]:
    chars = _distinct_chars(text)
    for ch in chars - _checked:
        if ord(ch) >= 0x2E80:  # below the CJK blocks nothing changes; skip the lookup
            simple = _simplified_char(ch)
            if simple != ch:
                _changes[ord(ch)] = simple
                _changing.add(ch)
        _checked.add(ch)
    return {ord(ch): _changes[ord(ch)] for ch in chars & _changing}


_LONG_TEXT = 2048  # from about this length, the bitmap below beats set()


def _distinct_chars(text: str) -> set[str]:
    """The distinct characters of ``text``. ``set(text)`` makes a one-character string for
    every character outside Latin-1, which adds up to milliseconds over a plan of tens of
    thousands of characters; marking a long text's code points in a numpy bitmap takes about a
    tenth of that."""
    if len(text) < _LONG_TEXT:
        return set(text)
    import numpy as np

    seen = np.zeros(0x110000, dtype=bool)
    seen[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)] = True
    return set(map(chr, np.flatnonzero(seen).tolist()))


_short_table = functools.lru_cache(maxsize=64)(_table)


def to_simplified(text: str) -> str:
    """``text`` with Traditional characters replaced by Simplified ones, same length. Short
    texts are cached (see ``_CACHED_BELOW``); convert a long one once and keep the result."""
    return _short_simplified(text) if len(text) < _CACHED_BELOW else _simplified(text)


def _simplified(text: str) -> str:
    table = _table_for(text)
    if not table:
        return text
    # A mostly Simplified text holds a few Traditional characters (噹 in a whole plan): one
    # str.replace each is a fast scan, where translate looks every character up in the table.
    # Only when no replacement is itself replaced, or the order of replacements would matter.
    if len(table) <= 8 and table.keys().isdisjoint(map(ord, table.values())):
        for code, simple in table.items():
            text = text.replace(chr(code), simple)
        return text
    return text.translate(table)


_short_simplified = functools.lru_cache(maxsize=256)(_simplified)


def has_traditional(text: str) -> bool:
    """True when at least one character of ``text`` has a different Simplified form."""
    return bool(_table_for(text))


def traditional_chars(text: str) -> frozenset[str]:
    """The characters of ``text`` that have a different Simplified form."""
    return frozenset(chr(code) for code in _table_for(text))
