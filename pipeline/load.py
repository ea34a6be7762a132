"""Read a policy document from disk into a ``RawDocument``, whatever its format.

The format is decided by the bytes first and the extension second: government sites often
serve a PDF as ``.doc``, an HTML error page as ``.pdf``, or a Word file with no extension at all.
A file whose content is a format we read is loaded as that format (with a warning when the
extension says otherwise); a file whose content contradicts its extension and is not readable
raises an error naming both.

Every failure is a ``TaizhangError`` subclass whose message names the file, the reason and
what to do, so a batch run can report it in one line and go on with the next file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pipeline.errors import (
    CorruptFileError,
    LinkOutsideError,
    EmptyDocumentError,
    FileTooLargeError,
    TaizhangError,
    UnsupportedFormatError,
)
from pipeline.messages import warning
from pipeline.model import RawDocument, SourceFormat
from pipeline.settings import Settings

EXTENSIONS: dict[str, SourceFormat] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
}
# what a folder holds that we try to read; legacy .doc/.wps are listed so the user hears why not
DOCUMENT_SUFFIXES = frozenset({*EXTENSIONS, ".doc", ".wps"})


def find_files(paths: Iterable[Path]) -> tuple[list[Path], list[LinkOutsideError]]:
    """Files named directly (each once, in order; a missing one too, for the loader to report),
    plus the documents found in folders, recursively and in name order. Hidden files and folders
    and Office lock files (~$…) are skipped. A link inside a folder that leads out of it is
    refused, not followed: its error comes back beside the files."""
    files: dict[Path, Path] = {}
    refused: list[LinkOutsideError] = []
    for path in map(Path, paths):
        if path.is_dir():
            root = path.resolve()
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if not (child.is_file() and child.suffix.lower() in DOCUMENT_SUFFIXES) \
                        or any(p.startswith((".", "~$")) for p in rel):
                    continue
                target = child.resolve()
                if not target.is_relative_to(root):
                    refused.append(LinkOutsideError.because(child, "link_outside"))
                    continue
                files.setdefault(target, child)
        else:
            files.setdefault(path.resolve(), path)
    return list(files.values()), refused


# What a user calls each format we read, in the warning for a file whose content is another format
FORMAT_NAMES: dict[str, str] = {"pdf": "PDF", "docx": "Word 文档", "html": "网页", "txt": "纯文本", "md": "纯文本"}
# Portals often serve a PDF, a .docx or an HTML export under these names; the real thing loads.
MISLABELLED_EXTENSIONS = frozenset({".doc", ".wps", ".aspx", ".jsp", ".php", ".do"})

Sniffed = Literal["pdf", "docx", "html", "zip", "ole", "rtf", "image", "text"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .wps / .xls
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")
_HTML_OPENERS = (b"<!doctype html", b"<html", b"<?xml")


def sniff(head: bytes) -> Sniffed:
    """What the first bytes of a file say it is, regardless of its name."""
    # The PDF spec lets readers accept junk before the header; 1 KiB is what Acrobat allows.
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # which kind of zip needs the central directory: see ``zip_kind``
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    probe = head[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith(_HTML_OPENERS[:2]) or (probe.startswith(b"<?xml") and b"<html" in probe):
        return "html"
    return "text"


def zip_kind(data: bytes) -> Sniffed:
    """'docx' for a zip holding word/document.xml, else 'zip' (xlsx, odt, a plain archive…)."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"  # a broken zip named .docx is reported by the DOCX loader
    return "docx" if "word/document.xml" in names else "zip"


