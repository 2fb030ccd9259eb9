"""`coach ask / grade / interview / sessions`: the coach engine from the terminal."""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from coach import runtime
from coach.cli.support import JsonOpt, NameOpt, emit_json, user_errors
from coach.config import get_settings
from coach.errors import check_length
from coach.export import export_json, export_markdown
from coach.llm.sampling import SamplingSettings
from coach.llm.serving.endpoint import make_client
from coach.tutor import save_exchange

console = Console()
err = Console(stderr=True)
sessions_app = typer.Typer(help="List, show and export saved sessions.", no_args_is_help=True)

Temperature = Annotated[float | None, typer.Option("--temperature", "-t", help="Sampling temperature.")]
Seed = Annotated[int | None, typer.Option("--seed", help="Sampling seed.")]


def _sampling(settings, temperature: float | None, seed: int | None) -> SamplingSettings:
    """The configured defaults with the command line's overrides."""
    overrides = {k: v for k, v in {"temperature": temperature, "seed": seed}.items() if v is not None}
    return SamplingSettings.from_settings(settings, **overrides)


def _client(settings):
    return make_client(settings, start=True, on_start=lambda: err.print("starting the local LLM server (about a minute)…"))


def register(app: typer.Typer) -> None:
    app.command()(ask)
    app.command()(grade)
    app.command()(interview)
    app.add_typer(sessions_app, name="sessions")


@user_errors
def ask(question: Annotated[str, typer.Argument(help="Your question (any language).")],
        temperature: Temperature = None, seed: Seed = None, name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """Answer a question from your notes, with citations (declines when the notes don't cover it)."""
    settings = get_settings()
    sampling = _sampling(settings, temperature, seed)
    tutor = runtime.tutor(name, settings)
    client = _client(settings)
    store = runtime.store(settings)
    session = store.create_session("ask", name, model=client.model, title=question[:60])
    with console.status("writing, then checking each sentence against your notes…", spinner="dots") if not as_json \
            else contextlib.nullcontext():
        result = tutor.answer(question, [], client, sampling)
    save_exchange(store, session, question, result)
    if as_json:
        emit_json(result.to_contract())
        return
    console.print(result.answer, highlight=False, soft_wrap=True)
    for left in result.left_out:
        console.print(f"[dim]✗ not shown ({left.reason}): {left.text}[/]", highlight=False)
    for c in result.citations:
        console.print(f"[dim][{c.n}] item {c.item_id} · {c.section} · {Path(c.source).name}[/]")


@user_errors
def grade(item: Annotated[int, typer.Option("--item", help="Interview item id (see `coach questions`).")],
          answer: Annotated[str, typer.Option("--answer", help="Your answer; '-' reads it from stdin.")],
          name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """Grade an answer against the item's rubric: score, covered, missed, feedback, follow-up."""
    settings = get_settings()
    if answer == "-":
        answer = typer.get_text_stream("stdin").read()
    check_length(answer, settings.max_answer_chars, "answer", "COACH_MAX_ANSWER_CHARS")
    index = runtime.open_index(name, settings)
    target = index.loaded.item(item)
    result = runtime.grader(settings).grade(target, answer, index.loaded.chunks_of(item))
    if as_json:
        emit_json(result.to_contract())
        return
    console.print(f"[bold]{result.score:g}/10[/]  {result.feedback}", highlight=False)
    console.print(f"[italic]{result.follow_up}[/]", highlight=False)


@user_errors
def interview(order: Annotated[str, typer.Option(help="order | weakness | topic")] = "order",
              topic: Annotated[str, typer.Option(help="With --order topic: a keyword.")] = "",
              limit: Annotated[int, typer.Option(help="Ask at most this many questions (0: all).")] = 0,
              persona: Annotated[str, typer.Option(help="friendly | strict | concise")] = "friendly",
              resume: Annotated[str, typer.Option(help="A session id to resume.")] = "",
              temperature: Temperature = None, seed: Seed = None,
              name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """An interactive mock interview. Say 'hint', 'skip', 'reference', 'repeat' or 'end' at any time."""
    settings = get_settings()
    sampling = _sampling(settings, temperature, seed)
    client = _client(settings)
    engine = runtime.interview_engine(name, settings, lambda: client)
    if resume:
        state = engine.resume(resume)
        messages = engine.respond(state, "repeat", sampling) if state.phase != "done" else []
    else:
        state, messages = engine.start(order, topic, limit, persona, "auto", sampling)  # type: ignore[arg-type]
    err.print(f"[dim]session {state.session_id} · sampling {sampling.label()}[/]")
    while True:
        for message in messages:
            if as_json:
                emit_json({"kind": message.kind, "content": message.content, "item_id": message.item_id})
            else:
                console.print(Markdown(f"**{message.kind}** · {message.content}"))
        if state.phase == "done":
            break
        try:
            text = typer.prompt("you", default="", show_default=False)
        except (EOFError, typer.Abort):
            err.print(f"\nsaved; resume with `coach interview --resume {state.session_id}`")
            break
        messages = engine.respond(state, text, sampling)


@sessions_app.command("list")
@user_errors
def sessions_list(name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    rows = runtime.store(get_settings()).sessions()
    if as_json:
        emit_json([asdict(row) for row in rows])
        return
    table = Table("id", "kind", "index", "turns", "mean score", "title")
    for row in rows:
        mean = f"{row.mean_score:.1f}" if row.mean_score is not None else "-"
        table.add_row(row.id, row.kind, row.index_name, str(row.turns), mean, row.title or "")
    console.print(table)


@sessions_app.command("show")
@user_errors
def sessions_show(session_id: str, name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    store = runtime.store(get_settings())
    emit_json(export_json(store, session_id)) if as_json else console.print(Markdown(export_markdown(store, session_id)))


@sessions_app.command("export")
@user_errors
def sessions_export(session_id: str, out: Annotated[Path, typer.Option(help="File to write (.md or .json).")],
                    name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    store = runtime.store(get_settings())
    if out.suffix == ".json":
        out.write_text(json.dumps(export_json(store, session_id), ensure_ascii=False, indent=2), "utf-8")
    else:
        out.write_text(export_markdown(store, session_id), "utf-8")
    emit_json({"path": str(out)}) if as_json else console.print(f"wrote {out}")
