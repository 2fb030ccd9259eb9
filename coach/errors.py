"""Errors the person can act on, from every layer, shown as one sentence."""

from index.errors import IndexProblem
from ingest.errors import IngestError


class LLMUnavailable(Exception):
    """The LLM server is down, slow or answered nonsense; the message says which and what to do."""


class InputTooLong(ValueError):
    """An answer or question over its configured limit; the message names the limit."""


def check_length(text: str, limit: int, what: str, setting: str) -> None:
    """Refuse `text` over `limit` characters, naming the limit and the setting that raises it."""
    if len(text) > limit:
        raise InputTooLong(f"The {what} is {len(text)} characters, over the limit of {limit} ({setting}).")


class BadInput(ValueError):
    """Input a command cannot use (a malformed line, a missing argument); the message says which."""


class NotFound(LookupError):
    """A session or interview the person named does not exist; the message names it."""


class JudgeUnavailable(Exception):
    """The judge's trained weights are missing or do not fit the base model."""


# Anything else is a bug: it is logged with its traceback, never shown as the person's mistake.
USER_ERRORS: tuple[type[Exception], ...] = (IngestError, IndexProblem, LLMUnavailable, InputTooLong, BadInput,
                                            JudgeUnavailable, NotFound)
