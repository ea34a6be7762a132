"""The 督查室's views in a real headless Chromium: edit a cell on 台账校核, see it persist after
a rebuild; report progress; upload an edited workbook; the 督办 view's counts for a fixed day
(the tests run in order on one registry: the last counts the report the first made)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from extractors.registry import build
from extractors.registry.build import build_registry
from pipeline.settings import Settings
from tests.live_server import serve_in_thread
from tests.search_api.test_web_browser import CHROMIUM, page  # noqa: F401  (the one Chromium page fixture)
from tests.tracking_ledger import build_corpus_ledger

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (./dev.sh test installs it)"),
]
TOKEN = "browser-ledger-token"
TASK = "dongqu-2023-chengzai-fangan:二.（一）.1"
DONE = "dongqu-2023-chengzai-fangan:二.（五）.12"
UPLOADED = "dongqu-2023-chengzai-fangan:二.（二）.4"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    return build_corpus_ledger(corpus_dir, tmp_path_factory.mktemp("ledger-web"), embedding_model="fake",
                               api_token=TOKEN)


@pytest.fixture(scope="module")
def server(settings: Settings):
    with serve_in_thread(settings) as url:
        yield url


def _row(page, task_id: str):
    return page.locator(f'#ledger-table tr[data-task="{task_id}"]')


def test_a_cell_edited_on_the_page_survives_a_rebuild(page, server, settings: Settings,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/#/ledger")
    page.fill("#ledger-token", TOKEN)
    page.fill("#ledger-user", "督查室")
    expect(_row(page, TASK).locator("td.lead")).to_have_text("区经济和信息化局")
    _row(page, TASK).locator("button.edit").click()
    page.fill("#edit-lead", "区财政局")
    page.click("#edit-save")
    expect(_row(page, TASK).locator("td.lead")).to_have_text("区财政局")
    expect(_row(page, TASK).locator("td.lead")).to_have_class("lead corrected")

    monkeypatch.setattr(build, "EXTRACTOR_VERSION", "a-better-rule")
    assert len(build_registry([], settings, progress=False).updated) == 5  # every task re-extracted
    page.reload()
    expect(_row(page, TASK).locator("td.lead")).to_have_text("区财政局")
    expect(_row(page, TASK).locator("td.check")).to_contain_text("区经济和信息化局 → 区财政局")

    _row(page, DONE).locator("button.edit").click()  # a report through the same dialog
    page.select_option("#report-status", "已完成")
    page.fill("#report-date", "2025-05-10")
    page.fill("#report-progress", "已建成投用")
    page.click("#edit-save")
    expect(_row(page, DONE).locator("td.progress")).to_have_text("2025-05-10 已完成：已建成投用")
    assert not errors, errors


def test_a_wrong_token_is_said_and_nothing_changes(page, server) -> None:
    page.goto(f"{server}/#/ledger")
    page.evaluate("sessionStorage.clear()")
    page.fill("#ledger-token", "wrong")
    row = "dongqu-2023-chengzai-fangan:二.（一）.2"
    before = _row(page, row).locator("td.deadline").inner_text()
    _row(page, row).locator("button.edit").click()
    page.fill("#edit-deadline", "2025年底前")
    page.click("#edit-save")
    expect(page.locator("#edit-error")).to_contain_text("401")
    page.locator("#edit-form button[value=cancel]").click()
    page.reload()
    expect(_row(page, row).locator("td.deadline")).to_have_text(before)


def test_an_edited_workbook_uploads_from_the_page(page, server, tmp_path: Path) -> None:
    page.goto(f"{server}/#/ledger")
    page.fill("#ledger-token", TOKEN)
    with page.expect_download() as download:
        page.click("#export-link")
    exported = tmp_path / "任务分工表.xlsx"
    download.value.save_as(exported)
    wb = load_workbook(exported)
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["任务ID"]).value == UPLOADED)
    ws.cell(row, col["配合单位／责任单位"]).value = "区统计局"
    wb.save(tmp_path / "改.xlsx")
    page.set_input_files("#ledger-upload", str(tmp_path / "改.xlsx"))
    expect(page.locator("#ledger-status")).to_contain_text("改.xlsx：校核 1 条")
    expect(_row(page, UPLOADED).locator("td.supporting")).to_have_text("区统计局")


def test_the_duban_view_counts_for_a_fixed_day(page, server) -> None:
    page.goto(f"{server}/#/duban?as_of=2025-06-30")
    # by hand: 分年度 and 每年 with no report for 2024 (xiqu 第四节.三's 2019年至2023年 is a 专栏 project's)
    expect(page.locator("#duban-status")).to_have_text("截至 2025-06-30：超期 2 项，即将到期 0 项")
    overdue = page.locator("#duban-tasks tr.overdue").evaluate_all("rows => rows.map(r => r.dataset.task)")
    assert sorted(overdue) == ["pzh-2022-yuanqu-guihua:第六章.第五节", "pzh-2024-jianquan-qianglian-16tiao:十"]
    centre = page.locator('#duban-units tr[data-unit="东区高新技术产业园区服务中心"]')
    expect(centre.locator("td.completed")).to_have_text("1")  # the report made in the first test
    assert page.locator("#duban-chart svg rect.bar-done").count() >= 1
    plan = page.locator('#duban-docs tr[data-unit="攀枝花市“十四五”工业园区发展规划"]')
    expect(plan.locator("td.overdue")).to_have_text("1")
    # the chart by document: one bar per document of the ledger, each labelled with its counts
    labels = page.locator("#duban-doc-chart svg text.label").all_text_contents()
    assert len(labels) == page.locator("#duban-docs tbody tr").count() >= 5
    assert "攀枝花市西区协同助推成渝经济圈建设规划" in labels
    assert page.locator("#duban-doc-chart svg rect.bar-overdue").count() == len(labels)


def test_a_row_merged_on_the_page_leaves_and_its_target_says_so(page, server) -> None:
    """并入 from the edit dialog: the same edit as 并入 in a workbook's 校核 cell (after the 督办
    test, whose counts it would change)."""
    source, target = "dongqu-2023-chengzai-fangan:二.（六）.14", "dongqu-2023-chengzai-fangan:二.（六）.13"
    page.goto(f"{server}/#/ledger")
    page.fill("#ledger-token", TOKEN)
    _row(page, source).locator("button.edit").click()
    options = page.locator("#edit-merge option").evaluate_all("os => os.map(o => o.value)")
    assert options[0] == "" and target in options and source not in options
    assert all(o.startswith("dongqu-2023-chengzai-fangan:") for o in options[1:])  # rows of its own document
    page.select_option("#edit-merge", target)
    page.click("#edit-save")
    expect(_row(page, source)).to_have_count(0)
    expect(_row(page, target).locator("td.check")).to_contain_text(f"已并入「{source}」一行")


def test_a_task_added_on_the_page_shows_as_a_row(page, server) -> None:
    """新增任务: a sentence copied from the document, with a lead and a deadline, becomes a row."""
    quote = "建立健全推进园区提升承载能力工作机制，强化组织协调，定期研究解决园区建设发展中遇到的困难问题。"
    page.goto(f"{server}/#/ledger")
    page.fill("#ledger-token", TOKEN)
    page.click("#add-task summary")
    page.select_option("#add-doc", "dongqu-2023-chengzai-fangan")
    page.fill("#add-text", quote)
    page.fill("#add-lead", "区财政局")
    page.fill("#add-deadline", "2025年底前")
    page.click("#add-save")
    expect(page.locator("#add-status")).to_contain_text("已新增：dongqu-2023-chengzai-fangan:补")
    added = page.locator('#ledger-table tr[data-task^="dongqu-2023-chengzai-fangan:补"]')
    expect(added.locator("td.lead")).to_have_text("区财政局")
    expect(added.locator("td.check")).to_have_text("人工新增")
    page.click("#add-save")  # nothing copied: said in Chinese, nothing sent
    expect(page.locator("#add-status")).to_have_text("未新增：请从原文复制一句（至少 6 个字）")
    page.fill("#add-text", quote)  # the same sentence twice: refused, said why
    page.click("#add-save")
    expect(page.locator("#add-status")).to_contain_text("登记过")
