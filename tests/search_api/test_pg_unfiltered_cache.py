"""A filtered PostgreSQL search after the same question unfiltered takes its facets' items from
that search (``search/pg_unfiltered_cache.py``) instead of ranking everything again, on the
session's real server: the answer is the one a search without the cache gives, and an index
changed in between (a commit: a new snapshot) is never answered from the old entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.settings import Settings
from search_api.index.pg_index import pg_engine
from search_api.schemas import SearchFilters
from search_api.search import pg_search
from search_api.search.engine import SearchEngine
from search_api.search.pg_rankings import read_snapshot
from search_api.search.pg_unfiltered_cache import unfiltered_key
from search_api.search.ranking import DEFAULT_TUNING, plan_query
from tests.pg_corpus import corpus_in_postgres
from tests.search_api.test_pg_index import _busiest_unit_and_year, pg_settings  # noqa: F401 (a fixture)
from tests.search_api.test_pg_parallel import QUERIES


def _without_cache(settings: Settings) -> SearchEngine:
    engine = SearchEngine(settings)
    engine._pg_unfiltered = None  # noqa: SLF001 (the reference: every search ranks unfiltered too)
    return engine


def _ranked_unfiltered(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, per search, whether it ranked without the filters."""
    asked: list[bool] = []
    original = pg_search.pg_rankings

    def recording(*args, **kwargs):
        asked.append(kwargs.get("unfiltered_too", True))
        return original(*args, **kwargs)

    monkeypatch.setattr(pg_search, "pg_rankings", recording)
    return asked


@pytest.mark.parametrize("mode", ["hybrid", "sparse"])
def test_a_facet_clicked_answers_as_a_search_without_the_cache(pg_settings: Settings, mode: str,  # noqa: F811
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query, then the same query under each filter: the whole filtered answer (hits,
    scores, facets, confidence) is the reference's, and it did not rank unfiltered again."""
    unit, year = _busiest_unit_and_year(pg_settings)
    filters = [SearchFilters(unit=unit), SearchFilters(unit=unit, year=year), SearchFilters(unit=unit, role="lead")]
    cached, reference = SearchEngine(pg_settings), _without_cache(pg_settings)
    asked = _ranked_unfiltered(monkeypatch)
    for query in QUERIES:
        for chosen in filters:
            # the question unfiltered right before the click; any commit on the shared test server
            # between the two (another session's work) is a new snapshot and rightly a miss, so the
            # click is tried a few times: a cache that never answers still fails
            for _attempt in range(3):
                cached.search(query, k=10, mode=mode)
                asked.clear()
                ours = cached.search(query, k=10, filters=chosen, mode=mode)
                if asked == [False]:
                    break
            assert asked == [False], "the unfiltered items came from the search before"
            theirs = reference.search(query, k=10, filters=chosen, mode=mode)
            assert ours.facets, (query, chosen)
            assert ours.model_dump(exclude={"took_ms"}) == theirs.model_dump(exclude={"took_ms"}), (query, chosen)
    asked.clear()
    cached.forget_recent_searches()
    cached.search(QUERIES[0], k=10, filters=filters[0], mode=mode)
    assert asked == [True], "forgotten: the search ranks unfiltered again"


def test_the_key_is_the_snapshot_every_statement_reads(pg_settings: Settings) -> None:  # noqa: F811
    """Within one search's transaction the key stays put while another connection commits; the
    next transaction, which sees that commit, has another key."""
    db = pg_engine(pg_settings.registry_url)
    plan = plan_query(QUERIES[0])
    try:
        with db.connect() as search, read_snapshot(search):
            search.execute(text("SELECT 1"))
            before = unfiltered_key(search, "fake", plan, "hybrid", DEFAULT_TUNING)
            with db.begin() as other:  # a commit with a transaction id, as a build's document is
                other.execute(text("SELECT pg_current_xact_id()"))
            assert unfiltered_key(search, "fake", plan, "hybrid", DEFAULT_TUNING) == before
        with db.connect() as later, read_snapshot(later):
            assert unfiltered_key(later, "fake", plan, "hybrid", DEFAULT_TUNING) != before
    finally:
        db.dispose()


def test_an_index_changed_between_two_searches_is_not_answered_from_the_first(
        postgres_admin_url: str, tmp_path: Path) -> None:
    """The unfiltered answer's best item loses its passages (committed, as a build removing a
    document does) between a search and the same search filtered: the filtered answer's facets
    are the changed index's, as a search without the cache counts them, not the first search's."""
    settings, _ = corpus_in_postgres(postgres_admin_url, tmp_path / "data")
    unit, _ = _busiest_unit_and_year(settings)
    cached = SearchEngine(settings)
    query = QUERIES[0]
    first = cached.search(query, k=10)
    gone = first.hits[0].card.item_id
    db = pg_engine(settings.registry_url)
    try:
        with db.begin() as conn:
            conn.execute(text("DELETE FROM search_passages WHERE item_id = :i"), {"i": gone})
    finally:
        db.dispose()
    ours = cached.search(query, k=10, filters=SearchFilters(unit=unit))
    theirs = _without_cache(settings).search(query, k=10, filters=SearchFilters(unit=unit))
    assert theirs.facets != first.facets, "the change moved the facets (else this test proves nothing)"
    assert ours.model_dump(exclude={"took_ms"}) == theirs.model_dump(exclude={"took_ms"})
