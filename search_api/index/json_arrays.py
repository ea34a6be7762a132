"""The JSON arrays of an index generation (cards.json, <collection>.passages.json), read one
item at a time (``array_items``); a build copying them cuts them as bytes (``previous.py``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def array_items(path: Path) -> Iterator[Any]:
    """The items of the JSON array in ``path``, decoded one at a time. ``json.loads`` would hold
    every item's dict at once, and the memory Python takes for them stays with the process: the
    passages of 1,000 documents left 245 MB behind that way, 115 MB this way."""
    text = path.read_text(encoding="utf-8")
    decode = json.JSONDecoder().raw_decode
    i, n = text.index("[") + 1, len(text)
    while True:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n:
            raise ValueError(f"{path.name}: the array is not closed")
        if text[i] == "]":
            return
        item, i = decode(text, i)
        yield item
