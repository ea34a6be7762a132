"""The tracked ledger as the commands and the API use it: read (extraction + corrections +
reports), export, and import of the workbooks people send back.

An import reads every file first; a file that cannot be trusted is reported (file, sheet, row,
column, what to do) and the others go on; what the good files hold is then written in ONE
transaction, so a process killed mid-import leaves the registry as it was or fully imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from pipeline.errors import LedgerRequestError, TaizhangError, WorkbookImportError
from pipeline.load import file_sha256
from pipeline.model import Document, Finding, Task

from extractors.export.ledger import Ledger, left_out_note
from extractors.export.write import atomic_write, default_export_path, write_ledger
from extractors.export.xlsx import build_workbook
from extractors.registry.store import Registry
from extractors.tracking.apply import (
    EDITABLE_FIELDS,
    TrackedLedger,
    apply_corrections,
    field_value,
    latest_per_field,
)
from extractors.tracking.corrections import added_task_correction, diff_workbook, source_span
from extractors.tracking.model import NOT_A_TASK_MARK, PROGRESS_STATUSES, Correction, Origin, ProgressReport
from extractors.tracking.notice import supervision_workbook
from extractors.tracking.overdue import TaskState, UnitSummary, document_summaries, task_states, unit_summaries
from extractors.tracking.progress import (
    PROGRESS_MARK,
    latest_reports,
    read_progress_workbook,
    reporting_units,
    write_unit_templates,
    write_units_workbook,
)
from extractors.tracking.tables import TrackingStore
from extractors.tracking.workbook_in import EditableCells, check_mark, open_workbook, read_ledger_workbook
from extractors.tracking.workbook_out import LEDGER_MARK, annotate_task_sheet, correction_log_sheet


def current_documents(registry: Registry, ledger: Ledger) -> dict[str, str]:
    """doc_id → the doc_id of the document in ``ledger`` that stands for it now: a replaced
    file's new version, and a version the ledger leaves out's latest version."""
    replaced = registry.current_versions()
    current = {old: ledger.superseded.get(new, new) for old, new in replaced.items()}
    return current | {old: new for old, new in ledger.superseded.items() if old not in current}


class LedgerReader:
    """The registry with its tracking tables: what was extracted, corrected and reported."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.store = TrackingStore(registry)
        self._documents: dict[str, Document | None] = {}

    def document(self, doc_id: str) -> Document | None:
        if doc_id not in self._documents:
            self._documents[doc_id] = self.registry.document(doc_id)
        return self._documents[doc_id]

    def tracked(self, findings: Sequence[Finding] | None = None,
                corrections: Sequence[Correction] | None = None, all_versions: bool = False) -> TrackedLedger:
        """The ledger with corrections laid over it: the latest version of each document only,
        unless ``all_versions``. A correction made on a version now left out follows its
        measure to the latest version (or waits 待复核 there), as one made on a replaced file does."""
        ledger = Ledger.from_registry(self.registry, findings, all_versions)
        found = self.store.corrections() if corrections is None else corrections
        return apply_corrections(ledger, found, self.document, current_documents(self.registry, ledger))

    def extracted_tasks(self, tracked: TrackedLedger) -> dict[str, Task]:
        """task_id → task as extracted (added tasks as the person added them)."""
        tasks = {t.task_id: t for t in self.registry.tasks()}
        for doc in tracked.ledger.documents:
            for t in doc.tasks:
                tasks.setdefault(t.task_id, t)
        return tasks

    def workbook(self, findings: Sequence[Finding] | None = None, all_versions: bool = False) -> Workbook:
        """The 任务分工表 workbook with corrections marked, progress columns and 校核记录."""
        corrections = self.store.corrections()
        tracked = self.tracked(findings, corrections, all_versions)
        wb = build_workbook(tracked.ledger)
        annotate_task_sheet(wb, tracked, latest_reports(self.store.reports()), self.store.epoch())
        if corrections:
            correction_log_sheet(wb, corrections, tracked, self.extracted_tasks(tracked))
        return wb


def current_task_ids(tracked: TrackedLedger) -> dict[int, str]:
    """correction_id → the task it applies to now: the measure it was made on, followed to the
    latest version of its document (``carry.py``); the stored correction keeps the task it was
    made on."""
    return {c.correction_id: c.task_id for c in tracked.carried if c.correction_id is not None}


