"""The bounded-memory BM25 build: the same scores as bm25s (its slow reference), spilled or
not, and the token cache that lets a rebuild skip jieba for texts it has seen."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from search_api.sparse import sparse_build
from search_api.sparse.sparse import SparseIndex, query_terms, tokenize
from search_api.sparse.sparse_build import SparseBuilder, TokenCache, build_sparse_index, tokenize_many

TEXTS = [
    "新增建设用地指标实行分类保障，由国、省保障新增建设用地计划指标。",
    "提高市属国有融资担保机构担保能力，鼓励融资担保机构为制造业企业提供融资增信。",
    "确保钒钛化工园区、格里坪化工园区2025年安全等级升级为较低风险等级。",
    "推进标准化厂房、标准化仓库、办公用房等生产服务配套设施建设。",
    "",  # no terms at all: indexed as one empty term, as bm25s does
    "。",
    "保障保障保障用地",  # repeated terms: term frequency > 1
    "國家釩鈦高新區",
]


def _columns(retriever, terms: list[str]) -> sp.csc_matrix:
    s = retriever.scores
    matrix = sp.csc_matrix((s["data"], s["indices"], s["indptr"]), shape=(s["num_docs"], len(s["indptr"]) - 1))
    return matrix[:, [retriever.vocab_dict[t] for t in terms]]


def _assert_same_as_bm25s(term_lists: list[list[str]], spill_dir: Path | None,
                          saved_to: Path | None = None) -> SparseIndex:
    """Build (in memory, or streamed to ``saved_to`` and loaded back) and compare with bm25s."""
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([t or [""] for t in term_lists], show_progress=False)
    builder = SparseBuilder(spill_dir)
    for terms in term_lists:
        builder.add(terms)
    if saved_to is None:
        built = builder.build()
    else:
        builder.save(saved_to)
        built = SparseIndex.load(saved_to)
    mine = built._retriever
    assert set(mine.vocab_dict) == set(reference.vocab_dict)
    n_columns = len(reference.scores["indptr"]) - 1
    terms = [t for t, i in reference.vocab_dict.items() if i < n_columns]
    difference = _columns(mine, terms) != _columns(reference, terms)
    assert difference.nnz == 0, "scores differ from bm25s"  # bit for bit, not approximately
    indptr, indices = mine.scores["indptr"], mine.scores["indices"]
    assert all(np.all(np.diff(indices[a:b]) > 0) for a, b in zip(indptr[:-1], indptr[1:]))  # rows sorted
    return built


@pytest.mark.parametrize(("spill", "streamed"), [(False, False), (False, True), (True, False), (True, True)])
def test_scores_equal_bm25s_bit_for_bit(spill: bool, streamed: bool, tmp_path: Path, monkeypatch) -> None:
    if spill:  # tiny bounds: many spills, scoring chunks and column ranges
        monkeypatch.setattr(sparse_build, "SPILL_ENTRIES", 7)
        monkeypatch.setattr(sparse_build, "CHUNK_ENTRIES", 5)
        monkeypatch.setattr(sparse_build, "RANGE_ENTRIES", 6)
    term_lists = [tokenize(t) for t in TEXTS * 3]
    built = _assert_same_as_bm25s(term_lists, tmp_path / "spill" if spill else None,
                                  tmp_path / "saved" if streamed else None)
    assert not list((tmp_path / "spill").glob("*")), "spill files left behind"
    built.save(tmp_path / "bm25")
    loaded = SparseIndex.load(tmp_path / "bm25")
    terms = query_terms("融资担保 用地保障")
    assert list(loaded.scores(terms)) == list(built.scores(terms))
    assert loaded.idf("融资") == built.idf("融资") > 0


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["甲", "乙", "丙", "丁", "戊", "ab", "12"]), max_size=12),
                min_size=1, max_size=25))
def test_scores_equal_bm25s_on_arbitrary_term_lists(term_lists: list[list[str]]) -> None:
    _assert_same_as_bm25s(term_lists, None)


def test_empty_builder_gives_an_empty_index(tmp_path: Path) -> None:
    index = SparseBuilder(tmp_path).build()
    assert index.size == 0 and index.scores(query_terms("土地")).shape == (0,)
    SparseBuilder(tmp_path).save(tmp_path / "empty")
    assert SparseIndex.load(tmp_path / "empty").scores(query_terms("土地")).shape == (0,)


def test_token_cache_cuts_each_text_once(tmp_path: Path) -> None:
    cache = TokenCache(tmp_path / "tokens.sqlite")
    texts = [*TEXTS, TEXTS[0], "國家釩鈦高新區".replace("國", "国")]  # a repeat; a text equal once simplified
    terms, cut = tokenize_many(texts, cache)
    assert terms == [tokenize(t) for t in texts]
    assert cut == len(set(TEXTS))  # the repeat and the simplified twin were cut once
    again, cut = tokenize_many(list(reversed(texts)), cache)
    assert again == list(reversed(terms)) and cut == 0
    cache.close()
    assert tokenize_many(texts, None) == (terms, len(set(TEXTS)))


def test_token_cache_key_changes_with_the_tokenizer(monkeypatch) -> None:
    before = TokenCache.key("土地")
    sparse_build._key_prefix.cache_clear()
    monkeypatch.setattr(sparse_build, "TERMS_VERSION", sparse_build.TERMS_VERSION + 1)
    try:
        assert TokenCache.key("土地") != before
    finally:
        sparse_build._key_prefix.cache_clear()


def test_params_file_matches_what_bm25s_writes(tmp_path: Path) -> None:
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([tokenize(t) or [""] for t in TEXTS], show_progress=False)
    reference.save(str(tmp_path / "ref"), show_progress=False)
    build_sparse_index(TEXTS).save(tmp_path / "mine")
    builder = SparseBuilder()
    for text in TEXTS:
        builder.add(tokenize(text))
    builder.save(tmp_path / "streamed")
    params = [json.loads((tmp_path / d / "params.index.json").read_text()) for d in ("ref", "mine", "streamed")]
    assert params[0] == params[1] == params[2]
