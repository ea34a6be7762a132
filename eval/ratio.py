"""The share one count is of another, for the eval reports."""

from __future__ import annotations


def ratio(part: int, whole: int) -> float:
    """``part / whole``; 1.0 when there was nothing to count (no finding missed, none wrong)."""
    return part / whole if whole else 1.0
