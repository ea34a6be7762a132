"""The unit authority: which body a name written in a document stands for.

``canonical_unit("市发展和改革委员会")`` → ``UnitMatch(canonical="市发展改革委", known=True)``.
The authority is data (``lexicons/units.yaml``); this module only expands it and looks names up.

Principles (the secretariat counts tasks per unit, so a wrong merge is worse than a miss):
- the name as written is always kept beside the canonical one;
- only true aliases are merged; a city body (市X局) is never merged with a district (区X局) or
  county (县X局) body, because they are different bodies;
- a probable typo of a known name is FLAGGED (``possible_typo:市政务管理局``), never merged;
- a place prefix (攀枝花市财政局) is stripped only when the rest is a known city body, and the
  place is kept as a flag.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from extractors.lexicon import Rule, load_yaml
from pipeline.errors import LexiconError

Level = Literal["city", "district", "county", "province", "park", "multi", "enterprise", "national"]

_OPEN_TO_FULL = str.maketrans({"(": "（", ")": "）"})
_TRAILING_JUNK = "、，,；;。.：: \t\r\n\f\u3000"
_PLACE_PREFIX = re.compile(r"^(?P<place>[\u4e00-\u9fff]{2,4}?)(?P<tier>[市区县省])(?P<rest>.+)$")


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


class UnitLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    level_rules: tuple[LevelRule, ...]
    shape_rules: tuple[Rule, ...]
    levels: tuple[str, ...]
    departments: tuple[DepartmentStem, ...]
    province_departments: tuple[DepartmentStem, ...]
    party_prefixes: tuple[str, ...]
    party: tuple[DepartmentStem, ...]
    units: tuple[UnitEntry, ...]


class UnitMatch(BaseModel):
    """What the authority says about one name. ``name`` is as written (whitespace removed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    canonical: str
    known: bool
    level: Level | None = None
    flags: tuple[str, ...] = ()


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


@functools.cache
def _entries() -> tuple[UnitEntry, ...]:
    """Every canonical unit with its aliases: generated stems first, then named units."""
    lex = unit_lexicon()
    out: list[UnitEntry] = []
    for prefix in lex.levels:
        level = _PREFIX_LEVEL[prefix]
        for dep in lex.departments:
            out.append(
                UnitEntry(
                    canonical=prefix + dep.stem,
                    level=level,
                    aliases=tuple(prefix + a for a in dep.aliases),
                )
            )
    for dep in lex.province_departments:
        out.append(
            UnitEntry(
                canonical="省" + dep.stem,
                level="province",
                aliases=tuple("省" + a for a in dep.aliases),
            )
        )
    for prefix in lex.party_prefixes:
        level = _PREFIX_LEVEL[prefix[0]]
        for dep in lex.party:
            out.append(
                UnitEntry(
                    canonical=prefix + dep.stem,
                    level=level,
                    aliases=tuple(prefix + a for a in dep.aliases),
                )
            )
    out.extend(lex.units)
    return tuple(out)


@functools.cache
def _alias_index() -> dict[str, UnitEntry]:
    index: dict[str, UnitEntry] = {}
    for entry in _entries():
        for name in (entry.canonical, *entry.aliases):
            key = normalize_name(name)
            previous = index.get(key)
            if previous is not None and previous.canonical != entry.canonical:
                raise LexiconError(
                    "extractors/lexicons/units.yaml",
                    f"{name} is an alias of both {previous.canonical} and {entry.canonical}",
                    "an alias must name exactly one body",
                )
            index[key] = entry
    return index


@functools.cache
def _names_by_level() -> dict[str | None, tuple[str, ...]]:
    groups: dict[str | None, list[str]] = {}
    for key, entry in _alias_index().items():
        groups.setdefault(entry.level, []).append(key)
    return {k: tuple(sorted(v)) for k, v in groups.items()}


def simplify(text: str) -> str:
    """Traditional → Simplified, character for character so offsets stay valid."""
    try:
        from pipeline.chinese import to_simplified
    except ImportError:
        return _opencc_t2s(text)
    out = to_simplified(text)
    return out if len(out) == len(text) else _opencc_t2s(text)


@functools.lru_cache(maxsize=4096)
def _opencc_t2s(text: str) -> str:
    converter = _opencc()
    whole = converter.convert(text)
    if len(whole) == len(text):
        return whole
    return "".join(ch if len(c := converter.convert(ch)) != 1 else c for ch in text)


@functools.cache
def _opencc():
    from opencc import OpenCC

    return OpenCC("t2s")


def normalize_name(name: str) -> str:
    """Lookup key: simplified, no whitespace (page-break repair), full-width brackets."""
    key = re.sub(r"\s+", "", simplify(name)).translate(_OPEN_TO_FULL)
    return key.strip(_TRAILING_JUNK)


def unit_level(name: str) -> Level | None:
    """Government level a name belongs to, from its prefix (市 / 区 / 县 / 省 / 园区)."""
    key = normalize_name(name)
    entry = _alias_index().get(key)
    if entry is not None:
        return entry.level
    for rule in unit_lexicon().level_rules:
        if rule.regex.search(key):
            return rule.level
    return None


def looks_like_unit(name: str) -> bool:
    """True when ``name`` has the shape of a body's name (known, or ends like one)."""
    key = normalize_name(name)
    if not key or len(key) > 40:
        return False
    if key in _alias_index():
        return True
    veto, *shapes = _shape_rules()
    if veto.regex.search(key):
        return False
    return any(rule.regex.search(key) for rule in shapes)


@functools.cache
def _shape_rules() -> tuple[Rule, ...]:
    rules = {r.id: r for r in unit_lexicon().shape_rules}
    veto = rules.pop("shape_not_clause")
    return (veto, *rules.values())


@functools.lru_cache(maxsize=8192)
def canonical_unit(name: str) -> UnitMatch:
    """The canonical name of ``name``; unknown names map to themselves with ``known=False``.

    Flags: ``place_prefix:<place>`` (攀枝花市财政局 → 市财政局), ``possible_typo:<known name>``
    (edit distance 1–2 to a known name of the same level), ``not_unit_shape`` (does not end like
    the name of a body).
    """
    written = re.sub(r"\s+", "", name)
    key = normalize_name(name)
    entry = _alias_index().get(key)
    if entry is not None:
        return UnitMatch(name=written, canonical=entry.canonical, known=True, level=entry.level)
    stripped = _strip_place(key)
    if stripped is not None:
        entry, place = stripped
        return UnitMatch(
            name=written,
            canonical=entry.canonical,
            known=True,
            level=entry.level,
            flags=(f"place_prefix:{place}",),
        )
    level = unit_level(key)
    flags = [f"possible_typo:{t}" for t in _possible_typos(key, level)]
    if not looks_like_unit(key):
        flags.append("not_unit_shape")
    return UnitMatch(name=written, canonical=key, known=False, level=level, flags=tuple(flags))


def _strip_place(key: str) -> tuple[UnitEntry, str] | None:
    """攀枝花市财政局 → (市财政局, 攀枝花) when 市财政局 is known; tiers must agree."""
    m = _PLACE_PREFIX.match(key)
    if m is None:
        return None
    entry = _alias_index().get(m["tier"] + m["rest"])
    if entry is None or entry.level != _PREFIX_LEVEL[m["tier"]]:
        return None
    return entry, m["place"]


def _possible_typos(key: str, level: Level | None) -> tuple[str, ...]:
    """Known canonical names of the same level within a small edit distance of ``key``."""
    if len(key) < 6:  # 市农业局 vs 市林业局: short names differ by one character legitimately
        return ()
    limit = 1 if len(key) <= 8 else 2
    found: list[str] = []
    for known in _names_by_level().get(level, ()):
        if abs(len(known) - len(key)) > limit or known[0] != key[0]:
            continue
        if edit_distance(key, known, limit) <= limit:
            canonical = _alias_index()[known].canonical
            if canonical not in found:
                found.append(canonical)
    return tuple(found[:3])


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; stops early (returns limit + 1) once ``limit`` is exceeded."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def known_units() -> tuple[UnitEntry, ...]:
    """Every canonical unit of the authority (generated departments and named units)."""
    return _entries()


def unit_user_words() -> list[str]:
    """All canonical names and aliases, longest first: a jieba user dictionary for search."""
    words = {name for e in _entries() for name in (e.canonical, *e.aliases)}
    return sorted(words, key=lambda w: (-len(w), w))
