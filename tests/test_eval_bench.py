"""The eval and bench harnesses run end to end at small sizes (the real figures come from `coach bench`)."""

from __future__ import annotations

from eval.bench import faiss_indexes, memory_bandwidth_gbs
from eval.metrics import pairwise_accuracy, retrieval_metrics, spearman


def test_metrics_by_hand() -> None:
    assert retrieval_metrics([[1, 2, 3], [3, 2, 1]], [1, 2]) == {"hit_at_1": 0.5, "hit_at_3": 1.0, "mrr": 0.75}
    assert spearman([1, 2, 3], [10, 20, 30]) == 1.0 and spearman([1, 2, 3], [3, 2, 1]) == -1.0
    groups = {("a",): {"strong": 9, "partial": 5, "wrong": 6}}
    assert pairwise_accuracy(groups, ["strong", "partial", "wrong"]) == 2 / 3


def test_faiss_bench_small() -> None:
    result = faiss_indexes((2000,), queries=20)["2000"]
    assert result["flat"]["recall_at_10"] == 1.0
    assert 0.5 <= result["hnsw"]["recall_at_10"] <= 1.0 and result["ivf"]["recall_at_10"] > 0.3
    assert memory_bandwidth_gbs(64) > 0.5
