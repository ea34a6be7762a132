"""Which registered documents are versions of one another, and in which order.

Three kinds of evidence join two documents (``VersionEdge.kind``):
- ``user``: a person said so (``taizhang build NEW --as-version-of OLD``), stored in the registry;
- ``title``: the same title once the draft markers (（征求意见稿）, 送审稿, 代拟稿, 修订稿, 草案,
  正式稿) and spacing are set aside;
- ``number``: the same 文号 (a document and its reissue, or a .docx and its .pdf).
The two read from the documents are worked out each time, so they follow every rebuild.

A group is every document joined to another by any of them. Its order: a linked document
comes after the one it is a version of; otherwise draft first (征求意见稿 → 代拟稿 → 送审稿 →
试行 → 正式), then by date. The version before a document is what ``taizhang diff DOC``
compares it with.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from extractors.registry.identity import number_key
from extractors.registry.version_links import VersionLink
from pipeline.model import DocumentMeta

_DRAFT_MARK = re.compile(r"[（(]?\s*(?:征求意见稿|送审稿|代拟稿|修订稿|讨论稿|草案|正式稿)\s*[）)]?")
_STATUS_ORDER = {"征求意见稿": 0, "代拟稿": 1, "送审稿": 2, "试行": 3, "正式": 4, "未知": 5}

EdgeKind = Literal["user", "title", "number"]
EDGE_LABEL: dict[EdgeKind, str] = {"user": "手工登记", "title": "标题相同（稿次标记除外）", "number": "文号相同"}


def version_key(title: str) -> str:
    """The title with draft markers, spaces and punctuation width differences removed."""
    text = unicodedata.normalize("NFKC", _DRAFT_MARK.sub("", title))
    return re.sub(r"\s+", "", text)


class VersionEdge(BaseModel):
    """Why this version belongs with ``other``."""

    model_config = ConfigDict(frozen=True)

    other: str
    kind: EdgeKind

    @property
    def label(self) -> str:
        return EDGE_LABEL[self.kind]


class VersionEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    meta: DocumentMeta
    edges: tuple[VersionEdge, ...]  # to the other members of the group


class DocumentVersions(BaseModel):
    """The versions of one document, earliest first (``doc_id`` among them)."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    versions: tuple[VersionEntry, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def previous(self) -> DocumentMeta | None:
        """The version just before ``doc_id``: what ``taizhang diff DOC`` compares it with."""
        ids = [v.meta.doc_id for v in self.versions]
        at = ids.index(self.doc_id) if self.doc_id in ids else 0
        return self.versions[at - 1].meta if at > 0 else None


def _edges(documents: Sequence[DocumentMeta], links: Iterable[VersionLink]) -> list[tuple[str, str, EdgeKind]]:
    known = {m.doc_id for m in documents}
    edges: list[tuple[str, str, EdgeKind]] = [
        (link.previous_id, link.doc_id, "user") for link in links
        if link.doc_id in known and link.previous_id in known  # a link to a pruned document is ignored
    ]
    for kind, key in (("title", lambda m: version_key(m.title)), ("number", lambda m: number_key(m.doc_number))):
        by_key: dict[str, list[str]] = {}
        for meta in documents:
            if (k := key(meta)) is not None:
                by_key.setdefault(k, []).append(meta.doc_id)
        for ids in by_key.values():
            edges += [(a, b, kind) for i, a in enumerate(ids) for b in ids[i + 1:]]
    return edges


def _order_key(meta: DocumentMeta) -> tuple[int, str, str]:
    return _STATUS_ORDER.get(meta.status, 5), meta.date.isoformat() if meta.date else "", meta.doc_id


