"""Float noise of the embedder (and the judge) between kernel choices: the same texts embedded with
1 and 2 threads, with the CPU's widest vector ISA and with AVX2 only, one by one and in batches.
Every threshold and margin in the product must sit well clear of what this measures.

    python -m eval.noise            # writes eval/results/noise.json
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_corpus"
# Kernel choices that differ between machines of this kind (AVX2-only vs AVX-512) and runs.
VARIANTS = {
    "threads2": {"OMP_NUM_THREADS": "2"},
    "threads1": {"OMP_NUM_THREADS": "1"},
    "threads2-avx2": {"OMP_NUM_THREADS": "2", "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2",
                      "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "threads1-avx2": {"OMP_NUM_THREADS": "1", "ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2",
                      "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
}


def _texts(limit: int = 120) -> list[str]:
    from ingest.keypoints import sentences
    from ingest.pipeline import ingest_paths

    corpus = ingest_paths([SAMPLE], max_mb=20, chunk_tokens=220, overlap_tokens=40)
    found = [s for item in corpus.items for s in sentences(item.reference_answer)]
    return found[:limit]


def _embed_here(out: Path) -> None:
    """Child process: embed the texts one by one and in batches of 16; save the vectors."""
    from coach import runtime
    from coach.config import get_settings

    model = runtime.embedder(get_settings())
    texts = _texts()
    single = np.array([model.get_text_embedding(t) for t in texts])
    batched = np.array([v for i in range(0, len(texts), 16) for v in model.get_text_embedding_batch(texts[i : i + 16])])
    payload = {"single": single.tolist(), "batched": batched.tolist()}
    if os.environ.get("NOISE_WITH_JUDGE") == "1":
        judge = runtime.judge(get_settings())
        pairs = list(zip(texts[:-1], texts[1:]))
        payload["judge"] = judge.probabilities(pairs).tolist()
    out.write_text(json.dumps(payload))


def _similarity_gaps(vectors: np.ndarray) -> np.ndarray:
    """Every pairwise cosine: the quantity the grader's decisions compare."""
    sims = vectors @ vectors.T
    return sims[np.triu_indices(len(vectors), 1)]


def measure(with_judge: bool = False) -> dict:
    runs: dict[str, dict] = {}
    for name, env in VARIANTS.items():
        out = RESULTS / f".noise-{name}.json"
        child_env = {**os.environ, **env, "NOISE_WITH_JUDGE": "1" if with_judge else "0"}
        subprocess.run([sys.executable, "-m", "eval.noise", "--child", str(out)], check=True, env=child_env)
        runs[name] = {k: np.array(v) for k, v in json.loads(out.read_text()).items()}
        out.unlink()
    report: dict = {"variants": VARIANTS, "texts": int(len(runs["threads2"]["single"]))}
    worst_vector = worst_similarity = worst_judge = 0.0
    for (a, ra), (b, rb) in itertools.combinations(runs.items(), 2):
        for mode_a, mode_b in itertools.product(("single", "batched"), repeat=2):
            va, vb = ra[mode_a], rb[mode_b]
            worst_vector = max(worst_vector, float(1 - (va * vb).sum(1).min()))
            worst_similarity = max(worst_similarity, float(np.abs(_similarity_gaps(va) - _similarity_gaps(vb)).max()))
        if with_judge:
            worst_judge = max(worst_judge, float(np.abs(ra["judge"] - rb["judge"]).max()))
    report["max_one_minus_cosine_same_text"] = worst_vector
    report["max_pairwise_similarity_difference"] = worst_similarity
    if with_judge:
        report["max_judge_probability_difference"] = worst_judge
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "noise.json").write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _embed_here(Path(sys.argv[2]))
    else:
        print(json.dumps(measure(with_judge="--judge" in sys.argv), indent=1))
