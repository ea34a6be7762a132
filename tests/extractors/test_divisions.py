"""The national division table: which place a body or title names, which places contain it, and
the jurisdiction a document's bare unit names are read in."""

from __future__ import annotations

import pytest

from extractors.units.context import UnitContext, qualify_unit
from extractors.units.divisions import division_index, short_forms
from extractors.units.names import canonical_unit
from pipeline.model import DocumentMeta


@pytest.mark.parametrize(("text", "name", "kind"), [
    ("山东省人民政府办公厅", "山东省", "province"),
    ("济南市人民政府", "济南市", "city"),
    ("青岛市崂山区人民政府", "崂山区", "county"),
    ("阿坝州人民政府办公室", "阿坝藏族羌族自治州", "city"),
    ("四川省阿坝州", "阿坝藏族羌族自治州", "city"),
    ("广西壮族自治区人民政府", "广西壮族自治区", "province"),
    ("北京市经济和信息化局", "北京市", "province"),
    ("南京市鼓楼区", "鼓楼区", "county"),
    ("中山市政务服务数据管理局", "中山市", "city"),
])
def test_the_place_a_text_starts_with(text: str, name: str, kind: str) -> None:
    found = division_index().leading(text)
    assert found is not None and (found.name, found.kind) == (name, kind)


@pytest.mark.parametrize("text", ["国务院办公厅", "鼓楼区", "东区", "关于开展园区提质行动的通知", "发展改革委"])
def test_no_place_or_an_ambiguous_one(text: str) -> None:
    # 鼓楼区 is in five cities and 东区 is a common word: neither stands alone for a place
    assert division_index().leading(text) is None


def test_containing_places_widest_first() -> None:
    index = division_index()
    assert [d.name for d in index.containing(index.leading("青岛市崂山区"))] == ["山东省", "青岛市"]
    assert index.containing(index.leading("山东省")) == ()


@pytest.mark.parametrize(("name", "kind", "shorts"), [
    ("济南市", "city", ("济南",)),
    ("阿坝藏族羌族自治州", "city", ("阿坝州", "阿坝")),
    ("内蒙古自治区", "province", ("内蒙古",)),
    ("宽城满族自治县", "county", ("宽城",)),
])
def test_short_forms(name: str, kind, shorts) -> None:
    index = division_index()
    assert index.named(name).short == shorts or short_forms(name, kind) == shorts


@pytest.mark.parametrize(("issuer", "doc_number", "written", "canonical"), [
    ("山东省人民政府办公厅", None, "省财政厅", "山东省财政厅"),
    ("山东省人民政府办公厅", None, "省发展改革委", "山东省发展和改革委员会"),
    ("济南市人民政府", None, "省工业和信息化厅", "山东省工业和信息化厅"),
    ("国务院办公厅", None, "发展改革委", "国家发展和改革委员会"),
    (None, "国办发〔2018〕129号", "发展改革委", "国家发展和改革委员会"),
    ("济南市人民政府", None, "发展改革委", "发展改革委"),  # not a national document: not guessed
    ("河南省人民政府", None, "财政厅", "河南省财政厅"),  # only a province has 厅s (省商务厅、财政厅)
    ("济南市人民政府", None, "工业和信息化厅", "山东省工业和信息化厅"),
    ("国务院办公厅", None, "财政厅", "财政厅"),  # every province has one: which is not said
    ("攀枝花市东区人民政府办公室", None, "区财政局", "东区财政局"),
])
def test_units_are_read_in_their_documents_jurisdiction(issuer, doc_number, written, canonical) -> None:
    context = UnitContext.from_meta(DocumentMeta(doc_id="d", title="关于印发某方案的通知", issuer=issuer,
                                                 doc_number=doc_number))
    assert qualify_unit(canonical_unit(written), context).canonical == canonical
