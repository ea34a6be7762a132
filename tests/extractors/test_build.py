"""Incremental builds: unchanged files are not parsed, changes replace rows, failures are isolated.

Most tests swap the parser and the extractors for small fakes (``_parse``/``_extract`` are the
two seams), so they check the build's own logic; the corpus tests at the end run the real stages.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from extractors.registry import build
from extractors.registry.build import build_registry, extractor_version, find_documents
from extractors.registry.build_cli import run_build_command
from extractors.registry.store import Registry
from pipeline.errors import CorruptFileError
from pipeline.settings import Settings
from extractors.run import Extraction
from tests.extractors.test_registry import PASSAGE, make_document, make_ledger


class Calls:
    def __init__(self) -> None:
        self.parsed: list[str] = []
        self.extracted: list[str] = []


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Fake stages: a file's text becomes a Document; the ledger comes from ``make_ledger``."""
    seen = Calls()

    def fake_parse(path: Path, settings: Settings):
        seen.parsed.append(path.name)
        if path.name.startswith("bad"):
            return iter([(path, CorruptFileError(path, "not a PDF: the file ends early", "download it again"))])
        data = path.read_bytes()
        doc_id = f"{path.stem}-{hashlib.sha256(data).hexdigest()[:8]}"
        doc = make_document(doc_id, data.decode("utf-8"))
        return iter([(path, doc.model_copy(update={"source_path": str(path)}))])  # read from where it is

    def fake_extract(doc):
        seen.extracted.append(doc.doc_id)
        if "崩溃" in doc.text:
            raise KeyError("boom")
        _, tasks, targets = make_ledger(doc.doc_id, doc.text)
        return Extraction(doc, tuple(tasks), tuple(targets))

    monkeypatch.setattr(build, "_parse", fake_parse)
    monkeypatch.setattr(build, "_extract", fake_extract)
    return seen


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # no per-file budget: files are read in this process, where the fakes count their calls
    return Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "in", file_seconds=0, file_memory_bytes=0)


