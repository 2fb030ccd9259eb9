"""Check what an LLM wrote against the notes it cites, sentence by sentence, with the judge: a
sentence is shown as an answer only when a cited note sentence agrees with it and none contradicts it,
and only in the language the person wrote in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from coach.grading.judge import Judge
from ingest.language import Language, detect_language

SUPPORTED = 0.5  # the judge's agreement probability for a sentence to count as in the notes
NOTE_CANDIDATES = 3  # cited note sentences per model sentence, nearest by the embedder


@dataclass(frozen=True)
class Note:
    citation: int  # the [n] of the chunk it comes from
    text: str


@dataclass(frozen=True)
class CheckedSentence:
    text: str
    supported: bool
    reason: str  # "supported" / "not in the notes" / "contradicts the notes" / "other language"
    citation: int | None = None
    evidence: str = ""


def check_sentences(judge: Judge, embed: Callable[[list[str]], np.ndarray], sentences: list[str],
                    notes: list[Note], language: Language) -> list[CheckedSentence]:
    if not sentences:
        return []
    if not notes:
        return [CheckedSentence(s, False, "not in the notes") for s in sentences]
    note_vectors = embed([n.text for n in notes])
    checked: list[CheckedSentence | None] = [None] * len(sentences)
    pairs, owners, candidates = [], [], []
    for row, sentence in enumerate(sentences):
        if detect_language(sentence, default=language) != language:
            checked[row] = CheckedSentence(sentence, False, "other language")
            continue
        nearest = list(np.argsort(-(note_vectors @ embed([sentence])[0]))[:NOTE_CANDIDATES])
        candidates.append(nearest)
        owners.append(row)
        pairs.extend((notes[j].text, sentence) for j in nearest)
    if pairs:
        probabilities = judge.probabilities(pairs).reshape(len(owners), -1, 3)
        for row, nearest, probs in zip(owners, candidates, probabilities):
            best = int(np.argmax(probs[:, 0]))
            note = notes[nearest[best]]
            # A note that states the sentence outweighs a weaker contradiction from a neighbouring note:
            # the judge's contradictions are its least precise label (test split), and a verbatim note
            # sentence must never read as contradicting the notes.
            if probs[:, 2].max() >= max(SUPPORTED, probs[best, 0]):
                checked[row] = CheckedSentence(sentences[row], False, "contradicts the notes", note.citation,
                                               notes[nearest[int(np.argmax(probs[:, 2]))]].text)
            elif probs[best, 0] >= SUPPORTED:
                checked[row] = CheckedSentence(sentences[row], True, "supported", note.citation, note.text)
            else:
                checked[row] = CheckedSentence(sentences[row], False, "not in the notes")
    return [c for c in checked if c is not None]
