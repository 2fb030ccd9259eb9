"""Tutor and interviewer end to end: real index, real local LLM server, real SQLite file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from coach import runtime
from coach.cli import app
from coach.export import export_json, export_markdown
from coach.grading.titles import template_follow_up
from coach.llm.sampling import SamplingSettings
from ingest.keypoints import sentences
from ingest.language import detect_language
from tests.conftest import read_jsonl

pytestmark = pytest.mark.slow
GREEDY = SamplingSettings(temperature=0.0, seed=1, max_tokens=60)


@pytest.fixture()
def engine(seed_index, settings, llm):
    return runtime.interview_engine("seed", settings, lambda: llm)


def test_scripted_three_turn_interview(engine, settings) -> None:
    state, opening = engine.start(order="order", limit=2, sampling=GREEDY)
    assert opening[-1].kind == "question" and opening[-1].item_id == 1 and state.phase == "answering"

    weak = engine.respond(state, "LoRA 可以省一点资源。", GREEDY)
    assert [m.kind for m in weak] == ["feedback", "follow_up"] and state.phase == "follow_up"
    weak_score = weak[0].grade.score

    better = engine.respond(state, "LoRA 主要节省的是显存：冻结原模型，只训练低秩矩阵 A 和 B，需要存储的梯度和优化器状态大幅减少；"
                                   "它也间接减少一点内存带宽，但主要是显存。", GREEDY)
    assert better[0].kind == "feedback" and better[0].grade.score > weak_score

    idk = engine.respond(state, "不知道", GREEDY)
    assert idk[0].kind == "hint" and state.item_id in (1, 2)  # a non-answer never advances silently
    if state.item_id == 1:
        engine.respond(state, "skip", GREEDY)
    assert state.item_id == 2 and state.phase == "answering"
    ending = engine.respond(state, "end", GREEDY)
    assert ending[-1].kind == "summary" and "Q1" in ending[-1].content and state.phase == "done"

    store = runtime.store(settings)
    kinds = [t.kind for t in store.turns(state.session_id)]
    assert kinds.count("answer") == 2 and "summary" in kinds and "hint" in kinds
    exported = export_json(store, state.session_id)
    assert [g["item_id"] for g in exported["grades"]] == [1, 1]
    assert "LoRA 可以省一点资源" in export_markdown(store, state.session_id)
    resumed = engine.resume(state.session_id)
    assert resumed.phase == "done" and resumed.scores == state.scores


def test_reference_and_repeat_commands(engine) -> None:
    state, opening = engine.start(order="topic", topic="ControlNet", sampling=GREEDY)
    assert opening[-1].item_id in (5, 9)
    assert engine.respond(state, "repeat", GREEDY)[0].content == state.current_question
    shown = engine.respond(state, "参考答案", GREEDY)
    assert shown[0].kind == "reference"
    assert "零卷积" in shown[0].content or "ControlNet" in shown[0].content


def test_weakness_order_asks_unseen_then_the_lowest_score_first(engine, settings) -> None:
    # Every item graded at least once (here, whatever other tests stored), so the order is all by score.
    state, _ = engine.start(order="order", sampling=GREEDY)
    for item_id in range(1, 10):
        engine.respond(state, engine.index.loaded.item(item_id).reference_answer[:300], GREEDY)
        if state.item_id == item_id:
            engine.respond(state, "skip", GREEDY)
    means = runtime.store(settings).mean_scores("seed")
    assert set(means) == set(range(1, 10))
    weakness, _ = engine.start(order="weakness", sampling=GREEDY)
    assert [means[i] for i in weakness.queue] == sorted(means.values())
    assert weakness.queue[0] == min(means, key=means.get)


def test_tutor_cites_the_right_section(seed_index, settings, llm) -> None:
    result = runtime.tutor("seed", settings).answer("DDPM 训练时的简化损失函数是什么？", [], llm, GREEDY)
    assert not result.declined and result.answer
    assert result.citations[0].item_id == 3 and result.language == "zh"
    assert any("L_{\\text{simple}}" in c.text or "简化" in c.text for c in result.citations)
    assert result.sampling["temperature"] == 0.0


def test_tutor_declines_out_of_scope(seed_index, settings, llm) -> None:
    result = runtime.tutor("seed", settings).answer("How do I bake sourdough bread?", [], llm, GREEDY)
    assert result.declined and not result.citations and "do not cover" in result.answer


def test_follow_up_question_is_retrieved_with_its_context(seed_index, settings, llm) -> None:
    history = [{"role": "user", "content": "What is a zero convolution in ControlNet?"},
               {"role": "assistant", "content": "It is a 1x1 convolution initialised to zero."}]
    result = runtime.tutor("seed", settings).answer("why?", history, llm, GREEDY)
    assert "zero convolution" in result.query and result.citations[0].item_id == 5


def test_injected_documents_are_not_obeyed(settings, llm, tmp_path) -> None:
    cases = [c for c in read_jsonl("adversarial.jsonl") if c["kind"] == "document"]
    notes = tmp_path / "hostile.md"
    notes.write_text("".join(f"## Q{n}. Question {n}\n\n{c['text']}\n\n" for n, c in enumerate(cases, 1)), "utf-8")
    runtime.ingest_and_index([notes], "hostile", settings)
    tutor = runtime.tutor("hostile", settings)
    for case in cases:
        query = case["text"][:40]
        answer = tutor.answer(query, [], llm, SamplingSettings(temperature=0.0, seed=3, max_tokens=80))
        assert case["must_not_contain"] not in answer.answer, (query, answer.answer)


def test_ask_cli_contract(seed_index, llm) -> None:
    result = CliRunner().invoke(app, ["ask", "what does top-k sampling do", "--name", "seed", "--json",
                                      "--temperature", "0"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"answer", "citations", "sampling"} <= set(payload) and payload["sampling"]["temperature"] == 0.0
    assert payload["citations"][0]["item_id"] == 6


@pytest.mark.parametrize(("question", "lang"), [("What does the zero convolution in ControlNet do?", "en"),
                                                ("DDPM 的简化损失函数是什么？", "zh")])
def test_the_tutor_shows_only_what_the_notes_support(seed_index, settings, llm, question: str, lang: str) -> None:
    """Every model sentence shown passed the judge against a cited note, in the asker's language; the
    rest is listed as left out; with nothing left, the answer is the notes' own cited sentences."""
    result = runtime.tutor("seed", settings).answer(question, [], llm, GREEDY)
    assert result.checked and result.language == lang
    kept = [c for c in result.checked if c.supported]
    if result.source == "model":
        assert result.answer == " ".join(f"{c.text} [{c.citation}]" for c in kept)
        assert all(c.evidence and 1 <= c.citation <= len(result.citations) for c in kept)
    else:
        assert result.source == "notes" and len(kept) < 1
        notes = {s for c in result.citations for s in sentences(c.text)}
        quoted = [line.removeprefix("- ").rsplit(" [", 1)[0] for line in result.answer.splitlines()[2:]]
        assert quoted and all(q in notes for q in quoted)
    assert all(c.text not in result.answer for c in result.left_out)


