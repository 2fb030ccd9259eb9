"""Progress: every score per question over time, weakest first, what to study next, session export."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from app.i18n import t
from app.shared import index_name, language, settings
from coach import runtime
from coach.export import export_json, export_markdown
from coach.progress import item_progress, score_history

lang = language()
store = runtime.store(settings())
rows = item_progress(store, index_name())
if not rows:
    st.info(t("no_grades", lang))
else:
    weakest = rows[0]
    st.subheader(t("study_next", lang))
    st.markdown(t("study_next_line", lang).format(id=weakest.item_id, question=weakest.question,
                                                    mean=weakest.mean, attempts=weakest.attempts))
    if weakest.most_missed:
        st.caption(t("most_missed", lang) + weakest.most_missed[:160])
    st.subheader(t("weakest", lang))
    table = pd.DataFrame([{"Q": f"Q{r.item_id}", t("question", lang): r.question[:60], t("mean", lang): r.mean,
                           t("latest", lang): r.latest, t("best", lang): r.best, t("attempts", lang): r.attempts,
                           t("last_practised", lang): r.last_practised.strftime("%Y-%m-%d %H:%M")} for r in rows])
    st.dataframe(table, hide_index=True, use_container_width=True)
    means = pd.DataFrame({"question": [f"Q{r.item_id} {r.question[:24]}" for r in rows], "score": [r.mean for r in rows]})
    bars = alt.Chart(means).mark_bar().encode(
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 10])), y=alt.Y("question:N", sort="x"),
        color=alt.Color("score:Q", scale=alt.Scale(scheme="redyellowgreen", domain=[0, 10]), legend=None))
    labels = alt.Chart(means).mark_text(align="left", dx=4).encode(  # a 0/10 has no bar but keeps its label
        x="score:Q", y=alt.Y("question:N", sort="x"), text=alt.Text("score:Q", format=".1f"))
    st.altair_chart(bars + labels, use_container_width=True)
    history = pd.DataFrame([{"when": p.when, "score": p.score, "question": f"Q{p.item_id}"}
                            for p in score_history(store, index_name())])
    st.altair_chart(alt.Chart(history).mark_line(point=True).encode(
        x=alt.X("when:T", axis=alt.Axis(format="%m-%d %H:%M", title=None)),
        y=alt.Y("score:Q", scale=alt.Scale(domain=[0, 10])), color="question:N",
        tooltip=[alt.Tooltip("when:T", format="%Y-%m-%d %H:%M:%S"), "question:N", "score:Q"]),
        use_container_width=True)

st.subheader(t("export", lang))
sessions = store.sessions()
if sessions:
    chosen = st.selectbox("session", [s.id for s in sessions], key="pg_session",
                          format_func=lambda sid: next(f"{s.id} · {s.kind} · {s.title or ''}"
                                                       for s in sessions if s.id == sid))
    left, right = st.columns(2)
    left.download_button("Markdown", export_markdown(store, chosen), f"session-{chosen}.md", key="pg_md")
    right.download_button("JSON", json.dumps(export_json(store, chosen), ensure_ascii=False, indent=2),
                          f"session-{chosen}.json", key="pg_json")
