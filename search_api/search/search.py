"""Search that answers with measures and their owners.

A query is run against both collections (measures, clauses) by both retrievers (dense cosine,
BM25 with synonym expansion). Each of the four passage rankings is collapsed to *items* (a
clause counts for the measure that contains it, or for its section when no measure does), then
fused (a convex combination of min-max normalised scores by default, RRF on request), leaving
out rankings that carry no signal (BM25 on an English query). Hits are measure cards with their
lead and supporting units (and the 责任单位 a document names without saying who leads), deadlines, targets, source and the best-matching sentence with the
query's words highlighted.

"No answer" is decided by ``answer_confidence`` (see its docstring for the calibration).

``search_index`` takes its loaded index and its query embedder as arguments; a process holds
them in a ``SearchEngine`` (engine.py), which loads them once.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from pipeline.errors import IndexNotBuiltError
from pipeline.model import Span

from search_api.embedding.embed import E5_MODEL_ID, Embedder
from search_api.search.hybrid import fuse_signals, rrf
from search_api.index.index import LoadedIndex
from search_api.schemas import (
    BestSentence, FacetCount, Facets, Highlight, HitScores, ItemCard, SearchFilters, SearchHit,
    SearchMode, SearchResponse,
)
from search_api.search.intent import answering_first, filtered_confidence, read_intent
from search_api.sparse.sparse import (
    SparseIndex, find_terms, frame_words, query_terms, simplified, tokenize, top_scores,
)
from search_api.sparse.synonyms import expand_query
from search_api.unit_lookup import lookup_unit

CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
DEPTH = 300  # passages taken from each ranking before collapsing to items
FACET_POOL = 30  # facets count the top items of the unfiltered ranking


@dataclass(frozen=True)
class SearchTuning:
    """Knobs of the ranking, with the values chosen on the development queries.

    weights: weight of dense-measures, dense-clauses, sparse-measures, sparse-clauses.
    fusion: ``convex`` (min-max normalised scores, summed) or ``rrf``. Convex keeps score gaps:
        when BM25 finds one text far ahead of the rest (an exact phrase such as 拿地即可开工)
        RRF flattens that lead to a rank and the dense side, blind to the paraphrase, outvotes
        it. On the development queries convex gave recall@5 0.89 / nDCG 0.93 against RRF's
        0.87 / 0.91 (k=20) and 0.83 / 0.91 (k=60), MRR 0.957 against 0.962.
    rrf_k: RRF damping; lower lets first places count more. Each fused list holds up to a few
        hundred items and the answer is usually in the first few places of two or more lists;
        on the development queries recall@5 rose steadily from k=60 (0.82) to k=20 (0.84) and
        k=10 (0.87, but MRR fell), so 20.
    no_answer_threshold: below this ``answer_confidence`` the response says no answer.
    evidence_threshold, dense_weight, cosine_baseline_*: see ``answer_confidence``.
    """

    weights: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    fusion: Literal["rrf", "convex"] = "convex"
    rrf_k: int = 20
    no_answer_threshold: float = 0.5
    evidence_threshold: float = 0.38
    dense_weight: float = 10.0
    cosine_baseline_zh: float = 0.86
    cosine_baseline_other: float = 0.74
    intent_first: bool = True  # an owner or deadline question (intent.py): items that can
    # answer it (measures; with a deadline, for a deadline question) come before those that
    # cannot (a title, a 前言), each group in fused order. A bonus of half or all of the convex
    # range scored the same on the development queries (recall@5 0.892, MRR 0.966); one of a
    # quarter of it left 稳就业's 前言 above the measure 区人社局 leads.


@dataclass(frozen=True)
class IndexLookups:
    """What a served index generation keeps beside it so a query needs no scan of all items:
    rows_of: per item, the rows of its clause passages; measure_row: per item, its row in the
    item-level (measures) collection; unit_names: every unit name (canonical and as written);
    canonical_units: the canonical ones alone (what a typed unit name may resolve to)."""

    rows_of: dict[str, list[int]]
    measure_row: dict[str, int]
    unit_names: frozenset[str]
    canonical_units: frozenset[str]


def index_lookups(index: LoadedIndex) -> IndexLookups:
    rows: dict[str, list[int]] = {}
    for row, item_id in enumerate(index.collections["clauses"].passages.item_ids):
        rows.setdefault(item_id, []).append(row)
    measure_row: dict[str, int] = {}
    for row, item_id in enumerate(index.collections["measures"].passages.item_ids):
        measure_row.setdefault(item_id, row)
    names = frozenset(n for c in index.cards.values() for m in c.units for n in (m.canonical, m.name))
    canonicals = frozenset(m.canonical for c in index.cards.values() for m in c.units)
    return IndexLookups(rows_of=rows, measure_row=measure_row, unit_names=names, canonical_units=canonicals)


DEFAULT_TUNING = SearchTuning()


# ----------------------------------------------------------------------------- query analysis


@dataclass
class QueryPlan:
    text: str
    simplified: str
    terms: list[tuple[str, float]]  # BM25 terms with weights (own words 1, expansions less)
    own_terms: list[str]
    expansions: list[str] = field(default_factory=list)


def plan_query(query: str, freq_db: Path | None = None) -> QueryPlan:
    """freq_db: the index's jieba frequency table (``sparse.ensure_freq_db``); None loads
    jieba's dictionary (same tokens, ~1 s slower on a cold start)."""
    simple = simplified(query.strip())
    expansions = expand_query(simple)
    extra = [(w, e.weight) for e in expansions for w in e.added]
    return QueryPlan(
        text=query.strip(), simplified=simple, terms=query_terms(simple, extra, freq_db),
        own_terms=tokenize(simple, freq_db), expansions=[w for e in expansions for w in e.added],
    )


