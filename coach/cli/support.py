"""Shared CLI plumbing: the --json / --name options, one-sentence errors, JSON output."""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from coach.errors import USER_ERRORS

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
NameOpt = Annotated[str, typer.Option("--name", "-n", help="The index to use.")]

err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps({"error": message}, ensure_ascii=False) + "\n")
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=1)


def _log_traceback() -> str:
    from coach.config import get_settings

    log = get_settings().home / "logs" / "errors.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(traceback.format_exc() + "\n")
    return str(log)


def user_errors(func: F) -> F:
    """Turn the errors a person can act on into one sentence and exit 1; no tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            fail(str(exc), bool(kwargs.get("as_json")))
        except KeyboardInterrupt:
            fail("Interrupted.", bool(kwargs.get("as_json")))
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug, not bad input: one line here, the traceback in the log
            log = _log_traceback()
            fail(f"Unexpected {exc.__class__.__name__}: {exc} (traceback in {log}).", bool(kwargs.get("as_json")))

    return wrapper  # type: ignore[return-value]
