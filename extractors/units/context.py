"""A document's jurisdiction, and the units it names read in it.

A 东区 document writes its own bureaus without the district (区经济和信息化局); a 西区 document
writes its own the same way. In a ledger that holds both, the two must not become one unit, so a
bare name takes the place of the document it is written in::

    ctx = UnitContext.from_meta(meta)   # issuer 攀枝花市东区人民政府办公室 → district 东区
    qualify_unit(canonical_unit("区经济和信息化局"), ctx).canonical   # 东区经济和信息化局

The place comes from the issuer (a body's name: 米易县人民政府办公室) and from the title when the
title starts with a place (攀枝花东区高新技术产业园区承载能力提升三年行动方案 → park
东区高新技术产业园区). City bodies stay 市X局 (the city is implied), except vertical bodies whose
official name holds the city (市税务局 → 国家税务总局攀枝花市税务局, when the authority lists it).
A bare name whose place the document does not give keeps ``needs_jurisdiction:<tier>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from extractors.units.divisions import division_index
from extractors.units.names import (
    Level,
    UnitMatch,
    canonical_unit,
    lookup,
    normalize_name,
    resolve,
    unit_lexicon,
)
from extractors.units.places import bare_tier, place_candidates, with_place
from pipeline.model import DocumentMeta, UnitFlag

_PARTY = "中共"
_PROVINCE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,7}?自治区)")  # 广西壮族自治区 is no 区
_CITY = re.compile(r"^([\u4e00-\u9fff]{2,4}?市|[\u4e00-\u9fff]{2,6}?州|[\u4e00-\u9fff]{2,6}?盟)")
_CITY_BEFORE = re.compile(r"(?:中共)?[\u4e00-\u9fff]{2,6}")  # the city a 市 body's canonical name starts with
_QUOTED_TITLE = re.compile(r"《([^》]+)》")
_ISSUER_SEPARATORS = re.compile(r"[\s、，,；;]+")


class UnitContext(BaseModel):
    """The places a document's bare unit names belong to. All optional: unknown stays unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    national: bool = False  # issued by a central body: 发展改革委 is 国家发展改革委
    province: str | None = None  # 山东省
    city: str | None = None  # 攀枝花市
    district: str | None = None  # 东区
    county: str | None = None  # 米易县
    park: str | None = None  # 东区高新技术产业园区
    town: str | None = None  # 银江镇

    @classmethod
    def from_meta(cls, meta: DocumentMeta) -> UnitContext:
        """Read from ``meta.issuer`` (each issuing body) and then ``meta.title``."""
        readings = [read_places(p) for p in _ISSUER_SEPARATORS.split(meta.issuer or "") if p]
        title = meta.title or ""
        readings.append(read_places(title, from_title=True))
        readings.extend(read_places(q, from_title=True) for q in _QUOTED_TITLE.findall(title))
        fields: dict[str, object] = {}
        for reading in readings:
            for name, value in reading.model_dump(exclude_none=True, exclude_defaults=True).items():
                fields.setdefault(name, value)
        if "province" not in fields and "city" not in fields and meta.doc_number:
            fields.update(_places_of_number(meta.doc_number))
        issuer = normalize_name(meta.issuer or "")
        fields.setdefault("national", bool(_NATIONAL_ISSUER.match(issuer))
                          or bool(_NATIONAL_NUMBER.match(meta.doc_number or "")))
        if "province" not in fields:
            province = _province_of(issuer) or _province_of(normalize_name(title))
            if province is None and fields.get("city"):
                province = _province_of(str(fields["city"]))
            if province is not None:
                fields["province"] = province
        return cls(**fields)

    def place(self, level: Level) -> str | None:
        """The document's place of ``level`` (district → 东区), None when it gives none."""
        return {
            "district": self.district,
            "county": self.county,
            "park": self.park,
            "town": self.town,
            "city": self.city,
        }.get(level)


_NATIONAL_ISSUER = re.compile(r"^(?:中共中央|国务院|全国人大|国家[\u4e00-\u9fff]{1,12}(?:部|委|局|署|总局)|"
                              r"[\u4e00-\u9fff]{1,10}部(?:办公厅)?$)")
_NATIONAL_NUMBER = re.compile(r"^(?:国发|国办发|国函|国办函)")


