"""Tables written as text in a .txt/.md file (or a conversion of one): markdown pipes, tab-separated
rows, and tables flattened one cell per line (a web page's table copied as text). Each keeps the
span of its lines in the text, as the DOCX and HTML loaders' tables do."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.model import RawTable, Span
from pipeline.pipe_rows import short_row_tables
from pipeline.rules import cleaning_rules

_MIN_COLUMNS = 3  # 序号 | 任务 | 单位: fewer columns is a list of pairs, not a 分工 table
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(line: str) -> tuple[str, ...] | None:
    """A table row written as text: markdown (``| a | b |``), a web page's copy with ``|`` after
    each cell (``a | b |``), or tab-separated; else None."""
    stripped = line.strip()
    if stripped.startswith("|"):
        cells = tuple(c.strip() for c in stripped.strip("|").split("|"))
    elif stripped.endswith("|"):  # each cell closed by its "|", empty ones too
        cells = tuple(c.strip() for c in stripped.split("|")[:-1])
    elif "\t" in stripped:
        cells = tuple(c.strip() for c in stripped.split("\t"))
    else:
        return None
    return cells if len(cells) >= _MIN_COLUMNS else None


_CELL_HEADER = re.compile(r"^(?:序\s*号|编\s*号)$")
_UNIT_HEADER = re.compile(r"(?:牵头|责任|配合|协同|参与|指导|主责)\s*(?:负责)?\s*(?:单\s*位|部\s*门|处\s*室|科\s*室|股\s*室|司\s*局)")
_TASK_HEADER = re.compile(r"任\s*务|措\s*施|举\s*措|工作事项|重点工作")
ROW_NUMBER = re.compile(r"^[0-9０-９]{1,3}$")  # a flattened table row opens with its number on a line of its own
_GROUP_ROW = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．]")  # 一、扩大有效投资（5项）: a group title, never a header cell
_MAX_HEADER_CELL = 12
_MAX_GROUP_TITLE = 40


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, stripped line) of every line of ``text``."""
    lines: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        lines.append((offset, line.strip()))
        offset += len(line) + 1
    return lines


def flattened_tables(lines: list[tuple[int, str]], empty_cells: bool = False) -> tuple[RawTable, ...]:
    """Tables flattened one cell per line (a web page's table copied as text): a line 序号, the
    other header cells one per line (one of them a unit column: 牵头单位, 责任单位, 指导部门 …, or
    a task column: 重点任务, 具体措施),
    then rows that each start with their number; lines between rows (一、…方面（共5项）) are
    group titles, not rows. ``lines``: (offset, stripped line) of the text (``_lines``);
    ``empty_cells``: an empty line is a cell left empty (the blank lines between cells are gone)."""
    tables: list[RawTable] = []
    i = 0
    while i < len(lines):
        if not _CELL_HEADER.match(lines[i][1]):
            i += 1
            continue
        header = [lines[i][1]]
        j = i + 1
        while j < len(lines) and 0 < len(lines[j][1]) <= _MAX_HEADER_CELL and not ROW_NUMBER.match(lines[j][1]) \
                and not re.search(r"[，。；：]", lines[j][1]) and not _GROUP_ROW.match(lines[j][1]) and len(header) < 9:
            header.append(lines[j][1])
            j += 1
        width = len(header)
        # a 分工 table names its units; a 任务清单 of a document that names none names its tasks
        if width < _MIN_COLUMNS or not any(_UNIT_HEADER.search(h) or _TASK_HEADER.search(h) for h in header):
            i += 1
            continue
        rows = [tuple(re.sub(r"\s+", "", h) for h in header)]
        end = lines[j - 1][0] + len(lines[j - 1][1])
        merged = next((k for k, h in enumerate(header) if _MERGED_HEADER.search(h)), None)
        while j < len(lines):
            if ROW_NUMBER.match(lines[j][1]) and j + width - (merged is not None) <= len(lines):
                cells = tuple(line for _, line in lines[j:j + width])
                if merged is not None and (len(cells) < width or ROW_NUMBER.match(cells[-1])) and not any(
                        ROW_NUMBER.match(c) or not c for c in cells[1:width - 1]):
                    # a group column's cell merged over several rows is written once, in the first
                    cells = (*cells[:merged], "", *cells[merged:width - 1])
                    rows.append(cells)
                    end = lines[j + width - 2][0] + len(lines[j + width - 2][1])
                    j += width - 1
                    continue
                cut = _next_row_at(cells)
                if cut is not None and cut >= _MIN_COLUMNS:  # its last cells left out (no 责任领导 named)
                    rows.append((*cells[:cut], *[""] * (width - cut)))
                    end = lines[j + cut - 1][0] + len(lines[j + cut - 1][1])
                    j += cut
                    continue
                if any(ROW_NUMBER.match(c) or not (c or empty_cells and k > 1) for k, c in enumerate(cells[1:], 1)):
                    break
                cells, taken = _with_extra_lines(cells, lines, j + width, header)
                rows.append(cells)
                end = lines[j + taken - 1][0] + len(lines[j + taken - 1][1])
                j += taken
            elif lines[j][1] and not ROW_NUMBER.match(lines[j][1]) \
                    and any(ROW_NUMBER.match(line) for _, line in lines[j + 1:j + 4]):
                j += 1  # a group title before a row (一、…方面（共5项）), or two when a group is cut
            elif _GROUP_ROW.match(lines[j][1]) and _rows_follow_titles(lines, j):
                j += 1  # groups with no rows of their own (a table filtered to one 局's rows)
            else:
                break
        if len(rows) >= 3:
            tables.append(RawTable(rows=tuple(rows), raw_span=Span(start=lines[i][0], end=end)))
        i = j
    return tuple(tables)


