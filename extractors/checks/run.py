"""Every cross-document check at once: over given documents, or over what a Registry holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from extractors.checks.align import ProposeFn, read_targets
from extractors.checks.claims import extract_rule_claims
from extractors.checks.leads import check_leads
from extractors.checks.rules import check_rule_claims, check_tiers
from extractors.checks.targets import check_breakdowns, check_readings, dedupe_sorted
from pipeline.model import Document, Finding, Target, Task

if TYPE_CHECKING:
    from extractors.registry.store import Registry


def check_documents(
    documents: Sequence[Document],
    tasks: Sequence[Task],
    targets: Sequence[Target],
    *,
    propose: ProposeFn | None = None,
    similar: Callable[[str, str], float] | None = None,
) -> list[Finding]:
    """Every check: targets, rule claims read from the documents' text, tiers, lead units."""
    metas = {d.doc_id: d.meta for d in documents}
    readings = read_targets(targets, metas)
    claims = [c for d in documents for c in extract_rule_claims(d)]
    findings = [
        *check_readings(readings, propose),
        *check_breakdowns(readings, {d.doc_id: d.text for d in documents}),
        *check_rule_claims(claims, metas),
        *check_tiers(claims, readings, metas),
        *check_leads(tasks, metas, similar),
    ]
    return dedupe_sorted(findings)


def check_registry(registry: Registry) -> list[Finding]:
    """Run every check over the documents, tasks and targets the registry holds."""
    documents = [d for m in registry.documents() if (d := registry.document(m.doc_id)) is not None]
    return check_documents(documents, registry.tasks(), registry.targets())


