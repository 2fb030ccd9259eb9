"""The words that mark opposite claims, in Chinese and English: what the contradiction checks and
the flip test look for. Each side of a pair lists both languages, so a Chinese note can catch an
English answer. Only general opposites of technical prose: pairs and terms taken from the seed's
subjects (memory / bandwidth, CLIP / discriminator, retrain, 不提取 ...) were rules tuned to examples,
and removing them changed no figure on the sets written for the judge's test topics."""

from __future__ import annotations

import re

OPPOSITES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("更高", "越高", "higher"), ("更低", "越低", "lower")),
    (("增加", "增大", "increase"), ("减少", "减小", "decrease", "reduce")),
    (("更多", "more"), ("更少", "fewer")),
    (("更快", "faster"), ("更慢", "slower")),
    (("之前", "earlier", "previous"), ("之后", "后面", "later")),
    (("过去", "past"), ("未来", "future")),
    (("正向", "forward"), ("反向", "reverse")),
    (("添加", "adds"), ("去除", "removes")),
    (("冻结", "frozen", "freeze"), ("解冻", "unfreez", "unfrozen")),
    (("确定", "deterministic"), ("随机", "random")),
    (("尖锐", "sharper"), ("平滑", "flatter", "smoother")),
    (("不可变", "immutable"), ("可变", "mutable")),
    (("静态", "statically typed", "static"), ("动态", "dynamically typed", "dynamic")),
    (("相同", "same"), ("不同", "different")),
    (("固定", "fixed"), ("可学习", "learned")),
    (("并行", "parallel"), ("串行", "sequential")),
    (("独立", "own", "separate"), ("共享", "shared")),
    (("逐步", "step by step", "gradually", "iteratively"), ("一步", "single step", "one step")),
    (("计算密集", "compute-bound"), ("带宽受限", "memory-bandwidth bound", "memory-bound")),
    (("概率最高", "most likely", "highest-probability"), ("概率最低", "least likely")),
]
NEGATION = re.compile(r"(不需要|无需|没必要|不用|不再|不支持|并不|不是|不会|不能|无法|没有|"
                       r"\bdoes not\b|\bdo not\b|\bis not\b|\bare not\b|n't\b|\bnever\b|\bno longer\b)", re.I)


def _term_pattern(term: str) -> str:
    """English on word starts, case-insensitive, a final "e" also as -es / -ed / -ing ("reducing");
    可变 not inside 不可变."""
    if term.isascii():
        if re.fullmatch(r"[a-z]{3,}e", term):
            return rf"\b{re.escape(term[:-1])}(?:e|ing)"
        return rf"\b{re.escape(term)}"
    return r"(?<!不)可变" if term == "可变" else re.escape(term)


def side_pattern(side: tuple[str, ...]) -> re.Pattern[str]:
    """Every term of a side, longest first."""
    return re.compile("|".join(_term_pattern(t) for t in sorted(side, key=len, reverse=True)), re.I)


def find_term(text: str, side: tuple[str, ...]) -> tuple[re.Match[str], str] | None:
    """Where a term of this side first occurs, and which term (tried in the side's order)."""
    for term in side:
        found = re.search(_term_pattern(term), text, re.I)
        if found:
            return found, term
    return None


def has_side(text: str, side: tuple[str, ...]) -> bool:
    return find_term(text, side) is not None


def mentions(text: str, side: tuple[str, ...]) -> int:
    """How often the terms of a side occur: which side a text stresses."""
    return sum(len(re.findall(_term_pattern(t), text, re.I)) for t in side)
