"""Results on disk: JSON per run, headline figures in summary.json beside the previous run, PNG plots."""

from __future__ import annotations

import json
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def read_json(name: str) -> dict:
    """A previous results file, so the sections a run skips keep their last measured values."""
    path = RESULTS / name
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def write_json(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), "utf-8")
    return path


def update_summary(figures: dict[str, float | str]) -> list[tuple[str, object, object]]:
    """Merge new headline figures into summary.json; returns (key, previous, current) rows to print."""
    path = RESULTS / "summary.json"
    summary = json.loads(path.read_text("utf-8")) if path.exists() else {}
    previous = {k: v for k, v in summary.items() if k not in ("previous", "updated")}
    rows = [(key, previous.get(key), value) for key, value in figures.items()]
    summary.update(figures)
    summary["previous"] = {**summary.get("previous", {}), **{k: previous[k] for k in figures if k in previous}}
    summary["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    write_json("summary.json", summary)
    return rows


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt, *plt.subplots(figsize=(6, 4))


def _save(plt, figure, axis, name: str) -> Path:
    axis.legend()
    figure.tight_layout()
    path = RESULTS / name
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def plot_faiss(faiss_results: dict) -> Path:
    plt, figure, axis = _figure()
    sizes = sorted(int(s) for s in faiss_results)
    for kind in ("flat", "hnsw", "ivf"):
        axis.plot(sizes, [faiss_results[str(s)][kind]["p50_ms"] for s in sizes], marker="o", label=kind)
    axis.set(xscale="log", yscale="log", xlabel="vectors (384-d)", ylabel="query p50 (ms)",
             title="FAISS query latency, 2 CPU cores")
    return _save(plt, figure, axis, "faiss_latency.png")


def plot_llm(llm_results: dict) -> Path:
    plt, figure, axis = _figure()
    levels = sorted(int(k.split("_")[1]) for k in llm_results if k.startswith("concurrency_"))
    axis.plot(levels, [llm_results[f"concurrency_{c}"]["tokens_per_s"] for c in levels], marker="o", label="measured")
    axis.axhline(llm_results["decode_bound_tokens_per_s"], linestyle="--", color="gray",
                 label="single-stream bound (bandwidth / weights)")
    axis.set(xlabel="concurrent requests", ylabel="tokens / s (all streams)",
             title=f"{llm_results['model']} on vLLM CPU, 2 cores")
    return _save(plt, figure, axis, "llm_throughput.png")


def plot_quality_vs_diversity(grid: dict) -> Path:
    plt, figure, axis = _figure()
    for row in grid["rows"]:
        axis.scatter(row["distinct_2"], row["faithfulness"], s=60, label=f"T={row['temperature']:g} k={row['top_k']}")
    axis.set(xlabel="distinct-2 over seeds (diversity)", ylabel="faithfulness to cited notes (quality)",
             title=f"Tutor sampling grid ({grid['model']})")
    return _save(plt, figure, axis, "sampling_grid.png")
