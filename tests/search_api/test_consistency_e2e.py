"""End to end: the real parser and extractors on the corpus (and on made-up documents of a city no
lexicon knows), the check command, and the scorer on a tiny gold.
"""

from __future__ import annotations

import json

import pytest

from extractors.checks import check_documents, check_targets
from tests.search_api.consistency_fixtures import (
    DONGQU,
    DONGQU_PARK_900,
    DONGQU_PARK_1200,
    GELIPING_250,
    GUIHUA,
    METAS,
    REVENUE_PER_MU_4,
    REVENUE_PER_MU_75,
    SAMPLE_900_WANYUAN,
    TONGZHI,
)

# --------------------------------------------------------------------------------------------
# End to end on the corpus, with the real extractors


@pytest.fixture(scope="module")
def corpus_findings(corpus_documents):
    from extractors.measures.tasks import extract_tasks
    from extractors.targets.extract import extract_targets

    docs = list(corpus_documents.values())
    tasks = {d.doc_id: extract_tasks(d) for d in docs}
    targets = [t for d in docs for t in extract_targets(d, tasks[d.doc_id])]
    return check_documents(
        docs, [t for ts in tasks.values() for t in ts], targets
    ), corpus_documents


def test_corpus_finds_the_900_vs_1200_conflict_and_the_4_vs_3_rule(corpus_findings) -> None:
    findings, _ = corpus_findings
    conflict = [f for f in findings if f.kind == "conflict" and f.severity == "high"]
    assert any(
        "900亿元" in f.left.quote
        and "1200亿元" in f.right.quote.replace(" ", "")
        and (f.left.source.doc_id, f.right.source.doc_id) == (GUIHUA, DONGQU)
        for f in conflict
    )
    rules = [f for f in findings if f.rule == "rule.cap_conflict"]
    assert [(f.left.source.doc_id, f.right.source.doc_id) for f in rules] == [(GUIHUA, TONGZHI)]
    assert (
        "不超过 4个" in rules[0].left.quote.replace("\n", "") or "不超过4个" in rules[0].left.quote
    )


def test_corpus_quotes_are_the_document_text_at_their_spans(corpus_findings) -> None:
    findings, docs = corpus_findings
    assert findings
    for f in findings:
        for ev in (f.left, f.right):
            text = docs[ev.source.doc_id].text
            assert text[ev.source.char_start : ev.source.char_end] == ev.quote, (f.rule, ev.quote)
            assert ev.source.page >= 1 and ev.source.line_start >= 1


def test_check_command_prints_json_and_tables(tmp_path, corpus_documents, capsys) -> None:
    from extractors.measures.tasks import extract_tasks
    from extractors.registry.store import Registry
    from extractors.targets.extract import extract_targets
    from pipeline.settings import Settings
    from search_api.check_cli import run_check_command

    settings = Settings(data_dir=tmp_path)
    with Registry.open(settings) as registry:
        for doc in corpus_documents.values():
            tasks = extract_tasks(doc)
            registry.replace_document(
                doc, tasks, extract_targets(doc, tasks), fingerprint=doc.raw_sha256
            )
    findings = run_check_command(settings, as_json=True)
    printed = json.loads(capsys.readouterr().out)
    assert [p["finding_id"] for p in printed] == [f.finding_id for f in findings]
    assert {"conflict", "rule_conflict", "consistent"} <= {p["kind"] for p in printed}
    run_check_command(settings, as_json=False)
    out = capsys.readouterr().out
    assert "冲突核查" in out and "印证" in out


