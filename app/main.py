"""Streamlit entry point: `coach app` (or `streamlit run app/main.py`)."""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run` puts this file's folder on sys.path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st  # noqa: E402

from app.i18n import t  # noqa: E402
from app.shared import language, sidebar  # noqa: E402

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
