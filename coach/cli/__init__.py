"""The `coach` command line: a thin shell over ingest, index and the coach engine. Commands from
outside coach (eval's `coach eval` and `coach bench`) join through the `interview_coach.commands`
entry point, so coach never imports them."""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from coach.cli import coaching, lab, library
from coach.cli.judging import judge_app
from coach.cli.llm import llm_app

app = typer.Typer(help="interview-coach: mock interviews and tutoring over your own notes.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")
app.add_typer(judge_app, name="judge")
for module in (library, coaching, lab):
    module.register(app)
for plugin in entry_points(group="interview_coach.commands"):
    plugin.load()(app)
