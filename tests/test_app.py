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


def test_library_lists_the_items_of_the_active_index() -> None:
    library = AppTest.from_file(str(APP / "pages" / "library.py"), default_timeout=60).run()
    assert not library.exception and len(library.expander) == 9


def test_progress_shows_every_score_weakest_first(settings, monkeypatch) -> None:
    from coach import runtime

    monkeypatch.setenv("COACH_INDEX_NAME", "progress-check")  # grades of this test only
    store = runtime.store(settings)
    session = store.create_session("interview", "progress-check", "friendly", "en", "", title="progress")
    store.add_grade(session, None, 5, "ControlNet?", 7.5, {"missed": []})
    store.add_grade(session, None, 2, "PyTorch pipeline?", 0.0, {"missed": [{"point": "DataLoader batches"}]})
    store.add_grade(session, None, 2, "PyTorch pipeline?", 1.0, {"missed": [{"point": "DataLoader batches"}]})
    at = AppTest.from_file(str(APP / "pages" / "progress.py"), default_timeout=60).run()
    assert not at.exception
    assert "Q2 PyTorch pipeline?" in _markdown(at) and "0.5/10" in _markdown(at)  # study next: the weakest
    assert any("DataLoader batches" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert list(table["Q"]) == ["Q2", "Q5"] and list(table.iloc[:, 2]) == [0.5, 7.5]
    assert all(len(when) == 16 and when[:2] == "20" for when in table.iloc[:, -1])  # real dates, not ".781"


def test_sampling_lab_draws_the_stages() -> None:
    at = AppTest.from_file(str(APP / "pages" / "sampling_lab.py"), default_timeout=120).run()
    at.button(key="lab_logprobs").click().run()
    assert not at.exception
    assert any("tokens with probability > 0 per stage" in c.value for c in at.caption)


def test_without_a_chosen_index_the_app_opens_the_sample_corpus(sample_index, monkeypatch) -> None:
    """`make run` ingests sample_corpus/ as 'default'; the app opens it when no index is named."""
    monkeypatch.delenv("COACH_INDEX_NAME")
    at = AppTest.from_file(str(APP / "main.py"), default_timeout=120).run()
    assert not at.exception
    assert sample_index.loaded.items[0].question[:30] in _markdown(at)
    assert all(source.startswith(str(SAMPLE)) for source in sample_index.loaded.manifest.documents)
