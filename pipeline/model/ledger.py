"""What the extractors and checks produce: units with their roles and flags, deadlines,
targets, measures (``Task``) and consistency findings, each pointing back to its source.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import WithJsonSchema, model_serializer, model_validator

from pipeline.model.spans import Frozen, SourceRef, Span

Role = Literal["lead", "supporting", "unassigned"]


UnitFlagKind = Literal["possible_typo", "needs_jurisdiction", "place_prefix", "other_city", "not_unit_shape"]


class UnitFlag(Frozen):
    """Why the unit authority's reading of a name deserves a second look.

    ``value`` is what the flag is about:

    - ``possible_typo``: the known name it is one or two characters away from (市政务管理局);
    - ``needs_jurisdiction``: the tier word of a bare name whose place is not given (区);
    - ``place_prefix``: the document's own place, dropped from the name (攀枝花);
    - ``other_city``: another city, whose body it stays (成都);
    - ``not_unit_shape``: none (the name does not end like the name of a body).

    On the wire (the registry's JSON, the JSON contract, the API) a flag is the text
    ``kind:value`` (``possible_typo:市政务管理局``): the contract (docs/json-contract.md) lists
    flags as strings, and registries already saved hold them so.
    """

    kind: UnitFlagKind
    value: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            kind, colon, value = data.partition(":")
            return {"kind": kind, "value": value if colon else None}
        return data

    @model_serializer
    def _as_text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return self.kind if self.value is None else f"{self.kind}:{self.value}"


# where a model holds flags, its JSON Schema shows their wire form, the text read and written
UnitFlagText = Annotated[
    UnitFlag,
    WithJsonSchema({
        "type": "string",
        "pattern": f"^({'|'.join(get_args(UnitFlagKind))})(:.+)?$",
        "examples": ["possible_typo:市政务管理局"],
    }),
]


class UnitMention(Frozen):
    name: str  # as written (page-break repairs applied, nothing else)
    canonical: str  # from the unit authority; == name when unknown
    role: Role
    span: Span | None = None  # in Document.text
    known: bool = True  # False when the authority does not know the name
    flags: tuple[UnitFlagText, ...] = ()


DeadlineKind = Literal["by_date", "period", "relative", "recurring", "ongoing", "unspecified"]


class Deadline(Frozen):
    text: str
    kind: DeadlineKind
    date: dt.date | None = None  # the due date for by_date / relative
    start: dt.date | None = None  # for period
    end: dt.date | None = None
    span: Span | None = None

    @property
    def due(self) -> dt.date | None:
        """The day this deadline falls due: its date, or the last day of its period."""
        return self.date or self.end

    @property
    def due_year(self) -> int | None:
        return self.due.year if self.due else None


Comparator = Literal[
    "eq", "ge", "gt", "le", "lt", "approx", "increase_by", "decrease_by", "qualitative"
]


class Target(Frozen):
    """A target as a typed claim: indicator, scope, value(s), unit, comparator, year."""

    target_id: str  # f"{doc_id}:t{n}"
    doc_id: str
    text: str  # the sentence (clause) the claim comes from
    quote: str  # the smallest piece of text that states the claim
    indicator: str
    scope: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    comparator: Comparator
    year: int | None = None
    binding: Literal["预期性", "约束性"] | None = None
    cumulative: bool = False
    task_id: str | None = None
    span: Span  # the quote in Document.text
    source: SourceRef


class Task(Frozen):
    """A measure (任务/措施) as the secretariat tracks it."""

    task_id: str  # f"{doc_id}:{path of numbers}" e.g. "002:二.（一）.1"
    doc_id: str
    number: str | None = None  # its own number as written: "十二、", "3.", "（一）"
    title: str
    text: str
    section_path: tuple[str, ...] = ()
    lead: tuple[UnitMention, ...] = ()
    supporting: tuple[UnitMention, ...] = ()
    unassigned_units: tuple[UnitMention, ...] = ()  # named, but no role can be told
    role_rule: str | None = None  # the rule that assigned roles, e.g. "逗号前为牵头单位"
    deadlines: tuple[Deadline, ...] = ()
    target_ids: tuple[str, ...] = ()
    span: Span
    source: SourceRef

    @property
    def assigned(self) -> bool:
        return bool(self.lead or self.supporting)


class Evidence(Frozen):
    quote: str
    source: SourceRef
    target_id: str | None = None
    task_id: str | None = None
    parsed: str | None = None  # the typed reading, e.g. "2025年 工业总产值 = 900 亿元"


FindingKind = Literal[
    "conflict",
    "basis_mismatch",
    "year_drift",
    "superseded",
    "consistent",
    "part_exceeds_whole",
    "rule_conflict",
    "lead_conflict",
    "sum_mismatch",
]


class Finding(Frozen):
    finding_id: str
    kind: FindingKind
    severity: Literal["high", "medium", "low", "info"]
    rule: str  # id of the check that fired
    reason: str  # one line, in Chinese
    left: Evidence
    right: Evidence
    newer: Literal["left", "right"] | None = None
