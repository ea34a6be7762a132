"""The date a document was signed, read from its own text when no manifest gives it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.run import parse_file

_TASK_LIST = (
    "附件\n南山区2024年数字政府建设重点任务清单\n序号\n重点任务\n牵头单位\n完成时限\n"
    "1\n推进“一网通办”\n区政务服务数据管理局\n2024年12月\n"
    "2\n建设区级数据资源中心\n区政务服务数据管理局\n2024年9月底前\n"
    "3\n开展数据安全检查\n区委网信办\n每季度\n"
)


@pytest.mark.parametrize(("text", "expected"), [
    ("某县优化营商环境实施方案\n一、重点任务\n（一）提升效能。推行一窗通办。\n某县人民政府办公室\n2024年3月5日\n",
     dt.date(2024, 3, 5)),
    ("某区数字政府建设工作要点\n一、推进一网通办\n二、加强数据治理\n" + _TASK_LIST, None),
    # signed above the 附件 it issues, far from the end
    ("某区数字政府建设工作要点\n一、推进一网通办\n某区人民政府办公室\n2024年2月20日\n" + _TASK_LIST,
     dt.date(2024, 2, 20)),
])
def test_a_time_limit_in_a_flattened_task_list_is_not_the_signing_date(tmp_path: Path, text, expected) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    assert parse_file(path).meta.date == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("苏州市人民政府办公室关于印发苏州市数字经济发展三年行动方案的通知\n各市、区人民政府：\n现将方案印发给你们。\n一、主要任务\n",
     "苏州市人民政府办公室"),
    # joint issuers sign on two lines; the title names both
    ("工业和信息化部 国家发展改革委关于印发《数字化转型行动方案》的通知\n现将方案印发给你们。\n工业和信息化部\n国家发展改革委\n"
     "2024年1月10日\n附件\n数字化转型行动方案\n一、重点任务\n（一）推进企业上云。\n",
     "工业和信息化部 国家发展改革委"),
    ("某区数字政府建设工作要点\n一、推进一网通办\n某区人民政府办公室\n2024年2月20日\n" + _TASK_LIST, "某区人民政府办公室"),
    ("关于开展园区提质行动的通知\n一、工作任务\n（一）推进建设。\n", None),
])
def test_the_issuer_from_the_title_or_a_signature_anywhere(tmp_path: Path, text, expected) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    assert parse_file(path).meta.issuer == expected
