"""The real FAISS index: persistence round trip, manifest guard, corruption, atomic replace, quality."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from coach import runtime
from index.errors import IndexProblem
from index.hybrid import HybridRetriever
from index.language_axis import language_axis
from index.store import load_index
from tests.conftest import SEED, read_jsonl


def test_round_trip_keeps_items_chunks_and_manifest(seed_index, settings) -> None:
    loaded = load_index(settings.index_dir("seed"), runtime.embedder(settings), settings.embed_model)
    manifest = loaded.manifest
    assert manifest.items == 9 and manifest.chunks == len(loaded.chunks) > 9
    assert manifest.embedder == "sentence-transformers:multilingual-e5-small" and manifest.dimension == 384
    assert loaded.vector_index.vector_store.client.ntotal == len(loaded.chunks)
    assert [i.question for i in loaded.items] == [i.question for i in seed_index.loaded.items]


def test_hits_carry_citations(seed_index) -> None:
    hits = seed_index.retriever.retrieve("ControlNet 的零卷积有什么作用", k=3)
    assert hits[0].item_id == 5
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].section.startswith("介绍一下ControlNet原理") and hits[0].source == str(SEED)
    assert hits[0].text in seed_index.loaded.item(5).reference_answer


@pytest.mark.parametrize("per_item", [1, 2])
def test_the_per_item_limit_only_reorders(seed_index, per_item: int) -> None:
    """Chunks past an item's first `per_item` move behind the other items' chunks: the same chunks come
    back, each part in the fused order, and no item holds more than `per_item` of the leading ranks."""
    unlimited = HybridRetriever(seed_index.loaded, language_axis=language_axis("multilingual-e5-small"))
    limited = HybridRetriever(seed_index.loaded, language_axis=language_axis("multilingual-e5-small"),
                              per_item=per_item)
    for case in read_jsonl("retrieval_seed.jsonl")[:10]:
        fused = [h.chunk_id for h in unlimited.retrieve(case["query"], k=100)]
        spread = limited.retrieve(case["query"], k=100)
        assert sorted(h.chunk_id for h in spread) == sorted(fused)
        counts = Counter(h.item_id for h in spread)
        leading = sum(min(count, per_item) for count in counts.values())
        assert max(Counter(h.item_id for h in spread[:leading]).values()) <= per_item
        for part in (spread[:leading], spread[leading:]):
            ids = [h.chunk_id for h in part]
            assert ids == [chunk_id for chunk_id in fused if chunk_id in set(ids)]


def _copy_index(settings, name: str) -> Path:
    source, target = settings.index_dir("seed"), settings.index_dir(name)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return target


def test_model_mismatch_is_refused(seed_index, settings) -> None:
    target = _copy_index(settings, "mismatch")
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["embedder"] = "sentence-transformers:all-MiniLM-L6-v2"
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexProblem, match="was built with sentence-transformers:all-MiniLM-L6-v2.*rebuild"):
        load_index(settings.index_dir("mismatch"), runtime.embedder(settings), settings.embed_model)


def test_an_index_of_another_layout_version_is_refused(seed_index, settings) -> None:
    target = _copy_index(settings, "old-layout")
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["format_version"] = 0
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexProblem, match="layout version 0.*reads 1.*coach ingest PATH --name old-layout"):
        load_index(settings.index_dir("old-layout"), runtime.embedder(settings), settings.embed_model)


@pytest.mark.parametrize("damage", ["faiss", "chunks", "manifest"])
def test_corruption_is_detected_with_a_rebuild_hint(seed_index, settings, damage: str) -> None:
    target = _copy_index(settings, f"corrupt-{damage}")
    if damage == "faiss":
        faiss_file = target / "llama" / "default__vector_store.json"
        faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    elif damage == "chunks":
        (target / "chunks.jsonl").write_text('{"id": "broken"', "utf-8")
    else:
        (target / "manifest.json").write_text("{not json", "utf-8")
    with pytest.raises(IndexProblem, match=f"corrupted.*coach ingest PATH --name corrupt-{damage}"):
        load_index(settings.index_dir(f"corrupt-{damage}"), runtime.embedder(settings), settings.embed_model)


def test_failed_rebuild_leaves_the_old_index_usable(seed_index, settings, tmp_path: Path) -> None:
    _copy_index(settings, "atomic")
    before = json.loads((settings.index_dir("atomic") / "manifest.json").read_text())

    def crash(done: int, total: int) -> None:
        raise RuntimeError("simulated crash mid-embedding")

    with pytest.raises(RuntimeError):
        runtime.ingest_and_index([SEED], "atomic", settings, on_embedded=crash)
    assert json.loads((settings.index_dir("atomic") / "manifest.json").read_text()) == before
    reloaded = load_index(settings.index_dir("atomic"), runtime.embedder(settings), settings.embed_model)
    assert reloaded.manifest.chunks == before["chunks"]


def _hit_rates(retriever, cases: list[dict], mode: str) -> tuple[float, float, float]:
    hit1 = hit3 = reciprocal = 0.0
    for case in cases:
        ids = [hit.item_id for hit in retriever.retrieve(case["query"], k=10, mode=mode)]
        hit1 += ids[:1] == [case["item_id"]]
        hit3 += case["item_id"] in ids[:3]
        reciprocal += 1 / (ids.index(case["item_id"]) + 1) if case["item_id"] in ids else 0
    return hit1 / len(cases), hit3 / len(cases), reciprocal / len(cases)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hybrid_retrieval_quality_on_the_seed(seed_index, lang: str) -> None:
    cases = [c for c in read_jsonl("retrieval_seed.jsonl") if c["lang"] == lang]
    assert len(cases) >= 15
    hit1, hit3, mrr = _hit_rates(seed_index.retriever, cases, "hybrid")
    assert hit3 >= 0.95 and hit1 >= 0.8 and mrr >= 0.85, (hit1, hit3, mrr)


def test_hybrid_retrieval_quality_on_the_sample_corpus(sample_index) -> None:
    cases = read_jsonl("retrieval_sample.jsonl")
    hit1, hit3, mrr = _hit_rates(sample_index.retriever, cases, "hybrid")
    assert hit3 >= 0.95 and mrr >= 0.85, (hit1, hit3, mrr)


def test_bigram_bm25_finds_chinese_words_inside_runs(seed_index) -> None:
    # "显存" sits inside longer runs of Chinese; a whole-run tokenizer would never match it.
    hits = seed_index.retriever.retrieve("显存", k=1, mode="bm25")
    assert hits and hits[0].item_id == 1


def test_the_bundled_minilm_loads_by_name(tmp_path: Path) -> None:
    from index.embedders import make_embedder

    model = make_embedder("all-MiniLM-L6-v2", tmp_path)
    query = model.get_query_embedding("What is beam search?")
    texts = model.get_text_embedding_batch(["Beam search keeps the k best partial sequences.", "Tuples are immutable."])
    similarity = [sum(a * b for a, b in zip(query, text)) for text in texts]
    assert len(query) == 384 and similarity[0] > similarity[1]


def test_chunks_are_sized_in_the_embedders_own_tokens(seed_index, sample_index, settings) -> None:
    """Counted by e5's tokenizer, every chunk fits the chunk size and so the model's 512-token window."""
    from index.embedders import token_counter

    count = token_counter(runtime.embedder(settings))
    for opened in (seed_index, sample_index):
        sizes = [count(c.text) for c in opened.loaded.chunks]
        assert max(sizes) <= settings.chunk_tokens < 512 - 8
        assert sum(sizes) / len(sizes) > settings.chunk_tokens / 3  # windows are filled, not one sentence each


def test_a_reindexed_name_replaces_its_cached_copy(seed_index, settings) -> None:
    """The UI process lives long: each re-index of a name must not leave the old FAISS index in memory."""
    target = _copy_index(settings, "reindexed")
    first = runtime.open_index("reindexed", settings)
    manifest = target / "manifest.json"
    manifest.write_text(manifest.read_text("utf-8"), "utf-8")  # what a rebuild's swap does to the stamp
    os.utime(manifest, ns=(manifest.stat().st_atime_ns, manifest.stat().st_mtime_ns + 1_000_000))
    second = runtime.open_index("reindexed", settings)
    assert second is not first
    assert [key for key in runtime._indexes if key[0] == str(target)] == [next(
        key for key, value in runtime._indexes.items() if value is second)]