def _decide_format(path: Path, ext_format: SourceFormat | None, sniffed: Sniffed) -> SourceFormat:
    supported = ", ".join(sorted(EXTENSIONS))
    if sniffed == "ole":
        raise UnsupportedFormatError.because(path, "legacy_office")  # an OLE2 container
    if sniffed == "rtf":
        raise UnsupportedFormatError.because(path, "rtf")
    if sniffed == "image":
        raise UnsupportedFormatError.because(path, "image")
    if ext_format is None and path.suffix.lower() in MISLABELLED_EXTENSIONS:
        if sniffed in ("pdf", "docx", "html"):
            return sniffed
    if ext_format is None:
        kind = path.suffix or "无扩展名"
        looks = {"pdf": ("PDF", ".pdf"), "docx": ("Word 文档", ".docx"), "html": ("网页", ".html")}.get(sniffed)
        if looks:
            raise UnsupportedFormatError.because(path, "unsupported_type_looks_like", kind=kind,
                                                 looks=looks[0], extension=looks[1])
        raise UnsupportedFormatError.because(path, "unsupported_type", kind=kind, supported=supported)
    if sniffed in ("pdf", "docx", "html"):
        return sniffed
    if sniffed == "zip":
        if ext_format == "docx":
            return "docx"  # the DOCX loader says precisely what is missing inside the zip
        raise UnsupportedFormatError.because(path, "zip_archive")
    # Plain bytes: trust the extension, but a binary format must announce itself.
    if ext_format == "pdf":
        raise CorruptFileError.because(path, "pdf_without_header")
    if ext_format == "docx":
        raise CorruptFileError.because(path, "docx_not_zip")
    return ext_format


def _unreadable(path: Path, exc: OSError) -> TaizhangError:
    return TaizhangError.because(path, "unreadable", why=exc.strerror)


def file_sha256(path: Path) -> str:
    """The file's content hash, read in 1 MB pieces (a build hashes every file before deciding
    what to parse; an imported workbook is named by it)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_bytes(path: Path, settings: Settings) -> bytes:
    """The file's bytes, after the size checks that must happen before reading it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise TaizhangError.because(path, "not_found") from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if path.is_dir():
        raise UnsupportedFormatError.because(path, "is_folder")
    if size == 0:
        raise EmptyDocumentError.because(path, "empty_file")
    if size > settings.max_file_bytes:
        raise FileTooLargeError.because(path, "file_too_large", size=size, limit=settings.max_file_bytes)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from None


def load_file(
    path: Path, settings: Settings | None = None, *, encoding: str | None = None
) -> RawDocument:
    """Load one document into a ``RawDocument``.

    Args:
        path: a .txt/.md/.docx/.pdf/.html file.
        settings: limits (``max_file_bytes``, ``max_pdf_pages``); default ``Settings()``.
        encoding: force the codec of a .txt/.md file (e.g. ``"gb18030"``) when detection is unsure;
            ignored for other formats.

    Raises:
        TaizhangError: a subclass saying what is wrong with this file and what to do.
    """
    path = Path(path)
    settings = settings or Settings()
    data = read_bytes(path, settings)
    ext_format = EXTENSIONS.get(path.suffix.lower())
    sniffed = sniff(data[:2048])
    if sniffed == "zip":
        sniffed = zip_kind(data)
    fmt = _decide_format(path, ext_format, sniffed)
    warnings: list[str] = []
    if fmt != ext_format and {fmt, ext_format} != {"txt", "md"}:
        warnings.append(warning("content_not_extension", name=path.name, suffix=path.suffix or "（无）",
                                looks=FORMAT_NAMES[fmt]))
    sha = hashlib.sha256(data).hexdigest()

    if fmt in ("txt", "md"):
        from pipeline.load_text import load_text

        if len(data) // 4 > settings.max_text_chars:  # no encoding spends more than 4 bytes a character
            _refuse_long_text(path, len(data) // 4, settings, at_least=True)

        doc = load_text(path, data, fmt=fmt, sha256=sha, encoding=encoding)
    elif fmt == "docx":
        from pipeline.load_docx import load_docx

        doc = load_docx(path, data, sha256=sha)
    elif fmt == "pdf":
        from pipeline.load_pdf import load_pdf

        doc = load_pdf(path, data, sha256=sha, settings=settings)
    else:
        from pipeline.load_html import load_html

        doc = load_html(path, data, sha256=sha)

    if not doc.text.strip():
        raise EmptyDocumentError.because(path, "no_text")
    if len(doc.text) > settings.max_text_chars:
        _refuse_long_text(path, len(doc.text), settings)
    if warnings:
        doc = doc.model_copy(update={"warnings": tuple(warnings) + doc.warnings})
    return doc


def _refuse_long_text(path: Path, chars: int, settings: Settings, at_least: bool = False) -> None:
    """The text of ``path`` is too long to structure within bounded memory: say so and how to go on."""
    raise FileTooLargeError.because(path, "text_too_long", at_least="至少" if at_least else "", chars=chars,
                                    limit=settings.max_text_chars)
