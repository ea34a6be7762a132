"""Exports: the workbook opens with the layout secretariats print, cells are safe, CSV/JSON keep the contract."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.export.ledger import (
    Ledger,
    LedgerDocument,
    key_task_cell,
    measure_cell,
    page_line_label,
    source_locator,
)
from extractors.export.write import atomic_write, run_export_command
from extractors.export.tabular import CSV_HEADER, LedgerExport
from extractors.export.print_layout import MAX_LINES, fit_to_row
from extractors.export.widths import display_width, wrapped_lines
from extractors.registry.store import Registry
from extractors.export.safe_cells import EXCEL_CELL_LIMIT, TRUNCATION_NOTE, safe_cell
from pipeline.errors import TaizhangError
from pipeline.locate import parse_locator
from pipeline.model import Deadline, SourceRef, Span, Task, UnitFlag, UnitMention
from pipeline.settings import Settings
from tests.extractors.test_registry import PASSAGE, make_ledger

# the workbook always carries the checks' 冲突核查 sheet, as `taizhang export` always did
SHEETS = ["任务分工表", "未分工措施", "责任矩阵", "单位责任清单", "未明确责任", "目标指标", "待核实", "冲突核查"]
DDE_TITLE = "=cmd|' /C calc'!A0"  # a hostile title must never run as a formula
TASK_HEADER = ["序号", "重点任务", "具体措施", "牵头单位", "配合单位／责任单位", "完成时限", "来源", "备注",
               "措施全文", "文件", "定位"]


def measure_rows(ws) -> list[dict]:
    """The 任务分工表's measure rows by header (title bars, which fill only the first cell, left out)."""
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None
            and isinstance(r[0], int)]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    with Registry.open(settings) as reg:
        for doc_id, extra, title in (("a-fangan", "", "园区提质行动方案"),
                                     ("b-tongzhi", "\f第二页\x01", DDE_TITLE)):
            doc, tasks, targets = make_ledger(doc_id, PASSAGE + extra, title=title)
            reg.replace_document(doc, tasks, targets, fingerprint="fp")
    return settings


@pytest.fixture
def workbook(settings: Settings, tmp_path: Path):
    path = run_export_command(settings, "xlsx", tmp_path / "out" / "任务分工表.xlsx")
    return load_workbook(path)


def test_workbook_sheets_and_header(workbook) -> None:
    assert workbook.sheetnames == SHEETS
    ws = workbook["任务分工表"]
    assert [c.value for c in ws[1]] == TASK_HEADER
    assert ws.max_row == 1 + 2 + 6  # header, two documents × (title bar + three measures)
    assert workbook["未分工措施"].max_row == 1  # both documents name units


@pytest.mark.parametrize("sheet", [s for s in SHEETS if s != "责任矩阵"])
def test_every_list_sheet_prints_right(workbook, sheet: str) -> None:
    ws = workbook[sheet]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) in (8, 9)  # A3, A4
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # it would drop the page breaks
    assert ws.max_row == 1 or ws.cell(2, 1).alignment.wrap_text


def test_lead_cell_matches_registry(workbook, settings: Settings) -> None:
    with Registry.open(settings) as reg:
        first = reg.tasks()[0]
    ws = workbook["任务分工表"]
    assert ws.cell(2, 1).value == "园区提质行动方案（2025年3月1日）"  # the title bar: title and date
    row = measure_rows(ws)[0]
    assert row["序号"] == 1 and row["重点任务"] == "一、重点任务"
    assert row["牵头单位"] == "、".join(m.name for m in first.lead) == "市经信局"
    assert row["配合单位／责任单位"] == "市发展改革委、市自然资源局"  # every unit has its role
    assert row["完成时限"] == "2025年底前"
    assert row["具体措施"] == "1.加快园区基础设施建设\n完善园区道路、供水管网。"  # the bracket of units left out
    assert row["措施全文"] == first.text
    assert row["来源"] == "第2行"  # the line on paper (a .txt has no pages), the locator in a hidden column
    assert row["定位"] == source_locator(first.source) and row["文件"] == "园区提质行动方案"


def test_formula_like_cell_is_neutralised(workbook) -> None:
    ws = workbook["任务分工表"]
    title_bar = ws.cell(6, 1)  # the second document's title bar
    assert title_bar.data_type == "s" and title_bar.value.startswith("'" + DDE_TITLE)
    assert measure_rows(ws)[3]["文件"] == "'" + DDE_TITLE
    assert not any(c.data_type == "f" for ws in workbook for row in ws.iter_rows() for c in row)


