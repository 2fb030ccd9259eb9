"""Sampling Lab: the distribution math against hand-computed values, and diversity on the real server."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from coach import runtime
from coach.cli import app
from coach.lab.distribution import (
    softmax_with_temperature,
    stages,
    top_k_cut,
    top_p_cut,
)
from coach.lab.diversity import distinct_n, self_bleu
from coach.lab.engine import grid
from coach.llm.sampling import SamplingSettings


def test_temperature_softmax_by_hand() -> None:
    logits = [math.log(0.5), math.log(0.3), math.log(0.2)]
    assert softmax_with_temperature(logits, 1.0) == pytest.approx([0.5, 0.3, 0.2])
    # T = 0.5 squares the probabilities before renormalising: .25, .09, .04 over .38
    assert softmax_with_temperature(logits, 0.5) == pytest.approx([0.25 / 0.38, 0.09 / 0.38, 0.04 / 0.38])
    # T = 2 takes square roots
    roots = [math.sqrt(p) for p in (0.5, 0.3, 0.2)]
    assert softmax_with_temperature(logits, 2.0) == pytest.approx([r / sum(roots) for r in roots])
    assert softmax_with_temperature(logits, 0.0) == [1.0, 0.0, 0.0]


def test_top_k_and_top_p_renormalise_by_hand() -> None:
    probabilities = [0.5, 0.3, 0.15, 0.05]
    assert top_k_cut(probabilities, 2) == pytest.approx([0.625, 0.375, 0.0, 0.0])
    assert top_k_cut(probabilities, -1) == probabilities
    # top-p 0.8: 0.5 + 0.3 reaches 0.8, so the first two stay
    assert top_p_cut(probabilities, 0.8) == pytest.approx([0.625, 0.375, 0.0, 0.0])
    # top-p 0.81: the third token is needed to cross it
    assert top_p_cut(probabilities, 0.81) == pytest.approx([0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0.0])
    assert top_p_cut(probabilities, 1.0) == probabilities


def test_stages_apply_in_vllm_order() -> None:
    alternatives = [("a", math.log(0.5)), ("b", math.log(0.3)), ("c", math.log(0.15)), ("d", math.log(0.05))]
    model, tempered, after_k, after_p = stages(alternatives, temperature=1.0, top_k=3, top_p=0.8)
    assert [s for s in (model.name, tempered.name, after_k.name, after_p.name)] == ["model", "temperature", "top-k", "top-p"]
    assert dict(after_k.probabilities)["d"] == 0.0
    assert dict(after_p.probabilities) == pytest.approx({"a": 0.625, "b": 0.375, "c": 0.0, "d": 0.0})


def test_diversity_metrics_by_hand() -> None:
    assert distinct_n(["a b", "a b"], 1) == 0.5 and distinct_n(["a b", "c d"], 2) == 1.0
    assert distinct_n(["显存显存"], 1) == 0.5
    assert self_bleu(["the cat sat on the mat", "the cat sat on the mat"]) == pytest.approx(1.0)
    assert self_bleu(["the cat sat on the mat", "quantum chromodynamics explains quarks"]) < 0.1


@pytest.mark.slow
def test_higher_temperature_raises_distinct_n(llm, settings) -> None:
    base = SamplingSettings(top_p=1.0, seed=21, max_tokens=24, repetition_penalty=1.0)
    embed = runtime.embedder(settings).get_text_embedding_batch
    result = grid(llm, "Describe your favourite season.", base, embed, temperatures=(0.0, 1.5), top_ks=(100,),
                  samples=4)
    cold, hot = (cell.diversity for cell in result.cells)
    assert cold.self_bleu == pytest.approx(1.0) and hot.distinct_2 > cold.distinct_2
    assert hot.mean_pairwise_similarity < cold.mean_pairwise_similarity


@pytest.mark.slow
def test_sample_grid_cli_shape(llm) -> None:
    result = CliRunner().invoke(app, ["sample", "Name a colour.", "--grid", "--n", "2", "--max-tokens", "8", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload["runs"]) == 18 and len(payload["diversity"]) == 9
    assert {"text", "sampling"} <= set(payload["runs"][0])
    assert {"temperature", "top_k", "top_p", "seed"} <= set(payload["runs"][0]["sampling"])
    assert {"temperature", "top_k", "distinct_1", "distinct_2", "self_bleu", "mean_pairwise_similarity"} <= set(
        payload["diversity"][0])
    assert [(r["temperature"], r["top_k"]) for r in payload["diversity"]] == [
        (t, k) for t in (0.0, 0.7, 1.5) for k in (1, 10, 100)]


@pytest.mark.slow
def test_sample_one_setting_with_beam_search_cli_shape(llm) -> None:
    """One setting: n runs from one request, their diversity as one record, and greedy beside 3 beams."""
    result = CliRunner().invoke(app, ["sample", "Name a colour.", "--n", "2", "--max-tokens", "8", "--temperature",
                                      "0.9", "--seed", "3", "--beam", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert len(payload["runs"]) == 2 and all(run["sampling"]["temperature"] == 0.9 for run in payload["runs"])
    assert payload["runs"][0]["seconds"] > 0 and {"distinct_2", "self_bleu"} <= set(payload["diversity"])
    assert isinstance(payload["beam_search"]["greedy"], str) and len(payload["beam_search"]["beams"]) == 3