def export_tracked(registry: Registry, fmt: str, out: Path, findings: Sequence[Finding] | None = None,
                   all_versions: bool = False) -> Path:
    """Write the corrected ledger as ``fmt`` (xlsx with the tracking columns; csv/json) to ``out``;
    the latest version of each document only, unless ``all_versions``."""
    reader = LedgerReader(registry)
    if fmt == "xlsx":
        return atomic_write(out, lambda tmp: reader.workbook(findings, all_versions).save(tmp))
    return write_ledger(reader.tracked(findings, all_versions=all_versions).ledger, fmt, out)


def run_tracked_export(settings, fmt: str = "xlsx", out: Path | None = None, all_versions: bool = False) -> Path:
    """``taizhang export``: the registry as it is now, with the secretariat's corrections."""
    from extractors.checks import check_registry
    from extractors.export.ledger import FORMATS

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise TaizhangError(out, f"unknown export format {fmt!r}", f"use --format {' | '.join(FORMATS)}")
    with Registry.open(settings) as registry:
        findings = check_registry(registry) if fmt == "xlsx" else None
        return export_tracked(registry, fmt, out or default_export_path(settings, fmt), findings, all_versions)


# ------------------------------------------------------------------------------------ import


@dataclass
class FileOutcome:
    path: str
    kind: str  # 任务分工表 | 进展报送 | —
    corrections: int = 0
    reports: int = 0
    note: str = ""  # 已导入过 / the reason it was refused


@dataclass
class ImportReport:
    files: list[FileOutcome] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    reports: list[ProgressReport] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one message per refused file

    @property
    def ok(self) -> bool:
        return not self.failed


def _kind(path: Path) -> str:
    wb = open_workbook(path)
    try:
        for mark in (LEDGER_MARK, PROGRESS_MARK):
            try:
                check_mark(path, wb, mark)
                return mark
            except WorkbookImportError:
                continue
        check_mark(path, wb, LEDGER_MARK)  # raises the clear message
        return LEDGER_MARK
    finally:
        wb.close()


def import_workbooks(paths: Sequence[Path], registry: Registry, user_file_names: Sequence[str] | None = None,
                     now: dt.datetime | None = None) -> ImportReport:
    """Read ``paths`` (exported 任务分工表 a person edited, or filled 进展报送 templates) and store
    what they hold in one transaction. A refused file costs only itself.

    user_file_names: the names to record for each file (an upload's original name), default
        the paths' own names.
    """
    now = now or dt.datetime.now(dt.UTC)
    reader = LedgerReader(registry)
    store = reader.store
    epoch = store.epoch()
    existing = store.corrections()
    report = ImportReport()
    done: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for i, path in enumerate(paths):
        name = user_file_names[i] if user_file_names else path.name
        try:
            sha = file_sha256(path)
            if sha in seen or store.imported(sha):
                report.files.append(FileOutcome(name, "—", note="已导入过（内容相同），未作改动"))
                continue
            kind = _kind(path)
            if kind == LEDGER_MARK:
                tracked = reader.tracked(corrections=[*existing, *report.corrections])
                book = read_ledger_workbook(path, epoch)
                diff = diff_workbook(book, sha, tracked, reader.extracted_tasks(tracked),
                                     [*existing, *report.corrections], reader.document, now)
                found = [c.model_copy(update={"origin": c.origin.model_copy(update={"file": name})})
                         for c in diff.corrections]
                report.corrections += found
                report.files.append(FileOutcome(name, "任务分工表", corrections=len(found),
                                                note="；".join(diff.skipped[:3])))
            else:
                tracked = reader.tracked(corrections=[*existing, *report.corrections])
                reports = read_progress_workbook(path, epoch, sha, name, tracked, store.reports(), now)
                report.reports += reports
                report.files.append(FileOutcome(name, "进展报送", reports=len(reports)))
            seen.add(sha)
            done.append((sha, name, kind))
        except (TaizhangError, OSError) as exc:
            message = exc.message if isinstance(exc, TaizhangError) else f"{name}: {exc}"
            report.failed.append(message)
            report.files.append(FileOutcome(name, "—", note=message))
    if done:
        store.record_import(report.corrections, report.reports, done)
    return report


# --------------------------------------------------------------------------- progress, 督办


