"""Role lexicon and rule notes: how a document says who leads.

``lexicons/roles.yaml`` holds labels (牵头单位：), cue words (牵头 / 配合 / 按职责分工负责),
affixes, rule notes, the words of responsibility stated in sentences (A要会同B… / 由A负责…) and
measure-section cues; this module validates it once and finds rule
notes (逗号前为牵头单位，下同 / 分号前为牵头单位 / 列第一位者为牵头单位) with their spans.
The statement modules beside it (``statements.py`` and its neighbours) use both.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from extractors.lexicon import Rule, load_yaml
from extractors.units.names import simplify
from pipeline.errors import LexiconError
from pipeline.rules.scanning import compile_scanning
from pipeline.model import Span
from pipeline.rules.classify import REMARK_CLOSERS, REMARK_OPENERS

RuleKind = Literal["before_first_comma", "before_first_semicolon", "first_listed", "marked_lead"]
LabelRole = Literal["lead", "supporting", "neutral", "stop"]
CueRole = Literal["lead", "supporting", "duty", "charge"]

OPENERS, CLOSERS = REMARK_OPENERS, REMARK_CLOSERS
BRACKET_CHAR = re.compile("[" + re.escape(OPENERS + CLOSERS) + "]")
# a bracket never runs past its paragraph (the cleaner joins lines until an open bracket closes),
# so one left open by a page's furniture (【字体:打印) does not hold the rest of the text inside it
BRACKET_OR_BREAK = re.compile("[" + re.escape(OPENERS + CLOSERS) + "\n]")


class LabelRule(Rule):
    role: LabelRole


class CueRule(Rule):
    role: CueRole


class NoteRule(Rule):
    kind: RuleKind | None = None
    needs: tuple[str, ...] = ()  # every text this note matches holds one of these (Simplified)

    @model_validator(mode="after")
    def _examples_hold_what_the_note_needs(self) -> NoteRule:
        for example in self.examples:
            if not self.found_in(simplify(example)):
                raise ValueError(f"example {example!r} of note {self.id} lacks all of {self.needs}")
        return self

    def found_in(self, simplified: str) -> bool:
        """Whether ``simplified`` holds a word this note needs (always, when it names none)."""
        return not self.needs or any(word in simplified for word in self.needs)


class ImpliedUnitsRule(Rule):
    """A note charging units with every measure after it (以下均由X落实), before it (以上任务均需X落实)
    or of its own group (以上工作由A统筹推进，B配合…, closing a group's last item; 此项工作由A牵头…
    closing a group's last item charges those of its items that name no unit of their own)."""

    applies_to: Literal["later", "here_and_later", "earlier", "group", "group_unowned", "heading"] = "later"


class RoleLexicon(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int
    labels: tuple[LabelRule, ...]
    cues: tuple[CueRule, ...]
    affixes: tuple[Rule, ...]
    notes: tuple[NoteRule, ...]
    sentences: tuple[Rule, ...]  # responsibility stated in running sentences
    measure_sections: tuple[Rule, ...]
    implied_units: tuple[ImpliedUnitsRule, ...] = ()  # 以下均由X落实，不再列出: X is charged with every later measure
    highlight_words: dict[str, tuple[str, ...]]

    @functools.cached_property
    def _by_id(self) -> dict[str, Rule]:
        # the first rule of an id wins, as the groups are searched in this order
        by_id: dict[str, Rule] = {}
        for group in (self.affixes, self.notes, self.sentences, self.measure_sections):
            for r in group:
                by_id.setdefault(r.id, r)
        return by_id

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]


class RoleRule(BaseModel):
    """A stated convention for telling roles from the order of a list."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: RuleKind
    note: str  # as written, with its tail: 逗号前为牵头单位，下同
    core: str  # the statement alone: 逗号前为牵头单位
    carries: bool = False  # 下同: it governs the rest of the document
    in_bracket: bool = True  # False: a free-standing note (注：列第一位者为牵头单位)
    span: Span | None = None


@functools.cache
def role_lexicon() -> RoleLexicon:
    try:
        return RoleLexicon.model_validate(load_yaml("roles.yaml"))
    except ValueError as exc:
        raise LexiconError(
            "extractors/lexicons/roles.yaml",
            f"invalid role lexicon: {exc}",
            "fix the rule named in the message",
        ) from exc


@functools.cache
def label_regex() -> re.Pattern[str]:
    parts = [f"(?P<{r.id}>{r.pattern})" for r in role_lexicon().labels]
    return compile_scanning("|".join(parts))


@functools.cache
def sentence_rules() -> dict[str, re.Pattern[str]]:
    """The rules for responsibility stated in sentences, by id without ``sentence_``
    (``predicate``, ``lead``, ``partners``, ``heading`` …)."""
    return {r.id.removeprefix("sentence_"): r.regex for r in role_lexicon().sentences}


def label_role(match: re.Match[str]) -> LabelRole:
    for r in role_lexicon().labels:
        if match.group(r.id) is not None:
            return r.role
    raise AssertionError("a label match names one label rule")


def label_beside(label: LabelRole, labels: set[LabelRole] | frozenset[LabelRole]) -> LabelRole:
    """The role a label gives its units, read beside the other labels of its statement (or the
    other columns of its table's header).

    责任单位 alone states no role (neutral); next to a 牵头单位 label it names the others, who
    support (（牵头单位：A，责任单位：B）); next to a 配合单位 label and no 牵头 label it names those
    who answer for the measure, who lead (（责任单位：A；配合单位：B）). Lead, supporting and stop
    labels say their role themselves."""
    if label != "neutral":
        return label
    if "lead" in labels:
        return "supporting"
    return "lead" if "supporting" in labels else "neutral"


# --------------------------------------------------------------------------------------------
# Rule notes


def find_role_rules(text: str, base: int = 0, simplified: str | None = None) -> list[RoleRule]:
    """Every rule note in ``text``, in order (spans offset by ``base``). ``simplified``: the
    text's Simplified form when the caller has it already (a document's ``TextView``)."""
    s = simplify(text) if simplified is None else simplified
    lex = role_lexicon()
    tail = lex.rule("note_tail").regex
    carries = lex.rule("note_carries").regex
    found: list[RoleRule] = []
    for rule in lex.notes:
        if rule.kind is None or not rule.found_in(s):
            continue
        for m in rule.regex.finditer(s):
            t = tail.match(s, m.end())
            end = t.end() if t else m.end()
            found.append(
                RoleRule(
                    kind=rule.kind,
                    note=text[m.start() : end],
                    core=text[m.start() : m.end()],
                    carries=bool(carries.search(s[m.start() : end])),
                    in_bracket=bracket_depth(s, m.start()) > 0,
                    span=Span(start=base + m.start(), end=base + end),
                )
            )
    return sorted(found, key=lambda r: r.span.start if r.span else 0)


def detect_role_rule(doc_text: str) -> RoleRule | None:
    """The first rule note of a document (e.g. 逗号前为牵头单位，下同), or None."""
    rules = find_role_rules(doc_text)
    return rules[0] if rules else None


def rule_in_force(rules: list[RoleRule], position: int) -> RoleRule | None:
    """The rule governing a statement at ``position``.

    The last note stated before it governs (a writer does not change convention without saying
    so, and most say 下同); before any note, only a free-standing note (注：…) governs.
    """
    before = [r for r in rules if r.span is not None and r.span.start < position]
    if before:
        return before[-1]
    free = [r for r in rules if not r.in_bracket]
    return free[0] if free else None


def bracket_depth(s: str, position: int) -> int:
    depth = 0
    for m in BRACKET_OR_BREAK.finditer(s, 0, position):  # skip the text between brackets in C
        if m.group() in OPENERS:
            depth += 1
        elif m.group() == "\n":
            depth = 0
        elif depth:
            depth -= 1
    return depth
