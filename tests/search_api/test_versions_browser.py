"""The web page's 任务分工表, 台账校核 and 督办 in a real headless Chromium, on a document kept in
two versions: the older one is left out with a note, and 含旧版本 puts it back."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.extractors.test_ledger_versions import two_versions  # noqa: F401  (the two-version registry)
from tests.live_server import serve_in_thread
from tests.search_api.test_web_browser import CHROMIUM, page  # noqa: F401  (the one Chromium page fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (./dev.sh test installs it)"),
]


@pytest.fixture(scope="module")
def server(two_versions):  # noqa: F811
    settings, _, _ = two_versions
    with serve_in_thread(settings.model_copy(update={"embedding_model": "fake"})) as url:
        yield url


def test_older_version_left_out_until_asked_for(page, server, two_versions) -> None:  # noqa: F811
    _, old, new = two_versions
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/#/tasks")
    expect(page.locator("#task-count")).to_contain_text("已有新版本的文件 1 个未列入")
    expect(page.locator(f'#task-table tr[data-task^="{new}:"]')).to_have_count(3)
    expect(page.locator(f'#task-table tr[data-task^="{old}:"]')).to_have_count(0)
    page.check("#f-all-versions")
    expect(page.locator(f'#task-table tr[data-task^="{old}:"]')).to_have_count(2)
    expect(page.locator("#task-count")).not_to_contain_text("未列入")

    page.goto(f"{server}/#/ledger")
    expect(page.locator(f'#ledger-table tr[data-task^="{new}:"]')).to_have_count(3)
    expect(page.locator(f'#ledger-table tr[data-task^="{old}:"]')).to_have_count(0)
    expect(page.locator("#ledger-status")).to_contain_text("未列入")
    page.check("#ledger-all-versions")
    expect(page.locator(f'#ledger-table tr[data-task^="{old}:"]')).to_have_count(2)

    page.goto(f"{server}/#/duban?as_of=2025-01-01")
    expect(page.locator("#duban-status")).to_contain_text("超期 1 项")
    expect(page.locator("#duban-status")).to_contain_text("已有新版本的文件 1 个未计入")
    page.check("#duban-all-versions")
    page.click("#duban-form button[type=submit]")
    expect(page.locator("#duban-status")).to_contain_text("超期 3 项")
    assert not errors, errors
