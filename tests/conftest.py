"""Shared fixtures: a temporary COACH_HOME, the real embedder and real indexes built once per session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "llm_interview_notes_zh.txt"
SAMPLE = ROOT / "sample_corpus"
EVAL_DATA = ROOT / "eval" / "data"


@pytest.fixture(scope="session")
def coach_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("coach-home")
    os.environ["COACH_HOME"] = str(home)
    from coach.config import get_settings

    get_settings.cache_clear()
    return home


@pytest.fixture(scope="session")
def settings(coach_home: Path):
    from coach.config import get_settings

    return get_settings()


@pytest.fixture(scope="session")
def seed_index(settings):
    """The real seed document, ingested and embedded once, as index 'seed'."""
    from coach import runtime

    assert SEED.exists(), f"the seed corpus is expected at {SEED}"
    runtime.ingest_and_index([SEED], "seed", settings)
    return runtime.open_index("seed", settings)


@pytest.fixture(scope="session")
def sample_index(settings):
    from coach import runtime

    runtime.ingest_and_index([SAMPLE], "default", settings)
    return runtime.open_index("default", settings)


def read_jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (EVAL_DATA / name).read_text("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def llm_server(settings):
    """The real embedded vLLM CPU server, started once for the whole session (about a minute)."""
    from coach.llm.sampling import SamplingSettings
    from coach.llm.serving.embedded import start_embedded, stop_server
    from coach.llm.serving.endpoint import make_client

    state = start_embedded(settings)
    # The first request pays vLLM's one-time warm-up; pay it here, not inside a test.
    make_client(settings).chat([{"role": "user", "content": "hi"}], SamplingSettings(max_tokens=4))
    yield state
    stop_server(settings)


@pytest.fixture(scope="session")
def llm(llm_server, settings):
    from coach.llm.serving.endpoint import make_client

    return make_client(settings)
