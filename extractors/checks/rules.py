"""Rules, not only numbers: comparing the rule claims of documents (consistency_claims).

``check_rule_claims``: two caps on one subject that differ → rule_conflict (high); a count above
a cap that applies to it (a park of the cap's area) → rule_conflict (high when the plan is as new
as the rule, medium when the plan predates it); one level target with two years → year_drift,
with two levels in one year → conflict; agreeing caps and levels → 印证.
``check_tiers``: a tier count ("千亿级园区2个") that the parks' own targets for that year cannot
make up → sum_mismatch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pipeline.model import DocumentMeta, Finding

from extractors.checks.findings import make_finding, meta_of, target_evidence
from extractors.checks.align import Reading
from extractors.checks.claims import (  # noqa: F401  (the claim readers are part of this module's API)
    RuleClaim,
    cn_int,
    extract_rule_claims,
    rule_lexicon,
)
from extractors.checks.scopes import (
    ancestors,
    doc_rank,
    issuer_area,
    newer_of,
    scope_kind,
    scope_lexicon,
    scope_relation,
)

# --------------------------------------------------------------------------------------------
# Comparing claims


def _claim_order(
    a: RuleClaim, b: RuleClaim, metas: dict[str, DocumentMeta]
) -> tuple[RuleClaim, RuleClaim]:
    key = lambda c: (doc_rank(meta_of(metas, c.doc_id)), c.doc_id, c.source.char_start)
    return (a, b) if key(a) <= key(b) else (b, a)



def _claim_finding(kind, severity, rule, reason, a: RuleClaim, b: RuleClaim, metas) -> Finding:
    left, right = _claim_order(a, b, metas)
    return make_finding(
        kind=kind,
        severity=severity,
        rule=rule,
        reason=reason,
        left=left.evidence(),
        right=right.evidence(),
        left_id=left.claim_id,
        right_id=right.claim_id,
        newer=newer_of(meta_of(metas, left.doc_id), meta_of(metas, right.doc_id)),
    )


def _overlap(a: Sequence[str], b: Sequence[str]) -> bool:
    return any(scope_relation(x, y) != "disjoint" for x in a for y in b)


def _applies(cap: RuleClaim, count: RuleClaim, metas: dict[str, DocumentMeta]) -> bool:
    """A cap of an area applies to the parks (or counties) inside it: named so, or in documents
    issued inside it (a district's plan for its park, under the city's rule)."""
    scope = count.scopes[0]
    kind_ok = scope_kind(scope) in (("park", "park_part") if cap.per == "park" else ("district",))
    issued_in = issuer_area(meta_of(metas, count.doc_id))
    inside = {scope, *ancestors(scope)} | (
        {issued_in, *ancestors(issued_in)} if issued_in else set()
    )
    return kind_ok and (cap.doc_id == count.doc_id or any(a in inside for a in cap.scopes))


def check_rule_claims(claims: Sequence[RuleClaim], metas: dict[str, DocumentMeta]) -> list[Finding]:
    caps = [c for c in claims if c.kind == "cap"]
    counts = list(
        {(c.doc_id, c.scopes, c.subject): c for c in reversed(claims) if c.kind == "count"}.values()
    )
    levels = [c for c in claims if c.kind == "level"]
    out: list[Finding] = []
    for i, a in enumerate(caps):
        for b in caps[i + 1 :]:
            if a.subject != b.subject or a.per != b.per or not _overlap(a.scopes, b.scopes):
                continue  # two cities may set their own caps
            if a.value == b.value:
                out.append(
                    _claim_finding(
                        "consistent",
                        "info",
                        "rule.cap_consistent",
                        f"{a.subject}上限两处规定一致（≤{a.value}个）",
                        a,
                        b,
                        metas,
                    )
                )
            else:
                left, right = _claim_order(a, b, metas)
                out.append(
                    _claim_finding(
                        "rule_conflict",
                        "high",
                        "rule.cap_conflict",
                        f"{a.subject}上限规定不一致：≤{left.value}个 vs ≤{right.value}个",
                        a,
                        b,
                        metas,
                    )
                )
    for cap in caps:
        for count in counts:
            if count.subject != cap.subject or count.value is None or cap.value is None:
                continue
            if count.value > cap.value and _applies(cap, count, metas):
                in_force = doc_rank(meta_of(metas, count.doc_id)) >= doc_rank(
                    meta_of(metas, cap.doc_id)
                )
                reason = (
                    f"{count.scopes[0]}列出{count.subject}{count.value}个，"
                    f"超过“不超过{cap.value}个”的规定"
                )
                out.append(
                    _claim_finding(
                        "rule_conflict",
                        "high" if in_force else "medium",
                        "rule.count_exceeds_cap",
                        reason,
                        cap,
                        count,
                        metas,
                    )
                )
    for i, a in enumerate(levels):
        for b in levels[i + 1 :]:
            if a.subject != b.subject or not _overlap(a.scopes, b.scopes):
                continue
            if a.level == b.level and a.year == b.year:
                out.append(
                    _claim_finding(
                        "consistent",
                        "info",
                        "rule.level_consistent",
                        f"{a.subject}目标（{a.level}级，{a.year}年）两处一致",
                        a,
                        b,
                        metas,
                    )
                )
            elif a.level == b.level and a.year and b.year:
                out.append(
                    _claim_finding(
                        "year_drift",
                        "medium",
                        "rule.level_year_drift",
                        f"{a.subject}同为{a.level}级目标，年份不同：{a.year}年 vs {b.year}年",
                        a,
                        b,
                        metas,
                    )
                )
            elif a.level != b.level and a.year == b.year and a.year:
                out.append(
                    _claim_finding(
                        "conflict",
                        "high",
                        "rule.level_conflict",
                        f"{a.year}年{a.subject}目标不一致：{a.level}级 vs {b.level}级",
                        a,
                        b,
                        metas,
                    )
                )
    return out


def _members(
    group: str, readings: Sequence[Reading], metas: dict[str, DocumentMeta]
) -> tuple[str, ...]:
    """The parks of a park group: from the lexicon, else the parks that documents issued inside
    the group's area set targets for (then the list may be incomplete)."""
    entry = scope_lexicon().by_id.get(group)
    if entry is not None:
        return entry.members
    area = group.removesuffix("园区")
    found = []
    for r in readings:
        issued_in = issuer_area(meta_of(metas, r.target.doc_id)) or ""
        if scope_kind(r.scope) == "park" and (issued_in == area or area in ancestors(issued_in)):
            found.append(r.scope)
    return tuple(dict.fromkeys(found))


