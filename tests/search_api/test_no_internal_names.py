"""What a user reads from the CLI is Chinese, with none of the internal names the issue found
(issue 20): --help of every command, the search cards and the 冲突核查 table. JSON output keeps
its English field names; this scans only what is printed for people."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from search_api.cli import app

COMMANDS = sorted(get_command(app).commands)
INTERNAL = re.compile(
    r"\b(conflict|rule_conflict|lead_conflict|severity|fused|dense \d|bm25|increase_by|decrease_by|"
    r"page \d+|lines? \d+|Usage|Options|Arguments|Show this message|Example)\b"
    r"|target\.[a-z_]+|rule\.[a-z_]+|较新：[左右]"
)
# words an English help would hold and a Chinese one does not
ENGLISH = re.compile(r"\b(the|and|or|of|to|from|with|documents?|registry|measures?)\b", re.I)


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_chinese(command: str) -> None:
    text = _help(*([command] if command else []))
    found = sorted({m.group(0) for m in INTERNAL.finditer(text)})
    assert not found, found
    prose = re.sub(r"--?[a-z][a-z-]*", " ", text)  # option names (--as-of) are not prose
    english = sorted({m.group(0).lower() for m in ENGLISH.finditer(prose)} - {"json"})
    assert not english, english
    assert re.search(r"[\u4e00-\u9fff]{4}", text)


def test_eval_help_lists_heldout() -> None:
    assert "heldout" in _help("eval")


def test_search_cards_and_check_table_read_chinese(built_settings) -> None:
    runner = CliRunner()
    data = ["--data-dir", str(built_settings.data_dir)]
    env = {"COLUMNS": "200", "TAIZHANG_EMBEDDING_MODEL": "fake"}
    search = runner.invoke(app, ["search", "土地要素保障谁牵头", "-k", "3", *data], env=env)
    check = runner.invoke(app, ["check", *data], env=env)
    for result in (search, check):
        assert result.exit_code == 0, result.output
        found = sorted({m.group(0) for m in INTERNAL.finditer(result.output)})
        assert not found, found
        assert not re.search(r"\b(high|medium|low|info)\b", result.output)
        assert not re.search(r"(pzh|dongqu|xiqu)-20\d\d-[a-z-]+ p\.", result.output)
    assert "严重" in check.output or "较重" in check.output or "一般" in check.output
    assert "《" in check.output and "第" in check.output  # sources by title, page and line
    details = runner.invoke(app, ["search", "土地要素保障谁牵头", "-k", "1", "--details", *data], env=env)
    assert "排序分数" in details.output and "排序分数" not in search.output
