"""Every flag the unit authority writes is one UnitFlag knows, and reaches a unit mention typed."""

from __future__ import annotations

import pytest

from extractors.roles.statements import parse_unit_list
from extractors.units.names import resolve
from pipeline.model import UnitFlag


@pytest.mark.parametrize(
    ("written", "city", "kind"),
    [
        ("市政府管理局", None, "possible_typo"),
        ("区财政局", None, "needs_jurisdiction"),
        ("攀枝花市财政局", None, "place_prefix"),
        ("成都市财政局", "攀枝花市", "other_city"),
        ("主导产业各不超过3个", None, "not_unit_shape"),
    ],
)
def test_the_authoritys_flags_are_typed_flags(written: str, city: str | None, kind: str) -> None:
    flags = resolve(written, city).flags
    assert all(isinstance(f, UnitFlag) for f in flags)
    assert kind in {f.kind for f in flags}
    assert [UnitFlag.model_validate(str(f)) for f in flags] == list(flags)  # the wire form reads back


def test_a_mention_carries_typed_flags() -> None:
    (typo,) = [u for u in parse_unit_list("市政府管理局、市财政局").units if u.name == "市政府管理局"]
    assert typo.flags == (UnitFlag(kind="possible_typo", value="市政务管理局"),)
