"""The unit authority: which body a name written in a document stands for.

``canonical_unit("市发展改革委")`` → ``UnitMatch(canonical="市发展和改革委员会", known=True)``.
The authority is data (``lexicons/units.yaml``); this module only expands it and looks names up.
It answers for a name alone; ``unit_context.qualify_unit`` then gives a bare 区财政局 the district
of the document it is written in.

Principles (the secretariat counts tasks per unit, so a wrong merge is worse than a miss):
- the name as written is always kept beside the canonical one;
- only true aliases are merged; a city body (市X局) is never merged with a district (区X局) or
  county (县X局) body, and bodies of two districts are never merged: a name written with its place
  keeps it (东区财政局, 米易县发展和改革局); a bare 区财政局 is flagged ``needs_jurisdiction:区``;
- a place written as a responsible unit stands for its government (银江镇 → 银江镇人民政府);
- a probable typo of a known name is FLAGGED (``possible_typo:市政务管理局``), never merged;
- a city prefix (攀枝花市财政局) is dropped, city bodies being named without their city, and the
  place is kept as a flag (``place_prefix:攀枝花``).
"""

from __future__ import annotations

import functools
import re

from pydantic import BaseModel, ConfigDict

from extractors.lexicon import Rule
from extractors.units.divisions import division_index
from extractors.units.lexicon import (
    Level,
    LevelRule,
    LocalGroup,
    Tier,
    UnitEntry,
    UnitLexicon,
    entries,
    unit_lexicon,
)
from extractors.units.places import bare_tier, place_candidates, with_place
from pipeline.chinese import to_simplified
from pipeline.errors import LexiconError
from pipeline.model import UnitFlag

__all__ = [
    "Level",
    "LevelRule",
    "LocalGroup",
    "Tier",
    "UnitEntry",
    "UnitLexicon",
    "UnitMatch",
    "canonical_unit",
    "edit_distance",
    "known_units",
    "lookup",
    "looks_like_unit",
    "name_endings",
    "suffix_endings",
    "normalize_name",
    "resolve",
    "same_city",
    "simplify",
    "split_place",
    "unit_lexicon",
    "unit_level",
    "unit_user_words",
]

_OPEN_TO_FULL = str.maketrans({"(": "（", ")": "）"})
_TRAILING_JUNK = "、，,；;。.：: \t\r\n\f\u3000"
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,4}?(?=[市省])")


class UnitMatch(BaseModel):
    """What the authority says about one name. ``name`` is as written (whitespace removed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    canonical: str
    known: bool
    level: Level | None = None
    flags: tuple[UnitFlag, ...] = ()


@functools.cache
def _alias_index() -> dict[str, tuple[UnitEntry, bool]]:
    """Lookup key → (entry, written as the place it governs)."""
    index: dict[str, tuple[UnitEntry, bool]] = {}
    for entry in entries():
        names = [(n, False) for n in (entry.canonical, *entry.aliases)]
        for name, is_place in names + [(p, True) for p in entry.places]:
            key = normalize_name(name)
            previous = index.get(key)
            if previous is not None and previous[0].canonical != entry.canonical:
                raise LexiconError(
                    "extractors/lexicons/units.yaml",
                    f"{name} is an alias of both {previous[0].canonical} and {entry.canonical}",
                    "an alias must name exactly one body",
                )
            index[key] = (entry, is_place)
    return index


@functools.cache
def _names_by_level() -> dict[str | None, tuple[str, ...]]:
    groups: dict[str | None, list[str]] = {}
    for key, (entry, _) in _alias_index().items():
        groups.setdefault(entry.level, []).append(key)
    return {k: tuple(sorted(v)) for k, v in groups.items()}


def simplify(text: str) -> str:
    """Traditional → Simplified, character for character so offsets stay valid."""
    return to_simplified(text)


def normalize_name(name: str) -> str:
    """Lookup key: simplified, no whitespace (page-break repair), full-width brackets."""
    key = re.sub(r"\s+", "", simplify(name)).translate(_OPEN_TO_FULL)
    return key.strip(_TRAILING_JUNK)


def same_city(a: str | None, b: str | None) -> bool:
    """攀枝花市 and 攀枝花 are one city; an unknown city matches any."""
    return a is None or b is None or a.removesuffix("市") == b.removesuffix("市")


def unit_level(name: str) -> Level | None:
    """Government level a name belongs to, from its prefix (市 / 区 / 县 / 省 / 园区 / 镇)."""
    key = normalize_name(name)
    hit = _alias_index().get(key)
    if hit is not None:
        return hit[0].level
    for rule in unit_lexicon().level_rules:
        if rule.regex.search(key):
            return rule.level
    return None


def looks_like_unit(name: str) -> bool:
    """True when ``name`` has the shape of a body's name (known, or ends like one)."""
    key = normalize_name(name)
    if not key or len(key) > 40:
        return False
    if key in _alias_index() or _is_registered_place(key):
        return True
    veto, *shapes = _shape_rules()
    if veto.regex.search(key):
        return False
    return any(rule.regex.search(key) for rule in shapes)


