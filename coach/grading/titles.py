"""The few words a rubric point goes by: in feedback lists, hints and the fallback follow-up question."""

from __future__ import annotations

import re

from coach.language import Language, detect_language

_TITLE_CUT = re.compile(r"[,，。.:：;；(（]")


def short_title(point: str, language: Language | None = None) -> str:
    """A few words naming a key point: its sub-heading (or first clause), cut at punctuation."""
    head = point.split(": ", 1)[0] if ": " in point else point
    head = _TITLE_CUT.split(head.strip(), 1)[0].strip() or head.strip()
    if detect_language(head, language or "en") == "zh":
        return head[:16]
    return " ".join(head.split()[:6])


def template_follow_up(point: str, language: Language) -> str:
    title = short_title(point)
    if language == "zh":
        return f"那「{title}」呢？它是怎么起作用的，为什么重要？"
    return f"What about {title}? How does it work, and why does it matter here?"
