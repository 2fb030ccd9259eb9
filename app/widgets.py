"""Small drawing helpers shared by pages (no logic the CLI would need)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import streamlit as st

from app.i18n import t
from coach.grading.grade import Grade
from coach.grading.titles import short_title


def stream_words(text: str) -> Iterator[str]:
    """Reveal a ready-made text the way a streamed one appears."""
    for piece in re.findall(r"\S+\s*|\s+", text):
        yield piece
        time.sleep(0.01)


def score_badge(score: float) -> str:
    color = "green" if score >= 8 else "orange" if score >= 5 else "red"
    return f":{color}-badge[{score:g}/10]"


def render_grade(grade: Grade, lang: str) -> None:
    """Score and one or two sentences, then ✓ covered / ✗ missed / ⚠ contradicted, each a short title
    that opens to the note sentence it stands for."""
    st.markdown(f"{score_badge(grade.score)} {grade.feedback}")
    for mark, points in (("✓", grade.covered), ("✗", grade.missed)):
        for point in points:
            with st.expander(f"{mark} {short_title(point.point)}"):
                st.markdown(point.point)
                st.caption(f"§ {point.section}")
    for claim in grade.wrong:
        with st.expander(f"⚠ {claim.claim[:60]}"):
            st.markdown(f"{t('wrong', lang)}:\n\n> {claim.reference}")
            st.caption(f"§ {claim.section}")


def highlight(text: str, sentences: list[str]) -> str:
    """Mark the sentences the answer relied on inside a source chunk."""
    for sentence in sentences:
        core = re.sub(r"\s*\[\d+\]$", "", sentence).strip()
        if core and core in text:
            text = text.replace(core, f":orange-background[{core}]")
    return text
