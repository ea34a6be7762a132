"""Version diff: the generated second versions report every known edit and nothing else; moves,
merges and splits are found; the 修订对照表 holds no formula."""

from __future__ import annotations

import itertools
import json
import re
import random
from pathlib import Path

import openpyxl
import pytest

from eval.diff_eval import expected_events, reported_events
from eval.diff_versions import REPO, load_expected, load_specs
from eval.diff_versions import main as regenerate
from extractors.relations.align import out_of_order
from extractors.relations.diff import diff_versions
from extractors.relations.diff_cli import diff_json
from extractors.relations.sheets import REVISION_COLUMNS, write_revision_sheet
from extractors.run import Extraction, extract_document
from pipeline.run import parse_file

SIXTEEN = REPO / "corpus" / "pzh-2024-jianquan-qianglian-16tiao.txt"


def extraction(path: Path) -> Extraction:
    return extract_document(parse_file(path))


@pytest.fixture(scope="module")
def sixteen() -> Extraction:
    return extraction(SIXTEEN)


def write_variant(tmp_path: Path, text: str) -> Extraction:
    path = tmp_path / "v2.txt"
    path.write_text(text, encoding="utf-8")
    return extraction(path)


def paragraphs() -> list[str]:
    return SIXTEEN.read_text(encoding="utf-8").split("\n\n")


def find(paras: list[str], start: str) -> int:
    return next(i for i, p in enumerate(paras) if p.lstrip().startswith(start))


def test_the_generated_versions_are_up_to_date() -> None:
    assert regenerate(["--check"]) == 0


@pytest.mark.parametrize("doc_id", [s.doc_id for s in load_specs()])
def test_every_generated_edit_is_reported_and_nothing_else(doc_id: str) -> None:
    expected = load_expected(doc_id)
    diff = diff_versions(extraction(REPO / expected.old_file), extraction(REPO / expected.new_file))
    assert reported_events(diff) == expected_events(expected)


def test_a_document_against_itself_has_no_change(sixteen: Extraction) -> None:
    diff = diff_versions(sixteen, sixteen)
    assert {c.kind for c in diff.changes} == {"unchanged"}
    assert not any(c.renumbered or c.moved for c in diff.changes)


def test_a_measure_moved_to_the_end_is_moved_and_the_others_only_renumbered(tmp_path, sixteen) -> None:
    paras = paragraphs()
    i = find(paras, "三、")
    moved = paras.pop(i).replace("三、", "十六、", 1)
    last = find(paras, "十六、")
    paras.insert(last + 1, moved)
    for n, old in enumerate(["四、", "五、", "六、", "七、", "八、", "九、", "十、", "十一、", "十二、",
                             "十三、", "十四、", "十五、", "十六、"], start=0):
        k = find(paras, old)
        if paras[k] is not moved:
            new = "三四五六七八九十"[n] + "、" if n < 8 else f"十{'一二三四五'[n - 8]}、"
            paras[k] = paras[k].replace(old, new, 1)
    diff = diff_versions(sixteen, write_variant(tmp_path, "\n\n".join(paras)))
    moved_titles = [c.new[0].title for c in diff.changes if c.moved]
    assert moved_titles == ["引领链上企业协同发展"]
    assert {c.kind for c in diff.changes} == {"unchanged"}


def test_two_measures_merged_into_one_are_reported_as_a_merge(tmp_path, sixteen) -> None:
    paras = paragraphs()
    a, b = find(paras, "十三、"), find(paras, "十四、")
    body_b = paras[b].split("。", 1)[1].split("〔", 1)[0]
    paras[a] = paras[a].replace("〔责任单位", body_b + "〔责任单位", 1)
    del paras[b]
    paras[b] = paras[b].replace("十五、", "十四、", 1)
    paras[b + 1] = paras[b + 1].replace("十六、", "十五、", 1)
    diff = diff_versions(sixteen, write_variant(tmp_path, "\n\n".join(paras)))
    merged = [c for c in diff.changes if c.kind == "merged"]
    assert len(merged) == 1
    assert {r.title for r in merged[0].old} == {"提高项目审批管理效率", "优化公平竞争市场环境"}
    assert "wording" in merged[0].aspects and not [c for c in diff.changes if c.kind == "removed"]


