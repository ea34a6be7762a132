"""Measures of the bundled corpus as Tasks, plus small documents in other cities' formats.

Golden files: tests/golden/<doc_id>.tasks.json, rewritten only with ``--update-golden``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.measures.tasks import extract_tasks
from pipeline.model import Document, DocumentMeta, Task, UnitFlag

TONGZHI = "pzh-2025-yuanqu-tizhi-tongzhi"
SHILIU = "pzh-2024-jianquan-qianglian-16tiao"
DONGQU = "dongqu-2023-chengzai-fangan"


@pytest.fixture(scope="module")
def tasks(corpus_documents) -> dict[str, list[Task]]:
    return {doc_id: extract_tasks(doc) for doc_id, doc in corpus_documents.items()}


def _leads(task: Task) -> list[str]:
    return [u.canonical for u in task.lead]


def test_tongzhi_numbered_measures_each_have_a_lead(tasks) -> None:
    numbered = [t for t in tasks[TONGZHI] if t.task_id.startswith(f"{TONGZHI}:二.")]
    assert [t.number for t in numbered] == [f"{n}." for n in range(1, 17)]
    assert all(t.lead and t.supporting and not t.unassigned_units for t in numbered)
    assert numbered[0].task_id == f"{TONGZHI}:二.（一）.1"
    assert numbered[0].title == "编制发展规划"
    assert _leads(numbered[0]) == ["攀枝花钒钛高新技术产业开发区管理委员会", "各县（区）人民政府"]
    assert [u.name for u in numbered[0].lead] == ["国家钒钛高新区管委会", "各县（区）政府"]
    assert numbered[0].role_rule == "分号前为牵头单位"


def test_tongzhi_support_items_with_brackets_are_measures_guarantees_are_not(tasks) -> None:
    ids = [t.task_id.split(":", 1)[1] for t in tasks[TONGZHI]]
    assert ids[16:] == ["三.（一）", "三.（二）", "三.（三）"]
    assert not any(
        i.startswith("四.") for i in ids
    )  # 四、保障措施 carries no units in a document that assigns them
    assert _leads(tasks[TONGZHI][16]) == [
        "中共攀枝花市委人才工作领导小组办公室",
        "攀枝花市教育和体育局",
        "攀枝花市人力资源和社会保障局",
    ]


def test_tongzhi_typo_flagged_not_merged(tasks) -> None:
    task15 = next(t for t in tasks[TONGZHI] if t.number == "15.")
    typo = next(u for u in task15.supporting if u.name == "市政府管理局")
    assert typo.canonical == "攀枝花市政府管理局"
    assert UnitFlag(kind="possible_typo", value="市政务管理局") in typo.flags


def test_shiliu_sixteen_measures(tasks) -> None:
    got = tasks[SHILIU]
    assert len(got) == 16
    assert all(t.lead for t in got)
    assert _leads(got[2]) == ["攀枝花市科学技术局", "攀枝花市经济和信息化局"]
    assert got[2].task_id == f"{SHILIU}:三"
    assert got[14].supporting[-1].canonical == "国家金融监督管理总局攀枝花监管分局"
    assert _leads(got[0]) == ["攀枝花市经济和信息化局"]
    assert [u.canonical for u in got[0].supporting][1:] == [
        "各县（区）人民政府",  # 各县（区） as a responsible unit: their governments
        "攀枝花钒钛高新技术产业开发区管理委员会",  # 国家钒钛高新区: the zone's 管委会
    ]
    assert (
        "本政策措施自印发之日起施行" not in got[15].text
    )  # the closing paragraph is not measure 十六


def test_dongqu_fifteen_measures_with_district_units(tasks) -> None:
    got = tasks[DONGQU]
    assert len(got) == 15
    assert all(t.lead for t in got)
    assert _leads(got[0]) == ["东区经济和信息化局"]  # its bracket stands as its own paragraph
    assert [u.name for u in got[0].lead] == ["区经济和信息化局"]  # as written, kept beside it
    assert got[0].text.endswith("逗号前为牵头部门，下同）")
    assert [u.canonical for u in got[3].supporting][:1] == ["东区住房和城乡建设局"]
    assert _leads(got[3]) == ["东区高新技术产业园区规划发展部"]  # 园区 of a park document
    for task in got:
        for unit in (*task.lead, *task.supporting):
            assert (
                not unit.canonical.startswith("市")
                or unit.canonical == "市自然资源和规划局东区分局"
            )
            assert not any(f.kind == "needs_jurisdiction" for f in unit.flags), unit
            assert not unit.canonical.startswith(("区", "园区")), unit  # each has its place


def test_planning_documents_keep_unassigned_measures_only_under_task_sections(tasks) -> None:
    for doc_id in ("pzh-2022-yuanqu-guihua", "xiqu-2021-chengyu-guihua"):
        got = tasks[doc_id]
        assert 10 <= len(got) <= 60
        assert not any(t.assigned for t in got)
        for task in got:
            top = task.section_path[0]
            assert "任务" in top or "保障" in top, task.task_id


def test_spans_and_provenance(corpus_documents, tasks) -> None:
    for doc_id, doc_tasks in tasks.items():
        doc = corpus_documents[doc_id]
        ids = [t.task_id for t in doc_tasks]
        assert len(ids) == len(set(ids))
        for task in doc_tasks:
            assert doc.text[task.span.start : task.span.end] == task.text
            assert (task.source.char_start, task.source.char_end) == (
                task.span.start,
                task.span.end,
            )
            assert task.title and task.title in task.text
            for unit in (*task.lead, *task.supporting, *task.unassigned_units):
                assert unit.span is not None
                assert task.span.start <= unit.span.start < unit.span.end <= task.span.end
                assert "".join(doc.text[unit.span.start : unit.span.end].split()) == unit.name
            for deadline in task.deadlines:
                assert deadline.span is not None
                assert doc.text[deadline.span.start : deadline.span.end] == deadline.text


def test_stable_between_runs(corpus_documents, tasks) -> None:
    again = extract_tasks(corpus_documents[TONGZHI])
    assert [t.model_dump() for t in again] == [t.model_dump() for t in tasks[TONGZHI]]


def _golden_view(task: Task) -> dict:
    return {
        "task_id": task.task_id,
        "number": task.number,
        "title": task.title,
        "lead": [u.canonical for u in task.lead],
        "supporting": [u.canonical for u in task.supporting],
        "unassigned": [u.canonical for u in task.unassigned_units],
        "flags": sorted({str(f) for u in (*task.lead, *task.supporting) for f in u.flags}),
        "role_rule": task.role_rule,
        "deadlines": [d.text for d in task.deadlines],
    }


def test_golden(corpus_documents, tasks, golden_dir: Path, update_golden: bool) -> None:
    for doc_id, doc_tasks in tasks.items():
        path = golden_dir / f"{doc_id}.tasks.json"
        view = [_golden_view(t) for t in doc_tasks]
        if update_golden:
            path.write_text(json.dumps(view, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            continue
        assert path.exists(), f"{path} missing: run pytest --update-golden and review the diff"
        assert view == json.loads(path.read_text(encoding="utf-8")), doc_id


# --------------------------------------------------------------------------------------------
# Small documents in the formats of other cities (parsed by the real pipeline)

OTHER_CITY = """关于印发《某市优化营商环境行动方案》的通知

