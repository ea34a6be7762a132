"""The typed records the secretariat adds to the ledger: corrections and progress reports.

A correction is keyed to the stable ``task_id`` and to the source span and text the person saw
when they made it, so a later version of the document can be told apart from a better rule: a
rule change keeps the text and the correction applies again; a text change puts it on 待复核.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

# what a correction changes; the first four are cells of the 任务分工表
CorrectionField = Literal["lead", "supporting", "unassigned", "deadline", "not_a_task", "add_task", "merge"]
FIELD_LABEL: dict[str, str] = {
    "lead": "牵头单位", "supporting": "配合单位", "unassigned": "责任单位（未分牵头）",
    "deadline": "完成时限", "not_a_task": "非任务", "add_task": "新增任务", "merge": "合并",
}
NOT_A_TASK_MARK = "非任务"  # written in the 校核 cell to take a row out of the ledger
MERGE_MARK = "并入"  # 并入 12 (its 序号) or 并入 <任务ID>, in the 校核 cell: one row into another

ProgressStatus = Literal["未启动", "推进中", "已完成", "滞后"]
PROGRESS_STATUSES: tuple[str, ...] = ("未启动", "推进中", "已完成", "滞后")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Origin(_Frozen):
    """Where an edit came from: a cell of an imported file, or a person's action."""

    file: str | None = None  # the file name as imported (never a path on someone's disk)
    file_sha256: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # the header of the column (and its letter): 牵头单位(E)
    user: str | None = None  # a user action on the web page or the command line

    def label(self) -> str:
        if self.file:
            cell = f"「{self.sheet}」第{self.row}行「{self.column}」列" if self.sheet else ""
            return f"{self.file} {cell}".strip()
        return f"用户操作：{self.user or '未署名'}"


class Correction(_Frozen):
    """One edit by a person, as stored (never updated; a later edit of the same field wins)."""

    correction_id: int | None = None  # given by the registry
    task_id: str
    doc_id: str
    field: CorrectionField
    before: str  # the value shown when the edit was made
    after: str  # the value the person set ("" clears a field; 非任务 for not_a_task; merge: the target task_id)
    source_text: str  # the task's text (or the quoted source of an added task) at edit time
    char_start: int
    char_end: int
    origin: Origin
    created_at: dt.datetime
    # add_task: the Task the person added, with its source span; merge: the Task merged into,
    # as it was then (its text follows the target to a new version, or sends the merge to 待复核)
    task_json: str | None = None


class ReviewItem(_Frozen):
    """A correction not applied because the source under it changed (待复核)."""

    correction: Correction
    old_text: str
    new_text: str  # "" when the task is gone from the new extraction
    reason: str


class ProgressReport(_Frozen):
    """One unit's report on one task on one date: kept as a row of history, never overwritten."""

    report_id: int | None = None
    task_id: str
    unit: str
    status: ProgressStatus
    progress: str = ""  # 进展情况
    problems: str = ""  # 存在问题
    next_steps: str = ""  # 下步计划
    report_date: dt.date
    origin: Origin
    created_at: dt.datetime
