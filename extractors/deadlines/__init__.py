"""Deadlines (完成时限) as typed values: by a date, within a period, relative to issue, recurring,
ongoing, or unspecified (按期).

    extract_deadlines("力争到2025年底，园区…", doc_date=date(2022, 4, 21))
        -> [Deadline(text="力争到2025年底", kind="by_date", date=2025-12-31, span=…)]

Phrases are data (``lexicons/deadlines.yaml``). Years inside document numbers (川办发〔2018〕45号),
titles of other documents (《…（2021—2023年）》) and baselines (截至2020年, 2020年以来, 已于2020年)
are not deadlines; nor is any dated deadline that ended before the year the document was issued
or, for an undated document, before the year it speaks from (``document_reference_year``).
Adverbs such as 持续推进, 定期, 按期 are a time frame only where the text states timing (a
完成时限 field, a bracket, a clause of their own); in running text they are verbs.
"""

from __future__ import annotations

from extractors.deadlines.find import (
    DeadlineMatch,
    deadline_matches,
    extract_deadlines,
    opening_due_year,
    parse_deadline_field,
)
from extractors.deadlines.lexicon import DeadlineLexicon, DeadlineRule, deadline_lexicon
from extractors.deadlines.years import document_reference_year, document_year, reference_years

__all__ = [
    "DeadlineLexicon", "DeadlineMatch", "DeadlineRule", "deadline_lexicon", "deadline_matches",
    "document_reference_year", "document_year", "extract_deadlines", "opening_due_year",
    "parse_deadline_field", "reference_years",
]
