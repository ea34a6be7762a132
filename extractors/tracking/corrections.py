"""A person's edits of an exported 任务分工表, as corrections: what changed, against what.

Only cells that differ from what taizhang exported in that very file become corrections (the
file's hidden snapshot says what that was), so a file exported before a rebuild and imported
after it does not turn the rebuild's own changes into human edits. An edit equal to the latest
correction of the same field is not stored again: importing a file twice changes nothing.

Both sheets a person edits are read: 任务分工表, and 未分工措施 (the measures of documents that
name no unit, with 牵头单位 and 配合单位／责任单位 columns to fill in). Five kinds of edit: a
changed 牵头单位, a unit added to (or removed from) 配合单位 or 责任单位, a fixed or added 完成时限, 非任务 written in 校核, and a row added at the bottom with 文件 and
具体措施 (its source found in the document: a 来源 locator, or the measure's words quoted).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


from pipeline.errors import WorkbookImportError
from pipeline.model import Document, Span, Task

from extractors.export.ledger import Ledger
from extractors.tracking.apply import (
    EDITABLE_FIELDS,
    TrackedLedger,
    document_units,
    innermost_section,
    latest_per_field,
    same_value,
    with_field,
)
from extractors.tracking.model import MERGE_MARK, NOT_A_TASK_MARK, Correction, Origin
from extractors.tracking.workbook_in import FIELD_HEADERS, EditableCells, LedgerRow, LedgerWorkbook
from extractors.tracking.workbook_out import CHECK_HEADER, LOCATOR


_MERGE = re.compile(MERGE_MARK + r"\s*(?:第|序号)?\s*([^\s，。；,;]+?)(?:行|号)?(?=$|[\s，。；,;])")


@dataclass(frozen=True)
class WorkbookDiff:
    corrections: list[Correction]
    unchanged_rows: int
    skipped: list[str]  # edits already stored (a re-import), one line each


def _origin(book: LedgerWorkbook, sha: str, row: LedgerRow, header: str) -> Origin:
    return Origin(file=book.path.name, file_sha256=sha, sheet=row.sheet, row=row.row,
                  column=f"{header}({book.column_letter(row, header)})")


def diff_workbook(book: LedgerWorkbook, sha: str, tracked: TrackedLedger,
                  extracted: Mapping[str, Task], existing: Sequence[Correction],
                  document: Callable[[str], Document | None], now: dt.datetime) -> WorkbookDiff:
    """The corrections ``book`` holds that the registry does not hold yet.

    extracted: task_id → the task as extracted now (added tasks included).
    """
    latest = latest_per_field(existing)
    added_ids = {c.task_id for c in existing if c.field == "add_task"}
    titles = {d.meta.title: d.meta.doc_id for d in tracked.ledger.documents}
    titles |= {d.meta.doc_id: d.meta.doc_id for d in tracked.ledger.documents}
    out: list[Correction] = []
    skipped: list[str] = []
    unchanged = 0
    for row in book.rows:
        if not row.task_id:
            added = _added_task(book, row, sha, tracked.ledger, titles, document, now)
            if added.task_id in added_ids:
                skipped.append(f"「{row.sheet}」第{row.row}行：新增任务已导入过")
            else:
                out.append(added)
                added_ids.add(added.task_id)
            continue
        snap = book.snapshot[row.task_id]
        task = extracted.get(row.task_id)
        edits = 0
        for name in (*EDITABLE_FIELDS, "not_a_task", "merge"):
            before, after = _before_after(snap.cells, row, name, book)
            if before is None:
                continue
            edits += 1
            previous = latest.get((row.task_id, name))
            if previous is not None and same_value(name, previous.after, after) \
                    and previous.source_text == snap.source_text:
                skipped.append(f"「{row.sheet}」第{row.row}行「{FIELD_HEADERS.get(name, CHECK_HEADER)}」：已导入过")
                continue
            header = FIELD_HEADERS.get(name, CHECK_HEADER)
            span = task.source if task is not None else None
            into = extracted.get(after) if name == "merge" else None  # the anchor of a 并入's target
            if into is not None and after in book.snapshot:  # its text as the person saw it
                into = into.model_copy(update={"text": book.snapshot[after].source_text})
            out.append(Correction(
                task_id=row.task_id, doc_id=task.doc_id if task else row.task_id.partition(":")[0],
                field=name, before=before, after=after, source_text=snap.source_text,
                char_start=span.char_start if span else 0, char_end=span.char_end if span else 0,
                origin=_origin(book, sha, row, header), created_at=now,
                task_json=into.model_dump_json() if into is not None else None,
            ))
        unchanged += edits == 0
    return WorkbookDiff(out, unchanged, skipped)


def _merge_target(book: LedgerWorkbook, row: LedgerRow) -> str | None:
    """The task_id a 校核 cell's 并入 N (序号 N of this sheet) or 并入 <任务ID> names."""
    found = _MERGE.search(row.cells.check)
    if found is None:
        return None
    wanted = found.group(1)
    # 序号 restarts with each document: 并入 12 is the 12th measure of the row's own document
    target = next((r.task_id for r in book.rows
                   if r.number == wanted and r.task_id and r.document == row.document), None)
    target = target or (wanted if wanted in book.snapshot else None)
    if target is None or target == row.task_id:
        raise WorkbookImportError(
            book.path, f"工作表「{row.sheet}」第{row.row}行第{book.column_letter(row, CHECK_HEADER)}列"
            f"「{found.group(0)}」：找不到序号或任务ID为「{wanted}」的另一行", f"写成「{MERGE_MARK} 序号」，如「{MERGE_MARK} 12」")
    return target