def _next_row_at(cells: tuple[str, ...]) -> int | None:
    """Where the next row's number (this row's + 1) stands among ``cells``, if it does."""
    following = str(int(cells[0]) + 1)
    return next((k for k, c in enumerate(cells[1:], 1) if c.isdigit() and str(int(c)) == following), None)


def _rows_follow_titles(lines: list[tuple[int, str]], j: int) -> bool:
    """From line ``j`` on, group titles only (一、… 二、…), then a row's number."""
    k = j
    while k < len(lines) and _GROUP_ROW.match(lines[k][1]):
        k += 1
    return k < len(lines) and ROW_NUMBER.match(lines[k][1]) is not None


_TIME_HEADER = re.compile(r"时\s*限|时\s*间|节\s*点")
_MERGED_HEADER = re.compile(r"^(?:章\s*节|类\s*别|分\s*块|领\s*域|板\s*块|方\s*面|分\s*类)$")
_MAX_EXTRA_LINES = 3


def _with_extra_lines(cells: tuple[str, ...], lines: list[tuple[int, str]], after: int,
                      header: list[str]) -> tuple[tuple[str, ...], int]:
    """(the row's cells, how many lines it takes) when a cell before the time column holds two lines
    (两位责任领导 one per line): the row's last line is its time limit, the lines before it back to
    that column are one cell. Without a time column or extra lines, the row is ``cells`` as read."""
    extra: list[str] = []
    k = after
    while k < len(lines) and len(extra) < _MAX_EXTRA_LINES and lines[k][1] \
            and not ROW_NUMBER.match(lines[k][1]) and not _GROUP_ROW.match(lines[k][1]):
        extra.append(lines[k][1])
        k += 1
    ends_row = k >= len(lines) or not lines[k][1] or ROW_NUMBER.match(lines[k][1]) or _GROUP_ROW.match(lines[k][1])
    if not extra or not ends_row or len(header) < 3 or not _TIME_HEADER.search(header[-1]):
        return cells, len(cells)
    every = [*cells, *extra]
    width = len(cells)
    merged = "、".join(every[width - 2 : len(every) - 1])
    return (*every[: width - 2], merged, every[-1]), len(every)


# The header cells of an indicator table (主要指标表) copied one cell per line: 序号 / 指标 / 单位 /
# 2023年 / 2024年 / 2026年目标 / 属性. Every header cell must be one of these, so a data row is
# never taken for a header, and a row's last cell 预期性/约束性 checks the width.
_INDICATOR_HEADER_CELL = re.compile(
    r"^(?:序\s*号|类\s*别|领\s*域|指\s*标(?:名\s*称)?|单\s*位|计量单位|属\s*性|指标属性|备\s*注"
    r"|(?:20\d{2}\s*年|“?十[一二三四五六七八九]?五”?(?:末|期末)?)[^，。；]{0,8}|目标值?|基期值?|现状值?)$"
)
_INDICATOR_NAME = re.compile(r"^指\s*标(?:名\s*称)?$")
_YEAR_OR_GOAL = re.compile(r"20\d{2}\s*年|目标|十[一二三四五六七八九]?五")
_BINDING = re.compile(r"^(?:预期性|约束性)$")


