"""``taizhang parse``: trees for good files, one stderr line per bad file, exit status 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TAIZHANG = Path(sys.executable).parent / "taizhang"
REPO = Path(__file__).resolve().parents[2]  # the checkout under test, not wherever taizhang is installed from


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    if not TAIZHANG.exists():
        pytest.skip("the taizhang entry point is not installed in this environment")
    return subprocess.run(
        [str(TAIZHANG), "parse", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(cwd), "PYTHONPATH": str(REPO)},
    )


def test_good_and_bad_files_in_one_batch(tmp_path, corpus_dir):
    bad = tmp_path / "损坏的文件.pdf"
    bad.write_bytes(b"this is not a pdf")
    missing = tmp_path / "不存在.docx"
    result = run(
        str(corpus_dir / "pzh-2024-jianquan-qianglian-16tiao.txt"), str(bad), str(missing),
        str(corpus_dir / "pzh-2025-yuanqu-tizhi-tongzhi.txt"), cwd=tmp_path,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 2, result.stderr
    assert "损坏的文件.pdf" in errors[0] and "%PDF" in errors[0]
    assert "不存在.docx" in errors[1] and "文件不存在" in errors[1]
    # the good files were printed, in order, with their trees and a summary
    out = result.stdout
    assert out.index("pzh-2024-jianquan-qianglian-16tiao") < out.index("pzh-2025-yuanqu-tizhi-tongzhi")
    assert "十六、" in out and "设立考核激励评价机制" in out
    assert "（六）" in out and "尊商重商优环境" in out
    assert "已解析的文件" in out  # the summary table


def test_all_good_files_exit_zero_with_summary(tmp_path, corpus_dir):
    result = run(str(corpus_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    for doc_id in ("pzh-2022-yuanqu-guihua", "dongqu-2023-chengzai-fangan", "xiqu-2021-chengyu-guihua"):
        assert doc_id in result.stdout
    assert "第六章" in result.stdout and "保障措施" in result.stdout


def test_json_output_is_the_document_model(tmp_path, corpus_dir):
    from pipeline.model import Document

    single = run(str(corpus_dir / "pzh-2024-jianquan-qianglian-16tiao.txt"), "--json", cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    doc = Document.model_validate_json(single.stdout)
    assert doc.doc_id == "pzh-2024-jianquan-qianglian-16tiao"
    assert len([s for s in doc.sections if s.level == 1]) == 16

    several = run(
        str(corpus_dir / "pzh-2024-jianquan-qianglian-16tiao.txt"),
        str(corpus_dir / "pzh-2025-yuanqu-tizhi-tongzhi.txt"),
        "--json",
        cwd=tmp_path,
    )
    docs = json.loads(several.stdout)
    assert [d["doc_id"] for d in docs] == ["pzh-2024-jianquan-qianglian-16tiao", "pzh-2025-yuanqu-tizhi-tongzhi"]


def test_a_file_outside_the_corpus_gets_a_content_hash_id(tmp_path, corpus_dir):
    copy = tmp_path / "通知.txt"
    copy.write_bytes((corpus_dir / "pzh-2025-yuanqu-tizhi-tongzhi.txt").read_bytes())
    result = run(str(copy), "--json", cwd=tmp_path)
    doc = json.loads(result.stdout)
    assert doc["doc_id"].startswith("通知-") and len(doc["doc_id"]) == len("通知-") + 8
    assert doc["meta"]["title"] == "关于开展园区提质行动助推高质量发展的通知"
    assert doc["meta"]["status"] == "代拟稿"