def check_tiers(
    claims: Sequence[RuleClaim], readings: Sequence[Reading], metas: dict[str, DocumentMeta]
) -> list[Finding]:
    """A tier count ("千亿级园区2个") the parks' own targets for that year cannot make up."""
    out: list[Finding] = []
    tiers = [c for c in claims if c.kind == "tier" and c.year]
    by_group: dict[tuple[str, str, int], list[RuleClaim]] = defaultdict(list)
    for c in tiers:
        by_group[(c.doc_id, c.scopes[0], c.year)].append(c)
    for (_, group, year), group_tiers in by_group.items():
        members = _members(group, readings, metas)
        if not members:
            continue
        best: dict[str, Reading] = {}
        for r in readings:
            if (
                r.year == year
                and r.tense == "target"
                and r.growth == "level"
                and r.key.sector is None
                and r.key.indicator in group_tiers[0].subject.split("|")
                and r.low is not None
            ):
                member = next((m for m in members if r.scope == m or m in ancestors(r.scope)), None)
                if member and (member not in best or r.low > best[member].low):
                    best[member] = r
        for tier in sorted(group_tiers, key=lambda c: -c.threshold):
            required = sum(c.value for c in group_tiers if c.threshold >= tier.threshold)
            reached = sorted(m for m, r in best.items() if r.low >= tier.threshold)
            short = sorted(
                (r for m, r in best.items() if r.low < tier.threshold), key=lambda r: -r.low
            )
            if len(reached) >= required or not short:
                continue
            reached_text = (
                "、".join(f"{m}（{best[m].target.quote.strip()}）" for m in reached) or "无"
            )
            reason = (
                f"要求{year}年{tier.threshold}亿元级及以上园区共{required}个，各园区{year}年目标只有"
                f"{len(reached)}个达到：{reached_text}；差距最小的是{short[0].scope}（{short[0].parsed()}）"
            )
            complete = len(best) == len(members) and bool(scope_lexicon().by_id.get(group))
            out.append(
                make_finding(
                    kind="sum_mismatch",
                    severity="medium" if complete else "low",
                    rule="rule.tier_count",
                    reason=reason,
                    left=tier.evidence(),
                    right=target_evidence(short[0]),
                    left_id=tier.claim_id,
                    right_id=short[0].target.target_id,
                    newer=newer_of(meta_of(metas, tier.doc_id), short[0].meta),
                )
            )
    return out
