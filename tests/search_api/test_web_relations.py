"""The relations over HTTP and in the page (headless Chromium): versions found by title (and
linked by hand), a document's versions on its page with a diff between any two, the diff side
by side with changes highlighted, 承接 links with a coverage bar per lower document."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pipeline.settings import Settings
from tests.live_server import serve_in_thread
from tests.search_api.test_web_browser import CHROMIUM, page  # noqa: F401  (the one Chromium page fixture)

REPO = Path(__file__).resolve().parents[2]
SIXTEEN = "pzh-2024-jianquan-qianglian-16tiao"


@pytest.fixture(scope="module")
def relations_server(tmp_path_factory):
    """A registry of the 16条 (and its generated second version), the 提质通知 and the 东区方案."""
    from extractors.registry.build import build_registry
    from extractors.registry.store import Registry
    from search_api.index.indexing import update_index

    settings = Settings(data_dir=tmp_path_factory.mktemp("relations"), embedding_model="fake")
    files = [REPO / "corpus" / f"{SIXTEEN}.txt", REPO / "eval/gold/versions" / f"{SIXTEEN}.v2.txt",
             REPO / "corpus/pzh-2025-yuanqu-tizhi-tongzhi.txt", REPO / "corpus/dongqu-2023-chengzai-fangan.txt"]
    report = build_registry(files, settings, progress=False)
    assert not report.failed, report.failed
    with Registry.open(settings) as registry:
        update_index(settings, registry)
        v2 = next(m.doc_id for m in registry.documents() if m.doc_id.startswith(f"{SIXTEEN}.v2"))
        registry.link_version(v2, SIXTEEN)  # as `taizhang build v2 --as-version-of 16条` records it
    with serve_in_thread(settings) as url:
        yield url, v2


def test_versions_diff_and_trace_over_http(relations_server) -> None:
    url, v2 = relations_server
    groups = httpx.get(f"{url}/relations/versions").json()
    assert [[m["doc_id"] for m in g] for g in groups] == [[SIXTEEN, v2]]
    versions = httpx.get(f"{url}/relations/versions/{v2}").json()
    assert versions["previous"]["doc_id"] == SIXTEEN
    assert {e["kind"] for e in versions["versions"][1]["edges"]} == {"user", "title"}
    assert httpx.get(f"{url}/relations/versions/pzh-2025-yuanqu-tizhi-tongzhi").json()["previous"] is None
    assert httpx.get(f"{url}/relations/versions/no-such-doc").status_code == 404
    diff = httpx.get(f"{url}/relations/diff", params={"old": SIXTEEN, "new": v2}).json()
    assert diff["counts"]["removed"] == 1 and diff["counts"]["added"] == 1
    assert any(c["note"].startswith("删去牵头单位") for c in diff["changes"])
    trace = httpx.get(f"{url}/relations/trace", params={
        "upper": "pzh-2025-yuanqu-tizhi-tongzhi", "lower": ["dongqu-2023-chengzai-fangan"]}).json()
    assert trace["links"] and trace["coverage"][0]["upper_total"] == 19
    missing = httpx.get(f"{url}/relations/diff", params={"old": "/etc/passwd", "new": v2})
    assert missing.status_code == 422 and "登记册" in missing.json()["detail"]  # ids only, never paths


needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian chromium not installed (./dev.sh test installs it)")


@pytest.mark.browser
@needs_chromium
def test_a_documents_page_lists_its_versions_and_opens_their_diff(relations_server, page) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, v2 = relations_server
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/#/doc/{v2}")
    box = page.locator("#doc-versions")
    expect(box).to_be_visible()
    expect(box).to_contain_text("共有 2 个版本")
    assert box.locator("li").nth(1).get_attribute("class") == "this"  # the later one is this page's
    expect(box.locator("li").nth(0)).to_contain_text("手工登记")
    box.locator("a", has_text="与上一版本对照").click()
    page.wait_for_selector("#diff-table tbody tr")
    expect(page.locator("#diff-status")).to_contain_text("删除 1")
    assert page.locator("#diff-old").input_value() == SIXTEEN and page.locator("#diff-new").input_value() == v2
    page.goto(f"{url}/#/doc/{SIXTEEN}")  # from the earlier version: the same pair, earlier on the left
    expect(page.locator("#doc-versions li.this")).to_contain_text("本文件")
    page.locator("#doc-versions a", has_text="与本文件对照").click()
    page.wait_for_selector("#diff-table tbody tr")
    assert page.url.endswith(f"#/versions?old={SIXTEEN}&new={v2}")
    page.goto(f"{url}/#/doc/dongqu-2023-chengzai-fangan")  # a document with no other version
    expect(page.locator("#doc-title")).to_contain_text("攀枝花东区")
    expect(page.locator("#doc-versions")).to_be_hidden()
    assert not errors, errors


@pytest.mark.browser
@needs_chromium
def test_relation_views_in_chromium(relations_server, page) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, _ = relations_server
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/#/versions")
    page.locator("#version-groups a", has_text="对照").first.click()
    page.wait_for_selector("#diff-table tbody tr")
    assert "删除 1" in page.locator("#diff-status").inner_text()
    removed = page.locator("#diff-table tr.change-removed")
    assert "健全科技创新保障体系" in removed.first.inner_text()
    changed = page.locator("#diff-table tr.change-changed", has_text="加强链主企业招引培育").first
    assert changed.locator("del").count() and changed.locator("ins").count()  # the swap, highlighted
    page.goto(f"{url}/#/trace?upper=pzh-2025-yuanqu-tizhi-tongzhi&lower=dongqu-2023-chengzai-fangan")
    page.wait_for_selector("#trace-result section.upper")
    assert page.locator(".coverage .fill").count() == 1
    width = page.locator(".coverage .fill").evaluate("n => n.style.width")
    assert width.endswith("%") and width != "0%"
    assert page.locator("section.upper .link").count() > 0
    assert page.locator("section.upper.untaken").count() > 0
    page.locator("section.upper .link button.source").first.click()
    expect(page.locator("#source-where")).to_contain_text("第")
    assert not errors, errors
