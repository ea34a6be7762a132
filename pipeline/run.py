"""Compose the stages: load → clean → metadata → segment, for one file or a batch.

Metadata comes from the corpus manifest when the file sits next to a ``manifest.json`` that
lists it; otherwise it is read from the document's own title block (title, 发文字号, date,
status). ``doc_id`` is the manifest's, else ``<stem>-<sha256[:8]>``: stable between runs and
unique across files with the same name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.chinese import cn_to_int
from pipeline.errors import TaizhangError
from pipeline.load import find_files, load_file
from pipeline.manifest import Manifest, load_manifest
from pipeline.messages import warning
from pipeline.model import CleanText, Document, DocumentMeta, RawDocument
from pipeline.normalize import clean
from pipeline.rules.classify import match_heading
from pipeline.rules import meta_rules
from pipeline.segment import paragraphs_of, segment
from pipeline.settings import Settings
from pipeline.text_tables import ROW_NUMBER

_TITLE_BLOCK = 15  # paragraphs at the top where title, 文号, date and status are looked for
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff“”《》])\s+(?=[\u4e00-\u9fff“”《》])")


def parse_file(path: Path, meta: DocumentMeta | None = None, settings: Settings | None = None) -> Document:
    """Parse one document. Raises a ``TaizhangError`` subclass when it cannot be read."""
    path = Path(path)
    raw = load_file(path, settings or Settings())
    cleaned = clean(raw)
    warnings: tuple[str, ...] = ()
    if meta is None:
        meta, warnings = _manifest_meta(path, raw, load_manifest(path.parent))
    if meta is None:
        meta = derive_meta(cleaned, raw, default_doc_id(path, raw.sha256))
    meta = DocumentMeta.model_validate(meta.model_dump(include=set(DocumentMeta.model_fields)))
    doc = segment(cleaned, raw, meta)
    return doc.model_copy(update={"warnings": doc.warnings + warnings}) if warnings else doc


def parse_paths(paths: Iterable[Path], settings: Settings | None = None) -> Iterator[tuple[Path, Document | TaizhangError]]:
    """Parse files and folders (recursively, in name order); each failure is yielded, not raised."""
    settings = settings or Settings()
    manifests: dict[Path, Manifest] = {}
    files, refused = find_files(paths)
    for error in refused:
        yield Path(error.path or ""), error
    for path in files:
        try:
            folder = path.parent
            if folder not in manifests:  # its problems are the caller's to print, once
                manifests[folder] = load_manifest(folder)
            raw_meta = manifests[folder].for_file(path)
            doc = parse_file(path, meta=raw_meta, settings=settings)
            if raw_meta is not None and raw_meta.sha256 and raw_meta.sha256 != doc.raw_sha256:
                doc = doc.model_copy(update={"warnings": doc.warnings + (_stale(path),)})
            yield path, doc
        except TaizhangError as exc:
            yield path, exc
        except Exception as exc:  # a bug must not stop a batch of 500 files; it is reported per file
            error = TaizhangError.because(path, "parse_crashed", detail=f"{type(exc).__name__}: {exc}")
            error.__cause__ = exc
            yield path, error


def default_doc_id(path: Path, sha256: str) -> str:
    return f"{Path(path).stem}-{sha256[:8]}"


def _stale(path: Path) -> str:
    return warning("manifest_stale", name=path.name)


def _manifest_meta(path: Path, raw: RawDocument, manifest: Manifest) -> tuple[DocumentMeta | None, tuple[str, ...]]:
    entry = manifest.for_file(path)
    if entry is None:
        return None, ()
    warnings = (_stale(path),) if entry.sha256 and entry.sha256 != raw.sha256 else ()
    return entry, warnings


# --------------------------------------------------------------------------------------------
# Metadata from content


def derive_meta(cleaned: CleanText, raw: RawDocument, doc_id: str) -> DocumentMeta:
    """Title, 发文字号, date, status and type read from the document's title block and ending."""
    text = cleaned.text
    paras = [text[a:b] for a, b in paragraphs_of(text)]
    head = _title_block(paras)
    rules = meta_rules()
    doc_number = _first(rules.doc_number[0].regex, (p for p in head if len(p) <= 40), "number")
    date, date_note = _find_date(paras, [*range(len(head)), *range(max(len(head), len(paras) - 10), len(paras))])
    signature = _signature_anywhere(paras)
    if date is None and signature is not None:
        date, date_note = _find_date(paras, [signature + 1])  # signed above its 附件
    title, doc_type = _find_title(head)
    status = "未知"
    for rule, value in zip(rules.status, ("征求意见稿", "代拟稿", "送审稿", "试行")):
        if any(rule.regex.search(p) for p in head):
            status = value
            break
    else:
        if doc_number:
            status = "正式"
    # the title's own words first: joint issuers (工业和信息化部 国家发展改革委关于…) sign on two lines
    issuer = _issuer_in_title(head) or next((p for p in head if rules.issuer[0].regex.search(p) and p != title), None)
    issuer = (issuer or _colophon_issuer(paras[-12:])
              or (paras[signature].strip() if signature is not None else None) or _issuer_by_number(doc_number))
    return DocumentMeta(
        doc_id=doc_id,
        title=title or Path(raw.path).stem,
        issuer=issuer,
        date=date,
        date_note=date_note,
        doc_type=doc_type,
        doc_number=doc_number,
        status=status,
        original_file=Path(raw.path).name,
        sha256=raw.sha256,
    )


