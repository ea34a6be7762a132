"""Writes ``cjk_stand_in.ttf``: one square glyph for every code point, and nothing else.

pdfium needs a font for every unembedded font it meets, if only to measure where each glyph
sits; the stand-in is what taizhang lends it for CJK ones (see ``pipeline/pdf_fonts.py``).
The glyph is the em box, baseline at 12 % of it (the ascent and descent of common CJK fonts),
so a character's box is the cell it is set in. One cmap format-13 subtable maps whole ranges
to that glyph, which keeps the file under a kilobyte.

Run ``python -m pipeline.fonts.make_cjk_stand_in`` after changing it; a test checks that the
shipped file is what this script writes. Needs fontTools (a test dependency, not a runtime one).
"""

from __future__ import annotations

import io
from pathlib import Path

FONT_PATH = Path(__file__).with_name("cjk_stand_in.ttf")
FAMILY = "TaizhangCJKStandIn"
EM = 1000
ASCENT, DESCENT = 880, -120


def build() -> bytes:
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    builder = FontBuilder(EM, isTTF=True)
    builder.setupGlyphOrder([".notdef", "cell"])
    builder.setupCharacterMap({})
    pen = TTGlyphPen(None)
    empty = pen.glyph()
    pen = TTGlyphPen(None)
    for point in ((0, DESCENT), (0, ASCENT), (EM, ASCENT), (EM, DESCENT)):
        (pen.lineTo if pen.points else pen.moveTo)(point)
    pen.closePath()
    builder.setupGlyf({".notdef": empty, "cell": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (EM, 0), "cell": (EM, 0)})
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular"})
    # code pages: Latin 1, JIS, GB2312, Korean Wansung, Big5 (OS/2 ulCodePageRange1 bits)
    code_pages = sum(1 << bit for bit in (0, 17, 18, 19, 20))
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, usWinAscent=ASCENT,
                     usWinDescent=-DESCENT, ulCodePageRange1=code_pages)
    builder.setupPost()
    font = builder.font
    # FreeType prefers a UCS-4 (3, 10) subtable when it selects a Unicode charmap
    table = CmapSubtable.newSubtable(13)
    table.platformID, table.platEncID, table.language = 3, 10, 0
    table.cmap = {cp: "cell" for cp in range(0x20, 0x110000) if not 0xD800 <= cp < 0xE000}
    font["cmap"].tables = [table]
    font.recalcTimestamp = False
    font["head"].created = font["head"].modified = 0  # the same bytes on every run
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


if __name__ == "__main__":
    FONT_PATH.write_bytes(build())
    print(f"wrote {FONT_PATH} ({FONT_PATH.stat().st_size} bytes)")
