"""The search scorer on a tiny gold set over the small hand-built index (fake embedder): typed
scores per mode and query kind, the no-answer accuracy, and the dict ``taizhang eval`` reads."""

from __future__ import annotations

import pytest

from eval.search_eval import METRICS, GoldQuery, RankingScores, evaluate, score_ranking
from search_api.index.indexing import update_index

from tests.search_api.search_fixtures import FakeRegistry, fake_settings, small_corpus

LAND = "doc-16tiao:十二"  # 强化土地要素保障机制


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        ([LAND, "x"], RankingScores(1.0, 1.0, 1.0, 1.0)),
        (["x", LAND], RankingScores(1.0, 1.0, 0.5, pytest.approx(0.6309, abs=1e-4))),
        (["x", "y"], RankingScores(0.0, 0.0, 0.0, 0.0)),
    ],
)
def test_score_ranking(ranked, expected) -> None:
    assert score_ranking(ranked, {LAND: 2}) == expected


def test_mean_of_rounds_and_names_the_metrics() -> None:
    mean = RankingScores.mean_of([RankingScores(1.0, 1.0, 1.0, 1.0), RankingScores(0.0, 0.0, 0.5, 0.0)])
    assert mean == RankingScores(0.5, 0.5, 0.75, 0.5)
    assert tuple(mean.by_name()) == METRICS
    assert RankingScores.mean_of([]) == RankingScores(0.0, 0.0, 0.0, 0.0)


def test_evaluate_scores_a_tiny_gold_set(tmp_path) -> None:
    settings = fake_settings(tmp_path)
    update_index(settings, FakeRegistry(small_corpus()))
    gold = [GoldQuery("land", "keyword", "土地要素保障", {LAND: 2}),
            GoldQuery("mars", "no_answer", "火星基地建设")]
    result = evaluate(settings, gold)
    assert (result.queries, result.answerable, result.gold_problems) == (2, 1, [])
    assert result.modes["sparse"].success_at_5 == 1.0
    assert set(result.hybrid_by_kind) == {"keyword"}
    as_dict = result.as_dict()
    assert set(as_dict["modes"]["hybrid"]) == set(METRICS)
    assert as_dict["no_answer_accuracy"] == result.no_answer_accuracy
