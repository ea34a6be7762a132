"""`taizhang show DOC:START-END` prints a span at its page and line in the original file."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from search_api.cli import app
from pipeline.locate import locate, parse_locator

import pytest


def test_parse_locator_accepts_and_rejects() -> None:
    assert parse_locator("pzh-2025-yuanqu-tizhi-tongzhi:1024-1290") == ("pzh-2025-yuanqu-tizhi-tongzhi", 1024, 1290)
    for bad in ("doc:9-3", "doc", "doc:1-", ":1-2"):
        with pytest.raises(ValueError):
            parse_locator(bad)


def test_locate_points_at_the_raw_lines(corpus_documents) -> None:
    doc = corpus_documents["pzh-2025-yuanqu-tizhi-tongzhi"]
    start = doc.text.index("1.编制发展规划")
    snippet = locate(doc, start, start + 8)
    assert snippet.text == "1.编制发展规划"
    raw_line = dict(snippet.raw_lines)[snippet.line_start]
    assert "1.编制发展规划" in raw_line
    assert snippet.section_path[-1].startswith("1.编制发展规划") or "（一）" in snippet.section_path[-1]


def test_show_command_end_to_end(tmp_path) -> None:
    from extractors.registry.build import build_registry
    from pipeline.settings import Settings

    settings = Settings(data_dir=tmp_path)
    build_registry([settings.corpus_dir], settings, progress=False)
    from extractors.registry.store import Registry

    task = Registry.open(settings).task("pzh-2025-yuanqu-tizhi-tongzhi:二.（一）.1")
    locator = f"{task.doc_id}:{task.source.char_start}-{task.source.char_end}"
    result = CliRunner().invoke(app, ["show", locator, "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # a .txt has no pages: its place is a line, never 第1页
    assert not task.source.paged and f"第{task.source.line_start}行" in result.output and "第1页" not in result.output
    # Word's bookmark anchors are hidden, even one cut by a line break; the pointed line is marked
    assert "bookmark" not in result.output and "_Hlk" not in result.output and "OLE_LINK" not in result.output
    assert re.search(rf"▶\s*{task.source.line_start} \|\s*1\.编制发展规划", result.output)
    missing = CliRunner().invoke(app, ["show", "nope:1-2", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 1


@pytest.mark.parametrize(("value", "words"), [("nope", "不是定位符"), ("d:9-3", "止点 3 在起点 9 之前")])
def test_a_bad_locator_is_explained_in_chinese(value: str, words: str) -> None:
    from pipeline.locate import parse_locator

    with pytest.raises(ValueError, match=words):
        parse_locator(value)
