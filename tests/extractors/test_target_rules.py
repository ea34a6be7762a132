"""Every rule of lexicons/targets.yaml and lexicons/deadlines.yaml matches its examples and none
of its counter-examples (one parametrized test over all rules).

Deadline phrase rules are run through the extractor: a counter-example may hold the pattern when
its context rules it out (持续推进 in running text, 截至2020年), so what is tested is that the rule
yields a deadline for each example and none for each counter-example.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from extractors.deadlines import DeadlineRule, deadline_lexicon, deadline_matches
from extractors.lexicon import Rule
from extractors.targets.lexicon import target_lexicon


def _is_group(value: object) -> bool:
    """A sub-table of rules (deadlines.yaml timing_clause, retrospective)."""
    return isinstance(value, BaseModel) and not isinstance(value, Rule)


def _rules() -> list[tuple[str, Rule]]:
    found: list[tuple[str, Rule]] = []
    for file, lexicon in (("targets.yaml", target_lexicon()), ("deadlines.yaml", deadline_lexicon())):
        for field in type(lexicon).model_fields:
            value = getattr(lexicon, field)
            nested = [getattr(value, f) for f in type(value).model_fields] if _is_group(value) else [value]
            for rule in (r for v in nested for r in (v if isinstance(v, tuple) else (v,))):
                if isinstance(rule, Rule):
                    found.append((f"{file}:{field}:{rule.id}", rule))
    return found


RULES = _rules()


def test_every_rule_has_examples_and_counter_examples():
    lacking = [name for name, rule in RULES if not rule.examples or not rule.counter_examples]
    assert lacking == []


def _deadline_rule_finds(rule: DeadlineRule, text: str) -> bool:
    return any(m.rule_id == rule.id for m in deadline_matches(text))


@pytest.mark.parametrize(("name", "rule"), RULES, ids=[name for name, _ in RULES])
def test_rule_examples(name: str, rule: Rule):
    finds = (
        (lambda text: _deadline_rule_finds(rule, text))
        if isinstance(rule, DeadlineRule)
        else (lambda text: rule.regex.search(text) is not None)
    )
    missed = [e for e in rule.examples if not finds(e)]
    wrongly = [c for c in rule.counter_examples if finds(c)]
    assert missed == [], f"{name}: examples not matched"
    assert wrongly == [], f"{name}: counter-examples matched"


def test_rule_ids_are_unique_within_a_file():
    for file in ("targets.yaml", "deadlines.yaml"):
        ids = [name.rsplit(":", 1)[1] for name, _ in RULES if name.startswith(file)]
        assert len(ids) == len(set(ids)), file


def test_every_rule_that_states_a_target_anywhere_holds_a_character_every_match_holds():
    """Every clause of every document is tried against these rules: one search for their
    characters rules most clauses out, and a rule without one would switch that off for all."""
    from extractors.targets.lexicon import target_lexicon

    assert [r.id for r in target_lexicon().qualitative if r.anywhere and not r.required] == []
