"""Grading on the trained judge: a key point is covered when part of the answer (a sentence, a clause,
or two neighbouring sentences) agrees with it; a wrong claim is an answer sentence the judge finds
contradicting a note sentence, which is cited. The embedder only picks which pairs the judge reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from coach.grading.judge import Judge

# Read on the judge's dev topics (eval/data/judge, never the seed): a contradiction above this
# probability is a wrong claim; precision first, as a false "wrong" costs a person more than a miss.
CONTRADICTION_THRESHOLD = 0.7
# An answer part agreeing with a point above this counts it covered; below, its probability is partial credit.
ENTAILMENT_COVERED = 0.5
POINT_CANDIDATES = 2  # answer parts per key point, nearest by the embedder
NOTE_CANDIDATES = 2  # note sentences per answer sentence checked for a contradiction
_CLAUSE_BREAK = re.compile(r"(?<=[，,；;])\s*")


def answer_parts(sentences: list[str]) -> tuple[list[str], list[int]]:
    """Each sentence, its clauses, neighbouring clause pairs and neighbouring sentence pairs, with the
    sentence each part starts in: a compound sentence states several points, and a point may span two."""
    parts: list[str] = []
    owners: list[int] = []
    for row, sentence in enumerate(sentences):
        clauses = [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c.strip()]
        found = [sentence]
        if len(clauses) > 1:
            found += [c for c in clauses if len(c) >= 6]
            found += [f"{a} {b}" for a, b in zip(clauses, clauses[1:])] if len(clauses) > 2 else []
        if row + 1 < len(sentences):
            found.append(f"{sentence} {sentences[row + 1]}")
        for part in dict.fromkeys(found):
            parts.append(part)
            owners.append(row)
    return parts, owners


@dataclass(frozen=True)
class PointMatch:
    coverage: float  # the judge's agreement probability, 0..1
    sentence: int  # the answer sentence it came from (-1: none)


@dataclass(frozen=True)
class Contradiction:
    sentence: int
    note: int
    probability: float


def match_points(judge: Judge, parts: list[str], owners: list[int], part_vectors: np.ndarray, points: list[str],
                 point_vectors: np.ndarray, excluded: set[int]) -> list[PointMatch]:
    """The best agreement per key point among the POINT_CANDIDATES nearest answer parts; parts of a
    contradicted sentence cover nothing."""
    allowed = [i for i, owner in enumerate(owners) if owner not in excluded]
    if not allowed:
        return [PointMatch(0.0, -1) for _ in points]
    similarity = point_vectors @ part_vectors[allowed].T
    candidates = [[allowed[j] for j in np.argsort(-row)[:POINT_CANDIDATES]] for row in similarity]
    pairs = [(parts[i], point) for point, chosen in zip(points, candidates) for i in chosen]
    entail = judge.probabilities(pairs)[:, 0].reshape(len(points), -1)
    matches = []
    for chosen, row in zip(candidates, entail):
        best = int(np.argmax(row))
        matches.append(PointMatch(float(row[best]), owners[chosen[best]]))
    return matches


def find_contradictions(judge: Judge, sentences: list[str], sentence_vectors: np.ndarray, notes: list[str],
                        note_vectors: np.ndarray) -> tuple[list[Contradiction], list[float]]:
    """Answer sentences the judge finds contradicting one of their nearest note sentences (and agreeing
    with none of them), and each sentence's best agreement with the notes (for 'not in the notes')."""
    similarity = sentence_vectors @ note_vectors.T
    candidates = [list(np.argsort(-row)[:NOTE_CANDIDATES]) for row in similarity]
    pairs = [(notes[j], sentence) for sentence, chosen in zip(sentences, candidates) for j in chosen]
    probabilities = judge.probabilities(pairs).reshape(len(sentences), -1, 3)
    found, support = [], []
    for row, (chosen, probs) in enumerate(zip(candidates, probabilities)):
        support.append(float(probs[:, 0].max()))
        worst = int(np.argmax(probs[:, 2]))
        if probs[worst, 2] >= CONTRADICTION_THRESHOLD and probs[:, 0].max() < ENTAILMENT_COVERED:
            found.append(Contradiction(row, int(chosen[worst]), float(probs[worst, 2])))
    return found, support