一、总体要求
以习近平新时代中国特色社会主义思想为指导，坚持问题导向。
二、重点任务
（一）提升政务服务效能。
1.推进“一网通办”。2024年底前实现高频事项全程网办。（牵头单位：市政务服务管理局；配合单位：市大数据局、各区县政府）
2.压减审批时限。全面推行承诺制审批。（市住房城乡建设局牵头，市自然资源和规划局、市生态环境局配合）
（二）加强要素保障。
3.降低用地成本。探索工业用地弹性年期出让。
4.强化金融服务。（市地方金融监管局负责）
三、保障措施
（一）加强组织领导。各地各部门要高度重视。
"""


@pytest.fixture(scope="module")
def other_city(tmp_path_factory) -> Document:
    from pipeline.run import parse_file

    path = tmp_path_factory.mktemp("docs") / "other.txt"
    path.write_text(OTHER_CITY, encoding="utf-8")
    meta = DocumentMeta(doc_id="other-city", title="某市优化营商环境行动方案")
    return parse_file(path, meta=meta)


def test_other_city_formats(other_city: Document) -> None:
    got = {t.task_id.split(":", 1)[1]: t for t in extract_tasks(other_city)}
    assert list(got) == ["二.（一）.1", "二.（一）.2", "二.（二）.3", "二.（二）.4"]
    assert _leads(got["二.（一）.1"]) == ["市政务服务管理局"]
    assert [u.canonical for u in got["二.（一）.1"].supporting] == ["市大数据管理局", "各区县人民政府"]
    assert _leads(got["二.（一）.2"]) == ["市住房和城乡建设局"]
    assert not got["二.（二）.3"].assigned  # kept: the secretariat must find an owner for it
    # （A负责） states no role: the unit is responsible, never a guessed lead
    assert not got["二.（二）.4"].lead
    assert [u.canonical for u in got["二.（二）.4"].unassigned_units] == ["市地方金融监督管理局"]
    assert [d.text for d in got["二.（一）.1"].deadlines][:1] == ["2024年底前"]


# --------------------------------------------------------------------------------------------
# Which items are measures, and their ids, in the conventions of documents from elsewhere
# (each case shaped on a real document of ../shared/realdocs/).


def _measures(text: str, tmp_path: Path, title: str = "某省行动计划") -> list:
    """The measures of ``text`` read as a user's .txt file titled ``title``."""
    from pipeline.run import parse_file

    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return extract_tasks(parse_file(path, meta=DocumentMeta(doc_id="d", title=title)))


def _measure_ids(text: str, tmp_path: Path, title: str = "某省行动计划") -> list[str]:
    return [t.task_id.split(":", 1)[1] for t in _measures(text, tmp_path, title)]


