"""Version links a person recorded (``taizhang build NEW --as-version-of OLD``): "this document
is a later version of that one". They are decisions, like corrections, so a build never drops
them: when a changed file replaces a linked document the link moves to the new doc_id in the
same transaction (``repoint_links``), and when a linked document is pruned the chain closes
over the gap (``drop_links``). Versions the registry can tell by itself (same title but for
征求意见稿…, same 文号) are not stored: they are read from the documents each time
(``extractors/relations/versions.py``), so they follow every rebuild without bookkeeping.

No foreign key to ``documents``: re-storing a document deletes and re-inserts its row, and a
cascading delete would take the person's link with it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import DateTime, String, Text, delete, insert, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LinkOrigin = Literal["user"]


class VersionLinkBase(DeclarativeBase):
    pass


class VersionLinkRow(VersionLinkBase):
    __tablename__ = "document_versions"

    doc_id: Mapped[str] = mapped_column(Text, primary_key=True)  # the later version
    previous_id: Mapped[str] = mapped_column(Text, primary_key=True, index=True)
    origin: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class VersionLink(BaseModel):
    """``doc_id`` is a later version of ``previous_id``."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    previous_id: str
    origin: LinkOrigin = "user"
    created_at: dt.datetime


_TABLE = VersionLinkRow.__table__


def record_link(conn: Connection, doc_id: str, previous_id: str, now: dt.datetime) -> None:
    """Record (again) that ``doc_id`` is a later version of ``previous_id``."""
    if doc_id == previous_id:
        return
    conn.execute(delete(_TABLE).where(_TABLE.c.doc_id == doc_id, _TABLE.c.previous_id == previous_id))
    conn.execute(insert(_TABLE).values(doc_id=doc_id, previous_id=previous_id, origin="user", created_at=now))


def _involving(conn: Connection, doc_id: str) -> list[VersionLink]:
    rows = conn.execute(select(_TABLE).where(or_(_TABLE.c.doc_id == doc_id, _TABLE.c.previous_id == doc_id)))
    return [VersionLink(doc_id=r.doc_id, previous_id=r.previous_id, origin=r.origin, created_at=r.created_at)
            for r in rows]


def _delete_involving(conn: Connection, doc_id: str) -> None:
    conn.execute(delete(_TABLE).where(or_(_TABLE.c.doc_id == doc_id, _TABLE.c.previous_id == doc_id)))


def repoint_links(conn: Connection, old: str, new: str) -> None:
    """``old`` is replaced by ``new`` (the same file, changed or renamed): its links follow."""
    if old == new:
        return
    moved = _involving(conn, old)
    _delete_involving(conn, old)
    for link in moved:
        doc_id = new if link.doc_id == old else link.doc_id
        previous_id = new if link.previous_id == old else link.previous_id
        record_link(conn, doc_id, previous_id, link.created_at)


def drop_links(conn: Connection, doc_id: str) -> None:
    """``doc_id`` leaves the registry: A ← doc ← C becomes A ← C, so the chain keeps its order."""
    links = _involving(conn, doc_id)
    _delete_involving(conn, doc_id)
    earlier = [link for link in links if link.doc_id == doc_id]
    later = [link for link in links if link.previous_id == doc_id]
    for after in later:
        for before in earlier:
            record_link(conn, after.doc_id, before.previous_id, after.created_at)


def read_links(conn: Connection) -> list[VersionLink]:
    rows = conn.execute(select(_TABLE).order_by(_TABLE.c.created_at, _TABLE.c.doc_id))
    return [VersionLink(doc_id=r.doc_id, previous_id=r.previous_id, origin=r.origin, created_at=r.created_at)
            for r in rows]