def test_a_measure_cut_in_two_is_reported_as_a_split(tmp_path, sixteen) -> None:
    paras = paragraphs()
    i = find(paras, "七、")
    head, tail = paras[i].split("整合市属国企资产", 1)
    paras[i] = head + "〔责任单位：市发展改革委，各县（区）、国家钒钛高新区〕"
    paras.insert(i + 1, "八、组建数据科技公司。整合市属国企资产" + tail)
    for k in range(i + 2, len(paras)):  # eight onwards move down one number
        for old, new in (("十五、", "十六、"), ("十四、", "十五、"), ("十三、", "十四、"), ("十二、", "十三、"),
                         ("十一、", "十二、"), ("十、", "十一、"), ("九、", "十、"), ("八、", "九、")):
            if paras[k].startswith(old):
                paras[k] = new + paras[k][len(old):]
                break
    diff = diff_versions(sixteen, write_variant(tmp_path, "\n\n".join(paras)))
    split = [c for c in diff.changes if c.kind == "split"]
    assert [[r.title for r in c.new] for c in split] == [["推动产业加快转型升级", "组建数据科技公司"]]


def test_out_of_order_matches_a_brute_force_reference() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 7)
        new_order = rng.sample(range(n), n)
        pairs = list(enumerate(new_order))
        fewest = min(
            (len(pairs) - r for r in range(len(pairs), -1, -1)
             for kept in itertools.combinations(pairs, r)
             if all(a[1] < b[1] for a, b in itertools.pairwise(kept))),
            default=0,
        )
        moved = out_of_order(pairs)
        kept = sorted(set(pairs) - moved)
        assert len(moved) == fewest
        assert all(a[1] < b[1] for a, b in itertools.pairwise(kept))


def test_revision_sheet_and_json(tmp_path) -> None:
    expected = load_expected("pzh-2025-yuanqu-tizhi-tongzhi")
    diff = diff_versions(extraction(REPO / expected.old_file), extraction(REPO / expected.new_file))
    path = tmp_path / "修订对照表.xlsx"
    write_revision_sheet(diff, path)
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert ws.title == "修订对照表" and rows[0] == tuple(name for name, _ in REVISION_COLUMNS)
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    notes = [r[3] for r in rows[1:]]
    assert "删除条款" in notes and "新增条款" in notes
    assert any("主导产业" in n and "≤ 3" in n and "≤ 2" in n for n in notes)
    # where to look: the corpus is text files, which have lines and no pages (never 第1页)
    places = [r[1] for r in rows[1:] if r[1] != "（无）"]
    assert places and all(re.search(r"，第\d+(—\d+)?行）", p) for p in places)
    assert not any("页" in p for p in places)
    data = json.loads(diff_json(diff))
    assert data["counts"]["added"] == 1 and data["counts"]["removed"] == 1


@pytest.mark.parametrize(("a", "b", "same"), [
    ("聚焦产业建圈强链促进工业经济高质量发展十六条措施（征求意见稿）", "聚焦产业建圈强链促进工业经济高质量发展 十六条措施", True),
    ("关于开展园区提质行动的通知（送审稿）", "关于开展园区提质行动的通知", True),
    ("攀枝花市“十四五”工业园区发展规划", "攀枝花市西区协同助推成渝经济圈建设规划", False),
])
def test_versions_are_told_by_title_without_draft_marks(a: str, b: str, same: bool) -> None:
    from extractors.relations.versions import version_key

    assert (version_key(a) == version_key(b)) is same


def test_version_groups_list_the_draft_first() -> None:
    from extractors.relations.versions import version_groups
    from pipeline.model import DocumentMeta

    final = DocumentMeta(doc_id="b", title="某某实施方案", status="正式")
    draft = DocumentMeta(doc_id="a2", title="某某实施方案（征求意见稿）", status="征求意见稿")
    other = DocumentMeta(doc_id="c", title="另一个方案", status="正式")
    assert [[m.doc_id for m in g] for g in version_groups([final, other, draft])] == [["a2", "b"]]
