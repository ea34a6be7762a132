"""Fusion functions against slow reference implementations, and the no-signal rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_api.search.hybrid import best_per_group, convex, fuse_signals, normalise, rrf, with_signal

ids = st.sampled_from([f"d{i}" for i in range(12)])
ranking = st.lists(st.tuples(ids, st.floats(min_value=-1, max_value=30, allow_nan=False)),
                   max_size=12, unique_by=lambda x: x[0]).map(
    lambda r: sorted(r, key=lambda x: -x[1]))


def slow_rrf(rankings, k=60, weights=None):
    weights = weights or [1.0] * len(rankings)
    scores = {}
    for r, w in zip(rankings, weights):
        for position, (item, _) in enumerate(r):
            scores[item] = scores.get(item, 0.0) + w / (k + position + 1)
    return scores


def slow_convex(rankings, weights):
    out = {}
    for r, w in zip(rankings, weights):
        if not r:
            continue
        values = [s for _, s in r]
        lo, hi = min(values), max(values)
        for item, s in r:
            norm = 1.0 if hi - lo <= 1e-12 else (s - lo) / (hi - lo)  # spec: tie below 1e-12
            out[item] = out.get(item, 0.0) + w * norm
    return out


@given(st.lists(ranking, min_size=1, max_size=4), st.integers(min_value=1, max_value=100))
def test_rrf_matches_reference(rankings, k) -> None:
    fused = rrf(rankings, k=k)
    expected = slow_rrf(rankings, k=k)
    assert dict(fused) == pytest.approx(expected)
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)


@given(st.lists(ranking, min_size=1, max_size=4))
def test_convex_matches_reference(rankings) -> None:
    weights = [1.0 / len(rankings)] * len(rankings)
    assert dict(convex(rankings, weights)) == pytest.approx(slow_convex(rankings, weights))


def test_rrf_worked_example() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.7)]
    sparse = [("c", 12.0), ("a", 3.0)]
    fused = rrf([dense, sparse], k=60)
    assert [i for i, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_rrf_weights_and_errors() -> None:
    dense = [("a", 0.9), ("b", 0.8)]
    sparse = [("b", 5.0), ("a", 1.0)]
    assert rrf([dense, sparse], weights=[1.0, 0.0])[0][0] == "a"
    assert rrf([dense, sparse], weights=[0.0, 1.0])[0][0] == "b"
    with pytest.raises(ValueError):
        rrf([dense, sparse], weights=[1.0])


@pytest.mark.parametrize(
    ("ranking", "expected"),
    [
        ([("a", 0.0), ("b", 0.0), ("c", 0.0)], []),  # BM25 on an English query
        ([("a", 2.0), ("b", 2.0)], []),  # all equal: no order to give
        ([("a", 3.0), ("b", 0.0)], [("a", 3.0)]),  # zero scores carry nothing
        ([("a", 3.0)], [("a", 3.0)]),
        ([], []),
    ],
)
def test_with_signal(ranking, expected) -> None:
    assert with_signal(ranking) == expected


def test_fusion_ignores_a_side_without_signal() -> None:
    """English query: BM25 scores everything 0, its arbitrary order must not move the dense one."""
    dense = [("land", 0.83), ("credit", 0.80), ("chem", 0.79)]
    sparse_zero = [("chem", 0.0), ("credit", 0.0), ("land", 0.0)]
    fused, used = fuse_signals([dense, sparse_zero], k=20, floors=[-1.0, 0.0])
    assert [i for i, _ in fused] == ["land", "credit", "chem"]
    assert used == [True, False]
    naive = rrf([dense, sparse_zero], k=20)  # a plain RRF flattens the dense order to near-ties
    assert naive[0][1] - naive[-1][1] < 1e-3 < fused[0][1] - fused[-1][1]


def test_negative_cosines_still_count_with_a_low_floor() -> None:
    dense = [("a", -0.1), ("b", -0.3)]
    assert fuse_signals([dense], floors=[-1.0])[0][0][0] == "a"
    assert fuse_signals([dense])[0] == []  # default floor 0 suits BM25 only


def test_normalise_and_groups() -> None:
    assert normalise([("a", 4.0), ("b", 2.0), ("c", 0.0)]) == {"a": 1.0, "b": 0.5, "c": 0.0}
    assert normalise([("a", 4.0), ("b", 2.0)], "max") == {"a": 1.0, "b": 0.5}
    assert normalise([("a", 5.0)]) == {"a": 1.0}
    passages = [("p1", 0.9), ("p2", 0.8), ("p3", 0.7)]
    assert best_per_group(passages, {"p1": "t1", "p2": "t2", "p3": "t1"}) == [("t1", 0.9), ("t2", 0.8)]
