"""How different a set of samples is: distinct-n, self-BLEU, mean pairwise embedding similarity, length."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from sacrebleu.metrics import BLEU

from ingest.cjk import IDEOGRAPHS

_TOKEN = re.compile(rf"[{IDEOGRAPHS}]|[A-Za-z0-9_']+|[^\sA-Za-z0-9_{IDEOGRAPHS}]")


def tokens(text: str) -> list[str]:
    """Chinese characters one by one, words and punctuation otherwise."""
    return _TOKEN.findall(text.lower())


def distinct_n(texts: list[str], n: int) -> float:
    """Unique n-grams over all n-grams across the samples (1.0: no n-gram repeats)."""
    grams = [tuple(t[i : i + n]) for t in map(tokens, texts) for i in range(len(t) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def self_bleu(texts: list[str]) -> float:
    """Mean BLEU (0-1) of each sample against the others; high means the samples repeat each other."""
    if len(texts) < 2:
        return 0.0
    bleu = BLEU(tokenize="zh", effective_order=True)
    scores = [bleu.sentence_score(text, texts[:i] + texts[i + 1 :]).score for i, text in enumerate(texts)]
    return float(np.mean(scores)) / 100.0


@dataclass
class Diversity:
    distinct_1: float
    distinct_2: float
    self_bleu: float
    mean_pairwise_similarity: float
    mean_length: float

    def to_dict(self) -> dict:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def diversity(texts: list[str], embed: Callable[[list[str]], list[list[float]]]) -> Diversity:
    similarity = 1.0
    if len(texts) > 1:
        vectors = np.asarray(embed([t or " " for t in texts]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
        similarity = float(np.mean([vectors[i] @ vectors[j] for i, j in itertools.combinations(range(len(texts)), 2)]))
    return Diversity(distinct_n(texts, 1), distinct_n(texts, 2), self_bleu(texts), similarity,
                     float(np.mean([len(tokens(t)) for t in texts])) if texts else 0.0)
