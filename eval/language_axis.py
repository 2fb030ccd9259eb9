"""Fit and store the default embedder's language axis (index/language_axis.py) from the judge data's
parallel notes: each note is written in Chinese and in English by this project (never the seed).

    python -m eval.language_axis        (`make language-axis`)
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from coach import runtime
from coach.config import get_settings
from coach.grading.judge_data import read_notes
from index.language_axis import axis_path, fit_language_axis


def parallel_notes() -> list[tuple[str, str]]:
    """(zh, en) for every note of every judge topic, in file order."""
    return [(row["note"]["zh"], row["note"]["en"]) for row in read_notes()]


def main() -> None:
    settings = get_settings()
    pairs = parallel_notes()
    axis = fit_language_axis(runtime.embedder(settings), pairs)
    target = axis_path(settings.embed_model)
    target.parent.mkdir(parents=True, exist_ok=True)
    np.save(target, axis)
    card = {"embedder": settings.embed_model, "pairs": len(pairs), "source": "eval/data/judge/*.jsonl notes (zh, en)",
            "method": "unit mean of passage(en) - passage(zh), float32", "dimension": int(axis.shape[0]),
            "sha256": hashlib.sha256(target.read_bytes()).hexdigest()}
    target.with_suffix(".json").write_text(json.dumps(card, indent=1) + "\n", "utf-8")
    print(json.dumps(card, indent=1))


if __name__ == "__main__":
    main()