MEASURE_IDS = [
    (  # 安徽 2021: items numbered with U+FE52 SMALL FULL STOP, continuous across the 行动
        "二、行动步骤\n（一）网络体系强基行动。\n1﹒推进外网建设。支持企业。（责任单位：省通信管理局）\n"
        "2﹒推进内网改造。支持企业。（责任单位：省经济和信息化厅）\n（二）基础支撑增强行动。\n"
        "3﹒加快标识解析体系建设。引导企业。（责任单位：省经济和信息化厅）\n",
        ["二.（一）.1", "二.（一）.2", "二.（二）.3"],
    ),
    (  # 济南 2019: full-width numbers, a space before the bracket, the next item glued after it
        "一、培育壮大市场主体\n１．支持骨干企业。给予奖励。 （责任单位：市财政局）\n"
        "２．支持中小企业。给予奖励。（责任单位：市统计局）３．引进领军企业。给予奖励。（责任单位：市投资促进局）\n"
        "二、支持集聚发展\n４．支持集聚区建设。给予奖励。（责任单位：市发改委）\n",
        ["一.1", "一.2", "一.3", "二.4"],
    ),
    (  # 济南 2024: “…" quotes (the web page closes “ with an ASCII quote) must not swallow items
        "二、重点任务\n（一）实施产业基础夯实行动。\n1.提升算力。融入“东数西算\"工程。（责任单位：市工业和信息化局）\n"
        "2.提升数据供给。推进“数据要素×\"行动。（责任单位：市大数据局）\n",
        ["二.（一）.1", "二.（一）.2"],
    ),
    (  # 国办 2018 通报: the 附件 lists past achievements of named places: no measures
        "各省、自治区、直辖市人民政府：\n为表扬先进，对北京市等130项典型经验做法予以通报表扬。\n"
        "附件：典型经验做法\n国务院办公厅\n附件\n典型经验做法\n（共3项）\n1.北京市推进工作许可制度改革。\n"
        "2.天津市推进棚户区改造。\n3.河北省深化公立医院综合改革。\n",
        [],
    ),
    (  # 青岛 2023 实施细则: articles that own a statement are measures; their 申报条件 lists are not
        "第一章 总则\n第一条 为加快园区建设，制定本细则。\n第二章 申报事项\n"
        "第六条 在园区内新设立的企业，给予房租补贴。（责任单位：崂山区政府）\n（一）申报条件\n"
        "1.申报主体在园区注册。\n2.申报主体已签订招商协议。\n"
        "第七条 新入驻园区的企业，给予房租补贴。（责任单位：崂山区政府）\n第三章 附则\n第八条 本细则自印发之日起施行。\n",
        ["第二章.第六条", "第二章.第七条"],
    ),
    (  # 阿坝州 2021 管理办法 (a regulation copied from a web page): a chapter and its first article,
       # or two articles, on one line; every article is a measure except those framing the text
        "第一章\u3000总则\u3000\u3000第一条\u2002\u3000为规范数据管理，根据有关规定，制定本办法。\n"
        "第二条\u3000本州行政区域内数据的采集及其管理活动，适用本办法。\n"
        "第三条\u3000本办法所称政务数据，是指各级行政机关制作的数据。\n"
        "第四条\u3000数据管理应当遵循统一标准、依法管理的原则。\n"
        "第五条\u3000州人民政府加强对数据管理工作的组织领导。\n"
        "第二章\u3000规划建设\u3000\u3000第六条\u2002\u3000州数据资源主管部门应当编制数据发展规划，明确发展目标。\n"
        "第七条\u3000政务部门应当在十五个工作日内处理申请。 \u3000\u3000第八条\u3000州数据资源主管部门负责平台建设。\n"
        "第三章\u3000附则\u3000\u3000第九条\u3000数据资源主管部门应当对本级政务部门进行考核评估。\n"
        "第十条\u3000本办法由州人民政府办公室负责解释。\n第十一条\u3000本办法自颁布之日起施行，有效期2年。\n",
        ["第一章.第五条", "第二章.第六条", "第二章.第七条", "第二章.第八条", "第三章.第九条"],
    ),
    (  # 北京 2022 实施方案: duties in the prose of some items only; the items that name nobody,
       # under headings that say nothing of their kind, are measures all the same
        "一、总体要求\n坚持安全发展。\n二、推动专区建设\n（一）落实主体责任。北京市经济和信息化局负责统筹推进。\n"
        "（二）探索运营机制。建立长效运营机制。\n三、强化安全管理\n（一）健全防护体系。加强安全防护。\n",
        ["二.（一）", "二.（二）", "三.（一）"],
    ),
    (  # 国发 2017 规划: units named only in 组织实施 do not make 保障措施 items general requirements
        "一、重点任务\n（一）构建创新体系。加强基础研究。\n（二）培育智能经济。发展新兴产业。\n"
        "二、保障措施\n（一）完善政策。研究出台支持政策。\n"
        "三、组织实施\n（一）组织领导。科技部牵头，会同有关部门推进实施。\n（二）保障落实。国家发展改革委负责统筹协调。\n",
        ["一.（一）", "一.（二）", "二.（一）", "三.（一）", "三.（二）"],
    ),
    (  # 山东 2016 通知: a closing 组织实施 that is one paragraph, with no items, is a measure
        "一、总体要求\n（一）指导思想。坚持创新驱动。\n二、重点内容\n（一）开展试点。选择一批企业开展试点。\n"
        "（二）推广应用。总结推广经验。\n三、组织实施\n各市于每年10月底前报送试点项目。\n",
        ["二.（一）", "二.（二）", "三"],
    ),
    (  # numbers glued to their titles, or set off by a private-use glyph of a WPS/方正 font
        "二、重点任务\n1\ue010加快数字基础设施建设。推进建设。（责任单位：市大数据局）\n"
        "2加快企业上云。推进上云。（责任单位：市工业和信息化局）\n",
        ["二.1", "二.2"],
    ),
    (  # 若干措施 grouped under action headings, one of which happens to hold a task word (保障):
       # the other group's items are measures too
        "一、支持企业创新\n1.对新认定的国家级企业技术中心给予奖励。\n2.支持企业建设中试平台。\n"
        "二、强化要素保障\n3.优先保障重点项目用地需求。\n4.引导银行机构加大贷款投放。\n",
        ["一.1", "一.2", "二.3", "二.4"],
    ),
    (  # the same with （一） items and a 行动 heading beside a descriptive one
        "一、大力发展数字经济\n（一）建设数据中心。推进建设。\n（二）培育平台企业。给予支持。\n"
        "二、实施园区提升行动\n（三）完善园区设施。推进改造。\n",
        ["一.（一）", "一.（二）", "二.（三）"],
    ),
    (  # ... but a heading naming a subject, not an action, still holds no measures beside a task section
        "一、园区产业体系\n（一）钒钛产业。现有企业20家。\n二、重点任务\n（一）建设数据中心。推进建设。\n",
        ["二.（一）"],
    ),
    (  # a short 若干措施 written as a few articles, with no other numbering
        "第一条 对新认定的国家级专精特新企业给予一次性奖励。\n第二条 优先保障重点项目用地需求。\n"
        "第三条 本措施自印发之日起施行。\n",
        ["第一条", "第二条"],
    ),
    (  # a notice that issues its 附件: the attached 工作要点 holds the measures
        "各市大数据局：\n现将《2023年全省数字经济工作要点》印发给你们，请认真抓好落实。\n某省大数据局\n附件\n"
        "2023年全省数字经济工作要点\n一、夯实数字基础设施\n1.加快5G网络建设。\n2.推进算力中心建设。\n",
        ["附件.一.1", "附件.一.2"],
    ),
    (  # ... also when the attachment has no title of its own
        "各市大数据局：\n现将有关工作安排印发给你们，请认真抓好落实。\n某省大数据局\n附件\n"
        "一、夯实数字基础设施\n1.加快5G网络建设。\n2.推进算力中心建设。\n",
        ["附件.一.1", "附件.一.2"],
    ),
    (  # items set off by bullets, as WPS or a web page lays them out
        "一、总体要求\n坚持创新驱动。\n二、重点任务\n●加快5G网络建设。新建基站。\n●推进算力中心建设。\n■培育软件产业。\n",
        ["二.—1", "二.—2", "二.—3"],
    ),
    (  # （一）…（三） written as one glyph each
        "一、重点任务\n㈠加快5G网络建设。新建基站。\n㈡推进算力中心建设。\n㈢培育软件产业。\n",
        ["一.（一）", "一.（二）", "一.（三）"],
    ),
    (  # numbers typed with spaces inside are the same item numbers
        "　　（ 一 ）实施企业培育工程。每年培育企业。\n　　（ 二 ）实施技改提升工程。推动设备更新。\n",
        ["（一）", "（二）"],
    ),
    (  # a notice whose items are ordinals (第一，…第二，…); 第一批 in its prose is no item
        "各市大数据局：\n为做好2023年数字经济工作，现就有关事项通知如下：\n"
        "第一，加快数字基础设施建设。推进第一批试点。\n第二，推动数字产业发展。培育软件企业。\n"
        "第三，强化数据要素保障。建设数据交易场所。\n特此通知。\n",
        ["第一", "第二", "第三"],
    ),
    (  # headings that name a subject (二、数字基础设施) beside a task heading (四、重大工程): their
       # items that act (（一）5G网络。新建5G基站…) are measures too
        "一、总体要求\n坚持创新驱动。\n二、数字基础设施\n（一）5G网络。新建5G基站4万个。\n"
        "（二）算力设施。建设一体化算力网络。\n三、重大工程\n（三）数字经济示范工程。实施100个示范项目。\n",
        ["二.（一）", "二.（二）", "三.（三）"],
    ),
    (  # a notice that issues its 附件 and adds requirements of its own: those ask for the attachment
       # to be carried out (市发展改革委要加强统筹 is no measure); the attachment's items are
        "各区县人民政府：\n现将《某市数字经济发展三年行动方案》印发给你们，并提出以下要求。\n"
        "一、提高思想认识。各地各部门要充分认识重要意义。\n二、加强统筹协调。市发展改革委要加强统筹。\n"
        "某市人民政府办公室\n附件\n某市数字经济发展三年行动方案\n一、重点任务\n"
        "（一）加快5G建设。新建5G基站。（市通信发展办牵头，市财政局配合）\n（二）培育软件产业。（市经信局负责）\n",
        ["附件.一.（一）", "附件.一.（二）"],
    ),
    (  # decimal outline numbering: the number holds its ancestors' numbers
        "1 总体要求\n1.1 指导思想\n坚持创新驱动。\n2 重点任务\n2.1 建设一体化平台\n"
        "2.1.1 完善政务云。扩容省级政务云。（省大数据局负责）\n2.1.2 建设数据中台。（省大数据局负责）\n"
        "2.2 提升服务能力\n2.2.1 推进一网通办。（省政务服务管理局负责）\n",
        ["2.1.1", "2.1.2", "2.2.1"],
    ),
    (  # a 专栏 lists its own 1.…3. inside the outer list: the outer 2. continues the outer list, and
       # the box's items stay the box's (国发〔2017〕35号)
        "三、重点任务\n（一）构建科技创新体系。\n1.建立基础理论体系。聚焦前沿问题。\n专栏1　基础理论\n"
        "1.大数据智能理论。研究数据驱动。\n2.跨媒体感知计算理论。研究感知。\n3.混合增强智能理论。研究协同。\n"
        "2.建立关键共性技术体系。突破关键技术。\n3.统筹布局创新平台。建设平台。\n",
        ["三.（一）.1", "三.（一）.1.专栏1.1", "三.（一）.1.专栏1.2", "三.（一）.1.专栏1.3", "三.（一）.2", "三.（一）.3"],
    ),
    (  # a web page that holds the whole document twice: each measure once
        "一、重点任务\n（一）加强组织管理。建立工作机制。\n（二）完善配套政策。出台支持政策。\n"
        "一、重点任务\n（一）加强组织管理。建立工作机制。\n（二）完善配套政策。出台支持政策。\n",
        ["一.（一）", "一.（二）"],
    ),
    (  # an item that opens with a year (3.2022年以来…) is an item, not the decimal 3.2022 glued to
       # the item before
        "一、政策措施\n1.支持技术改造。给予奖补。（责任单位：市工信局）\n"
        "2.2022年以来累计减税50亿元，继续落实减税政策。（责任单位：市财政局）\n"
        "3．2024年底前完成园区整合。（责任单位：市商务局）\n",
        ["一.1", "一.2", "一.3"],
    ),
    (  # the last item says when the measures take effect: it frames them and is none of them
        "一、政策措施\n1.支持技术改造。（责任单位：市工信局）\n2.支持企业上市。（责任单位：市金融局）\n"
        "3.本措施自2024年3月1日起施行，有效期3年，由市发展改革委负责解释。\n",
        ["一.1", "一.2"],
    ),
    (  # the first bracket also charges every later measure: it still names its own units
        "二、完善网络\n（一）优化布局。支持改造。（商务部、国家发展改革委等按职责分工负责，以下均需各地区落实，不再列出）\n"
        "（二）增强辐射。推动改造。（商务部牵头，农业农村部配合）\n",
        ["二.（一）", "二.（二）"],
    ),
    (  # a 考核办法: the principles article frames it, an article that lists its items is none, a
       # duty stated with a list of conditions under it is one
        "第一条 为规范考核，制定本办法。\n第二条 考核坚持目标导向、问题导向、结果导向，坚持定量与定性相结合。\n"
        "第三条 考核内容包括以下两个方面。\n（一）市场准入。企业开办时间1个工作日以内。（牵头考核单位：省市场监管局）\n"
        "（二）政务服务。网上可办率98%以上。（牵头考核单位：省政务服务中心）\n"
        "第四条 各市州每季度末前5个工作日内向省发展改革委报送工作进展。\n"
        "第五条 政务部门应当对数据目录进行动态管理。有下列情形之一的，应当及时更新：\n（一）职能发生变化的；\n（二）系统更新完成的。\n"
        "第六条 本办法自印发之日起施行。\n",
        ["第三条.（一）", "第三条.（二）", "第四条", "第五条"],
    ),
    (  # a short 若干措施 of articles: its purpose article frames it
        "第一条 为加快建设先进制造业强省，制定本措施。\n第二条 支持企业技术改造。（责任单位：省工业和信息化厅）\n"
        "第三条 培育专精特新企业。由省工业和信息化厅牵头，省科技厅配合。\n",
        ["第二条", "第三条"],
    ),
]


