"""The written documents' gold (eval/gold/written/) against the texts beside it, the split, and the
extraction scores on the development half as a regression floor. The texts are in the repository,
so these run everywhere."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from eval import extraction_eval, realdocs_eval
from eval.extraction_gold import gold_problems
from pipeline.settings import Settings

GOLD, DOCS = realdocs_eval.WRITTEN_GOLD, realdocs_eval.WRITTEN_DIR


def test_every_quote_unit_and_deadline_of_the_gold_is_in_its_text() -> None:
    assert gold_problems(GOLD, lambda stem: realdocs_eval.source_text(stem, DOCS)) == []


def test_the_split_holds_half_out_and_names_every_document_once() -> None:
    split = realdocs_eval.load_split(GOLD)
    annotated = {p.stem for p in (GOLD / "tasks").glob("*.yaml")}
    texts = {p.stem for p in DOCS.glob("*.txt")}
    assert set(split.dev) | set(split.heldout) == annotated == texts
    assert not set(split.dev) & set(split.heldout) and len(split.dev) == len(split.heldout)
    assert set(realdocs_eval.load_families(GOLD)) == annotated


@pytest.fixture(scope="module")
def dev_report(tmp_path_factory):
    return realdocs_eval.score_split(Settings(data_dir=tmp_path_factory.mktemp("data")), "dev", GOLD, DOCS)


# Floors a little under today's figures on the written development half.
@pytest.mark.parametrize(("field", "floor"), [("unit_role", 0.95), ("lead", 0.97), ("deadline", 0.90)])
def test_the_written_development_set_does_not_lose_ground(dev_report, field: str, floor: float) -> None:
    assert dev_report.tasks.fields[field].f1 >= floor, dev_report.tasks.fields[field]


def test_written_development_measures_and_targets_do_not_lose_ground(dev_report) -> None:
    assert dev_report.tasks.detection.f1 >= 0.95
    assert dev_report.targets.correct.f1 >= 0.84
    assert not dev_report.failures


def test_the_written_sets_are_scored_without_the_real_documents(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(realdocs_eval, "available", lambda folder=None: False)
    buffer = io.StringIO()
    out = extraction_eval.main(Settings(data_dir=tmp_path / "data"), console=Console(file=buffer, width=300))
    assert "realdocs" not in out and set(out["written"]) == {"written dev", "written held-out"}
    assert "real documents not scored" in buffer.getvalue()
