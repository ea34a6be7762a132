"""Typed Targets and minimal Documents for the consistency tests, built from real corpus sentences.

A target is written the way the extractor reads its sentence (indicator, value, unit, comparator,
year, the scope it writes or None); its span is where the sentence stands in the corpus file.
Where a test needs a document the corpus does not have (a restatement in 万元, a later revision),
the document is made up, its doc_id starts with "sample-" and its title with "示例".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from pathlib import Path

from pipeline.manifest import load_manifest
from pipeline.model import Document, DocumentMeta, OffsetMap, SourceRef, Span, Target

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
GUIHUA = "pzh-2022-yuanqu-guihua"
DONGQU = "dongqu-2023-chengzai-fangan"
TONGZHI = "pzh-2025-yuanqu-tizhi-tongzhi"
XIQU = "xiqu-2021-chengyu-guihua"
DISTRICT = "攀枝花市东区人民政府办公室"


@cache
def corpus_metas() -> dict[str, DocumentMeta]:
    return {
        e.doc_id: DocumentMeta(**e.model_dump(exclude={"file", "source_format"}))
        for e in load_manifest(CORPUS).documents
    }


def made_up(doc_id: str, date: str, issuer: str = "攀枝花市", status: str = "正式") -> DocumentMeta:
    return DocumentMeta(
        doc_id=doc_id,
        title=f"示例：{doc_id}",
        issuer=issuer,
        status=status,
        date=dt.date.fromisoformat(date),
    )


METAS = {
    **corpus_metas(),
    "sample-2021-city": made_up("sample-2021-city", "2021-06-01"),
    "sample-2024-city": made_up("sample-2024-city", "2024-06-01"),
    "sample-2026-city": made_up("sample-2026-city", "2026-03-01"),
    "sample-2024-district": made_up("sample-2024-district", "2024-06-01", DISTRICT),
    "sample-2026-district": made_up("sample-2026-district", "2026-06-01", DISTRICT),
}


@cache
def _raw(doc_id: str) -> str:
    path = CORPUS / f"{doc_id}.txt"
    return path.read_text(encoding="utf-8") if path.exists() else ""


_fresh = iter(range(10**6, 10**9, 1000))


def locate(doc_id: str, quote: str) -> Span:
    """Where the quote stands in the corpus file (whitespace-insensitive), else a fresh span."""
    pattern = r"\s*".join(re.escape(c) for c in re.sub(r"\s+", "", quote))
    m = re.search(pattern, _raw(doc_id))
    if m:
        return Span(start=m.start(), end=m.end())
    start = next(_fresh)
    return Span(start=start, end=start + len(quote))


def make_target(
    doc_id: str,
    quote: str,
    indicator: str,
    value: str | None,
    unit: str | None,
    comparator: str,
    year: int | None,
    *,
    scope: str | None = None,
    section_path: tuple[str, ...] = (),
    value_max: str | None = None,
    n: int = 1,
) -> Target:
    span = locate(doc_id, quote)
    source = SourceRef(
        doc_id=doc_id, section_path=section_path, char_start=span.start, char_end=span.end
    )
    return Target(
        target_id=f"{doc_id}:t{span.start}-{n}",
        doc_id=doc_id,
        text=quote,
        quote=quote,
        indicator=indicator,
        scope=scope,
        value=Decimal(value) if value is not None else None,
        value_max=Decimal(value_max) if value_max else None,
        unit=unit,
        comparator=comparator,
        year=year,
        span=span,
        source=source,
    )


def make_doc(doc_id: str, text: str, meta: DocumentMeta | None = None) -> Document:
    return Document(
        doc_id=doc_id,
        meta=meta or METAS.get(doc_id) or DocumentMeta(doc_id=doc_id, title=doc_id),
        source_path=f"{doc_id}.txt",
        source_format="txt",
        raw_sha256="0" * 64,
        text=text,
        offsets=OffsetMap.identity(len(text)),
        raw_text=text,
    )


T = make_target
GOALS = ("第二章 总体思路与发展目标", "第四节 发展目标")
# fmt: off
# Real sentences of the corpus.
DONGQU_PARK_900 = T(GUIHUA, "攀枝花东区高新技术产业园区工业产值达到900亿元", "工业产值", "900", "亿元", "eq", 2025,
                    scope="攀枝花东区高新技术产业园区")
DONGQU_PARK_1200 = T(DONGQU, "园区工业总产值达到 1200 亿元", "工业总产值", "1200", "亿元", "eq", 2025,
                     section_path=("一、总体要求", "（二）发展目标"))
MINING_900 = T(GUIHUA, "钒钛磁铁矿“采选冶”产值达到 900 亿元", "钒钛磁铁矿“采选冶”产值", "900", "亿元", "eq", 2025,
               section_path=("第三章 园区产业体系", "第一节 巩固提升传统基础产业"))
CITY_PARKS_2500 = T(GUIHUA, "全市工业园区规上工业总产值达到 2500亿元以上", "规上工业总产值", "2500", "亿元", "ge",
                    2025, scope="全市工业园区")
CITY_PARKS_VALUE_ADDED = T(GUIHUA, "1 规上工业增加值年均增长率 7.5% 预期性", "规上工业增加值年均增长率", "7.5", "%",
                           "increase_by", 2025, scope="攀枝花市工业园区")
CITY_PARKS_2020 = T(GUIHUA, "2020年实现规上工业总产值 1633亿元", "规上工业总产值", "1633", "亿元", "eq", 2020,
                    scope="全市工业园区")
REVENUE_PER_MU_4 = T(GUIHUA, "工业园区规上亩均营业收入年均增长 4%", "规上亩均营业收入", "4", "%", "increase_by", 2025,
                     scope="工业园区", section_path=GOALS)
REVENUE_PER_MU_4_TABLE = T(GUIHUA, "3 规上亩均营业收入年均增长率 4% 预期性", "规上亩均营业收入年均增长率", "4", "%",
                           "increase_by", 2025, scope="攀枝花市工业园区")
REVENUE_PER_MU_75 = T(TONGZHI, "园区亩均营业收入增长7.5%", "亩均营业收入", "7.5", "%", "increase_by", 2025,
                      scope="攀枝花市园区")
DONGQU_REVENUE_PER_MU_5 = T(DONGQU, "园区规上亩均营业收入年均增长 5%", "规上亩均营业收入", "5", "%", "increase_by",
                            2025, section_path=("（二）发展目标",))
HIGH_TECH_80 = T(TONGZHI, "高新技术企业达到80家", "高新技术企业", "80", "家", "eq", 2025, scope="攀枝花市园区")
HIGH_TECH_95 = T(TONGZHI, "高新技术企业达到95家以上", "高新技术企业", "95", "家", "ge", 2027, scope="攀枝花市园区")
DONGQU_HIGH_TECH_28 = T(DONGQU, "国家高新技术企业有效数量达 28 家", "国家高新技术企业有效数量", "28", "家", "eq", 2025)
XIQU_VALUE_ADDED = T(XIQU, "工业增加值年均增速不低于7.5%", "工业增加值年均增速", "7.5", "%", "ge", 2025,
                     scope="攀枝花市西区")
XIQU_SERVICES = T(XIQU, "服务业增加值年均增速不低于8.5%", "服务业增加值年均增速", "8.5", "%", "ge", 2025,
                  scope="攀枝花市西区")
GELIPING_250 = T(GUIHUA, "园区工业产值达到 250亿元", "工业产值", "250", "亿元", "eq", 2025,
                 scope="四川攀枝花格里坪特色产业园区", n=1)
NANSHAN_250 = T(GUIHUA, "园区工业产值达到 250亿元。", "工业产值", "250", "亿元", "eq", 2025,
                scope="攀枝花市仁和区南山循环经济发展区", n=2)
INVEST_INTENSITY = T(GUIHUA, "规上亩均投资强度年均增长 5—10%", "规上亩均投资强度", "5", "%", "increase_by", 2025,
                     value_max="10", scope="工业园区")
DONGQU_FIRMS_90 = T(DONGQU, "规上工业企业突破 90 户", "规上工业企业", "90", "户", "ge", 2025)
VANADIUM_PARK_600 = T(GUIHUA, "攀枝花钒钛高新技术产业开发区（本部）工业产值达600亿元", "工业产值", "600", "亿元", "eq",
                      2025, scope="攀枝花钒钛高新技术产业开发区（本部）")
YANBIAN_300 = T(GUIHUA, "园区工业总产值达到300亿元", "工业总产值", "300", "亿元", "eq", 2025, scope="盐边钒钛产业开发区")
MIYI_350 = T(GUIHUA, "园区工业产值达到350亿元", "工业产值", "350", "亿元", "eq", 2025, scope="四川米易白马工业园区")

# Made-up restatements (documents the corpus does not have), each modelled on a real sentence.
SAMPLE_900_WANYUAN = T("sample-2024-city", "攀枝花东区高新技术产业园区工业总产值达到9000000万元", "工业总产值",
                       "9000000", "万元", "eq", 2025, scope="攀枝花东区高新技术产业园区")
SAMPLE_1000 = T("sample-2024-city", "攀枝花东区高新技术产业园区工业产值达到1000亿元", "工业产值", "1000", "亿元", "eq",
                2025, scope="攀枝花东区高新技术产业园区")
SAMPLE_HIGH_TECH_80_2027 = T("sample-2026-city", "园区高新技术企业达到80家", "高新技术企业", "80", "家", "eq", 2027,
                             scope="全市园区")
SAMPLE_CITY_1000 = T("sample-2024-city", "全市工业园区工业总产值达到1000亿元", "工业总产值", "1000", "亿元", "eq", 2025,
                     scope="全市工业园区")
SAMPLE_CITY_1000_ABOVE_SIZE = T("sample-2024-city", "全市工业园区规上工业总产值达到1000亿元", "规上工业总产值", "1000",
                                "亿元", "eq", 2025, scope="全市工业园区")
SAMPLE_FIRMS_CAP_80 = T("sample-2021-city", "东区园区规上工业企业控制在80户以内", "规上工业企业", "80", "户", "le", 2025,
                        scope="东区园区")
SAMPLE_INTENSITY_11_15 = T("sample-2024-district", "全市工业园区规上亩均投资强度年均增长11—15%", "规上亩均投资强度",
                           "11", "%", "increase_by", 2025, value_max="15", scope="全市工业园区")
SAMPLE_FIRMS_100 = T("sample-2024-city", "东区园区规上工业企业突破100户", "规上工业企业", "100", "户", "ge", 2025,
                     scope="东区园区")
SAMPLE_PROJECT_A = T("sample-2024-city", "甲项目总投资18亿元", "总投资", "18", "亿元", "eq", None, scope="攀枝花市西区")
SAMPLE_PROJECT_B = T("sample-2024-city", "乙项目总投资1.5亿元", "总投资", "1.5", "亿元", "eq", None, scope="攀枝花市西区")
SAMPLE_PARK_A = T("sample-2024-city", "甲乙经济开发区工业总产值达到500亿元", "工业总产值", "500", "亿元", "eq", 2025,
                  scope="甲乙经济开发区")
SAMPLE_PARK_B = T("sample-2024-city", "丙丁经济开发区工业总产值达到300亿元", "工业总产值", "300", "亿元", "eq", 2025,
                  scope="丙丁经济开发区")
SAMPLE_VANADIUM_PARK_1100 = T("sample-2024-city", "攀枝花钒钛高新技术产业开发区工业总产值达到1100亿元", "工业总产值",
                              "1100", "亿元", "eq", 2025, scope="攀枝花钒钛高新技术产业开发区")
# fmt: on
