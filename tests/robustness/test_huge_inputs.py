"""Huge inputs within the file-size limit get a clear error, not the machine (issue 18, item 2).

Reproduced before: a 50 MB .docx holding 300 MB of XML passed every check and grew past 9 GB; a
54.6 MB text of 4.2 M short lines needed 8.6 GB and 163 s. Now a text over ``max_text_chars``
and a .docx part over ``MAX_XML_PART_BYTES`` are refused with [E107] before they are structured.
Each case runs in a child process under a memory ceiling (RLIMIT_AS) and a timeout; what memory
the accepted sizes take is measured by ``python -m bench.huge_inputs``, not here.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from pipeline.errors import TaizhangError
from pipeline.run import parse_file
try:
    parse_file(Path(sys.argv[1]))
except TaizhangError as exc:
    print(exc.message)
else:
    print("accepted")
"""


def _parse_in_child(path: Path) -> str:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=REPO, capture_output=True,
                         text=True, timeout=90)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_a_text_of_millions_of_short_lines_is_refused_within_a_budget(tmp_path: Path) -> None:
    rng = random.Random(18)
    words = ["园区", "建设", "一、", "（二）", "市财政局", "加快", "推进", "1.", "保障", "到2025年"]
    block = "\n".join(rng.choice(words) + rng.choice(words) for _ in range(100_000)).encode()
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        while fh.tell() < 54_000_000:
            fh.write(block + b"\n")
    message = _parse_in_child(path)
    assert message.startswith(f"[E107] {path}: ") and "超过每份文件 1,000,000 个字符的上限" in message, message


def _docx_with_document_xml(path: Path, xml_bytes: int) -> Path:
    """A .docx whose document.xml holds ``xml_bytes`` of paragraphs that deflate like prose
    (random CJK, a block repeated beyond deflate's 32 KiB window), so no zip-bomb check fires."""
    import docx

    seed = io.BytesIO()
    docx.Document().save(seed)
    rng = random.Random(50)
    pool = "园区建设加快推进保障要素市财政局发展改革委员会责任单位牵头配合工业经济"
    block = "".join(f"<w:p><w:r><w:t>{''.join(rng.choice(pool) for _ in range(60))}。</w:t></w:r></w:p>"
                    for _ in range(4000)).encode()
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    tail = b"<w:sectPr/></w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info.filename, src.read(info))
                continue
            with dst.open("word/document.xml", "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(xml_bytes // len(block) + 1):
                    member.write(block)
                member.write(tail)
    path.write_bytes(out.getvalue())
    return path


def test_a_docx_with_too_much_xml_is_refused_within_a_budget(tmp_path: Path) -> None:
    path = _docx_with_document_xml(tmp_path / "huge.docx", 70 << 20)
    message = _parse_in_child(path)
    assert message.startswith(f"[E107] {path}: word/document.xml 展开后有"), message


def test_the_text_limit_is_a_setting(tmp_path: Path) -> None:
    from pipeline.errors import FileTooLargeError
    from pipeline.load import load_file
    from pipeline.settings import Settings

    path = tmp_path / "a.txt"
    path.write_text("关于加快园区建设的通知\n" + "园区建设加快推进。\n" * 200, encoding="utf-8")
    assert load_file(path, Settings(max_text_chars=3000)).text
    with pytest.raises(FileTooLargeError, match=r"TAIZHANG_MAX_TEXT_CHARS"):
        load_file(path, Settings(max_text_chars=1000))