def could_be_unit(name: str) -> bool:
    """A name of no known shape that is not a clause either (中国出口信用保险公司江西营业部 writes
    no suffix the lexicon knows): beside units in a list that states their role it is one more
    unit, shown as unknown rather than dropped with the whole list."""
    key = normalize_name(name)
    return 2 <= len(key) <= 20 and not _shape_rules()[0].regex.search(key) and not re.search(r"[，。；：:、]", key)


def _is_registered_place(key: str) -> bool:
    """A city or county written by its full registered name (崂山区, 历城区, 寿光市): in a list of
    bodies it stands for that place's government (（装备信息中心、崂山区、西海岸新区）)."""
    if len(key) < 3:  # 城区, 矿区, 郊区 are also words of prose
        return False
    return any(d.name == key and d.kind in ("city", "county") for d in division_index().by_name.get(key, ()))


@functools.cache
def name_endings() -> frozenset[str]:
    """Characters the name of a body can end with: the last character of every name the
    authority knows and of every suffix a unit-shaped name ends with (局 委 办 … 市 县 区)."""
    ends = {key[-1] for key in _alias_index() if key}
    for rule in unit_lexicon().shape_rules:
        if rule.id != "shape_not_clause":
            ends |= suffix_endings(rule.pattern)
    return frozenset(ends)


def suffix_endings(pattern: str) -> set[str]:
    """Last characters of the words a suffix pattern such as ``(?:局|委|[省市县])$`` ends with:
    of each alternative, and every CJK character of a class."""
    ends = {word[-1] for word in re.findall(r"[\u4e00-\u9fff]+(?=[|)])", pattern)}
    for cls in re.findall(r"\[([^\]^]+)\]", pattern):
        ends.update(ch for ch in cls if "\u4e00" <= ch <= "\u9fff")
    return ends


@functools.cache
def _shape_rules() -> tuple[Rule, ...]:
    rules = {r.id: r for r in unit_lexicon().shape_rules}
    veto = rules.pop("shape_not_clause")
    return (veto, *rules.values())


# --------------------------------------------------------------------------------------------
# Looking a name up


@functools.lru_cache(maxsize=8192)
def canonical_unit(name: str) -> UnitMatch:
    """The canonical name of ``name`` alone (no document context); unknown names map to
    themselves with ``known=False``.

    Flags: ``place_prefix:<place>`` (攀枝花市财政局 → 市财政局), ``needs_jurisdiction:<tier>``
    (区财政局: which district's? see ``unit_context.qualify_unit``), ``possible_typo:<known
    name>`` (edit distance 1–2 to a known name of the same level), ``not_unit_shape`` (does not
    end like the name of a body).
    """
    return resolve(name)


@functools.lru_cache(maxsize=8192)
def resolve(name: str, city: str | None = None) -> UnitMatch:
    """``canonical_unit`` for a document of ``city``: another city's prefix is kept, not
    dropped (成都市财政局 stays itself), and another city's own bodies are not matched."""
    written = re.sub(r"\s+", "", name)
    key = normalize_name(name)
    entry = lookup(key, city)
    found: _Found | None = (entry.canonical, entry.level, ()) if entry else None
    if found is None:  # the city first: 攀枝花西区… is 西区 of 攀枝花, not a place 攀枝花西区
        found = _without_city(key, city) or _known(key, city)
    if found is not None:
        canonical, level, flags = found
        return UnitMatch(
            name=written,
            canonical=canonical,
            known=True,
            level=level,
            flags=flags + _needs_jurisdiction(canonical, level),
        )
    level = unit_level(key)
    flags = [UnitFlag(kind="possible_typo", value=t) for t in _possible_typos(key, level)]
    flags.extend(_needs_jurisdiction(key, level))
    if not looks_like_unit(key):
        flags.append(UnitFlag(kind="not_unit_shape"))
    return UnitMatch(name=written, canonical=key, known=False, level=level, flags=tuple(flags))


