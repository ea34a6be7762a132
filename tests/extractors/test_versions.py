"""Versions of one document: links a person records (``build --as-version-of``), versions the
registry tells by itself (title without 征求意见稿…, same 文号), their order, and what a
rebuild or a prune does to a recorded link; ``taizhang versions`` and one-argument ``diff``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.registry.build import build_registry
from extractors.registry.rows import document_rows
from extractors.registry.store import Registry
from extractors.registry.version_links import VersionLink
from extractors.relations.diff_cli import run_diff_command
from extractors.relations.versions import version_sets, versions_of
from pipeline.errors import RegistryError
from pipeline.model import DocumentMeta
from pipeline.settings import Settings
from search_api.cli import app
from tests.extractors.test_build import Calls, _write, calls, settings  # noqa: F401 (fixtures)
from tests.extractors.test_build_identity import stages  # noqa: F401 (fixture)
from tests.extractors.test_registry import make_ledger

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def meta(doc_id: str, title: str, status: str = "正式", number: str | None = None,
         date: dt.date | None = None) -> DocumentMeta:
    return DocumentMeta(doc_id=doc_id, title=title, status=status, doc_number=number, date=date)


def link(doc_id: str, previous_id: str) -> VersionLink:
    return VersionLink(doc_id=doc_id, previous_id=previous_id, created_at=NOW)


def ids(groups) -> list[list[str]]:
    return [[v.meta.doc_id for v in g.versions] for g in groups]


@pytest.mark.parametrize(("documents", "links", "expected"), [
    # the title without its draft marker: the draft first whatever the names
    ([meta("z", "某某实施方案（征求意见稿）", "征求意见稿"), meta("a", "某某实施方案"), meta("c", "另一个方案")],
     [], [["z", "a"]]),
    # the same 文号 under two titles (a reissue, a converted copy); brackets written differently
    ([meta("a", "关于印发某方案的通知", number="攀府发〔2024〕3号", date=dt.date(2024, 1, 5)),
      meta("b", "某方案", number="攀府发[2024]3号", date=dt.date(2024, 2, 1))], [], [["a", "b"]]),
    # a person's link joins unrelated titles and its order beats the status order
    ([meta("new", "二稿", "征求意见稿"), meta("old", "一稿", "正式")], [link("new", "old")], [["old", "new"]]),
    # a chain of links, and a link to a document no longer registered is ignored
    ([meta("v3", "三"), meta("v1", "一"), meta("v2", "二")],
     [link("v2", "v1"), link("v3", "v2"), link("v1", "pruned")], [["v1", "v2", "v3"]]),
    # links that loop cannot be honoured: the group is still listed, by the status order
    ([meta("p", "甲", "送审稿"), meta("q", "乙", "征求意见稿")], [link("p", "q"), link("q", "p")], [["q", "p"]]),
    # different titles, no 文号, no link: not versions
    ([meta("a", "攀枝花市“十四五”工业园区发展规划"), meta("b", "攀枝花市西区协同助推成渝经济圈建设规划")], [], []),
])
def test_version_groups_and_their_order(documents, links, expected) -> None:
    assert ids(version_sets(documents, links)) == expected


def test_versions_of_one_document_name_the_previous_and_why() -> None:
    documents = [meta("d", "某某实施方案（征求意见稿）", "征求意见稿"), meta("f", "某某实施方案"), meta("x", "无关")]
    final = versions_of("f", documents, [link("f", "d")])
    assert final.previous is not None and final.previous.doc_id == "d"
    assert {(e.other, e.label) for e in final.versions[1].edges} == {("d", "手工登记"), ("d", "标题相同（稿次标记除外）")}
    assert versions_of("d", documents).previous is None
    alone = versions_of("x", documents)
    assert [v.meta.doc_id for v in alone.versions] == ["x"] and alone.previous is None
    assert json.loads(final.model_dump_json())["previous"]["doc_id"] == "d"


def _store(registry: Registry, doc_id: str, replaces: tuple[str, ...] = (), version_of: str | None = None) -> None:
    import dataclasses

    doc, tasks, targets = make_ledger(doc_id)
    rows = dataclasses.replace(document_rows(doc, tasks, targets, "fp"), version_of=version_of)
    registry.store(rows, replaces)


def check_links_follow_replacements_and_prunes(registry: Registry) -> None:
    """Shared by the SQLite test here and the PostgreSQL test (test_registry_postgres.py)."""
    _store(registry, "v1")
    _store(registry, "v2", version_of="v1")
    _store(registry, "v3")
    registry.link_version("v3", "v2")
    assert {(lk.doc_id, lk.previous_id) for lk in registry.version_links()} == {("v2", "v1"), ("v3", "v2")}
    _store(registry, "v2-edited", replaces=("v2",))  # the file of v2 changed: its links follow it
    assert {(lk.doc_id, lk.previous_id) for lk in registry.version_links()} == {("v2-edited", "v1"),
                                                                                ("v3", "v2-edited")}
    registry.remove_documents(["v2-edited"])  # pruned: the chain closes over the gap
    assert [(lk.doc_id, lk.previous_id) for lk in registry.version_links()] == [("v3", "v1")]
    _store(registry, "v3")  # re-extracted under the same id (a new extractor): the link stays
    assert [(lk.doc_id, lk.previous_id) for lk in registry.version_links()] == [("v3", "v1")]
    with pytest.raises(RegistryError, match="没有这个文件编号"):
        registry.link_version("v3", "never-built")


def test_links_follow_replacements_and_prunes(tmp_path: Path) -> None:
    with Registry.open(Settings(data_dir=tmp_path)) as registry:
        check_links_follow_replacements_and_prunes(registry)


def test_build_as_version_of_keeps_both_and_diff_takes_one_argument(settings: Settings, stages: Calls,
                                                                    capsys) -> None:
    path = _write(settings.corpus_dir, "a.txt")
    [old] = build_registry([], settings, progress=False).added
    path.write_text(path.read_text(encoding="utf-8").replace("供水管网", "供水、排水管网"), encoding="utf-8")
    report = build_registry([path], settings, progress=False, as_version_of=old)
    [new] = report.added
    assert report.replaced == [] and report.linked == [(new, old)]
    with Registry.open(settings) as registry:
        assert sorted(registry.document_hashes()) == sorted([old, new])  # the edited file did not replace it
    diff = run_diff_command(new, None, settings, as_json=True)
    assert (diff.old_doc, diff.new_doc) == (old, new)
    [changed] = [c for c in diff.changes if c.kind == "changed"]
    assert "排水" in changed.new[0].text and "排水" not in changed.old[0].text
    with pytest.raises(RegistryError, match="没有它的上一版本"):
        run_diff_command(old, None, settings)
    capsys.readouterr()

    runner = CliRunner()
    shown = runner.invoke(app, ["versions", str(path), "--data-dir", str(settings.data_dir)])  # by file
    assert shown.exit_code == 0, shown.output
    assert "版本（共 2 个，由早到晚）" in shown.output and "手工登记" in shown.output
    assert f"taizhang diff {new}" in " ".join(shown.output.split())
    as_json = json.loads(runner.invoke(app, ["versions", old, "--json", "--data-dir", str(settings.data_dir)]).output)
    assert [v["meta"]["doc_id"] for v in as_json["versions"]] == [old, new] and as_json["previous"] is None
    every = json.loads(runner.invoke(app, ["versions", "--json", "--data-dir", str(settings.data_dir)]).output)
    assert [[v["meta"]["doc_id"] for v in g["versions"]] for g in every] == [[old, new]]


def test_as_version_of_is_refused_for_an_unknown_id_or_several_files(settings: Settings, stages: Calls) -> None:
    _write(settings.corpus_dir, "a.txt")
    [old] = build_registry([], settings, progress=False).added
    with pytest.raises(RegistryError, match="没有这个文件编号"):
        build_registry([], settings, progress=False, as_version_of="no-such-doc")
    _write(settings.corpus_dir, "b.txt", "\n附件")
    with pytest.raises(RegistryError, match="只能与一个文件同用"):
        build_registry([], settings, progress=False, as_version_of=old)
    with Registry.open(settings) as registry:
        assert list(registry.document_hashes()) == [old]  # nothing was written


def test_an_unchanged_file_can_be_linked_afterwards(settings: Settings, stages: Calls) -> None:
    first = _write(settings.corpus_dir, "a.txt")
    second = _write(settings.corpus_dir, "b.txt", "\n附件")
    report = build_registry([], settings, progress=False)
    by_path = {Path(i.path).name: i.doc_id for i in report.items}
    again = build_registry([second], settings, progress=False, as_version_of=by_path[first.name])
    assert again.unchanged == [by_path["b.txt"]] and again.linked == [(by_path["b.txt"], by_path["a.txt"])]


def test_a_kept_version_is_not_replaced_by_a_later_edit_of_its_file(settings: Settings, stages: Calls) -> None:
    """Edited in place and built with --as-version-of, the file holds two versions; edited
    again, the newest replaces the later one only, and the link follows it."""
    path = _write(settings.corpus_dir, "a.txt")
    [first] = build_registry([], settings, progress=False).added
    path.write_text(path.read_text(encoding="utf-8").replace("供水管网", "供水、排水管网"), encoding="utf-8")
    [second] = build_registry([path], settings, progress=False, as_version_of=first).added
    path.write_text(path.read_text(encoding="utf-8").replace("排水管网", "排水、燃气管网"), encoding="utf-8")
    report = build_registry([path], settings, progress=False)
    [third] = report.updated
    assert report.replaced == [(third, second)]
    with Registry.open(settings) as registry:
        assert sorted(registry.document_hashes()) == sorted([first, third])
        assert [(lk.doc_id, lk.previous_id) for lk in registry.version_links()] == [(third, first)]