@pytest.mark.parametrize("text,expected", MEASURE_IDS)
def test_measures_and_their_ids(text: str, expected: list[str], tmp_path: Path) -> None:
    assert _measure_ids(text, tmp_path) == expected


def test_a_regulations_articles_name_their_subject_and_time_limit(tmp_path: Path) -> None:
    text = next(t for t, _ in MEASURE_IDS if "阿坝州" in t or "州数据资源主管部门应当编制" in t)
    tasks = {t.task_id.split(":", 1)[1]: t for t in _parsed(tmp_path, text)}
    assert [u.name for u in tasks["第二章.第六条"].unassigned_units] == ["州数据资源主管部门"]
    assert not tasks["第二章.第六条"].lead  # a duty in a sentence states no lead
    assert [d.text for d in tasks["第二章.第七条"].deadlines] == ["在十五个工作日内"]


def _parsed(tmp_path, text: str):
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return extract_document(parse_file(path)).tasks


def test_items_scored_and_bracketed_in_a_row_each_stay_a_measure(tmp_path) -> None:
    # 考评办法: "（二）…。（1分）（9月份取得明显成效，牵头考核单位：X）" then the next item
    tasks = _parsed(tmp_path, "关于印发考评办法的通知\n一、考评内容\n"
                    "（一）优化要素保障。（1分）（9月份取得明显成效，牵头考核单位：市自然资源和规划局）\n"
                    "（二）强化法治保障。（持续推进，牵头单位：市司法局，配合单位：市公安局）\n")
    got = {t.task_id.split(":", 1)[1]: ([u.name for u in t.lead], [u.name for u in t.supporting]) for t in tasks}
    assert got == {"一.（一）": (["市自然资源和规划局"], []), "一.（二）": (["市司法局"], ["市公安局"])}


def test_a_unit_named_twice_in_a_measure_keeps_its_strongest_role(tmp_path) -> None:
    tasks = _parsed(tmp_path, "某某行动方案\n一、重点任务\n（一）发展智慧农业。建设数字农场（省农业农村厅、省畜牧局按职责分工负责）；"
                    "推进农业大数据应用（省农业农村厅牵头）。\n")
    (task,) = tasks
    assert [u.name for u in task.lead] == ["省农业农村厅"]
    assert [u.name for u in task.unassigned_units] == ["省畜牧局"]


