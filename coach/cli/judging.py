"""`coach judge check` (one pair, or JSON lines from stdin) and `coach judge train` (what `make judge` runs)."""

from __future__ import annotations

import json
import random
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

from coach.cli.support import JsonOpt, emit_json, user_errors
from coach.config import get_settings
from coach.errors import BadInput

judge_app = typer.Typer(help="The answer judge: entailment / neutral / contradiction between two texts.",
                        no_args_is_help=True)
console = Console()


def _print_verdict(verdict, as_json: bool) -> None:
    if as_json:
        emit_json({"label": verdict.label, "probs": verdict.probs})
    else:
        console.print(f"{verdict.label}  " + "  ".join(f"{k} {v:.3f}" for k, v in verdict.probs.items()))


@judge_app.command("check")
@user_errors
def check(premise: Annotated[str, typer.Argument(help="What the notes say, or '-' to read JSON lines from stdin.")],
          hypothesis: Annotated[str, typer.Argument(help="The claim to judge against the premise.")] = "",
          as_json: JsonOpt = False) -> None:
    """Does the premise entail, contradict or not bear on the hypothesis?"""
    from coach import runtime

    judge = runtime.judge(get_settings())
    if premise != "-":
        if not hypothesis.strip():
            raise BadInput("Give a hypothesis after the premise (or '-' to read JSON lines from stdin).")
        _print_verdict(judge.verdicts([(premise, hypothesis)])[0], as_json)
        return
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pair = (str(row["premise"]), str(row["hypothesis"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise BadInput(f"Line {number} is not a JSON object with 'premise' and 'hypothesis' ({exc}).") from exc
        _print_verdict(judge.verdicts([pair])[0], as_json)


@judge_app.command("relevance")
@user_errors
def relevance_command(
    weights: Annotated[Path, typer.Option(help="The tuned judge to add the relevance head to.")] = Path("coach/grading/judge_weights"),
    pairs: Annotated[int, typer.Option(help="Examples per class from the training topics.")] = 1500,
    as_json: JsonOpt = False,
) -> None:
    """Fit the relevance head (does a text bear on a note's topic at all?) on the judge's features."""
    from safetensors.torch import save_file

    from coach.grading.judge import RELEVANCE_FILE, load_judge
    from coach.grading.judge_data import load_splits, question_examples
    from coach.grading.training import (
        fit_relevance,
        relevance_accuracy,
        relevance_examples,
    )
    from index.embedders import bundled_e5_dir

    base = bundled_e5_dir(get_settings().models_dir)
    splits, questions = load_splits(), question_examples()
    judge = load_judge(base, weights)
    examples = relevance_examples(splits["train"], pairs) + questions["train"]
    with console.status(f"reading {len(examples)} pairs…"):
        head = fit_relevance(judge, examples)
    save_file({k: v.contiguous() for k, v in head.items()}, str(weights / RELEVANCE_FILE))
    fitted = load_judge(base, weights)
    metrics = {"train_examples": len(examples), "train_questions": len(questions["train"]),
               **{f"{name}_accuracy": relevance_accuracy(fitted, relevance_examples(splits[name], 300))
                  for name in ("dev", "test")},
               **{f"{name}_question_accuracy": relevance_accuracy(fitted, questions[name]) for name in ("dev", "test")}}
    card = weights / "README.md"
    if card.exists():
        kept = card.read_text("utf-8").split("\n## Relevance head")[0].rstrip()
        card.write_text(kept + f"""

## Relevance head

A logistic head on the same pooled features (`{RELEVANCE_FILE}`, fp32, {len(examples)} examples of the
training topics): does a text bear on a note's topic at all (any label on the same topic, versus a
claim of another topic; and a question against the note that answers it, versus a note of another
topic, {metrics['train_questions']} of them, from `eval/data/judge/questions/`)? The tutor declines when no
retrieved note bears on the question; the grader calls an answer off-topic when none of its sentences
bears on the item's notes.
Accuracy on balanced examples of unseen topics: claims dev {metrics['dev_accuracy']}, test {metrics['test_accuracy']};
questions dev {metrics['dev_question_accuracy']}, test {metrics['test_question_accuracy']}.
""", "utf-8")
    if as_json:
        emit_json(metrics)
    else:
        console.print(f"relevance head: claims dev {metrics['dev_accuracy']}, test {metrics['test_accuracy']}; "
                      f"questions dev {metrics['dev_question_accuracy']}, test {metrics['test_question_accuracy']}")


@judge_app.command("train")
@user_errors
def train_command(
    out: Annotated[Path, typer.Option(help="Where the tuned weights go.")] = Path("coach/grading/judge_weights"),
    limit: Annotated[int, typer.Option(help="Train on this many pairs (a seeded sample); 0: all.")] = 0,
    epochs: Annotated[int, typer.Option(help="Passes over the training pairs.")] = 2,
    data: Annotated[Path | None, typer.Option(help="A folder of note JSONL files (default eval/data/judge).")] = None,
    report: Annotated[Path | None, typer.Option(help="Write metrics (train subset, dev, test) to this JSON file.")] = None,
    both_directions: Annotated[bool, typer.Option(
        "--both-directions/--one-direction",
        help="Read each pair in a random direction, or always as (note, claim), the way the grader asks.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Fine-tune the judge on the written pairs (fixed seeds), evaluate it on the held-out topics, save it."""
    from coach.grading.judge import load_judge
    from coach.grading.judge_data import DATA_DIR, load_splits
    from coach.grading.training import (
        TrainConfig,
        evaluate,
        model_card,
        save_tuned,
        train,
    )
    from index.embedders import bundled_e5_dir

    config = TrainConfig(epochs=epochs, swap_directions=both_directions)
    splits = load_splits(data or DATA_DIR)
    pairs = random.Random(config.seed).sample(splits["train"], limit) if 0 < limit < len(splits["train"]) else splits["train"]
    base = bundled_e5_dir(get_settings().models_dir)
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), disable=as_json) as progress:
        task = progress.add_task(f"training on {len(pairs)} pairs", total=None)
        model, _, losses = train(base, pairs, config, lambda step, total, loss: progress.update(
            task, completed=step, total=total, description=f"training on {len(pairs)} pairs, loss {loss:.3f}"))
    sha256 = save_tuned(model, out)
    shipped = load_judge(base, out)  # measure what ships (fp16), not the fp32 model in memory
    metrics = {"pairs": len(pairs), "train_available": len(splits["train"]), "epochs": epochs, "both_directions": both_directions, "seconds": round(time.perf_counter() - started, 1),
               "final_loss": round(sum(losses[-20:]) / len(losses[-20:]), 4), "sha256": sha256,
               "train_subset": evaluate(shipped, pairs[:2000])["all"],
               "dev": evaluate(shipped, splits["dev"]), "test": evaluate(shipped, splits["test"])}
    topics = {name: sorted({p.topic for p in split}) for name, split in splits.items()}
    (out / "README.md").write_text(model_card(metrics, topics, config), "utf-8")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(metrics, indent=1, ensure_ascii=False), "utf-8")
    if as_json:
        emit_json(metrics)
    else:
        console.print(f"trained on {len(pairs)} pairs in {metrics['seconds']} s; train {metrics['train_subset']['accuracy']}, "
                      f"dev {metrics['dev']['all']['accuracy']}, test {metrics['test']['all']['accuracy']} "
                      f"(macro-F1 {metrics['test']['all']['macro_f1']}); weights {out} sha256 {sha256[:12]}")
