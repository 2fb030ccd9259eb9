"""Dense (FAISS) + BM25 retrieval fused by reciprocal rank, returning hits with citations."""

from __future__ import annotations

from dataclasses import dataclass

from index.bm25 import BigramBM25
from index.models import Hit
from index.store import LoadedIndex

CANDIDATES = 20


class HybridRetriever:
    def __init__(self, loaded: LoadedIndex, rrf_k: int = 60) -> None:
        self._loaded = loaded
        self._rrf_k = rrf_k
        self._by_id = {chunk.id: chunk for chunk in loaded.chunks}
        questions = {item.id: item.question for item in loaded.items}
        self._bm25 = BigramBM25([f"{questions[c.item_id]}\n{c.section}\n{c.text}" for c in loaded.chunks])
        self._dense = loaded.vector_index.as_retriever(similarity_top_k=min(CANDIDATES, len(loaded.chunks)))

    def dense(self, query: str) -> list[tuple[str, float]]:
        return [(n.node.node_id, float(n.score or 0.0)) for n in self._dense.retrieve(query)]

    def sparse(self, query: str) -> list[tuple[str, float]]:
        return [(self._loaded.chunks[i].id, score) for i, score in self._bm25.search(query, CANDIDATES)]

    def retrieve(self, query: str, k: int = 4, mode: str = "hybrid") -> list[Hit]:
        """mode: 'hybrid' (default), 'dense' or 'bm25' (the latter two for evaluation)."""
        dense = self.dense(query) if mode in ("hybrid", "dense") else []
        sparse = self.sparse(query) if mode in ("hybrid", "bm25") else []
        similarity = dict(dense)
        fused: dict[str, float] = {}
        for ranking in (dense, sparse):
            for rank, (chunk_id, _) in enumerate(ranking, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self._rrf_k + rank)
        ordered = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        hits = []
        for rank, (chunk_id, score) in enumerate(ordered, start=1):
            chunk = self._by_id[chunk_id]
            hits.append(Hit(rank=rank, score=round(score, 5), item_id=chunk.item_id, section=chunk.section,
                            text=chunk.text, source=chunk.source, chunk_id=chunk.id,
                            dense_similarity=round(similarity.get(chunk_id, 0.0), 4)))
        return hits


@dataclass(frozen=True)
class OpenIndex:
    """A loaded index with its retriever: what the engine works on."""

    loaded: LoadedIndex
    retriever: HybridRetriever
