"""The CLI contract for ingest / questions / retrieve, through typer's runner and the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from coach.cli import app
from tests.conftest import SEED

runner = CliRunner()


def test_ingest_questions_retrieve_json(seed_index, settings) -> None:
    result = runner.invoke(app, ["ingest", str(SEED), "--name", "cli", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) == {"name", "documents", "items", "chunks", "seconds"}
    assert summary["name"] == "cli" and summary["documents"] == 1 and summary["items"] == 9

    questions = json.loads(runner.invoke(app, ["questions", "--name", "cli", "--json"]).stdout)
    assert [q["id"] for q in questions] == list(range(1, 10))
    assert set(questions[0]) == {"id", "question", "section", "key_points"}

    hits = json.loads(runner.invoke(app, ["retrieve", "扩散模型的简化损失函数", "--k", "3", "--name", "cli", "--json"]).stdout)
    assert len(hits) == 3 and hits[0]["item_id"] == 3
    assert set(hits[0]) == {"rank", "score", "item_id", "section", "text", "source"}


def test_retrieve_reads_one_query_per_line_from_stdin(seed_index) -> None:
    result = runner.invoke(app, ["retrieve", "-", "--k", "1", "--name", "seed", "--json"],
                           input="what does top-k sampling do\nIP-Adapter 的解耦交叉注意力\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line[0]["item_id"] for line in lines] == [6, 7]


def test_errors_are_one_sentence_and_exit_1(coach_home: Path) -> None:
    result = runner.invoke(app, ["questions", "--name", "missing", "--json"])
    assert result.exit_code == 1
    error = json.loads(result.stdout)
    assert list(error) == ["error"] and "No index named 'missing'" in error["error"]
    assert error["error"].count(". ") == 0 and error["error"].endswith(".")  # one sentence
    bad = runner.invoke(app, ["ingest", str(coach_home / "nope.txt"), "--name", "x"])
    assert bad.exit_code == 1 and "does not exist" in bad.stderr and "Traceback" not in bad.output


def test_real_console_script(seed_index, coach_home: Path) -> None:
    script = Path(sys.executable).with_name("coach")
    env = {**os.environ, "COACH_HOME": str(coach_home)}
    done = subprocess.run([str(script), "questions", "--name", "seed", "--json"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 9
