"""Measures' ids made unique within a document: the document's own numbering (二.（一）.1, read in
``tasks.py``) may repeat, so a number used twice gets #2; a measure repeated word for word under
the same number (a web page holding the document twice) is listed once."""

from __future__ import annotations

import re

from pipeline.model import Task

_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_NUMBER_TRIM = " \t、.．﹒。:：，,"
# ids: parentheses full-width, digits ASCII (１０． and 10. are the same item number)
_FULL_WIDTH_BRACKETS = str.maketrans(
    {"(": "（", ")": "）"}
    | {chr(0xFF10 + d): str(d) for d in range(10)}
    | {chr(0x3220 + i): f"（{n}）" for i, n in enumerate("一二三四五六七八九十")}  # ㈠ is （一）
)


def number_token(number: str) -> str:
    """An item's number as its id writes it: 二、 → 二, 1. → 1, (二) → （二）, （ 一 ） → （一）."""
    number = _PRIVATE_USE.sub("", number)  # 2\ue010: a font's glyph for the dot
    token = number.strip().strip(_NUMBER_TRIM) or number.strip()
    return re.sub(r"[\s\u3000]+", "", token).translate(_FULL_WIDTH_BRACKETS)


def unique_ids(tasks: list[Task]) -> list[Task]:
    """Ids made unique (#2 for a number used twice); a measure that repeats an earlier one word for
    word under the same number is the same measure copied twice (a web page that holds the
    document twice), listed once."""
    seen: dict[str, int] = {}
    texts: set[tuple[str, str]] = set()
    out: list[Task] = []
    for task in tasks:
        key = (task.task_id, re.sub(r"\s+", "", task.text))
        if key in texts:
            continue
        texts.add(key)
        n = seen.get(task.task_id, 0) + 1
        seen[task.task_id] = n
        out.append(task if n == 1 else task.model_copy(update={"task_id": f"{task.task_id}#{n}"}))
    return out