def flattened_indicator_tables(lines: list[tuple[int, str]]) -> list[RawTable]:
    """Indicator tables copied one cell per line, with or without a 序号 column: a run of header
    cells naming 指标 and a year or 目标, then rows of as many lines, each holding a figure."""
    tables: list[RawTable] = []
    # a PDF copy's page break (blank lines, — 3 —) may fall inside a row: cells are the other lines
    furniture = cleaning_rules().drop_regex
    lines = [(offset, line) for offset, line in lines if line and not furniture.search(line)]
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _INDICATOR_HEADER_CELL.match(lines[j][1]) and j - i < 9:
            j += 1
        header = [line for _, line in lines[i:j]]
        if not (any(_INDICATOR_NAME.match(h) for h in header) and any(_YEAR_OR_GOAL.search(h) for h in header)
                and len(header) >= _MIN_COLUMNS):
            i = max(j, i + 1)
            continue
        width = len(header)
        rows = [tuple(re.sub(r"\s+", "", h) for h in header)]
        end = lines[j - 1][0] + len(lines[j - 1][1])
        binding_last = bool(re.match(r"^(?:属\s*性|指标属性)$", header[-1]))
        while j + width <= len(lines):
            cells = tuple(line for _, line in lines[j : j + width])
            if not all(cells) or not any(re.search(r"[0-9０-９]", c) for c in cells[1:]) \
                    or (binding_last and not _BINDING.match(cells[-1])):
                break
            rows.append(cells)
            end = lines[j + width - 1][0] + len(lines[j + width - 1][1])
            j += width
        if len(rows) >= 2:
            tables.append(RawTable(rows=tuple(rows), raw_span=Span(start=lines[i][0], end=end)))
        i = j
    return tables


def _is_group_title(line: str) -> bool:
    """A group's title standing on its own line between a table's rows (一、扩大有效投资（共5项）)."""
    stripped = line.strip()
    return bool(_GROUP_ROW.match(stripped)) and len(stripped) <= _MAX_GROUP_TITLE and "。" not in stripped


_PAGE_FURNITURE_LINES = 6  # blank, — 2 —, blank, the running title, blank


def _page_break_inside(lines: list[str], k: int, rows: list[tuple[str, ...]]) -> bool:
    """Whether line ``k`` is page furniture (a page number, a running title) standing between a
    table's row numbered n and the row numbered n + 1 on the next page of a PDF copy."""
    last = rows[-1][0].strip()
    if not ROW_NUMBER.match(last) or len(lines[k].strip()) > _MAX_GROUP_TITLE:
        return False
    for ahead in lines[k + 1 : k + 1 + _PAGE_FURNITURE_LINES]:
        cells = _cells(ahead)
        if cells is not None:
            return len(cells) == len(rows[0]) and cells[0].strip() == str(int(last) + 1)
        if len(ahead.strip()) > _MAX_GROUP_TITLE or "。" in ahead:
            return False
    return False


_CELL_GAP = re.compile(r"(?:[ \u3000\xa0]{3,}|\t)")


