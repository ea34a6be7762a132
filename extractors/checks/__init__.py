"""Cross-document consistency checks: pure functions over documents, tasks and targets.

    findings.py  the Finding every check makes, its stable id, evidence from a target
    align.py     how targets are read (indicator, unit, basis) and paired
    scopes.py    places, parks, issuers and document order
    targets.py   conflicting numbers, totals and their parts
    claims.py    rule claims read from the text (caps, counts, levels, tiers)
    rules.py     conflicts between rule claims and tiers
    leads.py     the same measure led by different units
    run.py       every check at once
"""

from extractors.checks.findings import finding_id, split_corroboration
from extractors.checks.run import check_documents, check_registry
from extractors.checks.targets import check_breakdowns, check_targets, classify_pair

__all__ = [
    "check_breakdowns", "check_documents", "check_registry", "check_targets", "classify_pair",
    "finding_id", "split_corroboration",
]
