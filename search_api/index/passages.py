"""A loaded collection's passages, held as plain rows (``PassageTable``)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from pipeline.model import Span

from search_api.schemas import Passage


class PassageTable(Sequence[Passage]):
    """A loaded collection's passages, one tuple per row; a row becomes a ``Passage`` only when
    asked for. A loaded index holds every passage (1.7 million at 10,000 documents), and one
    pydantic object each, with its span, its dict and its field set, made up most of the 8.9 GB
    such an index took in memory. ``item_ids`` is the column queries read most."""

    __slots__ = ("item_ids", "_rows")

    def __init__(self, rows: Iterable[dict]) -> None:
        intern = sys.intern  # doc ids, item ids, kinds and section ids repeat across passages
        item_ids: list[str] = []
        table: list[tuple] = []
        for row, p in enumerate(rows):
            if p["pid"] != row:
                raise ValueError(f"passage {p['pid']} stored at row {row}")
            item_ids.append(intern(p["item_id"]))
            section = p.get("section_id")
            table.append((intern(p["kind"]), intern(p["doc_id"]), section and intern(section),
                          p.get("clause_id"), p["text"], p["span"]["start"], p["span"]["end"],
                          p.get("page", 1), p.get("line", 1)))
        self.item_ids, self._rows = item_ids, table

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, row: int) -> Passage:  # type: ignore[override]
        kind, doc_id, section_id, clause_id, text, start, end, page, line = self._rows[row]
        return Passage(pid=row if row >= 0 else len(self._rows) + row, kind=kind,
                       item_id=self.item_ids[row], doc_id=doc_id, section_id=section_id,
                       clause_id=clause_id, text=text, span=Span(start=start, end=end), page=page,
                       line=line)

    def text(self, row: int) -> str:
        return self._rows[row][4]
