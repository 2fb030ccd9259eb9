"""Does an answer sentence state the opposite of the notes?

Embeddings score "LoRA saves bandwidth, not memory" as close to "LoRA saves memory". Three checks look
for what they miss. A word list of opposites (each side in Chinese and English) proposes flipped note
sentences, and the grader asks the embedding whether the answer reads closer to a flipped note than
to any real one. Within one language, an opposite swap or a negation against the aligned note
sentence is caught directly. A contrast ("A rather than B") is checked against what the notes stress.
"""

from __future__ import annotations

import re

from coach.language import detect_language

# Opposite claims, each side in Chinese and English so a Chinese note can catch an English answer.
_OPPOSITES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    # general opposites of technical prose
    (("更高", "越高", "higher"), ("更低", "越低", "lower")),
    (("增加", "增大", "increase"), ("减少", "减小", "decrease", "reduce")),
    (("更多", "more"), ("更少", "fewer")),
    (("更快", "faster"), ("更慢", "slower")),
    (("之前", "earlier", "previous"), ("之后", "后面", "later")),
    (("过去", "past"), ("未来", "future")),
    (("正向", "forward"), ("反向", "reverse")),
    (("添加", "加噪", "adds"), ("去除", "去噪", "removes")),
    (("冻结", "frozen", "freeze"), ("解冻", "unfreez", "全量微调", "fully fine-tune", "retrain")),
    (("确定", "deterministic"), ("随机", "random")),
    (("尖锐", "sharper", "peakier"), ("平滑", "flatter", "smoother")),
    (("不可变", "immutable"), ("可变", "mutable")),
    (("静态", "statically typed", "static"), ("动态", "dynamically typed", "dynamic")),
    (("相同", "same"), ("不同", "different")),
    (("固定", "fixed"), ("可学习", "learned")),
    (("并行", "parallel"), ("串行", "sequential")),
    (("独立", "own", "separate"), ("共享", "shared")),
    (("逐步", "step by step", "gradually", "iteratively"), ("一步", "single step", "single forward pass", "one step")),
    (("计算密集", "compute-bound"), ("带宽受限", "memory-bandwidth bound", "memory-bound")),
    (("概率最高", "most likely", "highest-probability"), ("概率最低", "least likely", "去掉", "discards")),
    # pairs an ML interview confuses often
    (("显存", "vram", "gpu memory", "memory"), ("带宽", "bandwidth")),
    (("高斯", "gaussian"), ("均匀", "uniform")),
    (("交叉熵", "crossentropy", "cross-entropy"), ("均方误差", "mseloss", "mse")),
    (("softmax",), ("sigmoid",)),
    (("clip",), ("判别器", "discriminator")),
]
_NEGATION = re.compile(r"(不需要|无需|没必要|不用|不再|不支持|不提取|并不|不是|不会|不能|无法|没有|"
                       r"\bdoes not\b|\bdo not\b|\bis not\b|\bare not\b|n't\b|\bnever\b|\bno longer\b)", re.I)
_CONTRAST_CUE = re.compile(r"而不是|而非|rather than|instead of|,\s*not\b|，\s*不是", re.I)
# "A, not B" / "是A而不是B" / "A rather than B": the contrast names what is affirmed and what is denied.
_CONTRAST = re.compile(
    r"(?P<affirmed>[^，,。；;:：]{2,30}?)\s*[，,]?\s*(?:(?:而不是|而非|并非|不是)\s*|(?:rather than|instead of|not)\s+)"
    r"(?P<denied>[^，,。；;:：]{2,30})",
    re.I,
)
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z][a-z0-9-]{2,}")
_STOP = {"the", "and", "that", "this", "with", "from", "mainly", "really", "actually", "only", "just", "which"}


def _terms(text: str) -> set[str]:
    """Character bigrams of Chinese runs and content words of English."""
    lowered = text.lower()
    grams = {run[i : i + 2] for run in _CJK_RUN.findall(lowered) for i in range(len(run) - 1)}
    return grams | {w for w in _WORD.findall(lowered) if w not in _STOP}


def _share(phrase: str, sentence_terms: set[str]) -> float:
    terms = _terms(phrase)
    return len(terms & sentence_terms) / len(terms) if terms else 0.0


def _has_term(text: str, term: str) -> bool:
    if term.isascii():
        return re.search(rf"\b{re.escape(term)}", text, re.I) is not None
    if term == "可变":
        return re.search(r"(?<!不)可变", text) is not None
    return term in text


def _has(text: str, side: tuple[str, ...]) -> bool:
    return any(_has_term(text, term) for term in side)


