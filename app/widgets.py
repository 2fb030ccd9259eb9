"""Small drawing helpers shared by pages (no logic the CLI would need)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import streamlit as st

from app.i18n import t


def stream_words(text: str) -> Iterator[str]:
    """Reveal a ready-made text the way a streamed one appears."""
    for piece in re.findall(r"\S+\s*|\s+", text):
        yield piece
        time.sleep(0.01)


def score_badge(score: float) -> str:
    color = "green" if score >= 8 else "orange" if score >= 5 else "red"
    return f":{color}-badge[{score:g}/10]"


def render_grade(grade: dict, lang: str, key: str) -> None:
    st.markdown(f"{score_badge(grade['score'])} {grade['feedback']}")
    with st.expander(f"{t('covered', lang)} {len(grade['covered'])} · {t('missed', lang)} {len(grade['missed'])}"
                     + (f" · {t('wrong', lang)} {len(grade['wrong'])}" if grade["wrong"] else "")):
        for point in grade["covered"]:
            st.markdown(f"✅ {point['point']}  \n<small>§ {point['section']}</small>", unsafe_allow_html=True)
        for point in grade["missed"]:
            st.markdown(f"⬜ {point['point']}  \n<small>§ {point['section']}</small>", unsafe_allow_html=True)
        for claim in grade["wrong"]:
            st.markdown(f"❌ {claim['claim']}  \n> {claim['reference']}  \n<small>§ {claim['section']}</small>",
                        unsafe_allow_html=True)


def highlight(text: str, sentences: list[str]) -> str:
    """Mark the sentences the answer relied on inside a source chunk."""
    for sentence in sentences:
        core = re.sub(r"\s*\[\d+\]$", "", sentence).strip()
        if core and core in text:
            text = text.replace(core, f":orange-background[{core}]")
    return text
