"""管理办法 and 暂行办法 written in articles: which articles are measures and which items only state
conditions. Each case is a small regulation written for the test."""

from __future__ import annotations

from pathlib import Path

from extractors.run import extract_document
from pipeline.run import parse_file


def _tasks(tmp_path: Path, text: str):
    path = tmp_path / "banfa.txt"
    path.write_text(text, encoding="utf-8")
    return extract_document(parse_file(path)).tasks

_REGULATION = (
    "某省公共数据管理办法\n"
    "第一条　为了规范公共数据管理，制定本办法。\n"
    "第二条　本办法适用于本省行政区域内公共数据的管理活动。\n"
    "第三条　省政务服务数据管理局负责统筹全省公共数据管理工作。\n"
    "第四条　省政务服务数据管理局应当每年组织开展公共数据质量评估。\n"
    "第五条　县级以上人民政府公安、国家安全等部门按照各自职责，依法对公共数据安全实施监督管理。\n"
    "第六条　有关部门有下列情形之一的，由省人民政府责令改正；情节严重的，依法给予处分：\n"
    "（一）未按照规定编制公共数据资源目录的；\n"
    "（二）未按照规定共享公共数据的。\n"
    "第七条　本办法自2021年11月25日起施行。\n"
)


def test_the_conditions_an_article_lists_are_not_measures(tmp_path: Path) -> None:
    ids = [t.task_id.split(":", 1)[1] for t in _tasks(tmp_path, _REGULATION)]
    assert "第三条" in ids and "第四条" in ids
    assert "第五条" in ids  # 按照各自职责…实施监督管理 is a duty, not an entry into force (自…实施)
    assert not [i for i in ids if "（一）" in i or "（二）" in i]  # 未按照规定…的: when it is punished
    assert "第七条" not in ids  # entry into force frames the text


def test_every_body_an_article_charges_in_its_sentences_is_a_unit(tmp_path: Path) -> None:
    text = ("某州政务数据资源管理暂行办法\n第一条　为规范政务数据管理，制定本办法。\n"
                    "第二条　州人民政府统一领导全州政务数据资源管理工作。\n"
                    "第三条　州财政局应当将平台运行维护经费纳入年度财政预算。州大数据局参与项目审核；"
                    "州发展改革委不予审批未落实数据共享要求的项目。\n第四条　本办法自2022年1月1日起施行。\n")
    units = {t.task_id.split(":", 1)[1]: [u.name for u in t.unassigned_units] for t in _tasks(tmp_path, text)}
    assert units["第二条"] == ["州人民政府"]
    assert units["第三条"] == ["州财政局", "州大数据局", "州发展改革委"]  # no role stated: 责任单位, unsplit


def test_the_partners_a_body_convenes_to_build_something_support_it(tmp_path: Path) -> None:
    text = ("某市政务数据管理办法\n第一条　为规范政务数据管理，制定本办法。\n"
                    "第二条　市政务服务数据管理局会同市公安局、市市场监督管理局建设全市人口、法人基础数据库。\n"
                    "第三条　本办法自2020年1月1日起施行。\n")
    (task,) = _tasks(tmp_path, text)
    assert [u.name for u in task.lead] == ["市政务服务数据管理局"]
    assert [u.name for u in task.supporting] == ["市公安局", "市市场监督管理局"]  # 建设 ends the list


def test_a_citys_big_data_centre_is_a_body_a_data_centre_is_not(tmp_path: Path) -> None:
    text = ("某市政务数据管理办法\n第一条　为规范政务数据管理，制定本办法。\n"
                    "第二条　市大数据中心承担公共数据平台的建设运行、技术支撑和日常运维工作。\n"
                    "第三条　新建数据中心应当符合国家能耗标准。\n第四条　本办法自2020年1月1日起施行。\n")
    units = {t.task_id.split(":", 1)[1]: [u.name for u in t.unassigned_units] for t in _tasks(tmp_path, text)}
    assert units["第二条"] == ["市大数据中心"]  # 承担…工作 charges it, however long the work's name
    assert units.get("第三条", []) == []


def test_the_bodies_a_public_data_regulation_defines_and_charges_are_its_units(tmp_path: Path) -> None:
    text = ("某省公共数据管理办法\n第一条　为规范公共数据管理，制定本办法。\n"
                    "第二条　公共管理和服务机构应当按照公共数据资源目录采集公共数据。\n"
                    "第三条　本办法自2021年11月25日起施行。\n")
    (task,) = _tasks(tmp_path, text)
    assert [u.name for u in task.unassigned_units] == ["公共管理和服务机构"]
