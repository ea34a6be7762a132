"""One error hierarchy for the whole product.

Every message names the file (and page or line when known), what failed, and what to do next,
so a secretariat member can act on it without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pipeline.messages import message


class TaizhangError(Exception):
    """Base class. ``code`` is stable and documented; the message is for humans."""

    code = "E000"

    def __init__(self, path: str | Path | None, reason: str, hint: str = "") -> None:
        self.path = str(path) if path is not None else None
        self.reason = reason
        self.hint = hint
        super().__init__(self.message)

    @classmethod
    def because(cls, path: str | Path | None, key: str, **values: object) -> Self:
        """The error whose reason and hint are entry ``key`` of ``messages.yaml``, in Chinese,
        filled with ``values``. The entry's code must be this class's: a mismatch is a bug."""
        entry = message(key)
        if entry.code != cls.code:
            raise ValueError(f"message {key!r} is {entry.code}, raised as {cls.__name__} ({cls.code})")
        reason, hint = entry.filled(values)
        return cls(path, reason, hint)

    @property
    def message(self) -> str:
        where = f"{self.path}: " if self.path else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"[{self.code}] {where}{self.reason}{tail}"


class UnsupportedFormatError(TaizhangError):
    code = "E101"


class EmptyDocumentError(TaizhangError):
    code = "E102"


class EncodingError(TaizhangError):
    code = "E103"


class CorruptFileError(TaizhangError):
    """Truncated, not what its extension claims, or unreadable by the format's library."""

    code = "E104"


class EncryptedFileError(TaizhangError):
    code = "E105"


class NeedsOCRError(TaizhangError):
    """Pages with no text layer, only images. ``pages`` lists them (1-based)."""

    code = "E106"

    def __init__(self, path: str | Path | None, pages: list[int], total_pages: int) -> None:
        self.pages = pages
        self.total_pages = total_pages
        shown = "、".join(str(p) for p in pages[:20]) + (" …" if len(pages) > 20 else "")
        reason, hint = message("pdf_needs_ocr").filled({"total": total_pages, "count": len(pages), "pages": shown})
        super().__init__(path, reason, hint)


class FileTooLargeError(TaizhangError):
    code = "E107"


class ResourceLimitError(TaizhangError):
    """A file that would cost unbounded memory or time (zip bomb, absurd page count)."""

    code = "E108"


class LinkOutsideError(TaizhangError):
    """A symbolic link in a documents folder that points outside it (passwd.txt → /etc/passwd):
    never followed, so nothing outside the documents is read or served."""

    code = "E109"


class InternalError(TaizhangError):
    """Not the file's fault: a bug met while reading or extracting it (the batch goes on)."""

    code = "E900"


class LexiconError(TaizhangError):
    code = "E201"


class RegistryError(TaizhangError):
    code = "E301"


class IndexNotBuiltError(TaizhangError):
    code = "E401"


class ModelNotAvailableError(TaizhangError):
    code = "E402"


class WorkbookImportError(TaizhangError):
    """A workbook handed to ``taizhang import`` that cannot be read back: not one taizhang wrote,
    written by another registry, an edited header, a formula where a value belongs. The reason
    names the sheet, row and column."""

    code = "E501"


class LedgerRequestError(TaizhangError):
    """A correction, report or template asked for something the ledger does not hold: an
    unknown task, unit, field or status, or a date that is not one."""

    code = "E502"
