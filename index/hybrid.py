"""Dense (FAISS) + BM25 retrieval fused by reciprocal rank, returning hits with citations.

BM25 matches words, so it is blind between a query and a chunk in different languages: an English
question on Chinese notes finds, lexically, only the English pages beside them, and plain fusion let
those pages outrank notes that the dense search had ranked first. For a chunk in another language
than the query, the lexical term of the fusion is therefore the chunk's dense term (the one channel
that can read across the two languages), so both channels' evidence counts for every chunk. Measured
on project-written sets, never the seed: Chinese notes of the judge topics among 150 python3-doc pages,
260 zh / en questions, hit@1 / hit@3 0.750 / 0.865 -> 0.800 / 0.908 (eval/results/eval.json).

A long answer in the notes is several chunks, and a long page among them is dozens: their chunks can
fill the first ranks and push every other item out. So at most `per_item` chunks of one item come
before the other items' chunks; the rest follow, in their order (k is always filled)."""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np
from llama_index.core.vector_stores.types import VectorStoreQuery
from llama_index.vector_stores.faiss import FaissVectorStore

from index.bm25 import BigramBM25
from index.language_axis import without_axis
from index.models import Hit
from index.store import LoadedIndex
from ingest.language import detect_language

CANDIDATES = 20


class HybridRetriever:
    def __init__(self, loaded: LoadedIndex, rrf_k: int = 60, language_axis: np.ndarray | None = None,
                 per_item: int | None = None) -> None:
        """`per_item`: chunks of one item ranked before the other items' (None: no limit).
        `language_axis`: the embedder's language direction (index/language_axis.py), projected out of
        query and chunk vectors before the dense search; None searches the stored vectors as they are."""
        self._loaded = loaded
        self._rrf_k = rrf_k
        self._per_item = per_item
        self._by_id = {chunk.id: chunk for chunk in loaded.chunks}
        self._language = {chunk.id: detect_language(chunk.text) for chunk in loaded.chunks}
        questions = {item.id: item.question for item in loaded.items}
        self._bm25 = BigramBM25([f"{questions[c.item_id]}\n{c.section}\n{c.text}" for c in loaded.chunks])
        self._embedder = loaded.vector_index._embed_model
        stored: FaissVectorStore = loaded.vector_index.vector_store
        self._node_ids = loaded.vector_index.index_struct.nodes_dict  # FAISS position -> chunk id
        self._vectors = stored.client.reconstruct_n(0, stored.client.ntotal)  # the embedder's own vectors
        self._axis = language_axis
        if language_axis is None:
            self._search = stored
        else:
            neutral = faiss.IndexFlatIP(self._vectors.shape[1])
            neutral.add(without_axis(self._vectors, language_axis))
            self._search = FaissVectorStore(faiss_index=neutral)

    def dense(self, query: str) -> list[tuple[str, float]]:
        """Chunks ranked by the (language-neutral) search, each with its plain cosine to the query."""
        vector = np.asarray(self._embedder.get_query_embedding(query), dtype=np.float32)
        probe = vector if self._axis is None else without_axis(vector, self._axis)[0]
        found = self._search.query(VectorStoreQuery(query_embedding=probe.tolist(),
                                                     similarity_top_k=min(CANDIDATES, len(self._loaded.chunks))))
        return [(self._node_ids[position], float(self._vectors[int(position)] @ vector)) for position in found.ids]

    def sparse(self, query: str) -> list[tuple[str, float]]:
        return [(self._loaded.chunks[i].id, score) for i, score in self._bm25.search(query, CANDIDATES)]

    def _fuse(self, dense: list[tuple[str, float]], sparse: list[tuple[str, float]], language: str) -> dict[str, float]:
        """Reciprocal-rank fusion; a chunk in another language than the query takes its dense term in
        place of the lexical one, which cannot see it (module docstring)."""
        dense_term = {chunk_id: 1.0 / (self._rrf_k + rank) for rank, (chunk_id, _) in enumerate(dense, start=1)}
        lexical_term = {chunk_id: 1.0 / (self._rrf_k + rank) for rank, (chunk_id, _) in enumerate(sparse, start=1)}
        if not dense_term or not lexical_term:  # one channel only ('dense' or 'bm25' mode)
            return {**dense_term, **lexical_term}
        return {chunk_id: dense_term.get(chunk_id, 0.0)
                + (lexical_term.get(chunk_id, 0.0) if self._language[chunk_id] == language else dense_term.get(chunk_id, 0.0))
                for chunk_id in dict.fromkeys([*dense_term, *lexical_term])}  # a fixed order for ties

    def _spread(self, ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The ranking with each item's chunks past its first `per_item` moved behind all the others."""
        if self._per_item is None:
            return ranked
        seen: dict[int, int] = {}
        ahead, behind = [], []
        for chunk_id, score in ranked:
            item_id = self._by_id[chunk_id].item_id
            seen[item_id] = seen.get(item_id, 0) + 1
            (ahead if seen[item_id] <= self._per_item else behind).append((chunk_id, score))
        return ahead + behind

    def retrieve(self, query: str, k: int = 4, mode: str = "hybrid") -> list[Hit]:
        """mode: 'hybrid' (default), 'dense' or 'bm25' (the latter two for evaluation)."""
        dense = self.dense(query) if mode in ("hybrid", "dense") else []
        sparse = self.sparse(query) if mode in ("hybrid", "bm25") else []
        similarity = dict(dense)
        fused = sorted(self._fuse(dense, sparse, detect_language(query)).items(), key=lambda kv: -kv[1])
        ordered = self._spread(fused)[:k]
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
