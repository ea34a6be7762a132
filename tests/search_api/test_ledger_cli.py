"""The commands a secretariat types: export (ledger and unit templates), import, corrections,
overdue; bad input is one line naming the file and the reason, and the rest goes on."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pipeline.settings import Settings
from search_api.cli import app, main
from tests.tracking_ledger import build_corpus_ledger, copy_ledger

TASK = "dongqu-2023-chengzai-fangan:二.（一）.1"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Settings:
    return build_corpus_ledger(corpus_dir, tmp_path_factory.mktemp("built"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_export_edit_import_then_overdue_from_the_command_line(built: Settings, tmp_path: Path) -> None:
    settings = copy_ledger(built, tmp_path)
    data = ["--data-dir", str(settings.data_dir)]
    code, out, _ = run("export", "--out", str(tmp_path / "任务分工表.xlsx"), *data)
    assert code == 0 and out.strip().endswith("任务分工表.xlsx")
    wb = load_workbook(tmp_path / "任务分工表.xlsx")
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["任务ID"]).value == TASK)
    ws.cell(row, col["完成时限"]).value = "2024年底前"
    wb.save(tmp_path / "改.xlsx")
    (tmp_path / "说明.md").write_text("不是工作簿", encoding="utf-8")

    code, out, err = run("import", str(tmp_path / "改.xlsx"), str(tmp_path / "说明.md"), *data)
    assert code == 1  # one file refused …
    assert "说明.md" in err and "无法作为 xlsx 工作簿读取" in err and "Traceback" not in err
    code, out, _ = run("corrections", "--json", *data)  # … the other went in
    [correction] = json.loads(out)
    assert (correction["task_id"], correction["after"], correction["status"]) == (TASK, "2024年底前", "已校核")

    code, out, _ = run("overdue", "--as-of", "2025-06-30", "--json", "--xlsx", str(tmp_path / "督办.xlsx"), *data)
    assert code == 0
    overdue = {t["task_id"] for t in json.loads(out)["tasks"] if t["state"] == "超期"}
    assert TASK in overdue and (tmp_path / "督办.xlsx").exists()
    code, out, err = run("overdue", "--as-of", "2025-06-30", "--xlsx", str(tmp_path / "督办2.xlsx"), *data)
    # the table names each measure by its title and document, never by its id; all of it Chinese
    assert code == 0 and "超期" in out and "《" in out and not re.search(r"[a-z]+-\d{4}-", out)
    assert "督办通报已写出" in err and "written" not in err

    code, out, _ = run("export", "--all-units", "--out", str(tmp_path / "进展报送"), *data)
    assert code == 0 and len(out.split()) == len(list((tmp_path / "进展报送").glob("*.xlsx"))) > 20


@pytest.mark.parametrize("args,message", [
    (["export", "--for-unit", "财政局"], "[E502] 单位“财政局”对应多个单位：东区财政局、攀枝花市财政局 (请写出完整名称)"),
    (["export", "--for-unit", "市外星局"], "[E502] 「市外星局」不牵头也不负责台账中的任务"),
    (["overdue", "--as-of", "六月底"], "[E502] --as-of「六月底」不是日期 (请写成 2025-06-30)"),
])
def test_bad_requests_get_one_line(built: Settings, args: list[str], message: str,
                                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(sys, "argv", ["taizhang", *args, "--data-dir", str(built.data_dir)])
    with pytest.raises(SystemExit) as exit_:
        main()  # the entry point: domain errors become one line, not a traceback
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and err.startswith(message) and len(err.strip().splitlines()) == 1
