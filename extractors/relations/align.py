"""Align the measures of two versions of one document.

Each old/new pair is scored by its text (bigram Dice of the bodies), its title and its number;
pairs are taken best first, one to one, above a floor. What is left over is then tested for a
merge (an unmatched old measure whose text sits inside a matched new one) or a split (the
converse). Renumbering costs nothing but the small number term, so a dropped measure does not
pull the ones after it out of line. Order changes are found afterwards: the matched pairs off
the longest run that keeps both orders are ``moved``.
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass, field

from extractors.relations.text import bigrams, body, containment, dice
from pipeline.model import Task

TEXT_WEIGHT, TITLE_WEIGHT, NUMBER_WEIGHT = 0.6, 0.3, 0.1
MATCH_FLOOR = 0.45  # below this a pair is two different measures, not one measure rewritten
MERGE_CONTAINMENT = 0.6  # share of a measure's bigrams that must survive inside the other one


@dataclass(frozen=True)


class Alignment:
    """Index pairs into the old and new measure lists.

    ``pairs`` are one-to-one matches with their scores; ``merged`` maps a new index to the extra
    old indices folded into it, ``split`` an old index to the extra new indices cut from it.
    """

    pairs: tuple[tuple[int, int, float], ...]
    merged: dict[int, tuple[int, ...]] = field(default_factory=dict)
    split: dict[int, tuple[int, ...]] = field(default_factory=dict)
    moved: frozenset[tuple[int, int]] = frozenset()
    removed: tuple[int, ...] = ()
    added: tuple[int, ...] = ()


def bare_number(number: str | None) -> str:
    return (number or "").strip("、.．（）() ")


def pair_score(old: Task, new: Task, old_grams=None, new_grams=None) -> float:
    """0..1: how likely ``new`` is ``old`` in the next version."""
    text = dice(old_grams if old_grams is not None else bigrams(body(old)),
                new_grams if new_grams is not None else bigrams(body(new)))
    title = difflib.SequenceMatcher(None, old.title, new.title, autojunk=False).ratio()
    number = 1.0 if bare_number(old.number) == bare_number(new.number) else 0.0
    return TEXT_WEIGHT * text + TITLE_WEIGHT * title + NUMBER_WEIGHT * number


def align_measures(old: list[Task], new: list[Task]) -> Alignment:
    old_grams = [bigrams(body(t)) for t in old]
    new_grams = [bigrams(body(t)) for t in new]
    scored = sorted(
        ((pair_score(o, n, old_grams[i], new_grams[j]), i, j)
         for i, o in enumerate(old) for j, n in enumerate(new)),
        reverse=True,
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for score, i, j in scored:
        if score < MATCH_FLOOR:
            break
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((i, j, round(score, 3)))
    pairs.sort()
    partner_of_new = {j: i for i, j, _ in pairs}
    partner_of_old = {i: j for i, j, _ in pairs}

    merged: dict[int, list[int]] = {}
    for i in range(len(old)):
        if i in used_old:
            continue
        # merged: this old text lives on inside a new measure that already has its own partner
        best = max(partner_of_new, key=lambda j: containment(old_grams[i], new_grams[j]), default=None)
        if best is not None and containment(old_grams[i], new_grams[best]) >= MERGE_CONTAINMENT:
            merged.setdefault(best, []).append(i)
            used_old.add(i)
    split: dict[int, list[int]] = {}
    for j in range(len(new)):
        if j in used_new:
            continue
        best = max(partner_of_old, key=lambda i: containment(new_grams[j], old_grams[i]), default=None)
        if best is not None and containment(new_grams[j], old_grams[best]) >= MERGE_CONTAINMENT:
            split.setdefault(best, []).append(j)
            used_new.add(j)

    return Alignment(
        pairs=tuple(pairs),
        merged={j: tuple(v) for j, v in merged.items()},
        split={i: tuple(v) for i, v in split.items()},
        moved=frozenset(out_of_order([(i, j) for i, j, _ in pairs])),
        removed=tuple(i for i in range(len(old)) if i not in used_old),
        added=tuple(j for j in range(len(new)) if j not in used_new),
    )


def out_of_order(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs outside one longest run increasing in both old and new order (patience LIS):
    the fewest measures whose moving explains the new order."""
    ordered = sorted(pairs)
    if not ordered:
        return set()
    tails: list[int] = []  # tails[k]: index into ordered of the smallest tail of a run of k+1
    prev = [-1] * len(ordered)

    tail_values: list[int] = []
    for k, (_, j) in enumerate(ordered):
        pos = bisect.bisect_left(tail_values, j)
        if pos == len(tail_values):
            tail_values.append(j)
            tails.append(k)
        else:
            tail_values[pos] = j
            tails[pos] = k
        prev[k] = tails[pos - 1] if pos else -1
    keep: set[int] = set()
    k = tails[-1]
    while k != -1:
        keep.add(k)
        k = prev[k]
    return {p for n, p in enumerate(ordered) if n not in keep}
