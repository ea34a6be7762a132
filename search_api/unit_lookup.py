"""What a user means by a unit name they typed: the one resolver behind ``GET
/units/{name}/tasks``, the search's unit filter (``GET /search?unit=…``, the web page) and the
CLI's ``--unit``, so a name means the same unit wherever it is typed.

A name is looked up against the units a ledger or an index holds (``known``), in this order:

1. the name itself, or the unit authority's canonical name for it (市经信局 → 市经济和信息化局);
2. the qualified units a bare name may stand for (区经济和信息化局 → 东区经济和信息化局 and
   西区经济和信息化局; 市经信局 in one city's ledger → 攀枝花市经济和信息化局);
3. failing that, the units whose name contains what was typed (自然资源和规划局 →
   市自然资源和规划局), one written as the name with only its tier before it (市/区/县) first.

Exactly one candidate is the unit meant; several are listed for the user to choose from. The
ledger's own queries (``/tasks?unit=``, 督办, 进展报送 templates) read a typed unit the same way
(``ledger_unit``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from extractors.units.context import jurisdiction_candidates
from extractors.units.names import canonical_unit
from pipeline.errors import LedgerRequestError

UnitLookupKind = Literal["exact", "one_candidate", "several", "none"]
TIER_PREFIXES = "市区县"
LISTED_IN_MESSAGE = 12  # a message names this many candidates; ``candidates`` holds them all


class UnitLookup(BaseModel):
    """The outcome of looking up a typed unit name.

    kind: ``exact`` (the name, or its canonical name, is a known unit), ``one_candidate`` (one
        known unit it may stand for), ``several`` (``candidates`` to choose from) or ``none``.
    unit: the canonical name meant (``exact`` / ``one_candidate``), else None.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    typed: str
    kind: UnitLookupKind
    unit: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def message(self) -> str | None:
        """What the user reads when the name does not name one unit (Chinese), else None."""
        return f"{self.reason}；{self.hint}" if self.reason else None

    @property
    def reason(self) -> str | None:
        """Why the name names no one unit: the units it may stand for, or that it names none."""
        if self.kind == "several":
            listed = "、".join(self.candidates[:LISTED_IN_MESSAGE])
            more = f"等 {len(self.candidates)} 个" if len(self.candidates) > LISTED_IN_MESSAGE else ""
            return f"单位“{self.typed}”对应多个单位：{listed}{more}"
        if self.kind == "none":
            return f"没有措施提到单位“{self.typed}”"
        return None

    @property
    def hint(self) -> str:
        """What to do about it."""
        if self.kind == "none":
            return "请检查名称，或运行 `taizhang export` 查看台账中的单位"
        return "请写出完整名称" if self.kind == "several" else ""


def lookup_unit(typed: str, known: Iterable[str], written: Iterable[str] = ()) -> UnitLookup:
    """The unit ``typed`` means among ``known`` (canonical unit names of a ledger or an index).

    written: names as the documents wrote them (an index's cards keep both); one typed exactly is
        taken as it is (a filter matches it), but they are never offered as candidates.
    """
    names = set(known)
    name = "".join(typed.split())
    if name in names or name in set(written):
        return UnitLookup(typed=typed, kind="exact", unit=name)
    match = canonical_unit(name)
    if match.canonical in names:
        return UnitLookup(typed=typed, kind="exact", unit=match.canonical)
    candidates = sorted(set(jurisdiction_candidates(match, sorted(names))))
    if not candidates:
        candidates = _containing(name, names)
    if len(candidates) == 1:
        return UnitLookup(typed=typed, kind="one_candidate", unit=candidates[0])
    if candidates:
        return UnitLookup(typed=typed, kind="several", candidates=tuple(candidates))
    return UnitLookup(typed=typed, kind="none")


def ledger_unit(typed: str | None, known: Iterable[str]) -> str | None:
    """A unit typed into a ledger query (``GET /tasks?unit=``, ``/ledger/overdue?unit=``,
    ``taizhang overdue --unit``, ``taizhang export --for-unit``): the unit it means. A name that
    stands for several units raises ``LedgerRequestError`` listing them; one that matches no unit
    goes on as typed, and the query finds nothing for it (or says so, as the templates do)."""
    if typed is None:
        return None
    lookup = lookup_unit(typed, known)
    if lookup.kind == "several":
        raise LedgerRequestError(None, lookup.reason or "", lookup.hint)
    return lookup.unit or typed


def _containing(name: str, names: set[str]) -> list[str]:
    """Known units whose name contains ``name``; the one that is ``name`` with only a tier
    before it (市自然资源和规划局 for 自然资源和规划局) alone when there is exactly one such."""
    containing = sorted(u for u in names if name in u)
    tier_only = [u for u in containing if u[1:] == name and u[0] in TIER_PREFIXES]
    return tier_only if len(tier_only) == 1 else containing
