"""Rule tables of the cleaner and the segmenter, loaded once from YAML and validated.

``headings.yaml``  the heading ladder (第X章 … ①, dashes, 专栏, 表, 附件, 前言)
``cleaning.yaml``  page numbers, conversion artifacts, paragraph-end marks, prose spaces
``meta.yaml``      document number, date, status and title cues for metadata read from content

``classify.py`` applies them to a line or paragraph (shared by the cleaner and the segmenter).

Every rule has an ``id``, a ``pattern``, ``examples`` and ``counter_examples``; one
parametrized test (``all_rules``) checks each pattern against its own examples.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from pipeline.errors import LexiconError
from pipeline.model import SectionKind
from pipeline.rules.scanning import compile_scanning, required_characters

RULES_DIR = Path(__file__).resolve().parent

# Han characters, CJK punctuation, full-width forms and the quotes/dashes used with them.
CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2014\u2026"


class PatternRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    pattern: str
    description: str = ""
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        value = value.replace("{CJK}", CJK_CLASS)
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from exc
        return value

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return compile_scanning(self.pattern)

    @functools.cached_property
    def required(self) -> str:
        """Characters every match holds (``scanning.required_characters``)."""
        return required_characters(self.pattern)

    def may_match(self, text: str) -> bool:
        """False when ``text`` lacks a character every match holds: no need to search it."""
        return all(ch in text for ch in self.required)


HeadingRole = Literal["ladder", "leaf", "container", "top", "peer"]


class HeadingRule(PatternRule):
    kind: SectionKind
    role: HeadingRole
    canonical_rank: int | None = None
    weak: bool = False
    needs_rest: bool = False


class HeadingRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ladder: tuple[HeadingRule, ...]
    items: tuple[HeadingRule, ...]
    named: tuple[HeadingRule, ...]
    not_heading: tuple[PatternRule, ...]
    run_in_terminators: str
    heading_start: str
    toc_title: str

    @functools.cached_property
    def start_regex(self) -> re.Pattern[str]:
        return re.compile(self.heading_start)

    @functools.cached_property
    def all(self) -> tuple[HeadingRule, ...]:
        """Most specific first: named lines, then the ladder, then items."""
        return self.named + self.ladder + self.items


class CleaningRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    drop_line: tuple[PatternRule, ...]
    drop_line_at_page_edge: tuple[PatternRule, ...]
    inline_artifacts: tuple[PatternRule, ...]
    line_ends_paragraph: tuple[PatternRule, ...]
    standalone_line: tuple[PatternRule, ...]
    prose_spaces: tuple[PatternRule, ...]
    letter_spaced_line: tuple[PatternRule, ...]
    prose_marks: tuple[PatternRule, ...]

    @functools.cached_property
    def _by_id(self) -> dict[str, PatternRule]:
        return {r.id: r for group in type(self).model_fields for r in getattr(self, group)}

    def rule(self, rule_id: str) -> PatternRule:
        return self._by_id[rule_id]

    @functools.cached_property
    def drop_regex(self) -> re.Pattern[str]:
        return _union(self.drop_line)

    @functools.cached_property
    def edge_drop_regex(self) -> re.Pattern[str]:
        return _union(self.drop_line_at_page_edge)

    @functools.cached_property
    def artifact_regex(self) -> re.Pattern[str]:
        return _union(self.inline_artifacts)

    @functools.cached_property
    def standalone_regex(self) -> re.Pattern[str]:
        return _union(self.standalone_line)

    @functools.cached_property
    def prose_space_regex(self) -> re.Pattern[str]:
        return _union(self.prose_spaces)

    @functools.cached_property
    def paragraph_end_regex(self) -> re.Pattern[str]:
        return self.rule("sentence_end").regex

    @functools.cached_property
    def hard_break_regex(self) -> re.Pattern[str]:
        return self.rule("markdown_hard_break_absent").regex


class MetaRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_number: tuple[PatternRule, ...]
    date: tuple[PatternRule, ...]
    status: tuple[PatternRule, ...]
    title_end: tuple[PatternRule, ...]
    forwarding_title: tuple[PatternRule, ...]
    issuer: tuple[PatternRule, ...]
    issuer_signature: tuple[PatternRule, ...] = ()
    issuer_in_title: tuple[PatternRule, ...] = ()
    issuer_by_number: tuple[PatternRule, ...] = ()  # each rule's ``description`` is the issuer


def _union(rules: tuple[PatternRule, ...]) -> re.Pattern[str]:
    return compile_scanning("|".join(f"(?:{r.pattern})" for r in rules)) if rules else re.compile(r"(?!)")


# libyaml's loader when PyYAML was built with it: the pure-Python one spends ~0.6 s of every
# process start reading the rule and lexicon files.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str):
    """YAML text as Python data, read safely (no arbitrary objects)."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader, C or Python


def _read(name: str) -> dict:
    path = RULES_DIR / name
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(path, f"cannot read rule file: {exc}", "restore it from git") from exc
    if not isinstance(data, dict):
        raise LexiconError(path, "rule file is not a YAML mapping", "restore it from git")
    return data


def _validated(model: type[BaseModel], name: str):
    try:
        return model.model_validate(_read(name))
    except ValueError as exc:
        raise LexiconError(RULES_DIR / name, f"invalid rule file: {exc}", "fix the rule named in the error") from exc


@functools.cache
def heading_rules() -> HeadingRules:
    return _validated(HeadingRules, "headings.yaml")


@functools.cache
def cleaning_rules() -> CleaningRules:
    return _validated(CleaningRules, "cleaning.yaml")


@functools.cache
def meta_rules() -> MetaRules:
    return _validated(MetaRules, "meta.yaml")


def all_rules() -> list[tuple[str, PatternRule]]:
    """Every (file, rule) pair, for the parametrized examples test."""
    out: list[tuple[str, PatternRule]] = []
    for name, rules in (
        ("headings.yaml", heading_rules()),
        ("cleaning.yaml", cleaning_rules()),
        ("meta.yaml", meta_rules()),
    ):
        for group in type(rules).model_fields:
            value = getattr(rules, group)
            if isinstance(value, tuple):
                out.extend((name, r) for r in value if isinstance(r, PatternRule))
    return out
