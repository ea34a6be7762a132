"""Unit templates exported for every unit, filled as units fill them, imported (many at once);
the 督办 counts for a fixed day checked against figures worked out by hand below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.registry.store import Registry
from extractors.tracking.model import Correction, Origin, ProgressReport
from extractors.tracking.overdue import period_bounds, task_state
from extractors.tracking.service import (
    LedgerReader,
    export_unit_templates,
    import_workbooks,
    supervision,
    write_supervision_workbook,
)
from pipeline.model import Deadline, Span, SourceRef, Task
from pipeline.settings import Settings
from tests.tracking_ledger import build_corpus_ledger, copy_ledger, export_xlsx

D = "dongqu-2023-chengzai-fangan:"
AS_OF = dt.date(2025, 6, 30)
# deadlines the secretariat adds (the corpus states few); the rest are the extractor's
DEADLINES = {D + "二.（一）.1": "2024年6月底前", D + "二.（一）.2": "2025年7月15日前",
             D + "二.（一）.3": "每季度", D + "二.（二）.4": "长期坚持"}
# (unit template, task, 完成状态, 报送日期 as the unit typed it)
REPORTS = [
    ("高创投公司", D + "二.（一）.3", "推进中", dt.datetime(2025, 2, 15)),
    ("高创投公司", D + "二.（二）.5", "滞后", "2025年6月1日"),
    ("东区高新技术产业园区服务中心", D + "二.（五）.12", "已完成", "2025-05-10"),
    ("攀枝花市发展和改革委员会", "pzh-2024-jianquan-qianglian-16tiao:十", "推进中", "2024-11-01"),
]
# worked out by hand for 2025-06-30, due soon = within 30 days (rules in extractors/tracking/overdue.py)
EXPECTED = {
    D + "二.（一）.1": "超期",  # 2024-06-30 passed, no report
    D + "二.（一）.2": "即将到期",  # 2025-07-15 is 15 days away
    D + "二.（一）.3": "即将到期",  # quarterly: Q1 reported on 02-15, Q2 ends today unreported
    D + "二.（二）.4": "持续推进",  # 长期坚持
    D + "二.（二）.5": "超期",  # the unit reported 滞后
    D + "二.（五）.12": "已完成",  # reported 已完成 on 05-10
    "pzh-2024-jianquan-qianglian-16tiao:十": "进行中",  # 每年: 2024 reported (11-01), 2025 ends in Dec
    "pzh-2022-yuanqu-guihua:第六章.第五节": "超期",  # 分年度: nothing reported for 2024
    "pzh-2025-yuanqu-tizhi-tongzhi:二.（三）.7": "进行中",  # 2025年 → 12-31, months away
    # their only dates (2019年至2023年, “十四五”时期) are a 专栏 project's, not the measure's (periods
    # that end are covered by test_period_bounds)
    "xiqu-2021-chengyu-guihua:第三章.第四节.三": "无时限",
    "xiqu-2021-chengyu-guihua:第三章.第六节.二": "无时限",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    """The corpus, with the deadlines above added through an edited 任务分工表."""
    folder = tmp_path_factory.mktemp("built")
    settings = build_corpus_ledger(corpus_dir, folder)
    wb = load_workbook(export_xlsx(settings, folder / "任务分工表.xlsx"))
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        deadline = DEADLINES.get(ws.cell(r, col["任务ID"]).value)
        if deadline:
            ws.cell(r, col["完成时限"]).value = deadline
    wb.save(folder / "改.xlsx")
    with Registry.open(settings) as registry:
        assert len(import_workbooks([folder / "改.xlsx"], registry).corrections) == 4
    return settings


@pytest.fixture
def ledger(built: Settings, tmp_path: Path) -> Settings:
    return copy_ledger(built, tmp_path)


def fill(template: Path, task_id: str, status: str, day: object, out: Path) -> None:
    wb = load_workbook(template)
    ws = wb["进展报送"]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["任务ID"]).value == task_id:
            ws.cell(r, col["进展情况"]).value = f"{task_id} 的进展"
            ws.cell(r, col["完成状态"]).value = status
            ws.cell(r, col["报送日期"]).value = day
            break
    else:
        raise AssertionError(f"{task_id} is not in {template.name}")
    wb.save(out)


def test_templates_for_every_unit_reports_and_the_overdue_counts(ledger: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "进展报送"
    with Registry.open(ledger) as registry:
        written = export_unit_templates(registry, None, folder)
    names = {p.name for p in written}
    assert {f"进展报送_{unit}.xlsx" for unit, *_ in REPORTS} <= names and len(written) > 20
    template = folder / "进展报送_高创投公司.xlsx"
    ws = load_workbook(template)["进展报送"]
    header = [c.value for c in ws[1]]
    assert ws.protection.sheet
    editable = {header[c.column - 1] for row in ws.iter_rows(min_row=2) for c in row if not c.protection.locked}
    assert editable == {"进展情况", "完成状态", "存在问题", "下步计划", "报送日期"}
    assert {ws.cell(r, header.index("任务ID") + 1).value for r in range(2, ws.max_row + 1)} == \
        {D + "二.（一）.3", D + "二.（二）.5", D + "二.（四）.9"}  # what 高创投公司 leads

    filled = []
    for n, (unit, task_id, status, day) in enumerate(REPORTS):
        filled.append(tmp_path / f"filled{n}.xlsx")
        source = filled[-2] if n and REPORTS[n - 1][0] == unit else folder / f"进展报送_{unit}.xlsx"
        fill(source, task_id, status, day, filled[-1])
    empty = folder / "进展报送_东区经济和信息化局.xlsx"  # a unit that sends its template back blank
    files = [filled[1], filled[2], filled[3], empty]
    with Registry.open(ledger) as registry:
        report = import_workbooks(files, registry)
        assert report.ok, report.failed
        assert [f.reports for f in report.files] == [2, 1, 1, 0]
        assert import_workbooks([filled[1]], registry).reports == []  # the same file again
        later = tmp_path / "later.xlsx"
        fill(filled[1], D + "二.（一）.3", "推进中", "2025-08-01", later)  # a later report: history
        assert len(import_workbooks([later], registry).reports) == 1
        history = LedgerReader(registry).store.reports(D + "二.（一）.3")
        assert [r.report_date for r in history] == [dt.date(2025, 2, 15), dt.date(2025, 8, 1)]
        assert history[0].origin.sheet == "进展报送" and history[0].unit == "高创投公司"

        result = supervision(registry, AS_OF, within=30)
    states = {s.task.task_id: s.state for s in result.states}
    assert {t: states[t] for t in EXPECTED} == EXPECTED
    assert all(s == "无时限" for t, s in states.items() if t not in EXPECTED)
    counts = {state: sum(s == state for s in states.values()) for state in ("超期", "即将到期", "已完成")}
    assert counts == {"超期": 3, "即将到期": 2, "已完成": 1}
    by_unit = {u.unit: u for u in result.units}
    gao = by_unit["高创投公司"]  # leads 二.（一）.3 (due soon), 二.（二）.5 (滞后), 二.（四）.9 (no deadline)
    assert (gao.tasks, gao.completed, gao.overdue, gao.due_soon) == (3, 0, 1, 1)
    centre = by_unit["东区高新技术产业园区服务中心"]  # leads 二.（三）.7, 二.（五）.12 (done)
    assert (centre.tasks, centre.completed, centre.completion_rate) == (2, 1, 0.5)

    wb = load_workbook(write_supervision_workbook(result, tmp_path / "督办通报.xlsx"))
    assert wb.sheetnames == ["超期任务", "即将到期", "各单位完成情况"]
    assert wb["超期任务"].max_row - 2 == 3 and wb["即将到期"].max_row - 2 == 2
    assert len(wb["各单位完成情况"]._charts) == 1

    task_sheet = load_workbook(export_xlsx(ledger, tmp_path / "t.xlsx"))["任务分工表"]
    col = {c.value: c.column for c in task_sheet[1]}
    row = next(r for r in range(2, task_sheet.max_row + 1)
               if task_sheet.cell(r, col["任务ID"]).value == D + "二.（五）.12")
    assert task_sheet.cell(row, col["进展状态"]).value == "已完成"


def test_a_status_outside_the_list_is_refused_by_row_and_column(ledger: Settings, tmp_path: Path) -> None:
    with Registry.open(ledger) as registry:
        [template] = export_unit_templates(registry, "高创投公司", tmp_path / "t.xlsx")
        fill(template, D + "二.（一）.3", "差不多了", "2025-06-01", tmp_path / "bad.xlsx")
        report = import_workbooks([tmp_path / "bad.xlsx"], registry)
    assert not report.ok and "「进展报送」第2行第H列「完成状态」为「差不多了」" in report.failed[0]


# ---------------------------------------------------------------------------- the rules alone


def _task(*deadlines: Deadline) -> Task:
    source = SourceRef(doc_id="d", char_start=0, char_end=1)
    return Task(task_id="d:1", doc_id="d", title="t", text="t", span=Span(start=0, end=1), source=source,
                deadlines=deadlines)


def _report(day: dt.date, status: str = "推进中") -> ProgressReport:
    return ProgressReport(task_id="d:1", unit="u", status=status, report_date=day, origin=Origin(user="t"),
                          created_at=dt.datetime(2025, 1, 1))


@pytest.mark.parametrize("day,months,expected", [
    (dt.date(2025, 6, 30), 3, (dt.date(2025, 4, 1), dt.date(2025, 6, 30))),
    (dt.date(2025, 1, 1), 3, (dt.date(2025, 1, 1), dt.date(2025, 3, 31))),
    (dt.date(2025, 12, 31), 6, (dt.date(2025, 7, 1), dt.date(2025, 12, 31))),
    (dt.date(2024, 2, 29), 1, (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
    (dt.date(2025, 5, 5), 12, (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
])
def test_period_bounds(day: dt.date, months: int, expected: tuple[dt.date, dt.date]) -> None:
    assert period_bounds(day, months) == expected


QUARTERLY = Deadline(text="每季度", kind="recurring")
DATED = Deadline(text="2025年6月底前", kind="by_date", date=dt.date(2025, 6, 30))


@pytest.mark.parametrize("deadline,reports,as_of,expected", [
    (DATED, [], dt.date(2025, 7, 1), "超期"),
    (DATED, [], dt.date(2025, 6, 30), "即将到期"),  # due today is not yet late
    (DATED, [], dt.date(2025, 5, 31), "即将到期"),  # 30 days ahead
    (DATED, [], dt.date(2025, 5, 30), "进行中"),  # 31
    (DATED, [_report(dt.date(2025, 7, 2), "已完成")], dt.date(2025, 7, 1), "超期"),  # reported after the day
    (DATED, [_report(dt.date(2025, 6, 2), "已完成")], dt.date(2025, 7, 1), "已完成"),
    (QUARTERLY, [], dt.date(2025, 5, 1), "超期"),  # Q1 passed unreported
    (QUARTERLY, [_report(dt.date(2025, 3, 31))], dt.date(2025, 5, 1), "进行中"),
    (QUARTERLY, [_report(dt.date(2025, 3, 31))], dt.date(2025, 6, 10), "即将到期"),
    (QUARTERLY, [_report(dt.date(2025, 4, 2))], dt.date(2025, 6, 10), "进行中"),
    (QUARTERLY, [_report(dt.date(2025, 3, 31), "已完成")], dt.date(2025, 7, 2), "超期"),  # never done for good
    (Deadline(text="长期坚持", kind="ongoing"), [], dt.date(2030, 1, 1), "持续推进"),
    (Deadline(text="长期坚持", kind="ongoing"), [_report(dt.date(2025, 1, 1), "滞后")], dt.date(2025, 2, 1), "超期"),
])
def test_task_state_rules(deadline: Deadline, reports: list, as_of: dt.date, expected: str) -> None:
    assert task_state(_task(deadline), reports, as_of, within=30)[0] == expected


def test_a_quarter_before_the_document_was_issued_owes_no_report() -> None:
    assert task_state(_task(QUARTERLY), [], dt.date(2025, 5, 1), 30, issued=dt.date(2025, 4, 10))[0] == "进行中"


def test_correction_model_is_what_the_tables_store(ledger: Settings) -> None:
    with Registry.open(ledger) as registry:
        store = LedgerReader(registry).store
        before = registry.generation()
        stored = store.corrections()
        assert all(isinstance(c, Correction) and c.correction_id for c in stored)
        store.record_import([], [_report(dt.date(2025, 1, 1))])
        assert registry.generation() != before  # an import moves the registry generation
