"""Pure scoring of extracted measures and targets against gold: no files, no models, no printing.

Rows (``TaskRow``, ``TargetRow``) are the comparable shape of a measure / target; gold YAML and
the extractor's ``Task`` / ``Target`` are both turned into rows (``eval/extraction_gold.py``).

Matching
    tasks    by normalised ``task_id`` (NFKC, no whitespace, no trailing 、/. per segment), then
             among what is left in the same document by title similarity (>= ``TITLE_MATCH``).
    targets  by normalised quote overlap (one quote contains the other, or the longest common
             substring covers >= ``QUOTE_MATCH`` of the shorter one), preferring pairs whose value
             and year agree; one prediction per gold target.
Optional gold rows (ambiguous in the document itself) are never missed, and a prediction matched
to one is neither right nor wrong.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

TITLE_MATCH = 0.8
QUOTE_MATCH = 0.6
MIN_QUOTE_OVERLAP = 3  # characters: "万吨" alone must not match a target, "12个" may
TARGET_FIELDS = ("value", "value_max", "unit", "comparator", "year")


@dataclass(frozen=True)
class UnitRow:
    name: str  # as written (page-break repairs applied)
    canonical: str | None = None
    canonical_alt: tuple[str, ...] = ()  # other canonical names a reader could defend


@dataclass(frozen=True)
class TaskRow:
    doc_id: str
    task_id: str
    title: str
    number: str | None = None
    lead: tuple[UnitRow, ...] = ()
    supporting: tuple[UnitRow, ...] = ()
    deadlines: tuple[str, ...] = ()
    optional: bool = False
    responsible: tuple[UnitRow, ...] = ()  # named, no role stated (责任单位, unsplit)
    optional_units: tuple[str, ...] = ()  # gold only: vague collectives, neither missed nor wrong


@dataclass(frozen=True)
class TargetRow:
    doc_id: str
    quote: str
    comparator: str
    indicator: str = ""
    scope: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    year: int | None = None
    binding: str | None = None
    cumulative: bool = False
    comparator_alt: tuple[str, ...] = ()
    optional: bool = False
    task_id: str | None = None
    label: str = ""  # target_id of a prediction, "gold #n" of a gold row


@dataclass(frozen=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    # Empty denominators: predicting nothing is perfect only when there was nothing to find, and
    # finding nothing is perfect recall only when nothing was there (a document without targets).
    @property
    def precision(self) -> float:
        if self.tp + self.fp == 0:
            return 0.0 if self.fn else 1.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def empty(self) -> bool:
        return self.tp + self.fp + self.fn == 0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "PRF") -> "PRF":
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class EvalError:
    doc_id: str
    kind: str  # "missed task", "spurious lead", "wrong target" …
    where: str  # task_id or quote
    detail: str = ""


def score_sets(pred: Iterable[Hashable], gold: Iterable[Hashable]) -> PRF:
    """Precision/recall counts of two multisets: an item predicted twice but in gold once is one fp."""
    p, g = Counter(pred), Counter(gold)
    tp = sum((p & g).values())
    return PRF(tp=tp, fp=sum(p.values()) - tp, fn=sum(g.values()) - tp)


# --------------------------------------------------------------------------------------------
# Normalisation

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def norm_text(s: str) -> str:
    """Fold width (NFKC), drop whitespace, markdown bold and DOCX bookmark artefacts."""
    s = _BOOKMARK.sub("", unicodedata.normalize("NFKC", s))
    return re.sub(r"\s+", "", s.replace("**", ""))


def norm_task_id(task_id: str) -> str:
    doc, _, path = norm_text(task_id).rpartition(":")
    segments = [seg.rstrip("、.") for seg in path.split(".")]
    return f"{doc}:{'.'.join(seg for seg in segments if seg)}"


def title_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, norm_text(a).rstrip("。"), norm_text(b).rstrip("。")).ratio()


def quote_overlap(pred: str, gold: str) -> float:
    """Share of the shorter quote covered by the longest common substring (1.0 when nested)."""
    a, b = norm_text(pred), norm_text(gold)
    if a == b:
        return 1.0 if a else 0.0
    if min(len(a), len(b)) < MIN_QUOTE_OVERLAP:
        return 0.0
    if a in b or b in a:
        return 1.0
    m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size / min(len(a), len(b)) if m.size >= MIN_QUOTE_OVERLAP else 0.0


# --------------------------------------------------------------------------------------------
# Tasks


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
        return [(key, norm_text(u.name)) for u in units]
    alt = {norm_text(a): norm_text(g.canonical or g.name) for g in gold_units for a in g.canonical_alt}
    out = []
    for u in units:
        name = norm_text(u.canonical or u.name)
        out.append((key, alt.get(name, name)))
    return out


def _deadline_items(key: str, pred: Sequence[str], gold: Sequence[str]) -> list[tuple[str, str]]:
    """Map each predicted deadline text onto a gold one that contains it or that it contains."""
    golds = [norm_text(g) for g in gold]
    out = []
    for text in pred:
        t = norm_text(text)
        hit = next((g for g in golds if g and t and (g in t or t in g)), t)
        out.append((key, hit))
    return out


TASK_FIELDS = (
    "lead", "supporting", "responsible", "unit_role", "unit", "lead_canonical", "supporting_canonical",
    "deadline",
)
ROLES = ("lead", "supporting", "responsible")


def _role_unit_items(key: str, row: TaskRow, gold_row: TaskRow | None, with_role: bool) -> list[tuple[str, str]]:
    """Every unit of the measure, ``role:name`` (or the name alone), once each; names the gold
    lists as optional (vague collectives) are left out of both sides."""
    skip = {norm_text(n) for n in (gold_row or row).optional_units}
    items = {
        (key, f"{role}:{name}" if with_role else name)
        for role in ROLES for u in getattr(row, role)
        if (name := norm_text(u.name)) not in skip
    }
    return sorted(items)


def _field_items(field_name: str, key: str, row: TaskRow, gold_row: TaskRow | None) -> list[tuple[str, str]]:
    ref = gold_row or row
    if field_name == "deadline":
        return _deadline_items(key, row.deadlines, ref.deadlines)
    if field_name in ("unit_role", "unit"):
        return _role_unit_items(key, row, gold_row, with_role=field_name == "unit_role")
    # names the gold calls optional (vague collectives) count on neither side
    skip = {norm_text(n) for n in ref.optional_units}
    if field_name == "responsible":
        return [i for i in _unit_items(key, row.responsible, False) if i[1] not in skip]
    role = "lead" if field_name.startswith("lead") else "supporting"
    canonical = field_name.endswith("_canonical")
    gold_units = (ref.lead + ref.supporting) if gold_row is not None else ()
    kept = tuple(u for u in getattr(row, role) if norm_text(u.name) not in skip)
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
        gold_units = {norm_text(u.name): u for u in g.lead + g.supporting}
        for u in p.lead + p.supporting:
            ref = gold_units.get(norm_text(u.name))
            if ref is None:
                continue
            accepted = {norm_text(c) for c in (ref.canonical or ref.name, *ref.canonical_alt)}
            if norm_text(u.canonical or u.name) not in accepted:
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


# --------------------------------------------------------------------------------------------
# Targets


def target_mismatches(pred: TargetRow, gold: TargetRow) -> tuple[str, ...]:
    """Names of the fields among value, value_max, unit, comparator, year that disagree."""
    wrong = []
    if pred.value != gold.value:
        wrong.append("value")
    if pred.value_max != gold.value_max:
        wrong.append("value_max")
    if norm_text(pred.unit or "") != norm_text(gold.unit or ""):
        wrong.append("unit")
    if pred.comparator != gold.comparator and pred.comparator not in gold.comparator_alt:
        wrong.append("comparator")
    if pred.year != gold.year:
        wrong.append("year")
    return tuple(wrong)


@dataclass(frozen=True)
class TargetMatching:
    pairs: tuple[tuple[TargetRow, TargetRow], ...]
    spurious: tuple[TargetRow, ...]
    missed: tuple[TargetRow, ...]


def match_targets(pred: Sequence[TargetRow], gold: Sequence[TargetRow]) -> TargetMatching:
    candidates = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if p.doc_id != g.doc_id:
                continue
            overlap = quote_overlap(p.quote, g.quote)
            if overlap >= QUOTE_MATCH:
                rank = (p.value == g.value, p.year == g.year, overlap, not g.optional,
                        -abs(len(p.quote) - len(g.quote)))
                candidates.append((rank, i, j))
    candidates.sort(key=lambda c: c[0], reverse=True)
    pi: set[int] = set()
    gj: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in pi or j in gj:
            continue
        pi.add(i)
        gj.add(j)
        pairs.append((pred[i], gold[j]))
    spurious = tuple(p for i, p in enumerate(pred) if i not in pi)
    missed = tuple(g for j, g in enumerate(gold) if j not in gj and not g.optional)
    return TargetMatching(tuple(pairs), spurious, missed)


@dataclass(frozen=True)
class TargetScores:
    detection: PRF  # the claim was found (quote matched), whatever its values
    correct: PRF  # found AND value, value_max, unit, comparator, year all right
    accuracy: dict[str, tuple[int, int]] = field(default_factory=dict)  # field -> (right, matched)
    errors: tuple[EvalError, ...] = ()


def score_targets(pred: Sequence[TargetRow], gold: Sequence[TargetRow]) -> TargetScores:
    m = match_targets(pred, gold)
    scored = [(p, g) for p, g in m.pairs if not g.optional]
    wrong = {id(p): target_mismatches(p, g) for p, g in scored}
    right = sum(1 for p, _ in scored if not wrong[id(p)])
    fn = len(m.missed)
    detection = PRF(tp=len(scored), fp=len(m.spurious), fn=fn)
    correct = PRF(tp=right, fp=len(m.spurious) + len(scored) - right, fn=fn + len(scored) - right)
    accuracy = {f: (sum(1 for p, _ in scored if f not in wrong[id(p)]), len(scored)) for f in TARGET_FIELDS}
    accuracy["binding"] = (sum(1 for p, g in scored if p.binding == g.binding), len(scored))
    accuracy["cumulative"] = (sum(1 for p, g in scored if p.cumulative == g.cumulative), len(scored))
    errors = [EvalError(g.doc_id, "missed target", g.quote, _describe(g)) for g in m.missed]
    errors += [EvalError(p.doc_id, "spurious target", p.quote, _describe(p)) for p in m.spurious]
    errors += [
        EvalError(g.doc_id, "wrong target", g.quote, f"{', '.join(wrong[id(p)])}: got {_describe(p)}; gold {_describe(g)}")
        for p, g in scored if wrong[id(p)]
    ]
    return TargetScores(detection, correct, accuracy, tuple(errors))


def _describe(t: TargetRow) -> str:
    value = "" if t.value is None else str(t.value)
    if t.value_max is not None:
        value += f"–{t.value_max}"
    return f"{t.year or '-'} {t.indicator} {t.comparator} {value}{t.unit or ''}".strip()