def index_freq_db(index: LoadedIndex) -> Path | None:
    if not index.meta.freq_db:
        return None
    path = index.folder.parent / index.meta.freq_db
    return path if path.exists() else None


# ----------------------------------------------------------------------------- rankings


@dataclass
class Rankings:
    """Passage rankings (row, score) per collection and retriever, best first."""

    dense: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    sparse: dict[str, list[tuple[int, float]]] = field(default_factory=dict)


def _top_sparse(sparse: SparseIndex, terms: list[tuple[str, float]], depth: int) -> list[tuple[int, float]]:
    return top_scores(sparse.scores(terms), depth)


def passage_rankings(index: LoadedIndex, plan: QueryPlan, vector: np.ndarray | None,
                     depth: int = DEPTH) -> Rankings:
    out = Rankings()
    for name, col in index.collections.items():
        if vector is not None:
            out.dense[name] = col.dense.search(vector, depth)
        if plan.terms:
            out.sparse[name] = _top_sparse(col.sparse, plan.terms, depth)
    return out


def item_ranking(index: LoadedIndex, collection: str, ranking: list[tuple[int, float]]) -> list[tuple[str, float]]:
    """Best passage per item, in order of each item's best passage."""
    item_ids = index.collections[collection].passages.item_ids
    seen: dict[str, float] = {}
    for row, score in ranking:
        seen.setdefault(item_ids[row], score)
    return list(seen.items())


def fuse_items(index: LoadedIndex, rankings: Rankings, mode: SearchMode,
               tuning: SearchTuning = DEFAULT_TUNING) -> tuple[list[tuple[str, float]], dict[str, bool]]:
    parts = {
        "dense_measures": (rankings.dense.get("measures"), tuning.weights[0], "dense"),
        "dense_clauses": (rankings.dense.get("clauses"), tuning.weights[1], "dense"),
        "sparse_measures": (rankings.sparse.get("measures"), tuning.weights[2], "sparse"),
        "sparse_clauses": (rankings.sparse.get("clauses"), tuning.weights[3], "sparse"),
    }
    names, lists, weights = [], [], []
    for name, (ranking, weight, kind) in parts.items():
        if ranking is None or (mode != "hybrid" and kind != mode) or weight <= 0:
            continue
        collection = name.split("_", 1)[1]
        names.append(name)
        lists.append(item_ranking(index, collection, ranking))
        weights.append(weight)
    floors = [-1.0 if n.startswith("dense") else 0.0 for n in names]
    fused, used = fuse_signals(lists, weights=weights, k=tuning.rrf_k, floors=floors,
                               method=tuning.fusion)
    return fused, dict(zip(names, used))


