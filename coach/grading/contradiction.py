"""Lexical contradiction checks between an answer sentence and the notes, for what embeddings miss
("warm-up lowers the learning rate" scores close to "warm-up raises it"): within one language, an
opposite swap or a negation against the aligned note sentence; a contrast ("A rather than B") that
denies what the note says or reverses what the whole notes stress. The embedding-decided flip test
(coach/grading/flips.py) covers the cross-language cases.
"""

from __future__ import annotations

import re

from coach.grading.opposites import NEGATION, OPPOSITES, has_side, mentions
from ingest.cjk import IDEOGRAPH_RUN
from ingest.language import detect_language

_CONTRAST_CUE = re.compile(r"而不是|而非|rather than|instead of|,\s*not\b|，\s*不是", re.I)
# "A, not B" / "是A而不是B" / "A rather than B": the contrast names what is affirmed and what is denied.
_CONTRAST = re.compile(
    r"(?P<affirmed>[^，,。；;:：]{2,30}?)\s*[，,]?\s*(?:(?:而不是|而非|并非|不是)\s*|(?:rather than|instead of|not)\s+)"
    r"(?P<denied>[^，,。；;:：]{2,30})",
    re.I,
)
# What a contrast denies, for cutting it out: "不是 B，而是 A" (B between the cues), and "A 而不是 B",
# "A 而非 B", "A rather than B", "A instead of B", "A, not B" (B after the cue, up to a clause break).
_DENIED_BEFORE = re.compile(r"(?:不是|并非)[^，,。；;:：]{1,30}?[，,]?\s*而是\s*")
_DENIED_AFTER = re.compile(r"\s*(?:而不是|而非|\brather than\b|\binstead of\b|[，,]\s*not\b)[^，,。；;:：.!?！？]{1,40}", re.I)
_WORD = re.compile(r"[a-z][a-z0-9-]{2,}")
_STOP = {"the", "and", "that", "this", "with", "from", "mainly", "really", "actually", "only", "just", "which"}


def _terms(text: str) -> set[str]:
    """Character bigrams of Chinese runs and content words of English."""
    lowered = text.lower()
    grams = {run[i : i + 2] for run in IDEOGRAPH_RUN.findall(lowered) for i in range(len(run) - 1)}
    return grams | {w for w in _WORD.findall(lowered) if w not in _STOP}


def _share(phrase: str, sentence_terms: set[str]) -> float:
    terms = _terms(phrase)
    return len(terms & sentence_terms) / len(terms) if terms else 0.0


def _antonym_swap(answer: str, reference: str) -> bool:
    """One side of an opposite in the answer, the other in the note sentence: only trusted within one
    language ("denoising" does not spell 去噪; across languages the flip test decides)."""
    if detect_language(answer) != detect_language(reference):
        return False
    for left, right in OPPOSITES:
        for said, noted in ((left, right), (right, left)):
            if has_side(answer, said) and not has_side(answer, noted) and has_side(reference, noted) and not has_side(reference, said):
                return True
    return False


def _negates_what_notes_affirm(answer: str, reference: str) -> bool:
    """A plain negation ("不需要 zero_grad") of something the notes state without negation."""
    if NEGATION.search(reference) or _CONTRAST_CUE.search(answer):
        return False
    reference_terms = _terms(reference)
    for match in NEGATION.finditer(answer):
        scope = answer[match.end() : match.end() + 14]
        if _share(scope, reference_terms) >= 0.5:
            return True
    return False


def _denies_what_notes_affirm(answer: str, reference: str) -> bool:
    reference_terms = _terms(reference)
    for match in _CONTRAST.finditer(answer):
        denied, affirmed = match.group("denied"), match.group("affirmed")
        if _share(denied, reference_terms) >= 0.5 and _share(affirmed, reference_terms) < 0.3:
            return True
    return False


def affirmed_form(sentence: str) -> str:
    """The sentence with what its contrasts deny cut out ("saves memory, not bandwidth" -> "saves
    memory"): a reader of the whole sentence sees "bandwidth" beside "saves" and takes a true contrast
    for a contradiction of the note it restates. A sentence without a contrast comes back unchanged."""
    cut = _DENIED_AFTER.sub("", _DENIED_BEFORE.sub("是", sentence)).strip()
    return cut if len(cut) >= 4 else sentence


def reverses_what_notes_stress(answer_sentence: str, notes: str) -> bool:
    """"A rather than B" where A and B are opposite sides (increase / reduce) and the notes stress B:
    "it increases rather than reduces the trainable parameters" against notes about reducing them.
    Works across languages because each side lists its Chinese and English terms; the whole notes
    decide which side they stress."""
    for match in _CONTRAST.finditer(answer_sentence):
        affirmed, denied = match.group("affirmed"), match.group("denied")
        for left, right in OPPOSITES:
            for said, unsaid in ((left, right), (right, left)):
                if has_side(affirmed, said) and has_side(denied, unsaid) and not has_side(denied, said):
                    stressed, slighted = mentions(notes, unsaid), mentions(notes, said)
                    if stressed >= 2 and stressed > 2 * slighted:
                        return True
    return False


def conflicts(answer_sentence: str, reference_sentence: str) -> bool:
    """True when two aligned sentences disagree: an opposite swap (same language), a contrast that
    denies what the note says, or a negation of it."""
    return (_antonym_swap(answer_sentence, reference_sentence)
            or _denies_what_notes_affirm(answer_sentence, reference_sentence)
            or _negates_what_notes_affirm(answer_sentence, reference_sentence))