@pytest.mark.parametrize(("header", "lead", "supporting", "unassigned"), [
    ("<td>牵头单位</td><td>责任单位</td>", ["市大数据局"], ["市财政局"], []),  # 责任单位 beside 牵头单位 supports
    ("<td>牵头单位</td><td>配合单位</td>", ["市大数据局"], ["市财政局"], []),
    ("<td>责任单位</td><td>备注</td>", [], [], ["市大数据局"]),  # no 牵头 column: no guessed lead
])
def test_table_rows_take_their_roles_from_the_header(tmp_path, header, lead, supporting, unassigned) -> None:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "table.html"
    path.write_text(
        "<html><body><p>某市重点任务分工方案</p><table>"
        f"<tr><td>序号</td><td>工作任务</td>{header}<td>完成时限</td></tr>"
        "<tr><td>1</td><td>建设数字政府平台，推进政务数据共享。</td><td>市大数据局</td><td>市财政局</td>"
        "<td>2024年底前</td></tr></table></body></html>", encoding="utf-8")
    (task,) = extract_document(parse_file(path)).tasks
    assert [u.name for u in task.lead] == lead and [u.name for u in task.supporting] == supporting
    assert [u.name for u in task.unassigned_units] == unassigned
    assert [d.text for d in task.deadlines] == ["2024年底前"]


@pytest.mark.parametrize(("name", "text"), [
    ("table.md", "某市重点任务分工方案\n\n| 序号 | 工作任务 | 牵头单位 | 责任单位 | 完成时限 |\n|---|---|---|---|---|\n"
                 "| 1 | 建设数字政府平台，推进政务数据共享。 | 市大数据局 | 市财政局 | 2024年底前 |\n"),
    ("table.txt", "某市重点任务分工方案\n序号\t工作任务\t牵头单位\t责任单位\t完成时限\n"
                  "1\t建设数字政府平台，推进政务数据共享。\t市大数据局\t市财政局\t2024年底前\n"),
])
def test_a_table_flattened_to_text_is_a_分工_table(tmp_path, name: str, text: str) -> None:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (task,) = extract_document(parse_file(path)).tasks
    assert ([u.name for u in task.lead], [u.name for u in task.supporting]) == (["市大数据局"], ["市财政局"])
    assert [d.text for d in task.deadlines] == ["2024年底前"] and task.text.startswith("建设数字政府平台")


def test_items_grouped_under_descriptive_headings_are_measures_beside_a_guarantee_section(tmp_path) -> None:
    # 若干措施: groups titled by their content, a 保障 section whose one sentence names a body
    text = ("某省支持数字经济发展的若干措施\n为贯彻落实决策部署，制定以下措施。\n一、夯实数字基础设施\n"
            "（一）加快5G网络建设。2023年底前，实现乡镇以上5G网络全覆盖。\n"
            "（二）推进算力设施建设。2025年底前，全省算力规模达到10EFLOPS。\n二、激活数据要素价值\n"
            "（三）推进公共数据开放。2023年底前，开放公共数据集1万个。\n三、强化组织保障\n"
            "（四）加强组织领导。各级大数据部门要加强统筹。\n")
    ids = [t.task_id.split(":", 1)[1] for t in _parsed(tmp_path, text)]
    assert ids == ["一.（一）", "一.（二）", "二.（三）", "三.（四）"]


def test_units_charged_once_for_every_later_measure(tmp_path) -> None:
    # 以下均由…落实，不再列出: every later measure gets them; supporting beside a lead, else 责任单位
    tasks = _parsed(tmp_path, "某县重点任务分工方案\n以下均由各乡（镇）人民政府落实，不再列出。\n一、重点任务\n"
                    "（一）推进农村人居环境整治。（县农业农村局牵头，县住房城乡建设局配合）\n"
                    "（二）加强农田水利建设。（责任单位：县水利局）\n")
    first, second = tasks
    assert [u.name for u in first.supporting] == ["县住房城乡建设局", "各乡（镇）人民政府"]
    assert [u.name for u in second.unassigned_units] == ["县水利局", "各乡（镇）人民政府"]
    assert not second.lead  # never promoted to lead


def test_units_charged_once_for_every_earlier_measure(tmp_path) -> None:
    # 以上任务均需…落实，不再单独列出 closes the list: every measure before it gets them
    tasks = _parsed(tmp_path, "某省实施意见\n一、重点任务\n"
                    "（一）推进数字化转型。（省工业和信息化厅牵头，省财政厅配合）\n"
                    "（二）建设工业互联网。（省通信管理局负责）\n"
                    "以上任务均需各设区市人民政府、赣江新区管委会落实，不再单独列出。\n"
                    "二、保障措施\n（三）加强组织领导。（省工业和信息化厅负责）\n")
    first, second, third = tasks
    assert [u.name for u in first.supporting] == ["省财政厅", "各设区市人民政府", "赣江新区管委会"]
    assert [u.name for u in second.unassigned_units] == ["省通信管理局", "各设区市人民政府", "赣江新区管委会"]
    assert [u.name for u in third.unassigned_units] == ["省工业和信息化厅"]  # after the note


def test_a_build_stores_measures_with_implied_units(tmp_path) -> None:
    from extractors.registry.build import build_registry
    from extractors.registry.store import Registry
    from pipeline.settings import Settings

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.txt").write_text("某县重点任务分工方案\n以下均由各乡（镇）人民政府落实，不再列出。\n一、重点任务\n"
                                     "（一）加强农田水利建设。（责任单位：县水利局）\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    report = build_registry([folder], settings, progress=False)
    assert not report.failed
    with Registry.open(settings) as registry:
        (task,) = registry.tasks()
        assert [u.name for u in task.unassigned_units] == ["县水利局", "各乡（镇）人民政府"]


@pytest.mark.parametrize(("sentence", "lead", "supporting"), [
    ("省人力资源社会保障厅牵头，省教育厅按职责分工负责。", ["省人力资源社会保障厅"], ["省教育厅"]),
    ("市商务局牵头，市财政局、市税务局配合。", ["市商务局"], ["市财政局", "市税务局"]),
    ("市商务局牵头，加强统筹调度。", ["市商务局"], []),  # no supporting duty after the comma
])
def test_a_lead_sentence_names_its_supporters_after_the_comma(tmp_path, sentence, lead, supporting) -> None:
    tasks = _parsed(tmp_path, f"某市实施方案\n一、重点任务\n（一）加强人才保障。{sentence}\n")
    (task,) = tasks
    assert [u.name for u in task.lead] == lead and [u.name for u in task.supporting] == supporting


