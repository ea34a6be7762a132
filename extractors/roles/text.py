"""A text as the role readers read it: as written, Simplified character for character (so
offsets agree), and Simplified with its empty brackets blanked (a masked rule note leaves one).

A document's view is made once (``DocumentContext.text_view``) and handed to every statement
of it, so finding and parsing statements one by one never converts the whole text again.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from extractors.roles.items import blank_empty_brackets
from extractors.roles.marked import marked_statements
from extractors.units.names import simplify

@dataclass(frozen=True)
class TextView:
    text: str  # as written
    simplified: str  # ``simplify(text)``: same length, same offsets
    blanked: str  # ``simplified`` with its empty brackets blanked

    @functools.cached_property
    def marked(self) -> tuple[tuple[int, int], ...]:
        """Spans of the bracket and labelled statements of the whole text, found once: a
        sentence asks for those of its item (roles/sentences.py), and rescanning the item for
        each sentence made a document of 20,000 items cost minutes."""
        return tuple(marked_statements(self.simplified))

    @classmethod
    def of(cls, text: str | TextView) -> TextView:
        """The view of ``text`` (a view is returned as it is)."""
        if isinstance(text, TextView):
            return text
        simplified = simplify(text)
        return cls(text=text, simplified=simplified, blanked=blank_empty_brackets(simplified))
