"""The PDFs the bench reads: the corpus as text-layer PDFs (reportlab, an unembedded CID font,
pdfium's slowest case) and, where LibreOffice and a CJK font exist, with an embedded font subset
as WPS and Word export them.
"""

from __future__ import annotations

from pathlib import Path

from bench.measure import corpus_files


def write_corpus_pdfs(folder: Path, tiny: bool = False) -> int:
    """Each corpus document as a GB/T 9704-style text-layer PDF (reportlab, CID font)."""
    from pypdfium2 import PdfDocument

    from tests.fixtures.make_docs import write_pdf

    folder.mkdir(parents=True, exist_ok=True)
    pages = 0
    for path in corpus_files()[:2 if tiny else None]:
        target = folder / f"{path.stem}.pdf"
        if not target.exists():
            paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
            write_pdf(paragraphs, target)
        pdf = PdfDocument(str(target))
        pages += len(pdf)
        pdf.close()
    return pages


def write_embedded_font_pdfs(folder: Path, tiny: bool = False) -> int | None:
    """Each corpus document as a PDF with an embedded CJK font subset and a ToUnicode map, as
    WPS/Word exports are: a LibreOffice Calc export (the office program this machine has) of one
    wrapped 14 pt cell per paragraph, asking for Noto Serif CJK SC (fontconfig picks the face it
    embeds; ``step_pdf`` reads the name back). None without soffice or a Noto CJK font."""
    import shutil
    import subprocess
    from xml.sax.saxutils import escape

    from pypdfium2 import PdfDocument

    soffice = shutil.which("soffice")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                           check=False).stdout if shutil.which("fc-list") else ""
    if not soffice or "Noto Serif CJK SC" not in fonts:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    todo = []
    for path in corpus_files()[:2 if tiny else None]:
        if not (folder / f"{path.stem}.pdf").exists():
            rows = "".join(
                '<table:table-row><table:table-cell table:style-name="body" office:value-type="string">'
                f"<text:p>{escape(line)}</text:p></table:table-cell></table:table-row>"
                for line in path.read_text(encoding="utf-8").split("\n") if line.strip())
            (folder / f"{path.stem}.fods").write_text(_FODS.format(rows=rows), encoding="utf-8")
            todo.append(str(folder / f"{path.stem}.fods"))
    if todo:
        profile = (folder / ".lo-profile").resolve().as_uri()  # its own: other soffice runs may be up
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder), *todo], capture_output=True, check=True, timeout=600)
    pages = 0
    for path in sorted(folder.glob("*.pdf")):
        pdf = PdfDocument(str(path))
        pages += len(pdf)
        pdf.close()
    return pages or None


_FODS = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:automatic-styles>
<style:style style:name="co1" style:family="table-column">
<style:table-column-properties style:column-width="15.6cm"/></style:style>
<style:style style:name="body" style:family="table-cell"><style:table-cell-properties fo:wrap-option="wrap"/>
<style:text-properties style:font-name="Noto Serif CJK SC" style:font-name-asian="Noto Serif CJK SC"
 fo:font-size="14pt" style:font-size-asian="14pt"/></style:style></office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="Sheet1"><table:table-column table:style-name="co1"/>
{rows}</table:table></office:spreadsheet></office:body></office:document>
"""


def font_of(path: Path) -> str:
    """The base font name most of the first page's text is drawn with (embedded or not)."""
    import ctypes
    from collections import Counter

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    names: Counter = Counter()
    for obj in pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        buf = ctypes.create_string_buffer(256)
        pdfium_c.FPDFFont_GetBaseFontName(font, buf, 256)
        names[(buf.value.decode("latin-1"), bool(pdfium_c.FPDFFont_GetIsEmbedded(font)))] += 1
    pdf.close()
    (name, embedded), _ = names.most_common(1)[0]
    return f"{name} ({'embedded' if embedded else 'not embedded'})"
