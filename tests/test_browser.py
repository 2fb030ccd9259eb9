"""End to end: a real `streamlit run` on 127.0.0.1 driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots go to a temporary folder; `make screenshots` points COACH_UI_SHOTS at eval/results/ui."""
    folder = Path(os.environ.get("COACH_UI_SHOTS") or tmp_path_factory.mktemp("ui-shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _drain(stream, log: Path, ready: threading.Event) -> None:
    """Read the server's output to the end (a full pipe would block it); flag the line that says it listens."""
    with log.open("w", encoding="utf-8") as sink:
        for line in stream:
            sink.write(line)
            sink.flush()
            if "URL:" in line:
                ready.set()
    ready.set()  # the server exited: stop waiting, the health check below says what went wrong


@pytest.fixture(scope="module")
def streamlit_url(seed_index, llm_server, coach_home, tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "COACH_HOME": str(coach_home), "COACH_INDEX_NAME": "seed"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    ready = threading.Event()
    threading.Thread(target=_drain, args=(process.stdout, log, ready), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        ready.wait(timeout=120)
        health = httpx.get(f"{url}/_stcore/health", timeout=10) if process.poll() is None else None
        if health is None or health.status_code != 200:
            pytest.fail(f"Streamlit did not become healthy on {url}:\n{log.read_text('utf-8')[-3000:]}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(streamlit_url):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is required (apt-get install chromium; .ci/run does it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _last_message(page) -> str:
    return page.get_by_test_id("stChatMessage").last.inner_text()


def test_interview_partial_answer_follow_up_then_next_question(page, streamlit_url, shots: Path) -> None:
    page.goto(streamlit_url)
    page.get_by_text("LoRA是用在节省资源的场景下").first.wait_for(timeout=120_000)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("LoRA 可以节省一些资源，因为训练的参数少。")
    box.press("Enter")
    page.get_by_text("/10").first.wait_for(timeout=120_000)
    page.get_by_test_id("stChatMessage").nth(3).wait_for(timeout=60_000)  # question, answer, feedback, follow-up
    follow_up = _last_message(page)
    assert follow_up.rstrip().endswith(("？", "?")) and "提示" not in follow_up
    page.screenshot(path=str(shots / "interview.png"), full_page=True)
    box.fill("它冻结原模型的参数，只训练低秩矩阵 A 和 B，所以梯度和优化器状态占的显存少很多。")
    box.press("Enter")
    page.get_by_text("/10").nth(1).wait_for(timeout=120_000)
    page.get_by_text("pytorch", exact=False).first.wait_for(timeout=120_000)  # the next question (item 2)
    page.screenshot(path=str(shots / "interview-next.png"), full_page=True)


def test_ask_shows_only_checked_sentences_with_citations(page, streamlit_url, shots: Path) -> None:
    question, status = "DDPM 的简化损失函数是什么？", "笔记支持"
    page.goto(f"{streamlit_url}/ask")
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=60_000)
    box.fill(question)
    box.press("Enter")
    try:
        page.get_by_text(status).first.wait_for(timeout=180_000)  # the check's verdict, while it is drawn
        page.get_by_test_id("stChatMessage").nth(1).wait_for(timeout=60_000)  # then the question and the answer
    except Exception:
        page.screenshot(path=str(shots / "ask-failure.png"), full_page=True)
        raise
    answer = _last_message(page)
    assert "[1]" in answer or "[2]" in answer  # every shown sentence carries the citation that supports it
    page.get_by_test_id("stExpander").last.click()
    page.screenshot(path=str(shots / "ask.png"), full_page=True)


def test_ask_in_english_after_the_language_switch(page, streamlit_url, shots: Path) -> None:
    """The sidebar's switch turns the page to English, and an English question gets an English answer
    (the model's checked sentences, or the notes quoted under an English header), cited."""
    from ingest.language import detect_language

    page.goto(f"{streamlit_url}/ask")
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    box = page.get_by_placeholder("Ask about your notes…")
    box.wait_for(timeout=60_000)
    box.fill("What is the simplified training loss of DDPM?")
    box.press("Enter")
    try:
        page.get_by_text("sentences supported by your notes").first.wait_for(timeout=180_000)
    except Exception:
        page.screenshot(path=str(shots / "ask-en-failure.png"), full_page=True)
        raise
    answer = _last_message(page)
    assert "[1]" in answer or "[2]" in answer
    assert detect_language(answer.splitlines()[0]) == "en", answer
    page.screenshot(path=str(shots / "ask-en.png"), full_page=True)


@pytest.mark.parametrize("path", ["sampling_lab", "progress", "library"])
def test_every_page_renders(page, streamlit_url, shots: Path, path: str) -> None:
    page.goto(f"{streamlit_url}/{path}")
    page.get_by_test_id("stMain").wait_for(timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_text("LLM").first.wait_for(timeout=60_000)
    assert not page.get_by_test_id("stException").count()
    page.screenshot(path=str(shots / f"{path}.png"), full_page=True)


def test_parallel_browser_sessions_do_not_mix(browser, streamlit_url) -> None:
    """Four people at once on one server: each sees only their own answer and grade."""
    pages = [browser.new_context(locale="zh-CN").new_page() for _ in range(4)]
    for page in pages:
        page.goto(streamlit_url)
    for page in pages:
        page.get_by_text("LoRA是用在节省资源的场景下").first.wait_for(timeout=120_000)
    for number, page in enumerate(pages):
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(f"候选人{number}号：LoRA 主要节省显存。")
        box.press("Enter")
    for number, page in enumerate(pages):
        page.get_by_text("/10").first.wait_for(timeout=120_000)
        text = page.inner_text("body")
        assert f"候选人{number}号" in text
        assert not any(f"候选人{other}号" in text for other in range(4) if other != number)
