"""The few words a rubric point goes by: in feedback lists, hints and the fallback follow-up question."""

from __future__ import annotations

import re

from ingest.language import Language, detect_language

_TITLE_CUT = re.compile(r"[,，。.:：;；(（]")
TITLE_CHARS = 16  # Chinese characters in a title
TITLE_WORDS = 6  # English words in a title


def short_title(point: str, language: Language | None = None) -> str:
    """A few words naming a key point: its sub-heading (or first clause), cut at punctuation; a title
    cut shorter still says so with "…" rather than ending mid-word."""
    head = point.split(": ", 1)[0] if ": " in point else point
    head = _TITLE_CUT.split(head.strip(), 1)[0].strip() or head.strip()
    if detect_language(head, language or "en") == "zh":
        return head if len(head) <= TITLE_CHARS else head[:TITLE_CHARS] + "…"
    words = head.split()
    return " ".join(words) if len(words) <= TITLE_WORDS else " ".join(words[:TITLE_WORDS]) + "…"


def template_follow_up(point: str, language: Language) -> str:
    title = short_title(point)
    if language == "zh":
        return f"那「{title}」呢？它是怎么起作用的，为什么重要？"
    return f"What about {title}? How does it work, and why does it matter here?"
