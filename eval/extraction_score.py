"""Pure scoring of extracted measures against gold: no files, no models, no printing.

Tasks are matched by normalised ``task_id`` (NFKC, no whitespace, no trailing 、/. per segment),
then among what is left in the same document by title similarity (>= ``TITLE_MATCH``). An
optional gold measure (ambiguous in the document itself) is never missed, and a prediction
matched to one is neither right nor wrong. Targets are scored in ``extraction_score_targets``,
the rows both compare in ``extraction_rows``; their names are offered here too, where every
scorer's user has always found them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from eval.extraction_rows import (
    MIN_QUOTE_OVERLAP,
    PRF,
    EvalError,
    TargetRow,
    TaskRow,
    UnitRow,
    norm_task_id,
    norm_text,
    norm_unit,
    quote_overlap,
    score_sets,
    title_similarity,
)
from eval.extraction_score_targets import (
    QUOTE_MATCH,
    TARGET_FIELDS,
    TargetMatching,
    TargetScores,
    match_targets,
    score_targets,
    target_mismatches,
)
from extractors.units.context import same_body

__all__ = [
    "MIN_QUOTE_OVERLAP", "PRF", "QUOTE_MATCH", "ROLES", "TARGET_FIELDS", "TASK_FIELDS", "TITLE_MATCH",
    "EvalError", "TargetMatching", "TargetRow", "TargetScores", "TaskMatching", "TaskRow", "TaskScores",
    "UnitRow", "canonical_disagreements", "match_targets", "match_tasks", "norm_task_id", "norm_text",
    "quote_overlap", "score_sets", "score_targets", "score_tasks", "target_mismatches", "title_similarity",
]

TITLE_MATCH = 0.8


@dataclass(frozen=True)
class TaskMatching:
    pairs: tuple[tuple[TaskRow, TaskRow], ...]  # (pred, gold)
    spurious: tuple[TaskRow, ...]
    missed: tuple[TaskRow, ...]  # non-optional gold only


def match_tasks(pred: Sequence[TaskRow], gold: Sequence[TaskRow]) -> TaskMatching:
    by_id = {norm_task_id(g.task_id): g for g in gold}
    pairs: list[tuple[TaskRow, TaskRow]] = []
    used: set[int] = set()
    rest: list[TaskRow] = []
    for p in pred:
        g = by_id.get(norm_task_id(p.task_id))
        if g is not None and id(g) not in used:
            pairs.append((p, g))
            used.add(id(g))
        else:
            rest.append(p)
    candidates = sorted(
        ((title_similarity(p.title, g.title), i, j) for i, p in enumerate(rest)
         for j, g in enumerate(gold) if id(g) not in used and p.doc_id == g.doc_id),
        reverse=True,
    )
    taken: set[int] = set()
    for ratio, i, j in candidates:
        if ratio < TITLE_MATCH:
            break
        if i in taken or id(gold[j]) in used:
            continue
        pairs.append((rest[i], gold[j]))
        taken.add(i)
        used.add(id(gold[j]))
    spurious = tuple(p for i, p in enumerate(rest) if i not in taken)
    missed = tuple(g for g in gold if id(g) not in used and not g.optional)
    return TaskMatching(tuple(pairs), spurious, missed)


def _unit_items(key: str, units: Sequence[UnitRow], canonical: bool, gold_units: Sequence[UnitRow] = ()) -> list[tuple[str, str]]:
    if not canonical:
        return [(key, norm_unit(u.name)) for u in units]
    alt = {norm_text(a): norm_text(g.canonical or g.name) for g in gold_units for a in g.canonical_alt}
    golds = [norm_text(g.canonical or g.name) for g in gold_units]
    out = []
    for u in units:
        name = norm_text(u.canonical or u.name)
        if name not in golds and name not in alt:  # the corpus gold writes a city's bodies without the city
            name = next((g for g in [*golds, *alt] if same_body(g, name)), name)
        name = alt.get(name, name)
        out.append((key, name))
    return out


def _deadline_items(key: str, pred: Sequence[str], gold: Sequence[str]) -> list[tuple[str, str]]:
    """Map each predicted deadline text onto a gold one that contains it or that it contains. A
    phrase the gold splits in parts (2025年起 + 每年) and a prediction reads whole (2025年起每年)
    matches every part it holds: authors write such phrases both ways."""
    golds = [norm_text(g) for g in gold]
    out = []
    for text in pred:
        t = norm_text(text)
        held = [g for g in golds if g and t and g in t]
        hits = held if len(held) > 1 else [next((g for g in golds if g and t and (g in t or t in g)), t)]
        out += [(key, hit) for hit in hits]
    return out


TASK_FIELDS = (
    "lead", "supporting", "responsible", "unit_role", "unit", "lead_canonical", "supporting_canonical",
    "deadline",
)


ROLES = ("lead", "supporting", "responsible")


def _role_unit_items(key: str, row: TaskRow, gold_row: TaskRow | None, with_role: bool) -> list[tuple[str, str]]:
    """Every unit of the measure, ``role:name`` (or the name alone), once each; names the gold
    lists as optional (vague collectives) are left out of both sides."""
    skip = {norm_unit(n) for n in (gold_row or row).optional_units}
    items = {
        (key, f"{role}:{name}" if with_role else name)
        for role in ROLES for u in getattr(row, role)
        if (name := norm_unit(u.name)) not in skip
    }
    return sorted(items)


def _field_items(field_name: str, key: str, row: TaskRow, gold_row: TaskRow | None) -> list[tuple[str, str]]:
    ref = gold_row or row
    if field_name == "deadline":
        return _deadline_items(key, row.deadlines, ref.deadlines)
    if field_name in ("unit_role", "unit"):
        return _role_unit_items(key, row, gold_row, with_role=field_name == "unit_role")
    # names the gold calls optional (vague collectives) count on neither side
    skip = {norm_unit(n) for n in ref.optional_units}
    if field_name == "responsible":
        return [i for i in _unit_items(key, row.responsible, False) if i[1] not in skip]
    role = "lead" if field_name.startswith("lead") else "supporting"
    canonical = field_name.endswith("_canonical")
    gold_units = (ref.lead + ref.supporting) if gold_row is not None else ()
    kept = tuple(u for u in getattr(row, role) if norm_unit(u.name) not in skip)
    return _unit_items(key, kept, canonical, gold_units)


@dataclass(frozen=True)
class TaskScores:
    detection: PRF
    fields: dict[str, PRF]  # end to end: units of missed/spurious tasks count too
    fields_matched: dict[str, PRF]  # only over matched task pairs: role quality in isolation
    errors: tuple[EvalError, ...] = ()


def score_tasks(pred: Sequence[TaskRow], gold: Sequence[TaskRow]) -> TaskScores:
    m = match_tasks(pred, gold)
    scored_pairs = [(p, g) for p, g in m.pairs if not g.optional]
    fields: dict[str, PRF] = {}
    matched: dict[str, PRF] = {}
    errors: list[EvalError] = []
    for name in TASK_FIELDS:
        pm: list = []
        gm: list = []
        for p, g in scored_pairs:
            pm += _field_items(name, g.task_id, p, g)
            gm += _field_items(name, g.task_id, g, None)
        ps = [i for p in m.spurious for i in _field_items(name, "pred:" + p.task_id, p, None)]
        gs = [i for g in m.missed for i in _field_items(name, g.task_id, g, None)]
        matched[name] = score_sets(pm, gm)
        fields[name] = score_sets(pm + ps, gm + gs)
        if name in ("lead", "supporting", "responsible", "deadline"):
            errors += _diff_errors(name, pm, gm, {g.task_id: g.doc_id for _, g in scored_pairs})
    errors = [EvalError(g.doc_id, "missed task", g.task_id, g.title) for g in m.missed] + [
        EvalError(p.doc_id, "spurious task", p.task_id, p.title) for p in m.spurious] + errors
    errors += canonical_disagreements(scored_pairs)
    detection = PRF(tp=len(scored_pairs), fp=len(m.spurious), fn=len(m.missed))
    return TaskScores(detection, fields, matched, tuple(errors))


def canonical_disagreements(pairs: Sequence[tuple[TaskRow, TaskRow]]) -> list[EvalError]:
    """One error per (doc, written name, predicted canonical) whose canonical name is not gold's.

    Only units whose written name the gold also has in that measure are compared, so a role or
    name error is not counted twice.
    """
    seen: Counter[tuple[str, str, str, str]] = Counter()
    for p, g in pairs:
        gold_units = {norm_unit(u.name): u for u in g.lead + g.supporting}
        for u in p.lead + p.supporting:
            ref = gold_units.get(norm_unit(u.name))
            if ref is None:
                continue
            accepted = {norm_text(c) for c in (ref.canonical or ref.name, *ref.canonical_alt)}
            got = norm_text(u.canonical or u.name)
            if got not in accepted and not any(same_body(a, got) for a in accepted):
                seen[(g.doc_id, u.name, u.canonical or u.name, ref.canonical or ref.name)] += 1
    return [
        EvalError(doc, "canonical name", name, f"got {pred}; gold {gold} ({n}×)")
        for (doc, name, pred, gold), n in sorted(seen.items())
    ]


def _diff_errors(name: str, pred: list, gold: list, doc_of: dict[str, str]) -> list[EvalError]:
    p, g = Counter(pred), Counter(gold)
    out = [EvalError(doc_of[k], f"spurious {name}", k, v) for (k, v) in (p - g).elements()]
    out += [EvalError(doc_of[k], f"missed {name}", k, v) for (k, v) in (g - p).elements()]
    return sorted(out, key=lambda e: (e.where, e.kind))
