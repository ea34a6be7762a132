"""Metadata read from a document's own text when no manifest describes it: the issuer from the
title, the title block, a signature, the colophon's 印发 line or the 文号's agency code; the date
it was signed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.run import parse_file

BODY = "一、总体要求\n（一）加强组织领导。各地区要落实责任。\n"


@pytest.mark.parametrize(("text", "issuer"), [
    ("关于推进某项工作的通知\n" + BODY + "国务院办公厅\n2018年12月6日\n（此件公开发布）\n", "国务院办公厅"),
    ("关于推进某项工作的实施方案\n" + BODY + "抄送：省委各部门，省人大常委会办公厅。\n"
     "山东省人民政府办公厅2020年12月10日印发\n", "山东省人民政府办公厅"),
    ("关于推进某项工作的通知\n国办发〔2018〕129号\n" + BODY, "国务院办公厅"),
    ("关于推进某项工作的通知\n鲁政办发〔2020〕16号\n" + BODY, "山东省人民政府办公厅"),
    ("关于推进某项工作的通知\n青政发〔2020〕1号\n" + BODY, None),  # 青海 or 青岛: not guessed
    ("关于推进某项工作的通知\n" + BODY, None),
])
def test_issuer_from_the_text(tmp_path: Path, text: str, issuer: str | None) -> None:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    assert parse_file(path).meta.issuer == issuer

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
