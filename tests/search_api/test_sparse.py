"""BM25 over jieba words: segmentation with our dictionaries, the fast query tokenizer, scoring,
persistence, highlight spans, and every example in the lexicon files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from search_api.sparse.sparse_build import build_sparse_index
from search_api.sparse.sparse import (
    SparseIndex, ensure_freq_db, find_terms, query_terms, stopwords, tokenize,
)

LEXICONS = Path(__file__).resolve().parents[2] / "search_api" / "sparse" / "lexicons"


@pytest.mark.parametrize(
    ("text", "whole_word"),
    [
        ("格里坪化工园区2025年安全等级", "格里坪"),  # jieba alone: 格里/坪
        ("钒钛磁铁矿资源综合利用", "钒钛"),  # jieba alone: 钒/钛
        ("国家钒钛高新区管委会", "国家钒钛高新区管委会"),  # a unit name from the authority
        ("由市自然资源和规划局牵头", "市自然资源和规划局"),
        ("推行工业用地“标准地”出让体系", "标准地"),
        ("國家釩鈦高新區", "国家钒钛高新区"),  # Traditional is simplified first
        ("到２０２５年底", "2025"),  # full width folded
    ],
)
def test_dictionary_words_come_out_whole(text: str, whole_word: str) -> None:
    assert whole_word in tokenize(text)


@pytest.mark.parametrize(
    ("query", "dropped", "kept"),
    [
        ("土地要素保障谁牵头", "谁", "牵头"),
        ("化工园区适用哪些措施", "哪些", "化工"),
        ("Who leads land supply?", "who", "land"),
        ("企业用电便宜有什么政策", "什么", "用电"),
    ],
)
def test_question_words_are_dropped(query: str, dropped: str, kept: str) -> None:
    tokens = tokenize(query)
    assert dropped not in tokens and kept in tokens


def test_stopword_file_examples() -> None:
    data = yaml.safe_load((LEXICONS / "stopwords.yaml").read_text(encoding="utf-8"))
    for example in data["examples"]:
        tokens = tokenize(example["query"])
        assert not set(example["dropped"]) & set(tokens), example
    for word in data["counter_examples"]:
        assert word not in stopwords(), word
    assert all(isinstance(w, str) for w in stopwords())  # YAML booleans (on/no) would sneak in


@pytest.mark.parametrize("group", yaml.safe_load((LEXICONS / "places.yaml").read_text(encoding="utf-8"))["groups"],
                         ids=lambda g: g["id"])
def test_place_examples_keep_their_words(group) -> None:
    for example in group["examples"]:
        tokens = tokenize(example)
        # each listed word in the example survives whole, alone or inside a longer name
        for word in (w for w in group["words"] if w in example):
            assert any(word in token for token in tokens), (example, word, tokens)


def test_query_tokenizer_from_sqlite_matches_full_tokenizer(tmp_path: Path) -> None:
    freq_db = ensure_freq_db(tmp_path)
    assert ensure_freq_db(tmp_path) == freq_db  # built once
    queries = [
        "土地要素保障谁牵头", "退休人员养老金每月发放标准", "让企业一拿到地马上就能动工",
        "到2025年全市工业园区规上工业总产值要达到多少", "老厂房和闲置地怎么盘活",
        "格里坪特色产业园区工业产值目标", "國家釩鈦高新區管委會", "safety risk level 2025",
    ]
    for query in queries:
        assert tokenize(query, freq_db) == tokenize(query), query


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="土地要素保障钒钛格里坪园区化工企业的和在2025年，。abc ", max_size=30))
def test_sqlite_tokenizer_agrees_on_arbitrary_text(tmp_path_factory, text: str) -> None:
    freq_db = ensure_freq_db(tmp_path_factory.getbasetemp() / "freq")
    assert tokenize(text, freq_db) == tokenize(text)


def test_weighted_query_terms_keep_highest_weight() -> None:
    terms = dict(query_terms("外贸企业", [("进出口", 0.5), ("企业", 0.3)]))
    assert terms["外贸"] == 1.0 and terms["企业"] == 1.0 and terms["进出口"] == 0.5


TEXTS = [
    "新增建设用地指标实行分类保障，由国、省保障新增建设用地计划指标。",
    "提高市属国有融资担保机构担保能力，鼓励融资担保机构为制造业企业提供融资增信。",
    "确保钒钛化工园区、格里坪化工园区2025年安全等级升级为较低风险等级。",
    "推进标准化厂房、标准化仓库、办公用房等生产服务配套设施建设。",
]


def test_bm25_ranks_the_matching_text_first() -> None:
    index = build_sparse_index(TEXTS)
    for query, expected in [("建设用地指标", 0), ("融资增信", 1), ("格里坪化工园区", 2), ("标准化厂房", 3)]:
        scores = index.scores(query_terms(query))
        assert int(scores.argmax()) == expected, query
    assert not index.scores(query_terms("hydrogen energy")).any()  # English: no signal
    assert index.idf("火星") > index.idf("融资") > 0  # unknown words are the most specific


def test_bm25_save_load_round_trip(tmp_path: Path) -> None:
    index = build_sparse_index(TEXTS)
    index.save(tmp_path / "bm25")
    loaded = SparseIndex.load(tmp_path / "bm25")
    terms = query_terms("融资担保")
    assert list(loaded.scores(terms)) == pytest.approx(list(index.scores(terms)))
    empty = build_sparse_index([])
    empty.save(tmp_path / "empty")
    assert SparseIndex.load(tmp_path / "empty").scores(terms).shape == (0,)


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        ("强化土地要素保障机制", ["土地", "保障"], [(2, 4), (6, 8)]),
        ("强化土地要素保障机制", ["土地要素", "土地"], [(2, 6)]),  # overlaps merge
        ("國家釩鈦高新區", ["钒钛"], [(2, 4)]),  # found on the simplified shadow
        ("没有", ["土地"], []),
    ],
)
def test_find_terms_spans(text, terms, expected) -> None:
    spans = find_terms(text, terms)
    assert spans == expected
    for (a, b), term in zip(spans, terms):
        assert len(text[a:b]) == b - a
