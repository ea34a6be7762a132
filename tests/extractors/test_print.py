"""The workbook a secretariat prints: page setup and font sizes read back with openpyxl (fast), and
the corpus's workbook printed to PDF by LibreOffice (slow): body text ≥ 10 pt, far fewer pages.

Before this layout (main at 8e7676e: ``taizhang build corpus --export``, then ``soffice --headless
--convert-to pdf``, LibreOffice 7.4 with Carlito for Calibri's metrics) the corpus's workbook
printed 140 pages: the 任务分工表 23 pages at 6.2 pt, the 责任矩阵 69.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.checks.run import check_documents
from extractors.export.columns import Column
from extractors.export.ledger import Ledger, LedgerDocument
from extractors.export.print_cells import NO_DEADLINE, due_cell, excerpt, measure_body, printed_source
from extractors.export.print_layout import BODY_PT
from extractors.export.widths import A3, A4, fit_columns
from extractors.export.write import write_ledger
from extractors.periods import document_period
from extractors.run import extract_document
from pipeline.model import Deadline, DocumentMeta, SourceRef
from tests.extractors.test_registry import make_ledger

BEFORE_TASK_PAGES = 23  # the 任务分工表 of the corpus, printed before this layout
BEFORE_TOTAL_PAGES = 140
BODY_SHEETS_WITH_MEASURES = ("任务分工表", "未分工措施")


@pytest.fixture(scope="module")
def corpus_ledger(corpus_documents) -> Ledger:
    extractions = [extract_document(d) for d in corpus_documents.values()]
    findings = check_documents([e.document for e in extractions], [t for e in extractions for t in e.tasks],
                               [t for e in extractions for t in e.targets])
    documents = sorted((LedgerDocument.of(e.document, e.tasks, e.targets) for e in extractions),
                       key=lambda d: (d.meta.date or dt.date.max, d.meta.doc_id))
    return Ledger(tuple(documents), tuple(findings))


@pytest.fixture(scope="module")
def corpus_workbook_path(corpus_ledger: Ledger, tmp_path_factory) -> Path:
    return write_ledger(corpus_ledger, "xlsx", tmp_path_factory.mktemp("print") / "任务分工表.xlsx")


@pytest.fixture(scope="module")
def corpus_workbook(corpus_workbook_path: Path):
    return load_workbook(corpus_workbook_path)


# ------------------------------------------------------------------ page setup, read with openpyxl


def test_every_sheet_prints_at_full_size_on_a4_or_a3(corpus_workbook) -> None:
    for ws in corpus_workbook:
        assert ws.page_setup.orientation == "landscape", ws.title
        paper = {A4.code: A4, A3.code: A3}[int(ws.page_setup.paperSize)]
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title  # fit-to-page shrinks text
        assert int(ws.page_setup.scale or 100) == 100, ws.title
        visible = [d.width for d in ws.column_dimensions.values() if not d.hidden]
        assert sum(visible) <= paper.width_units(len(visible)), f"{ws.title} is wider than {paper.name}"
        assert ws.oddFooter.right.text and "&P" in ws.oddFooter.right.text


def test_every_printed_cell_is_at_least_10_5_pt(corpus_workbook) -> None:
    sizes = Counter()
    for ws in corpus_workbook:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    sizes[float(cell.font.sz)] += 1
    assert min(sizes) >= BODY_PT and sizes[BODY_PT] > 0.9 * sum(sizes.values())


def test_task_sheet_blocks_documents_with_title_bars_and_page_breaks(corpus_workbook, corpus_ledger) -> None:
    ws = corpus_workbook["任务分工表"]
    assert ws.print_title_rows == "$1:$1"
    titles = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value and not isinstance(ws.cell(r, 1).value, int)]
    assert ws.cell(titles[0], 1).value == "关于开展园区提质行动助推高质量发展的通知（代拟稿）"  # assigns the most
    assert "攀枝花东区高新技术产业园区承载能力提升三年行动方案（攀东府办〔2023〕4号）" in \
        [ws.cell(r, 1).value for r in titles]  # title and 文号
    assert [b.id for b in ws.row_breaks.brk] == [r - 1 for r in titles[1:]]  # a page per document
    assert all(ws.cell(r, 1).font.sz > BODY_PT for r in titles)
    # the 规划 that name no unit are in 未分工措施, not here with empty owner columns
    unassigned = corpus_workbook["未分工措施"]
    assert [c.value for c in unassigned[1]][:4] == ["序号", "重点任务", "具体措施", "完成时限"]
    planned = {ws_title for ws_title in (unassigned.cell(r, 1).value for r in range(2, unassigned.max_row + 1))
               if isinstance(ws_title, str)}
    assert planned == {"攀枝花市“十四五”工业园区发展规划（2022年4月21日）",
                       "攀枝花市西区协同助推成渝经济圈建设规划（2021年8月1日；征求意见稿）"}


def test_deadline_is_never_blank_and_inherited_periods_are_marked(corpus_workbook) -> None:
    for name in BODY_SHEETS_WITH_MEASURES:
        ws = corpus_workbook[name]
        header = [c.value for c in ws[1]]
        col = header.index("完成时限")
        cells = [r[col] for r in ws.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
        assert cells and all(cells), name
    rows = [r for r in corpus_workbook["未分工措施"].iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert Counter(r[3] for r in rows)["2025年底前\n（规划期）"] > 40  # the two 十四五 plans


def test_hidden_columns_hold_the_full_text_and_the_locator(corpus_workbook) -> None:
    ws = corpus_workbook["任务分工表"]
    header = [c.value for c in ws[1]]
    for name in ("措施全文", "文件", "定位"):
        letter = ws.cell(1, header.index(name) + 1).column_letter
        assert ws.column_dimensions[letter].hidden, name
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)]
    assert all(re.fullmatch(r"[\w-]+:\d+-\d+", r["定位"]) for r in rows)
    assert all(re.fullmatch(r"第\d+(—\d+)?行", r["来源"]) for r in rows)  # the corpus is .txt: no pages
    cut = [r for r in rows if r["具体措施"].endswith("…")]
    assert cut and all(len(r["措施全文"]) > len(r["具体措施"]) for r in cut)


def test_matrix_is_split_by_document(corpus_workbook) -> None:
    ws = corpus_workbook["责任矩阵"]
    header_rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "单位"]
    titles = [ws.cell(r - 1, 1).value for r in header_rows]
    # the three documents that name units, each fits across A4; one taller than a page goes on
    # under its title marked （续） and its header
    assert len([t for t in titles if not t.endswith("（续）")]) == 3
    assert [b.id for b in ws.row_breaks.brk] == [r - 2 for r in header_rows[1:]]


# ----------------------------------------------------------------------------- the cells on paper


@pytest.mark.parametrize(
    ("meta", "text", "expected"),
    [
        (DocumentMeta(doc_id="a", title="攀枝花市“十四五”工业园区发展规划"), None, "2025年底前（规划期）"),
        (DocumentMeta(doc_id="a", title="承载能力提升三年行动方案（2023—2025年）"), None, "2025年底前（实施期）"),
        (DocumentMeta(doc_id="a", title="通知", period="2025—2029"), None, "2029年底前（实施期）"),
        (DocumentMeta(doc_id="a", title="措施"), "一、总体要求。本规划期限为2021年—2025年。", "2025年底前（规划期）"),
        (DocumentMeta(doc_id="a", title="促进工业经济高质量发展十五条措施"), "到2025年，产值翻番。", None),
    ],
)
def test_document_period(meta: DocumentMeta, text: str | None, expected: str | None) -> None:
    period = document_period(meta, text)
    assert (period.due_text() if period else None) == expected


def test_due_cell_prefers_the_measure_then_the_period_then_says_so() -> None:
    _, tasks, _ = make_ledger()
    plan = document_period(DocumentMeta(doc_id="a", title="“十四五”规划"))
    assert due_cell(tasks[0], plan) == "2025年底前"  # the measure's own
    assert due_cell(tasks[2], plan) == "2025年底前\n（规划期）"
    assert due_cell(tasks[2], None) == NO_DEADLINE
    ongoing = tasks[2].model_copy(update={"deadlines": (Deadline(text="长期坚持", kind="ongoing"),)})
    assert due_cell(ongoing, plan) == "长期坚持"


@pytest.mark.parametrize(
    ("body", "budget", "expected"),
    [
        ("完善园区道路、供水管网。", 40, "完善园区道路、供水管网。"),
        ("完善园区道路、供水管网。加快建设标准化厂房，推动园区承载能力提升，形成集聚效应。", 20,
         "完善园区道路、供水管网。…"),
        ("采取园中园、集中发展区等模式，持续推进大宗固废示范基地建设项目，培育一批技术先进的企业", 26,
         "采取园中园、集中发展区等模式…"),
        ("园" * 50, 10, "园" * 10 + "…"),
    ],
)
def test_excerpt_cuts_at_sentences_then_commas(body: str, budget: int, expected: str) -> None:
    assert excerpt(body, budget) == expected


def test_measure_body_leaves_out_the_units_bracket() -> None:
    _, tasks, _ = make_ledger()
    assert measure_body(tasks[0]) == "完善园区道路、供水管网。"  # （市经信局牵头，…配合；2025年底前完成） left out
    assert measure_body(tasks[2]) == ""  # 3.强化要素保障。 is all heading


def test_printed_source() -> None:
    source = SourceRef(doc_id="d", page=3, line_start=40, page_end=4, line_end=2, char_start=0, char_end=5)
    assert printed_source(source, " ") == "第3页 第40行—第4页 第2行"
    assert printed_source(source.model_copy(update={"page_end": 3, "line_start": 12, "line_end": 12})) == \
        "第3页\n第12行"


# ----------------------------------------------------------------------------------- column widths


def test_width_goes_where_it_saves_printed_lines() -> None:
    columns = [Column("编号", 6, 10), Column("具体措施", 20, 80), Column("备注", 6, 40)]
    rows = [["1", "园" * 60, "短"], ["2", "园" * 50, "短"]]
    layout = fit_columns(columns, rows)
    assert layout.paper is A4 and layout.fits()
    assert layout.widths[1] >= 61  # 具体措施 one line a row: it took the room
    assert layout.widths[0] == 6 and layout.widths[2] <= 8  # nothing to gain: their minimum or need


def test_columns_too_wide_for_a4_print_on_a3() -> None:
    columns = [Column(f"列{i}", 20, 30) for i in range(8)]
    assert fit_columns(columns, [["文字"] * 8]).paper is A3


def test_hidden_columns_cost_no_width() -> None:
    columns = [Column("具体措施", 20, 120), Column("全文", 40, 60, hidden=True)]
    layout = fit_columns(columns, [["园" * 200, "园" * 400]])
    assert layout.hidden == (False, True) and layout.widths[0] <= A4.width_units(1)


# ------------------------------------------------------------------------- printed by LibreOffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _has_calibri_metrics() -> bool:
    """Calibri or its metric twin Carlito: the unit column widths are measured in."""
    if not shutil.which("fc-match"):
        return False
    found = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    return bool(re.search("carlito|calibri", found, re.I))


def _pdf_pages(xlsx: Path, out: Path) -> list[tuple[str, list[float]]]:
    """(page header, font sizes of the page's visible characters) per page of ``xlsx`` printed by
    LibreOffice."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    profile = out / "lo-profile"  # a private profile: a user's running LibreOffice is not disturbed
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                    "--convert-to", "pdf", "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(out)})
    pages = []
    for page in pdfium.PdfDocument(out / f"{xlsx.stem}.pdf"):
        text = page.get_textpage()
        sizes = [pdfium_c.FPDFText_GetFontSize(text, i) for i in range(text.count_chars())
                 if text.get_text_range(i, 1).strip()]
        header = text.get_text_bounded(0, page.get_height() - 45, page.get_width(), page.get_height())
        pages.append((header, sizes))
    return pages


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: `./dev.sh test` "
                    "installs libreoffice-calc-nogui when run as root")
