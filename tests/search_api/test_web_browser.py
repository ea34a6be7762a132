"""The web page in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright):
type a query, see a result, open its document view, filter the 任务分工表, see the charts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (./dev.sh test installs it)"),
]

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="zh-CN")
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        yield pg
        context.close()
        browser.close()


def test_search_result_opens_document_view(page, live_server) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/#/search")
    page.fill("#q", "编制园区发展规划")
    page.press("#q", "Enter")
    page.wait_for_selector("#results li.card")
    titles = page.locator("#results .result-title").all_inner_texts()
    assert any("编制发展规划" in t for t in titles), titles
    page.locator("#results .result-title", has_text="编制发展规划").first.click()
    page.wait_for_selector("#doc-text .focus")
    assert "编制发展规划" in page.locator("#doc-text .focus").first.inner_text()
    assert page.locator("#doc-text .unit-lead").count() > 0  # owners highlighted in context
    assert not errors, errors


def test_source_dialog_shows_page_and_line(page, live_server) -> None:
    page.goto(f"{live_server}/#/search?q=%E5%9C%9F%E5%9C%B0%E8%A6%81%E7%B4%A0%E4%BF%9D%E9%9A%9C")
    page.wait_for_selector("#results li.card")
    page.locator("#results button.source").first.click()
    expect(page.locator("#source-where")).to_contain_text("第", timeout=20_000)
    assert page.locator("#source-lines div").count() > 0
    page.locator("#source-dialog button", has_text="关闭").click()


def test_task_table_filters_by_unit(page, live_server) -> None:
    page.goto(f"{live_server}/#/tasks")
    page.wait_for_selector("#task-table tbody tr")
    total = page.locator("#task-table tbody tr").count()
    page.fill("#f-unit", "市科技局")
    expect(page.locator("#task-count")).not_to_contain_text(f"{total} / {total}")
    rows = page.locator("#task-table tbody tr")
    assert 0 < rows.count() < total
    for text in rows.all_inner_texts():  # the alias as typed finds the canonical name
        assert "市科学技术局" in text or "市科技局" in text


def test_unit_chart_and_conflicts_render(page, live_server) -> None:
    page.goto(f"{live_server}/#/units")
    page.wait_for_selector("#unit-chart svg rect.bar-lead")
    page.goto(f"{live_server}/#/conflicts")
    page.wait_for_selector("#conflicts .finding")
    assert page.locator("#conflicts .pair blockquote").count() >= 2


def test_document_text_is_escaped(page, live_server) -> None:
    """Markup inside a document is shown as text: the page never executes it."""
    page.goto(f"{live_server}/#/search")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.fill("#q", "<img src=x onerror=alert(1)><script>alert(2)</script>")
    page.press("#q", "Enter")
    expect(page.locator("#search-status")).not_to_have_text("搜索中…")
    assert page.locator("#results img, #results script").count() == 0
    assert not dialogs


# ------------------------------------------------- 责任单位 named without a lead (（责任单位：A、B）)


def _cells(page, task_id: str) -> dict[str, str]:
    headers = page.locator("#task-table thead th").all_inner_texts()
    row = page.locator(f'#task-table tbody tr[data-task="{task_id}"]')
    return dict(zip(headers, row.locator("td").all_inner_texts()))


def test_task_table_shows_unsplit_units_in_their_own_column(page, unsplit_server) -> None:
    page.goto(f"{unsplit_server}/#/tasks")
    page.wait_for_selector('#task-table tbody tr[data-task="doc-fengong:（一）"]')
    first = _cells(page, "doc-fengong:（一）")
    assert first["责任单位（未分牵头）"] == "市商务局、市财政局"
    assert "市商务局" not in first["牵头单位"] and "市商务局" not in first["配合单位"]
    third = _cells(page, "doc-fengong:（三）")
    assert (third["牵头单位"], third["配合单位"], third["责任单位（未分牵头）"]) == ("市市场监管局", "市商务局", "")
    page.select_option("#f-role", "unassigned")
    page.fill("#f-unit", "市商务局")
    expect(page.locator("#task-count")).to_contain_text("2 / ")
    shown = page.locator("#task-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.task)")
    assert shown == ["doc-fengong:（一）", "doc-fengong:（二）"]
    page.select_option("#f-role", "")


def test_result_card_names_the_responsible_units(page, unsplit_server) -> None:
    page.goto(f"{unsplit_server}/#/search?q=%E4%BB%A5%E6%97%A7%E6%8D%A2%E6%96%B0")  # 以旧换新
    card = page.locator('#results li.card[data-task="doc-fengong:（一）"]')
    expect(card).to_be_visible()
    owners = card.locator(".owners").inner_text()
    assert "责任单位" in owners and "市商务局、市财政局" in owners
    assert "牵头 未明确" not in owners.replace("\u3000", " ")
    facets = page.locator("#facets").inner_text()
    assert "市财政局" in facets


def test_unit_chart_counts_unsplit_responsibility(page, unsplit_server) -> None:
    page.goto(f"{unsplit_server}/#/units")
    page.wait_for_selector("#unit-chart svg rect.bar-unassigned")
    labels = page.locator("#unit-chart svg text.label").evaluate_all("ns => ns.map(n => n.textContent)")
    assert "市文化广播电视和旅游局" in labels  # named only as 责任单位: still on the chart
    assert labels[0] == "市商务局"
