"""Sampling settings sent explicitly on every call (server defaults come from generation_config)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coach.config import CoachSettings

_SHOWN = ("temperature", "top_p", "top_k", "min_p", "repetition_penalty", "max_tokens", "seed")
_DEFAULTS = {name: CoachSettings.model_fields[name].default for name in _SHOWN}  # said once, in config


class SamplingSettings(BaseModel):
    """What the person sees and changes; stored with every message the LLM writes."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(_DEFAULTS["temperature"], ge=0.0, le=2.0)
    top_p: float = Field(_DEFAULTS["top_p"], gt=0.0, le=1.0)
    top_k: int = Field(_DEFAULTS["top_k"], ge=-1)  # -1 (or 0) disables the top-k cut in vLLM
    min_p: float = Field(_DEFAULTS["min_p"], ge=0.0, le=1.0)
    repetition_penalty: float = Field(_DEFAULTS["repetition_penalty"], gt=0.0, le=2.0)
    max_tokens: int = Field(_DEFAULTS["max_tokens"], ge=1, le=4096)
    seed: int | None = _DEFAULTS["seed"]
    n: int = Field(1, ge=1, le=16)
    logprobs: bool = False
    top_logprobs: int = Field(0, ge=0, le=20)
    use_beam_search: bool = False

    @classmethod
    def from_settings(cls, settings: CoachSettings, **overrides: Any) -> "SamplingSettings":
        base = {name: getattr(settings, name) for name in _SHOWN}
        return cls(**{**base, **overrides})

    def request_kwargs(self) -> dict[str, Any]:
        """OpenAI-standard fields as keyword arguments; vLLM-only fields in `extra_body`."""
        kwargs: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "n": self.n,
            "extra_body": {
                "top_k": self.top_k if self.top_k > 0 else -1,
                "min_p": self.min_p,
                "repetition_penalty": self.repetition_penalty,
            },
        }
        if self.seed is not None:
            kwargs["seed"] = self.seed
        if self.logprobs:
            kwargs["logprobs"] = True
            kwargs["top_logprobs"] = self.top_logprobs
        if self.use_beam_search:
            # vLLM's beam search: beam width is n; it does not stream.
            kwargs["extra_body"]["use_beam_search"] = True
            kwargs["extra_body"]["length_penalty"] = 1.0
        return kwargs

    def label(self) -> str:
        mode = "beam" if self.use_beam_search else f"T={self.temperature:g} top-k={self.top_k} top-p={self.top_p:g}"
        return f"{mode} seed={self.seed}"
