"""A small state file so every process (CLI, UI, tests) reuses one running server."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx


@dataclass
class ServerState:
    pid: int
    port: int
    base_url: str
    model: str
    backend: str
    log: str
    started_s: float

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp")
        temp.write_text(json.dumps(asdict(self)), "utf-8")
        os.replace(temp, path)


def read_state(path: Path) -> ServerState | None:
    try:
        return ServerState(**json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    try:  # reap it first if it is our own exited child, else a zombie looks alive
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def server_ready(base_url: str, timeout_s: float = 3.0) -> bool:
    """True when the OpenAI-compatible server lists its models."""
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/models", timeout=timeout_s)
        return response.status_code == 200 and bool(response.json().get("data"))
    except (httpx.HTTPError, ValueError):
        return False