# ----------------------------------------------------------------------------- no answer


def answer_confidence(plan: QueryPlan, index: LoadedIndex, rows_of: dict[str, list[int]],
                      rankings: Rankings, tuning: SearchTuning = DEFAULT_TUNING) -> float:
    """How sure we are that the index holds an answer, in [0, 1]; below 0.5 means "no answer".

    Evidence = lexical coverage + dense_weight x (best clause cosine - baseline).
    - lexical coverage: the IDF-weighted share of the query's topic words (its own words minus
      frame words such as 牵头 / 目标 / 多少) found in one of the best BM25 items. Off-topic
      queries name things the corpus never mentions (火星, 疫苗, 高考).
    - best cosine: e5 scores every Chinese passage high (~0.85 even for unrelated text); a
      real answer reaches ~0.88-0.95. Cross-lingual (English) cosines run ~0.1 lower, hence a
      separate baseline for queries without Chinese characters.
    Either signal alone misfiles paraphrases (few shared words) or hard negatives (养老金 sits
    near 养老 text); their sum separated the development set: no-answer queries had evidence
    <= 0.32, answerable ones >= 0.45 (eval/search_eval.py --verbose prints it per query). The
    dense term is calibrated for e5-small only; with another model only coverage counts.
    """
    evidence = lexical_coverage(plan, index, rows_of, rankings)
    best = (rankings.dense.get("clauses") or [])[:1]
    if best and index.meta.model_id == E5_MODEL_ID:
        baseline = tuning.cosine_baseline_zh if CJK_CHAR.search(plan.text) else tuning.cosine_baseline_other
        evidence += tuning.dense_weight * (best[0][1] - baseline)
    return min(max(0.5 + evidence - tuning.evidence_threshold, 0.0), 1.0)


def lexical_coverage(plan: QueryPlan, index: LoadedIndex, rows_of: dict[str, list[int]],
                     rankings: Rankings, items: int = 3) -> float:
    """IDF-weighted share of the query's topic words present in one of the best BM25 items."""
    frame = frame_words()
    words = [w for w in dict.fromkeys(plan.own_terms)
             if (len(w) > 1 or not w.isascii()) and w not in frame]
    ranking = rankings.sparse.get("clauses") or []
    if not words or not ranking:
        return 0.0
    clauses = index.collections["clauses"]
    weights = {w: clauses.sparse.idf(w) for w in words}
    total = sum(weights.values())
    best = 0.0
    for item, _ in item_ranking(index, "clauses", ranking)[:items]:
        text = simplified("".join(clauses.passages.text(r) for r in rows_of.get(item, ()))).lower()
        best = max(best, sum(v for w, v in weights.items() if w in text) / total)
    return best


# ----------------------------------------------------------------------------- presenting hits


def squeeze_heading(text: str) -> str:
    return re.sub(r"[\s#*。．.、，：:；;（）()“”—]", "", text)


