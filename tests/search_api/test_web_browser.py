"""The web page in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright):
type a query, see a result, open its document view, filter the 任务分工表, see the charts."""

from __future__ import annotations

import os
import re
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


def test_what_is_typed_survives_the_pages_first_route(page, live_server) -> None:
    """On a slow server the page's first route (after its names load) can come after the user
    started typing: it must not erase the query."""
    page.goto(f"{live_server}/#/search")
    page.fill("#q", "编制园区发展规划")
    page.evaluate("route()")  # the first route, late
    assert page.input_value("#q") == "编制园区发展规划"
    page.press("#q", "Enter")
    page.wait_for_selector("#results li.card")


def test_source_dialog_shows_page_and_line(page, live_server) -> None:
    page.goto(f"{live_server}/#/search?q=%E5%9C%9F%E5%9C%B0%E8%A6%81%E7%B4%A0%E4%BF%9D%E9%9A%9C")
    page.wait_for_selector("#results li.card")
    page.locator("#results button.source").first.click()
    expect(page.locator("#source-where")).to_contain_text("行", timeout=20_000)
    # the corpus is .txt: a line, never a "第1页" the file does not have, in the dialog or on the card
    assert "页" not in page.locator("#source-where").inner_text()
    assert "页" not in page.locator("#results button.source").first.inner_text()
    assert page.locator("#source-lines div").count() > 0
    page.locator("#source-dialog button", has_text="关闭").click()


def test_task_table_filters_by_unit(page, live_server) -> None:
    page.goto(f"{live_server}/#/tasks")
    page.wait_for_selector("#task-table tbody tr")
    total = page.locator("#task-table tbody tr[data-task]").count()
    page.fill("#f-unit", "市科技局")
    expect(page.locator("#task-count")).not_to_contain_text(f"{total} / {total}")
    rows = page.locator("#task-table tbody tr[data-task]")
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
    shown = page.locator("#task-table tbody tr[data-task]").evaluate_all("rows => rows.map(r => r.dataset.task)")
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


# ----------------------------------------------------------------------------- issue 20


def test_task_table_sorts_groups_by_document_and_exports_the_view(page, live_server, tmp_path) -> None:
    page.goto(f"{live_server}/#/tasks")
    page.wait_for_selector("#task-table tbody tr[data-task]")
    titles = page.locator("#task-table tr.doc-row").all_inner_texts()
    assert titles and len(titles) == len(set(titles))  # each document's title once, as a group row
    assert not any(t.startswith("pzh-") or t.startswith("dongqu-") for t in titles), titles
    page.fill("#f-unit", "市科技局")
    page.locator("#task-table th[data-sort=deadline]").click()
    expect(page.locator("#task-table th[data-sort=deadline]")).to_have_attribute("data-dir", "升序")
    shown = page.locator("#task-table tbody tr[data-task]").count()
    with page.expect_download() as download:
        page.click("#task-export")
    path = tmp_path / "view.csv"
    download.value.save_as(path)
    text = path.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"序号","文件","重点任务","具体措施"')
    assert text.count("\r\n") == shown  # header + one line per row on screen
    assert "市科学技术局" in text or "市科技局" in text
    page.fill("#f-unit", "")


# What the issue found on screen: internal ids, English enum values, ranking scores on every
# card, file slugs where a title belongs, English page/line wording.
INTERNAL = re.compile(
    r"\b(conflict|rule_conflict|lead_conflict|severity|high|medium|fused|dense|bm25|"
    r"ge|eq|gt|le|lt|increase_by|decrease_by|approx|qualitative|page \d+|lines?)\b"
    r"|target\.[a-z_]+|rule\.[a-z_]+|task\.[a-z_]+|较新：[左右]"
    r"|(pzh|dongqu|xiqu)-20\d\d-[a-z-]+"
)


@pytest.mark.parametrize("view", ["#/search?q=%E5%9C%9F%E5%9C%B0%E8%A6%81%E7%B4%A0%E4%BF%9D%E9%9A%9C%E8%B0%81%E7%89%B5%E5%A4%B4",
                                  "#/tasks", "#/units", "#/conflicts"])
