"""Where a PostgreSQL hybrid search spends its time, statement by statement:
``python -m bench.pg_profile --docs 1000 --work /tmp/taizhang-bench-pg``.

Runs the bench queries (``bench.measure.QUERIES``) through ``SearchEngine`` on the index a
``python -m bench.postgres --docs N --reuse`` run left in the database ``bench_<N>`` under
``--work``, per filter (none, the busiest lead unit + deadline year, that unit alone), and
times every SQL statement the engine sends (SQLAlchemy cursor events, so the time includes the
round trip), grouped by what it does. The rankings run one after another on the search's own
connection (not side by side, as a search engine runs them: ``search/pg_parallel.py``), so that
each is timed alone. What is not in a statement (Python: the query plan,
fusion, cards parsed, the response built; the embedder) is the remainder of the wall time.
With ``--explain``, prints EXPLAIN (ANALYZE, BUFFERS) of each kind's slowest statement.
Prints JSON: per filter, per kind, statements per search and median ms per search.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import event, text

from bench.measure import QUERIES
from bench.postgres import busiest_unit
from extractors.registry.local_postgres import create_database, start_local_postgres
from pipeline.settings import Settings
from search_api.schemas import SearchFilters
from search_api.search.engine import SearchEngine
from search_api.search.pg_rankings import EF_SEARCH

# (what a statement does, a piece of its SQL that says so), first match wins
KINDS = (
    ("snapshot: SET TRANSACTION", "SET TRANSACTION"),
    ("dense: SET LOCAL hnsw.*", "SET LOCAL"),
    ("state + unit names", "search_state"),
    ("state + unit names", "unnest(units)"),
    # before the counts: a pruned round has UNION ALL and count(*) in its CTEs
    ("bm25: round (candidates, scores)", "candidates AS"),
    ("filter: count + exact rankings, one read", "UNION ALL"),
    ("filter count", "count(*)"),
    ("dense ranking", "<=>"),
    ("bm25: first unread postings (bound)", "LIMIT 1 OFFSET"),
    ("bm25: scored exactly (selective filter)", "kept AS"),
    ("bm25: idf and lengths", "search_term_stats"),
    ("collection sizes", "search_collections"),
    ("cards", "search_cards"),
    ("hit texts (measures)", "collection = 'measures' AND item_id"),
    ("confidence texts (clauses)", "collection = 'clauses' AND item_id"),
)


def kind_of(statement: str) -> str:
    return next((name for name, marker in KINDS if marker in statement), "other: " + statement[:60])


class StatementClock:
    """Time per statement kind, collected from an engine's cursor events."""

    def __init__(self, engine) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)
        self.slowest: dict[str, tuple[float, str, dict]] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        took = time.perf_counter() - conn.info.pop("bench_started")
        kind = kind_of(statement)
        if "f_unit" in (parameters or {}) or "f_year" in (parameters or {}):
            kind += " [filtered]"
        self.spent[kind] += took
        self.count[kind] += 1
        if took > self.slowest.get(kind, (0.0, "", {}))[0]:
            self.slowest[kind] = (took, statement, dict(parameters or {}))

    def reset(self) -> None:
        self.spent.clear()
        self.count.clear()


def profile(n_docs: int, work: Path, dim: int, reps: int, explain: bool) -> dict:
    admin = start_local_postgres(work / "pg")
    settings = Settings(data_dir=work / f"data-{n_docs}", embedding_model=f"fake-{dim}",
                        db_url=create_database(admin, f"bench_{n_docs}"))
    unit, year = busiest_unit(settings)
    engine = SearchEngine(settings)
    # one after another on the search's own connection (no ranking workers: pg_parallel), so
    # every statement is timed and the kinds add up to the wall time
    engine._pg_workers = None  # noqa: SLF001 (the bench looks inside on purpose)
    clock = StatementClock(engine._pg)  # noqa: SLF001
    out: dict = {"documents": n_docs, "filter": {"unit": unit, "year": year}}
    for name, chosen in {"none": SearchFilters(), "unit+year": SearchFilters(unit=unit, year=year),
                         "unit": SearchFilters(unit=unit)}.items():
        engine.search(QUERIES[0], filters=chosen)  # warm
        per_kind: dict[str, list[float]] = defaultdict(list)
        counts: dict[str, list[int]] = defaultdict(list)
        walls = []
        for _ in range(reps):
            for q in QUERIES:
                engine.forget_recent_searches()  # every search does all its work (pg_unfiltered_cache)
                clock.reset()
                started = time.perf_counter()
                engine.search(q, k=10, filters=chosen)
                walls.append(time.perf_counter() - started)
                for kind in set(clock.spent) | set(per_kind):
                    per_kind[kind].append(clock.spent.get(kind, 0.0) * 1000)
                    counts[kind].append(clock.count.get(kind, 0))
                per_kind["(outside SQL)"].append((walls[-1] - sum(clock.spent.values())) * 1000)
        out[name] = {"wall_ms_median": round(statistics.median(walls) * 1000, 1),
                     "by_kind_ms_median": {k: round(statistics.median(v), 1) for k, v in
                                           sorted(per_kind.items(), key=lambda kv: -statistics.median(kv[1]))},
                     "statements_per_search": {k: round(statistics.mean(v), 1) for k, v in counts.items()}}
    if explain:
        with engine._pg.connect() as conn:  # noqa: SLF001
            # as the rankings read the graph (they SET LOCAL it in their own transaction)
            conn.execute(text(f"SET hnsw.ef_search = {EF_SEARCH}"))
            for kind, (took, statement, params) in sorted(clock.slowest.items(), key=lambda kv: -kv[1][0])[:6]:
                if statement.lstrip().upper().startswith(("SET", "SELECT 1")):
                    continue
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).scalars().all()
                print(f"--- {kind}: {took * 1000:.1f} ms\n" + "\n".join(plan))
                conn.rollback()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pg_profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/taizhang-bench-pg"))
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--reps", type=int, default=2, help="times each query runs per filter")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of the slowest")
    args = parser.parse_args(argv)
    print(json.dumps(profile(args.docs, args.work, args.dim, args.reps, args.explain), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