def _ordered(members: list[DocumentMeta], before: dict[str, set[str]]) -> list[DocumentMeta]:
    """``members`` with each after every document ``before`` puts ahead of it (user links),
    else draft first, then by date (Kahn's order with the status order breaking ties)."""
    by_id = {m.doc_id: m for m in members}
    waiting = {d: {p for p in before.get(d, set()) if p in by_id and p != d} for d in by_id}
    ready = [(_order_key(by_id[d]), d) for d, preds in waiting.items() if not preds]
    heapq.heapify(ready)
    order: list[DocumentMeta] = []
    while ready:
        _, doc_id = heapq.heappop(ready)
        order.append(by_id[doc_id])
        del waiting[doc_id]
        for other, preds in waiting.items():
            if doc_id in preds:
                preds.discard(doc_id)
                if not preds:
                    heapq.heappush(ready, (_order_key(by_id[other]), other))
    # links that loop (A after B after A) cannot be honoured: the rest by the status order
    return order + sorted((by_id[d] for d in waiting), key=_order_key)


def version_sets(documents: Sequence[DocumentMeta], links: Iterable[VersionLink] = ()) -> list[DocumentVersions]:
    """Every group of two or more documents that are versions of one another, each ordered."""
    documents = list(documents)
    edges = _edges(documents, links)
    parent = {m.doc_id: m.doc_id for m in documents}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for a, b, _ in edges:
        parent[root(a)] = root(b)
    members: dict[str, list[DocumentMeta]] = {}
    for meta in documents:
        members.setdefault(root(meta.doc_id), []).append(meta)
    before: dict[str, set[str]] = {}
    for previous, later, kind in edges:
        if kind == "user":
            before.setdefault(later, set()).add(previous)
    groups = []
    for group in members.values():
        if len(group) < 2:
            continue
        ids = {m.doc_id for m in group}
        entries = tuple(VersionEntry(meta=m, edges=tuple(
            VersionEdge(other=b if a == m.doc_id else a, kind=kind) for a, b, kind in edges
            if m.doc_id in (a, b) and a in ids)) for m in _ordered(group, before))
        groups.append(DocumentVersions(doc_id=entries[-1].meta.doc_id, versions=entries))
    return sorted(groups, key=lambda g: g.versions[0].meta.title)


def version_groups(documents: Sequence[DocumentMeta], links: Iterable[VersionLink] = ()) -> list[list[DocumentMeta]]:
    """Groups of two or more documents that are versions of one another, each ordered draft first."""
    return [[v.meta for v in group.versions] for group in version_sets(documents, links)]


def versions_of(doc_id: str, documents: Sequence[DocumentMeta], links: Iterable[VersionLink] = ()) -> DocumentVersions:
    """The versions of ``doc_id`` (only itself when it has none)."""
    for group in version_sets(documents, links):
        if any(v.meta.doc_id == doc_id for v in group.versions):
            return group.model_copy(update={"doc_id": doc_id})
    own = [VersionEntry(meta=m, edges=()) for m in documents if m.doc_id == doc_id]
    return DocumentVersions(doc_id=doc_id, versions=tuple(own))


def superseded_documents(documents: Sequence[DocumentMeta],
                         links: Iterable[VersionLink] = ()) -> dict[str, str]:
    """Each document a later version supersedes → the latest version of its group.

    This is the one rule for which documents form the ledger: the latest version of each
    document does; earlier ones stay registered (searchable, diffable, ``taizhang versions``)
    but are left out of the 任务分工表, its unit lists, 督办 counts and progress templates unless a
    caller asks for every version (``Ledger.from_registry(..., all_versions=True)``).
    """
    superseded: dict[str, str] = {}
    for group in version_sets(documents, links):
        latest = group.versions[-1].meta
        for v in group.versions[:-1]:
            if _same_document(v, latest):
                superseded[v.meta.doc_id] = latest.doc_id
    return superseded


def _same_document(version: VersionEntry, latest: DocumentMeta) -> bool:
    """Whether ``version`` may be left out for ``latest``: a person linked it, or no two
    different issuers are named. Two cities' plans may share a title (数字经济发展三年行动计划):
    listing them as versions costs nothing, dropping one from the ledger would lose its tasks."""
    if any(e.kind == "user" for e in version.edges):
        return True
    issuers = {m.issuer for m in (version.meta, latest) if m.issuer}
    return len(issuers) <= 1
