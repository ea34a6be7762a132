"""Search quality against eval/gold/queries.yaml: dense-only, BM25-only and hybrid side by side.

Metrics (per answerable query, averaged):
- recall@5: share of the relevant items (grade 1 or 2) in the top 5;
- success@5: 1 when an answer (grade 2) is in the top 5;
- MRR: 1 / rank of the first answer (grade 2), 0 beyond rank 10;
- nDCG@10: graded gain 2^grade - 1, log2 discount.
No-answer accuracy (hybrid): share of all queries where ``no_answer`` is right (raised for the
no-answer queries, not raised for the others).

Run: ``taizhang eval search`` or ``python -m eval.search_eval [--verbose]``. The index is
(re)built from the registry first when it is missing or stale.
"""

from __future__ import annotations

import math
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.settings import Settings

GOLD = Path(__file__).resolve().parent / "gold" / "queries.yaml"
MODES = ("dense", "sparse", "hybrid")


@dataclass(frozen=True)
class GoldQuery:
    id: str
    kind: str
    query: str
    relevant: dict[str, int] = field(default_factory=dict)


def load_gold(path: Path = GOLD) -> list[GoldQuery]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [GoldQuery(q["id"], q["kind"], q["query"], dict(q.get("relevant") or {}))
            for q in data["queries"]]


# ----------------------------------------------------------------------------- metrics


def recall_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    return sum(1 for r in ranked[:k] if r in relevant) / len(relevant) if relevant else 0.0


def success_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    return 1.0 if any(relevant.get(r) == 2 for r in ranked[:k]) else 0.0


