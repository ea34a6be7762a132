"""Responsibility statements → units with roles (牵头 lead / 配合 supporting / unassigned).

Formats read (cue words, labels and rule notes are data in ``lexicons/roles.yaml``):

- ``〔责任单位：A，B、C（逗号前为牵头单位，下同）〕`` – a rule note: leads before the first comma;
- ``〔责任单位：A、B；C、D，分号前为牵头单位,下同〕`` – leads before the first semicolon;
- ``（A，B、C。逗号前为牵头部门，下同）`` – no label; a bracket standing after a sentence at the
  end of its paragraph whose items all look like units;
- ``（A牵头，B、C配合）`` / ``（A、B牵头，C及各县区按职责分工负责）`` / ``（A负责）`` – cue words;
- ``牵头单位：A`` / ``配合单位：B`` / ``责任单位：…`` / ``完成时限：…`` – labelled lines;
- ``列第一位者为牵头单位`` – a note anywhere: the first unit leads;
- sentences whose subject is a named body followed by a duty word (``国家卫生健康委要会同相关部门…``,
  ``2019年6月底前，各省份建立…``, ``由A负责…``, ``请A、B在…前完成``): 牵头 / 会同 make the subject
  lead and the 会同 partners support, any other duty states no role (see ``sentences.py``).

Roles are never guessed: units of a statement with no label, 牵头 cue or rule get ``unassigned``,
even a single unit (（市科技局负责）, 〔责任单位：市财政局〕). 负责 alone states no role: it leads
only beside a 配合 / 参与 group (A、B负责，C配合) and supports beside a 牵头 group. Order of
evidence: label (read beside the statement's other labels: 牵头单位：A，责任单位：B → B supports)
> cue > the statement's own rule > the rule in force (passed in; see ``detect_role_rule``) >
unassigned.

All matching runs on a Simplified copy made character for character, so offsets are those of
the text as written; names keep their Traditional characters.

This module finds and parses statements of every kind; the work is done by its neighbours:
``marked.py`` finds bracket and label statements, ``assign.py`` reads them into units with
roles, ``sentences.py`` (with ``zones.py``) finds and reads sentence statements, and
``items.py`` cuts a list into units for all of them.
"""

from __future__ import annotations

from extractors.roles.assign import ResponsibilityParse, parse_marked, parse_unit_list, unit_mention
from extractors.roles.conventions import (
    RoleLexicon,
    RoleRule,
    RuleKind,
    detect_role_rule,
    find_role_rules,
    role_lexicon,
    rule_in_force,
)
from extractors.roles.marked import merge_spans
from extractors.roles.sentences import (
    item_statements,
    sentence_roles,
    sentence_starting_at,
    sentence_statements,
)
from extractors.roles.text import TextView
from extractors.units.context import UnitContext
from pipeline.model import Span

__all__ = [
    "ResponsibilityParse",
    "RoleLexicon",
    "RoleRule",
    "RuleKind",
    "TextView",
    "UnitContext",
    "detect_role_rule",
    "find_role_rules",
    "find_statements",
    "parse_responsibilities",
    "parse_responsibility",
    "parse_statement",
    "parse_unit_list",
    "role_lexicon",
    "rule_in_force",
]


def find_statements(text: str | TextView) -> list[tuple[int, int]]:
    """Spans ``[start, end)`` of the responsibility statements in ``text``: brackets (included),
    labelled lines and sentences that charge a body (see ``sentences.py``). For a whole
    document, pass its ``TextView`` (``DocumentContext.text_view``, made once)."""
    view = TextView.of(text)
    marked = list(view.marked)
    return merge_spans(marked + sentence_statements(view, marked))


def parse_statement(
    text: str | TextView,
    start: int,
    end: int,
    base: int = 0,
    rule: RoleRule | None = None,
    context: UnitContext | None = None,
) -> ResponsibilityParse:
    """Parse the statement ``text[start:end]`` (a bracket, labelled lines or a sentence).
    ``text``: a string, or for a statement of a whole document its ``TextView`` (made once);
    ``rule``: the rule in force; ``context``: the document's places, which bare names (区财政局)
    take; None reads each name alone."""
    view = TextView.of(text)
    parse = parse_marked(view, start, end, base, rule, context)
    if parse is not None:
        return parse
    return _parse_sentence(view, start, base, context)


def _parse_sentence(
    view: TextView, start: int, base: int, context: UnitContext | None
) -> ResponsibilityParse:
    hit = sentence_starting_at(view.simplified, start)
    if hit is None:
        return ResponsibilityParse()
    marked = item_statements(view, hit)
    named = {u.canonical for a, b in marked for u in parse_statement(view, a, b).units}
    found = sentence_roles(view, hit, marked, named)
    units = [unit_mention(view.text, it, role, base, context) for it, role in found]
    return ResponsibilityParse(units=tuple(units), rule_applied="cue" if hit.lead else None)


def parse_responsibilities(
    text: str, base: int = 0, rule: RoleRule | None = None, context: UnitContext | None = None
) -> list[ResponsibilityParse]:
    """One parse per statement found in ``text``. ``rule``: the rule in force (from earlier)."""
    view = TextView.of(text)
    return [parse_statement(view, a, b, base, rule, context) for a, b in find_statements(view)]


def parse_responsibility(
    text: str, base: int = 0, rule: RoleRule | None = None, context: UnitContext | None = None
) -> ResponsibilityParse:
    """Units and roles of the responsibility statement(s) in ``text``.

    ``text`` may be the statement itself (``〔责任单位：…〕``) or a whole measure holding it.
    Several statements are merged (units in order; span from the first to the last).
    ``base``: offset of ``text`` in the document; ``rule``: the rule in force (a ``下同`` note
    stated earlier); ``context``: the document's places (see ``unit_context``). Returns an empty
    parse when ``text`` holds no statement.
    """
    parses = parse_responsibilities(text, base, rule, context)
    if not parses:
        return ResponsibilityParse()
    if len(parses) == 1:
        return parses[0]
    spans = [p.span for p in parses if p.span is not None]  # sentence statements have none
    return ResponsibilityParse(
        units=tuple(u for p in parses for u in p.units),
        rule_applied=next((p.rule_applied for p in parses if p.rule_applied), None),
        rule_stated=next((p.rule_stated for p in parses if p.rule_stated), None),
        span=Span(start=spans[0].start, end=spans[-1].end) if spans else None,
    )
