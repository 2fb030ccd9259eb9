"""Interview: the interviewer asks from the active index, grades each answer, follows up."""

from __future__ import annotations

import streamlit as st

from app.i18n import t
from app.shared import client, language, open_index, sampling, settings
from app.widgets import render_grade, stream_words
from coach import runtime
from coach.errors import USER_ERRORS
from coach.interviewer import Message

lang = language()
index = open_index()
if index is None:
    st.stop()
llm = client()
engine = runtime.interview_engine(index.loaded.name, settings(), (lambda: llm) if llm else None)

order = st.segmented_control(t("order", lang), ["order", "weakness"], default="order", key="iv_order") or "order"
if st.session_state.get("iv_index") != index.loaded.name or st.button(t("restart", lang)):
    with st.spinner("…"):
        state, messages = engine.start(order=order, persona=st.session_state.get("persona", "friendly"),
                                       language=lang, sampling=sampling())
    st.session_state.iv_index = index.loaded.name
    st.session_state.iv_state = state
    st.session_state.iv_log = list(messages)
    st.session_state.iv_fresh = set(range(len(messages)))  # streamed once, then drawn whole
state = st.session_state.iv_state


def send(text: str) -> None:
    state.language = lang  # the sidebar's language switch applies from the next message on
    st.session_state.iv_log.append(Message("candidate", "answer", text))
    try:
        replies = engine.respond(state, text, sampling())
    except USER_ERRORS as exc:
        st.session_state.iv_log.pop()
        st.session_state.iv_pending = text  # never lose what the person typed
        st.session_state.iv_error = str(exc)
        return
    st.session_state.iv_pending = ""
    st.session_state.iv_error = ""
    log = st.session_state.iv_log
    st.session_state.iv_fresh.update(range(len(log), len(log) + len(replies)))
    log.extend(replies)


for number, entry in enumerate(st.session_state.iv_log):
    role = "user" if entry.role == "candidate" else "assistant"
    with st.chat_message(role):
        if entry.grade is not None:
            render_grade(entry.grade, lang)
        elif number in st.session_state.iv_fresh and entry.kind in ("follow_up", "question"):
            st.write_stream(stream_words(entry.content))
        else:
            st.markdown(entry.content)
        st.session_state.iv_fresh.discard(number)

if st.session_state.get("iv_error"):
    st.error(st.session_state.iv_error + " " + t("kept", lang))
    st.text_area("…", st.session_state.get("iv_pending", ""), key="iv_pending_box")

if state.phase != "done":
    # Callbacks run before the next script run, so the transcript above is drawn already updated.
    columns = st.columns(3)
    for column, command in zip(columns, ["skip", "hint", "reference"]):
        column.button(t(command, lang), key=f"iv_{command}", use_container_width=True, on_click=send, args=(command,))
    st.chat_input(t("your_answer", lang), key="iv_input",
                  on_submit=lambda: send(st.session_state.iv_input or ""))
