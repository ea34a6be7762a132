"""compile_scanning: the same matches as re.compile, for every rule pattern of the product."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.rules import PatternRule
from pipeline.rules.scanning import compile_scanning, first_characters, required_characters

# Every rule of every lexicon against generated text: minutes in all, so it runs in the full suite
# (CI) and not in the edit loop.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
RULE_FILES = sorted([*(REPO / "pipeline" / "rules").glob("*.yaml"), *(REPO / "extractors" / "lexicons").glob("*.yaml")])


def _patterns(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["pattern"]] if "id" in node and isinstance(node.get("pattern"), str) else []
        return found + [p for value in node.values() for p in _patterns(value)]
    if isinstance(node, list):
        return [p for value in node for p in _patterns(value)]
    return []


def _product_patterns() -> list[Any]:
    out = []
    for path in RULE_FILES:
        for i, raw in enumerate(_patterns(yaml.safe_load(path.read_text(encoding="utf-8")))):
            pattern = PatternRule(id="x", pattern=raw).pattern  # {CJK} expanded, as the product reads it
            out.append(pytest.param(pattern, id=f"{path.stem}:{i}"))
    return out


PATTERNS = _product_patterns()


def _same_matches(plain: re.Pattern[str], scanning: re.Pattern[str], text: str) -> None:
    assert [(m.span(), m.groupdict()) for m in scanning.finditer(text)] == [
        (m.span(), m.groupdict()) for m in plain.finditer(text)
    ], text
    assert bool(scanning.match(text)) == bool(plain.match(text)), text


@pytest.fixture(scope="module")
def corpus_lines() -> list[str]:
    from pipeline.chinese import to_simplified

    lines = [line for path in sorted((REPO / "corpus").glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [to_simplified(line) for line in lines]


def test_the_product_has_rule_patterns_and_most_are_bounded() -> None:
    bounded = [p for p in PATTERNS if first_characters(p.values[0]) is not None]
    assert len(PATTERNS) > 150
    assert len(bounded) > 0.6 * len(PATTERNS)  # what the speed-up rests on


@pytest.mark.parametrize("pattern", PATTERNS)
def test_scanning_finds_the_same_matches_on_the_corpus(pattern: str, corpus_lines: list[str]) -> None:
    plain, scanning = re.compile(pattern), compile_scanning(pattern)
    for line in corpus_lines:
        _same_matches(plain, scanning, line)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_scanning_finds_the_same_matches_in_text_made_from_the_pattern(pattern: str) -> None:
    plain, scanning = re.compile(pattern), compile_scanning(pattern)

    @given(st.from_regex(pattern, fullmatch=False), st.text(alphabet="到至2025年 ，。（）〔", max_size=6))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(text: str, noise: str) -> None:
        _same_matches(plain, scanning, text)
        _same_matches(plain, scanning, noise + text + noise)

    _run_unless_unsatisfiable(check)


def _run_unless_unsatisfiable(check) -> None:
    """Run a hypothesis test drawing from ``st.from_regex``, which cannot generate text for
    some lookaround patterns: that, and only that, is not a failure."""
    try:
        check()
    except Exception as exc:
        if "Unsatisfiable" not in type(exc).__name__:
            raise


@pytest.mark.parametrize(("pattern", "first"), [
    (r"(?:到|至)?\s*(?P<y>20\d{2})年", r"到至\s2"),
    (r"(?<![0-9])(?P<y>20\d{2})\s*年", "2"),
    (r"(?:a|b?)c", "abc"),
    (r"a{0,3}b", "ab"),
    (r"(?=ab)a", "a"),
    (r"\d+x", r"\d"),
    (r"[一-龥]+局", "一-龥"),
])
def test_first_characters(pattern: str, first: str) -> None:
    assert first_characters(pattern) == first


@pytest.mark.parametrize("pattern", [r"^(?:确保)?$", r".abc", r"[^a]b", r"(?i)abc", r"x*", r"(?i:a)b", r"(?P<x>a)?(?P=x)b"])
def test_unbounded_patterns_are_compiled_as_they_are(pattern: str) -> None:
    assert first_characters(pattern) is None
    assert compile_scanning(pattern).pattern == pattern


# --------------------------------------------------------------------------------------------
# required_characters: a text without one of them is not searched (PatternRule.may_match)


def _holds_required(pattern: str, text: str) -> None:
    required = required_characters(pattern)
    for m in re.compile(pattern).finditer(text):
        assert all(ch in m.group() for ch in required), (pattern, m.group(), required)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_match_holds_the_required_characters(pattern: str, corpus_lines: list[str]) -> None:
    for line in corpus_lines:
        _holds_required(pattern, line)

    @given(st.from_regex(pattern, fullmatch=False))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(text: str) -> None:
        _holds_required(pattern, text)

    _run_unless_unsatisfiable(check)


@pytest.mark.parametrize(("pattern", "required"), [
    (r"[\u4e00-\u9fff]{1,10}[〔(]\s*(?:19|20)\d{2}\s*[〕)]\s*\d+\s*号", "号"),
    (r"(?P<y>20\d{2})\s*年\s*以来", "02以年来"),
    (r"(?:到|至)?年底", "年底"),  # the optional group adds nothing (sorted by code point)
    (r"a(?:bc|cb)", "abc"),  # what every alternative shares
    (r"x(?:y)+z*", "xy"),  # a repeat of at least one counts, z* does not
    (r"(?=前)后", "后"),  # a lookahead's characters are not in the match
    (r"(?i)abc", ""),  # a flag could let one literal stand for two characters
    (r"[号令]", ""),  # a class of two or more characters requires neither
])
def test_required_characters(pattern: str, required: str) -> None:
    assert required_characters(pattern) == required


def test_may_match_skips_only_texts_that_cannot_match() -> None:
    rule = PatternRule(id="x", pattern=r"〔\d{4}〕\d+号")
    assert rule.may_match("川办发〔2018〕45号") and rule.regex.search("川办发〔2018〕45号")
    assert not rule.may_match("川办发〔2018〕45")
