"""Every CLI command is documented: an ``Example:`` in its help and a row in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.main import get_command

from search_api.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(get_command(app).commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_example(name: str) -> None:
    help_text = get_command(app).commands[name].help or ""
    assert "示例：" in help_text or "Example:" in help_text, f"`taizhang {name}` --help has no 示例："


@pytest.mark.parametrize("name", COMMANDS)
def test_command_in_readme(name: str) -> None:
    assert f"`taizhang {name}" in README, f"`taizhang {name}` is missing from README.md"


def test_quickstart_has_exactly_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    block = quickstart.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert commands == ["./dev.sh run     # install (first time only) and build the ledger over corpus/, write the 任务分工表",
                        "./dev.sh test    # install (first time only) and run the whole test suite"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "./dev.sh test" in ci
