"""A manifest.json that is not taizhang's is ignored with one note; a broken entry of taizhang's
own is named by file, entry and field, in Chinese; the documents are parsed and built anyway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.manifest import load_manifest
from pipeline.run import parse_paths
from pipeline.settings import Settings

TEXT = "关于做好稳就业工作的通知\n攀人社发〔2025〕3号\n一、开发公益性岗位。围绕稳就业，开发一批城乡公益性岗位。\n"


def _folder(tmp_path: Path, manifest: object | str) -> Path:
    folder = tmp_path / "收文"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b.txt").write_text(TEXT.replace("3号", "4号"), encoding="utf-8")
    body = manifest if isinstance(manifest, str) else json.dumps(manifest, ensure_ascii=False)
    (folder / "manifest.json").write_text(body, encoding="utf-8")
    return folder


@pytest.mark.parametrize("foreign", [
    {"name": "my-web-app", "short_name": "app", "icons": [{"src": "icon.png"}]},  # a web app manifest
    {"manifest_version": 3, "name": "extension"},
    [1, 2, 3],
    {"documents": "not a list"},
])
def test_a_foreign_manifest_is_ignored_with_one_note(tmp_path: Path, foreign: object) -> None:
    folder = _folder(tmp_path, foreign)
    manifest = load_manifest(folder)
    assert manifest.documents == () and len(manifest.problems) == 1
    assert "不是 taizhang 的文件清单" in manifest.problems[0] and "manifest.json" in manifest.problems[0]
    results = list(parse_paths([folder], Settings()))
    assert len(results) == 2 and not any(isinstance(r, Exception) for _, r in results)
    assert all(doc.meta.doc_number and doc.meta.doc_number.startswith("攀人社发") for _, doc in results)


def test_a_broken_entry_is_named_by_file_entry_and_field(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"documents": [
        {"doc_id": "a-good", "file": "a.txt", "title": "清单中的标题", "status": "正式"},
        {"doc_id": "b-bad", "file": "b.txt", "title": "坏条目", "date": "2025年3月"},
    ]})
    manifest = load_manifest(folder)
    assert [e.doc_id for e in manifest.documents] == ["a-good"]
    (problem,) = manifest.problems
    assert "第2条" in problem and "b.txt" in problem and "date" in problem and "不是有效日期" in problem
    assert "errors.pydantic.dev" not in problem and "Input should" not in problem
    docs = {path.name: doc for path, doc in parse_paths([folder], Settings())}
    assert docs["a.txt"].meta.title == "清单中的标题"  # the good entry is used
    assert docs["b.txt"].doc_id.startswith("b-") and docs["b.txt"].meta.doc_number == "攀人社发〔2025〕4号"


def test_a_manifest_that_is_not_json_is_reported_and_ignored(tmp_path: Path) -> None:
    folder = _folder(tmp_path, '{"documents": [ {"file": "a.txt",, } ]}')
    (problem,) = load_manifest(folder).problems
    assert "不是有效的 JSON" in problem and "第1行" in problem
    assert len(list(parse_paths([folder], Settings()))) == 2


def test_build_prints_the_note_once_and_builds_every_document(tmp_path: Path, capsys) -> None:
    from extractors.registry.build import build_registry

    folder = _folder(tmp_path, {"name": "my-web-app", "icons": []})
    settings = Settings(data_dir=tmp_path / "data")
    report = build_registry([folder], settings, progress=False)
    err = capsys.readouterr().err
    assert err.count("不是 taizhang 的文件清单") == 1
    assert not report.failed and len(report.added) == 2


def test_parse_command_prints_the_note_once(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from search_api.cli import app

    folder = _folder(tmp_path, {"name": "my-web-app"})
    result = CliRunner().invoke(app, ["parse", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.count("不是 taizhang 的文件清单") == 1
