"""Search shapes shared by the search core, the CLI and the API.

Cards are what the index stores per answerable item (a measure, or a section that holds text
outside any measure); hits are cards plus what the query found in them. Both reuse the
document model's types (``UnitMention``, ``Deadline``, ``SourceRef``) rather than copies.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.model import Deadline, DocStatus, SourceRef, Span, UnitMention

SearchMode = Literal["hybrid", "dense", "sparse"]
ItemKind = Literal["measure", "context"]
PassageKind = Literal["measure", "section", "clause", "table_row"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TargetSummary(_Frozen):
    target_id: str
    quote: str
    parsed: str  # "2025年 工业总产值 ≥ 900 亿元"


class ItemCard(_Frozen):
    """Everything a result card shows and every filter needs, stored with the index so a
    query never has to open the registry."""

    item_id: str  # task_id for a measure; "<doc_id>:<section number path>" for context
    kind: ItemKind
    task_id: str | None = None
    doc_id: str
    doc_title: str
    doc_status: DocStatus = "未知"
    section_id: str | None = None
    section_path: tuple[str, ...] = ()
    number: str | None = None
    title: str
    lead: tuple[UnitMention, ...] = ()
    supporting: tuple[UnitMention, ...] = ()
    unassigned_units: tuple[UnitMention, ...] = ()  # 责任单位 named without a lead/supporting split
    deadlines: tuple[Deadline, ...] = ()
    targets: tuple[TargetSummary, ...] = ()
    source: SourceRef

    @property
    def units(self) -> tuple[UnitMention, ...]:
        """Every unit named for the item: lead, supporting, then 责任单位 without a role."""
        return (*self.lead, *self.supporting, *self.unassigned_units)

    @property
    def deadline_years(self) -> tuple[int, ...]:
        """The years the item falls due (a period counts in its last year, as everywhere else)."""
        return tuple(sorted({d.due_year for d in self.deadlines if d.due_year is not None}))


class Passage(_Frozen):
    """One indexed text. ``pid`` is its row in its collection's vectors and BM25 index."""

    pid: int
    kind: PassageKind
    item_id: str
    doc_id: str
    section_id: str | None = None
    clause_id: str | None = None
    text: str  # as shown (a clause, a table row, a measure's text)
    span: Span  # in Document.text
    page: int = 1
    line: int = 1


class SearchFilters(_Frozen):
    doc: str | None = None  # doc_id
    unit: str | None = None  # canonical unit name (lead, supporting or 责任单位 without a role)
    role: Literal["lead", "supporting", "unassigned"] | None = None  # with unit: only this role
    year: int | None = None  # a deadline year of the measure
    status: DocStatus | None = None  # the document's status

    def admits(self, card: ItemCard) -> bool:
        if self.doc and card.doc_id != self.doc:
            return False
        if self.status and card.doc_status != self.status:
            return False
        if self.unit:
            by_role = {"lead": card.lead, "supporting": card.supporting, "unassigned": card.unassigned_units}
            pool = by_role[self.role] if self.role else card.units
            if not any(self.unit in (m.canonical, m.name) for m in pool):
                return False
        if self.year is not None and self.year not in card.deadline_years:
            return False
        return True


class Highlight(_Frozen):
    start: int  # into the text it belongs to (BestSentence.text, or SearchHit.text)
    end: int


class BestSentence(_Frozen):
    text: str
    span: Span  # in Document.text
    page: int = 1
    line: int = 1
    highlights: tuple[Highlight, ...] = ()


class HitScores(_Frozen):
    dense: float | None = None  # best cosine of the item's passages (None: not retrieved)
    sparse: float | None = None  # best BM25 of the item's passages
    fused: float
    dense_rank: int | None = None
    sparse_rank: int | None = None


class SearchHit(_Frozen):
    rank: int
    card: ItemCard
    sentence: BestSentence | None = None
    # the hit's text, so a client needs no /show call per hit: a measure's whole text, or for a
    # context section the passage that matched; highlights are offsets into it
    text: str = ""
    text_span: Span | None = None  # in Document.text (None for a passage made of table rows)
    highlights: tuple[Highlight, ...] = ()
    scores: HitScores


class FacetCount(_Frozen):
    value: str
    count: int
    label: str | None = None  # e.g. the document's title for a doc_id


class Facets(_Frozen):
    doc: tuple[FacetCount, ...] = ()
    unit: tuple[FacetCount, ...] = ()
    year: tuple[FacetCount, ...] = ()
    status: tuple[FacetCount, ...] = ()


class SearchResponse(_Frozen):
    query: str
    mode: SearchMode
    filters: SearchFilters = Field(default_factory=SearchFilters)
    # filters read from the question's own words (a deadline year, a unit), e.g. ("year",)
    filters_from_query: tuple[str, ...] = ()
    hits: tuple[SearchHit, ...] = ()
    facets: Facets = Field(default_factory=Facets)
    no_answer: bool = False
    message: str | None = None
    # a unit filter naming several units (区经济和信息化局 in a ledger of two districts): them
    unit_candidates: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()  # words added by the synonym lexicon
    signals: dict[str, bool] = Field(default_factory=dict)  # which rankings carried signal
    confidence: float = 0.0  # the no-answer statistic (see ranking.answer_confidence)
    index_generation: str | None = None
    took_ms: float = 0.0


class IndexReport(_Frozen):
    generation: str
    registry_generation: str
    model_id: str
    documents: int
    measures: int
    context_items: int
    passages: int  # clause + table-row passages
    embedded: int  # texts sent to the model this time
    cache_hits: int  # texts whose vectors came from the cache
    seconds: float
    path: str
    copied: int = 0  # documents copied unchanged from the previous generation (embedded index)

    def __str__(self) -> str:  # the one line `taizhang build` prints
        return (f"{self.measures} measures, {self.context_items} context sections, "
                f"{self.passages} passages from {self.documents} document(s), {self.copied} unchanged; "
                f"embedded {self.embedded} new text(s), {self.cache_hits} from cache; {self.seconds} s "
                f"({self.model_id})")
