"""Flipped notes: a note sentence turned to say what the answer says (an opposite swapped in, or
the answer's negation moved onto it). The grader asks the embedding whether the answer reads closer
to a flipped note than to any real one; these functions only propose the candidates."""

from __future__ import annotations

import re

from coach.grading.opposites import (
    NEGATION,
    OPPOSITES,
    find_term,
    has_side,
    side_pattern,
)
from ingest.cjk import IDEOGRAPH_RUN
from ingest.language import detect_language


def flipped_notes(answer_sentence: str, note_sentence: str) -> list[str]:
    """The note sentence swapped to the side of an opposite the answer takes ("lower" for "higher"),
    every mention of it, each in its own script (a note may say 动态类型 (dynamically typed)). If the
    answer reads closer to such a flipped note than to any real one, it states the opposite of the
    notes: the embedding decides, the word list only proposes."""
    flipped = []
    for left, right in OPPOSITES:
        for noted, said in ((left, right), (right, left)):
            if (find_term(note_sentence, noted) and has_side(answer_sentence, said)
                    and not has_side(answer_sentence, noted) and not has_side(note_sentence, said)):
                chinese, english = (next((t for t in said if t.isascii() == ascii_), said[0]) for ascii_ in (False, True))
                flipped.append(side_pattern(noted).sub(lambda m: english if m.group(0).isascii() else chinese, note_sentence))
    return flipped


_ENGLISH_NOT = re.compile(r"\s+not\b|n't\b", re.I)
_ENGLISH_AUXILIARY = re.compile(r"\b(?:is|are|was|were|can|does|do|will|should|must)\b", re.I)
# A Chinese verb that takes 不 in front; not the 是 of 但是 / 还是 / 就是 ..., not the 能 of 能力 / 可能 ...
_CHINESE_VERB = re.compile(r"(?<![但还就或只于总要若凡即正真倒也不])是|需要|(?<![可功性智本不])能(?!力|量)|(?<![不机社学])会(?!话|议)")
_CHINESE_NEGATED = re.compile(r"不(?=需要|是|能|会|可以|支持|改变|影响)|没(?=有)")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z-]{2,}")


def _predicate_after(sentence: str, cue: re.Match[str]) -> str:
    """What a negation denies: the next English word, or the next two Chinese characters."""
    rest = sentence[cue.end() :].lstrip()
    if rest[:1].isascii():
        word = _ENGLISH_WORD.match(rest)
        return word.group(0) if word else ""
    run = IDEOGRAPH_RUN.match(rest)
    return rest[:2] if run and len(run.group(0)) >= 2 else ""


def negated_notes(answer_sentence: str, note_sentence: str) -> list[str]:
    """The note sentence with the answer's polarity: the answer's negation moved onto the same
    predicate in the note ("并不提取" where the note says 提取), or the note's negation dropped where
    the answer affirms. Like flipped_notes, the embedding decides."""
    answer_cue, note_cue = NEGATION.search(answer_sentence), NEGATION.search(note_sentence)
    if bool(answer_cue) == bool(note_cue):
        return []
    english_note = detect_language(note_sentence) == "en"
    if note_cue:
        found = (_ENGLISH_NOT if english_note else _CHINESE_NEGATED).search(note_sentence)
        return [note_sentence[: found.start()] + note_sentence[found.end() :]] if found else []
    cue = answer_cue.group(0).strip()
    verb = re.sub(r"^(?:并不|不|没|无)", "", cue) if not cue.isascii() else ""
    if len(verb) >= 2 and verb in note_sentence:  # 不需要 in the answer, 需要 in the note
        at = note_sentence.index(verb)
        return [note_sentence[:at] + cue + note_sentence[at + len(verb) :]]
    predicate = _predicate_after(answer_sentence, answer_cue)
    stem = predicate[:4] if predicate.isascii() else predicate
    at = note_sentence.lower().find(stem.lower()) if len(stem) >= 2 else -1
    if at >= 0:  # the predicate the answer denies, denied in the note too
        return [note_sentence[:at] + ("not " if cue.isascii() else cue) + note_sentence[at:]]
    verb = (_ENGLISH_AUXILIARY if english_note else _CHINESE_VERB).search(note_sentence)
    if not verb:
        return []
    return [note_sentence[: verb.end()] + " not" + note_sentence[verb.end() :] if english_note
            else note_sentence[: verb.start()] + "不" + note_sentence[verb.start() :]]