def _places_of_number(doc_number: str) -> dict[str, str]:
    """The province (鲁政办发 → 山东省) or the city (包府办发 → 包头市) a 文号 is written with, when
    its first character names one place only (see ``number_prefixes`` in lexicons/units.yaml)."""
    first = doc_number.strip()[:1]
    if not first or _NATIONAL_NUMBER.match(doc_number.strip()):
        return {}
    province = unit_lexicon().number_prefixes.get(first)
    cities = division_index().cities_starting_with(first)
    if province is not None and not cities:
        return {"province": province}
    if province is None and len(cities) == 1:
        city = cities[0]
        found = {"city": city.name}
        if (p := _province_of(city.name)) is not None:
            found["province"] = p
        return found
    return {}


def _province_of(text: str) -> str | None:
    """The province a body or a title names first (山东省人民政府 → 山东省; 济南市 → 山东省)."""
    division = division_index().leading(text.removeprefix(_PARTY))
    if division is None:
        return None
    if division.kind == "province":
        return division.name
    return next((d.name for d in division_index().containing(division) if d.kind == "province"), None)


def read_places(text: str, from_title: bool = False) -> UnitContext:
    """The places ``text`` starts with: 攀枝花市东区人民政府办公室 → city 攀枝花市, district 东区.

    A title's leading words are read as places only after a city (攀枝花市西区…) or when they
    name a place the authority knows (国家钒钛高新区…): 关于开展园区提质行动… names no park.
    """
    s = normalize_name(text).removeprefix(_PARTY)
    s = s[m.end() :] if (m := _PROVINCE.match(s)) else s
    city, pos = _city(s)
    fields: dict[str, str] = {"city": city} if city else {}
    previous: str | None = None
    while True:
        if s.startswith("人民政府", pos):  # 武侯区人民政府玉林街道办事处: the 街道 is the district's
            pos += len("人民政府")
        found = next(iter(place_candidates(s, pos)), None)
        if found is None:
            break
        end, tier = found
        name = s[pos:end]
        if tier.level == "park":
            name = _park_name((previous or "") + name, city)
        if from_title and city is None and lookup(name) is None:
            break  # a title's first words are a place only when the authority knows it
        fields.setdefault(tier.level, name)
        previous, pos = name, end
    return UnitContext(**fields)


def _city(s: str) -> tuple[str | None, int]:
    for group in unit_lexicon().local:
        if s.startswith(group.short):
            return group.city, len(group.short) + s.startswith("市", len(group.short))
    m = _CITY.match(s)
    if m is None or not _is_name(m.group()[:-1]):
        return None, 0
    return m.group(), m.end()


def _is_name(core: str) -> bool:
    return not any(rule.regex.search(core) for rule in unit_lexicon().place_rules)


def _park_name(name: str, city: str | None) -> str:
    """A park the authority knows by its first place name (钒钛高新区 → 攀枝花钒钛高新技术产业开发区)."""
    short = (city or "").removesuffix("市")
    for candidate in (name, short + name):
        entry = lookup(candidate, city)
        if entry is not None and entry.level == "park" and entry.places:
            return entry.places[0]
    return name


_PARTY_COMMITTEE = re.compile(r"^[\u4e00-\u9fff]{1,12}?[省市县区州旗]委(?!员会)(?=[\u4e00-\u9fff])")


def party_body(qualified: str) -> str:
    """A body of a Party committee named with its place takes 中共 (山东省委组织部 →
    中共山东省委组织部), as in its official name."""
    if qualified.startswith("中共") or not _PARTY_COMMITTEE.match(qualified):
        return qualified
    return "中共" + qualified


