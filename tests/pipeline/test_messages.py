"""What a user reads about a file that cannot be read: Chinese, one line, naming the file.

The texts live in ``pipeline/messages.yaml``; these tests hold the code to it (every refusal is
raised by key, every key exists and carries its class's code, no entry is dead) and run a batch
of bad files through ``taizhang build`` as a user would.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline.errors as errors
from pipeline.errors import TaizhangError
from pipeline.messages import MESSAGES_FILE, Message, messages

REPO = Path(__file__).resolve().parents[2]
# where files are refused: the loaders, their budget, parsing and the registry build
REFUSING_MODULES = sorted(
    [*REPO.glob("pipeline/load*.py"), REPO / "pipeline/budget.py", REPO / "pipeline/run.py",
     REPO / "extractors/registry/build.py"]
)
ERROR_CLASSES = {name: cls for name, cls in vars(errors).items()
                 if isinstance(cls, type) and issubclass(cls, TaizhangError)}
# builds its text from the messages itself (its pages are data the caller keeps)
BUILT_FROM_MESSAGES = {"NeedsOCRError"}


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Call)]


def _because_calls() -> list[tuple[Path, str, str]]:
    """(file, error class, message key) of every ``SomeError.because(path, "key", …)`` in the code."""
    found = []
    for path in [*REPO.glob("pipeline/**/*.py"), *REPO.glob("extractors/**/*.py"), *REPO.glob("search_api/**/*.py")]:
        for call in _calls(path):
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "because" and isinstance(func.value, ast.Name) \
                    and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant):
                found.append((path, func.value.id, call.args[1].value))
    return found


@pytest.mark.parametrize("module", REFUSING_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_refusals_are_raised_by_message_key(module: Path) -> None:
    """No error text is written in the code of a module that refuses files: it is in the table."""
    direct = [f"line {call.lineno}: {call.func.id}(…)" for call in _calls(module)
              if isinstance(call.func, ast.Name) and call.func.id in ERROR_CLASSES
              and call.func.id not in BUILT_FROM_MESSAGES]
    assert not direct, f"{module.name} writes an error's text in code; use .because(path, key): {direct}"


def test_every_key_raised_exists_with_its_class_code_and_every_entry_is_used() -> None:
    table = messages()
    used = _because_calls()
    assert used, "the scan found no .because calls"
    for path, cls, key in used:
        assert key in table, f"{path.name}: no message {key!r} in {MESSAGES_FILE.name}"
        assert table[key].code == ERROR_CLASSES[cls].code, f"{path.name}: {key} is {table[key].code}, raised as {cls}"
    used_keys = {key for _, _, key in used} | {"pdf_needs_ocr"}
    assert set(table) == used_keys, f"entries no code raises: {sorted(set(table) - used_keys)}"


@pytest.mark.parametrize(("entry", "problem"), [
    ({"code": "E104", "reason": "the PDF is cut short", "hint": "请重新下载"}, "Chinese"),
    ({"code": "104", "reason": "文件不完整", "hint": "请重新下载"}, "error code"),
])
def test_an_entry_a_user_could_not_read_is_refused_at_load(entry: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Message.model_validate(entry)


def test_a_message_is_filled_and_checked() -> None:
    error = errors.FileTooLargeError.because("/d/大文件.txt", "file_too_large", size=2_000_000, limit=1_000)
    assert error.message == ("[E107] /d/大文件.txt: 文件有 2,000,000 字节，超过每份文件 1,000 字节的上限 ("
                             "请拆分为几份文件；如确为一份文件，可调高 TAIZHANG_MAX_FILE_BYTES)")
    with pytest.raises(KeyError, match="limit"):
        errors.FileTooLargeError.because("x", "file_too_large", size=1)
    with pytest.raises(ValueError, match="E107"):
        errors.CorruptFileError.because("x", "file_too_large", size=1, limit=1)


def _minimal_pdf_cut_short() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pa"


# file name → bytes; each must be refused with one Chinese line naming it
BAD_FILES: dict[str, bytes] = {
    "空文件.txt": b"",
    "二进制.txt": bytes(range(256)) * 8,
    "截断的文件.docx": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20,
    "截断的文件.pdf": _minimal_pdf_cut_short(),
    "扩展名不对.xyz": "一、总体要求".encode(),
    "太大的文件.txt": ("一、总体要求\n" + "加快园区建设。" * 400).encode(),
    "图片.pdf": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
}
GOOD = "关于推进园区建设的通知\n一、总体要求\n（一）加快园区建设。（区发展改革局牵头，区财政局配合）\n"
# words a Chinese line may still hold: file formats, codes and the setting a user can change
ALLOWED_ASCII_WORDS = {"PDF", "UTF", "EOF", "Big", "docx", "pdf", "Word", "WPS", "TAIZHANG_MAX_FILE_BYTES",
                       "txt", "htm", "html", "markdown", "shtml", "text", "xhtml", "xyz", "ocrmypdf"}


def test_a_batch_of_bad_files_through_build_gives_one_chinese_line_each(tmp_path: Path) -> None:
    folder = tmp_path / "收文"
    folder.mkdir()
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)
    (folder / "好文件.txt").write_text(GOOD, encoding="utf-8")
    named = [folder / name for name in BAD_FILES]  # a .xyz in a folder is skipped: name each file
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200",
           "TAIZHANG_MAX_FILE_BYTES": str(len(BAD_FILES["太大的文件.txt"]) - 1)}
    result = subprocess.run(
        [sys.executable, "-c", "from search_api.cli import main; main()", "build",
         *map(str, named), str(folder / "好文件.txt"), "--data-dir", str(tmp_path / "data"), "--no-index"],
        capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path,
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == len(BAD_FILES), result.stderr
    for name in BAD_FILES:
        path = str(folder / name)
        [line] = [line for line in lines if f" {path}: " in line]
        assert line.startswith("[E1") and f"] {path}: " in line, line
        said = line.split(f"{path}: ", 1)[1].replace(name, "")
        assert re.search(r"[\u4e00-\u9fff]{4}", said), line
        english = set(re.findall(r"[A-Za-z_]{3,}", said)) - ALLOWED_ASCII_WORDS
        assert not english, f"{line}: {english}"
    assert "好文件" in result.stdout and "新增" in result.stdout  # the batch went on
    assert result.returncode == 1
