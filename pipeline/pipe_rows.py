"""分工 tables a web page copied with ``|`` between cells whose merged cells leave rows short.

An HTML table with cells merged down its group columns (工作任务 一、… over several 具体要求 rows)
copies as rows of different lengths::

    工作任务 | 具体要求 | 责任部门 |
    一、做好财政信息公开。 | 1.积极推进本中心预算、决算公开。 | 财务科 |
    3.及时反馈网民对调查征集信息的意见。 | 各科室 | |

Columns cannot be counted, so each row is read from its item: the first cell that is a row number
(``2``) or opens with one (``3.及时反馈…``) starts it; the cells before it are group titles
(一、… (一)…, left in the text, where a row's id reads them); the item's text, then its unit cell
and its time cell (if the header has a time column) follow. The table comes out in the header's
own words (序号 | the task column | the unit column | the time column), so a 责任单位 column stays
unsplit and a 牵头单位 column leads, as for any table.
"""

from __future__ import annotations

import re

from pipeline.model import RawTable, Span

_ROW_NUMBER = re.compile(r"^[0-9０-９]{1,3}$")
_NUMBERED = re.compile(r"^([0-9０-９]{1,3})[.．、](?![0-9０-９])")
_TASK = re.compile(r"任\s*务|要\s*求|措\s*施|事\s*项|内\s*容")
_UNIT = re.compile(r"(?:牵头|责任|配合|主责|实施)\s*(?:单\s*位|部\s*门|处\s*室|科\s*室)")
_TIME = re.compile(r"时\s*限|时\s*间|进\s*度")
_MIN_ROWS = 2


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|") if c.strip()]


def _header(cells: list[str]) -> tuple[int, int, int | None] | None:
    """Where a header row's task, unit and time columns stand, if it names the first two."""
    task = next((i for i, c in enumerate(cells) if _TASK.search(c) and not _UNIT.search(c)), None)
    unit = next((i for i, c in enumerate(cells) if _UNIT.search(c)), None)
    if len(cells) < 3 or task is None or unit is None:
        return None
    return task, unit, next((i for i, c in enumerate(cells) if _TIME.search(c)), None)


def _row(cells: list[str], header: list[str], columns: tuple[int, int, int | None]) -> tuple[str, ...] | None:
    """(number, task, unit[, time]) of one row, or None. A row under a 序号 header that reaches
    its time column (only trailing cells such as 备注 left empty) is read by its columns; any other
    from its item (module docstring)."""
    task_at, unit_at, time_at = columns
    last_needed = max(c for c in columns if c is not None)
    if len(cells) > last_needed and re.match(r"序\s*号", header[0]) and _ROW_NUMBER.match(cells[0]):
        row = (cells[0], cells[task_at], cells[unit_at])
        return (*row, cells[time_at]) if time_at is not None else row
    k = next((i for i, c in enumerate(cells) if _ROW_NUMBER.match(c) or _NUMBERED.match(c)), None)
    if k is None:
        return None
    if _ROW_NUMBER.match(cells[k]):
        number, rest = cells[k], cells[k + 1 :]
    else:
        numbered = _NUMBERED.match(cells[k])
        number, rest = numbered.group(1), [cells[k][numbered.end():], *cells[k + 1 :]]
    if len(rest) < 2:
        return None
    return (number, rest[0], rest[1], rest[2] if len(rest) > 2 else "") if time_at is not None else (number, *rest[:2])


def short_row_tables(lines: list[tuple[int, str]]) -> list[RawTable]:
    """Tables of ``|`` rows read item by item (module docstring); ``lines``: (offset, stripped
    line). Only tables with a row shorter than their header: the others read column by column."""
    tables: list[RawTable] = []
    k = 0
    while k < len(lines):
        names = _cells(lines[k][1]) if "|" in lines[k][1] else []
        columns = _header(names)
        if columns is None:
            k += 1
            continue
        task_at, unit_at, time_at = columns
        head = ("序号", names[task_at], names[unit_at])
        rows: list[tuple[str, ...]] = [(*head, names[time_at]) if time_at is not None else head]
        width = len(names)
        short, j, end = False, k + 1, lines[k][0] + len(lines[k][1])
        while j < len(lines) and ("|" in lines[j][1] or not lines[j][1]):
            cells = _cells(lines[j][1])
            row = _row(cells, names, columns) if cells else None
            if cells and row is None:
                break
            if row is not None:
                rows.append(row)
                short = short or len(cells) < width
                end = lines[j][0] + len(lines[j][1])
            j += 1
        if short and len(rows) > _MIN_ROWS:
            tables.append(RawTable(rows=tuple(rows), raw_span=Span(start=lines[k][0], end=end)))
        k = max(j, k + 1)
    return tables
