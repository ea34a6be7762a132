"""Fusing rankings: short pure functions over ``(id, score)`` lists, best first.

A ranking only carries information when its scores do. BM25 gives every passage 0 for an
English query over Chinese text; fusing that list would inject an arbitrary order (it cost a
peer product 40 points of success@5 on English queries). So items with no score are dropped
before fusion (``with_signal``) and a ranking whose scores are all equal counts as absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

Ranking = Sequence[tuple[str, float]]
Normalisation = Literal["minmax", "max", "none"]


def with_signal(ranking: Ranking, floor: float = 0.0, min_spread: float = 1e-9) -> list[tuple[str, float]]:
    """The items scoring above ``floor``, or ``[]`` when the scores cannot order anything
    (all at the floor, or all equal when there are several)."""
    kept = [(item, score) for item, score in ranking if score > floor]
    if len(kept) > 1 and max(s for _, s in kept) - min(s for _, s in kept) <= min_spread:
        return []
    return kept


def _first_positions(rankings: Iterable[Ranking]) -> dict[str, int]:
    order: dict[str, int] = {}
    for ranking in rankings:
        for item, _ in ranking:
            order.setdefault(item, len(order))
    return order


def _sorted(scores: dict[str, float], order: dict[str, int]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))


def rrf(
    rankings: Sequence[Ranking], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: ``score(d) = sum_i w_i / (k + rank_i(d))``, ranks from 1.

    rankings: each sorted best first; an item missing from a ranking gets nothing from it.
    k: damping (default 60, the usual choice); small k lets the top ranks dominate.
    weights: one per ranking (default 1 each); 0 silences a ranking.
    Ties keep the order in which items first appear across the rankings.
    """
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        seen: set[str] = set()
        rank = 0
        for item, _ in ranking:
            if item in seen:  # an item listed twice keeps its best rank
                continue
            seen.add(item)
            rank += 1
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return _sorted(fused, _first_positions(rankings))


def normalise(ranking: Ranking, method: Normalisation = "minmax") -> dict[str, float]:
    """Scores mapped to [0, 1]: ``minmax`` (best 1, worst 0; a single item gets 1), ``max``
    (divide by the best; keeps the distance from zero), ``none``."""
    best: dict[str, float] = {}
    for item, score in ranking:
        best[item] = max(score, best.get(item, float("-inf")))
    if not best or method == "none":
        return best
    hi, lo = max(best.values()), min(best.values())
    if method == "max":
        return {i: (s / hi if hi > 0 else 0.0) for i, s in best.items()}
    if hi - lo <= 1e-12:
        return {i: 1.0 for i in best}
    return {i: (s - lo) / (hi - lo) for i, s in best.items()}


def convex(
    rankings: Sequence[Ranking],
    weights: Sequence[float] | None = None,
    method: Normalisation = "minmax",
) -> list[tuple[str, float]]:
    """Convex combination of normalised scores: ``sum_i w_i * norm_i(d)``; missing counts 0.

    weights: one per ranking, default equal (1/n each). Unlike RRF it keeps score gaps, so a
    clear winner in one ranking is not flattened to a rank.
    """
    weights = [1.0 / max(len(rankings), 1)] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for item, score in normalise(ranking, method).items():
            fused[item] = fused.get(item, 0.0) + weight * score
    return _sorted(fused, _first_positions(rankings))


def best_per_group(ranking: Ranking, group_of: dict[str, str]) -> list[tuple[str, float]]:
    """Collapse a passage ranking to its groups (e.g. clauses → their measure): each group
    takes its best passage's score; order follows each group's best passage."""
    out: dict[str, float] = {}
    for passage, score in ranking:
        group = group_of.get(passage)
        if group is not None and group not in out:
            out[group] = score
    return list(out.items())


def fuse_signals(
    rankings: Sequence[Ranking],
    weights: Sequence[float] | None = None,
    k: int = 60,
    floors: Sequence[float] | None = None,
    method: Literal["rrf", "convex"] = "rrf",
) -> tuple[list[tuple[str, float]], list[bool]]:
    """RRF over the rankings that carry signal. Returns the fused list and, per input
    ranking, whether it took part (so callers can report "BM25 found nothing").

    floors: per ranking, the score an item must beat to count (default 0, right for BM25;
    pass -1 for cosine similarities, which may be negative yet informative).
    """
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    floors = [0.0] * len(rankings) if floors is None else list(floors)
    live = [with_signal(r, floor) for r, floor in zip(rankings, floors)]
    used = [bool(r) for r in live]
    kept = [r for r in live if r]
    kept_weights = [w for w, u in zip(weights, used) if u]
    if method == "convex":
        return convex(kept, kept_weights), used
    return rrf(kept, k=k, weights=kept_weights), used
