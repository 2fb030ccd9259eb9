"""End to end: a real `streamlit run` on 127.0.0.1 driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "eval" / "results" / "ui"
pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def streamlit_url(seed_index, llm_server, coach_home):
    port = _free_port()
    env = {**os.environ, "COACH_HOME": str(coach_home), "COACH_INDEX_NAME": "seed"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)  # waiting for another process's port, not synchronising our own code
    yield url
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


def test_one_interview_turn_and_one_ask(page, streamlit_url) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(streamlit_url)
    page.get_by_text("LoRA是用在节省资源的场景下").first.wait_for(timeout=120_000)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("LoRA 主要节省的是显存：冻结原模型，只训练低秩矩阵，梯度和优化器状态都少了很多。")
    box.press("Enter")
    page.get_by_text("/10").first.wait_for(timeout=120_000)
    page.get_by_text("得分").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "interview.png"), full_page=True)

    page.goto(f"{streamlit_url}/ask")
    box = page.get_by_test_id("stChatInputTextArea")
    box.wait_for(timeout=60_000)
    box.fill("DDPM 的简化损失函数是什么？")
    box.press("Enter")
    try:
        page.get_by_text("详细介绍一下DDPM").first.wait_for(timeout=180_000)
    except Exception:
        page.screenshot(path=str(SHOTS / "ask-failure.png"), full_page=True)
        raise
    page.get_by_test_id("stExpander").first.click()
    page.screenshot(path=str(SHOTS / "ask.png"), full_page=True)
    assert (SHOTS / "interview.png").stat().st_size > 10_000 and (SHOTS / "ask.png").stat().st_size > 10_000


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
