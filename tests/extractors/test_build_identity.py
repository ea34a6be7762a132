"""A changed file replaces its old self; removed files leave the registry on request (issue 18,
item 9). Reproduced before: an edited file was stored as a second document beside the old one,
and the workbook listed its measures twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.registry import build
from extractors.registry.build import build_registry
from extractors.registry.build_cli import run_build_command
from extractors.registry.store import Registry
from pipeline.settings import Settings
from tests.extractors.test_build import Calls, _write, calls, settings  # noqa: F401 (fixtures)


@pytest.fixture
def stages(calls: Calls, monkeypatch: pytest.MonkeyPatch) -> Calls:  # noqa: F811
    """The fake stages of test_build.py, with each document read from its real path."""
    fake_parse = build._parse

    def parse(path: Path, settings: Settings):
        return ((p, doc.model_copy(update={"source_path": str(path)})) for p, doc in fake_parse(path, settings))

    monkeypatch.setattr(build, "_parse", parse)
    return calls


def _doc_ids(settings: Settings) -> list[str]:
    with Registry.open(settings) as registry:
        return sorted(m.doc_id for m in registry.documents())


def test_an_edited_file_replaces_its_old_version(settings: Settings, stages: Calls) -> None:
    path = _write(settings.corpus_dir, "a.txt")
    _write(settings.corpus_dir, "b.txt", "\n附件")
    first = build_registry([], settings, progress=False)
    [old] = [i.doc_id for i in first.items if i.path.endswith("a.txt")]
    path.write_text(path.read_text(encoding="utf-8") + "\n二、新增措施", encoding="utf-8")
    second = build_registry([], settings, progress=False)
    [new] = [i.doc_id for i in second.items if i.path.endswith("a.txt")]
    assert new != old and second.replaced == [(new, old)] and old not in second.kept
    assert [i.status for i in second.items if i.doc_id == new] == ["updated"]
    assert old not in _doc_ids(settings) and new in _doc_ids(settings) and len(_doc_ids(settings)) == 2
    with Registry.open(settings) as registry:
        assert {t.doc_id for t in registry.tasks()} == set(_doc_ids(settings))


def test_removed_files_leave_the_registry_only_when_pruned(settings: Settings, stages: Calls,
                                                           tmp_path: Path, capsys) -> None:
    gone = _write(settings.corpus_dir, "a.txt")
    _write(settings.corpus_dir, "b.txt", "\n附件")
    elsewhere = _write(tmp_path / "other", "c.txt", "\n其他")
    build_registry([], settings, progress=False)
    build_registry([elsewhere], settings, progress=False)
    gone.unlink()
    kept = build_registry([], settings, progress=False)
    assert len(kept.gone) == 1 and kept.removed == [] and len(_doc_ids(settings)) == 3
    assert run_build_command([], settings, export=False, prune=True)
    assert "已从台账移除" in capsys.readouterr().out
    ids = _doc_ids(settings)
    assert len(ids) == 2 and not any(i.startswith("a-") for i in ids)  # c.txt, built from elsewhere, stays


def test_the_build_says_when_corrections_belong_to_a_replaced_version(settings: Settings, stages: Calls,
                                                                      capsys) -> None:
    """Corrections are never deleted by a build; those of a replaced version follow their
    measure to the new one (tests/extractors/test_tracking_versions.py), and the user is told so."""
    import datetime as dt

    from extractors.tracking.model import Correction, Origin
    from extractors.tracking.tables import TrackingStore

    path = _write(settings.corpus_dir, "a.txt")
    [old] = build_registry([], settings, progress=False).added
    with Registry.open(settings) as registry:
        task = registry.tasks(doc_id=old)[0]
        TrackingStore(registry).record_import([Correction(
            task_id=task.task_id, doc_id=old, field="lead", before="", after="市财政局", source_text=task.text,
            char_start=0, char_end=1, origin=Origin(user="审核人"), created_at=dt.datetime.now(dt.UTC))], [])
    path.write_text(path.read_text(encoding="utf-8") + "\n二、新增措施", encoding="utf-8")
    assert run_build_command([], settings, export=False)
    out = capsys.readouterr().out
    assert f"旧版本{old}的1条人工更正已转到新版本，其中0条" in "".join(out.split())
    with Registry.open(settings) as registry:
        assert len(TrackingStore(registry).corrections()) == 1  # kept


# ------------------------------------------- identity by 文号 / title (a renamed or moved file)

NUMBER = "攀东府办〔2023〕4号"


@pytest.fixture
def numbered(stages: Calls, monkeypatch: pytest.MonkeyPatch) -> Calls:
    """The fake stages, with the 文号 a file's first line states as the document's 文号."""
    fake_parse = build._parse

    def parse(path: Path, settings: Settings):
        for p, doc in fake_parse(path, settings):
            first = doc.text.splitlines()[0]
            number = first if first.endswith("号") else None
            yield p, doc.model_copy(update={"meta": doc.meta.model_copy(update={"doc_number": number})})

    monkeypatch.setattr(build, "_parse", parse)
    return stages


def _numbered(folder: Path, name: str, number: str = NUMBER, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"{number}\n" + _write(folder, name).read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_a_renamed_file_replaces_its_old_self_by_its_number(settings: Settings, numbered: Calls, capsys) -> None:
    """Failed before: the renamed file (new stem, so a new doc_id) was a second document."""
    path = _numbered(settings.corpus_dir, "a.txt")
    [old] = build_registry([], settings, progress=False).added
    renamed = path.rename(path.with_name("东区方案（印发稿）.txt"))
    renamed.write_text(renamed.read_text(encoding="utf-8") + "\n（此件公开发布）", encoding="utf-8")  # and edited
    assert run_build_command([], settings, export=False)
    [new] = _doc_ids(settings)
    assert new.startswith("东区方案") and new != old
    out = " ".join(capsys.readouterr().out.split())
    assert f"{new}：与已登记的 {old} 文号相同" in out and "视为同一文件" in out


def test_a_renamed_and_edited_file_is_still_its_old_self(settings: Settings, numbered: Calls) -> None:
    path = _numbered(settings.corpus_dir, "a.txt")
    [old] = build_registry([], settings, progress=False).added
    path.unlink()
    _numbered(settings.corpus_dir / "2025", "b.txt", NUMBER.replace("〔", "[").replace("〕", "]"), "\n二、新增措施")
    report = build_registry([], settings, progress=False)
    [new] = report.updated
    assert report.replaced == [(new, old)] and _doc_ids(settings) == [new]


def test_two_files_with_one_number_are_both_kept_and_reported(settings: Settings, numbered: Calls, capsys) -> None:
    """A .docx and its .pdf, or a copy: never merged silently, and the user is told."""
    _numbered(settings.corpus_dir, "a.txt")
    [first] = build_registry([], settings, progress=False).added
    _numbered(settings.corpus_dir, "a-copy.txt", extra="\n（此件公开发布）")
    assert run_build_command([], settings, export=False)
    ids = _doc_ids(settings)
    [second] = [i for i in ids if i != first]
    out = " ".join(capsys.readouterr().out.split())
    assert len(ids) == 2 and f"（{second}）与已登记的 {first} 文号相同" in out and "未合并" in out
    assert f"--as-version-of {first}" in out


def test_a_different_number_is_a_different_document(settings: Settings, numbered: Calls) -> None:
    path = _numbered(settings.corpus_dir, "a.txt")
    build_registry([], settings, progress=False)
    path.unlink()  # the old file is gone, but the new one is another document (another 文号)
    _numbered(settings.corpus_dir, "b.txt", "攀东府办〔2024〕9号", "\n二、新增措施")
    report = build_registry([], settings, progress=False)
    assert len(report.added) == 1 and report.replaced == [] and len(_doc_ids(settings)) == 2


def test_a_moved_file_is_not_pruned_from_its_old_folder(settings: Settings, stages: Calls, tmp_path: Path) -> None:
    """Same name, same bytes, new folder: the same doc_id, and the registry now knows where it is.
    Failed before: the registry kept the old path, so pruning the old folder removed it."""
    path = _write(settings.corpus_dir, "a.txt")
    [doc_id] = build_registry([], settings, progress=False).added
    moved = tmp_path / "归档" / "a.txt"
    moved.parent.mkdir()
    path.rename(moved)
    report = build_registry([moved.parent], settings, progress=False)
    assert report.unchanged == [doc_id] and report.moved == [(doc_id, str(path))]
    pruned = build_registry([], settings, progress=False, prune=True)
    assert pruned.removed == [] and _doc_ids(settings) == [doc_id]
    with Registry.open(settings) as registry:
        assert registry.document(doc_id).source_path == str(moved)


def test_two_new_files_with_one_number_in_one_build_are_reported(settings: Settings, numbered: Calls) -> None:
    _numbered(settings.corpus_dir, "a.txt")
    _numbered(settings.corpus_dir, "b.txt", extra="\n（此件公开发布）")
    report = build_registry([], settings, progress=False)
    assert len(report.added) == 2 and len(_doc_ids(settings)) == 2
    assert [(Path(c.path).name, c.reason) for c in report.clashes] == [("b.txt", "文号相同")]


def test_a_renamed_file_without_number_or_issuer_is_known_by_its_bytes(settings: Settings, stages: Calls,
                                                                      tmp_path: Path) -> None:
    """Most real documents state neither 文号 nor issuer in a form read from the text; their
    unchanged bytes still say which document a renamed file is. A copy is reported."""
    path = _write(settings.corpus_dir, "a.txt")
    [old] = build_registry([], settings, progress=False).added
    renamed = path.rename(path.with_name("收文-a.txt"))
    report = build_registry([], settings, progress=False)
    [new] = report.updated
    assert report.replaced == [(new, old)] and _doc_ids(settings) == [new]
    assert [i.because for i in report.items] == ["内容完全相同"]
    copy = tmp_path / "副本" / "a.txt"
    copy.parent.mkdir()
    copy.write_bytes(renamed.read_bytes())
    again = build_registry([copy], settings, progress=False)
    assert [(c.existing, c.reason) for c in again.clashes] == [(new, "内容完全相同")]
