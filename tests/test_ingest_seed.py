"""The real seed document, exactly as it is: nine items in order, junk gone, formulas once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunking import count_tokens
from ingest.pipeline import ingest_paths, load_document
from tests.conftest import SAMPLE, SEED

SEED_QUESTIONS = ["LoRA", "pytorch", "DDPM", "python", "ControlNet", "top_k", "IP-Adapter", "Stable Diffusion的条件生成原理", "什么时候用"]


@pytest.fixture(scope="module")
def seed_corpus():
    return ingest_paths([SEED], max_mb=20, chunk_tokens=220, overlap_tokens=40)


def test_nine_items_in_document_order(seed_corpus) -> None:
    items = seed_corpus.items
    assert [item.id for item in items] == list(range(1, 10))
    for item, marker in zip(items, SEED_QUESTIONS):
        assert marker in item.question


def test_junk_tail_toc_and_stray_html_are_gone(seed_corpus) -> None:
    text = seed_corpus.documents[0].text
    for junk in ("相关文章", "SwiftUI", "♠", "src=", "LivenessProbe", "- 问题一"):
        assert junk not in text
    assert text.count("大模型,多模态大模型面试问题基础记录") == 1
    assert not any("SwiftUI" in item.reference_answer for item in seed_corpus.items)
    assert seed_corpus.items[-1].reference_answer.rstrip().endswith("如姿态或深度图。")
    # the DDPM answer's own table of contents ("目录" + list) is gone, its sections stay
    ddpm = seed_corpus.items[2].reference_answer
    assert "目录" not in ddpm and "3.1 正向扩散过程" in ddpm


def test_latex_triples_collapse_to_the_source(seed_corpus) -> None:
    ddpm = seed_corpus.items[2].reference_answer
    assert "x 0 x_0 x0" not in ddpm and "$x_0$" in ddpm
    assert r"$q(x_t | x_{t-1}) = \mathcal{N}(x_t; \sqrt{1 - \beta_t} x_{t-1}, \beta_t \mathbf{I})$" in ddpm
    assert r"\| \epsilon - \epsilon_\theta(x_t, t) \|^2" in ddpm
    assert "q ( x t" not in ddpm and "Lsimple=" not in ddpm


def test_inline_english_terms_rejoin_their_sentence(seed_corpus) -> None:
    """The page put "CLIP" on its own line mid-sentence; the key point keeps the whole claim."""
    conditioning = seed_corpus.items[7]
    assert any("通过 CLIP 模型的文本编码器" in point for point in conditioning.key_points)
    assert "使用 torchvision.datasets 加载" in seed_corpus.items[1].reference_answer
    assert "\nimport torch\n" in seed_corpus.items[1].reference_answer  # code lines stay lines


def test_key_points_are_a_usable_rubric(seed_corpus) -> None:
    for item in seed_corpus.items:
        assert 3 <= len(item.key_points) <= 8, item.question
        assert all(4 <= len(point) <= 110 for point in item.key_points)
    assert any("显存" in point for point in seed_corpus.items[0].key_points)
    assert any("零卷积" in point for point in seed_corpus.items[4].key_points)


def test_chunks_carry_citations_and_respect_windows(seed_corpus) -> None:
    text = seed_corpus.documents[0].text
    assert {chunk.item_id for chunk in seed_corpus.chunks} == set(range(1, 10))
    for chunk in seed_corpus.chunks:
        assert count_tokens(chunk.text) <= 220
        assert text[chunk.char_start : chunk.char_end].strip() == chunk.text
        assert chunk.source == str(SEED) and chunk.section_path
    # Chinese sentences are not cut in the middle: a chunk ends at 。！？; a newline or the item end.
    for chunk in seed_corpus.chunks:
        at_line_end = text[chunk.char_end - 1 : chunk.char_end + 1].count("\n") > 0 or chunk.char_end >= len(text) - 1
        assert re.search(r"[。！？；!?]$", chunk.text) or at_line_end, chunk.text[-30:]
    ddpm_sections = {chunk.section_path[-1] for chunk in seed_corpus.chunks if chunk.item_id == 3}
    assert "3.1 正向扩散过程" in ddpm_sections


def test_gb18030_copy_gives_the_same_items(tmp_path: Path, seed_corpus) -> None:
    copy = tmp_path / "seed-gb18030.txt"
    copy.write_bytes(SEED.read_bytes().decode("utf-8").encode("gb18030"))
    items = ingest_paths([copy], max_mb=20, chunk_tokens=220, overlap_tokens=40).items
    assert [(i.question, i.key_points) for i in items] == [(i.question, i.key_points) for i in seed_corpus.items]


def test_sample_corpus_is_bilingual_and_parses(tmp_path: Path) -> None:
    corpus = ingest_paths([SAMPLE], max_mb=20, chunk_tokens=220, overlap_tokens=40)
    assert len(corpus.items) == 12
    assert all(re.search(r"[\u4e00-\u9fff]", item.question) and re.search(r"[A-Za-z]{3}", item.question)
               for item in corpus.items)
    assert all(3 <= len(item.key_points) <= 8 for item in corpus.items)


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        ("# Notes\n\nQ1. What is LoRA?\nLow rank.\n\nQ2: What is DDPM?\nDiffusion.\n", ["What is LoRA?", "What is DDPM?"]),
        ("1. What is LoRA?\nLow rank adapters.\n2. 什么是DDPM？\n扩散模型。\n", ["What is LoRA?", "什么是DDPM？"]),
        ("# T\n## LoRA\nlow rank\n## DDPM\ndiffusion\n", ["LoRA", "DDPM"]),
    ],
    ids=["Q-style", "numbered", "markdown"],
)
def test_other_question_styles(tmp_path: Path, text: str, questions: list[str]) -> None:
    path = tmp_path / "notes.md"
    path.write_text(text, "utf-8")
    items = ingest_paths([path], max_mb=1, chunk_tokens=220, overlap_tokens=40).items
    assert [item.question for item in items] == questions


def test_document_without_questions_is_refused(tmp_path: Path) -> None:
    from ingest.errors import IngestError

    path = tmp_path / "prose.txt"
    path.write_text("Just some prose without any questions in it.\nAnother line.", "utf-8")
    with pytest.raises(IngestError, match="no interview questions"):
        ingest_paths([path], max_mb=1, chunk_tokens=220, overlap_tokens=40)


def test_title_is_the_first_line() -> None:
    assert load_document(SEED, 20).title.startswith("大模型,多模态大模型面试问题基础记录")


def test_a_document_without_questions_among_others_is_skipped_and_named(tmp_path: Path) -> None:
    (tmp_path / "a_notes.md").write_text("# Notes\n## LoRA\nlow rank adapters\n## DDPM\ndiffusion\n", "utf-8")
    (tmp_path / "b_prose.txt").write_text("Just prose, no questions.\nAnother line.", "utf-8")
    corpus = ingest_paths([tmp_path], max_mb=1, chunk_tokens=220, overlap_tokens=40)
    assert [i.question for i in corpus.items] == ["LoRA", "DDPM"]
    assert corpus.skipped == ["b_prose.txt: no interview questions I can find "
                              "(expected headings like '问题一:', 'Q1.', '1. …?' or Markdown '## …')"]
