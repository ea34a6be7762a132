"""Which registered document a file being built IS, when its path says nothing: a renamed or
moved file gets a new doc_id (``<stem>-<sha256[:8]>``), yet a person holds it for the same
document. Its bytes say so when they are unchanged; else its 文号 (攀东府办〔2023〕4号 is issued
once), or, for documents without one, its exact title with its issuer.

What a build does with a match (``IdentityIndex.match``):
- the registered document's file is gone (renamed, moved): the new file replaces it, as an edited
  file at the same path does, and the build says so;
- its file is still there: two files claim one document (a .docx and its .pdf, a copy, a
  draft kept beside the final text). Both are kept and the build reports the pair; merging them
  silently could drop the one a person meant to keep. ``--as-version-of`` records a version.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.model import DocumentMeta

IdentityReason = Literal["content", "number", "title"]
REASON_LABEL: dict[IdentityReason, str] = {"content": "内容完全相同", "number": "文号相同",
                                           "title": "标题和发文机关相同"}

# brackets a 文号's year is written in, as typed by different offices and converters
_YEAR_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕",
                                "(": "〔", ")": "〕", "（": "〔", "）": "〕", "{": "〔", "}": "〕"})
# a title shorter than this (通知, 实施方案) names a kind of document, not one document
MIN_TITLE_CHARS = 8


def number_key(doc_number: str | None) -> str | None:
    """The 文号 with width, spaces and the year's bracket style set aside."""
    if not doc_number:
        return None
    text = unicodedata.normalize("NFKC", doc_number).translate(_YEAR_BRACKETS)
    return re.sub(r"\s+", "", text) or None


def title_key(title: str | None, issuer: str | None) -> str | None:
    """Exact title and issuer (spacing aside); None when either is missing or the title is generic."""
    if not title or not issuer:
        return None
    title = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title))
    issuer = re.sub(r"\s+", "", unicodedata.normalize("NFKC", issuer))
    return f"{title}|{issuer}" if len(title) >= MIN_TITLE_CHARS and issuer else None


def _told_apart(a: DocumentMeta, b: DocumentMeta) -> bool:
    """Same title and issuer, yet different documents: their 文号 or dates differ (this year's
    关于做好安全生产工作的通知 is not last year's)."""
    numbers = number_key(a.doc_number), number_key(b.doc_number)
    return (None not in numbers and numbers[0] != numbers[1]) or (
        a.date is not None and b.date is not None and a.date != b.date)


@dataclass(frozen=True)
class IdentityMatch:
    doc_id: str  # the registered document the file is
    reason: IdentityReason
    file_exists: bool  # its registered file is still where it was read from
    same_status: bool  # False: 征求意见稿 and 正式 of one document, versions rather than copies

    @property
    def label(self) -> str:
        return REASON_LABEL[self.reason]


class IdentityIndex:
    """The registered documents by 文号 and by title + issuer, with where their files were."""

    def __init__(self, documents: list[DocumentMeta], sources: Mapping[str, str],
                 contents: Mapping[str, str]) -> None:
        """contents: doc_id → the sha256 of its file's bytes."""
        self._sources = dict(sources)
        self._metas = {meta.doc_id: meta for meta in documents}
        self._by_content: dict[str, list[str]] = {}
        self._by_number: dict[str, list[str]] = {}
        self._by_title: dict[str, list[str]] = {}
        for meta in documents:
            self._index(meta, contents.get(meta.doc_id))

    def _index(self, meta: DocumentMeta, content: str | None) -> None:
        if content:
            self._by_content.setdefault(content, []).append(meta.doc_id)
        if (key := number_key(meta.doc_number)) is not None:
            self._by_number.setdefault(key, []).append(meta.doc_id)
        if (key := title_key(meta.title, meta.issuer)) is not None:
            self._by_title.setdefault(key, []).append(meta.doc_id)

    def add(self, meta: DocumentMeta, content: str, path: Path) -> None:
        """A document this build is storing from ``path``: a later file of the same build that
        claims it is reported as a second file of one document."""
        self._metas[meta.doc_id] = meta
        self._sources[meta.doc_id] = str(path)
        self._index(meta, content)

    def match(self, meta: DocumentMeta, content: str, path: Path, taken: Iterable[str] = ()) -> IdentityMatch | None:
        """The registered document (other than ``meta``'s and those ``taken``) that the file at
        ``path`` is by its bytes (``content``, their sha256), else its 文号, else its title and
        issuer. A document whose file is gone is preferred: that is the renamed file's old self."""
        skip = {meta.doc_id, *taken}
        here = path.resolve()
        for reason, key, table in (("content", content or None, self._by_content),
                                   ("number", number_key(meta.doc_number), self._by_number),
                                   ("title", title_key(meta.title, meta.issuer), self._by_title)):
            if key is None:
                continue
            others = [d for d in table.get(key, ()) if d not in skip and self._path(d) != here
                      and (reason != "title" or not _told_apart(meta, self._metas[d]))]
            if not others:
                continue
            gone = [d for d in others if not self._exists(d)]
            chosen = (gone or others)[0]
            return IdentityMatch(chosen, reason, file_exists=not gone,
                                 same_status=self._metas[chosen].status == meta.status)
        return None

    def _path(self, doc_id: str) -> Path | None:
        source = self._sources.get(doc_id)
        return Path(source).resolve() if source else None

    def _exists(self, doc_id: str) -> bool:
        path = self._path(doc_id)
        return path is not None and path.exists()