def matrix_blocks(ws) -> dict[str, dict[str, dict]]:
    """责任矩阵 read back: document title → unit → {header: value}."""
    blocks: dict[str, dict[str, dict]] = {}
    header: list = []
    title = ""
    for r in ws.iter_rows(values_only=True):
        if r[0] is not None and all(v is None for v in r[1:]):
            title, blocks[r[0]] = r[0], {}
        elif r[0] == "单位":
            header = list(r)
        elif r[0] is not None:
            blocks[title][r[0]] = dict(zip(header, r))
    return blocks


def test_matrix_marks_roles_and_counts(workbook) -> None:
    blocks = matrix_blocks(workbook["责任矩阵"])
    first = blocks["园区提质行动方案（2025年3月1日）"]
    assert list(first) == ["市经济和信息化局", "市发展和改革委员会", "市投促局", "市政务服务和大数据管理局",
                           "市自然资源和规划局"]  # the busiest first, then the most leads, then by name
    lead, support = first["市经济和信息化局"], first["市发展和改革委员会"]
    assert lead["1"] == "牵" and support["1"] == "配" and lead["3"] is None
    assert lead["牵头数"] == 1 and support["配合数"] == 1
    assert first["市政务服务和大数据管理局"]["2"] == "责"  # named without a role: 责任, not 牵头
    assert first["市政务服务和大数据管理局"]["责任数"] == 1


def test_unclear_and_review_sheets(workbook) -> None:
    unclear = {r[2]: r[4] for r in workbook["未明确责任"].iter_rows(min_row=2, values_only=True)}
    assert unclear["一.2"] == "未明确牵头单位（责任单位：市政务管理局、市投促局）"
    assert unclear["一.3"] == "未写明责任单位"
    assert "一.1" not in unclear
    review = [r for r in workbook["待核实"].iter_rows(min_row=2, values_only=True)]
    kinds = {r[2]: r[1] for r in review}
    # 一.2 names its units with no lead at all: said once in 未明确责任, not per unit here
    assert kinds["市政务管理局"] == "疑似错别字"
    assert kinds["市投促局"] == "未收录单位"
    assert review[0][4] == "疑为：市政务服务管理局"


def test_target_sheet_keeps_the_number(workbook) -> None:
    ws = workbook["目标指标"]
    row = {h.value: c for h, c in zip(ws[1], ws[2])}
    assert row["数值"].value == 16.4 and row["数值"].number_format == "0.00"
    assert row["单位"].value == "亿元" and row["年份"].value == 2025 and row["比较"].value == "≥"
    assert row["原文"].value == "园区工业总产值达到16.40亿元"


def duty_rows(ws) -> list[dict]:
    """单位责任清单 read back by header, with the unit's title bar left out."""
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]


def test_unit_duty_sheet_lists_leads_then_supports(workbook) -> None:
    ws = workbook["单位责任清单"]
    assert ws.cell(2, 1).value == "市经济和信息化局（牵头2项）"  # the busiest unit's title bar
    mine = [r for r in duty_rows(ws) if r["单位"] == "市经济和信息化局"]
    assert [(r["序号"], r["职责"]) for r in mine] == [(1, "牵头"), (2, "牵头")] and mine[0]["原文写法"] == "市经信局"
    assert mine[0]["完成时限"] == "2025年底前" and mine[0]["来源"] == "第2行"


def test_empty_registry_exports(tmp_path: Path) -> None:
    path = run_export_command(Settings(data_dir=tmp_path), "xlsx", None)
    assert path == tmp_path / "任务分工表.xlsx"
    assert load_workbook(path).sheetnames == SHEETS


