"""The same measure in two documents, led by different units (lead_conflict).

Two documents of one issuing area (two city documents; never a district's 区经信局 against the
city's 市经信局) may assign the same measure. A pair of measures counts as the same when one row
of ``lead_conflict.matches`` in ``rule_claims.yaml`` holds: shared title bigrams (Dice, generic
verbs removed) and the TF-IDF cosine of title + text (unit names blanked, they are shared by every
measure of a city), each pair being each other's best match. Different lead sets: lead_conflict;
a shared lead: corroboration. An embedding similarity can replace the cosine (``similar``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

from pipeline.model import DocumentMeta, Evidence, Finding, Task

from extractors.checks.findings import make_finding, meta_of
from extractors.checks.claims import rule_lexicon
from extractors.checks.scopes import doc_rank, issuer_area, newer_of


def _bigrams(text: str) -> list[str]:
    text = re.sub(r"[^\u4e00-\u9fa5A-Za-z0-9]", "", text)
    return [text[i : i + 2] for i in range(len(text) - 1)]


def _strip_generic(text: str, words: Sequence[str]) -> str:
    for w in words:
        text = text.replace(w, "")
    return text


def _measure_text(task: Task) -> str:
    """Title and text of a measure without its unit names (shared by every measure of a city)."""
    chars = list(task.text)
    for u in (*task.lead, *task.supporting, *task.unassigned_units):
        if u.span is not None:
            for i in range(
                max(u.span.start - task.span.start, 0),
                min(u.span.end - task.span.start, len(chars)),
            ):
                chars[i] = " "
    return "".join(chars)


def _dice(x: frozenset[str], y: frozenset[str]) -> float:
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def _unit_tfidf(texts: Sequence[str]) -> list[dict[str, float]]:
    """L2-normalised TF-IDF vectors of character bigrams (smoothed idf: shared words still count
    when only two measures are compared)."""
    grams = [Counter(_bigrams(t)) for t in texts]
    df = Counter(g for c in grams for g in c)
    n = len(texts)
    out = []
    for c in grams:
        v = {g: tf * (math.log((1 + n) / (1 + df[g])) + 1) for g, tf in c.items()}
        norm = math.sqrt(sum(w * w for w in v.values())) or 1.0
        out.append({g: w / norm for g, w in v.items()})
    return out


def _neighbours(
    vectors: Sequence[dict[str, float]], group: Sequence[str], docs: Sequence[str], floor: float
) -> list[dict[int, float]]:
    """For each measure, the cosine (≥ ``floor``) with measures of other documents of the same
    ``group`` key. One sparse product (scipy) instead of a Python double loop: a registry of
    thousands of measures stays fast."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, v in enumerate(vectors):
        for g, w in v.items():
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
            vals.append(w)
    out: list[dict[int, float]] = [{} for _ in vectors]
    if not vals:
        return out
    x = csr_matrix((vals, (rows, cols)), shape=(len(vectors), len(vocab)))
    product = (x @ x.T).tocoo()
    group_ids = np.unique(np.asarray(group), return_inverse=True)[1]
    doc_ids = np.unique(np.asarray(docs), return_inverse=True)[1]
    r, c, d = product.row, product.col, product.data
    keep = (group_ids[r] == group_ids[c]) & (doc_ids[r] != doc_ids[c]) & (d >= floor)
    for i, j, sim in zip(r[keep].tolist(), c[keep].tolist(), d[keep].tolist(), strict=True):
        out[i][j] = sim
    return out


def check_leads(
    tasks: Sequence[Task],
    metas: dict[str, DocumentMeta],
    similar: Callable[[str, str], float] | None = None,
) -> list[Finding]:
    """The same measure in two documents of one issuing area, led by different units."""
    cfg = rule_lexicon().lead_conflict
    areas = {d: issuer_area(meta_of(metas, d)) for d in {t.doc_id for t in tasks}}
    led = [t for t in tasks if t.lead and areas[t.doc_id]]
    titles = [_strip_generic(t.title, cfg.generic_words) for t in led]
    title_grams = [frozenset(_bigrams(t)) for t in titles]
    texts = [
        " ".join(
            [titles[i]] * cfg.title_weight + [_strip_generic(_measure_text(t), cfg.generic_words)]
        )
        for i, t in enumerate(led)
    ]
    group = [areas[t.doc_id] or "" for t in led]
    if similar:
        sims = [
            {
                j: similar(texts[i], texts[j])
                for j in range(len(led))
                if j != i and group[j] == group[i]
            }
            for i in range(len(led))
        ]
    else:
        floor = min(m.min_similarity for m in cfg.matches)
        sims = _neighbours(_unit_tfidf(texts), group, [t.doc_id for t in led], floor)

    # for each measure, its best match in every other document: cosine + title overlap
    best: list[dict[str, tuple[float, int]]] = []
    for i in range(len(led)):
        per_doc: dict[str, tuple[float, int]] = {}
        for j, sim in sims[i].items():
            key = (sim + _dice(title_grams[i], title_grams[j]), j)
            doc = led[j].doc_id
            if doc != led[i].doc_id and (doc not in per_doc or key > per_doc[doc]):
                per_doc[doc] = key
        best.append(per_doc)
    out: list[Finding] = []
    for i, task in enumerate(led):
        for doc, (_, j) in sorted(best[i].items()):
            if doc < task.doc_id or best[j].get(task.doc_id, (0, -1))[1] != i:
                continue  # each pair of documents once; mutual best matches only
            sim, overlap = sims[i].get(j, 0.0), _dice(title_grams[i], title_grams[j])
            if any(overlap >= m.min_title_overlap and sim >= m.min_similarity for m in cfg.matches):
                out.append(_lead_finding(task, led[j], sim, metas))
    return out


def _lead_finding(a: Task, b: Task, sim: float, metas: dict[str, DocumentMeta]) -> Finding:
    ka, kb = (
        (doc_rank(meta_of(metas, a.doc_id)), a.doc_id),
        (doc_rank(meta_of(metas, b.doc_id)), b.doc_id),
    )
    left, right = (a, b) if ka <= kb else (b, a)
    leads_l, leads_r = [u.canonical for u in left.lead], [u.canonical for u in right.lead]

    def ev(t: Task, leads: list[str]) -> Evidence:
        return Evidence(
            quote=t.text,
            source=t.source,
            task_id=t.task_id,
            parsed=f"{t.title}｜牵头：{'、'.join(leads)}",
        )

    same = bool(set(leads_l) & set(leads_r))
    reason = f"同一措施（相似度{sim:.2f}）两文件牵头单位" + (
        f"一致：{'、'.join(sorted(set(leads_l) & set(leads_r)))}"
        if same
        else f"不同：{'、'.join(leads_l)} vs {'、'.join(leads_r)}"
    )
    return make_finding(
        kind="consistent" if same else "lead_conflict",
        severity="info" if same else "medium",
        rule="task.lead_consistent" if same else "task.lead_conflict",
        reason=reason,
        left=ev(left, leads_l),
        right=ev(right, leads_r),
        left_id=left.task_id,
        right_id=right.task_id,
        newer=newer_of(meta_of(metas, left.doc_id), meta_of(metas, right.doc_id)),
    )
