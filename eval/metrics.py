"""Retrieval and agreement metrics, small enough to check by hand."""

from __future__ import annotations

import numpy as np


def retrieval_metrics(ranked_ids: list[list[int]], expected: list[int]) -> dict[str, float]:
    hit1 = np.mean([ids[:1] == [want] for ids, want in zip(ranked_ids, expected)])
    hit3 = np.mean([want in ids[:3] for ids, want in zip(ranked_ids, expected)])
    mrr = np.mean([1.0 / (ids.index(want) + 1) if want in ids else 0.0 for ids, want in zip(ranked_ids, expected)])
    return {"hit_at_1": round(float(hit1), 4), "hit_at_3": round(float(hit3), 4), "mrr": round(float(mrr), 4)}


def _ranks(values: list[float]) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    for value in set(values):  # average ranks for ties
        tied = [i for i, v in enumerate(values) if v == value]
        ranks[tied] = np.mean(ranks[tied])
    return ranks


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def pairwise_accuracy(groups: dict[tuple, dict[str, float]], order: list[str]) -> float:
    """Share of (better, worse) label pairs inside each group that the scores put in the right order."""
    right = total = 0
    for scores in groups.values():
        for i, better in enumerate(order):
            for worse in order[i + 1 :]:
                if better in scores and worse in scores:
                    total += 1
                    right += scores[better] > scores[worse]
    return right / total if total else 0.0
