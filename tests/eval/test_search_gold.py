"""The search gold sets name real measures: a renamed task id would silently score as a miss."""

from __future__ import annotations

import pytest

from eval.search_eval import GOLD, HELDOUT, HELDOUT_BLIND, HELDOUT_SEEN, load_gold

KINDS = {"owner", "deadline", "topic", "target", "paraphrase", "english", "no_answer"}


@pytest.fixture(scope="module")
def corpus_task_ids(corpus_documents) -> set[str]:
    """Ids of what search can return: measures and the context sections around them."""
    from extractors.measures.tasks import extract_tasks
    from extractors.targets.extract import extract_targets
    from search_api.index.items import document_items

    ids = set()
    for doc in corpus_documents.values():
        tasks = extract_tasks(doc)
        ids |= {card.item_id for card in document_items(doc, tasks, extract_targets(doc, tasks)).cards}
    return ids


@pytest.mark.parametrize("path", [GOLD, HELDOUT, HELDOUT_SEEN, HELDOUT_BLIND], ids=lambda p: p.name)
def test_gold_queries_are_well_formed(path, corpus_task_ids) -> None:
    gold = load_gold(path)
    assert len({q.id for q in gold}) == len(gold)
    for q in gold:
        assert q.kind in KINDS, q.id
        assert set(q.relevant.values()) <= {1, 2}, q.id
        assert (q.kind == "no_answer") == (not q.relevant), q.id
        if q.relevant:
            assert 2 in q.relevant.values(), f"{q.id}: no measure answers it directly"
        assert set(q.relevant) <= corpus_task_ids, f"{q.id}: {set(q.relevant) - corpus_task_ids}"


def test_blind_set_has_the_mix_the_issue_asks_for() -> None:
    kinds = [q.kind for q in load_gold(HELDOUT_BLIND)]
    assert len(kinds) >= 30 and {"paraphrase", "english", "no_answer"} <= set(kinds)
