"""A minimal PDF made of given objects, for tests that need a PDF shaped a particular way."""

from __future__ import annotations

from pathlib import Path


def pdf_of_objects(objects: list[bytes]) -> bytes:
    """A PDF with a correct cross-reference table around ``objects`` (numbered from 1)."""
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def write_circular_pdf(path: Path) -> Path:
    """Ruled lines (a table candidate) and a form XObject that draws itself: pdfminer refuses the
    circular reference, and the text layer still reads "Table of measures"."""
    rules = b"".join(b"50 %d m 500 %d l S " % (700 - 20 * i, 700 - 20 * i) for i in range(30))
    content = b"BT /F1 12 Tf 50 750 Td (Table of measures) Tj ET " + rules + b"/X1 Do"
    form = b"/X1 Do"
    path.write_bytes(pdf_of_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font "
        b"<< /F1 6 0 R >> /XObject << /X1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X1 5 0 R >> >> "
        b"/Length %d >>\nstream\n%s\nendstream" % (len(form), form),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))
    return path


def write_mixed_pdf(text_pdf: Path, scanned_pdf: Path, out: Path) -> Path:
    """The pages of ``text_pdf`` followed by those of ``scanned_pdf`` (no text layer), as one PDF."""
    import pypdfium2 as pdfium

    merged = pdfium.PdfDocument.new()
    merged.import_pages(pdfium.PdfDocument(str(text_pdf)))
    merged.import_pages(pdfium.PdfDocument(str(scanned_pdf)))
    merged.save(str(out))
    return out
