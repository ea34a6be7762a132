"""Which registered documents are versions of one another: the same title once the draft
markers (（征求意见稿）, 送审稿, 代拟稿, 修订稿) and spacing are set aside. Versions are listed
draft first (征求意见稿 → 代拟稿 → 送审稿 → 试行 → 正式), then by date."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pipeline.model import DocumentMeta

_DRAFT_MARK = re.compile(r"[（(]?\s*(?:征求意见稿|送审稿|代拟稿|修订稿|讨论稿|草案|正式稿)\s*[）)]?")
_STATUS_ORDER = {"征求意见稿": 0, "代拟稿": 1, "送审稿": 2, "试行": 3, "正式": 4, "未知": 5}


def version_key(title: str) -> str:
    """The title with draft markers, spaces and punctuation width differences removed."""
    text = unicodedata.normalize("NFKC", _DRAFT_MARK.sub("", title))
    return re.sub(r"\s+", "", text)


def version_groups(documents: Iterable[DocumentMeta]) -> list[list[DocumentMeta]]:
    """Groups of two or more documents sharing a ``version_key``, each ordered draft first."""
    groups: dict[str, list[DocumentMeta]] = {}
    for meta in documents:
        groups.setdefault(version_key(meta.title), []).append(meta)
    def order(meta: DocumentMeta) -> tuple[int, str, str]:
        return _STATUS_ORDER.get(meta.status, 5), meta.date.isoformat() if meta.date else "", meta.doc_id

    return [sorted(g, key=order) for g in groups.values() if len(g) > 1]
