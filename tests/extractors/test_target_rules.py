"""Every rule of lexicons/targets.yaml and lexicons/deadlines.yaml matches its examples and none
of its counter-examples (one parametrized test over all rules)."""

from __future__ import annotations

import pytest

from extractors.deadlines import deadline_lexicon
from extractors.lexicon import Rule
from extractors.target_lexicon import target_lexicon


def _rules() -> list[tuple[str, Rule]]:
    found: list[tuple[str, Rule]] = []
    for file, lexicon in (("targets.yaml", target_lexicon()), ("deadlines.yaml", deadline_lexicon())):
        for field in type(lexicon).model_fields:
            value = getattr(lexicon, field)
            for rule in value if isinstance(value, tuple) else (value,):
                if isinstance(rule, Rule):
                    found.append((f"{file}:{field}:{rule.id}", rule))
    return found


RULES = _rules()


def test_every_rule_has_examples_and_counter_examples():
    lacking = [name for name, rule in RULES if not rule.examples or not rule.counter_examples]
    assert lacking == []


@pytest.mark.parametrize(("name", "rule"), RULES, ids=[name for name, _ in RULES])
def test_rule_examples(name: str, rule: Rule):
    missed = [e for e in rule.examples if not rule.regex.search(e)]
    wrongly = [c for c in rule.counter_examples if rule.regex.search(c)]
    assert missed == [], f"{name}: examples not matched"
    assert wrongly == [], f"{name}: counter-examples matched"


def test_rule_ids_are_unique_within_a_file():
    for file in ("targets.yaml", "deadlines.yaml"):
        ids = [name.rsplit(":", 1)[1] for name, _ in RULES if name.startswith(file)]
        assert len(ids) == len(set(ids)), file
