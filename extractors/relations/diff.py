"""What changed between two versions of a document, measure by measure.

``diff_versions(old, new)`` aligns the measures (``align.py``) and, within each aligned pair,
compares units and their roles, deadlines, targets (old value → new value) and the wording
(a character diff of the text left once units, deadlines and targets are blanked). Every change
carries both measures' sources (page, line, character span), so a reader can check it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from extractors.relations.align import align_measures, bare_number
from extractors.relations.text import body, masked_body
from extractors.run import Extraction
from extractors.units.context import same_body
from pipeline.model import Deadline, Role, SourceRef, Target, Task

Aspect = Literal["lead", "supporting", "unassigned", "deadlines", "targets", "wording"]
ChangeKind = Literal["unchanged", "changed", "added", "removed", "merged", "split"]
ROLE_LABEL = {"lead": "牵头", "supporting": "配合", "unassigned": "责任单位"}
ASPECT_LABEL = {"lead": "牵头单位", "supporting": "配合单位", "unassigned": "责任单位",
                "deadlines": "时限", "targets": "目标", "wording": "表述"}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MeasureRef(Frozen):
    task_id: str
    number: str | None
    title: str
    text: str
    source: SourceRef


class UnitChange(Frozen):
    unit: str  # canonical name
    old_role: Role | None  # None: not named in the old version
    new_role: Role | None


class ValueChange(Frozen):
    """A deadline or a target, old reading → new reading (None: absent on that side)."""

    what: str  # the indicator, or 时限
    old: str | None
    new: str | None


class WordingOp(Frozen):
    op: Literal["equal", "insert", "delete", "replace"]
    old: str
    new: str


class MeasureChange(Frozen):
    kind: ChangeKind
    old: tuple[MeasureRef, ...] = ()
    new: tuple[MeasureRef, ...] = ()
    score: float | None = None  # alignment score of a matched pair
    renumbered: bool = False
    moved: bool = False
    aspects: tuple[Aspect, ...] = ()
    units: tuple[UnitChange, ...] = ()
    deadlines: tuple[ValueChange, ...] = ()
    targets: tuple[ValueChange, ...] = ()
    wording: tuple[WordingOp, ...] = ()  # the character diff of the whole text, when worded anew

    @computed_field  # type: ignore[prop-decorator]
    @property
    def note(self) -> str:
        """修改说明: one line in Chinese, as a secretariat writes it."""
        return describe(self)


class VersionDiff(Frozen):
    old_doc: str
    new_doc: str
    old_title: str
    new_title: str
    changes: tuple[MeasureChange, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0, "moved": 0, "renumbered": 0,
               "merged": 0, "split": 0, "unchanged": 0}
        for c in self.changes:
            out[c.kind] += 1
            out["moved"] += c.moved
            out["renumbered"] += c.renumbered
        return out


def measure_ref(task: Task) -> MeasureRef:
    return MeasureRef(task_id=task.task_id, number=task.number, title=task.title,
                      text=task.text, source=task.source)


def diff_versions(old: Extraction, new: Extraction) -> VersionDiff:
    old_tasks, new_tasks = list(old.tasks), list(new.tasks)
    old_targets = {t.target_id: t for t in old.targets}
    new_targets = {t.target_id: t for t in new.targets}
    alignment = align_measures(old_tasks, new_tasks)
    changes: list[tuple[tuple[int, int], MeasureChange]] = []  # sorted by (new, old) position
    for i, j, score in alignment.pairs:
        extra_old = alignment.merged.get(j, ())
        extra_new = alignment.split.get(i, ())
        change = compare_pair(old_tasks[i], new_tasks[j], old_targets, new_targets)
        change = change.model_copy(update={
            "score": score,
            "moved": (i, j) in alignment.moved,
            "old": change.old + tuple(measure_ref(old_tasks[k]) for k in extra_old),
            "new": change.new + tuple(measure_ref(new_tasks[k]) for k in extra_new),
            "kind": "merged" if extra_old else "split" if extra_new else change.kind,
        })
        changes.append(((j, i), change))
    for i in alignment.removed:
        changes.append(((_new_position_of(i, alignment.pairs), i),
                        MeasureChange(kind="removed", old=(measure_ref(old_tasks[i]),))))
    for j in alignment.added:
        changes.append(((j, -1), MeasureChange(kind="added", new=(measure_ref(new_tasks[j]),))))
    changes.sort(key=lambda item: item[0])
    return VersionDiff(
        old_doc=old.document.doc_id, new_doc=new.document.doc_id,
        old_title=old.document.meta.title, new_title=new.document.meta.title,
        changes=tuple(c for _, c in changes),
    )


def _new_position_of(old_index: int, pairs: Sequence[tuple[int, int, float]]) -> float:
    """Where a removed measure is listed: just after the new partner of the old measure before it."""
    before = [j for i, j, _ in pairs if i < old_index]
    return max(before) + 0.5 if before else -0.5


def compare_pair(old: Task, new: Task, old_targets: dict[str, Target],
                 new_targets: dict[str, Target]) -> MeasureChange:
    units = unit_changes(old, new)
    aspects: list[Aspect] = []
    for role in ("lead", "supporting", "unassigned"):
        if any(role in (u.old_role, u.new_role) for u in units):
            aspects.append(role)  # type: ignore[arg-type]
    deadlines = deadline_changes(old.deadlines, new.deadlines)
    if deadlines:
        aspects.append("deadlines")
    targets = target_changes([old_targets[t] for t in old.target_ids if t in old_targets],
                             [new_targets[t] for t in new.target_ids if t in new_targets])
    if targets:
        aspects.append("targets")
    reworded = masked_body(old, old_targets) != masked_body(new, new_targets)
    if reworded:
        aspects.append("wording")
    return MeasureChange(
        kind="changed" if aspects else "unchanged",
        old=(measure_ref(old),), new=(measure_ref(new),),
        renumbered=(old.number or "") != (new.number or ""),
        aspects=tuple(aspects), units=units, deadlines=deadlines, targets=targets,
        wording=char_diff(body(old), body(new)) if aspects else (),
    )


def unit_changes(old: Task, new: Task) -> tuple[UnitChange, ...]:
    def roles(task: Task) -> dict[str, Role]:
        out: dict[str, Role] = {}
        for m in (*task.lead, *task.supporting, *task.unassigned_units):
            out.setdefault(m.canonical, m.role)
        return out

    before, after = roles(old), roles(new)
    # one version read with its city and the other without (no issuer known): the same bodies
    for name in list(after):
        match = next((b for b in before if b != name and same_body(b, name)), None)
        if match is not None:
            after[match] = after.pop(name)
    names = list(dict.fromkeys([*before, *after]))
    return tuple(UnitChange(unit=n, old_role=before.get(n), new_role=after.get(n))
                 for n in names if before.get(n) != after.get(n))


def deadline_key(d: Deadline) -> tuple:
    """What makes two deadlines the same: their dates, or (recurring, ongoing) their words."""
    if d.kind in ("by_date", "period", "relative") and (d.date or d.start or d.end):
        return (d.kind, d.date, d.start, d.end)
    return (d.kind, d.text)


def deadline_changes(old: Sequence[Deadline], new: Sequence[Deadline]) -> tuple[ValueChange, ...]:
    old_keys = {deadline_key(d): d for d in old}
    new_keys = {deadline_key(d): d for d in new}
    gone = [d for k, d in old_keys.items() if k not in new_keys]
    came = [d for k, d in new_keys.items() if k not in old_keys]
    out = [ValueChange(what="时限", old=a.text if a else None, new=b.text if b else None)
           for a, b in _zip_longest(gone, came)]
    return tuple(out)


def target_reading(t: Target) -> str:
    """``2025年 主导产业 ≤ 3 个``: the typed claim, short enough for one cell."""
    symbol = {"eq": "=", "ge": "≥", "gt": ">", "le": "≤", "lt": "<", "approx": "≈",
              "increase_by": "增长", "decrease_by": "下降", "qualitative": ""}[t.comparator]
    value = "" if t.value is None else f"{t.value}" + (f"–{t.value_max}" if t.value_max is not None else "")
    year = f"{t.year}年 " if t.year else ""
    if t.comparator == "qualitative":  # the claim is its words; keep the cell short
        quote = t.quote if len(t.quote) <= 40 else t.quote[:24] + "…" + t.quote[-12:]
        return f"{year}{t.indicator}：{quote}"
    return f"{year}{t.scope + ' ' if t.scope else ''}{t.indicator} {symbol} {value}{t.unit or ''}".strip()


def target_changes(old: Sequence[Target], new: Sequence[Target]) -> tuple[ValueChange, ...]:
    def key(t: Target) -> tuple:
        return (t.indicator, t.scope)

    old_read = [(key(t), target_reading(t)) for t in old]
    new_read = [(key(t), target_reading(t)) for t in new]
    unmatched_new = list(new_read)
    out: list[ValueChange] = []
    pending_old = []
    for k, reading in old_read:
        if (k, reading) in unmatched_new:
            unmatched_new.remove((k, reading))
        else:
            pending_old.append((k, reading))
    for k, reading in pending_old:  # same indicator and scope: a changed value, else a removal
        partner = next((p for p in unmatched_new if p[0] == k), None)
        if partner is not None:
            unmatched_new.remove(partner)
        out.append(ValueChange(what=k[0], old=reading, new=partner[1] if partner else None))
    out += [ValueChange(what=k[0], old=None, new=reading) for k, reading in unmatched_new]
    return tuple(out)


def char_diff(old: str, new: str) -> tuple[WordingOp, ...]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return tuple(WordingOp(op=tag, old=old[a1:a2], new=new[b1:b2])  # type: ignore[arg-type]
                 for tag, a1, a2, b1, b2 in matcher.get_opcodes())


def _zip_longest(a: list[Deadline], b: list[Deadline]) -> list[tuple[Deadline | None, Deadline | None]]:
    return [(a[k] if k < len(a) else None, b[k] if k < len(b) else None) for k in range(max(len(a), len(b)))]


def describe(change: MeasureChange) -> str:
    if change.kind == "added":
        return "新增条款"
    if change.kind == "removed":
        return "删除条款"
    parts: list[str] = []
    if change.kind == "merged":
        parts.append("由" + "、".join(f"原{r.number or ''}{r.title}" for r in change.old) + "合并")
    if change.kind == "split":
        parts.append("拆分为" + "、".join(f"{r.number or ''}{r.title}" for r in change.new))
    if change.renumbered:
        parts.append(f"序号由{bare_number(change.old[0].number)}改为{bare_number(change.new[0].number)}")
    if change.moved:
        parts.append("位置调整")
    for u in change.units:
        if u.old_role is None:
            parts.append(f"增加{ROLE_LABEL[u.new_role or 'unassigned']}单位{u.unit}")
        elif u.new_role is None:
            parts.append(f"删去{ROLE_LABEL[u.old_role]}单位{u.unit}")
        else:
            parts.append(f"{u.unit}由{ROLE_LABEL[u.old_role]}改为{ROLE_LABEL[u.new_role]}")
    for v in (*change.deadlines, *change.targets):
        parts.append(f"{v.what}：{v.old or '无'} → {v.new or '无'}")
    if "wording" in change.aspects:
        parts.append("文字修改")
    return "；".join(parts) or "未修改"