_Found = tuple[str, Level, tuple[UnitFlag, ...]]


def lookup(key: str, city: str | None = None) -> UnitEntry | None:
    """The entry ``key`` (normalised) names exactly, skipping other cities' own bodies."""
    hit = _alias_index().get(key)
    if hit is None or not same_city(hit[0].city, city):
        return None
    return hit[0]


def _known(key: str, city: str | None) -> _Found | None:
    """A name of the authority, or a place + the bare name of one of its bodies."""
    entry = lookup(key, city)
    if entry is not None:
        return entry.canonical, entry.level, ()
    split = split_place(key, city)
    if split is None:
        return None
    named = lookup(split[0], city)  # 东区税务局 → 国家税务总局攀枝花市东区税务局
    return (named.canonical, named.level, ()) if named else (split[0], split[1], ())


def _without_city(key: str, city: str | None) -> _Found | None:
    """攀枝花市财政局 → 市财政局; 攀枝花市东区财政局 → 东区财政局; 四川省财政厅 → 省财政厅.

    The place is kept as a flag. In a document of another city the prefix stays: 成都市财政局
    is not this city's 市财政局 (flag ``other_city:成都``). Read alone (no city), a city or
    province body keeps the place unless the place is one of the authority's own cities:
    济南市政府 and 青岛市政府 named side by side in a provincial document are two bodies
    (济南市人民政府, 青岛市人民政府), not one 市人民政府. A body below the city keeps its own
    place in its name (成都市武侯区财政局 → 武侯区财政局)."""
    for prefix, short in _place_prefixes(key):
        rest = key[len(prefix) :]
        found = _known(rest, city)
        if found is None or not _tiers_agree(prefix, rest, found[1]):
            continue
        canonical, level, _ = found
        if level != "province" and not same_city(short, city):
            return prefix + canonical, level, (UnitFlag(kind="other_city", value=short),)
        if city is None and short not in _local_shorts() and canonical[:1] in "市省":
            return prefix + canonical, level, (UnitFlag(kind="place_prefix", value=short),)
        return canonical, level, (UnitFlag(kind="place_prefix", value=short),)
    return None


@functools.cache
def _local_shorts() -> frozenset[str]:
    return frozenset(g.short for g in unit_lexicon().local)


def _tiers_agree(prefix: str, rest: str, level: Level) -> bool:
    """攀枝花 + 市财政局, 四川 + 省财政厅, 攀枝花市 + 东区财政局; not 攀枝花 + 省财政厅."""
    if rest.startswith("市"):
        return level == "city"
    if rest.startswith("省"):
        return level == "province"
    return level in ("district", "county", "town", "park") and not prefix.endswith("省")


def _place_prefixes(key: str) -> list[tuple[str, str]]:
    """(prefix to drop, place short name): 攀枝花市东区… → (攀枝花, 攀枝花), (攀枝花市, 攀枝花)."""
    shorts = [g.short for g in unit_lexicon().local if key.startswith(g.short)]
    m = _PLACE_PREFIX.match(key)
    if m is not None and m.group() not in shorts:
        shorts.append(m.group())
    out: list[tuple[str, str]] = []
    for short in shorts:
        out.append((short, short))
        if key.startswith(short + "市"):
            out.append((short + "市", short))
    return out


def split_place(key: str, city: str | None = None) -> tuple[str, Level] | None:
    """东区财政局 → (东区财政局, district) when 区财政局 is known; 银江镇 → (银江镇人民政府, town).

    The place is kept in the canonical name: bodies of two districts never merge."""
    for end, tier in place_candidates(key):
        rest = key[end:]
        bare = rest if rest.startswith(tier.bare_word) else tier.bare_word + (rest or tier.body)
        entry = lookup(bare, city)
        if entry is not None and entry.level == tier.level:
            return with_place(entry.canonical, tier, key[:end]), entry.level
    return None


def _needs_jurisdiction(canonical: str, level: Level | None) -> tuple[UnitFlag, ...]:
    tier = bare_tier(canonical, level)
    return (UnitFlag(kind="needs_jurisdiction", value=tier.bare_word),) if tier else ()


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
            canonical = _alias_index()[known][0].canonical
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
    return entries()


def unit_user_words() -> list[str]:
    """All canonical names, aliases and place names, longest first: a jieba user dictionary."""
    words = {name for e in entries() for name in (e.canonical, *e.aliases, *e.places)}
    return sorted(words, key=lambda w: (-len(w), w))
