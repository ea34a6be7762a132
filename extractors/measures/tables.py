"""任务分工表: one measure per row of a table with a task column and unit columns (DOCX, HTML, or a
table written as text). The columns are told by their headers (lexicons/tables.yaml), and each
row's roles come from the header, never from a cell alone."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Literal

from extractors.context import DocumentContext
from extractors.lexicon import LexiconModel, Rule, load_lexicon
from extractors.measures.ids import number_token
from extractors.measures.shared import (
    first_sentence,
    measure_deadlines,
    merged_deadlines,
    split_roles,
    time_slot_deadlines,
)
from extractors.roles.statements import RoleRule, parse_unit_list, rule_in_force
from pipeline.model import DocTable, Document, Span, Task, UnitMention


class ColumnRule(Rule):
    column: Literal["number", "person", "lead", "supporting", "neutral", "deadline", "task", "detail", "group"]
    needs: Literal["deadline"] | None = None  # the column is this only beside that one


class TableLexicon(LexiconModel):
    version: int
    columns: tuple[ColumnRule, ...]
    task_only: Rule
    group_title: Rule
    scoring_header: Rule
    scoring_duties: Rule


@functools.cache
def table_lexicon() -> TableLexicon:
    return load_lexicon("tables.yaml", TableLexicon)


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Which column holds what, from the header row (lexicons/tables.yaml)."""
    cols: dict[str, int] = {}
    for rule in table_lexicon().columns:
        if rule.column in cols or (rule.needs is not None and rule.needs not in cols):
            continue
        for k, cell in enumerate(header):
            if k not in cols.values() and rule.regex.search(cell):
                cols[rule.column] = k
                break
    return cols


def table_tasks(doc: Document, ctx: DocumentContext | None = None) -> list[Task]:
    """One Task per row of a 任务分工表 (a table with a task column and a unit column), or of a
    numbered 任务清单 whose task column says so (重点任务, 具体措施) when no unit is named."""
    ctx = ctx or DocumentContext.of(doc)
    tasks: list[Task] = []
    rules = list(ctx.role_rules)
    task_tables = [(table, cols) for table in doc.tables if table.rows
                   and _holds_tasks(table.rows[0], cols := _columns(table.rows[0]))]
    for table, cols in task_tables:
        cursor = table.span.start if table.span else 0
        header_end = _locate(doc, table.rows[0][-1], cursor)  # group titles are read after the header
        if header_end is not None:
            cursor = header_end + len(table.rows[0][-1].strip())
        where, group = _table_path(ctx, table), []
        last_group: list[str] = []
        group_lead: tuple[str, ...] = ()
        row_group: list[str] = []  # a numbered row that only titles the rows below it
        body = table.rows[1:]
        for n, row in enumerate(body, 1):
            at = _locate(doc, row[cols["task"]] if cols["task"] < len(row) else "", cursor)
            if at is None:  # an empty task cell, or one the text does not hold: no measure
                continue
            group = _group_title(doc.text[cursor:at], group)
            group_lead = _group_lead(doc.text[cursor:at]) or (group_lead if group == last_group else ())
            row_group = row_group if group == last_group else []
            last_group = group
            if "group" in cols and cols["group"] < len(row) and (numbered := _GROUP_CELL.match(row[cols["group"]])):
                group = [number_token(numbered.group(1))]  # 1.便利市场准入退出 in a 章节 column
            if _titles_rows_below(row, body[n] if n < len(body) else None, cols):
                row_group = [number_token(row[cols["number"]])]
                cursor = at + len(row[cols["task"]].strip())
                continue
            # a document's one table standing under no heading: its rows are cited by their 序号
            path = [p for p in (where, *group, *row_group) if p] or ([] if len(task_tables) == 1 else [table.table_id])
            task, cursor = _row_task(ctx, table, row, n, cols, cursor, rules, at, ".".join(path))
            tasks.append(_led_by_group(task, group_lead))
    return tasks


