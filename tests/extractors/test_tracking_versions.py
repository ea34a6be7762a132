"""Corrections made on a document that is then replaced by a changed file follow it to the new
version (issue 18, item 9 with issue 15): applied where the text they were made on is unchanged,
listed 待复核 with the old and the new text where it changed, never silently dropped.

Reproduced before: a file with no manifest entry gets a new doc_id when its text changes, and
every correction of the old version (made on ``<old doc_id>:…``) was listed as 重建后已无此任务,
none applied, though only one measure's text had changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.export.ledger import Ledger, LedgerDocument
from extractors.registry.build import build_registry
from extractors.registry.build_cli import run_build_command
from extractors.registry.store import Registry
from extractors.tracking.apply import apply_corrections
from extractors.tracking.carry import carry_forward
from extractors.tracking.model import Correction, Origin
from extractors.tracking.service import LedgerReader, correct_field, import_workbooks
from extractors.tracking.tables import TrackingStore
from pipeline.model import DocumentMeta, SourceRef, Span, Task
from pipeline.settings import Settings
from tests.tracking_ledger import export_xlsx

QUOTE = "建立健全推进园区提升承载能力工作机制，强化组织协调，定期研究解决园区建设发展中遇到的困难问题。"


@pytest.fixture
def inbox(tmp_path: Path, corpus_dir: Path) -> Settings:
    """One corpus document in a folder of its own, with no manifest: its doc_id is its name and
    content hash, so a changed text is a new doc_id."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(corpus_dir / "dongqu-2023-chengzai-fangan.txt", folder / "东区方案.txt")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=folder, build_workers=1)
    assert not build_registry([], settings, progress=False).failed
    return settings


def test_corrections_follow_a_replaced_file_to_its_new_version(
        inbox: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Registry.open(inbox) as registry:
        [meta] = registry.documents()
        old = meta.doc_id
        correct_field(registry, f"{old}:二.（一）.2", "lead", "区发展和改革委员会", "督查室")  # text kept
        correct_field(registry, f"{old}:二.（二）.4", "deadline", "2024年6月底前", "督查室")  # text kept
        correct_field(registry, f"{old}:二.（一）.1", "lead", "区财政局", "督查室")  # its text changes below
    wb = load_workbook(export_xlsx(inbox, tmp_path / "任务分工表.xlsx"))
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    row = ws.max_row + 1  # a task the extractor missed, quoted from the document
    ws.cell(row, col["文件"]).value = meta.title
    ws.cell(row, col["具体措施"]).value = QUOTE
    wb.save(tmp_path / "改.xlsx")
    with Registry.open(inbox) as registry:
        assert import_workbooks([tmp_path / "改.xlsx"], registry).ok

    source = inbox.corpus_dir / "东区方案.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("采取“园中园”、集中发展区等", "采取“园中园”、集中发展区、飞地园区等", 1),
                      encoding="utf-8")
    capsys.readouterr()
    assert run_build_command([], inbox, export=False)
    said = "".join(capsys.readouterr().out.split())
    with Registry.open(inbox) as registry:
        [meta] = registry.documents()
        new = meta.doc_id
        tracked = LedgerReader(registry).tracked()
    assert new != old  # the file's new version is a new document, which replaced the old
    assert f"旧版本{old}的4条人工更正已转到新版本，其中1条所在原文已改动，列为待复核" in said

    tasks = {t.task_id: t for d in tracked.ledger.documents for t in d.tasks}
    assert [m.name for m in tasks[f"{new}:二.（一）.2"].lead] == ["区发展和改革委员会"]
    assert [d.text for d in tasks[f"{new}:二.（二）.4"].deadlines] == ["2024年6月底前"]
    [added] = [t for t in tasks.values() if t.task_id.startswith(f"{new}:补")]
    assert added.text == QUOTE and added.source.doc_id == new and added.doc_id == new
    [review] = tracked.reviews  # only the correction whose text changed, with both texts
    assert review.correction.task_id == f"{new}:二.（一）.1" and review.reason == "原文已变化"
    assert "集中发展区等" in review.old_text and "飞地园区" in review.new_text
    assert [m.name for m in tasks[f"{new}:二.（一）.1"].lead] == ["区经济和信息化局"]  # not applied silently
    # the 校核记录 sheet names each correction by the task it applies to now
    log = load_workbook(export_xlsx(inbox, tmp_path / "again.xlsx"))["校核记录"]
    rows = {r[2]: r for r in log.iter_rows(min_row=2, values_only=True)}
    assert rows[f"{new}:二.（一）.2"][1] == "已校核" and rows[f"{new}:二.（一）.2"][3]
    assert rows[f"{new}:二.（一）.1"][1] == "待复核" and "飞地园区" in rows[f"{new}:二.（一）.1"][10]

    # the version line survives a second replacement: a correction made two versions ago still applies
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build_registry([], inbox, progress=False).replaced
    with Registry.open(inbox) as registry:
        tracked = LedgerReader(registry).tracked()
        [meta] = registry.documents()
    tasks = {t.task_id: t for d in tracked.ledger.documents for t in d.tasks}
    assert meta.doc_id not in (old, new)
    assert [m.name for m in tasks[f"{meta.doc_id}:二.（一）.2"].lead] == ["区发展和改革委员会"]


