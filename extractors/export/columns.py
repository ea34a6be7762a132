"""A sheet column: its header, the width range the layout may choose from, and whether it prints.

A hidden column holds what a machine or a careful reader needs but paper does not (the
``taizhang show`` locator, a measure's full text): one click away in Excel or WPS (unhide),
never printed, never counted against the page width.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str
    min_width: int = 6
    max_width: int = 40
    hidden: bool = False
