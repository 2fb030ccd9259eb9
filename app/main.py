"""Streamlit entry point: `coach app` (or `streamlit run app/main.py`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.i18n import t
from app.shared import language, sidebar

st.set_page_config(page_title="interview-coach", page_icon="🎤", layout="wide")
sidebar()
pages = Path(__file__).parent / "pages"
lang = language()
navigation = st.navigation([
    st.Page(pages / "interview.py", title=t("interview", lang), icon="🎤", default=True),
    st.Page(pages / "ask.py", title=t("ask", lang), icon="💬"),
    st.Page(pages / "sampling_lab.py", title=t("lab", lang), icon="🎲"),
    st.Page(pages / "progress.py", title=t("progress", lang), icon="📈"),
    st.Page(pages / "library.py", title=t("library", lang), icon="📚"),
])
navigation.run()
