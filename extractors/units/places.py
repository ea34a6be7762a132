"""Place names inside body names: where a place (东区, 米易县, 银江镇) can end in a written name,
and the tier of a body written without its place (区财政局 → 区). Which place a bare name belongs
to is the document's context (``extractors/units/context.py``)."""

from __future__ import annotations

import functools

from extractors.units.lexicon import Level, Tier, unit_lexicon


@functools.cache
def _tiers_by_position() -> tuple[Tier, ...]:
    return tuple(sorted(unit_lexicon().tiers, key=lambda t: -len(t.tier)))


def is_place_core(core: str) -> bool:
    """Could ``core`` be the name part of a place (东 of 东区, 米易 of 米易县)?"""
    return bool(core) and not any(r.regex.search(core) for r in unit_lexicon().place_rules)


def place_candidates(text: str, start: int = 0) -> list[tuple[int, Tier]]:
    """(end, tier) of every place name that could start at ``text[start]``, shortest first."""
    out: list[tuple[int, Tier]] = []
    for tier in _tiers_by_position():
        k = text.find(tier.tier, start + 1)
        while k != -1 and k - start <= tier.max_core:
            if is_place_core(text[start:k]):
                out.append((k + len(tier.tier), tier))
            k = text.find(tier.tier, k + 1)
    return sorted(out, key=lambda c: (c[0], -len(c[1].tier)))


def with_place(bare: str, tier: Tier, place: str) -> str:
    """区财政局 + 东区 → 东区财政局; 园区规划发展部 + 东区高新技术产业园区 → 东区高新…园区规划发展部."""
    return place + bare[len(tier.bare_word) :]


@functools.cache
def _tiers_own_word_first() -> tuple[Tier, ...]:
    return tuple(sorted(_tiers_by_position(), key=lambda t: t.bare is not None))


def bare_tier(canonical: str, level: Level | None) -> Tier | None:
    """The tier of a body name written without its place (区财政局 → 区), else None."""
    for tier in _tiers_own_word_first():
        bare = canonical.startswith(tier.bare_word) and len(canonical) > len(tier.bare_word)
        if tier.level == level and bare:
            return tier
    return None
