"""Build, persist (atomically) and load the FAISS index with a manifest that guards against mismatches."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import faiss
from llama_index.core import StorageContext, VectorStoreIndex, load_index_from_storage
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import TextNode
from llama_index.vector_stores.faiss import FaissVectorStore

from index.embedders import embedder_id
from index.errors import IndexProblem
from ingest.models import Chunk, Corpus, InterviewItem

FORMAT_VERSION = 1  # the layout on disk; load_index refuses any other
_EMBED_METADATA = ("question", "section")


def _node(chunk: Chunk, question: str) -> TextNode:
    # Question and section go into the embedded text: they say what a bare chunk is about.
    metadata = {"chunk_id": chunk.id, "item_id": chunk.item_id, "section": chunk.section,
                "question": question, "source": chunk.source}
    return TextNode(
        id_=chunk.id,
        text=chunk.text,
        metadata=metadata,
        excluded_embed_metadata_keys=[k for k in metadata if k not in _EMBED_METADATA],
        excluded_llm_metadata_keys=list(metadata),
    )


def _nodes(corpus: Corpus) -> list[TextNode]:
    questions = {item.id: item.question for item in corpus.items}
    return [_node(chunk, questions[chunk.item_id]) for chunk in corpus.chunks]


def embedded_texts(corpus: Corpus) -> list[str]:
    """What the embedder reads for each chunk: its question and section, then its text."""
    return [node.get_content(metadata_mode="embed") for node in _nodes(corpus)]


@dataclass(frozen=True)
class Manifest:
    """What an index holds and how it was built, written beside it and checked when it is loaded."""

    format_version: int
    name: str
    embedder: str
    dimension: int
    documents: list[str]
    skipped: list[str]
    items: int
    chunks: int
    created: str
    seconds: float

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        raw = json.loads(path.read_text("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("the manifest is not a JSON object")
        return cls(**{name: raw.get(name) for name in cls.__dataclass_fields__})


@dataclass
class LoadedIndex:
    name: str
    manifest: Manifest
    items: list[InterviewItem]
    chunks: list[Chunk]
    vector_index: VectorStoreIndex

    def item(self, item_id: int) -> InterviewItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise IndexProblem(f"Index '{self.name}' has no item {item_id} (it has 1–{len(self.items)}).")

    def chunks_of(self, item_id: int) -> list[Chunk]:
        """The chunks cut from one item's answer: what its grade cites."""
        return [chunk for chunk in self.chunks if chunk.item_id == item_id]


def build_index(
    corpus: Corpus,
    target: Path,
    embedder: BaseEmbedding,
    embed_model: str,
    batch_size: int,
    max_chunks: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Embed every chunk into a fresh FAISS index in a temp dir beside `target`, then swap it into place."""
    if len(corpus.chunks) > max_chunks:
        raise IndexProblem(f"{len(corpus.chunks)} chunks exceed the limit of {max_chunks} (COACH_MAX_CHUNKS).")
    name = target.name
    started = time.perf_counter()
    nodes = _nodes(corpus)
    texts = [node.get_content(metadata_mode="embed") for node in nodes]
    vectors: list[list[float]] = [[] for _ in texts]
    batch = max(1, batch_size)
    by_length = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths share a batch: less padding
    for start in range(0, len(texts), batch):
        picked = by_length[start : start + batch]
        for position, vector in zip(picked, embedder.get_text_embedding_batch([texts[i] for i in picked])):
            vectors[position] = vector
        if on_progress:
            on_progress(min(start + batch, len(texts)), len(texts))
    for node, vector in zip(nodes, vectors):
        node.embedding = vector
    dimension = len(vectors[0])
    vector_store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(dimension))
    storage = StorageContext.from_defaults(vector_store=vector_store)
    index = VectorStoreIndex(nodes, storage_context=storage, embed_model=embedder)

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    index.storage_context.persist(persist_dir=str(staging / "llama"))
    (staging / "items.json").write_text(json.dumps([i.to_dict() for i in corpus.items], ensure_ascii=False), "utf-8")
    with (staging / "chunks.jsonl").open("w", encoding="utf-8") as handle:
        for chunk in corpus.chunks:
            handle.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
    manifest = Manifest(FORMAT_VERSION, name, embedder_id(embed_model), dimension, [d.source for d in corpus.documents],
                        list(corpus.skipped), len(corpus.items), len(corpus.chunks), time.strftime("%Y-%m-%dT%H:%M:%S"),
                        round(time.perf_counter() - started, 2))
    (staging / "manifest.json").write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2), "utf-8")
    _swap_into_place(staging, target)
    return manifest


def _swap_into_place(staging: Path, target: Path) -> None:
    """Two renames, each atomic: the old index stays whole until the new one is complete, but for the
    instant between the renames the name is absent, and a reader then gets "no index" (not a torn one)."""
    if target.exists():
        retired = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, target)


def list_indexes(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "manifest.json").exists()) if root.exists() else []


def load_index(directory: Path, embedder: BaseEmbedding, embed_model: str) -> LoadedIndex:
    """The index in `directory`, refused with a rebuild hint when its layout, embedder or files do not fit."""
    name = directory.name
    hint = f"rebuild it with `coach ingest PATH --name {name}`"
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        raise IndexProblem(f"No index named '{name}' under {directory.parent}; {hint}.")
    try:
        manifest = Manifest.read(manifest_path)
        items = [InterviewItem(**raw) for raw in json.loads((directory / "items.json").read_text("utf-8"))]
        chunks = [Chunk(**json.loads(line)) for line in (directory / "chunks.jsonl").read_text("utf-8").splitlines()]
    except (OSError, ValueError, TypeError) as exc:
        raise IndexProblem(f"Index '{name}' is corrupted ({exc.__class__.__name__}); {hint}.") from exc
    if manifest.format_version != FORMAT_VERSION:
        raise IndexProblem(f"Index '{name}' has layout version {manifest.format_version}, and this version "
                           f"of interview-coach reads {FORMAT_VERSION}; {hint}.")
    expected = embedder_id(embed_model)
    if manifest.embedder != expected:
        raise IndexProblem(
            f"Index '{name}' was built with {manifest.embedder} but the configured embedder is {expected}; "
            f"set COACH_EMBED_MODEL to match or {hint}."
        )
    try:
        vector_store = FaissVectorStore.from_persist_dir(str(directory / "llama"))
        storage = StorageContext.from_defaults(vector_store=vector_store, persist_dir=str(directory / "llama"))
        vector_index = load_index_from_storage(storage, embed_model=embedder)
    except Exception as exc:  # faiss raises RuntimeError, llama-index ValueError / JSON errors
        raise IndexProblem(f"Index '{name}' is corrupted ({exc.__class__.__name__}); {hint}.") from exc
    stored = vector_store.client.ntotal
    if stored != len(chunks) or vector_store.client.d != manifest.dimension:
        raise IndexProblem(f"Index '{name}' is corrupted ({stored} vectors for {len(chunks)} chunks); {hint}.")
    return LoadedIndex(name=name, manifest=manifest, items=items, chunks=chunks, vector_index=vector_index)
