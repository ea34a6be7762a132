"""Compile rule patterns so that ``re`` rejects at once the positions where no match can start.

Python's ``re`` scans fast only when a pattern starts with a plain character or a character
class; a pattern that opens with a lookbehind, an optional word (``(?:到|至)?\\s*20\\d{2}年``) or
a union of named groups is tried at every position of the text. Every clause of every document
goes through hundreds of such rule patterns, so ``compile_scanning`` computes the characters a
match can start with and puts them first as a lookahead: ``(?=[到至\\s2])(?:…)``. ``re`` still
tries every position (its fast scan needs a pattern that *starts* with a character or a class,
and a lookahead does not count), but a position whose character cannot start a match now fails
at one class test instead of walking the pattern's optional parts, which halves the time the
guarded deadline and comparator rules take over a document's clauses. A match is unchanged: it
starts at the same place and consumes the same text, because its first character is one of
those the lookahead lets through.

Patterns whose first character cannot be bounded (they can match the empty string, start with
``.`` or ``[^…]``, or carry inline flags) are compiled as they are.
"""

from __future__ import annotations

import re
from re import _parser  # the stdlib's pattern parser: the structure re itself compiles from

_CATEGORY_ESCAPES = {
    _parser.CATEGORY_DIGIT: r"\d", _parser.CATEGORY_NOT_DIGIT: r"\D",
    _parser.CATEGORY_SPACE: r"\s", _parser.CATEGORY_NOT_SPACE: r"\S",
    _parser.CATEGORY_WORD: r"\w", _parser.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (_parser.MAX_REPEAT, _parser.MIN_REPEAT, getattr(_parser, "POSSESSIVE_REPEAT", None))
_ZERO_WIDTH = (_parser.AT, _parser.ASSERT, _parser.ASSERT_NOT)


class _Unbounded(Exception):
    """The first character of a match cannot be bounded by a character class."""


def _class_items(items: list) -> list[str]:
    out = []
    for op, av in items:
        if op is _parser.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _parser.RANGE:
            out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is _parser.CATEGORY and av in _CATEGORY_ESCAPES:
            out.append(_CATEGORY_ESCAPES[av])
        else:  # a negated class, a category we do not render
            raise _Unbounded
    return out


def _first(items) -> tuple[list[str], bool]:
    """(class items a match of ``items`` can start with, whether ``items`` can match empty)."""
    found: list[str] = []
    for op, av in items:
        if op is _parser.LITERAL:
            return found + [re.escape(chr(av))], False
        if op is _parser.IN:
            return found + _class_items(av), False
        if op in _ZERO_WIDTH:
            continue  # zero width: the character after it is still the first one consumed
        if op is _parser.BRANCH:
            parts = [_first(alternative) for alternative in av[1]]
            nullable = any(empty for _, empty in parts)
        elif op is _parser.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise _Unbounded
            parts = [_first(sub)]
            nullable = parts[0][1]
        elif op in _REPEATS:
            low, _high, sub = av
            parts = [_first(sub)]
            nullable = low == 0 or parts[0][1]
        else:  # ., [^…] as NOT_LITERAL, back-references, atomic groups …
            raise _Unbounded
        for chars, _ in parts:
            found += chars
        if not nullable:
            return found, False
    return found, True


def _scans_already(data) -> bool:
    """re's own fast scan applies: the pattern starts with a character or a class, with
    alternatives that each start with a character, or with ^ (tried at the start only)."""
    if not data:
        return False
    op, av = data[0]
    if op in (_parser.LITERAL, _parser.IN, _parser.AT):
        return True
    return op is _parser.BRANCH and all(alt.data and alt.data[0][0] is _parser.LITERAL for alt in av[1])


def first_characters(pattern: str) -> str | None:
    """A character class body holding every character a match of ``pattern`` can start with,
    or None when that cannot be bounded."""
    try:
        return _first_characters(_parser.parse(pattern))
    except re.error:
        return None


def _first_characters(parsed) -> str | None:
    if parsed.state.flags & ~(re.UNICODE | re.ASCII) & ~_parser.TYPE_FLAGS:
        return None
    try:
        chars, nullable = _first(parsed.data)
    except _Unbounded:
        return None
    if nullable or not chars:
        return None
    return "".join(dict.fromkeys(chars))


def compile_scanning(pattern: str) -> re.Pattern[str]:
    """``re.compile(pattern)``, led by a lookahead on its possible first characters when they
    can be bounded and re would not scan fast by itself: the same matches, each position that
    cannot start one rejected at its first character."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return re.compile(pattern)  # raises the error where the caller expects it
    chars = None if _scans_already(parsed.data) else _first_characters(parsed)
    if chars is None:
        return re.compile(pattern)
    return re.compile(f"(?=[{chars}])(?:{pattern})")


def required_characters(pattern: str) -> str:
    """Characters every match of ``pattern`` holds: its literals outside optional parts (those in
    groups and repeats of at least one, and those every alternative of a branch shares). A text
    missing one of them cannot match, so a long scan can be skipped: ``号`` of
    ``…〔2023〕4号``, ``年以来`` of ``20\\d{2}\\s*年\\s*以来``. Empty when nothing is required or
    the pattern carries flags (IGNORECASE would let a literal stand for two characters)."""
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return ""
    if parsed.state.flags & ~(re.UNICODE | re.ASCII) & ~_parser.TYPE_FLAGS:
        return ""
    return "".join(sorted(_required(parsed.data)))


def _required(items) -> set[str]:
    found: set[str] = set()
    for op, av in items:
        if op is _parser.LITERAL:
            found.add(chr(av))
        elif op is _parser.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if not add_flags and not del_flags:
                found |= _required(sub)
        elif op in _REPEATS and av[0] >= 1:
            found |= _required(av[2])
        elif op is _parser.BRANCH:
            shared = [_required(alternative) for alternative in av[1]]
            found |= set.intersection(*shared) if shared else set()
    return found