def _before_after(snap, row: LedgerRow, name: str, book: LedgerWorkbook) -> tuple[str | None, str]:
    """(value exported, value now) when the person changed ``name`` in ``row``; (None, "") if not."""
    if name == "merge":
        if MERGE_MARK in snap.check or MERGE_MARK not in row.cells.check:
            return None, ""
        target = _merge_target(book, row)
        return ("", target) if target else (None, "")
    if name == "not_a_task":
        marked = NOT_A_TASK_MARK in row.cells.check and NOT_A_TASK_MARK not in snap.check
        return ("", NOT_A_TASK_MARK) if marked else (None, "")
    before, after = snap.value(name), row.cells.value(name)
    return (None, "") if same_value(name, before, after) else (before, after)


def _added_task(book: LedgerWorkbook, row: LedgerRow, sha: str, ledger: Ledger,
                titles: Mapping[str, str], document: Callable[[str], Document | None],
                now: dt.datetime) -> Correction:
    """A row a person added: its document, its source span, the task it describes."""
    where = f"工作表「{row.sheet}」第{row.row}行"
    doc_id = titles.get(row.document.strip())
    doc = document(doc_id) if doc_id else None
    if doc is None:
        raise WorkbookImportError(book.path, f"{where}「文件」列「{row.document}」不是台账中的文件",
                                  "新增任务请在「文件」列填写已导入文件的标题（与其他行相同）")
    span = source_span(doc, row.measure, row.source)
    if span is None:
        raise WorkbookImportError(
            book.path, f"{where}：在「{doc.meta.title}」原文中找不到「具体措施」的文字",
            "新增任务的「具体措施」请从原文复制一句，或在「来源」列填写 文件编号:起-止 定位")
    return added_task_correction(doc, span, row.measure, row.cells, ledger, _origin(book, sha, row, "具体措施"), now)


def added_task_correction(doc: Document, span: Span, measure: str, cells: EditableCells, ledger: Ledger,
                          origin: Origin, now: dt.datetime) -> Correction:
    """The add_task correction for a measure a person found at ``span`` of ``doc`` (an added row
    of a workbook, or the web page's 新增任务), with the units and deadline they typed."""
    quote = doc.text[span.start:span.end]
    title = (measure.splitlines() or [quote])[0].strip()[:60] or quote[:60]
    digest = hashlib.sha256(f"{doc.doc_id}\n{span.start}-{span.end}".encode()).hexdigest()[:8]
    section = innermost_section(doc, span)
    task = Task(task_id=f"{doc.doc_id}:补{digest}", doc_id=doc.doc_id, title=title, text=quote,
                section_path=doc.section_path(section), span=span, source=doc.source_ref(span, section))
    units = document_units(next((d.tasks for d in ledger.documents if d.meta.doc_id == doc.doc_id), ()))
    for name in EDITABLE_FIELDS:
        if cells.value(name):
            task = with_field(task, name, cells.value(name), doc.meta.date, units)
    return Correction(
        task_id=task.task_id, doc_id=doc.doc_id, field="add_task", before="", after=title,
        source_text=quote, char_start=span.start, char_end=span.end, origin=origin, created_at=now,
        task_json=task.model_dump_json(),
    )


def source_span(doc: Document, measure: str, source: str = "") -> Span | None:
    """Where a measure a person typed stands in ``doc``: a ``文件编号:起-止`` locator in
    ``source``, else the longest line of ``measure`` (6 characters or more) found in the text (a
    heading typed above the quote is shorter)."""
    for locator in LOCATOR.findall(source):
        doc_id, _, rng = locator.rpartition(":")
        start, _, end = rng.partition("-")
        if doc_id == doc.doc_id and 0 <= int(start) < int(end) <= len(doc.text):
            return Span(start=int(start), end=int(end))
    for line in sorted((line.strip() for line in measure.splitlines()), key=len, reverse=True):
        at = doc.text.find(line) if len(line) >= 6 else -1
        if at >= 0:
            return Span(start=at, end=at + len(line))
    return None


