"""Progress: scores over time per question, weakest first, and session export."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from app.i18n import t  # noqa: E402
from app.shared import index_name, language, settings  # noqa: E402
from coach import runtime  # noqa: E402
from coach.export import export_json, export_markdown  # noqa: E402

lang = language()
store = runtime.store(settings())
grades = store.grades(index_name=index_name())
if not grades:
    st.info(t("no_grades", lang))
else:
    frame = pd.DataFrame(grades)
    frame["when"] = pd.to_datetime(frame["created"], unit="s")
    frame["question"] = "Q" + frame["item_id"].astype(str) + " " + frame["question"].str.slice(0, 30)
    means = frame.groupby("question", as_index=False)["score"].mean().sort_values("score")
    st.subheader(t("weakest", lang))
    st.altair_chart(alt.Chart(means).mark_bar().encode(
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 10])), y=alt.Y("question:N", sort="x"),
        color=alt.Color("score:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 10]), legend=None)),
        use_container_width=True)
    st.altair_chart(alt.Chart(frame).mark_line(point=True).encode(
        x="when:T", y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 10])), color="question:N"),
        use_container_width=True)

st.subheader(t("export", lang))
sessions = store.sessions()
if sessions:
    chosen = st.selectbox("session", [s["id"] for s in sessions], key="pg_session",
                          format_func=lambda sid: next(f"{s['id']} · {s['kind']} · {s['title'] or ''}"
                                                       for s in sessions if s["id"] == sid))
    left, right = st.columns(2)
    left.download_button("Markdown", export_markdown(store, chosen), f"session-{chosen}.md", key="pg_md")
    right.download_button("JSON", json.dumps(export_json(store, chosen), ensure_ascii=False, indent=2),
                          f"session-{chosen}.json", key="pg_json")
