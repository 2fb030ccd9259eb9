"""Each page's logic in Streamlit's AppTest, against the real index, LLM server and SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SAMPLE

APP = Path(__file__).resolve().parents[1] / "app"
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def active_index(seed_index, llm_server):
    os.environ["COACH_INDEX_NAME"] = "seed"
    yield


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_interview_asks_grades_and_follows_up() -> None:
    at = AppTest.from_file(str(APP / "main.py"), default_timeout=120).run()
    assert not at.exception
    assert "LoRA" in _markdown(at)  # the landing page asks the first question on load
    at.chat_input(key="iv_input").set_value("LoRA 主要节省显存，只训练低秩矩阵。").run()
    assert not at.exception
    text = _markdown(at)
    assert "/10]" in text  # the score badge
    assert len(at.chat_message) >= 4  # question, answer, feedback, follow-up
    at.button(key="iv_skip").click().run()
    assert "pytorch" in _markdown(at).lower()


def test_ask_page_answers_with_citations() -> None:
    at = AppTest.from_file(str(APP / "pages" / "ask.py"), default_timeout=120).run()
    at.chat_input(key="ask_input").set_value("ControlNet 的零卷积有什么作用？").run()
    assert not at.exception
    assert any("零卷积" in e.label or "ControlNet" in e.label for e in at.expander)


def test_ask_page_keeps_the_question_when_the_server_is_down(monkeypatch) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("COACH_LLM_MODEL", "down")
    monkeypatch.setenv("COACH_LLM_RETRIES", "0")
    from coach.config import get_settings

    get_settings.cache_clear()
    try:
        at = AppTest.from_file(str(APP / "pages" / "ask.py"), default_timeout=60).run()
        at.chat_input(key="ask_input").set_value("what is beam search?").run()
        assert not at.exception
        assert at.error and "not reachable" in at.error[0].value
        assert at.text_area[0].value == "what is beam search?"
    finally:
        get_settings.cache_clear()


def test_library_lists_items_and_progress_shows_export() -> None:
    library = AppTest.from_file(str(APP / "pages" / "library.py"), default_timeout=60).run()
    assert not library.exception and len(library.expander) == 9
    progress = AppTest.from_file(str(APP / "pages" / "progress.py"), default_timeout=60).run()
    assert not progress.exception


def test_sampling_lab_draws_the_stages() -> None:
    at = AppTest.from_file(str(APP / "pages" / "sampling_lab.py"), default_timeout=120).run()
    at.button(key="lab_logprobs").click().run()
    assert not at.exception
    assert any("tokens with probability > 0 per stage" in c.value for c in at.caption)


def test_sample_corpus_is_the_default_index(sample_index) -> None:
    assert sample_index.loaded.name == "default" and SAMPLE.exists()
