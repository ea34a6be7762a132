"""Corrections applied over an extraction: the ledger the secretariat sees.

Pure functions over a ``Ledger`` and the stored corrections, run on every read of the ledger
(export, overdue, API), so a rebuild can never overwrite a correction: the extraction's tables
are replaced, the corrections' are not, and this step lays the second over the first again.

The last correction of a field wins. One is applied only while the text it was made against is
still the task's text; when a new version of the document changes it (or the task is gone), the
correction is not applied and not dropped: it is returned as a ``ReviewItem`` (待复核) with the
old and the new text. A correction made on a replaced version is first pointed at the same
measure in the current version (``carry.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
import re
from dataclasses import dataclass, field

from pipeline.model import Deadline, Document, Span, Task, UnitMention

from extractors.deadlines import extract_deadlines
from extractors.export.ledger import CorrectedField, Ledger, LedgerDocument, deadline_cell, unit_names
from extractors.tracking.carry import carry_forward, merge_target_text
from extractors.tracking.model import FIELD_LABEL, NOT_A_TASK_MARK, Correction, ReviewItem
from extractors.units.context import same_body
from extractors.units.names import canonical_unit

EDITABLE_FIELDS = ("lead", "supporting", "unassigned", "deadline")
_ROLE_OF_FIELD = {"lead": "lead", "supporting": "supporting", "unassigned": "unassigned"}
_UNIT_SEPARATORS = re.compile(r"[、，,；;\n]+")
APPLIED, TO_REVIEW = "已校核", "待复核"


@dataclass(frozen=True)
class TrackedLedger:
    """The corrected ledger, the corrections waiting for review, and the rows taken out."""

    ledger: Ledger
    reviews: list[ReviewItem] = field(default_factory=list)
    excluded: list[tuple[Task, Correction]] = field(default_factory=list)  # marked 非任务
    # every correction as applied: pointed at its measure in the current version (carry.py)
    carried: list[Correction] = field(default_factory=list)


def field_value(task: Task, name: str) -> str:
    """What the 任务分工表 cell of ``name`` shows for ``task``."""
    if name in _ROLE_OF_FIELD:
        return unit_names(getattr(task, "unassigned_units" if name == "unassigned" else name))
    if name == "deadline":
        return deadline_cell(task)
    raise ValueError(f"not an editable field: {name!r}")


def split_units(cell: str) -> list[str]:
    """Unit names in a cell as a person types them: 市财政局、市商务局 (also ，；, or one a line)."""
    return list(dict.fromkeys(n.strip() for n in _UNIT_SEPARATORS.split(cell or "") if n.strip()))


def same_value(name: str, a: str, b: str) -> bool:
    """Equal as the ledger reads them (unit lists compare name by name, whitespace ignored)."""
    if name in _ROLE_OF_FIELD:
        return split_units(a) == split_units(b)
    return "".join(a.split()) == "".join(b.split())


def _mention(name: str, role: str, known: Mapping[str, UnitMention],
             in_document: Mapping[str, UnitMention]) -> UnitMention:
    if name in known:  # keep the span and canonical name the extractor found
        return known[name].model_copy(update={"role": role})
    if name in in_document:  # the name as the document's own jurisdiction reads it (区财政局 → 东区财政局)
        m = in_document[name]
        return UnitMention(name=name, canonical=m.canonical, role=role, known=m.known)
    match = canonical_unit(name)
    if match.canonical in in_document:  # 市经信局 typed for the 市经济和信息化局 the document names
        m = in_document[match.canonical]
        return UnitMention(name=name, canonical=m.canonical, role=role, known=m.known)
    # 市经济和信息化局 typed in a 攀枝花 document: the document's 攀枝花市经济和信息化局
    same = next((m for m in in_document.values() if same_body(match.canonical, m.canonical)), None)
    if same is not None:
        return UnitMention(name=name, canonical=same.canonical, role=role, known=same.known)
    return UnitMention(name=name, canonical=match.canonical, role=role, known=match.known)


def document_units(tasks: Iterable[Task]) -> dict[str, UnitMention]:
    """Every unit named in ``tasks`` by name as written and by canonical name."""
    out: dict[str, UnitMention] = {}
    for t in tasks:
        for m in (*t.lead, *t.supporting, *t.unassigned_units):
            out.setdefault(m.canonical, m)
            out.setdefault(m.name, m)
    return out


def with_field(task: Task, name: str, value: str, doc_date: dt.date | None,
               in_document: Mapping[str, UnitMention] | None = None) -> Task:
    """``task`` with the cell ``name`` set to ``value`` as a person typed it.

    in_document: units the task's document names (``document_units``), so a name a person types
        gets the canonical name the extractor gives it in that document.
    """
    if name == "deadline":
        if not value.strip():
            return task.model_copy(update={"deadlines": ()})
        found = extract_deadlines(value, doc_date)
        deadlines = tuple(d.model_copy(update={"span": None}) for d in found) or (
            Deadline(text=value.strip(), kind="unspecified"),)
        if found and len(found) == 1:  # the cell's own words, not just the phrase read in it
            deadlines = (deadlines[0].model_copy(update={"text": value.strip()}),)
        return task.model_copy(update={"deadlines": deadlines})
    role = _ROLE_OF_FIELD[name]
    names = split_units(value)
    everyone = (*task.lead, *task.supporting, *task.unassigned_units)
    known = {m.canonical: m for m in everyone} | {m.name: m for m in everyone}  # as written first
    chosen = tuple(_mention(n, role, known, in_document or {}) for n in names)
    taken = {m.canonical for m in chosen} | set(names)
    attribute = "unassigned_units" if name == "unassigned" else name
    update: dict[str, tuple[UnitMention, ...]] = {attribute: chosen}
    # a unit a person put in one role leaves the others (牵头 moved from 配合 is not both)
    for other in ("lead", "supporting", "unassigned_units"):
        if other != attribute:
            update[other] = tuple(m for m in getattr(task, other)
                                  if m.canonical not in taken and m.name not in taken)
    return task.model_copy(update=update)


def latest_per_field(corrections: Iterable[Correction]) -> dict[tuple[str, str], Correction]:
    """(task_id, field) → the last correction made to it (ids grow with time)."""
    latest: dict[tuple[str, str], Correction] = {}
    for c in sorted(corrections, key=lambda c: (c.correction_id or 0, c.created_at)):
        if c.field != "add_task":
            latest[(c.task_id, c.field)] = c
    return latest


def _note(c: Correction, extracted: str, status: str) -> CorrectedField:
    return CorrectedField(field=c.field, label=FIELD_LABEL[c.field], extracted=extracted,
                          corrected=c.after, correction_id=c.correction_id or 0,
                          origin=c.origin.label(), status=status)


def innermost_section(doc: Document, span: Span) -> str | None:
    holding = [s for s in doc.sections if s.span.start <= span.start and span.end <= s.span.end]
    return max(holding, key=lambda s: s.level).section_id if holding else None


def _anchored(task: Task, c: Correction, doc: Document) -> Task | None:
    """``task`` (added by a person) at its quote in ``doc`` as it is now: where it was, or the
    one place the same words stand after text before them changed; None if they are gone. Its
    source points into ``doc`` (a new version of its document has a new doc_id)."""
    if doc.text[c.char_start:c.char_end] == c.source_text:
        if task.source.doc_id == doc.doc_id:
            return task
        start = c.char_start
    elif doc.text.count(c.source_text) != 1:
        return None
    else:
        start = doc.text.index(c.source_text)
    span = Span(start=start, end=start + len(c.source_text))
    return task.model_copy(update={"span": span, "source": doc.source_ref(span, innermost_section(doc, span))})


def _added_tasks(corrections: Sequence[Correction], document: Callable[[str], Document | None],
                 reviews: list[ReviewItem]) -> dict[str, list[tuple[Task, Correction]]]:
    """doc_id → tasks people added whose quoted source still stands in the document."""
    added: dict[str, list[tuple[Task, Correction]]] = {}
    for c in corrections:
        if c.field != "add_task" or not c.task_json:
            continue
        doc = document(c.doc_id)
        task = _anchored(Task.model_validate_json(c.task_json), c, doc) if doc is not None else None
        if task is None:
            now = "" if doc is None else doc.text[c.char_start:c.char_end]
            reviews.append(ReviewItem(correction=c, old_text=c.source_text, new_text=now,
                                      reason="新增任务引用的原文已变化" if doc else "文件已不在台账中"))
            continue
        added.setdefault(c.doc_id, []).append((task, c))
    return added


def apply_corrections(ledger: Ledger, corrections: Sequence[Correction],
                      document: Callable[[str], Document | None],
                      versions: Mapping[str, str] | None = None) -> TrackedLedger:
    """``ledger`` with ``corrections`` laid over it (see the module's docstring).

    document: doc_id → the document as registered now (None when it is not), asked only for
        documents a person added a task to.
    versions: replaced doc_id → its current version's doc_id (``Registry.current_versions``):
        corrections made on an older version follow their measure to it (``carry.py``).
    """
    corrections = carry_forward(corrections, ledger, versions or {})
    reviews: list[ReviewItem] = []
    excluded: list[tuple[Task, Correction]] = []
    added = _added_tasks(corrections, document, reviews)
    latest = latest_per_field(corrections)
    by_task: dict[str, list[Correction]] = {}
    for (task_id, _), c in latest.items():
        by_task.setdefault(task_id, []).append(c)
    notes: dict[str, list[CorrectedField]] = {}
    seen: set[str] = set()
    merges: list[tuple[Task, Correction]] = []
    documents: list[LedgerDocument] = []
    for doc in ledger.documents:
        tasks: list[Task] = []
        pairs = [(t, None) for t in doc.tasks] + added.get(doc.meta.doc_id, [])
        units = document_units(doc.tasks)
        for task, add in pairs:
            seen.add(task.task_id)
            if add is not None:
                notes.setdefault(task.task_id, []).append(_note(add, "", APPLIED))
            kept = _corrected(task, by_task.get(task.task_id, []), doc.meta.date, notes, reviews, excluded,
                              merges, units)
            if kept is not None:
                tasks.append(kept)
        documents.append(LedgerDocument(doc.meta, doc.path, tuple(tasks), doc.targets))
    documents = _merged(documents, merges, notes, reviews, excluded)
    for task_id, pending in by_task.items():
        if task_id not in seen:
            for c in pending:
                if c.after or c.field == "not_a_task":  # (a cleared field or merge owes nothing)
                    reviews.append(ReviewItem(correction=c, old_text=c.source_text, new_text="",
                                              reason="重建后已无此任务"))
    corrected = Ledger(tuple(documents), ledger.findings, {k: tuple(v) for k, v in notes.items()},
                       ledger.superseded)
    return TrackedLedger(corrected, reviews, excluded, list(corrections))


def _merged_pair(target: Task, source: Task) -> Task:
    """``target`` with the units and deadlines ``source`` adds (each unit once, first role kept)."""
    named = {m.canonical for m in (*target.lead, *target.supporting, *target.unassigned_units)}
    update: dict[str, tuple] = {}
    for attribute in ("lead", "supporting", "unassigned_units"):
        extra = tuple(m for m in getattr(source, attribute) if m.canonical not in named)
        named |= {m.canonical for m in extra}
        update[attribute] = getattr(target, attribute) + extra
    texts = {d.text for d in target.deadlines}
    update["deadlines"] = target.deadlines + tuple(d for d in source.deadlines if d.text not in texts)
    return target.model_copy(update=update)


def _merged(documents: list[LedgerDocument], merges: list[tuple[Task, Correction]],
            notes: dict[str, list[CorrectedField]], reviews: list[ReviewItem],
            excluded: list[tuple[Task, Correction]]) -> list[LedgerDocument]:
    """Rows merged into others (并入): the target gains their units and deadlines, they leave."""
    if not merges:
        return documents
    index = {t.task_id: t for d in documents for t in d.tasks}
    gone: set[str] = set()
    for source, c in merges:
        if c.after not in index or c.after in gone or c.after == source.task_id:
            reviews.append(ReviewItem(correction=c, old_text=c.source_text, new_text=source.text,
                                      reason=f"合并目标「{c.after}」已不在台账中"))
            continue
        into = merge_target_text(c)
        if into is not None and index[c.after].text != into:  # the row it was merged into changed
            reviews.append(ReviewItem(correction=c, old_text=into, new_text=index[c.after].text,
                                      reason=f"合并目标「{c.after}」原文已变化"))
            notes.setdefault(source.task_id, []).append(_note(c, "", TO_REVIEW))
            continue
        index[c.after] = _merged_pair(index[c.after], source)
        gone.add(source.task_id)
        excluded.append((source, c))
        notes.setdefault(c.after, []).append(CorrectedField(
            field="merge", label=FIELD_LABEL["merge"], extracted="", corrected=source.task_id,
            correction_id=c.correction_id or 0, origin=c.origin.label(), status=APPLIED))
    return [LedgerDocument(d.meta, d.path, tuple(index[t.task_id] for t in d.tasks if t.task_id not in gone),
                           d.targets) for d in documents]


def _corrected(task: Task, pending: list[Correction], doc_date: dt.date | None,
               notes: dict[str, list[CorrectedField]], reviews: list[ReviewItem],
               excluded: list[tuple[Task, Correction]], merges: list[tuple[Task, Correction]],
               units: Mapping[str, UnitMention]) -> Task | None:
    """``task`` with its latest corrections, or None when a person marked it 非任务; a row to
    merge into another is kept here and noted in ``merges`` (its target may come later)."""
    result = task
    merge: Correction | None = None
    for c in sorted(pending, key=lambda c: EDITABLE_FIELDS.index(c.field) if c.field in EDITABLE_FIELDS else -1):
        if c.source_text != task.text:
            reviews.append(ReviewItem(correction=c, old_text=c.source_text, new_text=task.text,
                                      reason="原文已变化"))
            extracted = field_value(task, c.field) if c.field in EDITABLE_FIELDS else ""
            notes.setdefault(task.task_id, []).append(_note(c, extracted, TO_REVIEW))
            continue
        if c.field == "not_a_task":
            if c.after == NOT_A_TASK_MARK:
                excluded.append((task, c))
                return None
            continue
        if c.field == "merge":
            merge = c if c.after else None
            continue
        extracted = field_value(task, c.field)
        if same_value(c.field, extracted, c.after):
            continue  # set back to what the extractor reads: nothing to show
        result = with_field(result, c.field, c.after, doc_date, units)
        notes.setdefault(task.task_id, []).append(_note(c, extracted, APPLIED))
    if merge is not None:
        merges.append((result, merge))
    return result