def test_a_place_named_in_a_list_of_bodies_is_its_government(tmp_path: Path) -> None:
    # 青岛 2020: （装备信息中心、基教处、思政处、西海岸新区）: 西海岸新区 and 崂山区 are bodies here
    tasks = _parsed(tmp_path, "三、主要任务\n1.建设品牌。打造品牌。（装备信息中心、崂山区、西海岸新区）\n"
                              "2.建设平台。筹办研讨会。（装备信息中心、教科院）\n")
    assert [u.name for u in tasks[0].unassigned_units] == ["装备信息中心", "崂山区", "西海岸新区"]


def test_bodies_a_regulation_charges_in_its_articles(tmp_path: Path) -> None:
    # legal drafting names bodies by kind: 县级以上人民政府, 公安机关, 税务机关
    tasks = {t.task_id.split(":", 1)[1]: t for t in _parsed(tmp_path, (
        "第一条 为规范公共数据管理，制定本办法。\n第二条 本办法适用于本省行政区域。\n"
        "第三条 县级以上人民政府应当加强对公共数据工作的领导。\n"
        "第四条 省公共数据主管部门负责统筹全省公共数据管理工作。\n第五条 公共数据按照下列规定采集：\n"
        "（一）户籍登记数据，由公安机关负责；\n（二）婚姻登记数据，由民政部门负责。\n"
        "第六条 公安机关、税务机关应当按照职责做好数据共享。\n"))}
    def names(key: str) -> list[str]:
        return [u.name for u in tasks[key].unassigned_units]
    assert names("第三条") == ["县级以上人民政府"]
    assert names("第五条.（一）") == ["公安机关"]
    assert names("第六条") == ["公安机关", "税务机关"]
    assert "第一条" not in tasks and "第二条" not in tasks


def _deadlines_by_measure(text: str, tmp_path: Path) -> dict[str, list[str]]:
    from pipeline.run import parse_file

    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path, meta=DocumentMeta(doc_id="d", title="某市行动方案"))
    return {t.task_id.split(":", 1)[1]: [d.text for d in t.deadlines] for t in extract_tasks(doc)}


SCHEDULED_GROUP = (
    "一、主要任务\n（一）数据基础工程\n"
    "1.建设数据中心。扩容市级数据中心机房。（市大数据局）\n"
    "2.完善共享平台。升级政务数据共享交换平台。（市大数据局）\n"
    "3.培育数据人才。开展数据分析师培训。（市人社局）\n"
    "2024年，完成数据中心机房扩容；2025年，共享交换平台升级上线，数据分析师培训覆盖各部门。\n"
)


def test_a_groups_yearly_schedule_goes_to_the_measures_it_restates(tmp_path: Path) -> None:
    got = _deadlines_by_measure(SCHEDULED_GROUP, tmp_path)
    assert got == {"一.（一）.1": ["2024年"], "一.（一）.2": ["2025年"], "一.（一）.3": ["2025年"]}


def test_one_dated_sentence_is_no_schedule(tmp_path: Path) -> None:
    text = SCHEDULED_GROUP.replace("；2025年，共享交换平台升级上线，数据分析师培训覆盖各部门", "")
    got = _deadlines_by_measure(text, tmp_path)
    assert got == {"一.（一）.1": [], "一.（一）.2": [], "一.（一）.3": []}


def test_a_schedule_phrase_that_matches_no_measure_goes_nowhere(tmp_path: Path) -> None:
    text = SCHEDULED_GROUP.replace("数据分析师培训覆盖各部门", "召开现场推进会议")
    got = _deadlines_by_measure(text, tmp_path)
    assert got == {"一.（一）.1": ["2024年"], "一.（一）.2": ["2025年"], "一.（一）.3": []}


def test_a_numbered_task_list_flattened_one_cell_per_line_names_no_unit_but_holds_measures(tmp_path) -> None:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    text = ("2023年全省数字经济重点工作任务\n序号\n重点任务\n具体内容\n"
            "1\n加快数字基础设施建设\n新建5G基站4万个，推进千兆光网建设。\n"
            "2\n推动数字产业化\n培育软件和信息技术服务企业。\n"
            "3\n推进产业数字化\n实施制造业数字化转型行动。\n")
    path = tmp_path / "list.txt"
    path.write_text(text, encoding="utf-8")
    tasks = extract_document(parse_file(path)).tasks
    assert [t.title for t in tasks] == ["加快数字基础设施建设", "推动数字产业化", "推进产业数字化"]
    assert tasks[0].text == "加快数字基础设施建设\n新建5G基站4万个，推进千兆光网建设。"  # the 具体内容 cell too
    assert not any(t.assigned or t.unassigned_units for t in tasks)


def test_a_project_list_is_no_task_list(tmp_path) -> None:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    text = ("某市重大项目表\n序号\n项目名称\n建设内容\n总投资\n"
            "1\n数据中心项目\n建设机房2万平方米\n10亿元\n2\n智算中心项目\n建设算力平台\n5亿元\n"
            "3\n软件园项目\n建设楼宇10栋\n8亿元\n")
    path = tmp_path / "projects.txt"
    path.write_text(text, encoding="utf-8")
    assert extract_document(parse_file(path)).tasks == ()


def test_a_schedule_of_years_before_the_issue_date_is_history(tmp_path: Path) -> None:
    from pipeline.run import parse_file

    text = SCHEDULED_GROUP.replace("2024年，", "2021年，").replace("2025年，", "2022年，")
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    import datetime as dt

    doc = parse_file(path, meta=DocumentMeta(doc_id="d", title="某市行动方案", date=dt.date(2023, 3, 1)))
    assert all(not t.deadlines for t in extract_tasks(doc))


def test_units_written_before_an_items_words_are_its_units(tmp_path: Path) -> None:
    text = ("一、重点任务\n1.（市发展改革委牵头，市财政局配合）推进项目建设。加快建设。\n"
            "2.【市商务局】优化营商环境。推进改革。\n3.市科技局：实施创新驱动战略。\n")
    tasks = _measures(text, tmp_path, title="某市工作要点")
    got = [(t.title, [u.name for u in t.lead], [u.name for u in t.supporting], [u.name for u in t.unassigned_units])
           for t in tasks]
    assert got == [
        ("推进项目建设", ["市发展改革委"], ["市财政局"], []),  # the title without the bracket
        ("优化营商环境", [], [], ["市商务局"]),
        ("市科技局", [], [], ["市科技局"]),
    ]


def test_headings_over_nothing_are_no_measures_when_a_task_list_holds_them(tmp_path: Path) -> None:
    text = (
        "某区数字政府建设工作要点\n一、推进政务服务一网通办\n二、加强数据治理\n附件\n重点任务清单\n"
        "序号\n重点任务\n牵头单位\n配合单位\n完成时限\n"
        "1\n推进一网通办\n区政务服务数据管理局\n区财政局\n2024年12月底前\n"
        "2\n建设区级数据资源中心\n区政务服务数据管理局\n区发展改革局\n2024年9月底前\n"
    )
    ids = _measure_ids(text, tmp_path, title="某区数字政府建设工作要点")
    assert len(ids) == 2 and not any(i in ("一", "二") for i in ids), ids


