"""Cross-document consistency checks: conflicting targets and rules, each with both quotes.

Pure functions over the typed model:

    check_targets(targets, metas)          numbers: conflict, basis_mismatch, year_drift,
                                           superseded, consistent, part_exceeds_whole
    check_documents(docs, tasks, targets)  the above, totals and their parts (其中…分别),
                                           rules read from the text (consistency_claims/_rules:
                                           caps, counts, levels, tiers) and the lead units of
                                           the same measure (consistency_leads)
    check_registry(registry)               the same over everything a Registry holds

How targets are read and paired: consistency_align (indicators, units, basis) and
consistency_scopes (places, parks, issuers, document order); the tables are YAML in lexicons/.

Every Finding carries Evidence on both sides (quote, SourceRef, target/task id, typed reading),
the id of the check that fired, a severity and a one-line reason in Chinese. ``left`` is the
older document, ``right`` the newer; ``newer`` says which side is newer when dates tell.
Not compared at all: different indicators or sectors, baselines against targets, units of
different kinds, different years (except the same value: year_drift). Nested scopes (全市 and
one park) are only checked for a part exceeding its whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from extractors.checks.align import ProposeFn, Reading, aligned_pairs, indicator_lexicon, read_targets
from extractors.checks.findings import SEVERITY_ORDER, make_finding, target_evidence
from extractors.checks.scopes import Relation, authority, doc_rank, newer_of
from pipeline.model import DocumentMeta, Finding, Target

GROWTH_LABEL = {
    "level": "总量",
    "single": "单年增长",
    "annual_avg": "年均增长",
    "cumulative": "累计",
}


def ordered(a: Reading, b: Reading) -> tuple[Reading, Reading]:
    """Older document on the left; within a document, earlier text first."""
    ka = (doc_rank(a.meta), a.target.doc_id, a.target.span.start)
    kb = (doc_rank(b.meta), b.target.doc_id, b.target.span.start)
    return (a, b) if ka <= kb else (b, a)


def _doc_label(meta: DocumentMeta) -> str:
    status = "" if meta.status in ("正式", "未知") else f"（{meta.status}）"
    return f"《{meta.title}》{status}"


def _pair_finding(
    kind: str, severity: str, rule: str, reason: str, a: Reading, b: Reading
) -> Finding:
    left, right = ordered(a, b)
    return make_finding(
        kind=kind,
        severity=severity,
        rule=rule,
        reason=reason,
        left=target_evidence(left),
        right=target_evidence(right),
        left_id=left.target.target_id,
        right_id=right.target.target_id,
        newer=newer_of(left.meta, right.meta),
    )


def _equal(a: Reading, b: Reading) -> bool:
    return a.low == b.low and a.high == b.high


def _disjoint(a: Reading, b: Reading) -> bool:
    return (a.high is not None and b.low is not None and a.high < b.low) or (
        b.high is not None and a.low is not None and b.high < a.low
    )


def _fmt(d: Decimal | None) -> str:
    if d is None:
        return "∞"
    text = format(d.normalize(), "f")
    return text


def _basis_differences(a: Reading, b: Reading) -> list[str]:
    out = []
    if a.growth != b.growth:
        out.append(f"{GROWTH_LABEL[a.growth]} vs {GROWTH_LABEL[b.growth]}")
    if a.scale != b.scale:
        out.append(f"{a.scale or '全部企业'} vs {b.scale or '全部企业'}")
    return out


def _classify_same_scope(a: Reading, b: Reading) -> Finding | None:
    scale = a.scale_label if a.scale == b.scale else ""
    what = f"{a.scope}{scale}{a.key.sector or ''}{a.key.indicator}"
    if a.year != b.year:
        if (
            a.year
            and b.year
            and a.target.doc_id != b.target.doc_id
            and _equal(a, b)
            and not _basis_differences(a, b)
        ):
            left, right = ordered(a, b)
            reason = f"{what}同一目标值对应年份不同：{left.year}年 vs {right.year}年"
            return _pair_finding("year_drift", "medium", "target.year_drift", reason, a, b)
        return None
    basis = _basis_differences(a, b)
    if a.key.known and b.key.known and a.key.indicator != b.key.indicator:
        basis.insert(0, f"{a.key.indicator} vs {b.key.indicator}")  # related indicators
    if basis:
        reason = f"{what}口径不同（{'；'.join(basis)}），两处数值不能直接比较"
        return _pair_finding("basis_mismatch", "low", "target.basis_mismatch", reason, a, b)
    if _equal(a, b):
        reason = f"{what}两处表述一致，互相印证"
        return _pair_finding("consistent", "info", "target.consistent", reason, a, b)
    left, right = ordered(a, b)
    newer = newer_of(left.meta, right.meta)
    span = f"{left.parsed()} vs {right.parsed()}"
    if _disjoint(a, b):
        if newer and left.meta.doc_id != right.meta.doc_id:
            new, old = (right, left) if newer == "right" else (left, right)
            if authority(new.meta) >= authority(old.meta) > 0:
                reason = f"较新的{_doc_label(new.meta)}改写了该目标：{span}"
                return _pair_finding("superseded", "medium", "target.superseded", reason, a, b)
            newer_note = f"；较新的{_doc_label(new.meta)}由较低层级机关印发，不能取代前者"
        else:
            newer_note = ""
        reason = f"{what}目标值不一致，两者不能同时成立：{span}{newer_note}"
        severity = "high" if a.key.known else "medium"  # an unknown indicator may be two things
        return _pair_finding("conflict", severity, "target.value_conflict", reason, a, b)
    if a.high is None and b.high is None:  # two floors: both can hold, yet the plans differ
        reason = f"{what}下限目标不同：{span}"
        return _pair_finding("conflict", "low", "target.floor_differs", reason, a, b)
    if a.low is None and b.low is None:  # two ceilings, likewise
        reason = f"{what}上限目标不同：{span}"
        return _pair_finding("conflict", "low", "target.ceiling_differs", reason, a, b)
    return None  # compatible: a level inside the other's bound


def _classify_nested(a: Reading, b: Reading, rel: Relation) -> Finding | None:
    if a.key.indicator != b.key.indicator:
        return None  # related indicators of nested scopes say nothing about each other
    part, whole = (a, b) if rel == "part" else (b, a)
    if part.year != whole.year or part.year is None or not part.additive:
        return None
    if part.growth != "level" or whole.growth != "level" or part.tense != whole.tense:
        return None
    if part.low is None or whole.high is None or part.low <= whole.high:
        return None
    looser = part.scale is None and whole.scale == "规上"  # all enterprises vs 规上: less certain
    reason = f"局部超过整体：{part.parsed()} > {whole.parsed()}" + (
        "（口径：全部企业 vs 规上）" if looser else ""
    )
    return _pair_finding(
        "part_exceeds_whole",
        "medium" if looser else "high",
        "target.part_exceeds_whole",
        reason,
        a,
        b,
    )


def classify_pair(a: Reading, b: Reading, rel: Relation) -> Finding | None:
    """The finding for one aligned pair, or None when the two are not comparable or compatible."""
    if a.family != b.family or a.tense != b.tense:
        return None
    same_doc = a.target.doc_id == b.target.doc_id
    if same_doc and not a.key.known:
        return None  # within one document, an indicator the lexicon does not know ("总投资",
        # "道路宽度") usually belongs to different objects (projects) that the text tells apart
    if (a.year is None or b.year is None) and (same_doc or not a.key.known):
        return None
    if (
        same_doc
        and a.scope_how == b.scope_how == "title"
        and a.target.source.section_path != b.target.source.section_path
    ):
        return None  # neither names its place: two sections may be about two places we cannot tell
    if rel == "same":
        return _classify_same_scope(a, b)
    return _classify_nested(a, b, rel)


def dedupe_sorted(findings: Sequence[Finding]) -> list[Finding]:
    unique = {f.finding_id: f for f in findings}
    return sorted(
        unique.values(),
        key=lambda f: (
            SEVERITY_ORDER[f.severity],
            f.kind,
            f.left.source.doc_id,
            f.left.source.char_start,
            f.right.source.doc_id,
            f.right.source.char_start,
        ),
    )


def _statement_key(r: Reading) -> tuple:
    return (
        r.target.doc_id,
        r.key,
        r.scope,
        r.year,
        r.low,
        r.high,
        r.family,
        r.scale,
        r.growth,
        r.tense,
    )


def check_readings(readings: Sequence[Reading], propose: ProposeFn | None = None) -> list[Finding]:
    """Findings over aligned pairs. A document that states one fact twice (text and table) is
    compared with other documents once, through its first statement."""
    first: dict[tuple, str] = {}
    for r in readings:
        first.setdefault(_statement_key(r), r.target.target_id)

    def repeated(r: Reading) -> bool:
        return first[_statement_key(r)] != r.target.target_id

    found = []
    for a, b, rel in aligned_pairs(readings, propose):
        if a.target.doc_id != b.target.doc_id and (repeated(a) or repeated(b)):
            continue
        if f := classify_pair(a, b, rel):
            found.append(f)
    return dedupe_sorted(found)


def check_breakdowns(readings: Sequence[Reading], texts: dict[str, str]) -> list[Finding]:
    """A total and the parts that follow it ("…1100亿元，其中，…分别达到100亿元、300亿元、700亿元").

    Parts are the targets after the total, up to the end of the sentence the ``breakdown`` cue of
    indicators.yaml opens, of the same unit family, year and basis. Parts above the total:
    sum_mismatch; parts equal to it: 印证; parts below it: silent (the list need not be complete).
    """
    cue = indicator_lexicon().breakdown.regex
    by_doc: dict[str, list[Reading]] = defaultdict(list)
    for r in readings:
        by_doc[r.target.doc_id].append(r)
    out: list[Finding] = []
    for doc_id, rs in by_doc.items():
        text = texts.get(doc_id, "")
        rs.sort(key=lambda r: r.target.span.start)
        for n, total in enumerate(rs):
            m = cue.search(text[total.target.span.end : total.target.span.end + 20])
            if not m or total.low is None or total.low != total.high:
                continue
            stop = text.find("。", total.target.span.end + m.end())
            stop = len(text) if stop < 0 else stop
            parts = [r for r in rs[n + 1 :] if r.target.span.start < stop]
            if not parts or any(
                (p.family, p.year, p.growth, p.tense)
                != (total.family, total.year, total.growth, total.tense)
                or p.low is None
                or p.low != p.high
                for p in parts
            ):
                continue
            added = sum((p.low for p in parts), Decimal(0))
            listing = " + ".join(
                f"{p.key.sector or ''}{p.key.indicator} {_fmt(p.low)}" for p in parts
            )
            if added == total.low:
                kind, severity, rule = "consistent", "info", "target.breakdown_consistent"
                reason = f"分项之和等于总量：{listing} = {_fmt(total.low)}"
            elif added > total.low:
                kind, severity, rule = "sum_mismatch", "medium", "target.breakdown_exceeds_total"
                reason = f"分项之和超过总量：{listing} = {_fmt(added)} > {_fmt(total.low)}"
            else:
                continue
            part_ev = target_evidence(parts[0]).model_copy(update={"parsed": listing})
            out.append(
                make_finding(
                    kind=kind,
                    severity=severity,
                    rule=rule,
                    reason=reason,
                    left=target_evidence(total),
                    right=part_ev,
                    left_id=total.target.target_id,
                    right_id=parts[0].target.target_id,
                )
            )
    return out


def check_targets(
    targets: Sequence[Target], metas: dict[str, DocumentMeta], propose: ProposeFn | None = None
) -> list[Finding]:
    """Findings between targets (of one or many documents). ``metas`` by doc_id give titles,
    dates, status and issuers (document order and authority); missing ones are tolerated."""
    return check_readings(read_targets(targets, metas), propose)


