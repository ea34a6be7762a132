"""Word's list numbering (numbering.xml): the number each numbered paragraph shows, as Word
renders it (一、 （一） 1. ①, 甲 乙 丙, I II III), with its counters, restarts and overrides.
``pipeline.load_docx`` writes it in front of the paragraph's text."""

from __future__ import annotations

from dataclasses import dataclass, field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_CN = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def _cn_counting(
    n: int, digits: str = _CN, ten: str = "十", hundred: str = "百", thousand: str = "千"
) -> str:
    if n <= 0 or n >= 10000:
        return str(n)
    parts: list[str] = []
    pending_zero = False
    for value, unit in ((1000, thousand), (100, hundred), (10, ten), (1, "")):
        d = n // value % 10
        if d == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append(digits[0])
            pending_zero = False
        # 十一, not 一十一, when the number starts with the tens
        parts.append(unit if (unit == ten and d == 1 and not parts) else digits[d] + unit)
    return "".join(parts)


# Word's own dialogs stop a list's start at 32767; a file may say anything (w:start="1e11"). Past
# this a number is written in digits: a Roman or letter form that long is nothing a reader cites,
# and building it would take time and memory in proportion to the number.
MAX_LIST_NUMBER = 32767


def int_attr(value: str | None, default: int, lo: int = 0, hi: int = MAX_LIST_NUMBER) -> int:
    """An integer attribute of numbering.xml, ``default`` when it is not one (w:start="x"), kept
    within [lo, hi]."""
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return min(max(number, lo), hi)


def _roman(n: int) -> str:
    if n > MAX_LIST_NUMBER:
        return str(n)
    out = []
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: 27 → AA, 28 → BB
    if n > MAX_LIST_NUMBER:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


_COUNTING = frozenset(
    "chineseCounting chineseCountingThousand japaneseCounting taiwaneseCounting "
    "taiwaneseCountingThousand japaneseLegal koreanCounting".split()
)
_CIRCLED = frozenset(
    "decimalEnclosedCircle decimalEnclosedCircleChinese ideographEnclosedCircle".split()
)


def format_number(n: int, num_fmt: str) -> str:
    """Render counter ``n`` the way Word does for ``w:numFmt`` ``num_fmt``."""
    if num_fmt in _COUNTING:
        return _cn_counting(n)
    if num_fmt == "chineseLegalSimplified":
        return _cn_counting(n, _CN_LEGAL, "拾", "佰", "仟")
    if num_fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇" if c == "0" else _CN[int(c)] for c in str(n))
    if num_fmt in ("ideographTraditional",) and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if num_fmt in ("ideographZodiac",) and 1 <= n <= 12:
        return _DIZHI[n - 1]
    if num_fmt in _CIRCLED and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if num_fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if num_fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if num_fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(c)) for c in str(n))
    if num_fmt == "decimalZero":
        return f"{n:02d}"
    if num_fmt == "upperRoman":
        return _roman(n)
    if num_fmt == "lowerRoman":
        return _roman(n).lower()
    if num_fmt == "upperLetter":
        return _letters(n)
    if num_fmt == "lowerLetter":
        return _letters(n).lower()
    if num_fmt == "none":
        return ""
    return str(n)


# --------------------------------------------------------------------------------------------
# numbering.xml


def attr_val(el, tag: str) -> str | None:
    child = el.find(W + tag) if el is not None else None
    return child.get(W + "val") if child is not None else None


@dataclass(frozen=True)
class Level:
    start: int = 1
    num_fmt: str = "decimal"
    lvl_text: str = "%1."
    suffix: str = "tab"
    is_legal: bool = False


def _level(el) -> Level:
    return Level(
        start=int_attr(attr_val(el, "start"), 1),
        num_fmt=attr_val(el, "numFmt") or "decimal",
        lvl_text=attr_val(el, "lvlText") if el.find(W + "lvlText") is not None else "",
        suffix=attr_val(el, "suff") or "tab",
        is_legal=el.find(W + "isLgl") is not None,
    )