@pytest.mark.skipif(not _has_calibri_metrics(), reason="no Calibri or Carlito: LibreOffice would measure columns "
                    "a third wider than Excel does; `./dev.sh test` installs fonts-crosextra-carlito as root")
def test_printed_workbook_is_readable_and_short(corpus_workbook_path: Path, tmp_path: Path) -> None:
    pages = _pdf_pages(corpus_workbook_path, tmp_path)
    sizes = [s for _, chars in pages for s in chars]
    assert sizes and min(sizes) >= 10, f"smallest printed text {min(sizes):.1f} pt"
    sheets = load_workbook(corpus_workbook_path, read_only=True).sheetnames
    per_sheet = Counter(next((n for n in sheets if n in head), head) for head, _ in pages)
    assert per_sheet["任务分工表"] <= BEFORE_TASK_PAGES // 2  # 7 now, 23 before at 6.2 pt
    assert per_sheet["任务分工表"] + per_sheet["未分工措施"] < BEFORE_TASK_PAGES  # every measure, 15 now
    assert per_sheet["责任矩阵"] <= 6  # 5 now, 69 before
    assert len(pages) <= BEFORE_TOTAL_PAGES // 2  # 59 now


def test_a_row_tall_in_two_columns_gets_both_widened() -> None:
    """No one column saves the row a line alone: the search widens both (a greedy step would not)."""
    columns = [Column("文件", 20, 70), Column("具体措施", 20, 70)]
    layout = fit_columns(columns, [["园" * 30, "园" * 30]])
    assert layout.widths[0] >= 61 and layout.widths[1] >= 61  # one line each: 60 units of text
    assert layout.fits()


def test_columns_too_wide_even_for_a3_fall_back_to_fit_to_width() -> None:
    from openpyxl import Workbook

    from extractors.export.print_layout import table_sheet

    columns = [Column(f"列{i}", 20, 30) for i in range(12)]  # 240 units at their narrowest
    ws = table_sheet(Workbook(), "宽表", columns, [["文字"] * 12])
    assert int(ws.page_setup.paperSize) == A3.code
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1


def test_remark_says_what_is_unclear_and_which_name_looks_mistyped() -> None:
    from extractors.export.task_sheet import MeasureRow, remark_cell

    doc, tasks, targets = make_ledger()
    ledger_doc = LedgerDocument(doc.meta, doc.source_path, tasks, targets)
    remarks = [remark_cell(MeasureRow(n, t, ledger_doc, None)) for n, t in enumerate(tasks, start=1)]
    assert remarks == ["", "未分牵头、配合\n“市政务管理局”疑为“市政务服务管理局”", "未写明责任单位"]
