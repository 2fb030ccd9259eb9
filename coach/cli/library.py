"""`coach ingest`, `coach questions`, `coach retrieve`: documents into an index, and what it holds."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from coach import runtime
from coach.cli.support import JsonOpt, NameOpt, emit_json, user_errors
from coach.config import get_settings

console = Console()


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(questions)
    app.command()(retrieve)


@user_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (txt, md, html, pdf, docx).")],
    name: NameOpt = "default",
    as_json: JsonOpt = False,
) -> None:
    """Ingest documents and build (or atomically replace) the index NAME."""
    settings = get_settings()
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), disable=as_json) as progress:
        preparing = progress.add_task("loading the embedding model", total=None)
        runtime.embedder(settings, report=lambda message: progress.update(preparing, description=message))
        progress.update(preparing, description="embedding model ready", total=1, completed=1)
        reading = progress.add_task("reading", total=None)
        embedding = progress.add_task("embedding chunks", total=None)
        manifest = runtime.ingest_and_index(
            paths, name, settings,
            on_document=lambda path: progress.update(reading, advance=1, description=f"read {path.name}"),
            on_embedded=lambda done, total: progress.update(embedding, completed=done, total=total),
        )
    result = {"name": name, "documents": len(manifest.documents), "items": manifest.items,
              "chunks": manifest.chunks, "seconds": round(time.perf_counter() - started, 2)}
    if as_json:
        emit_json(result)
    else:
        console.print(f"Indexed {result['items']} questions in {result['chunks']} chunks from "
                      f"{result['documents']} document(s) into '{name}' in {result['seconds']} s.")
    for reason in manifest.skipped:  # stderr, so the --json contract stays as documented
        Console(stderr=True).print(f"[yellow]skipped[/] {reason}", highlight=False)


@user_errors
def questions(name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """List the interview items found in the index."""
    loaded = runtime.open_index(name, get_settings()).loaded
    rows = [{"id": i.id, "question": i.question, "section": " > ".join(i.section_path), "key_points": i.key_points}
            for i in loaded.items]
    if as_json:
        emit_json(rows)
        return
    table = Table("id", "question", "key points")
    for row in rows:
        table.add_row(str(row["id"]), row["question"], str(len(row["key_points"])))
    console.print(table)


@user_errors
def retrieve(
    query: Annotated[str, typer.Argument(help="The query, or '-' to read one query per line from stdin.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 4,
    name: NameOpt = "default",
    as_json: JsonOpt = False,
) -> None:
    """Hybrid (dense + BM25) retrieval with citations."""
    retriever = runtime.open_index(name, get_settings()).retriever
    queries = [line.strip() for line in sys.stdin if line.strip()] if query == "-" else [query]
    for text in queries:
        hits = [h.to_dict() for h in retriever.retrieve(text, k)]
        rows = [{key: h[key] for key in ("rank", "score", "item_id", "section", "text", "source")} for h in hits]
        if as_json:
            emit_json(rows)
            continue
        for row in rows:
            console.print(f"[bold]{row['rank']}.[/] item {row['item_id']} · {row['section']} · {row['score']}")
            console.print(f"   {row['text'][:160]}", highlight=False)
