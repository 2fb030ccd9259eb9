"""Derive 3-8 short, checkable key points from a reference answer: the grader's rubric."""

from __future__ import annotations

import re

from ingest.cjk import IDEOGRAPH
from ingest.sections import split_sections

MIN_POINTS, MAX_POINTS, POINT_CHARS = 3, 8, 110
# Sections that carry no checkable claim of their own.
_SKIP = re.compile(r"(概述|背景|总结|参考文献|参考资料|目录|中文解答|overview|background|summary|references|contents)", re.I)
# A period ends an English sentence unless it closes an abbreviation ("e.g. 0.7" is one sentence).
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)(?<!e\.g\.)(?<!i\.e\.)(?<!etc\.)(?<!vs\.)(?<!cf\.)\s+|\n")
_MARKUP = re.compile(r"\*\*|`|^#+\s*|^[-*+]\s+|^\d+[.)、]\s+")


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", "".join(_MARKUP.sub("", line) for line in text.split("\n"))).strip()


_LIST_ITEM = re.compile(r"^\s*[-*+]\s+(?P<t>[^\n]{3,40})$", re.M)


def _is_prose(text: str) -> bool:
    return len(IDEOGRAPH.findall(text)) >= 4 or len(re.findall(r"[A-Za-z]+", text)) >= 4


def sentences(text: str) -> list[str]:
    """Prose sentences and list items of `text` (Chinese and English punctuation, newlines); no code."""
    parts = (_plain(part) for part in _SENTENCE_END.split(text))
    return [part for part in parts if _is_prose(part) and not re.match(r"(import|from|class|def|print)\b", part)]


def _shorten(text: str) -> str:
    return text if len(text) <= POINT_CHARS else text[: POINT_CHARS - 1].rstrip() + "…"


def extract_key_points(answer: str) -> list[str]:
    """Sub-heading + its first sentence per section; top up with the answer's leading sentences."""
    points: list[str] = []
    for section in split_sections(answer):
        if not section.heading or _SKIP.search(section.heading):
            continue
        found = sentences(section.text(answer))
        first = found[0] if found else ""
        if first.endswith((":", "：")) and len(found) > 1:  # "采样过程如下:" says nothing until what follows
            first = f"{first} {found[1]}"
        heading = re.sub(r"^\d+(?:\.\d+)*[.、]?\s*", "", section.heading)
        if first:
            points.append(_shorten(f"{heading}: {first}"))
    steps = [_plain(m.group("t")) for m in _LIST_ITEM.finditer(answer) if IDEOGRAPH.search(m.group("t")) or " " in m.group("t")]
    if len(points) < MIN_POINTS and len(steps) >= MIN_POINTS:
        points = [_shorten(step.rstrip(":：")) for step in steps]
    if len(points) < MIN_POINTS:
        for sentence in sentences(answer):
            if len(points) >= max(MIN_POINTS, 5):
                break
            if all(sentence[:20] not in point for point in points):
                points.append(_shorten(sentence))
    return points[:MAX_POINTS]