def best_sentence(index: LoadedIndex, rows_of: dict[str, list[int]], item_id: str,
                  rankings: Rankings, highlight_terms: list[str]) -> BestSentence | None:
    """The item's clause that best matches the query (RRF of its dense and BM25 ranks), not
    counting a clause that only repeats the item's heading, which the card shows anyway."""
    rows = set(rows_of.get(item_id, ()))
    if not rows:
        return None
    passages = index.collections["clauses"].passages
    clause_rankings = [
        [(str(r), s) for r, s in rankings.dense.get("clauses", []) if r in rows],
        [(str(r), s) for r, s in rankings.sparse.get("clauses", []) if r in rows],
    ]
    ordered = [int(r) for r, _ in rrf([r for r in clause_rankings if r])] or sorted(rows)
    card = index.cards[item_id]
    heading = {squeeze_heading(card.title), squeeze_heading(f"{card.number or ''}{card.title}")}
    row = next((r for r in ordered if squeeze_heading(passages.text(r)) not in heading), ordered[0])
    p = passages[row]
    spans = find_terms(p.text, highlight_terms)
    return BestSentence(text=p.text, span=p.span, page=p.page, line=p.line,
                        highlights=tuple(Highlight(start=a, end=b) for a, b in spans))


def facet_counts(cards: list[ItemCard]) -> Facets:
    docs, units, years, statuses = Counter(), Counter(), Counter(), Counter()
    titles: dict[str, str] = {}
    for card in cards:
        docs[card.doc_id] += 1
        titles[card.doc_id] = card.doc_title
        statuses[card.doc_status] += 1
        for unit in {m.canonical for m in card.units}:
            units[unit] += 1
        for year in card.deadline_years:
            years[str(year)] += 1

    def counts(counter: Counter, labels: dict[str, str] | None = None) -> tuple[FacetCount, ...]:
        return tuple(FacetCount(value=v, count=n, label=(labels or {}).get(v))
                     for v, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return Facets(doc=counts(docs, titles), unit=counts(units), year=counts(years),
                  status=counts(statuses))


def _score_lookup(index: LoadedIndex, rankings: dict[str, list[tuple[int, float]]]) -> dict[str, tuple[float, int]]:
    """item → (best score, best rank among items) over both collections of one retriever."""
    merged: list[tuple[str, float]] = []
    for name, ranking in rankings.items():
        merged += item_ranking(index, name, ranking)
    best: dict[str, float] = {}
    for item, score in merged:
        best[item] = max(score, best.get(item, float("-inf")))
    ordered = sorted(best.items(), key=lambda kv: -kv[1])
    return {item: (score, rank) for rank, (item, score) in enumerate(ordered, 1)}


def hit_scores(fused: float, dense: tuple[float, int] | None, sparse: tuple[float, int] | None) -> HitScores:
    return HitScores(
        fused=round(fused, 6),
        dense=None if dense is None else round(dense[0], 4), dense_rank=dense[1] if dense else None,
        sparse=None if sparse is None else round(sparse[0], 4), sparse_rank=sparse[1] if sparse else None,
    )


# ----------------------------------------------------------------------------- search


def check_mode(mode: str) -> None:
    if mode not in ("hybrid", "dense", "sparse"):
        raise ValueError(f"mode must be hybrid, dense or sparse, not {mode!r}")


def search_index(query: str, index: LoadedIndex, lookups: IndexLookups, embedder: Embedder | None,
                 k: int = 10, filters: SearchFilters | None = None, mode: SearchMode = "hybrid",
                 tuning: SearchTuning = DEFAULT_TUNING) -> SearchResponse:
    """Measures (and context sections) of ``index`` answering ``query``, best first.

    lookups: ``index_lookups(index)``, made once per generation (the engine keeps it).
        embedder: the query embedder, in the vector space the index was built in; None only in
        ``sparse`` mode. A process holds both in a ``SearchEngine``.
    k: number of hits returned. filters: doc / unit (+ role) / deadline year / doc status; a
        year or unit the question states (intent.py) fills a filter left unset.
    mode: ``hybrid`` (default), ``dense`` (embeddings only) or ``sparse`` (BM25 only).
    """
    started = time.perf_counter()
    filters = filters or SearchFilters()
    check_mode(mode)
    plan = plan_query(query, index_freq_db(index))
    if not plan.text:
        return SearchResponse(query=query, mode=mode, filters=filters, no_answer=True,
                              message="问题为空")
    intent = read_intent(plan.simplified, lookups.unit_names)
    filters, from_query = intent.merged_filters(filters)
    unit = lookup_unit(filters.unit, lookups.canonical_units, lookups.unit_names) if filters.unit else None
    if unit is not None and unit.unit is None:  # several units, or none, go by that name
        return SearchResponse(query=query, mode=mode, filters=filters, no_answer=True,
                              message=unit.message, unit_candidates=unit.candidates)
    if unit is not None:
        filters = filters.model_copy(update={"unit": unit.unit})
    vector = _query_vector(embedder, index, plan) if mode != "sparse" else None
    rankings = passage_rankings(index, plan, vector)  # BM25 always: cheap, and no-answer uses it
    fused, signals = fuse_items(index, rankings, mode, tuning)
    if tuning.intent_first:
        fused = answering_first(fused, index.cards, intent)
    confidence = answer_confidence(plan, index, lookups.rows_of, rankings, tuning)
    cards = [index.cards[item] for item, _ in fused if item in index.cards]
    facets = facet_counts(cards[:FACET_POOL])
    kept = [(item, score) for item, score in fused if filters.admits(index.cards[item])]
    dense_of = _score_lookup(index, rankings.dense)
    sparse_of = _score_lookup(index, rankings.sparse)
    terms = [w for w, _ in plan.terms if len(w) > 1]
    hits = []
    for rank, (item, score) in enumerate(kept[:k], 1):
        sentence = best_sentence(index, lookups.rows_of, item, rankings, terms)
        text, span = hit_text(index, lookups, item, sentence)
        hits.append(SearchHit(
            rank=rank, card=index.cards[item], sentence=sentence, text=text, text_span=span,
            highlights=tuple(Highlight(start=a, end=b) for a, b in find_terms(text, terms)),
            scores=hit_scores(score, dense_of.get(item), sparse_of.get(item))))
    if from_query and hits:  # the filters the question states narrowed the answers down
        confidence = filtered_confidence(
            plan.own_terms, intent, index.collections["clauses"].sparse.idf,
            [simplified(h.text).lower() for h in hits[:3]], confidence, frame_words())
    no_answer, message = False, None
    if not hits:
        no_answer, message = True, ("没有符合筛选条件的措施" if fused else "索引中没有相关内容")
    elif confidence < tuning.no_answer_threshold:
        no_answer, message = True, "未找到明确答案：以下结果与问题关联较弱，仅供参考"
    return SearchResponse(
        query=query, mode=mode, filters=filters, filters_from_query=from_query, hits=tuple(hits),
        facets=facets, no_answer=no_answer, message=message, expansions=tuple(plan.expansions),
        signals=signals, confidence=round(confidence, 3), index_generation=index.meta.generation,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def hit_text(index: LoadedIndex, lookups: IndexLookups, item_id: str,
             sentence: BestSentence | None) -> tuple[str, Span | None]:
    """What a hit shows a client without another call: a measure's own text (its span in the
    document), or for a context section the passage that matched."""
    card = index.cards[item_id]
    row = lookups.measure_row.get(item_id)
    if card.kind == "measure" and row is not None:
        passage = index.collections["measures"].passages[row]
        return passage.text, passage.span
    if sentence is not None:
        return sentence.text, sentence.span
    return card.title, None


def _query_vector(embedder: Embedder | None, index: LoadedIndex, plan: QueryPlan) -> np.ndarray:
    if embedder is None:
        raise ValueError("dense and hybrid search need a query embedder")
    if embedder.model_id != index.meta.model_id:
        raise IndexNotBuiltError(
            Path(index.folder), f"index was built with {index.meta.model_id}, "
            f"the configured model is {embedder.model_id}",
            "run `taizhang build` again after changing the embedding model",
        )
    return embedder.embed_query(plan.simplified)
