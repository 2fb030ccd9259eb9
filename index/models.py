"""What retrieval returns: a ranked hit that carries its own citation."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float  # reciprocal-rank-fusion score
    item_id: int
    section: str
    text: str
    source: str
    chunk_id: str
    dense_similarity: float  # cosine of the query and this chunk (0 when only BM25 found it)

    def to_dict(self) -> dict:
        return asdict(self)
