"""Bad files fail with the right TaizhangError, naming the file — never with anything else."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from pipeline.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncodingError,
    EncryptedFileError,
    FileTooLargeError,
    NeedsOCRError,
    ResourceLimitError,
    TaizhangError,
    UnsupportedFormatError,
)
from pipeline.load import load_file
from pipeline.settings import Settings
from tests.fixtures import make_docs

PARAS = ["关于开展园区提质行动助推高质量发展的通知", "一、工作阶段安排", "园区是产业发展的重要载体。" * 30]


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return write


def _broken_zip_docx(folder: Path) -> Path:
    good = make_docs.write_docx(PARAS, folder / "good.docx")
    path = folder / "cut.docx"
    path.write_bytes(good.read_bytes()[:2000])
    return path


def _xlsx_named_docx(folder: Path) -> Path:
    path = folder / "sheet.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return path


def _big_pdf(folder: Path) -> Path:
    return make_docs.write_pdf(PARAS * 3, folder / "long.pdf")


GARBAGE = bytes(range(256)) * 8 + random.Random(7).randbytes(1024)  # fixed: reproducible
NO_TEXT_HTML = b"<html><head><script>x=1</script></head><body> </body></html>"
SHIFT_JIS = "日本語のテキストです。これは東京の会議の資料になります。".encode("shift_jis")
OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
LONG_TXT = "一、总体要求\n".encode("utf-8") * 10
BLANK_TXT = " \n\u3000\r\n\t".encode()
NUL_TXT = "一、总体\x00\x00\x01".encode()
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 99
Unsupported, Corrupt, Encrypted = UnsupportedFormatError, CorruptFileError, EncryptedFileError
TooCostly = ResourceLimitError


def _made(maker, name: str):
    return lambda folder: maker(folder / name)


def case(case_id: str, build, error: type[TaizhangError], reason: str, **overrides):
    """One row: how to make the file, the error it must raise, words its message must hold."""
    return pytest.param(build, overrides, error, reason, id=case_id)


CASES = [
    case("zero-byte-txt", _bytes("zero.txt", b""), EmptyDocumentError, "空的"),
    case("zero-byte-pdf", _bytes("zero.pdf", b""), EmptyDocumentError, "空的"),
    case("blank-txt", _bytes("blank.txt", BLANK_TXT), EmptyDocumentError, "没有文字"),
    case("html-without-text", _bytes("blank.html", NO_TEXT_HTML), EmptyDocumentError, "没有文字"),
    case("garbage-named-pdf", _bytes("garbage.pdf", GARBAGE), CorruptFileError, "%PDF"),
    case(
        "pdf-header-then-garbage",
        _bytes("fake.pdf", b"%PDF-1.4\n" + GARBAGE + b"\n%%EOF\n"),
        CorruptFileError,
        "无法解析",
    ),
    case("binary-named-txt", _bytes("binary.txt", GARBAGE), EncodingError, "不符合任何中文编码"),
    case("nul-bytes-in-utf8", _bytes("nul.txt", NUL_TXT), EncodingError, "二进制"),
    case("shift-jis-txt", _bytes("jp.txt", SHIFT_JIS), EncodingError, "生僻字"),
    case("truncated-pdf", _made(make_docs.write_truncated_pdf, "cut.pdf"), Corrupt, "不完整"),
    case("image-only-pdf", _made(make_docs.write_image_pdf, "scan.pdf"), NeedsOCRError, "1、2"),
    case("encrypted-pdf", _made(make_docs.write_encrypted_pdf, "lock.pdf"), Encrypted, "密码"),
    case("unsupported-extension", _bytes("t.xlsx", b"PK\x03\x04 no"), Unsupported, ".xlsx"),
    case("legacy-doc", _bytes("old.doc", OLE_DOC), Unsupported, ".docx"),
    case("rtf-named-doc", _bytes("r.doc", b"{\\rtf1\\ansi hello}"), Unsupported, "RTF"),
    case("image-named-pdf", _bytes("photo.pdf", JPEG), Unsupported, "图片"),
    case("docx-not-a-zip", _bytes("notzip.docx", "不是Word".encode()), CorruptFileError, "不是 Word 文件包"),
    case("docx-truncated-zip", _broken_zip_docx, CorruptFileError, "损坏"),
    case("zip-without-word-part", _xlsx_named_docx, CorruptFileError, "word/document.xml"),
    case("zip-bomb-docx", _made(make_docs.write_zip_bomb_docx, "bomb.docx"), TooCostly, "压缩炸弹"),
    case("oversized", _bytes("big.txt", LONG_TXT), FileTooLargeError, "上限", max_file_bytes=64),
    case("too-many-pdf-pages", _big_pdf, ResourceLimitError, "页", max_pdf_pages=1),
    case("missing-file", lambda d: d / "nowhere.txt", TaizhangError, "不存在"),
    case("folder", lambda d: (d / "dir.txt").mkdir() or d / "dir.txt", Unsupported, "文件夹"),
]


@pytest.mark.parametrize(("build", "overrides", "error", "reason"), CASES)
def test_bad_input_raises_the_right_error(tmp_path, build, overrides, error, reason):
    path = build(tmp_path)
    with pytest.raises(TaizhangError) as caught:
        load_file(path, Settings(**overrides))
    assert type(caught.value) is error
    message = str(caught.value)
    assert path.name in message
    assert reason in message
    assert caught.value.hint, "every error says what to do"


def test_needs_ocr_lists_the_pages(tmp_path):
    path = make_docs.write_image_pdf(tmp_path / "scan.pdf", pages=3)
    with pytest.raises(NeedsOCRError) as caught:
        load_file(path)
    assert caught.value.pages == [1, 2, 3] and caught.value.total_pages == 3


def test_forcing_an_encoding_that_does_not_fit_is_an_encoding_error(tmp_path):
    path = make_docs.write_gbk_text(tmp_path / "g.txt", "一、总体要求")
    with pytest.raises(EncodingError, match="g.txt"):
        load_file(path, encoding="utf-8")
    assert load_file(path, encoding="gbk").text == "一、总体要求"


_FUZZ = hyp_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_FUZZ
@given(data=st.binary(min_size=0, max_size=2048))
def test_arbitrary_bytes_as_txt_load_or_raise_taizhang_error(tmp_path, data):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    try:
        raw = load_file(path)
    except TaizhangError as exc:
        assert "fuzz.txt" in str(exc)
    else:
        assert raw.text.strip() and "\x00" not in raw.text


@_FUZZ
@given(data=st.binary(max_size=1024), suffix=st.sampled_from([".html", ".pdf", ".docx", ".md"]))
def test_arbitrary_bytes_in_other_formats_never_escape(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        load_file(path)
    except TaizhangError as exc:
        assert path.name in str(exc)


@_FUZZ
@given(text=st.text(min_size=1, max_size=300))
def test_any_unicode_text_saved_as_utf8_loads_exactly_or_is_refused(tmp_path, text):
    path = tmp_path / "u.txt"
    path.write_bytes(text.encode("utf-8"))
    try:
        raw = load_file(path)
    except TaizhangError:
        return
    expected = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    assert raw.text == expected
