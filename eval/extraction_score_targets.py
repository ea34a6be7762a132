"""Scoring extracted targets against gold: no files, no models, no printing.

Targets are matched by normalised quote overlap (one quote contains the other, or the longest
common substring covers >= ``QUOTE_MATCH`` of the shorter one), preferring pairs whose value and
year agree; one prediction per gold target. An optional gold target (ambiguous in the document
itself) is never missed, and a prediction matched to one is neither right nor wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.extraction_rows import PRF, EvalError, TargetRow, norm_text, quote_overlap

QUOTE_MATCH = 0.6
TARGET_FIELDS = ("value", "value_max", "unit", "comparator", "year")


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
