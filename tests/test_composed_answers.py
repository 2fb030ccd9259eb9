"""The composed grading set (answers built from the judge's held-out notes) and the grader's judge
readings it is used to compare: built from the right topics, and each reading does what it says."""

from __future__ import annotations

import collections

import numpy as np
import pytest

from coach import runtime
from coach.grading.contradiction import affirmed_form
from coach.grading.grader import (
    JUDGE_ALONE_BAND,
    JUDGE_CONTRADICTS,
    JUDGE_DENIES,
    _capacity,
    _clauses,
)
from coach.grading.judge_data import read_notes, split_of
from eval.composed_answers import (
    PARTIAL_POINTS,
    POINTS_PER_ITEM,
    WRONG_POINTS,
    composed_cases,
    grade_composed,
)
from ingest.keypoints import sentences
from ingest.models import InterviewItem


@pytest.mark.parametrize("split, source", [("dev", "composed"), ("test", "composed"), ("dev", "fluent"),
                                           ("test", "fluent")])
def test_composed_items_come_only_from_their_split_and_have_every_kind(split: str, source: str) -> None:
    cases = composed_cases(split, source=source)
    assert cases and all(split_of(case.item.question) == split for case in cases)
    kinds = collections.Counter((case.item.id, case.answer_lang, case.kind) for case in cases)
    assert set(kinds.values()) == {1}
    for item_id in {case.item.id for case in cases}:
        assert {(lang, kind) for (i, lang, kind) in kinds if i == item_id} == {
            (lang, kind) for lang in ("zh", "en") for kind in ("strong", "short", "partial", "wrong")}
    assert all(len(case.item.key_points) == POINTS_PER_ITEM for case in cases)


@pytest.mark.parametrize("source", ["composed", "fluent"])
def test_composed_answers_are_in_their_language_and_sized_by_kind(source: str) -> None:
    from ingest.language import detect_language

    cases = composed_cases("dev", source=source)
    for case in cases:
        assert detect_language(case.answer) == case.answer_lang
        if case.kind == "partial":
            assert case.answer.count("。" if case.answer_lang == "zh" else ". ") + 1 >= PARTIAL_POINTS
        if case.kind == "strong":
            assert len(case.answer) > len(next(c.answer for c in cases if c.item == case.item
                                               and c.answer_lang == case.answer_lang and c.kind == "partial"))
    wrong = [c for c in cases if c.kind == "wrong"]
    assert all(1 <= len(sentences(c.answer)) for c in wrong) and WRONG_POINTS < POINTS_PER_ITEM


@pytest.fixture()
def reading_grader(settings):
    grader = runtime.grader(settings)
    saved = grader.judge_contradicts, grader.lexical_rules, grader.cosine_coverage, grader.judge_band, grader.judge_denies
    yield grader
    (grader.judge_contradicts, grader.lexical_rules, grader.cosine_coverage, grader.judge_band,
     grader.judge_denies) = saved


def _case(kind: str, lang: str = "en"):
    return next(c for c in composed_cases("test") if c.kind == kind and c.item_lang == lang == c.answer_lang)


def test_the_judge_as_wrong_claim_detector_cites_the_note_a_falsification_denies(reading_grader) -> None:
    """Falsifications of test-topic notes: the judge's reading flags them, each citing a note sentence;
    the shipped grader (lexical rules only) is the baseline it is compared with in coach eval."""
    case = _case("wrong")
    reading_grader.judge_contradicts, reading_grader.lexical_rules = JUDGE_CONTRADICTS, False
    grade = reading_grader.grade(case.item, case.answer, [case.chunk])
    assert len(grade.wrong) >= 2
    assert all(w.reference in case.item.reference_answer and w.evidence_chunk == case.chunk.id for w in grade.wrong)
    assert grade.score < 5


def test_the_judge_alone_never_lets_one_sentence_cover_more_than_its_share(reading_grader) -> None:
    case = _case("strong")
    reading_grader.judge_contradicts, reading_grader.lexical_rules = JUDGE_CONTRADICTS, False
    reading_grader.cosine_coverage, reading_grader.judge_band = False, JUDGE_ALONE_BAND
    one_sentence = sentences(case.answer)[0]
    grade = reading_grader.grade(case.item, one_sentence, [case.chunk])
    assert len(grade.covered) <= _capacity(one_sentence) < POINTS_PER_ITEM
    assert {p.answer_sentence for p in grade.covered} <= {one_sentence}


def test_the_composed_metrics_order_a_working_grader(reading_grader) -> None:
    """The shipped grader on the test topics: strong above wrong on most items, scores in range."""
    result = grade_composed(reading_grader, "test")
    assert result["items"] >= 8 and result["answers"] == result["items"] * 8
    assert result["mean_strong_same"] > result["mean_partial_same"]
    assert all(0 <= value <= 10 for key, value in result.items() if key.startswith("mean_"))


def test_the_judge_denying_coverage_takes_a_point_only_where_it_reads_a_contradiction(reading_grader) -> None:
    """Each test-topic note alone as the rubric, one falsification or restatement of it as the answer:
    with the denial reading on, falsifications the cosine let cover the note lose it, every point lost
    is one the judge reads as contradicted both ways round, and nothing is called wrong (a denial costs
    no penalty; the lexical rules, which would, are off here)."""
    falsified = {"swap_roles", "wrong_number", "reverse_direction", "wrong_component"}
    reading_grader.lexical_rules = False
    lost = {"falsified": 0, "restated": 0}
    kept_falsified = 0
    for row in (r for r in read_notes() if split_of(r["topic"]) == "test"):
        note = row["note"]["en"]
        item = InterviewItem(0, row["topic"], note, [row["topic"]], [note])
        claims = [(c["text"], "falsified") for c in row["contradict"] if c.get("kind") in falsified and c["lang"] == "en"]
        claims += [(c["text"], "restated") for c in row["entail"] if c.get("kind") == "paraphrase" and c["lang"] == "en"]
        for claim, kind in claims:
            reading_grader.judge_denies = None
            before = bool(reading_grader.grade(item, claim, []).covered)
            reading_grader.judge_denies = JUDGE_DENIES
            grade = reading_grader.grade(item, claim, [])
            assert not grade.wrong
            if before and not grade.covered:
                lost[kind] += 1
                parts = [affirmed_form(part) for part in _clauses(claim)]  # what the reading reads
                forward = reading_grader.judge.probabilities([(note, part) for part in parts])[:, 2]
                backward = reading_grader.judge.probabilities([(part, note) for part in parts])[:, 2]
                assert np.minimum(forward, backward).max() >= JUDGE_DENIES, claim
            kept_falsified += kind == "falsified" and bool(grade.covered)
    assert lost["falsified"] >= 3, (lost, kept_falsified)
