"""承接 traceability: which measures of lower documents implement each measure of an upper one.

``trace_documents`` scores every (upper, lower) pair of measures by words (BM25 cosine), meaning
(embedding cosine, from an injected ``embed`` callable), shared target indicators and unit
correspondence across levels (``similarity.py``), links each lower measure to the upper measures
it scores best with, and reports the gaps: upper measures no lower document takes up (未承接),
lower measures with no upper source (自选动作), and links whose target or deadline the lower
document changed (weaker than the upper one is flagged 弱化). Every link carries both quotes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Literal

from extractors.relations.diff import Frozen, MeasureRef, measure_ref, target_reading
from extractors.relations.similarity import (
    bm25_cosine,
    dense_part,
    relations_lexicon,
    unit_part,
)
from extractors.relations.text import bigrams, content_text, dice
from extractors.run import Extraction
from pipeline.model import Clause, Evidence, Target, Task

Tokenize = Callable[[str], list[str]]
# texts → one row per text, L2-normalised (the project's Embedder.embed_passages)
Embed = Callable[[list[str]], Sequence[Sequence[float]]]
Verdict = Literal["same", "changed", "weaker", "stronger", "missing"]
LinkStatus = Literal["承接", "调整", "弱化"]
MIN_EVIDENCE_BIGRAMS = 6  # a sentence with fewer is a heading or a bare list of units
GREATER_IS_STRONGER = {"ge": True, "gt": True, "eq": True, "approx": True, "increase_by": True,
                       "le": False, "lt": False, "decrease_by": True}


class ScoreParts(Frozen):
    lexical: float
    dense: float | None  # None when no embedder was given
    targets: float
    units: float
    total: float


class Comparison(Frozen):
    what: str  # 时限, or the indicator
    upper: str | None
    lower: str | None
    verdict: Verdict


class TraceLink(Frozen):
    upper: MeasureRef
    lower: MeasureRef
    lower_leads: tuple[str, ...] = ()  # the lower measure's 牵头单位 (canonical names)
    lower_responsible: tuple[str, ...] = ()  # units it names with no role (责任单位, never a lead)
    score: ScoreParts
    evidence: tuple[Evidence, Evidence]  # the closest sentence of each, with page and line
    comparisons: tuple[Comparison, ...] = ()
    status: LinkStatus = "承接"


class Coverage(Frozen):
    doc_id: str
    title: str
    upper_taken: int  # upper measures this lower document takes up
    upper_total: int
    own_actions: int  # its measures with no upper source


class TraceReport(Frozen):
    upper_doc: str
    upper_title: str
    links: tuple[TraceLink, ...]
    untaken: tuple[MeasureRef, ...]  # 未承接: no lower document takes it up
    own_actions: tuple[MeasureRef, ...]  # 自选动作
    coverage: tuple[Coverage, ...]


def trace_documents(upper: Extraction, lowers: Sequence[Extraction], tokenize: Tokenize,
                    embed: Embed | None = None) -> TraceReport:
    """Link ``upper``'s measures to those of each of ``lowers``.

    tokenize: text → terms (the BM25 tokenizer of search_api.sparse); embed: texts → unit rows
    (the project's embedder, loaded once by the caller), or None to score without meaning.
    """
    settings = relations_lexicon().trace
    upper_texts = [content_text(t) for t in upper.tasks]
    upper_tokens = [tokenize(t) for t in upper_texts]
    upper_vectors = embed(upper_texts) if embed and upper_texts else None
    links: list[TraceLink] = []
    own: list[MeasureRef] = []
    coverage: list[Coverage] = []
    for lower in lowers:
        lower_texts = [content_text(t) for t in lower.tasks]
        lexical = bm25_cosine(upper_tokens, [tokenize(t) for t in lower_texts])
        lower_vectors = embed(lower_texts) if embed and lower_texts else None
        scores = [[score_pair(up, low, lexical[i][j], _cosine(upper_vectors, lower_vectors, i, j), upper, lower)
                   for j, low in enumerate(lower.tasks)] for i, up in enumerate(upper.tasks)]
        # rank[i][j]: place of lower measure j among upper measure i's candidates in this document
        rank = [{j: n for n, j in enumerate(sorted(range(len(row)), key=lambda j, row=row: -row[j].total))}
                for row in scores]
        doc_links: list[TraceLink] = []
        for j, low in enumerate(lower.tasks):
            best = max((scores[i][j].total for i in range(len(upper.tasks))), default=0.0)
            chosen = sorted(
                (i for i in range(len(upper.tasks))
                 if scores[i][j].total >= settings.link_floor
                 and scores[i][j].total >= settings.relative_floor * best
                 and rank[i][j] < settings.upper_rank_limit),
                key=lambda i, j=j: -scores[i][j].total,
            )[: settings.max_links_per_lower]
            if not chosen:
                own.append(measure_ref(low))
            for i in chosen:
                doc_links.append(make_link(upper, upper.tasks[i], lower, low, scores[i][j]))
        taken = {link.upper.task_id for link in doc_links}
        coverage.append(Coverage(doc_id=lower.document.doc_id, title=lower.document.meta.title,
                                 upper_taken=len(taken), upper_total=len(upper.tasks),
                                 own_actions=sum(1 for r in own if r.source.doc_id == lower.document.doc_id)))
        links += doc_links
    taken_anywhere = {link.upper.task_id for link in links}
    order = {t.task_id: n for n, t in enumerate(upper.tasks)}
    links.sort(key=lambda link: (order[link.upper.task_id], -link.score.total))
    return TraceReport(
        upper_doc=upper.document.doc_id, upper_title=upper.document.meta.title, links=tuple(links),
        untaken=tuple(measure_ref(t) for t in upper.tasks if t.task_id not in taken_anywhere),
        own_actions=tuple(own), coverage=tuple(coverage),
    )


def _cosine(upper_vectors, lower_vectors, i: int, j: int) -> float | None:
    if upper_vectors is None or lower_vectors is None:
        return None
    return float(sum(a * b for a, b in zip(upper_vectors[i], lower_vectors[j], strict=True)))


def _indicators(task: Task, extraction: Extraction) -> set[str]:
    ids = set(task.target_ids)
    return {t.indicator for t in extraction.targets if t.target_id in ids}


def score_pair(upper: Task, lower: Task, lexical: float, cosine: float | None,
               upper_ex: Extraction, lower_ex: Extraction) -> ScoreParts:
    settings = relations_lexicon().trace
    w = settings.weights
    dense = dense_part(cosine, settings.dense_floor) if cosine is not None else None
    targets = 1.0 if _indicators(upper, upper_ex) & _indicators(lower, lower_ex) else 0.0
    units = unit_part(upper, lower)
    # without an embedder the words carry the weight of meaning too
    text = (w["lexical"] + w["dense"]) * lexical if dense is None else w["lexical"] * lexical + w["dense"] * dense
    total = text * (1 + w["units"] * units) * (1 + w["targets"] * targets)
    return ScoreParts(lexical=round(lexical, 4), dense=None if dense is None else round(dense, 4),
                      targets=targets, units=units, total=round(total, 4))


def make_link(upper_ex: Extraction, upper: Task, lower_ex: Extraction, lower: Task,
              parts: ScoreParts) -> TraceLink:
    comparisons = compare_commitments(upper, upper_ex, lower, lower_ex)
    verdicts = {c.verdict for c in comparisons}
    status: LinkStatus = "弱化" if "weaker" in verdicts else "调整" if verdicts - {"same"} else "承接"
    return TraceLink(upper=measure_ref(upper), lower=measure_ref(lower), score=parts,
                     lower_leads=tuple(m.canonical for m in lower.lead),
                     lower_responsible=tuple(m.canonical for m in lower.unassigned_units),
                     evidence=closest_sentences(upper_ex, upper, lower_ex, lower),
                     comparisons=comparisons, status=status)


def content_clauses(extraction: Extraction, task: Task) -> list[tuple[Clause, Counter[str]]]:
    """The measure's sentences with the bigrams of what they ask: unit names cut out, and the
    run-in title and the responsibility bracket (nothing left once units are cut) skipped."""
    unit_spans = [m.span for m in (*task.lead, *task.supporting, *task.unassigned_units) if m.span]
    out = []
    for clause in extraction.document.clauses:
        if clause.span.start < task.span.start or clause.span.end > task.span.end:
            continue
        chars = list(clause.text)
        for span in sorted(unit_spans, key=lambda s: s.start, reverse=True):
            start, end = span.start - clause.span.start, span.end - clause.span.start
            if 0 <= start < end <= len(chars):
                del chars[start:end]
        grams = bigrams("".join(chars))
        if sum(grams.values()) < MIN_EVIDENCE_BIGRAMS or task.title in clause.text[: len(task.title) + 6] \
                and len(clause.text) <= len(task.title) + 6:
            continue
        out.append((clause, grams))
    return out


def closest_sentences(upper_ex: Extraction, upper: Task, lower_ex: Extraction,
                      lower: Task) -> tuple[Evidence, Evidence]:
    """The sentence of each measure that shares most with the other (bigram Dice of what they
    ask), as evidence with its page, line and span; the whole measure when none is found."""
    best: tuple[float, Clause | None, Clause | None] = (-1.0, None, None)
    low_clauses = content_clauses(lower_ex, lower)
    for a, grams in content_clauses(upper_ex, upper):
        for b, other in low_clauses:
            score = dice(grams, other)
            if score > best[0]:
                best = (score, a, b)
    _, a, b = best

    def evidence(ex: Extraction, task: Task, clause: Clause | None) -> Evidence:
        if clause is None:
            return Evidence(quote=task.text, source=task.source, task_id=task.task_id)
        return Evidence(quote=clause.text, task_id=task.task_id,
                        source=ex.document.source_ref(clause.span, clause.section_id))

    return evidence(upper_ex, upper, a), evidence(lower_ex, lower, b)


def compare_commitments(upper: Task, upper_ex: Extraction, lower: Task,
                        lower_ex: Extraction) -> tuple[Comparison, ...]:
    """Targets on the same indicator and the dated deadlines, upper against lower."""
    out: list[Comparison] = []
    up_targets = {t.indicator: t for t in upper_ex.targets if t.target_id in set(upper.target_ids)}
    low_targets = {t.indicator: t for t in lower_ex.targets if t.target_id in set(lower.target_ids)}
    for indicator, up in up_targets.items():
        low = low_targets.get(indicator)
        out.append(Comparison(what=indicator, upper=target_reading(up),
                              lower=target_reading(low) if low else None,
                              verdict=target_verdict(up, low)))
    up_dates = [d.date for d in upper.deadlines if d.date]
    low_dates = [d.date for d in lower.deadlines if d.date]
    if up_dates:
        up_due, low_due = min(up_dates), min(low_dates) if low_dates else None
        verdict: Verdict = ("missing" if low_due is None else "same" if low_due == up_due
                            else "weaker" if low_due > up_due else "stronger")
        out.append(Comparison(what="时限", upper=str(up_due), lower=str(low_due) if low_due else None,
                              verdict=verdict))
    return tuple(out)


def target_verdict(upper: Target, lower: Target | None) -> Verdict:
    if lower is None:
        return "missing"
    if upper.year and lower.year and upper.year != lower.year:
        return "weaker" if lower.year > upper.year else "stronger"
    if upper.scope != lower.scope and upper.scope and lower.scope:
        return "changed"  # a district's share of a city total is neither weaker nor stronger
    if upper.value is None or lower.value is None or upper.comparator != lower.comparator:
        return "same" if target_reading(upper) == target_reading(lower) else "changed"
    if upper.value == lower.value:
        return "same"
    more = lower.value > upper.value
    return "stronger" if more == GREATER_IS_STRONGER.get(upper.comparator, True) else "weaker"
