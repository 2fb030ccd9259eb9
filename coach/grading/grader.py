"""Rubric grading, claim by claim: covered key points (TP), missed ones (FN), wrong claims (FP).

Coverage comes from embedding similarity between the answer's sentences (and their clauses) and each
key point, and from the trained judge where it finds a point restated, so the score stands even when
the LLM is tiny. Contradictions of the notes lower it: the flip test (an answer sentence closer to a
flipped note than to any real one, coach/grading/flips.py) and the lexical checks of
coach/grading/contradiction.py. The judge can also find wrong claims, deny a falsified point its
cosine credit, and read coverage alone; eval compares those readings, and they stay off until they win
on real answers. An LLM judge with a fixed
rubric joins in when COACH_LLM_JUDGE is on (a real model).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from coach.calibration import Calibration
from coach.grading.contradiction import (
    affirmed_form,
    conflicts,
    reverses_what_notes_stress,
)
from coach.grading.flips import flipped_notes, negated_notes
from coach.grading.grade import (
    Grade,
    PointResult,
    WrongClaim,
    feedback_text,
    follow_up_question,
)
from coach.grading.llm_judge import Judge
from ingest.keypoints import sentences
from ingest.language import Language, detect_language
from ingest.models import Chunk, InterviewItem

if TYPE_CHECKING:
    from coach.grading.judge import Judge as AnswerJudge

# The embedder's cosine bands and margins are in coach/calibration.py.
POINTS_PER_SENTENCE = 2  # a sentence carries at most two key points, or one per clause where it has more
CLAUSE_CHARS = 8  # a shorter part between commas is no clause of its own ("即", "for example")
PENALTY_PER_WRONG = 2.5
FLIP_CANDIDATES = 5  # note sentences nearest the answer sentence that are tried flipped
NEGATION_CANDIDATES = 1  # a negation is only moved onto the note the sentence is closest to
# The trained judge reads the answer parts the embedder puts nearest each key point, and a point it finds
# restated counts even where the cosine band missed it (across languages, in short answers). Band on its
# entailment probability: from 0.90 its precision on the judge's dev split is 0.98 (the judge trained
# with contrast restatements and same-topic neutrals is more cautious than the first, whose 0.98 band
# gave that precision). Looser bands score cross-language and short answers closer to right but lift
# partial answers above strong and wrong ones more often (eval/results/eval.json, "grader_judge_bands").
JUDGE_BAND = (0.90, 0.99)
JUDGE_CANDIDATES = 2  # answer parts per key point the judge reads
# The judge as the wrong-claim detector and as the only coverage reader: both measured, both off
# (eval/results/eval.json, "grader_judge_readings"). On answers composed from its held-out test topics
# they lift partial-over-wrong from 0.47 to 0.81 / 0.83, but on real answers the judge reads true "X, not Y"
# sentences as contradictions and unrelated on-topic sentences as restatements: seed pairwise 0.83 -> 0.54 / 0.50.
# Retrained on data aimed at both (eval/results/judge/retrained-contrast-sibling.json): seed 0.56 / 0.52.
CONTRADICTION_CANDIDATES = 3  # reference sentences nearest each answer sentence that the judge reads for conflicts
JUDGE_CONTRADICTS = 0.8  # the judge's contradiction probability (both readings) from which a sentence is wrong
DENIAL_CANDIDATES = 2  # answer sentences nearest each key point whose credit for it the judge may deny
# The judge denying a sentence's credit for a point it contradicts (no penalty), measured and off: from
# 0.5 (the best on the dev topics, composed and fluent) it lifts test partial-over-wrong (composed 0.58 ->
# 0.75, fluent 0.16 -> 0.25) but puts the zh and en forms of strong answers further apart (composed test
# within 1 point 0.38 -> 0.22, the cross-language set 7/21 -> 6/21) and lowers the seed's partial-over-wrong
# 0.44 -> 0.38 (eval/results/eval.json, "grader_judge_readings"): its false denials fall on one language more.
JUDGE_DENIES = 0.5
JUDGE_ALONE_BAND = (0.3, 0.8)  # the entailment band when the judge alone reads coverage (chosen on the dev topics)
OFF_TOPIC_CANDIDATES = 3  # reference sentences nearest each answer sentence that the relevance head reads
EMBEDDING_CACHE_SIZE = 20_000  # sentences; about 30 MB of 384-d vectors


_CLAUSE_BREAK = re.compile(r"(?<=[，,；;])\s*")


def _parts(sentence: str) -> list[str]:
    """The pieces of a sentence between commas and semicolons."""
    return [p.strip() for p in _CLAUSE_BREAK.split(sentence) if p.strip()]


def _clauses(sentence: str) -> list[str]:
    """The sentence, its clauses and each pair of neighbouring clauses: a compound sentence ("the UNet
    is frozen, so ..., and a trainable copy ...") states several points, and each part matches its
    own point more closely than the whole sentence does."""
    parts = _parts(sentence)
    if len(parts) < 2:
        return [sentence]
    pairs = [f"{left} {right}" for left, right in zip(parts, parts[1:])] if len(parts) > 2 else []
    return [sentence, *(p for p in parts + pairs if len(p) >= CLAUSE_CHARS)]


def _capacity(sentence: str) -> int:
    """How many key points one answer sentence may cover: POINTS_PER_SENTENCE, or one per clause. A
    concise answer packs its points into one sentence of clauses ("beam search keeps the B best
    prefixes, extends each by every token, scores them by summed log-probability, and keeps B again")."""
    return max(POINTS_PER_SENTENCE, sum(len(part) >= CLAUSE_CHARS for part in _parts(sentence)))


def _answer_sentences(answer: str) -> list[str]:
    found = sentences(answer)
    return found or ([answer.strip()] if answer.strip() else [])


class Grader:
    def __init__(self, embedder: BaseEmbedding, calibration: Calibration) -> None:
        self._embedder = embedder
        self._calibration = calibration
        # Key points and reference sentences repeat on every grade; answers mostly don't. Least recently
        # used entries go first, so a long-running UI stays at a few tens of MB.
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.llm_judge: Judge | None = None  # set when COACH_LLM_JUDGE is on
        self.judge: AnswerJudge | None = None  # the trained judge; without it coverage is embedding-only
        self.judge_band = JUDGE_BAND
        # Readings that eval compares (see JUDGE_CONTRADICTS); the shipped grader keeps the defaults.
        self.judge_contradicts: float | None = None  # a threshold: the judge finds wrong claims
        self.lexical_rules = True  # the flip and contrast rules find wrong claims
        self.cosine_coverage = True  # cosine bands cover points beside the judge (off: the judge alone decides)
        self.judge_denies: float | None = None  # a threshold: a sentence the judge reads as contradicting a point covers none of it

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

    def _band(self, text: str, language: Language) -> tuple[float, float]:
        """The cosine band for matching an answer in `language` against `text`."""
        same = detect_language(text) == language
        return self._calibration.same_language_band if same else self._calibration.cross_language_band

    def grade(self, item: InterviewItem, answer: str, chunks: list[Chunk]) -> Grade:
        language = detect_language(answer, default="zh" if detect_language(item.question) == "zh" else "en")
        answer_sentences = _answer_sentences(answer)
        reference_sentences = sentences(item.reference_answer) or [item.reference_answer]
        located = [_locate(point, chunks) for point in item.key_points]
        if not answer_sentences:
            missed = [PointResult(p, 0.0, c, s) for p, (c, s) in zip(item.key_points, located)]
            return self._finish(item, 0.0, [], missed, [], [], language)

        # Bands per key point: a bilingual document holds points in either language.
        bands = np.array([self._band(point, language) for point in item.key_points]).reshape(-1, 2)
        answers = self.embed(answer_sentences)
        points = self.embed(item.key_points)
        references = self.embed(reference_sentences)
        to_reference = answers @ references.T
        reference_low = np.array([self._band(sentence, language)[0] for sentence in reference_sentences])

        wrong: list[WrongClaim] = []
        wrong_rows: set[int] = set()
        contradicted = self._judge_contradictions(answer_sentences, reference_sentences, to_reference)
        for row, sentence in enumerate(answer_sentences):
            best = int(np.argmax(to_reference[row]))
            aligned = to_reference[row, best] >= reference_low[best] + self._calibration.align_margin
            on_topic = to_reference[row, best] >= reference_low[best]
            flipped_from = (self._closer_to_a_flipped_note(answers[row], to_reference[row], sentence, reference_sentences)
                            if on_topic and self.lexical_rules and row not in contradicted else None)
            if row in contradicted:
                best = contradicted[row]
            elif flipped_from is not None:
                best = flipped_from
            elif not self.lexical_rules or not (
                    (aligned and conflicts(sentence, reference_sentences[best]))
                    or (on_topic and reverses_what_notes_stress(sentence, item.reference_answer))):
                continue
            chunk_id, section = _locate(reference_sentences[best], chunks)
            wrong.append(WrongClaim(sentence, reference_sentences[best], chunk_id, section))
            wrong_rows.add(row)
        unsupported = [s for row, s in enumerate(answer_sentences)
                       if row not in wrong_rows and (to_reference[row] < reference_low).all()]

        units = [_clauses(sentence) for sentence in answer_sentences]
        flat_units = [unit for parts in units for unit in parts]
        unit_rows = np.repeat(np.arange(len(units)), [len(parts) for parts in units])  # each unit's sentence
        unit_to_points = self.embed(flat_units) @ points.T  # one batch
        ends = np.cumsum([len(parts) for parts in units])
        to_points = np.stack([unit_to_points[end - len(parts) : end].max(axis=0) for parts, end in zip(units, ends)])
        to_points[list(wrong_rows), :] = 0.0  # a contradicted claim covers nothing
        for row, column in self._judge_denials(item.key_points, units, ends, unit_to_points, to_points):
            to_points[row, column] = 0.0
        capacity = [_capacity(sentence) for sentence in answer_sentences]
        assigned = _assign(to_points, capacity)
        read = self._judge_coverage(capacity, item.key_points, flat_units, unit_rows, unit_to_points, wrong_rows)
        covered, missed = [], []
        for column, point in enumerate(item.key_points):
            row, similarity = assigned.get(column, (0, 0.0))
            low, high = bands[column]
            coverage = float(np.clip((similarity - low) / (high - low), 0.0, 1.0)) if self.cosine_coverage else 0.0
            if read[column][0] > coverage:
                coverage, row = read[column]
            result = PointResult(point, round(coverage, 2), *located[column], answer_sentences[row] if coverage else "")
            (covered if coverage >= 0.5 else missed).append(result)
        # An answer on another subject contradicts nothing here: it is told that it misses the question.
        off_topic = not covered and self._off_topic(answer_sentences, reference_sentences, to_reference,
                                                    unsupported, wrong)
        if off_topic:
            wrong = []
        coverage_score = 10.0 * float(np.mean([p.coverage for p in covered + missed]))
        score = max(0.0, coverage_score - PENALTY_PER_WRONG * len(wrong))
        verdict = self.llm_judge(item.key_points, answer) if self.llm_judge else None
        if verdict is not None:
            score = (score + verdict.score) / 2
        grade = self._finish(item, score, covered, missed, wrong, unsupported, language)
        grade.judge = verdict
        grade.off_topic = off_topic
        return grade

    def _off_topic(self, answer_sentences: list[str], reference_sentences: list[str], to_reference: np.ndarray,
                   unsupported: list[str], wrong: list[WrongClaim]) -> bool:
        """No answer sentence bears on the item: the judge's relevance head reads each sentence against the
        reference sentences nearest it (e5 finds most ML text alike, so cosine alone rarely says so).
        Without the head: no sentence near the notes and none contradicting them."""
        if self.judge is None or not self.judge.has_relevance:
            return not wrong and len(unsupported) == len(answer_sentences)
        nearest = np.argsort(-to_reference, axis=1)[:, :OFF_TOPIC_CANDIDATES]
        return not self.judge.bears_on([(reference_sentences[j], sentence)
                                        for sentence, row in zip(answer_sentences, nearest) for j in row])

    def _judge_contradictions(self, answer_sentences: list[str], reference_sentences: list[str],
                              to_reference: np.ndarray) -> dict[int, int]:
        """Answer sentence row -> the reference sentence it contradicts: the judge reads each sentence
        against the CONTRADICTION_CANDIDATES reference sentences nearest it, both ways round (two texts
        contradict each other or not, whichever comes first, so a conflict must hold in both readings:
        that halves the judge's false alarms on true restatements, composed dev set), and counts from
        `judge_contradicts` unless a note states the sentence more surely than one denies it."""
        if self.judge is None or self.judge_contradicts is None:
            return {}
        nearest = np.argsort(-to_reference, axis=1)[:, :CONTRADICTION_CANDIDATES]
        pairs = [(reference_sentences[j], sentence) for sentence, row in zip(answer_sentences, nearest) for j in row]
        probabilities = self._conflict_probabilities(pairs).reshape(len(answer_sentences), nearest.shape[1], 3)
        found = {}
        for row, (candidates, probs) in enumerate(zip(nearest, probabilities)):
            strongest = int(np.argmax(probs[:, 2]))
            if probs[strongest, 2] >= max(self.judge_contradicts, float(probs[:, 0].max())):
                found[row] = int(candidates[strongest])
        return found

    def _conflict_probabilities(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """The judge's probabilities for (note, answer text) pairs as the conflict readings take them:
        the answer text cut to what its contrasts affirm (affirmed_form), and each label's lower
        probability of the two readings, since two texts contradict each other whichever comes first."""
        read = [(note, affirmed_form(text)) for note, text in pairs]
        return np.minimum(self.judge.probabilities(read), self.judge.probabilities([(b, a) for a, b in read]))

    def _judge_denials(self, points: list[str], units: list[list[str]], ends: np.ndarray, unit_to_points: np.ndarray,
                       to_points: np.ndarray) -> list[tuple[int, int]]:
        """(answer sentence row, key point column) pairs whose cosine credit the judge withdraws: of the
        DENIAL_CANDIDATES sentences nearest a point, the part nearest it contradicts the point in both
        readings, from `judge_denies`, more surely than it restates it. A falsified point is then simply
        not covered; unlike a wrong claim it costs no penalty, so a false alarm on a true "X, not Y"
        sentence costs at most that point."""
        if self.judge is None or self.judge_denies is None:
            return []
        candidates, pairs = [], []
        for column, point in enumerate(points):
            for row in np.argsort(-to_points[:, column])[:DENIAL_CANDIDATES]:
                row = int(row)
                if to_points[row, column] <= 0.0:
                    continue
                start = ends[row] - len(units[row])
                part = units[row][int(np.argmax(unit_to_points[start : ends[row], column]))]
                candidates.append((row, column))
                pairs.append((point, part))
        if not pairs:
            return []
        probabilities = self._conflict_probabilities(pairs)
        return [pair for pair, probs in zip(candidates, probabilities)
                if probs[2] >= max(self.judge_denies, float(probs[0]))]

    def _judge_coverage(self, capacity: list[int], points: list[str], units: list[str], unit_rows: np.ndarray,
                        unit_to_points: np.ndarray, wrong_rows: set[int]) -> list[tuple[float, int]]:
        """Per key point, (coverage from the judge, answer sentence row): the judge reads the
        JUDGE_CANDIDATES answer parts nearest the point; parts of contradicted sentences never count.
        As with the cosine, a sentence covers at most its `capacity` of points: the judge reads on-topic
        sentences of the other language as restating points they don't state."""
        if self.judge is None:
            return [(0.0, 0)] * len(points)
        usable = np.array([row not in wrong_rows for row in unit_rows])
        similarity = np.where(usable[:, None], unit_to_points, -np.inf)
        chosen = [[int(u) for u in np.argsort(-similarity[:, column])[:JUDGE_CANDIDATES] if usable[u]]
                  for column in range(len(points))]
        # The note is the premise, as in training: "does this part of the answer restate the point?"
        pairs = [(point, units[u]) for point, parts in zip(points, chosen) for u in parts]
        if not pairs:
            return [(0.0, 0)] * len(points)
        entailment = self.judge.probabilities(pairs)[:, 0]
        low, high = self.judge_band
        read = np.zeros((int(unit_rows.max()) + 1, len(points)))  # answer sentence x point
        flat = iter(entailment)
        for column, parts in enumerate(chosen):
            for u in parts:
                row = int(unit_rows[u])
                read[row, column] = max(read[row, column], float(np.clip((next(flat) - low) / (high - low), 0.0, 1.0)))
        assigned = _assign(read, capacity)
        return [(assigned[c][1], assigned[c][0]) if c in assigned else (0.0, 0) for c in range(len(points))]

    def _closer_to_a_flipped_note(self, answer: np.ndarray, to_reference: np.ndarray, sentence: str,
                                  reference_sentences: list[str]) -> int | None:
        """The note sentence whose flipped form (an opposite swapped in, or the answer's negation moved
        onto it) the answer sentence is closer to than to any real note sentence, by the flip margin: the
        answer says the opposite of it."""
        best_real = float(to_reference.max())
        for rank, index in enumerate(np.argsort(-to_reference)[:FLIP_CANDIDATES]):
            flipped = flipped_notes(sentence, reference_sentences[index])
            if rank < NEGATION_CANDIDATES:  # a negation is only tried on the notes the sentence is about
                flipped += negated_notes(sentence, reference_sentences[index])
            if flipped and float((self.embed(flipped) @ answer).max()) > best_real + self._calibration.flip_margin:
                return int(index)
        return None

    def _finish(self, item: InterviewItem, score: float, covered: list[PointResult], missed: list[PointResult],
                wrong: list[WrongClaim], unsupported: list[str], language: Language) -> Grade:
        score = round(min(10.0, score), 1)
        missed.sort(key=lambda p: p.coverage)
        return Grade(item.id, score, covered, missed, wrong, unsupported,
                     feedback_text(score, covered, missed, wrong, language),
                     follow_up_question(score, item, missed, language), language)


def _assign(similarity: np.ndarray, capacity: list[int]) -> dict[int, tuple[int, float]]:
    """Greedy matching of key points (columns) to answer sentences (rows), each sentence carrying at
    most its capacity of points: one on-topic sentence must not tick the whole rubric."""
    load = [0] * similarity.shape[0]
    assigned: dict[int, tuple[int, float]] = {}
    for flat in np.argsort(-similarity, axis=None):
        row, column = divmod(int(flat), similarity.shape[1])
        if column not in assigned and load[row] < capacity[row]:
            assigned[column] = (row, float(similarity[row, column]))
            load[row] += 1
    return assigned


def _locate(text: str, chunks: list[Chunk]) -> tuple[str, str]:
    """The chunk (id, section) of this item that holds `text`, for citations."""
    probe = (text.split(": ", 1)[-1] if ": " in text else text).rstrip("…")[:18]
    for chunk in chunks:
        if probe and probe in chunk.text:
            return chunk.id, chunk.section
    return (chunks[0].id, chunks[0].section) if chunks else ("", "")
