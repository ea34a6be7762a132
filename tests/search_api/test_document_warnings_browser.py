"""The web page's document view shows what the loader noticed about the file (issue 20): in
Chinese, above the text, and nothing when there is nothing to say. Real Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.live_server import serve_in_thread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (./dev.sh test installs it)"),
]
NOTE = "有 2 个私用区字符（U+E000；第一个在第 3 行）按原样保留"


@pytest.fixture(scope="module")
def warned_server(tmp_path_factory: pytest.TempPathFactory):
    from extractors.registry.store import Registry
    from search_api.index.indexing import update_index
    from tests.search_api.search_fixtures import small_corpus

    settings = Settings(data_dir=tmp_path_factory.mktemp("taizhang-warned"), embedding_model="fake")
    (first, tasks, targets), *rest = small_corpus()
    with Registry.open(settings) as registry:
        registry.replace_document(first.model_copy(update={"warnings": (NOTE,)}), tasks, targets, fingerprint="fp")
        for doc, doc_tasks, doc_targets in rest:
            registry.replace_document(doc, doc_tasks, doc_targets, fingerprint="fp")
        update_index(settings, registry)
    with serve_in_thread(settings) as url:
        yield url, first.doc_id, rest[0][0].doc_id


def test_the_document_view_lists_the_files_warnings(warned_server) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.search_api.test_web_browser import ARGS

    url, warned, clean = warned_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(locale="zh-CN")
        page.set_default_timeout(20_000)
        page.goto(f"{url}/#/doc/{warned}")
        page.wait_for_selector("#doc-warnings li")
        box = page.locator("#doc-warnings")
        assert box.is_visible() and "读入时需要核对之处" in box.inner_text() and NOTE in box.inner_text()
        page.goto(f"{url}/#/doc/{clean}")
        expect(page.locator("#doc-title")).to_have_text("园区提质通知")  # the clean file's view is in
        expect(page.locator("#doc-warnings")).to_be_hidden()
        browser.close()
