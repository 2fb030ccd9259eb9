"""The one LLM client: OpenAI-compatible HTTP (vLLM), explicit sampling, streaming, clear failures."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import openai
from openai import OpenAI

from coach.errors import LLMUnavailable
from coach.llm.sampling import SamplingSettings


@dataclass(frozen=True)
class TokenLogprob:
    token: str
    logprob: float
    top: list[tuple[str, float]]  # the server's top alternatives for this position (raw logprobs)


@dataclass
class Completion:
    texts: list[str]
    model: str
    sampling: SamplingSettings
    seconds: float
    completion_tokens: int
    logprobs: list[list[TokenLogprob]] = field(default_factory=list)  # per choice

    @property
    def text(self) -> str:
        return self.texts[0]


Message = dict[str, str]


def _ranked(alternatives: list) -> list[tuple[str, float]]:
    """Best first, each token once (vLLM may list the sampled token first, out of order)."""
    best: dict[str, float] = {}
    for alternative in alternatives:
        best[alternative.token] = max(alternative.logprob, best.get(alternative.token, -math.inf))
    return sorted(best.items(), key=lambda kv: -kv[1])


class LLMClient:
    """Wraps `openai.OpenAI`; its retries back off exponentially on connection errors and 5xx."""

    def __init__(self, base_url: str, model: str, api_key: str = "EMPTY", timeout_s: float = 120.0,
                 retries: int = 2) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self._client = OpenAI(base_url=self.base_url, api_key=api_key, timeout=timeout_s, max_retries=retries)

    def _explain(self, exc: Exception) -> LLMUnavailable:
        if isinstance(exc, openai.APITimeoutError):
            return LLMUnavailable(f"The LLM server at {self.base_url} did not answer within {self.timeout_s:g} s; "
                                  "it may be overloaded (raise COACH_LLM_TIMEOUT_S or check `coach llm status`).")
        if isinstance(exc, openai.APIConnectionError):
            return LLMUnavailable(f"The LLM server at {self.base_url} is not reachable; start it with "
                                  "`coach llm serve` or set COACH_LLM_BASE_URL.")
        if isinstance(exc, openai.APIStatusError):
            detail = str(exc.message)[:200]
            return LLMUnavailable(f"The LLM server at {self.base_url} refused the request ({exc.status_code}: {detail}).")
        return LLMUnavailable(f"The LLM server at {self.base_url} failed: {exc}")

    def chat(self, messages: list[Message], sampling: SamplingSettings, json_schema: dict | None = None) -> Completion:
        """One completion; with `json_schema`, the server's structured output (vLLM: xgrammar) makes the
        text valid JSON of that schema, whatever the model."""
        started = time.perf_counter()
        extra = {"response_format": {"type": "json_schema", "json_schema": {"name": "verdict", "schema": json_schema}}} \
            if json_schema else {}
        try:
            response = self._client.chat.completions.create(
                model=self.model, messages=messages, stream=False, **sampling.request_kwargs(), **extra
            )
        except openai.OpenAIError as exc:
            raise self._explain(exc) from exc
        if not getattr(response, "choices", None):
            raise LLMUnavailable(f"The LLM server at {self.base_url} answered without any choices.")
        texts = [(choice.message.content or "") for choice in response.choices]
        logprobs = [
            [TokenLogprob(t.token, t.logprob, _ranked(t.top_logprobs or [])) for t in (choice.logprobs.content or [])]
            for choice in response.choices if choice.logprobs is not None
        ]
        usage = response.usage.completion_tokens if response.usage else 0
        return Completion(texts, response.model, sampling, time.perf_counter() - started, usage, logprobs)

    def stream(self, messages: list[Message], sampling: SamplingSettings) -> Iterator[str]:
        """Text deltas as the server produces them (beam search cannot stream: one final chunk)."""
        if sampling.use_beam_search:
            yield self.chat(messages, sampling).text
            return
        try:
            stream = self._client.chat.completions.create(
                model=self.model, messages=messages, stream=True, **sampling.model_copy(update={"n": 1}).request_kwargs()
            )
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.OpenAIError as exc:
            raise self._explain(exc) from exc

    def models(self) -> list[str]:
        try:
            return [model.id for model in self._client.models.list().data]
        except openai.OpenAIError as exc:
            raise self._explain(exc) from exc
