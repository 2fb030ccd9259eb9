"""Library: upload documents, (re)build an index with progress, choose the active one, list its items."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.i18n import t
from app.shared import language, open_index, settings
from coach import runtime
from coach.errors import USER_ERRORS
from ingest.errors import IngestError
from ingest.loaders import SUPPORTED_SUFFIXES, check_size

lang = language()
cfg = settings()
uploads = st.file_uploader(t("upload", lang), type=sorted(suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES),
                           accept_multiple_files=True, key="lib_files")
name = st.text_input(t("index_name", lang), value=st.session_state.get("index_name", "default"), key="lib_name")
if st.button(t("build", lang), disabled=not uploads, key="lib_build"):
    folder = cfg.home / "uploads" / name
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for upload in uploads:
        try:
            check_size(upload.name, upload.size, cfg.max_file_mb)
        except IngestError as exc:
            st.error(str(exc))
            st.stop()
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        paths.append(path)
    with st.status("indexing…", expanded=True) as status:
        bar = st.progress(0.0)
        try:
            manifest = runtime.ingest_and_index(
                paths, name, cfg,
                on_document=lambda path: st.write(f"read {path.name}"),
                on_embedded=lambda done, total: bar.progress(done / total, text=f"{done}/{total} chunks"))
        except USER_ERRORS as exc:  # the previous index stays untouched (atomic swap)
            status.update(label=str(exc), state="error")
            st.stop()
        status.update(label=f"{manifest.items} questions · {manifest.chunks} chunks", state="complete")
    st.session_state.index_name = name

index = open_index()
if index is not None:
    st.subheader(f"{index.loaded.name}: {len(index.loaded.items)}")
    for item in index.loaded.items:
        with st.expander(f"Q{item.id}. {item.question}"):
            st.markdown("\n".join(f"- {point}" for point in item.key_points))
            st.caption(item.source)
