"""Which server to talk to: COACH_LLM_BASE_URL if set, else the running (or a new) embedded server."""

from __future__ import annotations

from collections.abc import Callable

from coach.config import CoachSettings
from coach.errors import LLMUnavailable
from coach.llm.client import LLMClient
from coach.llm.serving.embedded import running_server, start_embedded


def make_client(settings: CoachSettings, start: bool = False,
                on_start: Callable[[], None] | None = None) -> LLMClient:
    """A client for the configured server; with start=True an embedded server is started if none runs."""
    if settings.llm_base_url:
        client = LLMClient(settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                           settings.llm_timeout_s, settings.llm_retries)
        if not client.model:
            client.model = client.models()[0]
        return client
    state = running_server(settings)
    if state is None and start:
        if on_start:
            on_start()
        state = start_embedded(settings)
    if state is None:
        raise LLMUnavailable("No LLM server is running; start one with `coach llm serve` "
                             "or set COACH_LLM_BASE_URL to a vLLM server.")
    return LLMClient(state.base_url, state.model, settings.llm_api_key, settings.llm_timeout_s, settings.llm_retries)
