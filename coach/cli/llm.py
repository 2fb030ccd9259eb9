"""`coach llm serve / status / stop`: the LLM server the coach talks to."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from coach.cli.support import JsonOpt, NameOpt, emit_json, user_errors
from coach.config import get_settings
from coach.llm.serving.embedded import running_server, start_embedded, stop_server
from coach.llm.serving.gpu import start_gpu
from coach.llm.serving.state import read_state, server_ready

llm_app = typer.Typer(help="Start or inspect the LLM server.", no_args_is_help=True)
console = Console(stderr=True)


@llm_app.command("serve")
@user_errors
def serve(
    model: Annotated[str, typer.Option(help="A model name for vLLM on a GPU; empty: the embedded CPU model.")] = "",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: a free one).")] = 0,
    gpu_memory_utilization: Annotated[float, typer.Option("--gpu-memory-utilization")] = 0.9,
    max_model_len: Annotated[int, typer.Option("--max-model-len")] = 8192,
    tensor_parallel_size: Annotated[int, typer.Option("--tensor-parallel-size")] = 1,
    data_parallel_size: Annotated[int, typer.Option("--data-parallel-size")] = 1,
    detach: Annotated[bool, typer.Option(help="Return once the server is ready and leave it running.")] = True,
    name: NameOpt = "default",
    as_json: JsonOpt = False,
) -> None:
    """Start vLLM (on a GPU with --model) or the embedded CPU server, and wait until it answers."""
    settings = get_settings()
    with console.status("starting the LLM server (first start converts the model; about a minute)…"):
        if model:
            state = start_gpu(settings, model, port or None, gpu_memory_utilization, max_model_len,
                              tensor_parallel_size, data_parallel_size)
        else:
            state = start_embedded(settings, port or None)
    result = {"base_url": state.base_url, "model": state.model, "backend": state.backend, "ok": True}
    emit_json(result) if as_json else console.print(f"LLM server ready: {state.model} ({state.backend}) at {state.base_url}")
    if not detach:
        typer.echo("Serving; press Ctrl+C to stop.")
        try:
            typer.prompt("", default="", show_default=False, prompt_suffix="")
        finally:
            stop_server(settings)


@llm_app.command("status")
@user_errors
def status(name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """Which server, which model, reachable or not."""
    settings = get_settings()
    if settings.llm_base_url:
        ok = server_ready(settings.llm_base_url)
        result = {"base_url": settings.llm_base_url, "model": settings.llm_model, "backend": "configured", "ok": ok}
    else:
        state = running_server(settings) or read_state(settings.server_state_file)
        ok = state is not None and server_ready(state.base_url)
        result = {"base_url": state.base_url if state else "", "model": state.model if state else "",
                  "backend": state.backend if state else "none", "ok": ok}
    if as_json:
        emit_json(result)
    elif result["ok"]:
        console.print(f"reachable: {result['model']} ({result['backend']}) at {result['base_url']}")
    else:
        console.print("No LLM server is reachable: run `coach llm serve`, or set COACH_LLM_BASE_URL "
                      f"(last known: {result['base_url'] or 'none'}).")
    if not result["ok"]:
        raise typer.Exit(code=1)


@llm_app.command("stop")
@user_errors
def stop(name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """Stop the embedded server this machine started."""
    stopped = stop_server(get_settings())
    emit_json({"stopped": stopped}) if as_json else console.print("stopped" if stopped else "no server was recorded")