def test_csv_has_bom_and_one_row_per_measure(settings: Settings, tmp_path: Path) -> None:
    path = run_export_command(settings, "csv", tmp_path / "t.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(CSV_HEADER) and len(rows) == 7
    row = dict(zip(rows[0], rows[1]))
    assert row["牵头单位"] == "市经信局" and row["牵头单位（规范名）"] == "市经济和信息化局"
    assert row["完成日期"] == "2025-12-31" and row["定位"].startswith("a-fangan:")
    assert dict(zip(rows[0], rows[4]))["文件"] == "'" + DDE_TITLE


def test_json_follows_the_contract(settings: Settings, tmp_path: Path) -> None:
    path = run_export_command(settings, "json", tmp_path / "t.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    LedgerExport.model_validate(data)
    assert data["schema_version"] == 1
    doc = data["documents"][0]
    assert {"doc_id", "title", "path", "tasks", "targets"} <= doc.keys()
    task = doc["tasks"][0]
    assert {"task_id", "title", "text", "section_path", "lead", "supporting", "unassigned_units",
            "deadlines", "source"} <= task.keys()
    assert task["lead"] == [{"name": "市经信局", "canonical": "市经济和信息化局", "known": True, "flags": []}]
    assert task["deadlines"][0] == {"text": "2025年底前", "kind": "by_date", "date": "2025-12-31",
                                    "start": None, "end": None}
    assert {"page", "line_start", "line_end", "char_start", "char_end"} <= task["source"].keys()
    # a .txt has lines and no pages: the contract says so and names the place as a reader would
    assert task["source"]["paged"] is False and re.fullmatch(r"第\d+(—\d+)?行", task["source"]["place"])
    target = doc["targets"][0]
    assert {"text", "indicator", "scope", "value", "value_max", "unit", "comparator", "year", "binding",
            "cumulative", "source"} <= target.keys()
    assert target["value"] == "16.40" and Decimal(target["value"]) == Decimal("16.4")


def test_json_contract_prints_unit_flags_as_text_and_reads_them_back_typed(settings: Settings,
                                                                          tmp_path: Path) -> None:
    path = run_export_command(settings, "json", tmp_path / "t.json")
    text = path.read_text(encoding="utf-8")
    task = json.loads(text)["documents"][0]["tasks"][1]
    assert task["unassigned_units"][0]["flags"] == ["possible_typo:市政务服务管理局"]
    back = LedgerExport.model_validate_json(text)
    assert back.documents[0].tasks[1].unassigned_units[0].flags == (
        UnitFlag(kind="possible_typo", value="市政务服务管理局"),
    )
    assert back.model_dump_json(indent=2) + "\n" == text


def test_json_contract_doc_lists_every_field() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "json-contract.md").read_text(encoding="utf-8")
    assert '"schema_version": 1' in doc
    for model in LedgerExport.model_json_schema()["$defs"].values():
        for name in model["properties"]:
            assert f"`{name}`" in doc, f"field {name} is not documented in docs/json-contract.md"


def test_unknown_format_is_refused(settings: Settings) -> None:
    with pytest.raises(TaizhangError, match="unknown export format"):
        run_export_command(settings, "pdf", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+86 812", "'+86 812"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\x01=1+1", "'=1+1"),  # a control byte cannot hide a formula
        ("第一页\f第二页", "第一页\n第二页"),
        ("市经信局牵头", "市经信局牵头"),
        ("——加快重点园区建设", "——加快重点园区建设"),
        ("＝全角等号", "＝全角等号"),
        (None, ""),
    ],
)
def test_safe_cell(value: str | None, expected: str) -> None:
    assert safe_cell(value) == expected


def test_safe_cell_fits_excel_limit() -> None:
    text = safe_cell("园" * 40000)
    assert len(text) == EXCEL_CELL_LIMIT and text.endswith("（全文见来源定位）")


@pytest.mark.parametrize(
    ("page", "line_start", "page_end", "line_end", "paged", "expected"),
    [
        (1, 12, None, 12, True, "第1页第12行"),
        (3, 12, 3, 15, True, "第3页第12—15行"),
        (3, 40, 4, 2, True, "第3页第40行—第4页第2行"),
        (1, 12, None, 12, False, "第12行"),  # a text file has no pages: never 第1页
        (1, 12, 1, 15, False, "第12—15行"),
    ],
)
def test_page_line_label(page: int, line_start: int, page_end: int | None, line_end: int, paged: bool,
                         expected: str) -> None:
    source = SourceRef(doc_id="d", page=page, line_start=line_start, page_end=page_end, line_end=line_end,
                       char_start=5, char_end=9, paged=paged)
    assert page_line_label(source) == expected


def test_locator_is_what_show_accepts() -> None:
    source = SourceRef(doc_id="pzh-2024-jianquan-qianglian-16tiao", char_start=120, char_end=180)
    assert parse_locator(source_locator(source)) == ("pzh-2024-jianquan-qianglian-16tiao", 120, 180)


