"""The language axis of a multilingual embedder, taken out before dense retrieval.

multilingual-e5 puts a query nearer any passage in the query's own language: among 150 English pages
of Python docs, English questions on Chinese notes found English pages first (dense hit@3 0.68). The
offset between a sentence in Chinese and the same sentence in English is nearly one direction; the
mean of those offsets over parallel sentences the project wrote (eval/data/judge notes, never the seed)
is that axis. Dense search runs on vectors with the axis projected out and renormalised (the
"language-neutral" projection of Libovický et al., 2020); similarities reported to the rest of the
coach stay the embedder's own cosines, so no calibrated threshold moves. Rebuild: `make language-axis`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

AXES_DIR = Path(__file__).parent / "axes"


def axis_path(embed_model: str) -> Path:
    return AXES_DIR / f"{embed_model.split('/')[-1]}.npy"


def language_axis(embed_model: str) -> np.ndarray | None:
    """The stored axis of this embedder; None (plain cosine search) for embedders without one."""
    path = axis_path(embed_model)
    return np.load(path).astype(np.float32) if path.exists() else None


def fit_language_axis(embedder: BaseEmbedding, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """Unit mean of (English - Chinese) over parallel (zh, en) sentences, embedded as passages."""
    def unit(texts: list[str]) -> np.ndarray:
        vectors = np.asarray(embedder.get_text_embedding_batch(texts), dtype=np.float64)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    offset = (unit([en for _, en in pairs]) - unit([zh for zh, _ in pairs])).mean(axis=0)
    return (offset / np.linalg.norm(offset)).astype(np.float32)


def without_axis(vectors: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """Rows with their component along `axis` removed, renormalised to unit length."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    flat = vectors - np.outer(vectors @ axis, axis)
    return flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-12)