def reciprocal_rank(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    for i, r in enumerate(ranked[:k], 1):
        if relevant.get(r) == 2:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    gains = [(2 ** relevant.get(r, 0) - 1) for r in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2 ** g - 1 for g in relevant.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


METRICS = ("recall@5", "success@5", "mrr", "ndcg@10")  # as the tables and the JSON name them


@dataclass(frozen=True)
class RankingScores:
    """The four metrics of one ranking, or their means over queries."""

    recall_at_5: float
    success_at_5: float
    mrr: float
    ndcg_at_10: float

    def by_name(self) -> dict[str, float]:
        return dict(zip(METRICS, (self.recall_at_5, self.success_at_5, self.mrr, self.ndcg_at_10)))

    @classmethod
    def mean_of(cls, scores: Sequence[RankingScores]) -> RankingScores:
        """Each metric's mean over ``scores``, to three places (zeros for no scores)."""
        return cls(*(round(mean([getattr(s, f) for s in scores]), 3)
                     for f in ("recall_at_5", "success_at_5", "mrr", "ndcg_at_10")))


def score_ranking(ranked: list[str], relevant: dict[str, int]) -> RankingScores:
    return RankingScores(
        recall_at_5=recall_at(ranked, relevant, 5),
        success_at_5=success_at(ranked, relevant, 5),
        mrr=reciprocal_rank(ranked, relevant),
        ndcg_at_10=ndcg_at(ranked, relevant),
    )


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True)
class SearchEvalResult:
    """One gold set scored: per mode and, for hybrid, per query kind; no-answer accuracy."""

    queries: int
    answerable: int
    modes: dict[str, RankingScores]
    hybrid_by_kind: dict[str, RankingScores]
    no_answer_accuracy: float
    gold_problems: list[str]

    def as_dict(self) -> dict:
        """The numbers as ``taizhang eval`` scorers return them (``eval/run.py``)."""
        return {
            "queries": self.queries, "answerable": self.answerable,
            "modes": {m: s.by_name() for m, s in self.modes.items()},
            "hybrid_by_kind": {k: s.by_name() for k, s in self.hybrid_by_kind.items()},
            "no_answer_accuracy": self.no_answer_accuracy, "gold_problems": self.gold_problems,
        }


# ----------------------------------------------------------------------------- running


def ensure_index(settings: Settings) -> None:
    """Build or refresh the index from the registry when it is missing or stale."""
    from extractors.registry.store import Registry
    from search_api.index.indexing import refresh_index

    with Registry.open(settings) as registry:
        if not registry.documents():
            raise SystemExit("eval search: the registry is empty; run `taizhang build` first")
        if (report := refresh_index(settings, registry)) is not None:
            print(f"eval search: index missing or stale, rebuilt: {report}")


def evaluate(settings: Settings, gold: list[GoldQuery], verbose: bool = False) -> SearchEvalResult:
    from search_api.search.engine import SearchEngine

    engine = SearchEngine(settings)
    index = engine.index()
    problems = sorted({f"{q.id}: unknown id {i}" for q in gold for i in q.relevant if i not in index.cards})
    per_mode: dict[str, list[RankingScores]] = {m: [] for m in MODES}
    per_kind: dict[str, list[RankingScores]] = defaultdict(list)
    no_answer_right: list[float] = []
    details = []
    for q in gold:
        for mode in MODES:
            response = engine.search(q.query, k=10, mode=mode)
            ranked = [h.card.item_id for h in response.hits]
            if mode == "hybrid":
                expected = q.kind == "no_answer"
                no_answer_right.append(1.0 if response.no_answer == expected else 0.0)
                details.append((q, ranked, response))
            if q.kind == "no_answer":
                continue
            scores = score_ranking(ranked, q.relevant)
            per_mode[mode].append(scores)
            if mode == "hybrid":
                per_kind[q.kind].append(scores)
    result = SearchEvalResult(
        queries=len(gold),
        answerable=sum(q.kind != "no_answer" for q in gold),
        modes={m: RankingScores.mean_of(per_mode[m]) for m in MODES},
        hybrid_by_kind={k: RankingScores.mean_of(v) for k, v in per_kind.items()},
        no_answer_accuracy=round(mean(no_answer_right), 3),
        gold_problems=problems,
    )
    if verbose:
        _print_details(details)
    return result


def _print_details(details) -> None:
    for q, ranked, response in details:
        answers = [i for i, g in q.relevant.items() if g == 2]
        first = next((i for i, r in enumerate(ranked, 1) if r in answers), None)
        flag = "NA " if response.no_answer else "   "
        print(f"{flag}{q.id:28s} conf={response.confidence:.2f} first={first} {q.query}")
        if first != 1 and q.kind != "no_answer":
            for r in ranked[:3]:
                print(f"      got {r}")


def print_tables(result: SearchEvalResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"search: {result.answerable} answerable of {result.queries} queries")
    table.add_column("mode")
    for name in METRICS:
        table.add_column(name, justify="right")
    for mode in MODES:
        table.add_row(mode, *(f"{v:.3f}" for v in result.modes[mode].by_name().values()))
    console.print(table)
    kinds = Table(title="hybrid by query kind")
    kinds.add_column("kind")
    for name in METRICS:
        kinds.add_column(name, justify="right")
    for kind, scores in sorted(result.hybrid_by_kind.items()):
        kinds.add_row(kind, *(f"{v:.3f}" for v in scores.by_name().values()))
    console.print(kinds)
    console.print(f"no-answer accuracy (hybrid, all queries): {result.no_answer_accuracy:.3f}")
    for problem in result.gold_problems:
        console.print(f"[red]gold problem[/red] {problem}")


HELDOUT = GOLD.with_name("queries_heldout.yaml")
# Written blind (by someone who never ran the search) after the method was fixed. Its paraphrase
# misses later prompted the everyday-wording synonym groups, so it is no longer blind.
HELDOUT_SEEN = GOLD.with_name("queries_heldout2.yaml")
# Written blind after those groups, by a helper that saw neither the results, the lexicons nor the
# other sets: the fairest stand-in for queries from outside the repository. Never tune on it.
HELDOUT_BLIND = GOLD.with_name("queries_heldout3.yaml")
HELDOUT_SETS = (("heldout", HELDOUT), ("heldout_seen", HELDOUT_SEEN), ("heldout_blind", HELDOUT_BLIND))


def main(settings: Settings, verbose: bool = False, gold: Path = GOLD) -> dict:
    ensure_index(settings)
    result = evaluate(settings, load_gold(gold), verbose=verbose)
    print_tables(result)
    return result.as_dict()


def main_heldout(settings: Settings, verbose: bool = False) -> dict:
    """The held-out sets: the honest numbers, one table each (see HELDOUT_SETS for what each has
    been used for)."""
    out = {}
    for name, path in HELDOUT_SETS:
        print(f"\n{name}: {path.name}")
        out[name] = main(settings, verbose=verbose, gold=path)
    return out


if __name__ == "__main__":
    main(Settings(), verbose="--verbose" in sys.argv,
         gold=HELDOUT if "--heldout" in sys.argv else GOLD)