def qualify_unit(match: UnitMatch, context: UnitContext) -> UnitMatch:
    """``match`` read in a document of ``context``.

    区经济和信息化局 in a 东区 document → 东区经济和信息化局; 园区规划发展部 in a document about
    东区高新技术产业园区 → 东区高新技术产业园区规划发展部; 成都市财政局 in a 攀枝花 document stays
    成都市财政局. ``name`` (as written) is kept; a bare name with no place in ``context`` keeps
    its ``needs_jurisdiction`` flag.
    """
    base = resolve(match.name, context.city) if context.city else match
    tier = bare_tier(base.canonical, base.level)
    place = context.place(tier.level) if tier else None
    if tier is not None and place is not None:
        qualified = with_place(base.canonical, tier, place)
        entry = lookup(qualified, context.city)
        flags = tuple(
            _qualified_flag(flag, tier.bare_word, place)
            for flag in base.flags
            if flag.kind != "needs_jurisdiction"
        )
        if entry is not None:
            update = {"canonical": entry.canonical, "known": True, "level": entry.level}
            return base.model_copy(update={**update, "flags": flags})
        return base.model_copy(update={"canonical": party_body(qualified), "flags": flags})
    if context.province and base.level == "province" and base.canonical.startswith("省"):
        return base.model_copy(update={"canonical": party_body(context.province + base.canonical[1:])})
    if context.province and context.province.endswith("自治区") and base.canonical.startswith("自治区"):
        # 自治区财政厅 in a 广西 document is 广西壮族自治区财政厅, as 省财政厅 is 山东省财政厅
        return base.model_copy(update={"canonical": party_body(context.province + base.canonical[3:])})
    if context.national and base.level is None:  # 发展改革委 in a 国务院 document
        entry = lookup("国家" + base.canonical)
        if entry is not None and entry.level == "national":
            return base.model_copy(update={"canonical": entry.canonical, "known": True, "level": entry.level})
    tier_word = _own_tier_word(context, base.canonical)
    if tier_word and base.level is None and not base.known:
        # 财政厅 after 省商务厅、 in a 河南省 document is 省财政厅 (a ledger would else hold 财政厅 and
        # 河南省财政厅 apart)
        tiered = canonical_unit(tier_word + base.canonical)
        if tiered.known:
            return qualify_unit(tiered, context).model_copy(update={"name": match.name})
    if context.city and base.level == "city" and base.canonical.startswith("市"):
        entry = lookup(context.city + base.canonical[1:], context.city)
        if entry is not None:  # 市税务局 → 国家税务总局攀枝花市税务局
            return base.model_copy(update={"canonical": entry.canonical, "level": entry.level})
        # 市财政局 in a 济南 document is 济南市财政局: two cities' bureaus never merge in one ledger
        return base.model_copy(update={"canonical": party_body(context.city + base.canonical[1:])})
    return base


def _own_tier_word(context: UnitContext, name: str) -> str | None:
    """省 for a bare 厅 (财政厅) in a document of a province or below: only a province has 厅s. A
    bare 局 or 委 may be any tier's (or the nation's) and stays as written."""
    if context.national or not name.endswith("厅"):
        return None
    return "省" if context.province and context.province.endswith("省") else None


def same_body(a: str, b: str) -> bool:
    """Two canonical names of one body, one read with its city and one without (a version of a
    document registered without its issuer): 攀枝花市财政局 and 市财政局, 中共攀枝花市委组织部 and
    市委组织部."""
    if a == b:
        return True
    short, full = (a, b) if len(a) < len(b) else (b, a)
    return short.startswith("市") and full.endswith(short) and bool(_CITY_BEFORE.fullmatch(full[: -len(short)]))


def jurisdiction_candidates(match: UnitMatch, canonicals: Iterable[str]) -> list[str]:
    """The names among ``canonicals`` a bare ``match`` may stand for, one per place.

    For a lookup without a document (``GET /units/区经济和信息化局/tasks``): 区经济和信息化局 →
    [东区经济和信息化局, 西区经济和信息化局] when the ledger holds both. A name that needs no
    jurisdiction has no candidates (``[]``); vertical bodies named around their place
    (国家税务总局攀枝花市东区税务局) are not found this way.
    """
    if match.level == "city" and match.canonical.startswith("市"):
        # 市经信局 → 攀枝花市经济和信息化局, 济南市经济和信息化局 (中共攀枝花市委组织部 for 市委组织部)
        return [n for n in canonicals if n != match.canonical and same_body(match.canonical, n)]
    tier = bare_tier(match.canonical, match.level)
    if tier is None:
        return []
    out: list[str] = []
    for name in canonicals:
        for end, found in place_candidates(name):
            if found.level != tier.level:
                continue
            if qualify_unit(match, UnitContext(**{found.level: name[:end]})).canonical == name:
                out.append(name)
                break
    return out


def _qualified_flag(flag: UnitFlag, bare_word: str, place: str) -> UnitFlag:
    """possible_typo:区住房和城乡建设局 → possible_typo:东区住房和城乡建设局."""
    if flag.kind == "possible_typo" and flag.value and flag.value.startswith(bare_word):
        return flag.model_copy(update={"value": place + flag.value[len(bare_word):]})
    return flag