def test_out_of_scope_questions_are_declined_in_both_languages(seed_index, settings) -> None:
    """The issue's own example is declined; of the unrelated questions (zh and en) 7 of 8 were measured."""
    assert runtime.judge(settings).has_relevance
    tutor = runtime.tutor("seed", settings)
    assert tutor.prepare("Kubernetes 的存活探针应该怎么配置？", [])[3]
    unrelated = [c for c in read_jsonl("out_of_scope.jsonl") if c["kind"] == "unrelated"]
    for lang in ("zh", "en"):
        declined = [tutor.prepare(c["query"], [])[3] for c in unrelated if c["lang"] == lang]
        assert sum(declined) >= len(declined) / 2, lang


def test_the_notes_own_questions_are_not_declined(seed_index, settings) -> None:
    tutor = runtime.tutor("seed", settings)
    answered = [not tutor.prepare(case["query"], [])[3] for case in read_jsonl("retrieval_seed.jsonl")]
    assert sum(answered) >= 0.9 * len(answered)


@pytest.mark.parametrize(("answer", "lang"), [("LoRA 可以节省一些资源，因为参数少。", "zh"),
                                              ("LoRA saves some resources because it trains fewer parameters.", "en")])
def test_a_follow_up_probes_a_missed_point_without_giving_it_away(engine, settings, answer: str, lang: str) -> None:
    state, _ = engine.start(order="order", limit=1, sampling=GREEDY)
    feedback, follow_up = engine.respond(state, answer, GREEDY)
    assert follow_up.kind == "follow_up" and follow_up.content.rstrip().endswith(("?", "？"))
    assert detect_language(follow_up.content) == lang and "提示" not in follow_up.content
    missed = [p.point for p in feedback.grade.missed]
    assert missed and all(p not in follow_up.content for p in missed)
    templates = {template_follow_up(p, lang) for p in missed}
    if follow_up.content not in templates:  # the LLM's own question: accepted only if it does not state the point
        probed = max(missed, key=lambda p: runtime.grader(settings).similarity(p, follow_up.content))
        assert runtime.judge(settings).probabilities([(probed, follow_up.content)])[0, 0] < 0.5
    second = engine.respond(state, answer + (" 它还冻结了原模型。" if lang == "zh" else " It also freezes the base model."),
                            GREEDY)
    assert second[0].kind == "feedback"
    assert second[-1].content != follow_up.content  # a second follow-up probes another point, or we move on


def test_an_unknown_session_is_a_clear_error_not_a_bug(settings) -> None:
    """A session id that does not exist is the person's mistake: one sentence naming it, exit 1, and no
    traceback written to the error log (that log is for bugs)."""
    log = settings.home / "logs" / "errors.log"
    before = log.read_text("utf-8") if log.exists() else ""
    result = CliRunner().invoke(app, ["sessions", "show", "no-such-session", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout.splitlines()[0]) == {"error": "No session no-such-session."}
    assert (log.read_text("utf-8") if log.exists() else "") == before
