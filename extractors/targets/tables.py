"""Target tables (主要指标表): one typed target per row, with 预期性/约束性 and 〔五年累计〕.

    表 2—2 “十四五”期间工业园区重要指标达成目标
    类别 序号 指标名称 “十四五”目标 属性
    1 规上工业增加值年均增长率 7.5% 预期性     -> increase_by 7.5 %, 2025, 预期性
    11 新增省级及以上“专精特新”企业 〔30户〕 预期性 -> eq 30 户, cumulative

A table is a target table when its header or caption speaks of 指标/目标/属性 and it does not sit
in a 现状 section (表 1—1 …发展情况 tables are baselines). Rows are read from the cells the
segmenter found (PDF text flattened to lines, DOCX tables); each target quotes its whole row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from extractors.deadlines import extract_deadlines
from extractors.measures.tables import table_lexicon
from extractors.numbers import Quantity, find_quantities, parse_number, parse_quantity
from extractors.periods import plan_years
from extractors.targets.claims import Claim
from extractors.targets.lexicon import compact, target_lexicon
from pipeline.model import Comparator, DocTable, Document

_PAREN_UNIT = re.compile(r"[（(]([^（）()]{1,6})[）)]")
_PLAN = re.compile(r"十[一二三四五六七八九]?五")


@dataclass(frozen=True)
class TableRowClaim:
    claim: Claim  # start/end index Document.text (the whole row)
    row_text: str
    section_id: str | None


def _is_target_table(table: DocTable, header: tuple[str, ...] | None) -> bool:
    lex = target_lexicon()
    goal_column = bool(_year_columns(header, None))  # 2024年目标: a column of a year's goals
    if header and table_lexicon().scoring_header.regex.search(" ".join(header)) and not goal_column:
        # 序号 考核指标 分值 评分标准: points, not goals (the same rule keeps it out of the 分工 tables);
        # a column of a year's goals (2024年目标) beside the points still states them
        return False
    by_header = bool(header and lex.target_table_header.regex.search(" ".join(header)))
    return by_header or bool(table.caption and re.search(r"目标|指标", table.caption))


def _header_index(rows: Sequence[tuple[str, ...]]) -> int | None:
    rule = target_lexicon().target_table_header.regex
    for i, row in enumerate(rows[:4]):
        if any(rule.search(c) for c in row) and not any(parse_number(c) is not None for c in row):
            return i
    return None


def _is_value_header(cell: str) -> bool:
    columns = target_lexicon().table_columns
    return bool(columns.value.regex.search(cell)) and not columns.base.regex.search(cell)


def table_year(table: DocTable, header: tuple[str, ...] | None) -> int | None:
    """The year the table's targets are due: 2025年目标, “十四五”目标 (→ 2025), a caption period."""
    text = " ".join([table.caption or "", *(header or ())])
    target_columns = " ".join(h for h in (header or ()) if _is_value_header(h))
    years = [int(y) for y in re.findall(r"(20\d{2})\s*年", target_columns)]
    if years:
        return max(years)
    plan = _PLAN.search(text)
    if plan and (span := plan_years(plan.group(0))):
        return span[1]
    found = [d.date or d.end for d in extract_deadlines(text)]
    return max((d.year for d in found if d), default=None)


def read_value(indicator: str, cell: str) -> tuple[Comparator, Quantity | None] | None:
    """The comparator and figure a value cell states (≥90%, 2500亿元以上, 〔30户〕, 持续提升), or None."""
    lex = target_lexicon()
    found = find_quantities(cell)
    if not found:
        # a bare figure, its unit in another column: 80, ≥90, 〔30〕, 50以上, 1.2以下
        bare = re.fullmatch(
            r"\s*([≥≤><]?)\s*([〔［\[]?)([^≥≤><〔〕［］\[\]]+?)([〕］\]]?)\s*((?:及)?以上|以下|以内|左右)?\s*", cell)
        number = parse_number(bare.group(3)) if bare else None
        if bare and number is not None:
            found_q = Quantity(value=number, bracketed=bool(bare.group(2) and bare.group(4)))
            before, after = bare.group(1), bare.group(5) or ""
        else:
            if any(rule.regex.search(cell) for rule in lex.qualitative):
                return "qualitative", None
            return None
    else:
        found_q, before, after = found[0].quantity, cell[: found[0].start], cell[found[0].end :]
    before, after = compact(before).text, compact(after).text
    for rule in lex.comparators:
        ends = [m.end() for m in rule.regex.finditer(before)]
        if "figure" in rule.positions and len(before) in ends:
            return rule.comparator, found_q
    for rule in lex.suffixes:
        if rule.regex.match(after):
            return rule.comparator, found_q
    for rule in lex.rate_indicators:
        if rule.regex.search(indicator):
            return rule.comparator, found_q
    return "eq", found_q


Columns = tuple[int, int, int | None, int | None]  # name, value, unit, binding


def _columns(header: tuple[str, ...] | None, row: tuple[str, ...]) -> Columns | None:
    """(name, value, unit, binding) column indices of a row."""
    binding_rule = target_lexicon().binding.regex
    binding = next((i for i, c in enumerate(row) if binding_rule.fullmatch(c.strip())), None)
    if header and len(header) == len(row):
        values = [i for i, h in enumerate(header) if _is_value_header(h)]
        columns = target_lexicon().table_columns
        names = [i for i, h in enumerate(header) if columns.name.regex.search(h)]
        units = [i for i, h in enumerate(header) if columns.unit.regex.search(h.strip())]
        if values and names:
            return names[0], values[-1], (units[0] if units else None), binding
    cells = [i for i, c in enumerate(row) if c.strip() and i != binding]
    for k in range(len(cells) - 1, 0, -1):
        i = cells[k]
        if read_value("", row[i]) is not None:
            name = cells[k - 1]
            if parse_number(row[name]) is None:
                return name, i, None, binding
    return None