def _antonym_swap(answer: str, reference: str) -> bool:
    """One side of an opposite in the answer, the other in the note sentence: only trusted within one
    language ("denoising" does not spell 去噪; across languages the flip test decides)."""
    if detect_language(answer) != detect_language(reference):
        return False
    for left, right in _OPPOSITES:
        for said, noted in ((left, right), (right, left)):
            if _has(answer, said) and not _has(answer, noted) and _has(reference, noted) and not _has(reference, said):
                return True
    return False


def _find(text: str, side: tuple[str, ...]) -> tuple[re.Match[str], str] | None:
    for term in side:
        if term.isascii():
            found = re.search(rf"\b{re.escape(term)}", text, re.I)
        else:
            found = re.search(r"(?<!不)可变" if term == "可变" else re.escape(term), text)
        if found:
            return found, term
    return None


def flipped_notes(answer_sentence: str, note_sentence: str) -> list[str]:
    """The note sentence with one opposite swapped to the side the answer takes ("lower" for "higher"),
    in the note's own language. If the answer reads closer to such a flipped note than to any real
    one, it states the opposite of the notes: the embedding decides, the word list only proposes."""
    flipped = []
    for left, right in _OPPOSITES:
        for noted, said in ((left, right), (right, left)):
            hit = _find(note_sentence, noted)
            if hit and _has(answer_sentence, said) and not _has(answer_sentence, noted) and not _has(note_sentence, said):
                match, term = hit
                replacement = next((t for t in said if t.isascii() == term.isascii()), said[0])
                flipped.append(note_sentence[: match.start()] + replacement + note_sentence[match.end() :])
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
    return rest[:2] if len(_CJK_RUN.match(rest).group(0) if _CJK_RUN.match(rest) else "") >= 2 else ""


def negated_notes(answer_sentence: str, note_sentence: str) -> list[str]:
    """The note sentence with the answer's polarity: the answer's negation moved onto the same
    predicate in the note ("并不提取" where the note says 提取), or the note's negation dropped where
    the answer affirms. Like flipped_notes, the embedding decides."""
    answer_cue, note_cue = _NEGATION.search(answer_sentence), _NEGATION.search(note_sentence)
    if bool(answer_cue) == bool(note_cue):
        return []
    if note_cue:
        found = (_ENGLISH_NOT if detect_language(note_sentence) == "en" else _CHINESE_NEGATED).search(note_sentence)
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
    verb = (_ENGLISH_AUXILIARY if detect_language(note_sentence) == "en" else _CHINESE_VERB).search(note_sentence)
    if not verb:
        return []
    return [note_sentence[: verb.end()] + " not" + note_sentence[verb.end() :] if detect_language(note_sentence) == "en"
            else note_sentence[: verb.start()] + "不" + note_sentence[verb.start() :]]


def _negates_what_notes_affirm(answer: str, reference: str) -> bool:
    """A plain negation ("不需要 zero_grad") of something the notes state without negation."""
    if _NEGATION.search(reference) or _CONTRAST_CUE.search(answer):
        return False
    reference_terms = _terms(reference)
    for match in _NEGATION.finditer(answer):
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


def _mentions(text: str, side: tuple[str, ...]) -> int:
    lowered = text.lower()
    return sum(len(re.findall(rf"\b{re.escape(t)}" if t.isascii() else re.escape(t), lowered)) for t in side)


def reverses_what_notes_stress(answer_sentence: str, notes: str) -> bool:
    """"A rather than B" where A and B are opposite sides (bandwidth / memory) and the notes stress B:
    "LoRA saves bandwidth, not memory" against notes about memory. Works across languages because
    each side lists its Chinese and English terms; the whole notes decide which side they stress."""
    for match in _CONTRAST.finditer(answer_sentence):
        affirmed, denied = match.group("affirmed"), match.group("denied")
        for left, right in _OPPOSITES:
            for said, unsaid in ((left, right), (right, left)):
                if _has(affirmed, said) and _has(denied, unsaid) and not _has(denied, said):
                    stressed, slighted = _mentions(notes, unsaid), _mentions(notes, said)
                    if stressed >= 2 and stressed > 2 * slighted:
                        return True
    return False


def conflicts(answer_sentence: str, reference_sentence: str) -> bool:
    """True when two aligned sentences disagree: an opposite swap (same language), a contrast that
    denies what the note says, or a negation of it."""
    return (_antonym_swap(answer_sentence, reference_sentence)
            or _denies_what_notes_affirm(answer_sentence, reference_sentence)
            or _negates_what_notes_affirm(answer_sentence, reference_sentence))