def _task(doc_id: str, number: str, text: str) -> Task:
    return Task(task_id=f"{doc_id}:{number}", doc_id=doc_id, title=text, text=text, span=Span(start=0, end=1),
                source=SourceRef(doc_id=doc_id, char_start=0, char_end=1))


def _correction(task_id: str, text: str, field: str = "lead", after: str = "乙") -> Correction:
    return Correction(task_id=task_id, doc_id=task_id.partition(":")[0], field=field, before="甲", after=after,
                      source_text=text, char_start=0, char_end=1, origin=Origin(user="u"),
                      created_at="2025-01-01T00:00:00Z")


NEW = Ledger((LedgerDocument(DocumentMeta(doc_id="v2", title="t"), "p", (
    _task("v2", "一.1", "甲措施"), _task("v2", "一.2", "新插入的措施"), _task("v2", "一.3", "乙措施"),
    _task("v2", "一.4", "丙措施（改）"), _task("v2", "一.5", "同文"), _task("v2", "一.6", "同文"),
)),))


@pytest.mark.parametrize("made_on,text,carried_to", [
    ("v1:一.1", "甲措施", "v2:一.1"),  # same number, same text
    ("v1:一.2", "乙措施", "v2:一.3"),  # renumbered (a measure inserted above): found by its text
    ("v1:一.4", "丙措施", "v2:一.4"),  # text changed: same number, for 待复核 with both texts
    ("v1:一.9", "丁措施", "v2:一.9"),  # gone from the new version: 待复核 as gone
    ("v1:一.5", "同文", "v2:一.5"),  # two measures with that text: its own number, not a guess
    ("v2:一.1", "甲措施", "v2:一.1"),  # made on the current version: untouched
    ("other:一", "别的文件", "other:一"),  # a document never replaced
])
def test_carry_forward_points_each_correction_at_its_measure(made_on: str, text: str, carried_to: str) -> None:
    [carried] = carry_forward([_correction(made_on, text)], NEW, {"v1": "v2"})
    assert carried.task_id == carried_to and carried.doc_id == carried_to.partition(":")[0]
    assert carried.source_text == text and carried.before == "甲"  # what the person saw is kept


def test_a_merge_follows_its_target_to_the_new_version() -> None:
    [carried] = carry_forward([_correction("v1:一.3", "乙措施", "merge", after="v1:一.1")], NEW, {"v1": "v2"})
    assert (carried.task_id, carried.after) == ("v2:一.3", "v2:一.1")


def _merge_into(target: Task, made_on: str, text: str) -> Correction:
    """A 并入 made on ``made_on`` (text ``text``) into ``target`` as the person saw it."""
    return _correction(made_on, text, "merge", after=target.task_id).model_copy(
        update={"task_json": target.model_dump_json()})


def test_a_merge_target_is_followed_by_its_text_not_its_number() -> None:
    """A measure inserted above the target renumbers it: 一.2 of v1 is 一.3 of v2, and 一.2 of
    v2 is the inserted measure, which the row must not be merged into."""
    target = _task("v1", "一.2", "乙措施")
    [carried] = carry_forward([_merge_into(target, "v1:一.1", "甲措施")], NEW, {"v1": "v2"})
    assert (carried.task_id, carried.after) == ("v2:一.1", "v2:一.3")
    # a target renumbered within the same document (a manifest keeps the doc_id over new text)
    [same_doc] = carry_forward([_merge_into(_task("v2", "一.2", "乙措施"), "v2:一.1", "甲措施")], NEW, {})
    assert (same_doc.task_id, same_doc.after) == ("v2:一.1", "v2:一.3")


