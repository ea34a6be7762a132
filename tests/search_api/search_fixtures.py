"""Hand-built documents, measures and an index for the search tests (FakeEmbedder, no model).

The texts are real sentences from the bundled corpus, cut down; the structure (sections,
clauses, tasks with lead and supporting units) is built here so the search tests do not depend
on the parser or the extractors.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pipeline.model import (
    Clause,
    Deadline,
    Document,
    DocumentMeta,
    OffsetMap,
    Section,
    Span,
    Target,
    Task,
    UnitMention,
)
from pipeline.settings import Settings
from search_api.embedding.embed import FakeEmbedder
from search_api.index.index import Collection, IndexMeta
from search_api.index.vectors import DenseIndex
from search_api.schemas import ItemCard, Passage
from search_api.sparse.sparse_build import build_sparse_index


@dataclass
class Measure:
    number: str  # "十二、"
    title: str
    body: str
    lead: tuple[str, ...] = ()
    supporting: tuple[str, ...] = ()
    deadline: dt.date | None = None
    unassigned: tuple[str, ...] = ()  # （责任单位：A、B）: named, nobody said to lead


def _clauses(text: str, start: int, end: int, section_id: str, para: int, doc_text: str) -> list[Clause]:
    out = []
    for m in re.finditer(r"[^。；]+[。；]?", doc_text[start:end]):
        a, b = start + m.start(), start + m.end()
        if doc_text[a:b].strip():
            out.append(Clause(clause_id=f"{section_id}.c{len(out)}", section_id=section_id,
                              span=Span(start=a, end=b), text=doc_text[a:b], paragraph=para,
                              line=para + 1))
    return out


def make_document(doc_id: str, title: str, status: str, preamble: str,
                  measures: list[Measure]) -> tuple[Document, list[Task]]:
    """A document: a preamble paragraph, then one numbered paragraph per measure."""
    text = preamble + "\n"
    sections = [Section(section_id="s0", kind="preamble", title="", level=0,
                        heading_span=Span(start=0, end=0), span=Span(start=0, end=len(preamble)))]
    clauses = _clauses(preamble, 0, len(preamble), "s0", 0, preamble)
    tasks = []
    for i, m in enumerate(measures, 1):
        units = "，".join(filter(None, ["、".join(m.lead), "、".join(m.supporting)]))
        para = (f"{m.number}{m.title}。{m.body}" + (f"〔责任单位：{units}〕" if units else "")
                + (f"（责任单位：{'、'.join(m.unassigned)}）" if m.unassigned else ""))
        start = len(text)
        text += para + "\n"
        end = start + len(para)
        sid = f"s{i}"
        sections.append(Section(
            section_id=sid, kind="cn_num", number=m.number, ordinal=i, title=m.title, level=1,
            parent_id=None, heading_span=Span(start=start, end=start + len(m.number) + len(m.title)),
            span=Span(start=start, end=end), run_in=True, line=i + 1,
        ))
        clauses += _clauses(text, start, end, sid, i, text)
        span = Span(start=start, end=end)

        def mention(name: str, role: str) -> UnitMention:
            at = text.find(name, start)
            return UnitMention(name=name, canonical=name, role=role,
                               span=Span(start=at, end=at + len(name)))

        deadlines = ()
        if m.deadline:
            deadlines = (Deadline(text=f"{m.deadline.year}年底", kind="by_date", date=m.deadline),)
        tasks.append(Task(
            task_id=f"{doc_id}:{m.number.strip('、')}", doc_id=doc_id, number=m.number,
            title=m.title, text=para, lead=tuple(mention(n, "lead") for n in m.lead),
            supporting=tuple(mention(n, "supporting") for n in m.supporting),
            unassigned_units=tuple(mention(n, "unassigned") for n in m.unassigned),
            deadlines=deadlines, span=span, section_path=(f"{m.number}{m.title}",),
            source=_source(doc_id, span, f"{m.number}{m.title}", i + 1),
        ))
    meta = DocumentMeta(doc_id=doc_id, title=title, status=status)
    doc = Document(doc_id=doc_id, meta=meta, source_path=f"{doc_id}.txt", source_format="txt",
                   raw_sha256="0" * 64, text=text, sections=tuple(sections), clauses=tuple(clauses),
                   offsets=OffsetMap.identity(len(text)), raw_text=text)
    return doc, tasks


def _source(doc_id: str, span: Span, label: str, line: int):
    from pipeline.model import SourceRef

    return SourceRef(doc_id=doc_id, section_path=(label,), line_start=line, line_end=line,
                     char_start=span.start, char_end=span.end)


MEASURES_16 = [
    Measure("十一、", "构建园区提质运行机制",
            "探索符合我市产业园区特点的企业要素保障机制。鼓励市属国有企业适时收储化工园区闲置土地，研究申报园区基础设施专项债项目。",
            ("市经济和信息化局", "市自然资源和规划局"), ("各县（区）",)),
    Measure("十二、", "强化土地要素保障机制",
            "新增建设用地指标实行“分类保障”，由国、省保障新增建设用地计划指标；项目所需耕地占补平衡指标县（区）不足的，由市级统筹保障。",
            ("市自然资源和规划局",), ("各县（区）", "国家钒钛高新区"), dt.date(2025, 12, 31)),
    Measure("十三、", "提高项目审批管理效率",
            "创新项目审批“手续前置+联合预审”联动协作机制，健全重点项目建设审批手续“容缺+承诺”受理机制。",
            ("市政务管理局",), ("市发展改革委", "市住房城乡建设局")),
    Measure("十五、", "构建财金赋能引导机制",
            "用好政府产业投资引导基金，提高市属国有融资担保机构担保能力，鼓励融资担保机构为制造业企业提供融资增信，引导市内金融机构开发专属信贷产品。",
            ("市财政局", "市国资委"), ("人民银行攀枝花市分行",), dt.date(2026, 6, 30)),
]
MEASURES_TONGZHI = [
    Measure("7.", "加强基础设施建设",
            "补齐化工园区监测预警等基础设施短板，确保钒钛化工园区、格里坪化工园区2025年安全等级由一般风险等级升级为较低风险等级。",
            ("国家钒钛高新区管委会",), ("市应急管理局",), dt.date(2025, 12, 31)),
    Measure("15.", "提升行政服务质效",
            "建立企业网格化服务体系，健全企业问题诉求直报办理机制，推进惠企助困政策免申即享。",
            ("市经济和信息化局",), ("市委宣传部",)),
]
PREAMBLE_TONGZHI = "到2025年底，园区进出口实绩企业达到40户以上，跨境电商实现零突破。"


def small_corpus() -> list[tuple[Document, list[Task], list[Target]]]:
    d1, t1 = make_document("doc-16tiao", "十六条措施", "征求意见稿", "为聚焦产业建圈强链，特制定如下措施。", MEASURES_16)
    d2, t2 = make_document("doc-tongzhi", "园区提质通知", "代拟稿", PREAMBLE_TONGZHI, MEASURES_TONGZHI)
    quote = "进出口实绩企业达到40户以上"
    at = d2.text.find(quote)
    target = Target(target_id="doc-tongzhi:t1", doc_id="doc-tongzhi", text=PREAMBLE_TONGZHI, quote=quote,
                    indicator="进出口实绩企业", value=Decimal(40), unit="户", comparator="ge", year=2025,
                    span=Span(start=at, end=at + len(quote)),
                    source=d2.source_ref(Span(start=at, end=at + len(quote)), "s0"))
    return [(d1, t1, []), (d2, t2, [target])]


MEASURES_FENGONG = [
    Measure("（一）", "扩大商品消费", "开展汽车、家电以旧换新活动，支持商贸企业开展促销。",
            deadline=dt.date(2025, 12, 31), unassigned=("市商务局", "市财政局")),
    Measure("（二）", "提升服务消费", "培育文旅消费新场景，发展夜间经济。",
            unassigned=("市文化广播电视和旅游局", "市商务局")),
    Measure("（三）", "优化消费环境", "开展放心消费行动，畅通消费维权渠道。",
            ("市市场监管局",), ("市商务局",)),
]


def fengong_document() -> tuple[Document, list[Task], list[Target]]:
    """A 分工方案 in the style most real ones take: （责任单位：A、B） with no rule saying who
    leads, so its units are unassigned; one measure states 牵头 and 配合."""
    doc, tasks = make_document("doc-fengong", "促进消费扩容提质重点任务分工方案", "正式",
                               "为促进消费扩容提质，制定本分工方案。", MEASURES_FENGONG)
    return doc, tasks, []


class FakeRegistry:
    """The part of ``extractors.registry.store.Registry`` that indexing reads."""

    def __init__(self, corpus, generation: str = "test-1") -> None:
        self._docs = {d.doc_id: (d, t, g) for d, t, g in corpus}
        self._generation = generation

    def generation(self) -> str:
        return self._generation

    def documents(self):
        return [d.meta for d, _, _ in self._docs.values()]

    def document_hashes(self) -> dict[str, str]:
        return {doc_id: d.raw_sha256 for doc_id, (d, _, _) in self._docs.items()}

    def document(self, doc_id):
        return self._docs[doc_id][0]

    def tasks(self, doc_id=None, unit=None, role=None):
        return list(self._docs[doc_id][1])

    def targets(self, doc_id=None):
        return list(self._docs[doc_id][2])


def fake_settings(tmp: Path) -> Settings:
    return Settings(data_dir=tmp, embedding_model="fake")


def tiny_index(generation: str, collection_names: tuple[str, ...] = ("measures", "clauses")):
    """(meta, cards, collections) of an index holding one measure, for ``write_index``."""
    card = ItemCard.model_validate({
        "item_id": "d:1", "kind": "measure", "doc_id": "d", "doc_title": "文件", "title": "措施",
        "source": {"doc_id": "d", "char_start": 0, "char_end": 2},
    })
    passage = Passage(pid=0, kind="measure", item_id="d:1", doc_id="d", text="措施", span=Span(start=0, end=2))
    fake = FakeEmbedder()
    vectors = fake.embed_passages(["措施"])
    collections = [Collection(name, [passage], DenseIndex.build(vectors, fake.dim), build_sparse_index(["措施"]))
                   for name in collection_names]
    meta = IndexMeta(generation=generation, registry_generation="r1", model_id=fake.model_id,
                     dim=fake.dim, created=0.0, counts={})
    return meta, [card], collections
