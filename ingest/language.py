"""Which language a text is written in: the coach answers in the person's, and retrieval knows when a
query and a chunk cannot share words."""

from __future__ import annotations

import re
from typing import Literal

from ingest.cjk import IDEOGRAPH

Language = Literal["zh", "en"]
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str, default: Language = "en") -> Language:
    """Chinese when Chinese characters outnumber Latin words (technical terms in English stay allowed)."""
    cjk, words = len(IDEOGRAPH.findall(text)), len(_LATIN_WORD.findall(text))
    if cjk == 0 and words == 0:
        return default
    return "zh" if cjk >= words else "en"
