"""The workbook's check lists, one row per item: 单位责任清单 (per unit, under a title bar: what it
leads, supports or is named responsible for without a lead/supporting split), 未明确责任,
目标指标 and 待核实 (typos, roles not stated, units the authority does not know).

Each prints like the 任务分工表 (五号 text, widths fitted to the paper): 来源 says 第N页 第M行
and a hidden 定位 column holds what ``taizhang show`` takes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from pipeline.model import Task, UnitMention

from extractors.export.columns import Column
from extractors.export.ledger import (
    ROLE_LABEL,
    Ledger,
    LedgerDocument,
    measure_heading,
    source_locator,
    span_locator,
    unit_names,
    unit_order,
)
from extractors.export.print_cells import due_cell, printed_source
from extractors.export.widths import Value

COMPARATOR_LABEL = {
    "eq": "＝", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "approx": "约",
    "increase_by": "增加", "decrease_by": "减少", "qualitative": "定性",
}
LOCATOR = Column("定位", 20, 40, hidden=True)  # DOC_ID:START-END for `taizhang show`

# A title bar per unit says whose measures follow; the unit is also in a hidden column for
# filters. The measure's numbering path is hidden too: its heading carries its own number, and
# without the column a document's title fits one line, so a row takes one line, not two.
DUTY_COLUMNS = (
    Column("序号", 5, 5), Column("职责", 6, 6), Column("文件", 16, 50), Column("具体措施", 18, 40),
    Column("完成时限", 12, 22), Column("来源", 11, 16), Column("任务编号", 8, 20, hidden=True),
    Column("单位", 12, 30, hidden=True), Column("原文写法", 10, 30, hidden=True), LOCATOR,
)
UNCLEAR_COLUMNS = (
    Column("序号", 5, 5), Column("文件", 14, 26), Column("任务编号", 8, 14), Column("具体措施", 18, 40),
    Column("问题", 12, 26), Column("已提及单位", 10, 26), Column("来源", 11, 12), LOCATOR,
)
TARGET_COLUMNS = (
    Column("序号", 5, 5), Column("文件", 12, 22), Column("指标", 10, 20), Column("范围", 6, 12),
    Column("年份", 6, 6), Column("比较", 5, 5), Column("数值", 8, 12), Column("上限", 6, 10),
    Column("单位", 5, 8), Column("属性", 6, 7), Column("累计", 5, 5), Column("原文", 18, 40),
    Column("来源", 11, 12), LOCATOR,
)
REVIEW_COLUMNS = (
    Column("序号", 5, 5), Column("类型", 8, 16), Column("单位（原文）", 10, 20), Column("规范名", 10, 20),
    Column("说明", 10, 24), Column("文件", 12, 22), Column("任务编号", 8, 14), Column("具体措施", 14, 30),
    Column("来源", 11, 12), LOCATOR,
)


def _tasks(ledger: Ledger) -> Iterable[tuple[str, Task]]:
    for doc in ledger.documents:
        for task in doc.tasks:
            yield doc.meta.title, task


def task_label(task: Task) -> str:
    """The measure's own numbering path (``二.（一）.1``), without the doc_id prefix."""
    return task.task_id.removeprefix(f"{task.doc_id}:")


