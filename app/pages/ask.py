"""Ask: the tutor answers questions from the notes, with citations that open to the source chunk."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import streamlit as st  # noqa: E402

from app.i18n import t  # noqa: E402
from app.shared import client, language, open_index, sampling, settings  # noqa: E402
from app.widgets import highlight  # noqa: E402
from coach import runtime  # noqa: E402
from coach.errors import USER_ERRORS, LLMUnavailable  # noqa: E402
from coach.tutor import Tutor  # noqa: E402

lang = language()
index = open_index()
if index is None:
    st.stop()
history: list[dict] = st.session_state.setdefault("ask_history", [])


def show(entry: dict) -> None:
    st.markdown(entry["content"])
    if entry.get("from_notes"):
        st.caption(t("from_notes", lang) + ": " + " ".join(entry["from_notes"]))
    for citation in entry.get("citations", []):
        with st.expander(f"[{citation['n']}] Q{citation['item_id']} · {citation['section']}"):
            st.markdown(highlight(citation["text"], entry.get("from_notes", [])))
            st.caption(citation["source"])


for entry in history:
    with st.chat_message(entry["role"]):
        show(entry)

if st.session_state.get("ask_error"):
    st.error(st.session_state.ask_error + " " + t("kept", lang))
    st.text_area("…", st.session_state.get("ask_pending", ""), key="ask_pending_box")

if question := st.chat_input(t("your_question", lang), key="ask_input"):
    with st.chat_message("user"):
        st.markdown(question)
    llm = client()
    try:
        if llm is None:
            raise LLMUnavailable("No LLM server is reachable (`coach llm serve`).")
        turns = [{"role": e["role"], "content": e["content"]} for e in history]
        result, pieces = Tutor(index.retriever, settings()).stream(question, turns, llm, sampling())
        with st.chat_message("assistant"):
            result.answer = st.write_stream(pieces)
            show({"content": "", "from_notes": result.from_notes,
                  "citations": [c.__dict__ for c in result.citations]})
    except USER_ERRORS as exc:
        st.session_state.ask_error, st.session_state.ask_pending = str(exc), question
        st.rerun()
    store = runtime.store(settings())
    session = st.session_state.setdefault("ask_session", store.create_session("ask", index.loaded.name, model=llm.model))
    store.add_turn(session, "user", "ask", question)
    store.add_turn(session, "tutor", "answer", result.answer, sampling=result.sampling, model=llm.model)
    st.session_state.ask_error = ""
    history.append({"role": "user", "content": question})
    history.append({"role": "assistant", "content": result.answer, "from_notes": result.from_notes,
                    "citations": [c.__dict__ for c in result.citations]})
    st.rerun()
