"""The extraction scorer on hand-made tables, the tiny gold smoke test, and the honesty of the gold."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from eval.extraction_eval import DocPrediction, evaluate, print_report
from eval.extraction_gold import (
    GOLD_DIR,
    gold_problems,
    load_target_files,
    load_task_files,
    target_rows,
    task_rows,
)
from eval.extraction_score import (
    PRF,
    TargetRow,
    TaskRow,
    UnitRow,
    norm_task_id,
    quote_overlap,
    score_sets,
    score_targets,
    score_tasks,
)
from pipeline.model import Deadline, SourceRef, Span, Target, Task, UnitMention

REPO = Path(__file__).resolve().parents[2]
TINY = GOLD_DIR / "tiny"
DOC = "tiny-notice"


# --------------------------------------------------------------------------------------------
# score_sets


@pytest.mark.parametrize(
    ("pred", "gold", "expected", "p", "r", "f1"),
    [
        (["a", "b", "c"], ["a", "b", "c"], PRF(3, 0, 0), 1.0, 1.0, 1.0),  # perfect
        (["a", "b"], ["a", "b", "c"], PRF(2, 0, 1), 1.0, 2 / 3, 0.8),  # one miss
        (["a", "b", "c", "d"], ["a", "b", "c"], PRF(3, 1, 0), 0.75, 1.0, 6 / 7),  # one spurious
        (["a", "a"], ["a"], PRF(1, 1, 0), 0.5, 1.0, 2 / 3),  # predicted twice, there once
        ([], [], PRF(0, 0, 0), 1.0, 1.0, 1.0),  # nothing to find, nothing found
        ([], ["a"], PRF(0, 0, 1), 0.0, 0.0, 0.0),  # found nothing
        (["a"], [], PRF(0, 1, 0), 0.0, 1.0, 0.0),  # a target in a document without targets
    ],
)
def test_score_sets(pred, gold, expected, p, r, f1):
    s = score_sets(pred, gold)
    assert s == expected
    assert s.precision == pytest.approx(p)
    assert s.recall == pytest.approx(r)
    assert s.f1 == pytest.approx(f1)


@given(st.lists(st.sampled_from("abcdef")), st.lists(st.sampled_from("abcdef")))
def test_score_sets_counts_every_item_once(pred, gold):
    s = score_sets(pred, gold)
    assert s.tp + s.fp == len(pred) and s.tp + s.fn == len(gold)
    assert 0.0 <= s.f1 <= 1.0
    flipped = score_sets(gold, pred)
    assert (flipped.tp, flipped.fp, flipped.fn) == (s.tp, s.fn, s.fp)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("d:二.（一）.1", "d:二.(一).1"),  # ASCII parentheses from a PDF conversion
        ("d:二.（一）.1", "d:二、.（一）.1."),  # numbers written with their 、 and trailing .
        ("d:三", "d: 三 "),
        ("d:第四章.第十一条.（一）", "d:第十一条.（一）"),  # an article's number is unique in its document
    ],
)
def test_task_ids_fold_to_one_form(a, b):
    assert norm_task_id(a) == norm_task_id(b)


def test_a_chapter_stays_where_no_article_follows():
    assert norm_task_id("d:第四章.（一）") != norm_task_id("d:（一）")


def test_quote_overlap_needs_a_real_overlap():
    assert quote_overlap("到2026年，园区规上工业企业达到120户以上，工业总产值增长8%", "工业总产值增长8%") == 1.0
    assert quote_overlap("150万吨", "园区钛白粉产能达到 150万吨") == 1.0  # nested: value decides later
    assert quote_overlap("万吨", "园区钛白粉产能达到 150万吨") == 0.0  # too short to mean anything
    assert quote_overlap("钛白粉产能", "焦炭产量提升至 600万吨") == 0.0


# --------------------------------------------------------------------------------------------
# Tasks: hand-made gold and predictions


def unit(name: str, canonical: str | None = None) -> UnitRow:
    return UnitRow(name, canonical or name)


GOLD_TASKS = (
    TaskRow(DOC, f"{DOC}:一.（一）", "完善园区规划", "（一）",
            lead=(unit("市发展改革委", "市发展和改革委员会"),),
            supporting=(unit("市经济和信息化局"), UnitRow("各县（区）政府", "各县（区）人民政府", ("各县（区）政府",))),
            deadlines=("2026年底前",)),
    TaskRow(DOC, f"{DOC}:一.（二）", "培育骨干企业", "（二）",
            lead=(unit("市经济和信息化局"),), supporting=(unit("市科技局", "市科学技术局"),)),
)


def pred_task(gold: TaskRow, **changes) -> TaskRow:
    from dataclasses import replace

    return replace(gold, **changes)


def test_perfect_tasks():
    s = score_tasks(GOLD_TASKS, GOLD_TASKS)
    assert s.detection == PRF(2, 0, 0)
    assert s.fields["lead"] == PRF(2, 0, 0)
    assert s.fields["supporting"] == PRF(3, 0, 0)
    assert s.fields["deadline"] == PRF(1, 0, 0)
    assert s.errors == ()


def test_one_missed_task():
    s = score_tasks(GOLD_TASKS[:1], GOLD_TASKS)
    assert s.detection == PRF(1, 0, 1)
    assert s.fields["lead"] == PRF(1, 0, 1)  # end to end: the missed task's lead is missed
    assert s.fields_matched["lead"] == PRF(1, 0, 0)  # roles of what was found are right
    assert s.fields["supporting"] == PRF(2, 0, 1)
    assert [e.kind for e in s.errors] == ["missed task"]


def test_one_spurious_task():
    extra = TaskRow(DOC, f"{DOC}:二", "保障措施", lead=(unit("市政府办公室"),))
    s = score_tasks((*GOLD_TASKS, extra), GOLD_TASKS)
    assert s.detection == PRF(2, 1, 0)
    assert s.fields["lead"] == PRF(2, 1, 0)
    assert s.fields["lead"].precision == pytest.approx(2 / 3)
    assert s.fields_matched["lead"] == PRF(2, 0, 0)


def test_role_swap():
    swapped = pred_task(
        GOLD_TASKS[0],
        lead=(unit("市经济和信息化局"),),
        supporting=(unit("市发展改革委", "市发展和改革委员会"), GOLD_TASKS[0].supporting[1]),
    )
    s = score_tasks((swapped, GOLD_TASKS[1]), GOLD_TASKS)
    assert s.detection == PRF(2, 0, 0)
    assert s.fields["lead"] == PRF(1, 1, 1)
    assert s.fields["lead"].f1 == pytest.approx(0.5)
    assert s.fields["supporting"] == PRF(2, 1, 1)
    assert s.fields["supporting"].f1 == pytest.approx(2 / 3)
    kinds = sorted(e.kind for e in s.errors)
    assert kinds == ["missed lead", "missed supporting", "spurious lead", "spurious supporting"]


def test_title_fallback_and_id_folding():
    renumbered = pred_task(GOLD_TASKS[0], task_id=f"{DOC}:1", title="完善园区规划。")
    folded = pred_task(GOLD_TASKS[1], task_id=f"{DOC}:一、.(二)")
    assert score_tasks((renumbered, folded), GOLD_TASKS).detection == PRF(2, 0, 0)
    unrelated = pred_task(GOLD_TASKS[0], task_id=f"{DOC}:9", title="加强组织领导")
    assert score_tasks((unrelated,), GOLD_TASKS[:1]).detection == PRF(0, 1, 1)


def test_canonical_alternative_and_deadline_containment():
    written_as_canonical = pred_task(
        GOLD_TASKS[0],
        supporting=(unit("市经济和信息化局"), UnitRow("各县（区）政府", "各县（区）政府")),
        deadlines=("2026年底前完成",),
    )
    s = score_tasks((written_as_canonical, GOLD_TASKS[1]), GOLD_TASKS)
    assert s.fields["supporting_canonical"] == PRF(3, 0, 0)
    assert s.fields["deadline"] == PRF(1, 0, 0)
    wrong_canonical = pred_task(GOLD_TASKS[1], lead=(UnitRow("市经济和信息化局", "市经信委"),))
    s = score_tasks((GOLD_TASKS[0], wrong_canonical), GOLD_TASKS)
    assert s.fields["lead"] == PRF(2, 0, 0)
    assert s.fields["lead_canonical"] == PRF(1, 1, 1)
    assert [(e.kind, e.where, e.detail) for e in s.errors] == [
        ("canonical name", "市经济和信息化局", "got 市经信委; gold 市经济和信息化局 (1×)")
    ]


def test_a_deadline_read_whole_matches_every_part_the_gold_splits_it_in():
    split = pred_task(GOLD_TASKS[0], deadlines=("2025年起", "每年", "2026年底前"))
    whole = pred_task(GOLD_TASKS[0], deadlines=("2025年起每年", "2026年底前"))
    s = score_tasks((whole, GOLD_TASKS[1]), (split, GOLD_TASKS[1]))
    assert s.fields["deadline"] == PRF(3, 0, 0)
    only_start = pred_task(GOLD_TASKS[0], deadlines=("2025年起", "2026年底前"))
    s = score_tasks((only_start, GOLD_TASKS[1]), (split, GOLD_TASKS[1]))
    assert s.fields["deadline"] == PRF(2, 0, 1)


def test_optional_gold_task_is_neither_missed_nor_rewarded():
    optional = TaskRow(DOC, f"{DOC}:二.（一）", "加强组织领导", optional=True)
    assert score_tasks(GOLD_TASKS, (*GOLD_TASKS, optional)).detection == PRF(2, 0, 0)
    found = TaskRow(DOC, f"{DOC}:二.（一）", "加强组织领导", lead=(unit("市政府"),))
    s = score_tasks((*GOLD_TASKS, found), (*GOLD_TASKS, optional))
    assert s.detection == PRF(2, 0, 0)
    assert s.fields["lead"] == PRF(2, 0, 0)


# --------------------------------------------------------------------------------------------
# Targets


def target(quote: str, value: str | None, unit_: str | None, comparator: str, year: int | None = 2026, **kw) -> TargetRow:
    return TargetRow(DOC, quote, comparator, value=None if value is None else Decimal(value), unit=unit_, year=year, **kw)


GOLD_TARGETS = (
    target("园区规上工业企业达到120户以上", "120", "户", "ge"),
    target("工业总产值增长8%", "8", "%", "increase_by"),
)
SENTENCE = "到2026年，园区规上工业企业达到120户以上，工业总产值增长8%"


def test_perfect_targets_even_when_the_quote_is_the_whole_sentence():
    preds = (target(SENTENCE, "8", "%", "increase_by"), target(SENTENCE, "120.0", "户", "ge"))
    s = score_targets(preds, GOLD_TARGETS)
    assert s.detection == PRF(2, 0, 0)
    assert s.correct == PRF(2, 0, 0)
    assert s.accuracy["value"] == (2, 2)


@pytest.mark.parametrize(
    ("wrong", "field"),
    [
        (target("园区规上工业企业达到120户以上", "12", "户", "ge"), "value"),
        (target("园区规上工业企业达到120户以上", "120", "家", "ge"), "unit"),
        (target("园区规上工业企业达到120户以上", "120", "户", "eq"), "comparator"),
        (target("园区规上工业企业达到120户以上", "120", "户", "ge", year=2025), "year"),
    ],
)
def test_one_wrong_field_is_found_but_not_right(wrong, field):
    s = score_targets((wrong, GOLD_TARGETS[1]), GOLD_TARGETS)
    assert s.detection == PRF(2, 0, 0)
    assert s.correct == PRF(1, 1, 1)
    assert s.accuracy[field] == (1, 2)
    assert [e.kind for e in s.errors] == ["wrong target"]


def test_missed_and_spurious_targets():
    spurious = target("2026年底前完成", "2026", "年", "eq")
    s = score_targets((GOLD_TARGETS[0], spurious), GOLD_TARGETS)
    assert s.detection == PRF(1, 1, 1)
    assert s.correct == PRF(1, 1, 1)
    assert sorted(e.kind for e in s.errors) == ["missed target", "spurious target"]


def test_comparator_alternative_and_optional_targets():
    gold = (
        target("工业增加值年均增速不低于7.5%", "7.5", "%", "increase_by", comparator_alt=("ge",)),
        target("争取打造为国家4A级旅游景区", None, None, "qualitative", year=None, optional=True),
    )
    s = score_targets((target("工业增加值年均增速不低于7.5%", "7.5", "%", "ge"),), gold)
    assert s.correct == PRF(1, 0, 0)
    found_optional = target("争取打造为国家4A级旅游景区", None, None, "qualitative", year=None)
    assert score_targets((gold[0], found_optional), gold).detection == PRF(1, 0, 0)


# --------------------------------------------------------------------------------------------
# Smoke test: the whole evaluation on eval/gold/tiny/ against hand-built predictions


def test_smoke_tiny_gold():
    swapped = pred_task(GOLD_TASKS[1], lead=(unit("市科技局", "市科学技术局"),), supporting=(unit("市经济和信息化局"),))
    prediction = DocPrediction(
        DOC,
        tasks=(pred_task(GOLD_TASKS[0], task_id=f"{DOC}:一.(一)"), swapped),
        targets=(target(SENTENCE, "120", "户", "ge"), target("工业总产值增长8%", "8", "%", "eq")),
    )
    report = evaluate(TINY, {DOC: prediction})
    assert report.tasks.detection == PRF(2, 0, 0)
    assert report.tasks.fields["lead"] == PRF(1, 1, 1)
    assert report.tasks.fields["supporting"] == PRF(2, 1, 1)
    assert report.tasks.fields["deadline"] == PRF(1, 0, 0)
    assert report.tasks.fields["lead_canonical"] == PRF(1, 1, 1)
    assert report.targets.detection == PRF(2, 0, 0)
    assert report.targets.correct == PRF(1, 1, 1)
    numbers = report.as_dict()
    assert numbers["tasks"]["lead"]["f1"] == 0.5
    assert numbers["targets"]["correct"]["precision"] == 0.5
    console = Console(record=True, width=160)
    print_report(report, console)
    printed = console.export_text()
    assert "wrong target" in printed and "spurious lead" in printed and "市科技局" in printed


def test_smoke_tiny_gold_without_prediction_is_all_missed():
    report = evaluate(TINY, {})
    assert report.failures == {DOC: "no prediction for this document"}
    assert report.tasks.detection == PRF(0, 0, 2)
    assert report.targets.detection == PRF(0, 0, 2)


def test_rows_from_the_document_model():
    ref = SourceRef(doc_id=DOC, char_start=0, char_end=4)
    task = Task(
        task_id=f"{DOC}:一.（二）", doc_id=DOC, number="（二）", title="培育骨干企业", text="…",
        lead=(UnitMention(name="市经济和信息化局", canonical="市经济和信息化局", role="lead"),),
        supporting=(UnitMention(name="市科技局", canonical="市科学技术局", role="supporting"),),
        deadlines=(Deadline(text="到2026年", kind="by_date"),), span=Span(start=0, end=4), source=ref,
    )
    tgt = Target(
        target_id=f"{DOC}:t1", doc_id=DOC, text=SENTENCE, quote="工业总产值增长8%", indicator="工业总产值",
        value=Decimal("8"), unit="%", comparator="increase_by", year=2026, span=Span(start=0, end=4), source=ref,
    )
    assert score_tasks(task_rows([task]), GOLD_TASKS[1:]).fields["supporting_canonical"] == PRF(1, 0, 0)
    assert score_targets(target_rows([tgt]), GOLD_TARGETS[1:]).correct == PRF(1, 0, 0)


# --------------------------------------------------------------------------------------------
# The gold itself stays honest


def corpus_text(doc_id: str) -> str:
    return (REPO / "corpus" / f"{doc_id}.txt").read_text(encoding="utf-8")


def test_every_gold_claim_occurs_in_its_source():
    assert gold_problems(GOLD_DIR, corpus_text) == []
    assert gold_problems(TINY, lambda _doc: (TINY / f"{DOC}.txt").read_text(encoding="utf-8")) == []


def test_gold_covers_what_the_brief_asks():
    tasks = load_task_files()
    targets = load_target_files()
    assert set(targets) == {p.stem for p in (REPO / "corpus").glob("*.txt")}
    assert {d: len(f.tasks) for d, f in tasks.items()} == {
        "dongqu-2023-chengzai-fangan": 18,
        "pzh-2024-jianquan-qianglian-16tiao": 16,
        "pzh-2025-yuanqu-tizhi-tongzhi": 22,
    }
    assert {d: len(f.targets) for d, f in targets.items()} == {
        "dongqu-2023-chengzai-fangan": 15,
        "pzh-2022-yuanqu-guihua": 61,
        "pzh-2024-jianquan-qianglian-16tiao": 0,
        "pzh-2025-yuanqu-tizhi-tongzhi": 26,
        "xiqu-2021-chengyu-guihua": 20,
    }


@pytest.mark.parametrize(
    ("edit", "complaint"),
    [
        (("园区规上工业企业达到120户以上", "园区规上工业企业达到130户以上"), "quote not in source"),
        (('value: "8"', 'value: "9"'), "not in its quote"),
    ],
)
def test_gold_problems_can_fail(tmp_path, edit, complaint):
    shutil.copytree(TINY, tmp_path / "tiny")
    path = tmp_path / "tiny" / "targets" / f"{DOC}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    problems = gold_problems(tmp_path / "tiny", lambda _doc: (TINY / f"{DOC}.txt").read_text(encoding="utf-8"))
    assert any(complaint in p for p in problems)


def test_task_gold_problems_can_fail(tmp_path):
    shutil.copytree(TINY, tmp_path / "tiny")
    path = tmp_path / "tiny" / "tasks" / f"{DOC}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tasks"][1]["lead"] = ["市科技局"]  # now both leads and supports
    data["tasks"][0]["title"] = "完善园区布局"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = gold_problems(tmp_path / "tiny", lambda _doc: (TINY / f"{DOC}.txt").read_text(encoding="utf-8"))
    assert any("both leads and supports" in p for p in problems)
    assert any("number+title" in p for p in problems)


def test_run_eval_reports_a_missing_scorer(monkeypatch, capsys):
    from eval import run

    monkeypatch.setitem(run.SCORERS, "search", "eval.no_such_scorer_module")
    with pytest.raises(LookupError, match="does not exist yet"):
        run.load_scorer("search")
    assert run.run_eval_command("nonsense", settings=None) is False  # type: ignore[arg-type]
    assert "unknown target" in capsys.readouterr().err


def test_optional_units_count_on_neither_side() -> None:
    from eval.extraction_score import TaskRow, UnitRow, score_tasks

    gold = TaskRow("d", "d:一", "加强组织领导", lead=(UnitRow("省发展改革委"),), optional_units=("相关部门",))
    pred = TaskRow("d", "d:一", "加强组织领导", lead=(UnitRow("省发展改革委"),),
                   supporting=(UnitRow("相关部门"),))
    scores = score_tasks([pred], [gold])
    assert scores.fields["supporting"].fp == 0 and scores.fields["unit_role"].fp == 0
    wrong = TaskRow("d", "d:一", "加强组织领导", lead=(UnitRow("省发展改革委"),), supporting=(UnitRow("省财政厅"),))
    assert score_tasks([wrong], [gold]).fields["supporting"].fp == 1


def test_a_units_second_name_does_not_make_it_another_unit() -> None:
    from eval.extraction_rows import norm_unit

    assert norm_unit("市市场监管局（市知识产权局）") == norm_unit("市市场监管局")
    assert norm_unit("商务部(流通发展司)") == norm_unit("商务部")
    assert norm_unit("各县（区）人民政府") != norm_unit("各县人民政府")  # a bracket inside a name stays


def test_an_id_drops_the_stop_that_closes_its_number(tmp_path):
    # 1。推动…: the id's last segment is 1, as it is 1 for 1. and 一 for 一、
    shutil.copytree(TINY, tmp_path / "tiny")
    text = (TINY / f"{DOC}.txt").read_text(encoding="utf-8").replace("（二）培育", "2。培育")
    path = tmp_path / "tiny" / "tasks" / f"{DOC}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tasks"][1].update(task_id=f"{DOC}:一.2", number="2。")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = gold_problems(tmp_path / "tiny", lambda _doc: text)
    assert not any("last path segment" in p for p in problems)
