"""Every cross-document check at once: over given documents, or over what a Registry holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from extractors.checks.align import ProposeFn, read_targets
from extractors.checks.claims import extract_rule_claims
from extractors.checks.leads import check_leads
from extractors.checks.rules import check_rule_claims, check_tiers
from extractors.checks.targets import check_breakdowns, check_readings, dedupe_sorted
from extractors.relations.versions import superseded_documents
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


def check_registry(registry: Registry, all_versions: bool = False) -> list[Finding]:
    """Run every check over the documents, tasks and targets the registry holds: the latest
    version of each document (a 征求意见稿 and its 正式稿 would otherwise contradict each other on
    every figure they changed), or every version with ``all_versions``."""
    metas = registry.documents()
    superseded = {} if all_versions else superseded_documents(metas, registry.version_links())
    documents = [d for m in metas if m.doc_id not in superseded and (d := registry.document(m.doc_id)) is not None]
    tasks = [t for t in registry.tasks() if t.doc_id not in superseded]
    targets = [t for t in registry.targets() if t.doc_id not in superseded]
    return check_documents(documents, tasks, targets)