def export_unit_templates(registry: Registry, unit: str | None, out: Path, all_versions: bool = False) -> list[Path]:
    """进展报送 templates: for ``unit`` (to file ``out``, or into folder ``out`` when it has no
    .xlsx suffix), or for every unit that leads or is 责任单位 for a task: one file each in folder
    ``out``, or, when ``out`` ends in .xlsx, one workbook with one protected sheet per unit.
    Tasks of versions a later one supersedes are left out unless ``all_versions``."""
    reader = LedgerReader(registry)
    tracked = reader.tracked(all_versions=all_versions)
    units = reporting_units(tracked)
    if unit is not None and unit not in units:
        near = [u for u in units if unit in u or u in unit][:5]
        raise LedgerRequestError(None, f"「{unit}」不牵头也不负责台账中的任务",
                            f"单位请用规范名{('，如：' + '、'.join(near)) if near else '（见 taizhang export 的单位责任清单）'}")
    latest = latest_reports(reader.store.reports())
    if unit is None and out.suffix.lower() == ".xlsx":
        return [write_units_workbook(tracked, units, reader.store.epoch(), latest, out)]
    one_file = out if unit is not None and out.suffix.lower() == ".xlsx" else None
    return write_unit_templates(tracked, [unit] if unit else units, reader.store.epoch(), latest,
                                out, one_file)


@dataclass(frozen=True)
class Supervision:
    as_of: dt.date
    within: int
    states: list[TaskState]
    units: list[UnitSummary]
    documents: list[UnitSummary]
    superseded: int = 0  # documents left out because a later version of them is registered


FIRST_YEAR, LAST_YEAR = 1949, 2999  # a 督办 day outside these is a typo (and 9999-12-31 has no next day)


def supervision(registry: Registry, as_of: dt.date, within: int = 30, unit: str | None = None,
                all_versions: bool = False) -> Supervision:
    """督办 as of ``as_of``: the latest version of each document only, unless ``all_versions``
    (a superseded 征求意见稿's measures are not chased, nor counted twice)."""
    if not FIRST_YEAR <= as_of.year <= LAST_YEAR or not 0 <= within <= 3660:
        raise LedgerRequestError(None, f"截至日期 {as_of} / 天数 {within} 超出范围",
                                 f"日期在 {FIRST_YEAR}—{LAST_YEAR} 年之间，天数 0—3660")
    reader = LedgerReader(registry)
    tracked = reader.tracked(all_versions=all_versions)
    states = task_states(tracked, reader.store.reports(), as_of, within, unit)
    return Supervision(as_of, within, states, unit_summaries(states, unit), document_summaries(states),
                       len(tracked.ledger.superseded))


def write_supervision_workbook(result: Supervision, out: Path) -> Path:
    note = left_out_note(result.superseded, "计入", "taizhang overdue --all-versions")
    wb = supervision_workbook(result.states, result.units, result.as_of, result.within, note)
    return atomic_write(out, wb.save)


# -------------------------------------------------------------------- one edit, one report


def correct_field(registry: Registry, task_id: str, name: str, value: str, user: str,
                  now: dt.datetime | None = None) -> Correction:
    """A person sets one cell of the 任务分工表 (the web page's edit): stored like an imported
    edit, with the user as its origin. ``name``: lead, supporting, unassigned, deadline,
    not_a_task (value 非任务, or "" to take the mark back), or merge (value: the task_id of the
    row to merge into, as 并入 in a workbook's 校核 cell; "" undoes a merge)."""
    reader = LedgerReader(registry)
    corrections = reader.store.corrections()
    # every version: a row of an older version (the web page's 含旧版本) can be corrected too;
    # the correction then follows its measure to the latest version like any other
    tracked = reader.tracked(corrections=corrections, all_versions=True)
    shown = {t.task_id: t for d in tracked.ledger.documents for t in d.tasks}
    shown |= {t.task_id: t for t, _ in tracked.excluded}
    extracted = reader.extracted_tasks(tracked) | {t.task_id: t for t, _ in tracked.excluded}
    task = shown.get(task_id)
    if task is None:
        raise LedgerRequestError(None, f"台账中没有任务「{task_id}」", "任务ID 见任务分工表的「任务ID」列")
    into: Task | None = None  # merge: the row merged into, kept as the merge's anchor (carry.py)
    if name == "not_a_task":
        if value not in ("", NOT_A_TASK_MARK):
            raise LedgerRequestError(None, f"「非任务」只能设为「{NOT_A_TASK_MARK}」或空", "空表示撤销标记")
        before = NOT_A_TASK_MARK if task_id in {t.task_id for t, _ in tracked.excluded} else ""
    elif name == "merge":
        into = shown.get(value.strip()) if value.strip() else None
        if value.strip() and (into is None or into.task_id == task_id):
            raise LedgerRequestError(None, f"不能并入「{value.strip()}」：台账中没有这一行，或就是本行",
                                     "并入的目标填另一行的任务ID（任务分工表的「任务ID」列）；空表示撤销合并")
        previous = latest_per_field(corrections).get((task_id, "merge"))
        before = previous.after if previous is not None else ""
    elif name in EDITABLE_FIELDS:
        before = field_value(task, name)
    else:
        raise LedgerRequestError(None, f"不能校核「{name}」", f"可校核：{'、'.join(EDITABLE_FIELDS)}、not_a_task、merge")
    source = extracted[task_id]
    correction = Correction(
        task_id=task_id, doc_id=source.doc_id, field=name, before=before, after=value.strip(),
        source_text=source.text, char_start=source.source.char_start, char_end=source.source.char_end,
        origin=Origin(user=user or "未署名"), created_at=now or dt.datetime.now(dt.UTC),
        task_json=into.model_dump_json() if into is not None else None,
    )
    reader.store.record_import([correction], [])
    return reader.store.corrections()[-1]


