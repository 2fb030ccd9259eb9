"""Ask: the tutor answers from the notes; only sentences the notes support are shown, each cited, and
a citation opens to its source chunk."""

from __future__ import annotations

import streamlit as st

from app.i18n import t
from app.shared import client, language, open_index, sampling, settings
from app.widgets import highlight
from coach import runtime
from coach.errors import USER_ERRORS, LLMUnavailable
from coach.tutor import save_exchange

lang = language()
index = open_index()
if index is None:
    st.stop()
history: list[dict] = st.session_state.setdefault("ask_history", [])


def show(entry: dict) -> None:
    st.markdown(entry["content"])
    if entry.get("checked"):
        st.caption(entry["checked"])  # the check's verdict stays with the answer it belongs to
    if entry.get("source") == "notes":
        st.caption(t("small_model", lang))
    if entry.get("left_out"):
        with st.expander(t("left_out", lang).format(n=len(entry["left_out"]))):
            for left in entry["left_out"]:
                st.markdown(f"~~{left}~~")
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
        with st.status(t("checking", lang), expanded=False):
            result = runtime.tutor(index.loaded.name, settings()).answer(question, turns, llm, sampling())
    except USER_ERRORS as exc:
        st.session_state.ask_error, st.session_state.ask_pending = str(exc), question
        st.rerun()
    store = runtime.store(settings())
    if "ask_session" not in st.session_state:  # one session per conversation, created with its first exchange
        st.session_state.ask_session = store.create_session("ask", index.loaded.name, model=llm.model)
    save_exchange(store, st.session_state.ask_session, question, result)
    st.session_state.ask_error = ""
    history.append({"role": "user", "content": question})
    history.append({"role": "assistant", "content": result.answer, "from_notes": result.from_notes,
                    "source": result.source, "left_out": [c.text for c in result.left_out],
                    "checked": "" if result.declined else t("checked", lang).format(
                        kept=sum(c.supported for c in result.checked), written=len(result.checked)),
                    "citations": [c.__dict__ for c in result.citations]})
    st.rerun()
