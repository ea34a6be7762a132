"""What a user reads about a file that was read, but not perfectly: Chinese, from the table.

The texts live in ``pipeline/warnings.yaml``. These tests hold the code to it (every warning is
made by key, every key exists, no entry is dead, every template is filled) and parse files that
trigger each warning a file can trigger, checking that ``Document.warnings`` holds no English
sentence: no ASCII word of four letters or more, once file names, exception class names (a code a
developer greps for) and a few product and tool names (Word, JSON, ocrmypdf, taizhang) are set aside.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import pytest

from pipeline.messages import WARNINGS_FILE, WarningText, warning, warning_texts
from pipeline.run import parse_file, parse_paths
from pipeline.settings import Settings
from tests.fixtures import make_docs
from tests.pdf_objects import write_circular_pdf, write_mixed_pdf

REPO = Path(__file__).resolve().parents[2]
PARAGRAPHS = [
    "关于推进园区体制改革的实施意见",
    "一、总体要求",
    "坚持问题导向，推进园区管理体制改革，2025年底前完成主要任务。",
    "二、重点任务",
    "（一）优化管理机构。由市发展改革委牵头，市财政局配合，2025年6月底前完成。",
    "（二）完善考核办法。市委组织部负责，持续推进。",
]
# names a user knows as names; everything else in ASCII letters of this length is English prose
ALLOWED_WORDS = {"word", "json", "ocrmypdf", "taizhang", "documents", "file"}
FILE_NAME = re.compile(r"[\w\-]+\.(?:txt|md|pdf|docx|doc|html|htm|json)\b", re.IGNORECASE)
ASCII_WORD = re.compile(r"[A-Za-z]{4,}")


def english_words(text: str) -> list[str]:
    """The ASCII words of 4+ letters in ``text`` that are not file names or allowed names."""
    return [w for w in ASCII_WORD.findall(FILE_NAME.sub("", text))
            if w.lower() not in ALLOWED_WORDS and not w.endswith("Error")]  # an exception's class: a code


@pytest.mark.parametrize(("text", "found"), [
    ("x.txt：扩展名是 .txt，内容却是 PDF，已按 PDF 读取", []),
    ("共 3 页中有 1 页没有文字层，已跳过：第 2 页（如需读入，请先做文字识别，如 ocrmypdf）", []),
    ("x.txt: named .txt but the content is pdf; read as pdf", ["named", "content", "read"]),
    ("heading 三、保障 is out of sequence", ["heading", "sequence"]),
    ("第 3 页无法读取（PdfiumError），该页留空", []),
    ("page 3 could not be read (Failed to load page); it is left empty", ["page", "could", "read", "Failed", "load",
                                                                          "page", "left", "empty"]),
])
def test_the_english_scan_finds_english_and_only_english(text: str, found: list[str]) -> None:
    assert english_words(text) == found


# ------------------------------------------------------------------------------ the table and the code


def _warning_calls() -> list[tuple[Path, str]]:
    """(file, key) of every ``warning("key", …)`` in the pipeline and the extractors."""
    found = []
    for path in [*REPO.glob("pipeline/**/*.py"), *REPO.glob("extractors/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "warning" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.append((path, node.args[0].value))
    return found


def test_every_key_warned_exists_and_every_entry_is_used() -> None:
    table = warning_texts()
    used = _warning_calls()
    assert len(used) >= 10, "the scan found too few warning(…) calls"
    for path, key in used:
        assert key in table, f"{path.name}: no warning {key!r} in {WARNINGS_FILE.name}"
    assert set(table) == {key for _, key in used}, f"entries no code uses: {sorted(set(table) - {k for _, k in used})}"


@pytest.mark.parametrize("key", sorted(warning_texts()))
def test_every_template_reads_in_chinese_when_filled(key: str) -> None:
    entry = warning_texts()[key]
    text = entry.filled({name: "1" for name in entry.fields()})
    assert re.search(r"[\u4e00-\u9fff]", text)
    assert english_words(text) == [], text


def test_an_entry_in_english_is_refused_and_a_missing_value_is_a_bug() -> None:
    with pytest.raises(ValueError, match="Chinese"):
        WarningText(id="x", text="heading {number} is out of sequence")
    with pytest.raises(KeyError, match="needs"):
        warning("heading_out_of_sequence", number="三、")
    with pytest.raises(KeyError, match="no warning"):
        warning("no_such_warning")


# ------------------------------------------------------------------------------ files that trigger them




def _mixed_pdf(folder: Path) -> Path:
    """A page with text, then a scanned page with no text layer."""
    text_pdf = make_docs.write_pdf(PARAGRAPHS, folder / "text.pdf")
    return write_mixed_pdf(text_pdf, make_docs.write_image_pdf(folder / "scan.pdf", pages=1), folder / "mixed.pdf")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


TEXT = "\n".join(PARAGRAPHS) + "\n"
# the files, each with the key of the warning it must give and a phrase of its Chinese text
TRIGGERS = {
    "content_not_extension": (
        lambda d: make_docs.write_docx(PARAGRAPHS, d / "x.docx").rename(d / "x.doc"), "内容却是 Word 文档"),
    "private_use_characters": (
        lambda d: _write(d / "wps.txt", TEXT.replace("（一）", "（一）\ue010").encode()), "有 1 个私用区字符"),
    "charset_mismatch": (
        lambda d: _write(d / "page.html", ('<html><head><meta charset="utf-8"></head><body><p>'
                                           + "</p><p>".join(PARAGRAPHS) + "</p></body></html>").encode("gb18030")),
        "网页声明的编码是 utf-8"),
    "pdf_pages_need_ocr": (_mixed_pdf, "共 2 页中有 1 页没有文字层"),
    "pdf_table_problem": (lambda d: write_circular_pdf(d / "circular.pdf"), "循环引用"),
    "heading_out_of_sequence": (
        lambda d: _write(d / "gap.txt", "一、总体要求\n正文。\n三、保障措施\n正文。\n".encode()), "序号与前文不接续"),
}


@pytest.mark.parametrize("key", sorted(TRIGGERS))
def test_a_file_that_triggers_a_warning_is_told_in_chinese(tmp_path: Path, key: str) -> None:
    make, phrase = TRIGGERS[key]
    doc = parse_file(make(tmp_path))
    assert any(phrase in w for w in doc.warnings), doc.warnings
    for text in doc.warnings:
        assert english_words(text) == [], f"English left in a warning: {text!r}"


def test_a_file_its_manifest_no_longer_matches_is_told_in_chinese(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    wrong = hashlib.sha256(b"an older version").hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": [
        {"doc_id": "a", "file": "a.txt", "title": "清单中的标题", "sha256": wrong}]}), encoding="utf-8")
    ((_, doc),) = list(parse_paths([tmp_path], Settings()))
    assert any("a.txt：内容与 manifest.json 记录的不同" in w for w in doc.warnings), doc.warnings
    assert all(english_words(w) == [] for w in doc.warnings), doc.warnings
