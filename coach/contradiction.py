"""A negation- and antonym-aware check: does an answer sentence flip the claim of a reference sentence?

Embeddings score "LoRA saves bandwidth, not memory" as close to "LoRA saves memory"; this check looks
for what embeddings miss, between two closely aligned sentences: an antonym swap ("higher" where the
notes say "lower"), or a contrast ("A, not B") that denies what the notes affirm.
"""

from __future__ import annotations

import re

# Opposite claims, each side in Chinese and English so a Chinese note can catch an English answer.
_OPPOSITES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("更高", "higher"), ("更低", "lower")),
    (("增加", "increase"), ("减少", "decrease")),
    (("尖锐", "sharper", "peakier"), ("平滑", "flatter", "smoother")),
    (("确定", "deterministic"), ("随机", "random")),
    (("冻结", "frozen", "freeze"), ("解冻", "unfreez", "全量微调", "fully fine-tune", "retrain")),
    (("高斯", "gaussian"), ("均匀", "uniform")),
    (("不可变", "immutable"), ("可变", "mutable")),
    (("静态", "statically typed"), ("动态", "dynamically typed")),
    (("显存", "vram", "gpu memory", "memory"), ("带宽", "bandwidth")),
    (("交叉熵", "crossentropy", "cross-entropy"), ("均方误差", "mseloss", "mse")),
    (("clip",), ("判别器", "discriminator")),
    (("逐步", "step by step", "iteratively"), ("一步", "single step", "single forward pass")),
    (("概率最高", "most likely", "highest-probability"), ("去掉", "discards")),
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
    for left, right in _OPPOSITES:
        for said, noted in ((left, right), (right, left)):
            if _has(answer, said) and not _has(answer, noted) and _has(reference, noted) and not _has(reference, said):
                return True
    return False


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
    """True when two aligned sentences disagree by an antonym swap or a contrast that flips the claim."""
    return (_antonym_swap(answer_sentence, reference_sentence)
            or _denies_what_notes_affirm(answer_sentence, reference_sentence)
            or _negates_what_notes_affirm(answer_sentence, reference_sentence))
