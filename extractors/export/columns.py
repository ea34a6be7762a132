"""A sheet column: its header and the width range the layout may choose from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str
    min_width: int = 6
    max_width: int = 40
