"""`coach sample` (one setting or the temperature x top-k grid) and `coach app` (the Streamlit UI)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coach import runtime
from coach.cli.support import JsonOpt, NameOpt, emit_json, user_errors
from coach.config import get_settings
from coach.lab.engine import beam_vs_greedy, grid
from coach.lab.engine import sample as sample_once
from coach.llm.sampling import SamplingSettings
from coach.llm.serving.endpoint import make_client

console = Console()


def register(app: typer.Typer) -> None:
    app.command()(sample)
    app.command("app")(app_command)


@user_errors
def sample(prompt: Annotated[str, typer.Argument(help="The prompt to sample.")],
           temperature: Annotated[float, typer.Option("--temperature")] = 0.7,
           top_k: Annotated[int, typer.Option("--top-k")] = 40,
           top_p: Annotated[float, typer.Option("--top-p")] = 1.0,
           seed: Annotated[int, typer.Option("--seed")] = 0,
           n: Annotated[int, typer.Option("--n", min=1, max=16)] = 4,
           max_tokens: Annotated[int, typer.Option("--max-tokens")] = 48,
           use_grid: Annotated[bool, typer.Option("--grid", help="T in {0, 0.7, 1.5} x top-k in {1, 10, 100}.")] = False,
           beam: Annotated[bool, typer.Option("--beam", help="Also show beam search beside greedy.")] = False,
           name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """Sample one prompt with explicit settings, or over a grid, with diversity figures."""
    settings = get_settings()
    client = make_client(settings, start=True)
    base = SamplingSettings(temperature=temperature, top_k=top_k, top_p=top_p, seed=seed, n=n,
                            max_tokens=max_tokens, repetition_penalty=1.0)
    embed = runtime.embedder(settings).get_text_embedding_batch
    if use_grid:
        result = grid(client, prompt, base.model_copy(update={"n": 1}), embed, samples=n)
        payload = result.to_dict()
    else:
        payload = sample_once(client, prompt, base, embed).to_dict()
    if beam:
        payload["beam_search"] = asdict(beam_vs_greedy(client, prompt, base))
    if as_json:
        emit_json(payload)
        return
    rows = payload["diversity"] if isinstance(payload["diversity"], list) else [{"temperature": temperature,
                                                                                  "top_k": top_k, **payload["diversity"]}]
    table = Table(*rows[0].keys())
    for row in rows:
        table.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row.values()))
    for run in payload["runs"][:8]:
        console.print(f"[dim]{SamplingSettings(**run['sampling']).label()}[/] {run['text'][:120]}", highlight=False)
    console.print(table)


@user_errors
def app_command(port: Annotated[int, typer.Option("--port")] = 8501, name: NameOpt = "default",
                as_json: JsonOpt = False) -> None:
    """Start the Streamlit UI on 127.0.0.1 (the LLM server is started first if none runs)."""
    settings = get_settings()
    make_client(settings, start=True)
    main = Path(__file__).resolve().parents[2] / "app" / "main.py"
    env = {**os.environ, "COACH_INDEX_NAME": name}
    command = [sys.executable, "-m", "streamlit", "run", str(main), "--server.address", "127.0.0.1",
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if as_json:
        emit_json({"url": f"http://127.0.0.1:{port}", "index": name})
    raise typer.Exit(subprocess.call(command, env=env))
