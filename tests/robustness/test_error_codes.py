"""Each failure has its own code and a message that names the file and the fix (issue 18, item 11).

Reproduced before: a UTF-8 file cut by one byte was reported as an encoding problem; a PDF whose
page tree loops back on itself, and one with only blank pages, were reported as scans to OCR.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import CorruptFileError, EmptyDocumentError, TaizhangError
from pipeline.load import load_file
from tests.pdf_objects import pdf_of_objects, write_circular_pdf

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
BLANK_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


@pytest.mark.parametrize(("name", "data", "error", "words"), [
    ("cut.txt", "一、总体要求\n加快园区建设。".encode()[:-1], CorruptFileError, "截断"),
    ("loop.pdf", pdf_of_objects([CATALOG, b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", BLANK_PAGE]),
     CorruptFileError, "页面树已损坏"),
    ("blank.pdf", pdf_of_objects([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", BLANK_PAGE]),
     EmptyDocumentError, "既无文字也无图像"),
], ids=["utf8-cut-by-one-byte", "looping-page-tree", "blank-pages"])
def test_each_failure_is_named_for_what_it_is(tmp_path: Path, name: str, data: bytes,
                                              error: type[TaizhangError], words: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TaizhangError) as caught:
        load_file(path)
    assert type(caught.value) is error, caught.value.message
    assert caught.value.message.startswith(f"[{error.code}] {path}: ") and words in caught.value.message
    assert caught.value.hint


def test_a_gbk_file_is_still_read_as_gbk(tmp_path: Path) -> None:
    """Only valid UTF-8 cut inside its last character is called truncated."""
    path = tmp_path / "g.txt"
    path.write_bytes("一、总体要求\n加快园区建设，推进产业发展。".encode("gbk"))
    assert load_file(path).text.startswith("一、总体要求")


def test_pdfminer_refusals_are_reported_with_the_file(tmp_path: Path, capfd) -> None:
    """A form XObject that draws itself: pdfminer printed "Refusing to execute circular
    reference" to stderr with no file name; it is now one of the document's warnings."""
    path = write_circular_pdf(tmp_path / "circular.pdf")
    doc = load_file(path)
    assert doc.text.startswith("Table of measures")
    assert any(w.startswith("circular.pdf：") and "循环引用" in w for w in doc.warnings), doc.warnings
    assert "circular reference" not in capfd.readouterr().err
