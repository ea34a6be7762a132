"""The unfiltered items a PostgreSQL search's facets are counted over, kept for the next search
of the same question in the same snapshot of the index.

Why: a filtered search shows the facets of the UNFILTERED ranking (as the embedded search does:
the units and years the question finds, so a person can narrow down or widen again), and so it
ran every ranking twice, once under the filter and once without it (bench/README.md, "Where a
search's time goes": 86 of 136 ms of a selective search at 1,000 documents). The usual way to a
filtered search is a facet clicked under the answer to the same question unfiltered, which
computed exactly those items a moment before.

Why the answer stays exact: an entry is keyed by the search's snapshot as PostgreSQL states it
(``pg_current_snapshot()``: xmin, xmax and the transactions in progress). Two transactions with
the same snapshot see the same committed rows, so the same question (its text, terms, model,
mode and tuning) ranks the same items in both; any commit on the server between them (a build's
document, anything else) moves ``xmax`` and the key with it, so a changed index is never answered
from an entry of the old one. Entries are small (the first ``FACET_POOL`` items and their fused
scores) and the cache holds the most recent ``capacity`` of them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from search_api.schemas import SearchMode
from search_api.search.ranking import QueryPlan, SearchTuning

CAPACITY = 512  # entries: ~30 item ids each, so well under a megabyte


@dataclass(frozen=True)
class UnfilteredKey:
    """What the unfiltered fused items of a search depend on (module docstring)."""

    snapshot: str
    model_id: str
    query: str  # the plan's simplified text: what the query vector is embedded from
    terms: tuple[tuple[str, float], ...]
    mode: SearchMode
    tuning: str  # ``repr`` of the SearchTuning: every knob the fusion reads


def unfiltered_key(conn: Connection, model_id: str, plan: QueryPlan, mode: SearchMode,
                   tuning: SearchTuning) -> UnfilteredKey:
    """The key of a search running in ``conn``'s open REPEATABLE READ transaction (whose
    ``pg_current_snapshot`` is the transaction's own snapshot, the one every ranking reads)."""
    snapshot = conn.execute(text("SELECT CAST(pg_current_snapshot() AS text)")).scalar_one()
    return UnfilteredKey(snapshot, model_id, plan.simplified, tuple(plan.terms), mode, repr(tuning))


class UnfilteredCache:
    """The most recent ``capacity`` searches' unfiltered fused items (the facets' pool), shared by
    a search engine's request threads."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[UnfilteredKey, tuple[tuple[str, float], ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, key: UnfilteredKey) -> list[tuple[str, float]] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return list(found)

    def put(self, key: UnfilteredKey, items: list[tuple[str, float]]) -> None:
        with self._lock:
            self._entries[key] = tuple(items)
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
