"""Dense search with the embedder's language axis taken out: an English question finds Chinese notes
among English pages on other subjects, and the similarities reported stay plain cosines."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from coach import runtime
from index.language_axis import axis_path, language_axis, without_axis

CHINESE_NOTES = """# 训练技巧

## 问题一：为什么训练时要做梯度裁剪？

梯度裁剪在反向传播之后、优化器更新之前，把全部参数梯度的整体范数限制在一个阈值以内，超过阈值就按比例缩小。
它防止一次异常的大梯度把权重推得太远，常用于 RNN 和大模型预训练，避免损失突然变成 NaN。

## 问题二：学习率预热有什么用？

预热阶段让学习率从很小的值线性增加到目标值，避免训练初期 Adam 的二阶矩估计还不准时更新过大。
"""

ENGLISH_PAGES = """# Operations handbook

## Q1: How do we roll back a failed deployment?

Redeploy the previous release tag from the pipeline, then confirm the health checks pass before
reopening traffic. Keep the failed build's logs attached to the incident ticket.

## Q2: When should a database query use an index?

An index helps when a query filters or sorts on a selective column; scanning the whole table is
cheaper when most rows match anyway.

## Q3: How are new engineers trained on the on-call rotation?

They shadow two shifts, then take a shift with a mentor as backup, and review every page they
received at the end of the week.

## Q4: Why limit the size of uploaded files?

Large uploads tie up workers and memory; a limit with a clear error keeps the service responsive.
"""


def test_stored_axis_is_the_carded_unit_vector(settings) -> None:
    path = axis_path(settings.embed_model)
    card = json.loads(path.with_suffix(".json").read_text("utf-8"))
    assert card["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    axis = language_axis(settings.embed_model)
    assert axis is not None and axis.shape == (card["dimension"],)
    assert abs(float(np.linalg.norm(axis)) - 1.0) < 1e-5
    assert language_axis("all-MiniLM-L6-v2") is None  # an English-only embedder searches plain cosines


def test_without_axis_is_orthogonal_and_unit() -> None:
    rng = np.random.default_rng(0)
    axis = rng.normal(size=16).astype(np.float32)
    axis /= np.linalg.norm(axis)
    flat = without_axis(rng.normal(size=(5, 16)), axis)
    assert np.allclose(flat @ axis, 0.0, atol=1e-6)
    assert np.allclose(np.linalg.norm(flat, axis=1), 1.0, atol=1e-6)


@pytest.fixture(scope="module")
def mixed_index(settings, tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("mixed")
    (folder / "notes_zh.md").write_text(CHINESE_NOTES, "utf-8")
    (folder / "handbook_en.md").write_text(ENGLISH_PAGES, "utf-8")
    runtime.ingest_and_index([folder], "mixed-languages", settings)
    return runtime.open_index("mixed-languages", settings)


def test_english_question_finds_chinese_notes_among_english_pages(mixed_index) -> None:
    retriever = mixed_index.retriever
    for question, item in (("Why clip gradients during training?", "梯度裁剪"),
                           ("What is learning-rate warmup for?", "预热")):
        top = retriever.retrieve(question, 1, mode="dense")[0]
        assert item in mixed_index.loaded.item(top.item_id).question, (question, top.section)


def test_hybrid_search_lets_no_english_page_win_on_words_the_chinese_notes_cannot_share(mixed_index) -> None:
    """BM25 ranks an English handbook page first on shared words ("new", "trained", "why"); it cannot
    see the Chinese notes at all, so its vote must not outweigh the dense search's (plain fusion put the
    handbook first for every one of these)."""
    retriever = mixed_index.retriever
    for question, item in (("Why clip gradients during training?", "梯度裁剪"),
                           ("How is a new model trained with gradient clipping?", "梯度裁剪"),
                           ("How do new engineers warm up the learning rate?", "预热")):
        assert retriever.retrieve(question, 3, mode="bm25")[0].source.endswith("handbook_en.md")
        top = retriever.retrieve(question, 1)[0]
        assert item in mixed_index.loaded.item(top.item_id).question, (question, top.section)


def test_reported_similarity_is_the_plain_cosine(mixed_index, settings) -> None:
    embedder = runtime.embedder(settings)
    question = "Why clip gradients during training?"
    query = np.asarray(embedder.get_query_embedding(question), dtype=np.float32)
    for hit in mixed_index.retriever.retrieve(question, 3, mode="dense"):
        chunk = next(c for c in mixed_index.loaded.chunks if c.id == hit.chunk_id)
        stored = mixed_index.loaded.vector_index.vector_store.client.reconstruct(
            mixed_index.loaded.chunks.index(chunk))
        assert hit.dense_similarity == pytest.approx(float(stored @ query), abs=1e-4)
