"""Process-wide handles (embedder, loaded indexes, retrievers) shared by the CLI and the UI."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from llama_index.core import Settings as LlamaSettings
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import MockLLM

from coach.calibration import calibration_for
from coach.config import CoachSettings
from coach.errors import JudgeUnavailable
from coach.grading.grader import Grader
from coach.interviewer import InterviewEngine
from coach.llm.client import LLMClient
from coach.sessions import SessionStore
from coach.tutor import Tutor
from index.embedders import bundled_e5_dir, embedder_id, make_embedder, token_counter
from index.hybrid import HybridRetriever, OpenIndex
from index.language_axis import language_axis
from index.store import Manifest, build_index, load_index
from ingest.pipeline import ingest_paths

if TYPE_CHECKING:
    from coach.grading.judge import Judge

_lock = threading.Lock()
_embedders: dict[str, BaseEmbedding] = {}
_indexes: dict[tuple[str, str, str], "OpenIndex"] = {}
_graders: dict[str, Grader] = {}
_stores: dict[str, SessionStore] = {}
_judge: list = []  # [models_dir, Judge] once loaded


def embedder(settings: CoachSettings, report: Callable[[str], None] = lambda _: None) -> BaseEmbedding:
    key = f"{embedder_id(settings.embed_model)}@{settings.embed_engine}"
    with _lock:
        if key not in _embedders:
            _embedders[key] = make_embedder(settings.embed_model, settings.models_dir, settings.embed_batch_size,
                                            settings.embed_query_instruction, settings.embed_text_instruction,
                                            report, settings.embed_engine)
            # Explicit, so llama-index never reaches for OpenAI on its own.
            LlamaSettings.embed_model = _embedders[key]
            LlamaSettings.llm = MockLLM()
        return _embedders[key]


def open_index(name: str, settings: CoachSettings) -> OpenIndex:
    model = embedder(settings)
    directory = settings.index_dir(name)
    stamp = str((directory / "manifest.json").stat().st_mtime_ns) if (directory / "manifest.json").exists() else ""
    key = (str(directory), embedder_id(settings.embed_model), stamp)
    with _lock:
        if key not in _indexes:
            loaded = load_index(directory, model, settings.embed_model)
            # A re-indexed name replaces its older copy: memory holds one FAISS index per name and embedder.
            for stale in [k for k in _indexes if k[:2] == key[:2]]:
                del _indexes[stale]
            retriever = HybridRetriever(loaded, settings.rrf_k, language_axis(settings.embed_model),
                                         settings.retrieve_per_item)
            _indexes[key] = OpenIndex(loaded, retriever)
        return _indexes[key]


def ingest_and_index(
    paths: list[Path],
    name: str,
    settings: CoachSettings,
    on_document: Callable[[Path], None] | None = None,
    on_embedded: Callable[[int, int], None] | None = None,
) -> Manifest:
    corpus = ingest_paths(
        paths,
        max_mb=settings.max_file_mb,
        chunk_tokens=settings.chunk_tokens,
        overlap_tokens=settings.chunk_overlap_tokens,
        on_document=on_document,
        count=token_counter(embedder(settings)),
    )
    return build_index(corpus, settings.index_dir(name), embedder(settings), settings.embed_model,
                       settings.embed_batch_size, settings.max_chunks, on_embedded)


def grader(settings: CoachSettings) -> Grader:
    """The shared grader, reading with the trained judge; with COACH_LLM_JUDGE on, the configured LLM
    joins in as a rubric judge."""
    key = embedder_id(settings.embed_model)
    model = embedder(settings)
    with _lock:
        shared = _graders.get(key)
    if shared is None:
        shared = _graders.setdefault(key, Grader(model, calibration_for(settings.embed_model)))
    if shared.judge is None:
        shared.judge = judge(settings)
    if settings.llm_judge and shared.llm_judge is None:
        from coach.grading.llm_judge import llm_judge
        from coach.llm.serving.endpoint import make_client

        shared.llm_judge = llm_judge(make_client(settings))
    return shared


def judge(settings: CoachSettings) -> Judge:
    """The trained answer judge, loaded once per process over the converted base model."""
    with _lock:
        if not _judge or _judge[0] != settings.models_dir:
            from coach.grading.judge import load_judge

            try:
                loaded = load_judge(bundled_e5_dir(settings.models_dir))
            except (FileNotFoundError, ValueError) as exc:
                raise JudgeUnavailable(str(exc)) from exc
            _judge[:] = [settings.models_dir, loaded]
        return _judge[1]


def interview_engine(name: str, settings: CoachSettings, client: Callable[[], LLMClient] | None) -> InterviewEngine:
    """The interviewer over index NAME: the shared grader, the judge for follow-ups, the session store."""
    return InterviewEngine(open_index(name, settings), grader(settings), store(settings), settings, client,
                           judge(settings))


def tutor(name: str, settings: CoachSettings) -> Tutor:
    """The tutor over index NAME, checking what the LLM writes with the judge."""
    return Tutor(open_index(name, settings).retriever, settings, judge(settings), grader(settings).embed)


def store(settings: CoachSettings) -> SessionStore:
    key = str(settings.sessions_db)
    with _lock:
        if key not in _stores:
            _stores[key] = SessionStore(settings.sessions_db)
        return _stores[key]