def test_measure_cell_does_not_repeat_the_heading() -> None:
    _, tasks, _ = make_ledger()
    assert measure_cell(tasks[2]) == "3.强化要素保障"
    assert measure_cell(tasks[0]).count("加快园区基础设施建设") == 1


@pytest.mark.parametrize(
    ("section_path", "expected"),
    [
        (("二、重点任务", "（一）科学规划优布局", "1.加快园区基础设施建设"), "二、重点任务\n（一）科学规划优布局"),
        (("一、加快园区基础设施建设",), ""),  # 16 条措施: the measure is its own top heading
        (("一、重点任务",), "一、重点任务"),
        ((), ""),
    ],
)
def test_key_task_cell_leaves_out_the_measure_itself(section_path: tuple[str, ...], expected: str) -> None:
    _, tasks, _ = make_ledger()
    assert key_task_cell(tasks[0].model_copy(update={"section_path": section_path})) == expected


@pytest.mark.parametrize(
    "text",
    ["1.强化要素保障\n完善园区道路。", "园" * 5000, ("一行字。" * 40 + "\n") * 30, "a" * 3000, "\n" * 100],
)
def test_fit_to_row_keeps_what_a_row_shows(text: str) -> None:
    fitted = fit_to_row(text, 64)
    assert wrapped_lines(fitted, 64) <= MAX_LINES
    if fitted != text:
        body = fitted.removesuffix("\n" + TRUNCATION_NOTE)
        assert fitted.endswith(TRUNCATION_NOTE) and text.startswith(body)


def test_display_width_counts_cjk_double() -> None:
    assert display_width("市经信局") == 8 and display_width("A1") == 2 and display_width("（一）") == 6
    assert display_width("第13—15行") == 10  # 宋体 draws the dash full width


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "任务分工表.xlsx"
    out.write_bytes(b"old")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(out, broken)
    assert out.read_bytes() == b"old" and list(tmp_path.iterdir()) == [out]


def test_ledger_from_lists_without_registry(tmp_path: Path) -> None:
    doc, tasks, targets = make_ledger()
    ledger = Ledger((LedgerDocument(doc.meta, doc.source_path, tasks, targets),))
    from extractors.export.write import write_ledger

    path = write_ledger(ledger, "json", tmp_path / "x.json")
    assert json.loads(path.read_text(encoding="utf-8"))["documents"][0]["path"] == doc.source_path


# --------------------------------------------------------------- 责任单位 named without a lead

FENGONG = (
    "一、重点任务\n"
    "（一）扩大商品消费。开展汽车、家电以旧换新活动。（责任单位：市商务局、市财政局）\n"
    "（二）提升服务消费。培育文旅消费新场景。（责任单位：市文化广电旅游局、市商务局；2025年底前完成）\n"
    "（三）优化消费环境。（牵头单位：市市场监管局；配合单位：市商务局）\n"
)


def fengong_ledger() -> Ledger:
    """A 分工方案 whose measures name 责任单位 without saying who leads, and one that does."""
    from tests.extractors.test_registry import _unit, make_document

    doc = make_document("shi-2025-xiaofei-fengong", FENGONG, title="促进消费扩容提质重点任务分工方案")

    def task(number: str, title: str, **units) -> Task:
        start = doc.text.index(f"{number}{title}")
        span = Span(start=start, end=doc.text.index("\n", start))
        return Task(task_id=f"{doc.doc_id}:一.{number}", doc_id=doc.doc_id, number=number, title=title,
                    text=span.slice(doc.text), section_path=("一、重点任务",), span=span,
                    source=doc.source_ref(span, None), **units)

    def unsplit(*names: str, after: str) -> tuple[UnitMention, ...]:
        at = doc.text.index(after)
        out = []
        for name in names:
            start = doc.text.index(name, at)
            out.append(UnitMention(name=name, canonical=CANONICAL.get(name, name), role="unassigned",
                                   span=Span(start=start, end=start + len(name))))
        return tuple(out)

    tasks = [
        task("（一）", "扩大商品消费", unassigned_units=unsplit("市商务局", "市财政局", after="以旧换新")),
        task("（二）", "提升服务消费", unassigned_units=unsplit("市文化广电旅游局", "市商务局", after="新场景"),
             deadlines=(Deadline(text="2025年底前", kind="by_date", date=dt.date(2025, 12, 31)),)),
        task("（三）", "优化消费环境", lead=(_unit(doc, "市市场监管局", "市市场监督管理局", "lead"),),
             supporting=(UnitMention(name="市商务局", canonical="市商务局", role="supporting",
                                     span=Span(start=doc.text.rindex("市商务局"),
                                               end=doc.text.rindex("市商务局") + 4)),)),
    ]
    return Ledger((LedgerDocument(doc.meta, doc.source_path, tasks, ()),))


