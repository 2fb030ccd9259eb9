"""Reliability: fuzzed loaders and parser, concurrent sessions on one SQLite file, input limits."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coach import runtime
from coach.cli import app
from coach.errors import InputTooLong
from coach.interviewer import InterviewEngine
from coach.sessions import SessionStore
from ingest.chunking import chunk_item
from ingest.clean import clean_text
from ingest.errors import IngestError
from ingest.items import parse_items
from ingest.loaders import decode_text
from ingest.models import Document

_TEXTISH = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=800)


@hsettings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_decoding_arbitrary_bytes_never_crashes(data: bytes) -> None:
    try:
        assert isinstance(decode_text(data, "fuzz.txt"), str)
    except IngestError:
        pass


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TEXTISH, st.sampled_from(["问题一:什么是LoRA?", "Q2. What is DDPM?", "## Heading",
                                                       "- **1. 概述**", "相关文章:", "x 0 x_0 x0", "1. Why?", "```"])),
                max_size=30))
def test_cleaning_parsing_and_chunking_never_crash(lines: list[str]) -> None:
    text = clean_text("\n".join(lines))
    for item in parse_items(Document("fuzz", "t", text)):
        assert item.question and item.reference_answer
        for chunk in chunk_item(item, 60, 10):
            assert chunk.text and chunk.char_start <= chunk.char_end


def test_twenty_concurrent_interviews_share_one_sqlite_file(seed_index, settings, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions.sqlite3")
    engine = InterviewEngine(seed_index, runtime.grader(settings), store, settings, None, runtime.judge(settings))
    errors: list[BaseException] = []
    sessions: dict[int, str] = {}

    def run(worker: int) -> None:
        try:
            state, _ = engine.start(order="order", limit=2)
            sessions[worker] = state.session_id
            engine.respond(state, f"worker {worker}: LoRA 主要节省显存，只训练低秩矩阵。")
            engine.respond(state, "skip")
            engine.respond(state, "end")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    assert len(set(sessions.values())) == 20
    for worker, session_id in sessions.items():
        answers = [t.content for t in store.turns(session_id) if t.kind == "answer"]
        assert answers == [f"worker {worker}: LoRA 主要节省显存，只训练低秩矩阵。"]  # nothing mixed in


def test_answer_length_limit_is_named(seed_index, settings, tmp_path: Path) -> None:
    engine = InterviewEngine(seed_index, runtime.grader(settings), SessionStore(tmp_path / "s.sqlite3"), settings,
                             None, runtime.judge(settings))
    state, _ = engine.start(limit=1)
    with pytest.raises(InputTooLong, match="COACH_MAX_ANSWER_CHARS"):
        engine.respond(state, "x" * (settings.max_answer_chars + 1))
    too_long = "x" * (settings.max_answer_chars + 1)  # the CLI says the same, from the same check
    result = CliRunner().invoke(app, ["grade", "--item", "1", "--answer", too_long, "--name", "seed", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout.splitlines()[0]) == {
        "error": f"The answer is {len(too_long)} characters, over the limit of {settings.max_answer_chars} "
                 "(COACH_MAX_ANSWER_CHARS)."}


def test_ingest_cli_error_leaves_the_index_untouched(seed_index, settings, tmp_path: Path) -> None:
    before = (settings.index_dir("seed") / "manifest.json").read_bytes()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(app, ["ingest", str(empty), "--name", "seed"])
    assert result.exit_code == 1 and "is empty" in result.stderr and "Traceback" not in result.output
    assert (settings.index_dir("seed") / "manifest.json").read_bytes() == before
