"""Fit and store the default embedder's language axis (index/language_axis.py) from the judge data's
parallel notes: each note is written in Chinese and in English by this project (never the seed).

    python -m eval.language_axis        (`make language-axis`)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from coach import runtime
from coach.config import get_settings
from index.language_axis import axis_path, fit_language_axis

JUDGE_DATA = Path(__file__).parent / "data" / "judge"


def parallel_notes() -> list[tuple[str, str]]:
    """(zh, en) for every note of every judge topic, in file order."""
    pairs = []
    for path in sorted(JUDGE_DATA.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            note = json.loads(line)["note"]
            pairs.append((note["zh"], note["en"]))
    return pairs


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