CANONICAL = {"市文化广电旅游局": "市文化广播电视和旅游局"}


@pytest.fixture
def fengong_workbook(tmp_path: Path):
    from extractors.export.write import write_ledger

    return load_workbook(write_ledger(fengong_ledger(), "xlsx", tmp_path / "分工.xlsx"))


def test_task_sheet_labels_unsplit_units_as_responsible(fengong_workbook) -> None:
    rows = measure_rows(fengong_workbook["任务分工表"])
    assert [r["配合单位／责任单位"] for r in rows] == [
        "责任单位：市商务局、市财政局", "责任单位：市文化广电旅游局、市商务局", "市商务局"]
    assert [r["牵头单位"] for r in rows] == [None, None, "市市场监管局"]  # never promoted to lead
    assert [r["备注"] for r in rows] == ["未分牵头、配合", "未分牵头、配合", None]


def test_matrix_and_duty_list_mark_unsplit_units_as_responsible(fengong_workbook) -> None:
    (block,) = matrix_blocks(fengong_workbook["责任矩阵"]).values()
    assert list(block)[0] == "市商务局"  # named for all three measures: the busiest unit comes first
    commerce = block["市商务局"]
    assert [commerce[n] for n in ("1", "2", "3")] == ["责", "责", "配"]
    assert block["市财政局"]["1"] == "责" and block["市财政局"]["2"] is None
    assert (commerce["牵头数"], commerce["配合数"], commerce["责任数"]) == (0, 1, 2)
    assert block["市文化广播电视和旅游局"]["2"] == "责"
    duties = duty_rows(fengong_workbook["单位责任清单"])
    commerce_duties = [(r["职责"], r["任务编号"]) for r in duties if r["单位"] == "市商务局"]
    assert commerce_duties == [("配合", "一.（三）"), ("责任", "一.（一）"), ("责任", "一.（二）")]
    assert ("市文化广播电视和旅游局", "市文化广电旅游局", "责任") in {(r["单位"], r["原文写法"], r["职责"]) for r in duties}
    assert fengong_workbook["单位责任清单"].cell(2, 1).value == "市商务局（配合1项，责任2项）"


def test_unclear_sheet_does_not_call_named_units_missing(fengong_workbook) -> None:
    unclear = {r[2]: r for r in fengong_workbook["未明确责任"].iter_rows(min_row=2, values_only=True)}
    assert set(unclear) == {"一.（一）", "一.（二）"}
    assert unclear["一.（一）"][4] == "未明确牵头单位（责任单位：市商务局、市财政局）"
    assert unclear["一.（一）"][5] == "市商务局、市财政局"
    assert not any("未写明责任单位" in r[4] for r in unclear.values())


def test_csv_and_json_carry_unsplit_units(tmp_path: Path) -> None:
    from extractors.export.write import write_ledger

    path = write_ledger(fengong_ledger(), "csv", tmp_path / "t.csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[1]["未明确角色单位"] == "市文化广电旅游局、市商务局"
    assert rows[1]["未明确角色单位（规范名）"] == "市文化广播电视和旅游局、市商务局"
    assert rows[1]["牵头单位"] == "" and rows[1]["配合单位"] == ""
    data = json.loads(write_ledger(fengong_ledger(), "json", tmp_path / "t.json").read_text(encoding="utf-8"))
    first = data["documents"][0]["tasks"][0]
    assert first["lead"] == [] and first["supporting"] == []
    assert [u["canonical"] for u in first["unassigned_units"]] == ["市商务局", "市财政局"]


def test_a_unit_without_a_role_beside_a_lead_is_worth_a_look() -> None:
    from extractors.export.lists import mention_issues
    from pipeline.model import UnitMention

    unit = UnitMention(name="市投促局", canonical="市投资促进局", role="unassigned", known=True)
    assert mention_issues(unit, partly_assigned=True)[0] == ["角色不明"]
    assert mention_issues(unit, partly_assigned=False)[0] == []
