"""A ``taizhang import`` killed with SIGKILL leaves the registry as it was or fully imported,
never half (issue 15). The child runs the real command; ``TAIZHANG_STOP_AT`` holds it at a named
point (pipeline/stop_points.py), where it is killed: no timed guess at when it is mid-way.

Killed with every row of the import written but not committed, the registry holds the old
state (no correction, no imported file, same generation, integrity ok); killed just after the
commit, the new one; and the file then imports as 已导入过, so nothing is stored twice.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extractors.registry.store import Registry, make_engine
from extractors.tracking.service import import_workbooks
from pipeline.settings import Settings
from pipeline.stop_points import STOP_ENV, STOPPED_MARK
from tests.tracking_ledger import build_corpus_ledger, export_xlsx

REPO = Path(__file__).resolve().parents[2]
TAIZHANG = [sys.executable, "-c", "from search_api.cli import main; main()"]  # the installed command
D = "dongqu-2023-chengzai-fangan:"
EDITS = {D + "二.（一）.1": ("牵头单位", "区发展和改革委员会"), D + "二.（一）.3": ("完成时限", "2024年6月底前"),
         D + "二.（二）.4": ("校核", "非任务")}


COUNTED = ("corrections", "progress_reports", "imported_files")


def tracked_state(settings: Settings) -> tuple[int, int, int, int]:
    """(corrections, reports, imported files, generation), read outside taizhang: plain sqlite3
    (after its integrity check) or a fresh PostgreSQL connection."""
    if settings.db_url is None:
        con = sqlite3.connect(settings.data_dir / "registry.sqlite")
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED]
            generation = con.execute("SELECT generation FROM registry_state WHERE id = 1").fetchone()[0]
            return (*counts, generation)
        finally:
            con.close()
    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            counts = [conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one() for t in COUNTED]
            generation = conn.exec_driver_sql("SELECT generation FROM registry_state WHERE id = 1").scalar_one()
        return (*counts, generation)
    finally:
        engine.dispose()


def import_stopped_at(point: str, workbook: Path, settings: Settings) -> None:
    """Run ``taizhang import`` in a child held at ``point``, then SIGKILL it there."""
    data_dir = settings.data_dir
    env = {**os.environ, "PYTHONPATH": str(REPO), STOP_ENV: point}
    if settings.db_url is not None:
        env["TAIZHANG_DB_URL"] = settings.db_url
    child = subprocess.Popen([*TAIZHANG, "import", str(workbook),
                              "--data-dir", str(data_dir)],
                             cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        said = []
        for line in child.stderr:  # ends (EOF) if the child exits without reaching the point
            said.append(line)
            if line.strip() == STOPPED_MARK + point:
                break
        else:
            pytest.fail(f"the import never reached {point}:\n{''.join(said)}")
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_an_import_killed_inside_its_transaction_leaves_the_old_state(
        corpus_dir: Path, tmp_path: Path, database: str, request: pytest.FixtureRequest) -> None:
    """On PostgreSQL the server drops the killed connection's open transaction: the same states."""
    url = request.getfixturevalue("postgres_url") if database == "postgresql" else None
    settings: Settings = build_corpus_ledger(corpus_dir, tmp_path, db_url=url)
    wb = load_workbook(export_xlsx(settings, tmp_path / "任务分工表.xlsx"))
    ws = wb["任务分工表"]
    col = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        edit = EDITS.get(ws.cell(r, col["任务ID"]).value)
        if edit:
            ws.cell(r, col[edit[0]]).value = edit[1]
    edited = tmp_path / "改.xlsx"
    wb.save(edited)
    before = tracked_state(settings)
    assert before[:3] == (0, 0, 0)

    import_stopped_at("import-before-commit", edited, settings)
    assert tracked_state(settings) == before  # nothing of it, not even the file's name

    import_stopped_at("import-after-commit", edited, settings)
    after = tracked_state(settings)
    assert after[:3] == (len(EDITS), 0, 1) and after[3] == before[3] + 1  # all of it, once

    with Registry.open(settings) as registry:  # the file again: 已导入过, nothing stored twice
        again = import_workbooks([edited], registry)
    assert again.ok and "已导入过" in again.files[0].note and tracked_state(settings) == after
