"""The relations over HTTP and in the page (headless Chromium): versions found by title, the
diff side by side with changes highlighted, 承接 links with a coverage bar per lower document."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from pipeline.settings import Settings
from tests.live_server import serve_in_thread

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"]
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
    with serve_in_thread(settings) as url:
        yield url, v2


def test_versions_diff_and_trace_over_http(relations_server) -> None:
    url, v2 = relations_server
    groups = httpx.get(f"{url}/relations/versions").json()
    assert [sorted(m["doc_id"] for m in g) for g in groups] == [sorted([SIXTEEN, v2])]
    diff = httpx.get(f"{url}/relations/diff", params={"old": SIXTEEN, "new": v2}).json()
    assert diff["counts"]["removed"] == 1 and diff["counts"]["added"] == 1
    assert any(c["note"].startswith("删去牵头单位") for c in diff["changes"])
    trace = httpx.get(f"{url}/relations/trace", params={
        "upper": "pzh-2025-yuanqu-tizhi-tongzhi", "lower": ["dongqu-2023-chengzai-fangan"]}).json()
    assert trace["links"] and trace["coverage"][0]["upper_total"] == 19
    missing = httpx.get(f"{url}/relations/diff", params={"old": "/etc/passwd", "new": v2})
    assert missing.status_code == 422 and "登记册" in missing.json()["detail"]  # ids only, never paths


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (./dev.sh test installs it)")
def test_relation_views_in_chromium(relations_server) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, v2 = relations_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(20_000)
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
        browser.close()