def duty_groups(ledger: Ledger) -> list[tuple[str, list[list[Value]]]]:
    """Per unit, busiest first, a title bar (the unit and its counts) and its measures: those it
    leads, then supports, then is named responsible for without a split."""
    by_unit: dict[str, dict[str, list[tuple[LedgerDocument, Task, UnitMention]]]] = defaultdict(
        lambda: defaultdict(list))
    for doc in ledger.documents:
        for t in doc.tasks:
            for m in (*t.lead, *t.supporting, *t.unassigned_units):
                by_unit[m.canonical][m.role].append((doc, t, m))
    periods = {doc.meta.doc_id: doc.period() for doc in ledger.documents}
    groups: list[tuple[str, list[list[Value]]]] = []
    for unit in unit_order(t for _, t in _tasks(ledger)):
        rows: list[list[Value]] = []
        counts = []
        for role in ("lead", "supporting", "unassigned"):
            seen: set[str] = set()
            for doc, t, m in by_unit[unit][role]:
                if t.task_id in seen:
                    continue
                seen.add(t.task_id)
                rows.append([len(rows) + 1, ROLE_LABEL[role], doc.meta.title, measure_heading(t),
                             due_cell(t, periods[doc.meta.doc_id], sep=""), printed_source(t.source, " "),
                             task_label(t), unit, m.name, source_locator(t.source)])
            if seen:
                counts.append(f"{ROLE_LABEL[role]}{len(seen)}项")
        groups.append((f"{unit}（{'，'.join(counts)}）", rows))
    return groups


def unclear_problem(task: Task) -> str | None:
    """Why a measure's responsibility is not clear, or None when it has a lead and every unit
    named for it has its role.

    A measure whose document names 责任单位 without a lead has responsible units: it is listed
    because no lead is stated, never as having no responsible unit.
    """
    if not (task.lead or task.supporting or task.unassigned_units):
        return "未写明责任单位"
    if not task.lead and task.unassigned_units:
        return f"未明确牵头单位（责任单位：{unit_names(task.unassigned_units)}）"
    if not task.lead:
        return "无牵头单位"
    if task.unassigned_units:
        return f"部分单位未分牵头配合：{unit_names(task.unassigned_units)}"
    return None


def unclear_rows(ledger: Ledger) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for title, t in _tasks(ledger):
        problem = unclear_problem(t)
        if problem:
            named = unit_names((*t.lead, *t.supporting, *t.unassigned_units))
            rows.append([len(rows) + 1, title, task_label(t), measure_heading(t), problem, named,
                         printed_source(t.source), source_locator(t.source)])
    return rows


def target_rows(ledger: Ledger) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for doc in ledger.documents:
        for g in doc.targets:
            rows.append([
                len(rows) + 1, doc.meta.title, g.indicator, g.scope, g.year,
                COMPARATOR_LABEL.get(g.comparator, g.comparator), g.value, g.value_max, g.unit,
                g.binding, "是" if g.cumulative else "", g.quote, printed_source(g.source),
                source_locator(g.source),
            ])
    return rows


def mention_issues(m: UnitMention, partly_assigned: bool = True) -> tuple[list[str], list[str]]:
    """(kinds, notes) that make a unit mention worth a human look.

    ``partly_assigned``: the measure names a lead or supporting unit too. Only then is a unit
    without a role odd; a measure whose document lists 责任单位 with no lead at all is shown once,
    in 未明确责任, not once per unit here (real 分工方案 do that for every measure)."""
    kinds, notes = [], []
    for flag in m.flags:
        if flag.kind == "possible_typo":
            kinds.append("疑似错别字")
            notes.append(f"疑为：{flag.value}")
        else:
            kinds.append("其他")
            notes.append(str(flag))
    if m.role == "unassigned" and partly_assigned:
        kinds.append("角色不明")
    if not m.known:
        kinds.append("未收录单位")
    return kinds, notes


def review_rows(ledger: Ledger) -> list[list[Value]]:
    rows: list[list[Value]] = []
    for title, t in _tasks(ledger):
        partly_assigned = bool(t.lead or t.supporting)
        for m in (*t.lead, *t.supporting, *t.unassigned_units):
            kinds, notes = mention_issues(m, partly_assigned)
            if not kinds:
                continue
            # point at the unit's name itself, on the measure's page and line
            locator = span_locator(t.doc_id, m.span.start, m.span.end) if m.span else source_locator(t.source)
            rows.append([len(rows) + 1, "；".join(dict.fromkeys(kinds)), m.name, m.canonical,
                         "；".join(notes), title, task_label(t), measure_heading(t),
                         printed_source(t.source), locator])
    return rows
