"""Rubric grading, claim by claim: covered key points (TP), missed ones (FN), wrong claims (FP).

Meaning is read by the trained judge (coach/grading): a point is covered when part of the answer
agrees with it, a sentence is wrong when it contradicts a note sentence. The embedder only chooses
which pairs the judge reads, so the score stands even when the LLM is tiny. An LLM judge with a
fixed rubric joins in when COACH_LLM_JUDGE is on (a real model).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from coach.follow_up import short_title, template_follow_up
from coach.grading.judge import Judge
from coach.grading.rubric import ENTAILMENT_COVERED, answer_parts, find_contradictions, match_points
from coach.judge import Judge as LLMJudge
from coach.language import Language, detect_language
from ingest.keypoints import sentences
from ingest.models import Chunk, InterviewItem

PENALTY_PER_WRONG = 2.5
# A sentence the judge finds agreeing with no note below this is "not in the notes".
SUPPORTED = 0.3
EMBEDDING_CACHE_SIZE = 20_000  # sentences; about 30 MB of 384-d vectors


@dataclass
class PointResult:
    point: str
    coverage: float  # 0..1
    evidence_chunk: str  # chunk id holding this point in the document
    section: str
    answer_sentence: str = ""


@dataclass
class WrongClaim:
    claim: str
    reference: str
    evidence_chunk: str
    section: str


@dataclass
class Grade:
    item_id: int
    score: float
    covered: list[PointResult]
    missed: list[PointResult]
    wrong: list[WrongClaim]
    unsupported: list[str]
    feedback: str
    follow_up: str
    language: Language
    off_topic: bool = False  # nothing covered, nothing contradicted, no sentence near the notes
    judge: dict = field(default_factory=dict)

    def to_contract(self) -> dict:
        """The `coach grade --json` shape."""
        return {"score": self.score, "covered": [p.point for p in self.covered],
                "missed": [p.point for p in self.missed], "wrong": [w.claim for w in self.wrong],
                "feedback": self.feedback, "follow_up": self.follow_up}

    def to_dict(self) -> dict:
        return asdict(self)


def _answer_sentences(answer: str) -> list[str]:
    found = sentences(answer)
    return found or ([answer.strip()] if answer.strip() else [])


class Grader:
    def __init__(self, embedder: BaseEmbedding, judge: Judge) -> None:
        self._embedder = embedder
        self.judge = judge
        # Key points and reference sentences repeat on every grade; answers mostly don't. Least recently
        # used entries go first, so a long-running UI stays at a few tens of MB.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.llm_judge: LLMJudge | None = None  # set when COACH_LLM_JUDGE is on

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:  # one grader serves every session thread of the UI
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        for text, vector in zip(missing, self._embedder.get_text_embedding_batch(missing) if missing else []):
            array = np.asarray(vector, dtype=np.float32)
            known[text] = array / (np.linalg.norm(array) or 1.0)
        with self._lock:
            for text, array in known.items():
                self._cache[text] = array
                self._cache.move_to_end(text)
            while len(self._cache) > EMBEDDING_CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.stack([known[t] for t in texts])

    def similarity(self, a: str, b: str) -> float:
        vectors = self.embed([a, b])
        return float(vectors[0] @ vectors[1])

    def grade(self, item: InterviewItem, answer: str, chunks: list[Chunk]) -> Grade:
        language = detect_language(answer, default="zh" if detect_language(item.question) == "zh" else "en")
        answer_sentences = _answer_sentences(answer)
        reference_sentences = sentences(item.reference_answer) or [item.reference_answer]
        located = [_locate(point, chunks) for point in item.key_points]
        if not answer_sentences:
            missed = [PointResult(p, 0.0, c, s) for p, (c, s) in zip(item.key_points, located)]
            return self._finish(item, 0.0, [], missed, [], [], language)

        contradictions, support = find_contradictions(self.judge, answer_sentences, self.embed(answer_sentences),
                                                      reference_sentences, self.embed(reference_sentences))
        wrong = [WrongClaim(answer_sentences[c.sentence], reference_sentences[c.note],
                            *_locate(reference_sentences[c.note], chunks)) for c in contradictions]
        wrong_rows = {c.sentence for c in contradictions}
        parts, owners = answer_parts(answer_sentences)
        matches = match_points(self.judge, parts, owners, self.embed(parts), item.key_points,
                               self.embed(item.key_points), wrong_rows)
        covered, missed = [], []
        for point, match, place in zip(item.key_points, matches, located):
            result = PointResult(point, round(match.coverage, 2), *place,
                                 answer_sentences[match.sentence] if match.sentence >= 0 else "")
            (covered if match.coverage >= ENTAILMENT_COVERED else missed).append(result)
        matched_rows = {m.sentence for m in matches if m.coverage >= ENTAILMENT_COVERED}
        unsupported = [s for row, s in enumerate(answer_sentences)
                       if row not in wrong_rows and row not in matched_rows and support[row] < SUPPORTED]
        coverage_score = 10.0 * float(np.mean([m.coverage for m in matches])) if matches else 0.0
        score = max(0.0, coverage_score - PENALTY_PER_WRONG * len(wrong))
        verdict = self.llm_judge(item.key_points, answer) if self.llm_judge else {}
        if verdict:
            score = (score + verdict["score"]) / 2
        grade = self._finish(item, score, covered, missed, wrong, unsupported, language)
        grade.judge = verdict
        grade.off_topic = not covered and not wrong and len(unsupported) == len(answer_sentences)
        return grade

    def _finish(self, item: InterviewItem, score: float, covered: list[PointResult], missed: list[PointResult],
                wrong: list[WrongClaim], unsupported: list[str], language: Language) -> Grade:
        score = round(min(10.0, score), 1)
        missed.sort(key=lambda p: p.coverage)
        return Grade(item.id, score, covered, missed, wrong, unsupported,
                     feedback_text(score, covered, missed, wrong, language),
                     follow_up_question(score, item, missed, language), language)


def _locate(text: str, chunks: list[Chunk]) -> tuple[str, str]:
    """The chunk (id, section) of this item that holds `text`, for citations."""
    probe = (text.split(": ", 1)[-1] if ": " in text else text).rstrip("…")[:18]
    for chunk in chunks:
        if probe and probe in chunk.text:
            return chunk.id, chunk.section
    return (chunks[0].id, chunks[0].section) if chunks else ("", "")


def feedback_text(score: float, covered: list[PointResult], missed: list[PointResult], wrong: list[WrongClaim],
                  language: Language) -> str:
    """One or two sentences in the person's language; the points themselves are listed beside it."""
    total = len(covered) + len(missed)
    names = [short_title(p.point) for p in missed[:2]]
    if language == "zh":
        text = f"得分 {score:g}/10。答到了 {len(covered)}/{total} 个要点"
        text += f"，还缺{'、'.join(f'「{n}」' for n in names)}。" if names else "。"
        return text + (f"有 {len(wrong)} 处说法与笔记矛盾。" if wrong else "")
    text = f"Score {score:g}/10. You covered {len(covered)} of {total} points"
    text += f"; still missing: {', '.join(names)}." if names else "."
    return text + (f" {len(wrong)} claim(s) contradict the notes." if wrong else "")


def follow_up_question(score: float, item: InterviewItem, missed: list[PointResult], language: Language) -> str:
    """A question that probes the weakest missed point by its short title, without stating it; after a
    full answer, one level deeper on the last point."""
    if score >= 9 or not missed:
        title = short_title(item.key_points[-1]) if item.key_points else item.question
        return (f"很好。再深入一点：在实际工程中，「{title}」有哪些需要注意的地方？" if language == "zh"
                else f"Good. One level deeper: what are the practical pitfalls around {title}?")
    return template_follow_up(missed[0].point, language)
