"""A build tells, per file it read, what the loader noticed (issue 20): in Chinese, under the
file's name, with no internals (no doc ids, exception reprs or English). Real stages, two small
text files: one with glyphs from a font's private-use area, one clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors.registry.build_cli import run_build_command
from pipeline.settings import Settings

TEXT = ("关于推进园区建设的通知\n\n一、重点任务\n（一）建设园区道路。2025年底前完成。"
        "（市交通运输局牵头，市财政局配合）\n")


def test_a_build_prints_each_read_files_warnings_in_chinese(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "文件"
    folder.mkdir()
    (folder / "有私用字.txt").write_text(TEXT.replace("一、", "\ue000一、"), encoding="utf-8")
    (folder / "干净.txt").write_text(TEXT, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=folder)
    assert run_build_command([folder], settings, export=False)
    out = capsys.readouterr().out
    said = out[out.index("需要核对之处"):out.index("任务台账：")]
    assert "有私用字.txt" in said and "私用区字符" in said
    assert "干净.txt" not in said  # a clean file is not listed
    assert not re.search(r"[A-Za-z]{4,}", said.replace("taizhang parse", ""))  # no English, no internals
    # a second build reads nothing again, so it has nothing new to tell
    assert run_build_command([folder], settings, export=False)
    assert "需要核对之处" not in capsys.readouterr().out