def test_a_task_list_that_restates_the_body_gives_its_units_to_the_body_measures(tmp_path: Path) -> None:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "yaodian.md"
    path.write_text(
        "某区2024年数字政府工作要点\n\n二、重点任务\n\n1.优化政务云资源管理。推进系统迁移上云。\n\n"
        "2.建设区级政务外网“一张网”。推进外网向社区延伸，需求在5个工作日内响应。\n\n附件\n\n重点任务清单\n\n"
        "| 序号 | 任务名称 | 工作内容 | 牵头单位 | 配合单位 | 完成时限 |\n| --- | --- | --- | --- | --- | --- |\n"
        "| 1 | 优化政务云资源管理 | 完成非涉密系统迁移上云 | 区政数局 | 区财政局 | 2024年12月底前 |\n"
        "| 2 | 建设区级政务外网“一张网” | 新建外网节点20个 | 区政数局 |  | 2024年第三季度 |\n",
        encoding="utf-8")
    ex = extract_document(parse_file(path))
    assert [t.task_id.split(":", 1)[1] for t in ex.tasks] == ["二.1", "二.2"]  # one measure each, not two
    first, second = ex.tasks
    assert [u.name for u in first.lead] == ["区政数局"] and [u.name for u in first.supporting] == ["区财政局"]
    assert [d.text for d in second.deadlines] == ["2024年第三季度"]  # the list's time limit, not a window in the prose
    [target] = [t for t in ex.targets if t.value is not None]
    assert target.task_id == second.task_id  # read in the row's cells, linked to the measure it restates


def test_a_restated_measure_keeps_its_own_dates_and_one_target_per_figure(tmp_path: Path) -> None:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "fangan.md"
    path.write_text(
        "某市社区嵌入式服务设施建设实施方案\n\n二、重点任务\n\n1.开展设施摸底评估。摸清底数。\n\n"
        "2.嵌入养老服务功能。发展社区长者照护之家。"
        "到2025年，新增社区养老床位5000张。\n\n附件\n\n重点任务分工表\n\n"
        "| 序号 | 任务 | 目标 | 牵头单位 | 配合单位 | 完成时限 |\n| --- | --- | --- | --- | --- | --- |\n"
        "| 1 | 开展设施摸底评估 | 形成设施清单 | 各区政府 | 市民政局 | 2024年4月 |\n"
        "| 2 | 嵌入养老服务功能 | 新增社区养老床位5000张 | 市民政局 | 市卫生健康委 | 2025年底 |\n",
        encoding="utf-8")
    ex = extract_document(parse_file(path))
    _, task = ex.tasks
    assert [d.text for d in task.deadlines] == ["2025年底", "到2025年"]  # the list's time limit first
    [target] = [t for t in ex.targets if t.value is not None]  # the cell repeats the body: one target
    assert target.task_id == task.task_id and "到2025年" in target.text


def test_the_scoring_rules_of_an_assessment_method_are_no_measures(tmp_path: Path) -> None:
    text = ("某市数字经济发展考核办法\n第一条 为推动数字经济发展，制定本办法。\n"
            "第二条 市大数据局负责组织考核。\n"
            "第三条 加分项。有下列情形之一的，给予加分，加分总计不超过5分：\n"
            "（一）获得国家级数字经济相关试点示范的，每项加2分。\n（二）在全国性会议上作经验交流发言的，每次加1分。\n"
            "第四条 扣分项。有下列情形之一的，予以扣分：\n（一）数据资源目录编制工作未按期完成的，每项扣1分。\n"
            "第五条 各区（市、县）应于每年1月底前报送自评报告。\n")
    assert _measure_ids(text, tmp_path, title="某市数字经济发展考核办法") == ["第二条", "第五条"]


def test_a_scoring_table_names_no_measures(tmp_path: Path) -> None:
    text = ("某县营商环境考核细则\n第一条 为规范考核，制定本细则。\n第二条 县营商办负责组织考核。\n附件\n考核评分表\n"
            "考核项目\t分值\t考核内容\t评分标准\t考核责任单位\n项目服务\t30分\t重点项目帮办代办\t覆盖率100%得15分\t县发展改革局\n"
            "企业帮扶\t30分\t企业服务专员走访服务\t联系服务企业20家以上得10分\t县工业和信息化局\n")
    assert _measure_ids(text, tmp_path, title="某县营商环境考核细则") == ["第二条"]


def test_a_task_list_with_group_rows_and_two_leaders_in_one_cell(tmp_path: Path) -> None:
    """Copied one cell per line: a group row right under the header is no header cell, a row whose
    责任领导 holds two persons (one per line) keeps its time limit, and a long task cell's title
    is its first clause."""
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "qingdan.txt"
    path.write_text(
        "2024年区政府重点工作任务清单\n序号\n工作任务\n责任单位\n责任领导\n完成时限\n一、扩大有效投资（2项）\n"
        "1\n实施重大项目攻坚行动，全年计划实施区级重点项目120个以上。\n区发改局、区住建局\n沈建明（常务副区长）\n2024年12月底前\n"
        "2\n加快推进总部基地开发建设，完成首期地块出让。\n区规划资源分局\n沈建明（常务副区长）\n吴海涛（副区长）\n2024年10月底前\n"
        "二、推动产业升级（1项）\n3\n推进传统产业数字化改造，完成100家企业改造。\n区经信局\n陈立群（副区长）\n2024年11月底前\n",
        encoding="utf-8")
    tasks = extract_document(parse_file(path)).tasks
    assert [t.title for t in tasks] == ["实施重大项目攻坚行动", "加快推进总部基地开发建设", "推进传统产业数字化改造"]
    assert [[d.text for d in t.deadlines] for t in tasks] == [["2024年12月底前"], ["2024年10月底前"], ["2024年11月底前"]]
    assert [u.name for u in tasks[1].unassigned_units] == ["区规划资源分局"]  # persons are no units


