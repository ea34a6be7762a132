"""A text as the role readers read it: as written, Simplified character for character (so
offsets agree), and Simplified with its empty brackets blanked (a masked rule note leaves one).

A document's view is made once (``DocumentContext.text_view``) and handed to every statement
of it, so finding and parsing statements one by one never converts the whole text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.units.names import simplify

_EMPTY_BRACKETS = re.compile(r"[（(]\s*[）)]")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


def blank_empty_brackets(s: str) -> str:
    """``s`` with its empty brackets (（ ）, ( )) replaced by spaces, same length."""
    return _EMPTY_BRACKETS.sub(_blank, s)


@dataclass(frozen=True)
class TextView:
    text: str  # as written
    simplified: str  # ``simplify(text)``: same length, same offsets
    blanked: str  # ``simplified`` with its empty brackets blanked

    @classmethod
    def of(cls, text: str | TextView) -> TextView:
        """The view of ``text`` (a view is returned as it is)."""
        if isinstance(text, TextView):
            return text
        simplified = simplify(text)
        return cls(text=text, simplified=simplified, blanked=blank_empty_brackets(simplified))
