"""What every page shares: cached resources, the sidebar (server status, persona, language, sampling)."""

from __future__ import annotations

import os
import time

import streamlit as st

from app.i18n import t
from coach import runtime
from coach.config import CoachSettings, get_settings
from coach.errors import USER_ERRORS, LLMUnavailable
from coach.llm.client import LLMClient
from coach.llm.prompts import PERSONAS
from coach.llm.sampling import SamplingSettings
from coach.llm.serving.endpoint import make_client
from index.store import list_indexes
from ingest.language import detect_language


def settings() -> CoachSettings:
    """Not st.cache_resource: get_settings() is already cached per process and can be reset."""
    return get_settings()


def index_name() -> str:
    if "index_name" not in st.session_state:
        st.session_state.index_name = os.environ.get("COACH_INDEX_NAME", "default")
    return st.session_state.index_name


def open_index():
    """The active index, loaded once per process (runtime caches it by manifest), or None with a notice."""
    try:
        return runtime.open_index(index_name(), settings())
    except USER_ERRORS as exc:
        st.info(f"{t('no_index', language())} ({exc})")
        return None


LLM_PROBE_S = 15.0  # how long one look at the LLM server holds for a browser session


def client() -> LLMClient | None:
    """The LLM client, or None when no server answers. The server is probed at most every LLM_PROBE_S
    seconds per browser session, not on every rerun; a call that then fails says so itself."""
    probed = st.session_state.get("_llm_probe")
    if probed is not None and time.monotonic() - probed[0] < LLM_PROBE_S:
        return probed[1]
    try:
        found = make_client(settings())
    except LLMUnavailable:
        found = None
    st.session_state["_llm_probe"] = (time.monotonic(), found)
    return found


def language() -> str:
    return st.session_state.get("ui_language", "zh")


def sampling() -> SamplingSettings:
    return st.session_state.get("sampling") or SamplingSettings.from_settings(settings())


def sidebar() -> None:
    """Server status, persona, language and the sampling settings applied to every call."""
    cfg = settings()
    with st.sidebar:
        indexes = list_indexes(cfg.indexes_dir)
        if indexes and "ui_language" not in st.session_state:
            opened = open_index()
            first = opened.loaded.items[0].question if opened and opened.loaded.items else ""
            st.session_state.ui_language = detect_language(first, "zh") if first else "zh"
        st.radio("Language / 语言", ["zh", "en"], key="ui_language", horizontal=True,
                 format_func=lambda code: "中文" if code == "zh" else "English")
        lang = language()
        if indexes:
            current = index_name() if index_name() in indexes else indexes[0]
            st.selectbox(t("active_index", lang), indexes, index=indexes.index(current), key="index_name")
        llm = client()
        if llm is None:
            st.error(t("llm_down", lang) + "`coach llm serve`")
        else:
            st.success(f"LLM: {llm.model}")
        st.selectbox(t("persona", lang), list(PERSONAS), key="persona")
        st.subheader(t("sampling", lang))
        base = SamplingSettings.from_settings(cfg)
        temperature = st.slider("temperature", 0.0, 2.0, base.temperature, 0.05, key="s_temperature")
        top_k = st.slider("top-k (-1 = off)", -1, 200, base.top_k, key="s_top_k")
        top_p = st.slider("top-p", 0.05, 1.0, base.top_p, 0.05, key="s_top_p")
        min_p = st.slider("min-p", 0.0, 0.5, base.min_p, 0.01, key="s_min_p")
        seed = st.number_input("seed", 0, 2**31 - 1, base.seed or 0, key="s_seed")
        max_tokens = st.slider("max tokens", 16, 1024, base.max_tokens, 16, key="s_max_tokens")
        st.session_state.sampling = base.model_copy(update={
            "temperature": temperature, "top_k": top_k, "top_p": top_p, "min_p": min_p,
            "seed": int(seed), "max_tokens": max_tokens})
