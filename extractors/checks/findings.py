"""What every check produces: a Finding with evidence on both sides, and its stable id."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from extractors.checks.align import Reading
from pipeline.model import DocumentMeta, Evidence, Finding

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}


def finding_id(rule: str, left_id: str, right_id: str) -> str:
    """Stable across runs: the rule and both sides' ids, order-independent."""
    a, b = sorted((left_id, right_id))
    return hashlib.sha256(f"{rule}|{a}|{b}".encode()).hexdigest()[:16]


def make_finding(
    *,
    kind: str,
    severity: str,
    rule: str,
    reason: str,
    left: Evidence,
    right: Evidence,
    left_id: str,
    right_id: str,
    newer: str | None = None,
) -> Finding:
    if not (left.quote.strip() and right.quote.strip()):
        raise ValueError(f"{rule}: a finding needs a quote on both sides")
    return Finding(
        finding_id=finding_id(rule, left_id, right_id),
        kind=kind,
        severity=severity,
        rule=rule,
        reason=reason,
        left=left,
        right=right,
        newer=newer,
    )


def target_evidence(r: Reading) -> Evidence:
    t = r.target
    return Evidence(
        quote=t.quote, source=t.source, target_id=t.target_id, task_id=t.task_id, parsed=r.parsed()
    )


def meta_of(metas: dict[str, DocumentMeta], doc_id: str) -> DocumentMeta:
    """The document's metadata, or a stand-in titled by its id (checks tolerate missing ones)."""
    return metas.get(doc_id) or DocumentMeta(doc_id=doc_id, title=doc_id)


def split_corroboration(findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(flagged findings, consistent pairs shown as 印证)."""
    flagged = [f for f in findings if f.kind != "consistent"]
    return flagged, [f for f in findings if f.kind == "consistent"]
