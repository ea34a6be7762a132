"""A minimal PDF made of given objects, for tests that need a PDF shaped a particular way."""

from __future__ import annotations


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