def _space_cells(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The cells of lines that hold a flattened table's header (序号 … 责任单位) as runs of text
    apart by three or more spaces, each with its offset; other lines as they are."""
    out: list[tuple[int, str]] = []
    for offset, line in lines:
        if not (_CELL_GAP.search(line) and re.search(r"序\s?号", line) and _UNIT_HEADER.search(line)):
            out.append((offset, line))
            continue
        pos = 0
        for gap in [*_CELL_GAP.finditer(line), None]:
            end = gap.start() if gap else len(line)
            if line[pos:end].strip():
                out.append((offset + pos, line[pos:end].strip()))
            pos = gap.end() if gap else end
    return out


# 序号 工 作 任 务 牵头负责部门 / 1 居民消费价格涨幅3%左右 发展改革委: a law database's copy of a
# three-column 分工 table, its cells apart by one space (the task cell holds none, the unit cell is
# the row's last word)
_SPACED_HEADER = re.compile(r"^序\s*号\s+(\S.*?)\s+(\S*(?:单\s*位|部\s*门))$")
_SPACED_ROW = re.compile(r"^([0-9０-９]{1,3})\s+(\S+)\s+(\S{2,40})$")


def _single_space_tables(lines: list[tuple[int, str]]) -> list[RawTable]:
    tables: list[RawTable] = []
    k = 0
    while k < len(lines):
        header = _SPACED_HEADER.match(lines[k][1])
        if header is None or not _TASK_HEADER.search(header.group(1)):
            k += 1
            continue
        rows = [("序号", re.sub(r"\s+", "", header.group(1)), re.sub(r"\s+", "", header.group(2)))]
        j = k + 1
        while j < len(lines) and (row := _SPACED_ROW.match(lines[j][1])) and not re.search(r"[。；;]", row.group(3)):
            rows.append(row.groups())
            j += 1
        if len(rows) >= 3:
            end = lines[j - 1][0] + len(lines[j - 1][1])
            tables.append(RawTable(rows=tuple(rows), raw_span=Span(start=lines[k][0], end=end)))
        k = max(j, k + 1)
    return tables


def _add_new(tables: list[RawTable], found: Iterable[RawTable]) -> None:
    """Append the tables of ``found`` that overlap none of ``tables``."""
    tables += [t for t in found if not any(t.raw_span.start < u.raw_span.end and u.raw_span.start < t.raw_span.end
                                           for u in tables)]


def text_tables(text: str) -> tuple[RawTable, ...]:
    """Tables written as text, in a .txt/.md file or a conversion of one: runs of two or more
    lines with the same number of cells (markdown pipes or tabs); a markdown rule line is not a
    row. Each keeps the span of its lines in ``text``, as the DOCX and HTML loaders do. Tables
    flattened one cell per line: ``flattened_tables``."""
    lines = _lines(text)
    tables: list[RawTable] = [*flattened_tables(lines), *flattened_indicator_tables(lines)]
    # each later reader adds only tables where no earlier one found one
    _add_new(tables, _single_space_tables(lines))
    _add_new(tables, short_row_tables(lines))
    # a web page copied with a blank line after every line: its cells are the lines that hold text
    # (an empty cell written as a line holding a space between those blank lines); or with the
    # whole table on one line, its cells apart by runs of spaces; or one cell per line, each
    # closed by the "|" of its column
    cell_lines = [line for line in lines if text[line[0]:line[0] + 1] not in ("\n", "\r", "")]
    _add_new(tables, flattened_tables(cell_lines, empty_cells=True))
    piped = [(offset, line.strip("|").strip()) for offset, line in lines if line.strip("|").strip()]
    for cells in (_space_cells(lines), piped):
        _add_new(tables, flattened_tables(cells))
    found: list[RawTable] = []
    rows: list[tuple[str, ...]] = []
    start = end = 0
    offset = 0
    raw_lines = text.split("\n")
    for k, line in enumerate(raw_lines):
        line_end = offset + len(line)
        rule_line = _MD_RULE.match(line) is not None
        cells = None if rule_line else _cells(line)
        if rule_line and rows:
            end = line_end
        elif cells is None and rows and (_is_group_title(line) or _page_break_inside(raw_lines, k, rows)):
            pass  # a group's title, or a PDF page's number and running title, between a table's rows
        elif cells is not None and (not rows or len(cells) == len(rows[0])):
            if not rows:
                start = offset
            rows.append(cells)
            end = line_end
        else:
            if len(rows) >= 2:
                found.append(RawTable(rows=tuple(rows), raw_span=Span(start=start, end=end)))
            rows = [cells] if cells is not None else []
            start, end = offset, line_end
        offset = line_end + 1
    if len(rows) >= 2:
        found.append(RawTable(rows=tuple(rows), raw_span=Span(start=start, end=end)))
    # a markdown or tab table stands as written; a copy with "|" only after each cell, where no
    # reader of short rows found one and its rows are numbered in a 序号 column of their own
    # (else cells merged across rows shift them: 一、… | (一)… | 1 | … above 2 | … | … |)
    for table in found:
        written = text[table.raw_span.start:table.raw_span.end]
        if written.lstrip().startswith("|") or "\t" in written:
            tables.append(table)
        elif _CELL_HEADER.match(table.rows[0][0]):
            _add_new(tables, [table])
    return tuple(tables)
