"""`coach bench`: ingest throughput, FAISS index types at scale, embedding batches, CPU LLM serving."""

from __future__ import annotations

import resource
import statistics
import tempfile
import threading
import time
from pathlib import Path

import faiss
import numpy as np

from coach import runtime
from coach.config import CoachSettings
from coach.llm.sampling import SamplingSettings
from coach.llm.serving.endpoint import make_client
from index.bm25 import BigramBM25
from index.embedders import make_embedder
from ingest.chunking import chunk_item
from ingest.pipeline import ingest_paths

EMBEDDED_PARAMS = 134_515_008  # SmolLM2-135M parameters, served in float32


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def ingest(settings: CoachSettings, seed: Path, synthetic_chunks: tuple[int, ...]) -> dict:
    """Real ingest of the seed (embedding included); parsing + chunking + BM25 at synthetic scale."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    manifest = runtime.ingest_and_index([seed], "bench-seed", settings)
    seconds = time.perf_counter() - started
    out = {"seed": {"chunks": manifest.chunks, "seconds": round(seconds, 2),
                    "chunks_per_s": round(manifest.chunks / seconds, 2),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                    "rss_growth_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1)}}
    corpus = ingest_paths([seed], max_mb=20, chunk_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap_tokens)
    for target in synthetic_chunks:
        copies = -(-target // len(corpus.chunks))
        started = time.perf_counter()
        chunks = [c for _ in range(copies) for item in corpus.items
                  for c in chunk_item(item, settings.chunk_tokens, settings.chunk_overlap_tokens)][:target]
        BigramBM25([c.text for c in chunks])
        seconds = time.perf_counter() - started
        out[f"synthetic_{target}"] = {"chunks": len(chunks), "parse_chunk_bm25_chunks_per_s": round(len(chunks) / seconds, 1)}
    return out


def embedding_batches(settings: CoachSettings, seed: Path, sizes: tuple[int, ...] = (1, 2, 8, 16, 32)) -> dict:
    """Chunks per second by batch size, each with an embedder made for that size (llama-index splits a
    call into its own embed_batch_size, so one shared embedder would time its size only); load excluded."""
    corpus = ingest_paths([seed], max_mb=20, chunk_tokens=settings.chunk_tokens, overlap_tokens=settings.chunk_overlap_tokens)
    texts = [c.text for c in corpus.chunks][:64]
    out = {}
    for size in sizes:
        model = make_embedder(settings.embed_model, settings.models_dir, size, engine=settings.embed_engine)
        started = time.perf_counter()
        for start in range(0, len(texts), size):
            model.get_text_embedding_batch(texts[start : start + size])
        out[str(size)] = round(len(texts) / (time.perf_counter() - started), 2)
    return {"chunks_per_s_by_batch": out, "texts": len(texts)}


def faiss_indexes(sizes: tuple[int, ...], dim: int = 384, queries: int = 200, seed: int = 0) -> dict:
    """Flat (exact) vs HNSW vs IVF: build time, p50 / p99 latency, recall@10 against Flat.

    The vectors are clustered (like embeddings of related chunks), not i.i.d. Gaussian: in 384 dimensions
    i.i.d. points are all nearly equidistant, so "the 10 nearest" is noise and recall means nothing."""
    rng = np.random.default_rng(seed)
    out: dict = {}
    for size in sizes:
        centers = rng.standard_normal((max(10, size // 1000), dim), dtype=np.float32)
        base = centers[rng.integers(0, len(centers), size)] + 0.35 * rng.standard_normal((size, dim), dtype=np.float32)
        faiss.normalize_L2(base)
        probe = base[rng.choice(size, queries, replace=False)] + 0.05 * rng.standard_normal((queries, dim), dtype=np.float32)
        faiss.normalize_L2(probe)
        nlist = int(4 * np.sqrt(size))
        hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction, hnsw.hnsw.efSearch = 40, 64
        ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
        ivf.nprobe = 16
        indexes = {"flat": faiss.IndexFlatIP(dim), "hnsw": hnsw, "ivf": ivf}
        truth = None
        row: dict = {}
        for name, index in indexes.items():
            started = time.perf_counter()
            if name == "ivf":
                index.train(base[rng.choice(size, min(size, 40 * nlist), replace=False)])
            index.add(base)
            build = time.perf_counter() - started
            latencies, found = [], []
            for vector in probe:
                tick = time.perf_counter()
                _, ids = index.search(vector[None, :], 10)
                latencies.append((time.perf_counter() - tick) * 1000)
                found.append(ids[0])
            if truth is None:
                truth = found
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth)])
            row[name] = {"build_s": round(build, 2), "p50_ms": round(_percentile(latencies, 50), 3),
                         "p99_ms": round(_percentile(latencies, 99), 3), "recall_at_10": round(float(recall), 4)}
        out[str(size)] = row
        del base
    return out


def memory_bandwidth_gbs(megabytes: int = 512) -> float:
    """A numpy copy reads and writes every byte once: 2 x size / time."""
    source = np.ones(megabytes * 1024 * 1024 // 8, dtype=np.float64)
    target = np.empty_like(source)
    best = min(_timed_copy(source, target) for _ in range(5))
    return 2 * source.nbytes / best / 1e9


def _timed_copy(source: np.ndarray, target: np.ndarray) -> float:
    started = time.perf_counter()
    np.copyto(target, source)
    return time.perf_counter() - started


def llm_serving(settings: CoachSettings, concurrency: tuple[int, ...] = (1, 4, 8), tokens: int = 64) -> dict:
    client = make_client(settings, start=True)
    prompt = [{"role": "user", "content": "Explain in detail how beam search differs from greedy decoding."}]
    out: dict = {"model": client.model, "max_tokens": tokens}
    for level in concurrency:
        ttfts: list[float] = []
        counts: list[int] = []

        def one(worker: int) -> None:
            sampling = SamplingSettings(temperature=0.7, seed=worker, max_tokens=tokens, repetition_penalty=1.0)
            started = time.perf_counter()
            first = None
            pieces = 0
            for _ in client.stream(prompt, sampling):
                first = first or time.perf_counter() - started
                pieces += 1
            ttfts.append(first or 0.0)
            counts.append(pieces)

        started = time.perf_counter()
        threads = [threading.Thread(target=one, args=(w,)) for w in range(level)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        out[f"concurrency_{level}"] = {"tokens_per_s": round(sum(counts) / wall, 2),
                                       "ttft_p50_s": round(statistics.median(ttfts), 3),
                                       "ttft_p99_s": round(_percentile(ttfts, 99), 3)}
    bandwidth = memory_bandwidth_gbs()
    bound = bandwidth * 1e9 / (EMBEDDED_PARAMS * 4)
    single = out["concurrency_1"]["tokens_per_s"]
    out.update({"memory_bandwidth_gbs": round(bandwidth, 2), "decode_bound_tokens_per_s": round(bound, 1),
                "single_stream_vs_bound": round(single / bound, 3),
                "speedup_8_vs_1": round(out[f"concurrency_{concurrency[-1]}"]["tokens_per_s"] / single, 2)})
    return out


def llm_startup(settings: CoachSettings) -> float:
    """Seconds for a second embedded server to answer /v1/models (model already converted, eager mode)."""
    from coach.llm.serving.embedded import start_embedded, stop_server

    with tempfile.TemporaryDirectory() as home:
        fresh = settings.model_copy(update={"home": Path(home)})
        fresh.models_dir.mkdir(parents=True)
        (fresh.models_dir / "smollm2-135m-instruct").symlink_to(settings.models_dir / "smollm2-135m-instruct")
        started = time.perf_counter()
        start_embedded(fresh)
        seconds = time.perf_counter() - started
        stop_server(fresh)
    return round(seconds, 1)
