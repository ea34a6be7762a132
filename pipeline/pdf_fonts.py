"""The font pdfium measures unembedded CJK text with: a stand-in, not the system's CJK font.

A PDF may name a CJK font without embedding it (reportlab's STSong-Light, older exports'
SimSun). pdfium then borrows a system font to place each glyph, and with Noto CJK installed
(OpenType, CFF outlines) it runs every glyph's outline program twice, once to load the page and
once for its text page, and that outline work (FreeType's CFF interpreter, called from
``CPDF_TextObject::CalcPositionData`` and ``CPDF_TextPage::ProcessTextObject``) is most of what
reading such a PDF costs. Reading the text needs no outline: the characters come from the PDF's
CMaps and their advances from its width arrays. So taizhang lends pdfium a stand-in for CJK
fonts (``fonts/cjk_stand_in.ttf``), whose one glyph is the em box: a character's box becomes
the cell it is set in. pdfium then reads such a PDF about ten times faster and the whole ingest
about twice as fast (``bench.run --only pdf`` measures both), with the same text
(``tests/pipeline/test_pdf_fonts.py`` compares both on the PDF fixtures). Lending no font at
all is not an option: pdfium then gives CJK characters zero-height boxes and drops some of
them.

Fonts that are embedded (what WPS and Word export) are untouched, and so are substitutes for
non-CJK fonts: those requests go to pdfium's own font finder. pdfium has one font mapper per
process, so the hook is installed once, on first use; ``use_cjk_stand_in`` then only decides
what the CJK requests get, for every document opened after it.
"""

from __future__ import annotations

import ctypes
import threading
from importlib import resources

import pypdfium2.raw as pdfium_c

_CJK_CHARSETS = frozenset({
    pdfium_c.FXFONT_GB2312_CHARSET, pdfium_c.FXFONT_CHINESEBIG5_CHARSET,
    pdfium_c.FXFONT_SHIFTJIS_CHARSET, pdfium_c.FXFONT_HANGEUL_CHARSET,
})
_FACE_NAME = b"TaizhangCJKStandIn\0"


class _Hook:
    lock = threading.Lock()
    installed = False
    enabled = False
    lent = 0  # CJK fonts answered with the stand-in in this process (tests read it)
    keep_alive: tuple = ()  # the struct, its callbacks, the font bytes and pdfium's own finder


def use_cjk_stand_in(enabled: bool = True) -> None:
    """From now on, in this process, lend pdfium the stand-in (True) or let it use the system's
    CJK fonts (False) for documents opened after this call."""
    with _Hook.lock:
        if enabled and not _Hook.installed:
            _Hook.installed = _install()
        _Hook.enabled = enabled


def cjk_stand_in_enabled() -> bool:
    """What the last ``use_cjk_stand_in`` chose (False before any call)."""
    return _Hook.enabled


def cjk_stand_ins_lent() -> int:
    """How many CJK fonts this process has measured with the stand-in so far."""
    return _Hook.lent


def _install() -> bool:
    system = pdfium_c.FPDF_GetDefaultSystemFontInfo()
    if not system:  # a pdfium build without a font finder: nothing to stand in for
        return False
    own = system.contents
    data = resources.files("pipeline.fonts").joinpath("cjk_stand_in.ttf").read_bytes()
    font = ctypes.create_string_buffer(data, len(data))
    handle = ctypes.addressof(font)  # never a handle pdfium's finder gives out
    kinds = dict(pdfium_c.FPDF_SYSFONTINFO._fields_)

    def release(_this):
        pass  # pdfium's finder lives as long as the process

    def enum_fonts(_this, mapper):
        own.EnumFonts(system, mapper)

    def map_font(_this, weight, italic, charset, pitch_family, face, exact):
        if _Hook.enabled and charset in _CJK_CHARSETS:
            _Hook.lent += 1
            return handle
        return own.MapFont(system, weight, italic, charset, pitch_family, face, exact)

    def get_font(_this, face):
        return own.GetFont(system, face)

    def get_font_data(_this, font_handle, table, buffer, size):
        if font_handle != handle:
            return own.GetFontData(system, font_handle, table, buffer, size)
        if table != 0:  # a single table (pdfium asks for 'ttcf'): the stand-in is not a collection
            return 0
        if buffer and size >= len(data):
            ctypes.memmove(buffer, font, len(data))
        return len(data)

    def get_face_name(_this, font_handle, buffer, size):
        if font_handle != handle:
            return own.GetFaceName(system, font_handle, buffer, size)
        if buffer and size >= len(_FACE_NAME):
            ctypes.memmove(buffer, _FACE_NAME, len(_FACE_NAME))
        return len(_FACE_NAME)

    def get_font_charset(_this, font_handle):
        if font_handle != handle:
            return own.GetFontCharset(system, font_handle)
        return pdfium_c.FXFONT_GB2312_CHARSET

    def delete_font(_this, font_handle):
        if font_handle != handle:
            own.DeleteFont(system, font_handle)

    hook = pdfium_c.FPDF_SYSFONTINFO()
    hook.version = 1
    callbacks = []
    for name, fn in (("Release", release), ("EnumFonts", enum_fonts), ("MapFont", map_font),
                     ("GetFont", get_font), ("GetFontData", get_font_data),
                     ("GetFaceName", get_face_name), ("GetFontCharset", get_font_charset),
                     ("DeleteFont", delete_font)):
        callbacks.append(kinds[name](fn))
        setattr(hook, name, callbacks[-1])
    _Hook.keep_alive = (hook, callbacks, font, system)
    pdfium_c.FPDF_SetSystemFontInfo(ctypes.byref(hook))
    return True