def test_pages_show_no_internal_names(page, live_server, view) -> None:
    """The visible text (closed 详情 panels are not visible) of each view holds no internal name."""
    page.goto(f"{live_server}/{view}")
    page.wait_for_selector({"#/tasks": "#task-table tbody tr[data-task]", "#/units": "#unit-chart svg",
                            "#/conflicts": "#conflicts .finding"}.get(view, "#results li.card"))
    visible = page.evaluate("document.querySelector('main').innerText")
    found = sorted({m.group(0) for m in INTERNAL.finditer(visible)})
    assert not found, found


def test_scores_are_in_the_details_panel(page, live_server) -> None:
    page.goto(f"{live_server}/#/search?q=%E8%9E%8D%E8%B5%84%E5%A2%9E%E4%BF%A1")
    page.wait_for_selector("#results li.card")
    card = page.locator("#results li.card").first
    assert "排序分数" not in card.inner_text()
    card.locator("details.scores summary").click()
    assert "排序分数" in card.inner_text()


def test_source_dialog_marks_the_line_and_hides_bookmarks(page, live_server) -> None:
    page.goto(f"{live_server}/#/tasks")
    page.wait_for_selector("#task-table tbody tr[data-task]")
    page.locator("#task-table tbody tr[data-task] button.source").first.click()
    expect(page.locator("#source-where")).to_contain_text("第", timeout=20_000)
    assert page.locator("#source-lines div.hit").count() >= 1
    assert "[bookmark:" not in page.locator("#source-lines").inner_text()
    page.locator("#source-dialog button", has_text="关闭").click()


GLYPHS = r"""(family) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const g = canvas.getContext("2d");
  const draw = (ch) => {
    g.clearRect(0, 0, 64, 64); g.font = `40px ${family}`; g.fillStyle = "#000"; g.textBaseline = "top";
    g.fillText(ch, 4, 4);
    return g.getImageData(0, 0, 64, 64).data.join(",");
  };
  const a = draw("任"), b = draw("务"), missing = draw("\u{10FFFD}");
  return { distinct: a !== b, drawn: a !== missing && b !== missing };
}"""


def cjk_glyphs(pg) -> dict:
    """Two Chinese characters drawn in the page's font: distinct shapes, and neither the box a
    missing glyph is drawn as. Without a CJK font both come out as the same empty box."""
    family = pg.evaluate("getComputedStyle(document.body).fontFamily")
    return pg.evaluate(GLYPHS, family)


def test_chinese_renders_with_glyphs_not_boxes(page, live_server) -> None:
    page.goto(f"{live_server}/#/search")
    assert cjk_glyphs(page) == {"distinct": True, "drawn": True}


def test_the_glyph_check_fails_without_a_cjk_font(page, live_server, tmp_path) -> None:
    """The check above can fail: the same page in a Chromium whose fontconfig knows no CJK font."""
    fonts = [d for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation") if Path(d).is_dir()]
    if not fonts:
        pytest.skip("no Latin-only font folder to build a CJK-free fontconfig from")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    + "".join(f"<dir>{d}</dir>" for d in fonts)
                    + f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    browser = page.context.browser.browser_type.launch(executable_path=CHROMIUM, args=ARGS, headless=True, env=env)
    try:
        pg = browser.new_page()
        pg.goto(f"{live_server}/#/search")
        assert cjk_glyphs(pg) != {"distinct": True, "drawn": True}
    finally:
        browser.close()


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "redoc h1")])
def test_api_docs_render_with_no_network_beyond_the_server(page, live_server, path, ready) -> None:
    """Every request that leaves the server is refused, as on a machine without internet."""
    outside: list[str] = []

    def only_local(route) -> None:
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", only_local)
    try:
        page.goto(f"{live_server}{path}")
        expect(page.locator(ready).first).to_contain_text("taizhang", timeout=30_000)
    finally:
        page.unroute("**/*")
    assert not outside, outside
    assert not errors, errors
