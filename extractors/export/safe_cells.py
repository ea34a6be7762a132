"""Make any text safe to put in a spreadsheet cell (xlsx or CSV).

Two dangers: formula injection (a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR
is run as a formula by Excel/WPS when the file is opened or the CSV imported), and characters
XML 1.0 forbids (PDF page joins ``\\f``, stray control bytes, lone surrogates) which make
openpyxl refuse the cell or Excel report the workbook as damaged.
"""

from __future__ import annotations

import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32767
TRUNCATION_NOTE = "…（全文见来源定位）"

# \t \n \r are legal in XML; every other C0 control, lone surrogates and U+FFFE/U+FFFF are not
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_cell_text(value: str) -> str:
    """Drop characters a workbook cannot hold; a form feed (PDF page join) becomes a line break."""
    return _ILLEGAL.sub("", value.replace("\x0c", "\n"))


def neutralise(value: str) -> str:
    """Prefix ``'`` when the text would otherwise be read as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def safe_cell(value: str | None, limit: int = EXCEL_CELL_LIMIT) -> str:
    """Clean, neutralised text that fits one cell (long texts end with a pointer to the source)."""
    if not value:
        return ""
    text = neutralise(clean_cell_text(value))
    if len(text) > limit:
        text = text[: limit - len(TRUNCATION_NOTE)] + TRUNCATION_NOTE
    return text