def _titles_rows_below(row: Sequence[str], below: Sequence[str] | None, cols: dict[str, int]) -> bool:
    """A numbered row with no unit and no time whose next row is numbered in another style
    (1 | 大力提振消费。 | | above (8) | 统筹衔接消费券… | 市商务局): the title of the rows below."""
    if below is None or "number" not in cols:
        return False
    cell = lambda r, name: r[cols[name]].strip() if name in cols and cols[name] < len(r) else ""
    if any(cell(row, name) for name in ("lead", "supporting", "neutral", "deadline")):
        return False
    mine, theirs = cell(row, "number"), cell(below, "number")
    return bool(mine and theirs) and _number_style(mine) != _number_style(theirs)


def _number_style(number: str) -> str:
    """1 and 12 share a style; (8) and 1, 一 and 1 do not."""
    return re.sub(r"[0-9０-９]+", "9", re.sub(r"[一二三四五六七八九十]+", "一", number))


def _table_path(ctx: DocumentContext, table: DocTable) -> str:
    """The numbers of the sections a table stands in (附件, 三.（二）), as a measure's id writes them."""
    numbers: list[str] = []
    cur = ctx.by_id.get(table.section_id) if table.section_id else None
    while cur is not None:
        if cur.number and cur.kind not in ("preamble", "dash"):
            numbers.append(number_token(cur.number))
        cur = ctx.by_id.get(cur.parent_id) if cur.parent_id else None
    return ".".join(reversed(numbers))


_CELL_GAP = re.compile(r"\n|[ \u3000\xa0]{3,}|\t")  # a table copied on one line parts its cells by spaces
_PAREN = ("（", "(")
_GROUP_CELL = re.compile(r"^\s*([0-9０-９]{1,2}[.．、]|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])")


def _group_title(between: str, group: list[str]) -> list[str]:
    """The numbers of the group titles a row stands under (一、对标先进…, （一）市场准入): ``group``
    (the titles of the row before) updated by those standing between the two rows; a part's
    title (一、) opens a new part and drops the group title of the old one."""
    for piece in _CELL_GAP.split(between):
        m = table_lexicon().group_title.regex.match(piece)
        if m:
            number = number_token(m.group("number"))
            under_part = bool(group) and not group[0].startswith(_PAREN)
            group = [group[0], number] if number.startswith(_PAREN) and under_part else [number]
    return group


_GROUP_LEAD = re.compile(r"牵头(?:单位|部门)\s*[:：]\s*([^)）\n]{2,60})[)）]")


def _group_lead(between: str) -> tuple[str, ...]:
    """The units a group title between rows names as its lead ((一)市场准入(牵头单位:市市场监管局))."""
    found = _GROUP_LEAD.findall(between)
    return tuple(n.strip() for n in re.split(r"[、，,；;]", found[-1]) if n.strip()) if found else ()


def _led_by_group(task: Task, group_lead: Sequence[str]) -> Task:
    """A row under a group title that names its lead: the row's unit of no stated role that is
    that lead leads, and the row's other such units support it (as 责任单位 beside 牵头单位)."""
    if not group_lead or task.lead or not any(u.name in group_lead for u in task.unassigned_units):
        return task
    lead = tuple(u.model_copy(update={"role": "lead"}) for u in task.unassigned_units if u.name in group_lead)
    rest = tuple(u.model_copy(update={"role": "supporting"}) for u in task.unassigned_units if u.name not in group_lead)
    return task.model_copy(update={"lead": lead, "supporting": (*task.supporting, *rest), "unassigned_units": ()})


def _holds_tasks(header: Sequence[str], cols: dict[str, int]) -> bool:
    """A 任务分工表 (a task column and a unit column), or a numbered 任务清单 whose task column says
    so; not a 考核 table of points unless it charges each duty to a unit."""
    if "task" not in cols or (_is_scoring_table(header) and not _charges_duties(header, cols)):
        return False
    return bool({"lead", "supporting", "neutral"} & cols.keys()) or (
        "number" in cols and table_lexicon().task_only.regex.search(header[cols["task"]]) is not None)


