"""Sampling Lab: the next-token distribution at each sampling stage, and the same prompt over a grid."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app.shared import client, open_index, sampling, settings
from coach import runtime
from coach.errors import USER_ERRORS
from coach.lab.distribution import stages
from coach.lab.engine import beam_vs_greedy, grid, token_steps

llm = client()
if llm is None:
    st.error("The LLM server is unavailable: run `coach llm serve`.")
    st.stop()
index = open_index()
default_prompt = index.loaded.items[0].question if index and index.loaded.items else "What does top-k sampling do?"
prompt = st.text_area("prompt", default_prompt, key="lab_prompt")
current = sampling()

st.subheader("Next-token distribution")
st.caption("vLLM returns raw logprobs (before temperature and truncation, top 20 per position). Each stage "
           "below is recomputed here from them: p_i = exp(z_i/T) / Σ_j exp(z_j/T), then the top-k cut, then "
           "the top-p cut, renormalised each time (over the 20 shown tokens).")
steps = st.slider("tokens to generate", 1, 24, 8, key="lab_steps")
if st.button("Generate with logprobs", key="lab_logprobs"):
    try:
        st.session_state.lab_tokens = token_steps(llm, prompt, current, steps)
    except USER_ERRORS as exc:
        st.error(str(exc))
tokens = st.session_state.get("lab_tokens") or []
if tokens:
    position = st.slider("step through tokens", 0, len(tokens) - 1, 0, key="lab_position")
    st.markdown("".join(f"**[{t.token}]**" if i == position else t.token for i, t in enumerate(tokens)))
    views = stages(tokens[position].top, current.temperature, current.top_k, current.top_p)
    frame = pd.DataFrame([{"stage": s.name, "token": repr(tok), "probability": p}
                          for s in views for tok, p in s.probabilities[:12]])
    st.altair_chart(alt.Chart(frame).mark_bar().encode(
        x=alt.X("token:N", sort=None), y="probability:Q", column=alt.Column("stage:N", sort=[v.name for v in views])),
        use_container_width=False)
    kept = [sum(1 for _, p in s.probabilities if p > 0) for s in views]
    st.caption(f"T={current.temperature:g}, top-k={current.top_k}, top-p={current.top_p:g}: tokens with "
               f"probability > 0 per stage: {kept}")

st.subheader("Side by side")
samples = st.slider("samples per cell", 2, 6, 3, key="lab_samples")
if st.button("Run the grid  (T ∈ {0, 0.7, 1.5} × top-k ∈ {1, 10, 100})", key="lab_grid"):
    with st.status("sampling the grid…") as status:
        base = current.model_copy(update={"max_tokens": min(current.max_tokens, 48), "n": 1})
        result = grid(llm, prompt, base, runtime.embedder(settings()).get_text_embedding_batch, samples=samples)
        st.session_state.lab_grid_result = result
        st.session_state.lab_beam = beam_vs_greedy(llm, prompt, base)
        status.update(label="done", state="complete")
result = st.session_state.get("lab_grid_result")
if result:
    table = pd.DataFrame([cell.to_dict() for cell in result.cells])
    st.dataframe(table, hide_index=True)
    st.altair_chart(alt.Chart(table).mark_circle(size=120).encode(
        x="distinct_2:Q", y="mean_pairwise_similarity:Q", color="temperature:N", shape="top_k:N",
        tooltip=list(table.columns)), use_container_width=True)
    for temperature in sorted({run.sampling.temperature for run in result.runs}):
        columns = st.columns(3)
        cells = sorted({run.sampling.top_k for run in result.runs})
        for column, top_k in zip(columns, cells):
            column.markdown(f"**T={temperature:g}, top-k={top_k}**")
            for run in result.runs:
                if run.sampling.temperature == temperature and run.sampling.top_k == top_k:
                    column.caption(run.text)
    beam = st.session_state.get("lab_beam")
    if beam:
        left, right = st.columns(2)
        left.markdown("**greedy**")
        left.caption(beam.greedy)
        right.markdown("**beam search**")
        for text in beam.beams:
            right.caption(text)