def add_task(registry: Registry, doc_id: str, text: str, cells: EditableCells, user: str,
             now: dt.datetime | None = None) -> Correction:
    """A measure the extractor missed, added by a person on the web page (新增任务): ``text`` is
    a sentence copied from the document (found there, so the task points at its source), ``cells``
    the units and deadline they typed. Stored like a row added to an imported workbook."""
    reader = LedgerReader(registry)
    corrections = reader.store.corrections()
    tracked = reader.tracked(corrections=corrections)
    doc = reader.document(doc_id) if doc_id in {d.meta.doc_id for d in tracked.ledger.documents} else None
    if doc is None:
        raise LedgerRequestError(None, f"台账中没有文件「{doc_id}」（或它已有新版本）",
                                 "文件编号见任务分工表的「任务ID」列冒号前；新增任务加在文件的最新版本上")
    span = source_span(doc, text)
    if span is None:
        raise LedgerRequestError(None, f"在「{doc.meta.title}」原文中找不到这段文字",
                                 "请从原文复制一句（至少 6 个字）")
    correction = added_task_correction(doc, span, text, cells, tracked.ledger, Origin(user=user or "未署名"),
                                       now or dt.datetime.now(dt.UTC))
    if any(c.task_id == correction.task_id for c in corrections if c.field == "add_task"):
        raise LedgerRequestError(None, f"这段原文已作为新增任务「{correction.task_id}」登记过",
                                 "要改它的单位或时限，请在台账校核中编辑该行")
    reader.store.record_import([correction], [])
    return reader.store.corrections()[-1]


def add_report(registry: Registry, task_id: str, unit: str, status: str, report_date: dt.date,
               progress: str = "", problems: str = "", next_steps: str = "", user: str = "",
               now: dt.datetime | None = None) -> ProgressReport:
    """One unit's report on one task (the web page's and the API's), kept as a new dated row."""
    reader = LedgerReader(registry)
    tracked = reader.tracked()
    tasks = {t.task_id for d in tracked.ledger.documents for t in d.tasks}
    if task_id not in tasks:
        newer = next((new for old, new in tracked.ledger.superseded.items() if task_id.startswith(f"{old}:")), None)
        if newer is not None:  # progress is chased on the latest version only
            raise LedgerRequestError(None, f"任务「{task_id}」所在文件已有新版本（{newer}）",
                                     "请在新版本的对应任务上报送进展（taizhang versions 列出各版本）")
        raise LedgerRequestError(None, f"台账中没有任务「{task_id}」", "任务ID 见任务分工表的「任务ID」列")
    if status not in PROGRESS_STATUSES:
        raise LedgerRequestError(None, f"完成状态「{status}」不可用", f"请填写：{'、'.join(PROGRESS_STATUSES)}")
    report = ProgressReport(task_id=task_id, unit=unit, status=status, progress=progress, problems=problems,
                            next_steps=next_steps, report_date=report_date, origin=Origin(user=user or unit),
                            created_at=now or dt.datetime.now(dt.UTC))
    reader.store.record_import([], [report])
    return max(reader.store.reports(task_id), key=lambda r: r.report_id or 0)