def _is_scoring_table(header: Sequence[str]) -> bool:
    return any(table_lexicon().scoring_header.regex.search(c) for c in header)


def _charges_duties(header: Sequence[str], cols: dict[str, int]) -> bool:
    """A 考核 table whose rows give a lead unit a duty to do (考核内容 | 牵头考核单位)."""
    duty = table_lexicon().scoring_duties.regex
    return "lead" in cols and any(k in cols and duty.search(header[cols[k]]) for k in ("task", "detail"))


def _row_title(cell: str) -> str:
    """A task cell's title: its first clause (实施重大项目攻坚行动，全年计划实施…: the words before the
    first comma name the task), or its first sentence where that clause is too short to name one."""
    head = first_sentence(cell)
    clause = re.split("[，,]", head, maxsplit=1)[0]  # a web copy writes the ASCII comma
    return clause if len(clause) >= 4 else head


def _locate(doc: Document, cell: str, cursor: int) -> int | None:
    found = _located(doc, cell, cursor)
    return found[0] if found else None


def _located(doc: Document, cell: str, cursor: int) -> tuple[int, str] | None:
    """Where ``cell`` stands in the document's text, and how it reads there: cleaning may have
    dropped a space the table's copy kept (各县市区政府、 开发区管委会)."""
    value = cell.strip()
    if not value:
        return None
    k = doc.text.find(value, cursor)
    if k >= 0:
        return k, value
    loose = re.compile(r"\s*".join(re.escape(c) for c in value if not c.isspace()))
    m = loose.search(doc.text, cursor)
    return (m.start(), m.group()) if m else None


def _row_task(
    ctx: DocumentContext,
    table: DocTable,
    row: Sequence[str],
    n: int,
    cols: dict[str, int],
    cursor: int,
    rules: list[RoleRule],
    at: int,
    path: str,
) -> tuple[Task, int]:
    """The measure of one row whose task cell stands at ``at`` in the document's text."""
    doc, context = ctx.doc, ctx.units
    cell = lambda name: row[cols[name]] if name in cols and cols[name] < len(row) else ""
    text = cell("task").strip()
    detail = cell("detail").strip()
    detail_at = _locate(doc, detail, at + len(text))
    if detail_at is not None:  # 重点任务 | 具体内容: the measure is both cells, and what lies between
        text = doc.text[at : detail_at + len(detail)]
    span = Span(start=at, end=at + len(text))
    units: list[UnitMention] = []
    end = span.end
    header = frozenset(r for r in ("lead", "supporting", "neutral") if r in cols)  # roles come from the header
    for role in ("lead", "supporting", "neutral"):
        located = _located(doc, cell(role), cursor)
        if located is None:
            continue
        where, value = located
        parse = parse_unit_list(
            doc.text[where : where + len(value)],
            base=where,
            role=role,
            rule=rule_in_force(rules, where),
            context=context,
            header=header,
        )
        units.extend(parse.units)
        end = max(end, where + len(value))
    lead, supporting, unassigned = split_roles(units)
    number = cell("number").strip() or str(n)
    deadline_cell = _located(doc, cell("deadline"), cursor)
    deadlines = time_slot_deadlines(ctx, deadline_cell[1], deadline_cell[0]) if deadline_cell else []
    # the task cell's own times (到2025年，产值突破1500亿元) stand beside the 完成时限 column's
    deadlines = list(merged_deadlines(deadlines, measure_deadlines(ctx, text, span.start)))
    task = Task(
        task_id=f"{doc.doc_id}:{path + '.' if path else ''}{number_token(number)}",
        doc_id=doc.doc_id,
        number=number,
        title=_row_title(cell("task")),
        text=text,
        section_path=doc.section_path(table.section_id),
        lead=lead,
        supporting=supporting,
        unassigned_units=unassigned,
        role_rule="table_columns",
        deadlines=tuple(deadlines),
        span=span,
        source=doc.source_ref(span, table.section_id),
    )
    return task, max(end, cursor)
