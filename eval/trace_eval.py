"""``taizhang eval trace``: 承接 links against hand gold.

Two sets, reported apart: the bundled corpus's chain (``eval/gold/trace.yaml``; the trace
settings were chosen on it) and pairs of real development documents from ``../shared/realdocs/``
(``eval/gold/trace_realdocs.yaml``, scored when that folder is at hand; a national 实施方案 and a
ministry's 工作方案, a national 规划 and a city's 行动计划). For each pair ``taizhang trace`` links
the measures with the project's tokenizer and embedder (``settings.embedding_model``). A predicted
link is right when the gold lists it, neither right nor wrong when the gold marks it optional,
wrong otherwise; recall counts the non-optional gold links found. The gaps are scored the same
way: an upper measure is truly 未承接 when the gold gives it no link at all (optional ones included).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from eval import realdocs_eval
from eval.ratio import ratio
from extractors.relations.trace import TraceReport
from extractors.run import Extraction, extract_document
from pipeline.run import parse_file
from pipeline.settings import Settings
from search_api.embedding.embed import Embedder, make_embedder
from search_api.trace_cli import trace_extractions

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "eval" / "gold" / "trace.yaml"
REAL_GOLD = REPO / "eval" / "gold" / "trace_realdocs.yaml"


class TracePair(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    upper: str
    lower: str
    titles: dict[str, dict[str, str]]  # upper / lower → {path: title}, checked against extraction
    links: tuple[tuple[str, str], ...]
    optional: tuple[tuple[str, str], ...] = ()
    # measures the extraction found only after the gold was written (ids of the upper and the
    # lower document): links to them are neither right nor wrong, and they are not gaps
    unscored: dict[str, tuple[str, ...]] = {}


def load_gold(path: Path = GOLD) -> list[TracePair]:
    return [TracePair.model_validate(p) for p in yaml.safe_load(path.read_text(encoding="utf-8"))["pairs"]]


def title_problems(pair: TracePair, upper: Extraction, lower: Extraction) -> list[str]:
    """Gold ids whose measure is missing or titled otherwise (the gold would score nonsense)."""
    problems = []
    for side, ex in (("upper", upper), ("lower", lower)):
        titles = {t.task_id.split(":", 1)[1]: t.title for t in ex.tasks}
        for path, title in pair.titles[side].items():
            if titles.get(path) != title:
                problems.append(f"{ex.document.doc_id}:{path} is {titles.get(path)!r}, gold says {title!r}")
    for a, b in (*pair.links, *pair.optional):
        if a not in pair.titles["upper"] or b not in pair.titles["lower"]:
            problems.append(f"link ({a}, {b}) names a measure not in the gold's titles")
    return problems


@dataclass(frozen=True)
class PairScore:
    """One pair's links against its gold (or a set's totals, ``missed`` and ``wrong_links`` empty)."""

    right: int = 0
    wrong: int = 0
    gold: int = 0
    untaken_right: int = 0  # upper measures the linker and the gold both call 未承接
    untaken_pred: int = 0
    untaken_gold: int = 0
    missed: tuple[tuple[str, str], ...] = ()
    wrong_links: tuple[tuple[str, str], ...] = ()

    @property
    def precision(self) -> float:
        return ratio(self.right, self.right + self.wrong)

    @property
    def recall(self) -> float:
        return ratio(self.right, self.gold)

    def __add__(self, other: PairScore) -> PairScore:
        return PairScore(*(getattr(self, f) + getattr(other, f) for f in _COUNTS))

    def line(self, name: str) -> str:
        return (f"{name:66} {self.gold:5} {self.right:6} {self.wrong:6} {self.precision:6.3f} {self.recall:6.3f}  "
                f"{ratio(self.untaken_right, self.untaken_pred):.2f}/{ratio(self.untaken_right, self.untaken_gold):.2f}")


_COUNTS = ("right", "wrong", "gold", "untaken_right", "untaken_pred", "untaken_gold")


def score_pair(pair: TracePair, report: TraceReport) -> PairScore:
    new_upper, new_lower = set(pair.unscored.get("upper", ())), set(pair.unscored.get("lower", ()))
    predicted = {(a, b) for a, b in ((link.upper.task_id.split(":", 1)[1], link.lower.task_id.split(":", 1)[1])
                                     for link in report.links) if a not in new_upper and b not in new_lower}
    gold, optional = set(pair.links), set(pair.optional)
    right, wrong = predicted & gold, predicted - gold - optional
    linked_upper = {a for a, _ in (*pair.links, *pair.optional)}
    untaken_pred = {r.task_id.split(":", 1)[1] for r in report.untaken} - new_upper
    upper_ids = {link.upper.task_id.split(":", 1)[1] for link in report.links} | untaken_pred
    untaken_gold = upper_ids - linked_upper
    return PairScore(
        right=len(right), wrong=len(wrong), gold=len(gold), untaken_right=len(untaken_pred & untaken_gold),
        untaken_pred=len(untaken_pred), untaken_gold=len(untaken_gold),
        missed=tuple(sorted(gold - predicted)), wrong_links=tuple(sorted(wrong)),
    )


def score_set(name: str, pairs: list[TracePair], load: Callable[[str], Extraction],
              embedder: Embedder) -> dict:
    """Score ``pairs`` (documents read by ``load``), print a line per pair and the set's total;
    the total as the numbers ``taizhang eval`` reports."""
    total = PairScore()
    problems: list[str] = []
    for pair in pairs:
        upper, lower = load(pair.upper), load(pair.lower)
        problems += title_problems(pair, upper, lower)
        score = score_pair(pair, trace_extractions(upper, [lower], embedder))
        total = total + score
        print(score.line(pair.upper + " → " + pair.lower))
        for a, b in score.missed:
            print(f"    missed {a} → {b}")
        for a, b in score.wrong_links:
            print(f"    wrong  {a} → {b}")
    print(total.line(name))
    counts = {f: getattr(total, f) for f in _COUNTS}
    return {"precision": total.precision, "recall": total.recall, **counts, "gold_problems": problems}


def main(settings: Settings | None = None, embedder: Embedder | None = None) -> dict:
    """Both sets; the corpus's figures at the top level (the aim: P ≥ 0.85 at R ≥ 0.80), the real
    pairs' under ``realdocs`` (None when ../shared/realdocs is not here)."""
    settings = settings or Settings()
    embedder = embedder or make_embedder(settings)
    print(f"承接 links vs eval/gold/trace.yaml and trace_realdocs.yaml (embedder: {settings.embedding_model})")
    print(f"{'upper → lower':66} {'gold':>5} {'right':>6} {'wrong':>6} {'P':>6} {'R':>6}  未承接 P/R")

    def corpus(stem: str) -> Extraction:
        return extract_document(parse_file(REPO / "corpus" / f"{stem}.txt", settings=settings))

    result = score_set("all (corpus)", load_gold(), corpus, embedder)
    result["realdocs"] = None
    if realdocs_eval.available():
        result["realdocs"] = score_set("all (real development documents)", load_gold(REAL_GOLD),
                                       lambda stem: extract_document(realdocs_eval.parse_realdoc(stem, settings)),
                                       embedder)
    else:
        print(f"real pairs not scored: {realdocs_eval.REALDOCS_DIR} is not here")
    for p in result["gold_problems"] + (result["realdocs"] or {}).get("gold_problems", []):
        print("  gold problem: " + p)
    return result


if __name__ == "__main__":
    main()