# A city no lexicon knows: a made-up city plan and a made-up district plan for one of its parks.
UNSEEN_CITY_PLAN = """云岭市人民政府
关于印发《云岭市“十四五”制造业高质量发展规划》的通知

云岭市人民政府
2022年3月10日

云岭市“十四五”制造业高质量发展规划

第二章 发展目标
到2025年，全市规上工业企业达到1200户，规上工业总产值突破2000亿元。甲经济开发区工业总产值达到800亿元，乙高新技术产业园区工业总产值达到500亿元。

第三章 重点任务
一、加快园区提质增效。原则上每个园区的主导产业不超过3个。
"""
UNSEEN_PARK_PLAN = """云岭市甲区人民政府办公室
关于印发《云岭甲经济开发区扩能提质三年行动方案（2023—2025年）》的通知

云岭市甲区人民政府办公室
2023年5月8日

云岭甲经济开发区扩能提质三年行动方案（2023—2025年）

一、发展目标
力争到2025年，园区工业总产值达到1000亿元，园区主导产业聚焦新材料、装备制造、电子信息、生物医药四大主导产业。
"""


def test_unseen_city_park_conflict_and_rule_end_to_end(tmp_path) -> None:
    from extractors.measures.tasks import extract_tasks
    from extractors.targets.extract import extract_targets
    from pipeline.run import parse_file

    docs, tasks, targets = [], [], []
    for name, text in (("city.txt", UNSEEN_CITY_PLAN), ("park.txt", UNSEEN_PARK_PLAN)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        doc = parse_file(path)
        doc_tasks = extract_tasks(doc)
        docs.append(doc)
        tasks += doc_tasks
        targets += extract_targets(doc, doc_tasks)
    findings = check_documents(docs, tasks, targets)
    (conflict,) = [f for f in findings if f.kind == "conflict"]
    assert "800亿元" in conflict.left.quote and "1000亿元" in conflict.right.quote
    assert conflict.newer == "right" and "甲经济开发区" in conflict.reason
    (rule,) = [f for f in findings if f.rule == "rule.count_exceeds_cap"]
    assert rule.severity == "high" and "四大主导产业" in rule.left.quote + rule.right.quote


# --------------------------------------------------------------------------------------------
# The scorer on a tiny gold


def test_scorer_smoke() -> None:
    from eval.consistency_eval import Gold, score

    findings = check_targets(
        [
            DONGQU_PARK_900,
            DONGQU_PARK_1200,
            GELIPING_250,
            SAMPLE_900_WANYUAN,
            REVENUE_PER_MU_4,
            REVENUE_PER_MU_75,
        ],
        METAS,
    )
    gold = Gold.model_validate(
        {
            "version": 1,
            "findings": [
                {
                    "id": "c",
                    "kind": "conflict",
                    "hard": True,
                    "left": {"doc": GUIHUA, "quote": "工业产值达到900亿元"},
                    "right": {"doc": DONGQU, "quote": "工业总产值达到 1200"},
                },
                {
                    "id": "missing",
                    "kind": "sum_mismatch",
                    "left": {"doc": TONGZHI, "quote": "千亿级园区2个"},
                    "right": {"doc": GUIHUA, "quote": "600亿元"},
                },
            ],
            "corroborations": [
                {
                    "id": "w",
                    "left": {"doc": GUIHUA, "quote": "900亿元"},
                    "right": {"doc": "sample-2024-city", "quote": "9000000万元"},
                }
            ],
            "not_flagged": [
                {
                    "id": "basis",
                    "left": {"doc": TONGZHI, "quote": "增长7.5%"},
                    "right": {"doc": GUIHUA, "quote": "年均增长"},
                }
            ],
        }
    )
    result = score(findings, gold)
    # 900 vs 1200 is right; the city's later 9000000万元 (superseding 1200) and the basis mismatch alarm
    assert (result.true_positives, result.flagged) == (1, 3)
    assert (
        result.misses == ["missing"]
        and result.hard_recall == 1.0
        and result.corroboration_recall == 1.0
    )
    assert any("near miss basis" in why for _, why in result.false_alarms)


def test_gold_quotes_stand_in_their_documents() -> None:
    from eval.consistency_eval import gold_problems, load_gold
    from tests.search_api.consistency_fixtures import CORPUS

    texts = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    assert gold_problems(load_gold(), texts) == []
