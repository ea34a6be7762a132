"""Big but cheap fixtures: a 1,000-page PDF and a 50,000-paragraph DOCX in about a second each.

reportlab's platypus would lay out 1,000 pages of flowing text slowly; drawing a few lines per
page straight on the canvas is enough to exercise the loader's per-page path. The DOCX body is
written as XML into a package python-docx made, instead of 50,000 ``add_paragraph`` calls.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from tests.fixtures.make_docs import CJK_FONT, _register_font

_LINE_CHARS = 34  # characters per printed line, about what an A4 仿宋 三号 line holds


def write_many_page_pdf(path: Path, lines: list[str], pages: int, *, footer: bool = True) -> Path:
    """``pages`` A4 pages, each holding ``lines`` (wrapped) and a ``— n —`` page number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _register_font()
    wrapped = [chunk for line in lines if line
               for chunk in (line[i:i + _LINE_CHARS] for i in range(0, len(line), _LINE_CHARS))]
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    width, height = A4
    for page in range(1, pages + 1):
        canvas.setFont(CJK_FONT, 14)
        y = height - 100
        for line in wrapped:
            canvas.drawString(80, y, line)
            y -= 24
        if footer:
            canvas.drawCentredString(width / 2, 50, f"— {page} —")
        canvas.showPage()
    canvas.save()
    return Path(path)


def write_many_paragraph_docx(path: Path, lines: list[str], paragraphs: int) -> Path:
    """A DOCX whose body holds ``lines`` then ``paragraphs`` paragraphs of shuffled words.

    The filler is drawn at random from the words of ``lines`` so that it deflates like real
    prose (a few times), not like one sentence repeated (hundreds of times, which a loader
    rightly treats as a zip bomb).
    """
    import docx

    seed = io.BytesIO()
    docx.Document().save(seed)
    rng = random.Random(50_000)
    texts = [line for line in lines if line]
    # no brackets or colons: random ones make thousands of would-be 〔责任单位：…〕 notes, a path
    # with its own test (test_roles.py::test_stray_brackets_cost_work_in_proportion_to_the_text);
    # this case is about volume
    pool = sorted(set("".join(texts)) - set("\n（）〔〕()：:"))
    filler = ["".join(rng.choice(pool) for _ in range(rng.randrange(20, 80))) + "。"
              for _ in range(paragraphs)]
    body = "".join(
        f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:p>"
        for text in texts + filler
    )
    document_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = document_xml.encode() if info.filename == "word/document.xml" else src.read(info)
            dst.writestr(info.filename, data)
    Path(path).write_bytes(out.getvalue())
    return Path(path)


def write_lying_zip_bomb_docx(path: Path, expanded_mb: int = 128, claimed: int = 4096) -> Path:
    """A .docx whose document.xml inflates to ``expanded_mb`` MiB but whose headers (local and
    central directory) claim only ``claimed`` bytes: size checks on the headers pass, so the
    reader itself must stop at the claimed size (and then fail the CRC)."""
    import struct

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w", force_zip64=False) as member:
            member.write(b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>')
            chunk = b" " * (1 << 20)
            for _ in range(expanded_mb):
                member.write(chunk)
            member.write(b"</w:body></w:document>")
    data = bytearray(buf.getvalue())
    name = b"word/document.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (i := data.find(signature, start)) >= 0:
            if data[i + name_at:i + name_at + len(name)] == name:
                struct.pack_into("<I", data, i + size_at, claimed)
            start = i + 4
    Path(path).write_bytes(bytes(data))
    return Path(path)