def _write(folder: Path, name: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(PASSAGE + extra, encoding="utf-8")
    return path


def test_second_build_parses_nothing(settings: Settings, calls: Calls) -> None:
    _write(settings.corpus_dir, "a.txt")
    _write(settings.corpus_dir, "b.txt", "\n附件")
    first = build_registry([], settings, progress=False)
    assert len(first.added) == 2 and not first.failed
    calls.parsed.clear(), calls.extracted.clear()
    second = build_registry([], settings, progress=False)
    assert sorted(second.unchanged) == sorted(first.added)
    assert second.added == second.updated == [] and not second.failed
    assert calls.parsed == [] and calls.extracted == []
    assert {i.measures for i in second.items} == {3}  # counts come from the registry
    assert second.generation == first.generation


def test_changed_file_replaces_its_rows(settings: Settings, calls: Calls) -> None:
    path = _write(settings.corpus_dir, "a.txt")
    build_registry([path], settings, progress=False)
    with Registry.open(settings) as reg:
        (old_id,) = reg.document_hashes()
    # same name and folder, new content: the doc_id (stem + hash) changes, the new version replaces the old
    path.write_text(PASSAGE.replace("16.40", "18.00"), encoding="utf-8")
    report = build_registry([path], settings, progress=False)
    assert len(report.updated) == 1 and report.replaced == [(report.updated[0], old_id)] and report.kept == []
    with Registry.open(settings) as reg:
        assert reg.targets(doc_id=report.updated[0])[0].quote.endswith("18.00亿元")
        assert set(reg.document_hashes()) == {report.updated[0]}


def test_same_doc_id_is_updated_in_place(settings: Settings, calls: Calls, monkeypatch) -> None:
    path = _write(settings.corpus_dir, "a.txt")
    fake = build._parse

    def stable_id(p: Path, s: Settings):  # a manifest-style doc_id that does not depend on content
        (_, doc), = list(fake(p, s))
        return iter([(p, make_document("fixed-id", doc.text))])

    monkeypatch.setattr(build, "_parse", stable_id)
    build_registry([path], settings, progress=False)
    path.write_text(PASSAGE.replace("3.强化要素保障。", ""), encoding="utf-8")
    with pytest.raises(ValueError):  # make_ledger needs measure 3: prove the fake saw the new text
        make_ledger("fixed-id", path.read_text(encoding="utf-8"))
    path.write_text(PASSAGE + "\n（此件公开发布）", encoding="utf-8")
    report = build_registry([path], settings, progress=False)
    assert report.updated == ["fixed-id"] and report.kept == []
    with Registry.open(settings) as reg:
        assert reg.document("fixed-id").text.endswith("（此件公开发布）")
        assert len(reg.tasks()) == 3


def test_lexicon_change_forces_reextraction(settings: Settings, calls: Calls, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    lexicons = tmp_path / "stages" / "lexicons"
    lexicons.mkdir(parents=True)
    (lexicons / "units.yaml").write_text("units: [市经信局]\n", encoding="utf-8")
    monkeypatch.setattr(build, "STAGE_ROOTS", (tmp_path / "stages",))
    _write(settings.corpus_dir, "a.txt")
    build_registry([], settings, progress=False)
    before = extractor_version()
    (lexicons / "units.yaml").write_text("units: [市经信局, 市投促局]\n", encoding="utf-8")
    assert extractor_version() != before
    calls.extracted.clear()
    report = build_registry([], settings, progress=False)
    assert len(report.updated) == 1 and len(calls.extracted) == 1


def test_real_extractor_version_covers_lexicons_and_skips_exports() -> None:
    version = extractor_version()
    assert version.startswith(build.EXTRACTOR_VERSION + ".")
    assert extractor_version() == version  # deterministic
    assert "export" in build._NOT_STAGE_FOLDERS and "units" not in build._NOT_STAGE_FOLDERS


def test_manifest_change_forces_reextraction(settings: Settings, calls: Calls) -> None:
    _write(settings.corpus_dir, "a.txt")
    manifest = settings.corpus_dir / "manifest.json"
    entry = {"doc_id": "a-doc", "file": "a.txt", "title": "旧标题"}
    manifest.write_text(json.dumps({"documents": [entry]}, ensure_ascii=False), encoding="utf-8")
    build_registry([], settings, progress=False)
    entry["title"] = "新标题"
    manifest.write_text(json.dumps({"documents": [entry]}, ensure_ascii=False), encoding="utf-8")
    calls.parsed.clear()
    build_registry([], settings, progress=False)
    assert calls.parsed == ["a.txt"]


def test_bad_files_are_reported_and_the_rest_lands(settings: Settings, calls: Calls,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(settings.corpus_dir, "good.txt")
    bad = _write(settings.corpus_dir, "bad.pdf")
    crash = _write(settings.corpus_dir, "crash.txt", "\n崩溃")
    missing = settings.corpus_dir / "missing.docx"
    report = build_registry([good, bad, crash, missing], settings, progress=False)
    assert len(report.added) == 1
    failed = {Path(f.path).name: f.message for f in report.failed}
    assert set(failed) == {"bad.pdf", "crash.txt", "missing.docx"}
    assert "[E104]" in failed["bad.pdf"] and "ends early" in failed["bad.pdf"]
    assert "[E900]" in failed["crash.txt"] and "KeyError" in failed["crash.txt"]
    err_lines = capsys.readouterr().err.strip().splitlines()
    assert len(err_lines) == 3 and all(str(settings.corpus_dir) in line for line in err_lines)
    with Registry.open(settings) as reg:
        assert len(reg.documents()) == 1 and len(reg.tasks()) == 3


def test_a_document_the_database_refuses_fails_alone(settings: Settings, calls: Calls,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Documents are written a batch per transaction; one the database refuses costs only itself."""
    from sqlalchemy.exc import OperationalError

    paths = [_write(settings.corpus_dir, f"doc{i}.txt", f"\n第{i}份") for i in range(5)]
    original = Registry._insert_targets

    def refuse_doc2(conn, targets):
        if any(t["doc_id"].startswith("doc2-") for t in targets):
            raise OperationalError("INSERT INTO targets", {}, Exception("disk I/O error"))
        original(conn, targets)

    monkeypatch.setattr(Registry, "_insert_targets", staticmethod(refuse_doc2))
    report = build_registry(paths, settings, progress=False)
    assert [Path(f.path).name for f in report.failed] == ["doc2.txt"]
    assert "无法写入任务台账：doc2-" in report.failed[0].message
    assert "无法写入任务台账：doc2-" in capsys.readouterr().err  # one line on stderr, as for any failure
    assert sorted(Path(i.path).name for i in report.items) == ["doc0.txt", "doc1.txt", "doc3.txt", "doc4.txt"]
    with Registry.open(settings) as reg:
        assert sorted(m.doc_id.split("-")[0] for m in reg.documents()) == ["doc0", "doc1", "doc3", "doc4"]
    monkeypatch.setattr(Registry, "_insert_targets", staticmethod(original))
    again = build_registry(paths, settings, progress=False)  # the next build stores it
    assert [Path(i.path).name for i in again.items if i.status == "added"] == ["doc2.txt"]


def test_a_file_that_kills_its_worker_fails_alone(tmp_path: Path, calls: Calls,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """In worker processes (forked, so the fake stages apply there too), a file whose parsing
    kills the process is reported and the others land."""
    import os
    import signal

    fake_parse = build._parse

    def parse_or_die(path: Path, settings: Settings):
        if path.name.startswith("kill"):
            os.kill(os.getpid(), signal.SIGKILL)
        return fake_parse(path, settings)

    monkeypatch.setattr(build, "_parse", parse_or_die)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "in",
                        build_workers=2, parallel_min_bytes=0)
    for name in ("a.txt", "b.txt", "kill.txt", "c.txt", "d.txt"):
        _write(settings.corpus_dir, name, name)
    report = build_registry([], settings, progress=False)
    assert len(report.added) == 4
    assert [(Path(f.path).name, f.message.split("]")[0]) for f in report.failed] == [("kill.txt", "[E108")]
    # the exit code is -9 unless another waiter in this process reaped the worker first
    assert re.search(r"异常退出了两次（(被系统终止，信号 9|原因不明)", report.failed[0].message)
    assert calls.parsed == []  # the work happened in the workers, not here


def test_removed_files_are_kept(settings: Settings, calls: Calls) -> None:
    a = _write(settings.corpus_dir, "a.txt")
    _write(settings.corpus_dir, "b.txt", "\n附件")
    build_registry([], settings, progress=False)
    a.unlink()
    report = build_registry([], settings, progress=False)
    assert len(report.kept) == 1 and report.kept[0].startswith("a-")
    with Registry.open(settings) as reg:
        assert len(reg.documents()) == 2


def test_a_folder_of_pdfs_goes_to_workers_sooner_than_the_same_bytes_of_text(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", build_workers=2, parallel_min_bytes=1000)
    for suffix in (".txt", ".PDF"):
        folder = tmp_path / suffix.strip(".")
        folder.mkdir()
        for name in "ab":
            (folder / f"{name}{suffix}").write_bytes(b"x" * 300)  # 600 bytes of files
    texts, pdfs = sorted((tmp_path / "txt").iterdir()), sorted((tmp_path / "PDF").iterdir())
    assert build.work_bytes(texts) == 600 and build._workers(settings, texts) == 1
    assert build.work_bytes(pdfs) == 2400 and build._workers(settings, pdfs) == 2
    assert build._workers(settings, pdfs[:1]) == 1  # one file: nothing to share


def test_find_documents_finds_documents_only(tmp_path: Path) -> None:
    for rel in ("a.txt", "sub/b.PDF", "sub/c.docx", ".hidden/d.txt", "~$lock.docx", "manifest.json",
                "notes.xlsx", "old.doc"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    files, missing = find_documents([tmp_path, tmp_path / "a.txt", tmp_path / "nope"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files) == \
        ["a.txt", "old.doc", "sub/b.PDF", "sub/c.docx"]
    assert [Path(m.path).name for m in missing] == ["nope"]


def test_build_command_prints_summary_and_export_path(settings: Settings, calls: Calls,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _write(settings.corpus_dir, "a.txt")
    bad = _write(settings.corpus_dir, "bad.pdf")
    ok = run_build_command([settings.corpus_dir], settings, export=True)
    out = capsys.readouterr().out
    assert ok is False  # one file failed
    assert "新增" in out and "失败" in out and bad.name in out
    workbook = settings.data_dir / "任务分工表.xlsx"
    assert workbook.exists() and "任务分工表已写出：" in out
    assert str(workbook) in out.replace("\n", "")


# ------------------------------------------------------------------------ the real stages


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    pytest.importorskip("pipeline.run")
    pytest.importorskip("extractors.measures.tasks")
    pytest.importorskip("extractors.targets.extract")
    folder = tmp_path_factory.mktemp("corpus")
    for path in corpus_dir.iterdir():
        shutil.copy(path, folder / path.name)
    return folder


@pytest.mark.slow
def test_corpus_build_then_nothing_to_do(corpus_copy: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    first = build_registry([], settings, progress=False)
    assert not first.failed, first.failed
    manifest = json.loads((corpus_copy / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(first.added) == sorted(d["doc_id"] for d in manifest["documents"])
    assert all(i.measures > 0 for i in first.items)

    def forbidden(*_args):
        raise AssertionError("an unchanged document was parsed or extracted again")

    monkeypatch.setattr(build, "_parse", forbidden)
    monkeypatch.setattr(build, "_extract", forbidden)
    second = build_registry([], settings, progress=False)
    assert sorted(second.unchanged) == sorted(first.added) and not second.failed
    assert [i.measures for i in sorted(second.items, key=lambda i: i.doc_id)] == \
        [i.measures for i in sorted(first.items, key=lambda i: i.doc_id)]


# ------------------------------------------------------------------------ taizhang extract


@pytest.mark.parametrize("workers", [1, 2], ids=["one process", "worker processes"])
def test_extract_command_prints_the_contract_of_good_files_and_names_bad_ones(
    corpus_dir: Path, tmp_path: Path, workers: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from extractors.registry.build_cli import run_extract_command

    notice = corpus_dir / "pzh-2024-jianquan-qianglian-16tiao.txt"
    plan = corpus_dir / "dongqu-2023-chengzai-fangan.txt"
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj <<")  # a truncated PDF
    settings = Settings(data_dir=tmp_path / "data", build_workers=workers, parallel_min_bytes=0)

    ok = run_extract_command([notice, bad, plan], settings)

    captured = capsys.readouterr()
    assert ok is False and "broken.pdf" in captured.err
    contract = json.loads(captured.out)
    docs = {Path(d["path"]).stem: d for d in contract["documents"]}
    assert set(docs) == {"pzh-2024-jianquan-qianglian-16tiao", "dongqu-2023-chengzai-fangan"}
    tasks = docs["pzh-2024-jianquan-qianglian-16tiao"]["tasks"]
    assert len(tasks) == 16 and all(t["lead"] for t in tasks)
    for doc in contract["documents"]:
        text = (corpus_dir / Path(doc["path"]).name).read_text(encoding="utf-8")
        for task in doc["tasks"]:  # each row can be checked against its source
            source = task["source"]
            assert source["locator"].startswith(doc["doc_id"]) and source["line_start"] >= 1
            assert source["section_path"] == task["section_path"]
        # tasks and targets point at each other
        of_task = {}
        for target in doc["targets"]:
            if target["task_id"]:
                of_task.setdefault(target["task_id"], []).append(target["target_id"])
            assert target["quote"] and _squeezed(target["quote"]) in _squeezed(text)
        assert {t["task_id"]: t["target_ids"] for t in doc["tasks"] if t["target_ids"]} == of_task
    assert any(d["targets"] for d in contract["documents"])


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)