def _colophon_issuer(tail: list[str]) -> str | None:
    """The organ the colophon's 印发 line names (山东省人民政府办公厅2020年12月10日印发)."""
    rules = meta_rules()
    lines = [p.strip() for p in tail]
    for rule in rules.issuer_signature:
        for line in lines:
            m = rule.regex.search(line)
            if m:
                return m.group("issuer")
    return None


def _signature_anywhere(paras: list[str]) -> int | None:
    """The paragraph of a body's name just above a date line, wherever it stands: a notice signed
    above the 附件 it issues."""
    rules = meta_rules()
    found = None
    for i in range(len(paras) - 1):
        line, after = paras[i].strip(), paras[i + 1].strip()
        if (rules.issuer[0].regex.search(line) and any(r.regex.search(after) for r in rules.date)
                and not _in_flattened_table(paras, i + 1)):
            found = i  # the last one: a cover letter's signature comes after any quoted date line
    return found


def _issuer_in_title(head: list[str]) -> str | None:
    for p in head:
        for rule in meta_rules().issuer_in_title:
            m = rule.regex.search(re.sub(r"\s+", " ", p.strip()))
            if m:
                return m.group("issuer")
    return None


def _issuer_by_number(doc_number: str | None) -> str | None:
    return next((r.description for r in meta_rules().issuer_by_number
                 if doc_number and r.regex.search(doc_number)), None)


def _title_block(paras: list[str]) -> list[str]:
    head: list[str] = []
    for p in paras[:_TITLE_BLOCK]:
        found = match_heading(p)
        if found is not None and found[0].role == "ladder":
            break
        head.append(p)
    return head


def _first(regex: re.Pattern[str], texts: Iterable[str], group: str) -> str | None:
    for t in texts:
        m = regex.search(t)
        if m:
            return re.sub(r"\s+", "", m.group(group))
    return None


def _in_flattened_table(paras: list[str], i: int) -> bool:
    """A cell of a table copied one cell per line: a bare row number stands a few lines above it
    (序号 1 … 2024年12月 is a 完成时限, not the date the document was signed)."""
    return any(ROW_NUMBER.match(p.strip()) for p in paras[max(0, i - 6) : i])


def _find_date(paras: list[str], where: list[int]) -> tuple[dt.date | None, str | None]:
    """The first date line among the paragraphs numbered ``where``."""
    for i in where:
        p = paras[i]
        if _in_flattened_table(paras, i):
            continue
        for rule in meta_rules().date:
            m = rule.regex.search(p.strip())
            if not m:
                continue
            year, month = cn_to_int(m.group("y")), cn_to_int(m.group("m"))
            day = cn_to_int(m.group("d")) if m.group("d") else None
            try:
                return dt.date(year or 0, month or 0, day or 1), None if day else "month only; day set to 1"
            except ValueError:
                continue
    return None, None


def _find_title(head: list[str]) -> tuple[str | None, str | None]:
    rules = meta_rules()
    for p in head:
        compact = _CJK_SPACE.sub("", p.strip())
        forwarded = rules.forwarding_title[0].regex.search(compact)
        if forwarded:
            inner = forwarded.group("inner")
            m = rules.title_end[0].regex.search(inner)
            return inner, m.group("type") if m else None
        m = rules.title_end[0].regex.search(compact)
        if m and len(compact) <= 80 and not any(ch in compact for ch in "，。；："):
            title = compact[: m.start()] + m.group("type")
            return title, m.group("type")
    return None, None
