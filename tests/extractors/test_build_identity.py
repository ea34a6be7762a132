"""A changed file replaces its old self; removed files leave the registry on request (issue 18,
item 9). Reproduced before: an edited file was stored as a second document beside the old one,
and the workbook listed its measures twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.registry import build
from extractors.registry.build import build_registry, run_build_command
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