@dataclass
class Numbering:
    """Resolved numbering definitions plus the running counters of one pass over the body."""

    abstract_levels: dict[str, dict[int, Level]] = field(default_factory=dict)
    num_abstract: dict[str, str] = field(default_factory=dict)
    num_levels: dict[str, dict[int, Level]] = field(default_factory=dict)  # lvlOverride/lvl
    start_overrides: dict[str, dict[int, int]] = field(default_factory=dict)
    counters: dict[str, list[int | None]] = field(default_factory=dict)  # per abstractNum
    used_overrides: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def from_xml(cls, root) -> "Numbering":
        numbering = cls()
        if root is None:
            return numbering
        for ab in root.iter(W + "abstractNum"):
            levels = {int_attr(lvl.get(W + "ilvl"), 0, 0, 8): _level(lvl) for lvl in ab.findall(W + "lvl")}
            numbering.abstract_levels[ab.get(W + "abstractNumId", "")] = levels
        for num in root.iter(W + "num"):
            num_id = num.get(W + "numId", "")
            numbering.num_abstract[num_id] = attr_val(num, "abstractNumId") or ""
            for ov in num.findall(W + "lvlOverride"):
                ilvl = int_attr(ov.get(W + "ilvl"), 0, 0, 8)
                start = attr_val(ov, "startOverride")
                if start is not None:
                    numbering.start_overrides.setdefault(num_id, {})[ilvl] = int_attr(start, 1)
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    numbering.num_levels.setdefault(num_id, {})[ilvl] = _level(lvl)
        return numbering

    def _level_of(self, num_id: str, ilvl: int) -> Level | None:
        override = self.num_levels.get(num_id, {}).get(ilvl)
        return override or self.abstract_levels.get(self.num_abstract.get(num_id, ""), {}).get(ilvl)

    def render(self, num_id: str, ilvl: int) -> str:
        """Advance the counter for this paragraph and return its visible number prefix."""
        level = self._level_of(num_id, ilvl)
        if level is None or level.num_fmt == "bullet":
            return ""  # bullets carry no number a reader could cite
        abstract = self.num_abstract.get(num_id, num_id)
        counters = self.counters.setdefault(abstract, [None] * 9)
        override = self.start_overrides.get(num_id, {}).get(ilvl)
        if override is not None and (num_id, ilvl) not in self.used_overrides:
            self.used_overrides.add((num_id, ilvl))
            counters[ilvl] = override
        elif counters[ilvl] is None:
            counters[ilvl] = level.start
        else:
            counters[ilvl] = min((counters[ilvl] or 0) + 1, MAX_LIST_NUMBER)
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        text = level.lvl_text
        for k in range(8, -1, -1):  # %10 does not exist; go high to low so %1 never eats %1x
            token = f"%{k + 1}"
            if token in text:
                k_level = self._level_of(num_id, k) or Level()
                value = counters[k] if counters[k] is not None else k_level.start
                fmt = "decimal" if level.is_legal and k != ilvl else k_level.num_fmt
                text = text.replace(token, format_number(value or 0, fmt))
        if not text:
            return ""
        if level.suffix == "nothing" or text[-1] in "、.．）)：:，,":
            return text
        return text + " "


NumPr = tuple[str | None, int | None]  # (numId, ilvl) from a style


def style_num_pr(styles_root) -> dict[str, NumPr]:
    """Style id → (numId, ilvl) from the style or the styles it is based on."""
    if styles_root is None:
        return {}
    raw: dict[str, tuple[str | None, int | None, str | None]] = {}
    for style in styles_root.iter(W + "style"):
        ppr = style.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        ilvl = attr_val(num_pr, "ilvl") if num_pr is not None else None
        raw[style.get(W + "styleId", "")] = (
            attr_val(num_pr, "numId") if num_pr is not None else None,
            int_attr(ilvl, 0, 0, 8) if ilvl is not None else None,
            attr_val(style, "basedOn"),
        )
    resolved: dict[str, tuple[str | None, int | None]] = {}
    for style_id in raw:
        num_id, ilvl, current, seen = None, None, style_id, set()
        while current in raw and current not in seen and num_id is None:
            seen.add(current)
            style_num, style_ilvl, based_on = raw[current]
            num_id = style_num
            ilvl = style_ilvl if ilvl is None else ilvl
            current = based_on
        resolved[style_id] = (num_id, ilvl)
    return resolved
