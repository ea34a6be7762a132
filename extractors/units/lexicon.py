"""The unit authority's data model: ``lexicons/units.yaml`` validated and expanded.

Department stems are repeated for each level prefix (市财政局, 区财政局, 县财政局), party organs
for each committee (市委组织部, 区委组织部), and each city's own bodies carry their city. Lookup
lives in ``units.py``; a document's jurisdiction in ``unit_context.py``.
"""

from __future__ import annotations

import functools
from typing import Literal

from pydantic import BaseModel, ConfigDict

from extractors.lexicon import Rule, load_yaml
from pipeline.errors import LexiconError

Level = Literal[
    "city", "district", "county", "town", "province", "park", "multi", "enterprise", "national"
]

class LevelRule(Rule):
    level: Level


class DepartmentStem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    stem: str
    aliases: tuple[str, ...] = ()


class UnitEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    canonical: str
    level: Level
    aliases: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # names of the place this body governs (国家钒钛高新区)
    city: str | None = None  # set for the bodies of one city (``local`` in the YAML)


class Tier(BaseModel):
    """A kind of place below the city, by the word its name ends with (区, 县, 园区 …)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    tier: str
    level: Level
    body: str  # what the place alone stands for: 人民政府, 管理委员会
    bare: str | None = None  # how a bare body name of this tier starts, when not ``tier``
    max_core: int = 6

    @property
    def bare_word(self) -> str:
        return self.bare or self.tier


class LocalGroup(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    city: str
    short: str
    units: tuple[UnitEntry, ...]


class UnitLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    level_rules: tuple[LevelRule, ...]
    shape_rules: tuple[Rule, ...]
    tiers: tuple[Tier, ...]
    place_rules: tuple[Rule, ...]
    levels: tuple[str, ...]
    departments: tuple[DepartmentStem, ...]
    province_departments: tuple[DepartmentStem, ...]
    party_prefixes: tuple[str, ...]
    party: tuple[DepartmentStem, ...]
    units: tuple[UnitEntry, ...]
    local: tuple[LocalGroup, ...] = ()
    number_prefixes: dict[str, str] = {}


_PREFIX_LEVEL: dict[str, Level] = {"市": "city", "区": "district", "县": "county", "省": "province"}


@functools.cache
def unit_lexicon() -> UnitLexicon:
    try:
        return UnitLexicon.model_validate(load_yaml("units.yaml"))
    except ValueError as exc:
        raise LexiconError(
            "extractors/lexicons/units.yaml",
            f"invalid unit lexicon: {exc}",
            "fix the entry named in the message",
        ) from exc


def _generated(prefix: str, level: Level, stems: tuple[DepartmentStem, ...]) -> list[UnitEntry]:
    return [
        UnitEntry(
            canonical=prefix + d.stem, level=level, aliases=tuple(prefix + a for a in d.aliases)
        )
        for d in stems
    ]


@functools.cache
def entries() -> tuple[UnitEntry, ...]:
    """Every canonical unit: generated stems, then named units, then each city's own bodies."""
    lex = unit_lexicon()
    out: list[UnitEntry] = []
    for prefix in lex.levels:
        out.extend(_generated(prefix, _PREFIX_LEVEL[prefix], lex.departments))
    out.extend(_generated("省", "province", lex.province_departments))
    for prefix in lex.party_prefixes:
        out.extend(_generated(prefix, _PREFIX_LEVEL[prefix[0]], lex.party))
    out.extend(lex.units)
    for group in lex.local:
        out.extend(e.model_copy(update={"city": group.city}) for e in group.units)
    return tuple(out)