def _locate(text: str, cells: Sequence[str], lo: int, hi: int) -> tuple[int, int] | None:
    """Span of a row whose cells appear in order in ``text[lo:hi]`` (whitespace may differ)."""
    pos, start = lo, None
    for cell in cells:
        if not cell.strip():
            continue
        pattern = r"\s*".join(re.escape(ch) for ch in re.sub(r"\s+", "", cell))
        m = re.compile(pattern).search(text, pos, hi)
        if m is None:
            return None
        start = m.start() if start is None else start
        pos = m.end()
    return (start, pos) if start is not None else None


def _year_columns(header: tuple[str, ...] | None, doc_year: int | None) -> dict[int, int]:
    """Value columns each naming their own year: 2025年目标值 | 2027年目标值, or 2024年 | 2025年 |
    2026年 beside a 2023年（基期） column in a document of 2024 (a year before the document's is
    history). Each states one target a year."""
    base = target_lexicon().table_columns.base.regex
    columns: dict[int, int] = {}
    for i, cell in enumerate(header or ()):
        m = re.search(r"(20\d{2})\s*年", cell)
        if m is None or base.search(cell) or not _is_value_header(cell):
            continue
        year = int(m.group(1))
        if re.search("目标|预期", cell) or (doc_year is not None and year >= doc_year):
            columns[i] = year
    return columns


def read_table(doc: Document, table: DocTable, scope: str | None,
               doc_year: int | None = None) -> list[TableRowClaim]:
    """Targets in one table of ``doc``; [] for tables that are not target tables. ``doc_year``:
    the year the document speaks from; a column of a year not before it is a year's target."""
    rows = table.rows
    h = _header_index(rows)
    header = rows[h] if h is not None else None
    if not rows or not _is_target_table(table, header):
        return []
    lo, hi = (table.span.start, table.span.end) if table.span is not None else (0, len(doc.text))
    year = table_year(table, header)
    year_columns = _year_columns(header, doc_year)
    header_units = {
        i: m.group(1) for i, c in enumerate(header or ()) if (m := _PAREN_UNIT.search(c))
    }
    lex = target_lexicon()
    out: list[TableRowClaim] = []
    cursor = lo
    if header is not None and (loc := _locate(doc.text, header, cursor, hi)):
        cursor = loc[1]
    for row in rows[(h + 1) if h is not None else 0 :]:
        if row and lex.table_columns.stop_row.regex.match(row[0].strip()):
            break
        if header is not None and 0 < len(row) < len(header):
            # merged category cells are missing at the left
            row = ("",) * (len(header) - len(row)) + tuple(row)
        cols = _columns(header, row)
        if cols is None:
            continue
        name_i, value_i, unit_i, binding_i = cols
        # 2025年目标值 | 2027年目标值: one target a year (otherwise the table's one year)
        value_columns = sorted(year_columns.items()) if len(year_columns) >= 2 and len(row) == len(header or ()) \
            else [(value_i, year)]
        indicator = re.sub(r"\s+", "", row[name_i])
        name_unit = _PAREN_UNIT.search(indicator)
        if name_unit and parse_quantity("1" + name_unit.group(1)) is not None:
            # 规上工业总产值（亿元）: the unit is in the name
            indicator = indicator[: name_unit.start()] + indicator[name_unit.end() :]
        else:
            name_unit = None
        loc = _locate(doc.text, row, cursor, hi)
        if loc is None or not indicator:
            continue
        cursor = loc[1]
        for value_i, due in value_columns:
            claim = _cell_claim(row, indicator, name_unit, value_i, unit_i, binding_i, header_units, scope, due, loc)
            if claim is not None:
                out.append(TableRowClaim(claim=claim, row_text=doc.text[loc[0] : loc[1]], section_id=table.section_id))
    return out


def _cell_claim(row: tuple[str, ...], indicator: str, name_unit: re.Match[str] | None, value_i: int,
                unit_i: int | None, binding_i: int | None, header_units: dict[int, str], scope: str | None,
                year: int | None, loc: tuple[int, int]) -> Claim | None:
    """The target one value cell of a target table's row states, or None."""
    lex = target_lexicon()
    read = read_value(indicator, row[value_i])
    if read is None:
        return None
    comparator, q = read
    unit = q.unit if q else None
    if q is not None and unit is None:
        unit = (
            (row[unit_i].strip().strip("—－-–/／") if unit_i is not None else None)  # — : no unit
            or (name_unit.group(1) if name_unit else None)
            or header_units.get(value_i)
            or None
        )
    written = row[binding_i].strip() if binding_i is not None else None
    binding: Literal["预期性", "约束性"] | None = (
        "约束性" if written == "约束性" else "预期性" if written == "预期性" else None
    )
    return Claim(
        start=loc[0], end=loc[1], indicator=indicator, comparator=comparator, scope=scope,
        value=q.value if q else None, value_max=q.value_max if q else None, unit=unit,
        year=year,
        binding=binding,
        cumulative=bool(q and q.bracketed) or bool(lex.cumulative.regex.search(indicator)),
    )
