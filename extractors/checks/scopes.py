"""Who a target is about, who issued a document, and which document is newer.

Scopes come from ``search_api/lexicons/scopes.yaml``: places and parks with aliases, what contains
what (a park in its park group, a part of a park, a park in its district), generic words (园区,
全市, 全区) resolved by context, and fallback patterns for places no entry knows. The issuing
authority of a document (city above district) decides whether a newer document can supersede an
older one; its date (or the year its date note gives) and status order documents.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Literal


from extractors.lexicon import LexiconModel, Rule, load_lexicon
from extractors.units.divisions import Division, division_index
from pipeline.model import DocumentMeta

STATUS_RANK = {"征求意见稿": 0, "代拟稿": 1, "送审稿": 2, "试行": 3, "正式": 4, "未知": -1}
Relation = Literal["same", "part", "whole", "disjoint"]
_WS = re.compile(r"\s+")



class Cue(Rule):
    """A pattern rule that also yields a value (规上, annual_avg, lower, park …)."""

    value: str = ""


class ScopeEntry(LexiconModel):
    id: str
    kind: str
    aliases: tuple[str, ...]
    parents: tuple[str, ...] = ()
    located_in: str | None = None
    members: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


class ScopeLexicon(LexiconModel):
    version: int
    kinds: dict[str, int]
    scopes: tuple[ScopeEntry, ...]
    generic: tuple[Cue, ...]
    generic_filler: Cue
    distributive: Cue
    title_noise: Cue
    not_a_name: Cue
    place_patterns: tuple[Cue, ...]

    @functools.cached_property
    def by_id(self) -> dict[str, ScopeEntry]:
        return {s.id: s for s in self.scopes}

    @functools.cached_property
    def alias_regex(self) -> re.Pattern[str]:
        aliases = sorted({squash(a) for s in self.scopes for a in s.aliases}, key=len, reverse=True)
        return re.compile("|".join(re.escape(a) for a in aliases))

    @functools.cached_property
    def alias_to_id(self) -> dict[str, str]:
        return {squash(a): s.id for s in self.scopes for a in s.aliases}



@functools.cache
def scope_lexicon() -> ScopeLexicon:
    return load_lexicon("scopes.yaml", ScopeLexicon)


def squash(text: str) -> str:
    """Text without whitespace: PDF line breaks must not split a name or a number."""
    return _WS.sub("", text)


def first_cue(cues: Sequence[Cue], text: str) -> Cue | None:
    return next((c for c in cues if c.regex.search(text)), None)


# --------------------------------------------------------------------------------------------
# Scopes and documents


def known_scopes(text: str) -> list[tuple[str, int, int]]:
    """Known scopes named in ``text`` (squashed offsets), leftmost-longest alias first."""
    lex = scope_lexicon()
    s = squash(text)
    return [(lex.alias_to_id[m.group()], m.start(), m.end()) for m in lex.alias_regex.finditer(s)]


_UNKNOWN_AREA = re.compile(r"[\u4e00-\u9fa5]{1,8}?(?:市|州|盟|区|县|旗)")


_DIVISION_KIND = {"province": "province", "city": "city", "county": "district"}


def _division(name: str) -> Division | None:
    """The administrative division ``name`` is, written whole (山东省, 济南市, 崂山区)."""
    index = division_index()
    found = index.named(name)
    return found if found is not None and name == found.name else None


def scope_kind(scope_id: str) -> str | None:
    """Kind of a scope; for names no entry knows, what their ending says (park, city, district)."""
    entry = scope_lexicon().by_id.get(scope_id)
    if entry is not None:
        return entry.kind
    if scope_id == "全国":
        return "country"
    division = _division(scope_id)
    if division is not None:
        return _DIVISION_KIND[division.kind]
    if scope_id.endswith("园区") and _UNKNOWN_AREA.fullmatch(scope_id[:-2]):
        return "park_group"  # "云岭市园区": the parks of an area (see document_subject)
    if _is_park_name(scope_id):
        return "park"
    if re.fullmatch(r".{2,8}?[市州盟]", scope_id):
        return "city"
    return "district" if re.fullmatch(r".{2,12}?[区县旗]", scope_id) else None


@functools.cache
def ancestors(scope_id: str) -> frozenset[str]:
    """Scopes containing ``scope_id``; for unknown names, the areas their name starts with."""
    entry = scope_lexicon().by_id.get(scope_id)
    if entry is None:
        prefixes = {
            scope_id[:i] for i in range(3, len(scope_id)) if _UNKNOWN_AREA.fullmatch(scope_id[:i])
        }
        for prefix in list(prefixes) + [scope_id]:  # 济南市 lies in 山东省; so does 济南市高新区
            division = _division(prefix)
            if division is not None:
                prefixes |= {d.name for d in division_index().containing(division)}
        if scope_id != "全国":
            prefixes.add("全国")
        return frozenset(prefixes - {scope_id})
    direct = set(entry.parents) | ({entry.located_in} if entry.located_in else set())
    out = set(direct)
    for parent in direct:
        out |= ancestors(parent)
    return frozenset(out)


def scope_relation(a: str, b: str) -> Relation:
    """``part`` when ``a`` lies inside ``b``; ``whole`` when ``a`` contains ``b``."""
    if a == b:
        return "same"
    if b in ancestors(a):
        return "part"
    if a in ancestors(b):
        return "whole"
    return "disjoint"


def _is_park_name(name: str) -> bool:
    park = next(c for c in scope_lexicon().place_patterns if c.value == "park")
    return bool(park.regex.fullmatch(name)) and not scope_lexicon().not_a_name.regex.search(name)


def _place(text: str) -> tuple[str, str] | None:
    """(scope id, kind) of the most specific place named in a title or issuer."""
    found = known_scopes(text)
    if found:
        kinds = scope_lexicon().kinds
        sid = min((f[0] for f in found), key=lambda s: kinds.get(scope_kind(s) or "", 9))
        return sid, scope_kind(sid) or ""
    if re.match(r"(?:中共中央|国务院|全国人大|国家[\u4e00-\u9fff]{1,12}(?:部|委|局|署|总局|办公室))", squash(text)):
        return "全国", "country"
    division = division_index().leading(squash(text).removeprefix("中共"))
    if division is not None:
        return division.name, _DIVISION_KIND[division.kind]
    text = scope_lexicon().title_noise.regex.sub("", squash(text))
    for cue in sorted(scope_lexicon().place_patterns, key=lambda c: scope_lexicon().kinds[c.value]):
        for m in cue.regex.finditer(text):
            name = m.group("name").removeprefix("中共")
            if not scope_lexicon().not_a_name.regex.search(name):
                return name, cue.value
    return None


def issuer_area(meta: DocumentMeta) -> str | None:
    place = _place(meta.issuer or "") or _place(meta.title)
    return place[0] if place else None


def authority(meta: DocumentMeta) -> int:
    """Rank of the issuing body (city 4 > district 3 …); 0 when it cannot be told."""
    place = _place(meta.issuer or "") or _place(meta.title)
    return scope_lexicon().kinds.get(place[1], 0) if place else 0


def canonical_place(name: str, meta: DocumentMeta) -> str:
    """An unknown park's name without the issuing area in front
    ("云岭甲经济开发区" → "甲经济开发区"), so that a city's plan and a district's name it alike."""
    name = squash(name).removeprefix("中共")
    area = issuer_area(meta) or ""
    city = m.group() if (m := re.match(r".{2,8}?[市州盟]", area)) else ""
    for prefix in sorted({area, city, city[:-1]} - {""}, key=len, reverse=True):
        rest = name[len(prefix) :]
        if name.startswith(prefix) and len(rest) >= 3 and _is_park_name(rest):
            return rest
    return name


def _park_of(area: str) -> str | None:
    """The park group of an area, or its only park."""
    lex = scope_lexicon()
    groups = [s.id for s in lex.scopes if s.kind == "park_group" and area in s.parents]
    if groups:
        return groups[0]
    parks = [s.id for s in lex.scopes if s.kind == "park" and s.located_in == area]
    return parks[0] if len(parks) == 1 else None


@functools.cache
def document_subject(meta: DocumentMeta) -> str:
    """What a document is about when a target names no place: its park, its parks, its area."""
    title_place = _place(meta.title)
    if title_place and title_place[1] in ("park", "park_part", "park_group"):
        return canonical_place(title_place[0], meta)
    area = title_place[0] if title_place else issuer_area(meta)
    generic_park = _generic_kind(meta.title) == "park"
    if area and generic_park:
        return _park_of(area) or f"{area}园区"
    return area or meta.doc_id


def _city_of(subject: str, meta: DocumentMeta) -> str:
    chain = [subject, *sorted(ancestors(subject)), issuer_area(meta) or ""]
    city = next((s for s in chain if scope_kind(s) == "city"), None)
    if city is None and (m := re.match(r".{2,8}?[市州盟]", issuer_area(meta) or "")):
        city = m.group()
    return city or subject


def _generic_kind(text: str) -> str | None:
    cue = first_cue(scope_lexicon().generic, squash(text))
    return cue.value if cue else None


def is_generic(name: str) -> bool:
    """True for words that name no particular place: 园区, 工业园区, 全市, 本区 …"""
    rest = squash(name)
    for cue in (*scope_lexicon().generic, scope_lexicon().generic_filler):
        rest = cue.regex.sub("", rest)
    return not rest


def resolve_scope(
    named_text: str, section_path: Sequence[str], meta: DocumentMeta, explicit: str | None = None
) -> tuple[str, str]:
    """(scope id, how it was found) for a target.

    ``explicit`` is the scope an extractor wrote (Target.scope), ``named_text`` the quote's head.
    A known name wins; an explicit name no entry knows is its own scope (two unknown parks of one
    plan must not collapse into the document's subject); generic words are resolved by context.
    """
    named = known_scopes(f"{explicit or ''}{named_text}")
    if named:
        return named[0][0], "named"
    if explicit and not is_generic(explicit):
        return canonical_place(explicit, meta), "explicit"
    generic = _generic_kind(f"{explicit or ''}{named_text}")
    subject = document_subject(meta)
    if generic in (None, "park"):
        for label in reversed(section_path):
            park = section_park(label, meta)
            if park:
                return park, "section"
    if generic == "city":
        return _city_of(subject, meta), "issuer"
    if generic == "district":
        area = issuer_area(meta)
        return (area or subject), "issuer"
    if generic == "province":
        place = _place(meta.issuer or "") or _place(meta.title)
        if place and place[1] == "province":
            return place[0], "issuer"
        division = _division(place[0]) if place else None  # 全省 in a 济南 document: 山东省
        province = next((d.name for d in division_index().containing(division) if d.kind == "province"),
                        None) if division else None
        return (province or "全省"), "issuer"
    return subject, "title"


_NUMBERING = re.compile(
    r"^(?:第[一二三四五六七八九十百]+[章节]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、])"
)


def section_park(label: str, meta: DocumentMeta) -> str | None:
    """The park a section is about: "第二节 攀枝花东区高新技术产业园区", or a park no entry knows."""
    found = [f[0] for f in known_scopes(label) if scope_kind(f[0]) in ("park", "park_part")]
    if found:
        return found[0]
    rest = _NUMBERING.sub("", squash(label))
    return canonical_place(rest, meta) if rest and _is_park_name(rest) else None


@functools.cache
def effective_date(meta: DocumentMeta) -> dt.date | None:
    """The date, or the year a ``date_note`` places the document in (1 January of it)."""
    if meta.date:
        return meta.date
    m = re.search(r"(?:19|20)\d{2}", meta.date_note or "")
    return dt.date(int(m.group()), 1, 1) if m else None


@functools.cache
def doc_rank(meta: DocumentMeta) -> tuple[dt.date, int]:
    return (effective_date(meta) or dt.date.min, STATUS_RANK.get(meta.status, -1))


def newer_of(left: DocumentMeta, right: DocumentMeta) -> Literal["left", "right"] | None:
    if left.doc_id == right.doc_id or effective_date(left) is None or effective_date(right) is None:
        return None
    a, b = doc_rank(left), doc_rank(right)
    return None if a == b else ("right" if b > a else "left")
