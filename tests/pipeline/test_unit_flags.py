"""UnitFlag: a typed flag in code, the text ``kind:value`` on the wire (registry, contract, API)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from pipeline.model import Task, UnitFlag, UnitMention

FLAGS = [
    ("possible_typo:市政务管理局", "possible_typo", "市政务管理局"),
    ("needs_jurisdiction:区", "needs_jurisdiction", "区"),
    ("place_prefix:攀枝花", "place_prefix", "攀枝花"),
    ("other_city:成都", "other_city", "成都"),
    ("not_unit_shape", "not_unit_shape", None),
]


@pytest.mark.parametrize(("text", "kind", "value"), FLAGS)
def test_a_flag_reads_from_and_prints_as_its_text(text: str, kind: str, value: str | None) -> None:
    flag = UnitFlag.model_validate(text)
    assert flag == UnitFlag(kind=kind, value=value)
    assert str(flag) == text
    assert flag.model_dump() == text


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="possible_typo"):
        UnitFlag.model_validate("possibly_typo:市政务管理局")


# a task as the registry saved it before flags had a type
SAVED_TASK = (
    '{"task_id":"d:1","doc_id":"d","number":"1.","title":"t","text":"t","section_path":[],'
    '"lead":[],"supporting":[{"name":"市政府管理局","canonical":"市政府管理局","role":"supporting",'
    '"span":null,"known":false,"flags":["possible_typo:市政务管理局","needs_jurisdiction:市"]}],'
    '"unassigned_units":[],"role_rule":null,"deadlines":[],"target_ids":[],"span":{"start":0,"end":1},'
    '"source":{"doc_id":"d","section_path":[],"page":1,"line_start":1,"page_end":null,"line_end":1,'
    '"char_start":0,"char_end":1}}'
)


def test_saved_json_with_text_flags_loads_typed_and_is_written_back_unchanged() -> None:
    task = Task.model_validate_json(SAVED_TASK)
    assert task.supporting[0].flags == (
        UnitFlag(kind="possible_typo", value="市政务管理局"),
        UnitFlag(kind="needs_jurisdiction", value="市"),
    )
    assert task.model_dump_json() == SAVED_TASK


def test_the_json_schema_describes_the_wire_text() -> None:
    schema = UnitMention.model_json_schema()["properties"]["flags"]["items"]
    assert schema["type"] == "string"
    assert all(re.match(schema["pattern"], text) for text, _, _ in FLAGS)
    assert not re.match(schema["pattern"], "possibly_typo:x")