def test_a_merge_whose_target_text_changed_waits_for_review() -> None:
    target = _task("v1", "一.4", "丙措施")  # v2's 一.4 reads 丙措施（改）
    merge = _merge_into(target, "v1:一.1", "甲措施").model_copy(update={"correction_id": 7})
    tracked = apply_corrections(NEW, [merge], lambda _: None, {"v1": "v2"})
    tasks = [t.task_id for d in tracked.ledger.documents for t in d.tasks]
    assert "v2:一.1" in tasks and not tracked.excluded  # not merged blindly
    [review] = tracked.reviews
    assert review.correction.correction_id == 7 and "原文已变化" in review.reason
    assert (review.old_text, review.new_text) == ("丙措施", "丙措施（改）")
    assert [n.status for n in tracked.ledger.corrections["v2:一.1"]] == ["待复核"]
    # the same merge into a target whose text stands is applied
    kept = _merge_into(_task("v1", "一.2", "乙措施"), "v1:一.1", "甲措施")
    tracked = apply_corrections(NEW, [kept], lambda _: None, {"v1": "v2"})
    assert not tracked.reviews and [t.task_id for t, _ in tracked.excluded] == ["v2:一.1"]


def test_a_merge_imported_from_a_workbook_follows_its_target_through_a_new_version(
        inbox: Settings, tmp_path: Path) -> None:
    """并入 written in 校核, imported, then the file edited: the merge into an unchanged row
    still applies in the new version, the one into a row whose text changed is 待复核."""
    with Registry.open(inbox) as registry:
        [meta] = registry.documents()
    old = meta.doc_id
    wb = load_workbook(export_xlsx(inbox, tmp_path / "任务分工表.xlsx"))
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    row = {ws.cell(r, col["任务ID"]).value: r for r in range(2, ws.max_row + 1)}
    ws.cell(row[f"{old}:二.（一）.2"], col["校核"]).value = f"并入 {old}:二.（一）.1"  # its text changes below
    ws.cell(row[f"{old}:二.（二）.5"], col["校核"]).value = f"并入 {old}:二.（二）.4"  # text kept
    wb.save(tmp_path / "改.xlsx")
    with Registry.open(inbox) as registry:
        assert import_workbooks([tmp_path / "改.xlsx"], registry).ok
        stored = {c.task_id: c for c in TrackingStore(registry).corrections()}
    assert Task.model_validate_json(stored[f"{old}:二.（二）.5"].task_json).task_id == f"{old}:二.（二）.4"

    source = inbox.corpus_dir / "东区方案.txt"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("采取“园中园”、集中发展区等", "采取“园中园”、集中发展区、飞地园区等", 1),
                      encoding="utf-8")
    assert build_registry([], inbox, progress=False).replaced
    with Registry.open(inbox) as registry:
        [meta] = registry.documents()
        tracked = LedgerReader(registry).tracked()
    new = meta.doc_id
    tasks = {t.task_id for d in tracked.ledger.documents for t in d.tasks}
    assert [t.task_id for t, _ in tracked.excluded] == [f"{new}:二.（二）.5"]  # merged in the new version
    assert f"{new}:二.（一）.2" in tasks  # its target changed: kept, waiting for a person
    [review] = tracked.reviews
    assert review.correction.task_id == f"{new}:二.（一）.2" and review.correction.after == f"{new}:二.（一）.1"
    assert "集中发展区等" in review.old_text and "飞地园区" in review.new_text
    sheet = load_workbook(export_xlsx(inbox, tmp_path / "again.xlsx"))["任务分工表"]
    cells = {sheet.cell(r, col["任务ID"]).value: sheet.cell(r, col["校核"]).value
             for r in range(2, sheet.max_row + 1)}
    assert "待复核" in cells[f"{new}:二.（一）.2"] and "已并入" in cells[f"{new}:二.（二）.4"]
