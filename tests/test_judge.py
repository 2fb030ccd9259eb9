"""The trained answer judge: verdicts on held-out topics, the CLI contract, batching that does not
change results, and a few real training steps on a tiny split."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from coach import runtime
from coach.cli import app
from coach.grading.judge_data import LABELS, load_splits

runner = CliRunner()


@pytest.fixture(scope="module")
def judge(settings):
    return runtime.judge(settings)


def test_judge_reads_unseen_topics_in_both_languages(judge) -> None:
    """Pairs of topics held out from training: far above the 1/3 of chance, in every language pair."""
    test = load_splits()["test"]
    sample = random.Random(5).sample(test, 240)
    verdicts = judge.verdicts([(p.premise, p.hypothesis) for p in sample])
    correct = [v.label == p.label for v, p in zip(verdicts, sample)]
    assert np.mean(correct) >= 0.7
    for languages in ("zh-zh", "en-en", "zh-en", "en-zh"):
        chosen = [c for c, p in zip(correct, sample) if p.languages == languages]
        assert len(chosen) >= 20 and np.mean(chosen) >= 0.6, languages


def test_a_pair_reads_the_same_alone_and_in_a_batch(judge) -> None:
    pairs = [(p.premise, p.hypothesis) for p in load_splits()["dev"][:24]]
    together = judge.probabilities(pairs)
    judge._cache.clear()
    alone = np.vstack([judge.probabilities([pair]) for pair in pairs])
    assert np.abs(together - alone).max() < 1e-5
    assert np.allclose(together.sum(axis=1), 1.0, atol=1e-5)


def test_a_sentence_states_itself_and_a_quoted_note_is_supported(judge, settings) -> None:
    """The model alone reads a sentence against itself as a contradiction (its minimal pairs are near
    copies); reflexivity is said in code, so a note quoted verbatim is never flagged against the notes."""
    from coach.grading.verify import Note, check_sentences

    note = "The reparameterisation trick writes a sample as mean plus sigma times standard noise."
    assert judge.verdicts([(note, note.upper().replace(".", ""))])[0].label == "entailment"
    notes = [Note(1, note), Note(1, "It lets gradients flow through the sampling step."),
             Note(2, "Without it the sampling step would block backpropagation.")]
    checked = check_sentences(judge, runtime.grader(settings).embed, [note], notes, "en")
    assert checked[0].supported and checked[0].citation == 1


def test_check_cli_one_pair_and_json_lines(judge) -> None:
    result = runner.invoke(app, ["judge", "check", "LoRA freezes the base weights and trains two small matrices.",
                                 "LoRA 冻结原始权重，只训练两个小矩阵。", "--json"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.stdout)
    assert verdict["label"] in LABELS and set(verdict["probs"]) == set(LABELS)
    assert abs(sum(verdict["probs"].values()) - 1.0) < 1e-3
    pairs = [("LoRA freezes the base weights and trains two small matrices.", "LoRA 冻结原始权重，只训练两个小矩阵。"),
             ("Dropout is only active during training.", "Paris is the capital of France.")]
    lines = "\n".join(json.dumps({"premise": p, "hypothesis": h}, ensure_ascii=False) for p, h in pairs)
    result = runner.invoke(app, ["judge", "check", "-", "--json"], input=lines + "\n\n")
    assert result.exit_code == 0, result.output
    streamed = [json.loads(line) for line in result.stdout.splitlines()]
    assert streamed[0] == verdict  # the same pair reads the same either way
    assert len(streamed) == 2 and streamed[1]["label"] == "neutral"  # nothing to do with the premise
    bad = runner.invoke(app, ["judge", "check", "-", "--json"], input='{"premise": "x"}\n')
    assert bad.exit_code == 1 and "Line 1" in json.loads(bad.stdout)["error"]


def test_a_few_training_steps_on_a_tiny_split(settings, tmp_path) -> None:
    from coach.grading.judge import TUNED_FILE, load_judge
    from coach.grading.training import TrainConfig, save_tuned, train
    from index.embedders import bundled_e5_dir

    tiny = random.Random(1).sample(load_splits()["train"], 24)
    steps: list[float] = []
    model, _, losses = train(bundled_e5_dir(settings.models_dir), tiny, TrainConfig(epochs=1, batch_size=8),
                             lambda step, total, loss: steps.append(loss))
    assert len(losses) == 3 == len(steps) and all(np.isfinite(losses))
    save_tuned(model, tmp_path)
    assert (tmp_path / TUNED_FILE).stat().st_size < 25 * 1024 * 1024
    reloaded = load_judge(bundled_e5_dir(settings.models_dir), tmp_path)
    assert reloaded.probabilities([(tiny[0].premise, tiny[0].hypothesis)]).shape == (1, 3)


def test_shipped_weights_match_their_model_card() -> None:
    import hashlib

    from coach.grading.judge import TUNED_FILE, WEIGHTS_DIR

    weights = WEIGHTS_DIR / TUNED_FILE
    assert weights.stat().st_size <= 25 * 1024 * 1024
    assert hashlib.sha256(weights.read_bytes()).hexdigest() in (WEIGHTS_DIR / "README.md").read_text("utf-8")