def test_label_lines_after_a_groups_last_sub_item_name_the_groups_units(tmp_path: Path) -> None:
    """（四）企业梯度培育（15分）。 then 1．…2．… (scoring sub-criteria) then the 牵头/协同考核单位 lines:
    the group owns them, and its title drops the score weight."""
    from extractors.run import extract_document
    from pipeline.run import parse_file

    path = tmp_path / "kaohe.txt"
    path.write_text(
        "某市产业链建设工作考核办法\n第一条 为压实责任，制定本办法。\n第二条 考核内容包括以下两个方面：\n"
        "（一）产业链规模增长（20分）。主要考核规模以上工业增加值增速。\n牵头考核单位：市工业和信息化局\n协同考核单位：市统计局\n"
        "（二）企业梯度培育（15分）。\n1．新增规模以上工业企业（5分）。按新增数量计分。\n2．企业上市（5分）。按上市情况计分。\n"
        "牵头考核单位：市工业和信息化局、市委金融办\n协同考核单位：市市场监管局\n第三条 本办法自印发之日起施行。\n",
        encoding="utf-8")
    tasks = {t.task_id.split(":", 1)[1]: t for t in extract_document(parse_file(path)).tasks}
    group = tasks["第二条.（二）"]
    assert group.title == "企业梯度培育"
    assert [u.name for u in group.lead] == ["市工业和信息化局", "市委金融办"]
    assert [u.name for u in group.supporting] == ["市市场监管局"]
    assert tasks["第二条.（一）"].title == "产业链规模增长"


def test_an_item_glued_to_its_number_bounds_the_sentence_before_it(tmp_path: Path) -> None:
    """1.…由A牵头，B配合。 then 2加快…（责任单位：C） with its number glued to the text: C is item 2's,
    so item 1's sentence still names A as its lead."""
    tasks = _parsed(tmp_path, "某市方案\n二、重点任务\n（一）设备更新行动\n1.推动设备更新。扩大市场占有率。由市工业和信息化局牵头，"
                    "市财政局配合。\n2加快老旧设备淘汰。依法淘汰。\n责任单位：市工业和信息化局、市生态环境局\n")
    first, second = tasks
    assert [u.name for u in first.lead] == ["市工业和信息化局"] and [u.name for u in first.supporting] == ["市财政局"]
    assert [u.name for u in second.unassigned_units] == ["市工业和信息化局", "市生态环境局"]


def test_the_document_a_notice_issues_below_its_signature_holds_the_measures(tmp_path: Path) -> None:
    """A web copy sets the issued 若干政策 below the notice's signature under its own title, with
    no 附件 line; the 附件 after it is the policy's own list of fields, not its measures."""
    text = (
        "某市人民政府关于印发某市促进软件产业发展若干政策的通知\n各区人民政府，市府各委办局：\n"
        "现将《某市促进软件产业发展若干政策》印发给你们，请认真贯彻执行。\n某市人民政府\n2024年6月18日\n"
        "某市促进软件产业发展若干政策\n为加快建设软件名城，制定本政策。\n"
        "第一条　支持企业做大做强。对年度软件业务收入首次突破10亿元的企业给予奖励。\n"
        "第二条　加快人才引进。对新引进的高层次人才给予安家补贴。\n"
        "第三条　组织实施。本政策由市工业和信息化局会同市财政局负责组织实施。\n"
        "第四条　施行日期。本政策自2024年7月18日起施行，有效期至2026年12月31日。\n"
        "附件：某市软件产业重点支持领域目录\n一、基础软件\n操作系统、数据库。\n二、工业软件\n研发设计软件。\n"
    )
    ids = _measure_ids(text, tmp_path, title="某市人民政府关于印发某市促进软件产业发展若干政策的通知")
    assert ids == ["第一条", "第二条", "第三条"]
    # the same when the notice names the policy only in its own title (现印发给你们) or before
    # the words that issue it (《…》已经市政府同意，现印发给你们)
    for said in ("经市政府同意，现印发给你们，请认真贯彻执行。",
                 "《某市促进软件产业发展若干政策》已经市政府同意，现印发给你们。"):
        variant = text.replace("现将《某市促进软件产业发展若干政策》印发给你们，请认真贯彻执行。", said)
        assert _measure_ids(variant, tmp_path, title="某市人民政府关于印发某市促进软件产业发展若干政策的通知") == ids


def test_a_note_closing_a_groups_last_item_charges_the_whole_group(tmp_path: Path) -> None:
    text = (
        "一、重点任务\n（一）优化物流枢纽布局\n1.建设陆港型物流枢纽。加快核心区建设。\n"
        "2.提升港口能级。推进航道整治。\n3.完善物流节点网络。请各县（市）、区人民政府于2024年9月底前完成规划编制。\n"
        "以上工作由市发展改革委统筹推进，市自然资源和规划局、市交通运输局配合做好用地保障。\n"
        "（二）发展多式联运\n1.推进公转铁。市交通运输局牵头，市生态环境局配合。\n"
    )
    tasks = _measures(text, tmp_path, title="某市物流降本增效行动方案")
    got = {t.task_id.split(":", 1)[1]: ([u.name for u in t.lead], [u.name for u in t.supporting],
                                        [u.name for u in t.unassigned_units]) for t in tasks}
    group = (["市发展改革委"], ["市自然资源和规划局", "市交通运输局"])
    assert got["一.（一）.1"] == (*group, [])
    assert got["一.（一）.2"] == (*group, [])
    assert got["一.（一）.3"] == (*group, ["各县（市）、区人民政府"])
    assert got["一.（二）.1"] == (["市交通运输局"], ["市生态环境局"], [])  # the next group keeps its own


def test_a_note_counting_the_items_above_charges_only_those(tmp_path: Path) -> None:
    text = (
        "一、重点任务\n（一）增强创新能力\n1.招引头部企业。开展精准招商。\n2.建设创新平台。建设中试基地。\n"
        "3.开展技术攻关。组织实施攻关项目。\n以上两项工作由区科创局牵头，区经发局、区财金局配合。\n"
    )
    tasks = {t.task_id.split(":", 1)[1]: t for t in _measures(text, tmp_path, title="某区储能产业实施方案")}
    assert not tasks["一.（一）.1"].lead
    for item in ("一.（一）.2", "一.（一）.3"):
        assert [u.name for u in tasks[item].lead] == ["区科创局"]
        assert [u.name for u in tasks[item].supporting] == ["区经发局", "区财金局"]


def test_a_dated_phase_of_the_schedule_is_a_measure(tmp_path: Path) -> None:
    """实施步骤 frames no 重点任务, but a phase with its own dates is tracked like one; a stage of
    goals in a 工作阶段安排 is not."""
    text = (
        "一、重点任务\n（一）推进改造。各县（区）政府要加快改造。\n"
        "二、实施步骤\n（一）动员部署阶段（2024年3月—4月）。各地制定实施方案，于4月30日前报备案。\n"
        "（二）集中攻坚阶段（2024年5月—10月）。全面推进各项任务。\n"
        "三、工作阶段安排\n第一阶段：一年转形象。到2025年底，完成园区整合。\n"
    )
    ids = _measure_ids(text, tmp_path, title="某市2024年改造工作方案")
    assert ids == ["一.（一）", "二.（一）", "二.（二）"]
