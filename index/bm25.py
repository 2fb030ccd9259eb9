"""BM25 over Chinese character bigrams and lower-cased Latin words (bm25s).

The default word tokenizers treat a run of Chinese as one token, so "显存" inside "节省显存" never
matches; overlapping bigrams fix that without a segmenter.
"""

from __future__ import annotations

import re

import bm25s
import numpy as np

from ingest.cjk import IDEOGRAPH_RUN

_WORD = re.compile(r"[a-z0-9_]+(?:[-.][a-z0-9_]+)*")


def tokenize(text: str) -> list[str]:
    lowered = text.lower()
    tokens = _WORD.findall(IDEOGRAPH_RUN.sub(" ", lowered))
    for run in IDEOGRAPH_RUN.findall(lowered):
        tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return tokens or ["∅"]


class BigramBM25:
    """Built from chunk texts at load time (seconds even at 100k chunks), so nothing to persist."""

    def __init__(self, texts: list[str]) -> None:
        self._size = len(texts)
        self._bm25 = bm25s.BM25()
        self._bm25.index([tokenize(text) for text in texts], show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(position in the texts list, BM25 score) for the best k, best first; zero scores dropped."""
        k = min(k, self._size)
        if k == 0:
            return []
        ids, scores = self._bm25.retrieve([tokenize(query)], k=k, show_progress=False)
        return [(int(i), float(s)) for i, s in zip(np.ravel(ids), np.ravel(scores)) if s > 0]
