"""The tutor: retrieve, let the LLM answer from the notes, then show only what the notes support.

Every sentence the model writes is checked with the judge against the notes it cites (and must be in
the asker's language); unsupported ones are left out and listed as such. When too little survives,
the answer is the notes' own sentences, ordered and cited. A small model is therefore safe, and a
capable one shows through."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from coach.calibration import calibration_for
from coach.config import CoachSettings
from coach.errors import InputTooLong, check_length
from coach.grading.judge import Judge
from coach.grading.verify import CheckedSentence, Note, check_sentences
from coach.llm.client import LLMClient
from coach.llm.guard import REMOVED, neutralize
from coach.llm.prompts import tutor_messages
from coach.llm.sampling import SamplingSettings
from coach.sessions import SessionStore
from index.hybrid import HybridRetriever
from index.models import Hit
from ingest.keypoints import sentences
from ingest.language import Language, detect_language

_FOLLOW_UP_CUES = re.compile(r"(它|这个|那个|这|那|其|上面|刚才|\bit\b|\bthis\b|\bthat\b|\bthey\b|\bthose\b|\bwhy\b|为什么)", re.I)
NOTES_ONLY = {"zh": "以下是你笔记中的原文：", "en": "From your notes:"}
MIN_KEPT = 1  # model sentences the notes must support before the model's answer is shown
NOTE_SENTENCES = 3  # sentences quoted when the answer is built from the notes
RELEVANCE_CANDIDATES = 5  # note sentences nearest the question that the judge reads for relevance
DECLINE = {
    "zh": "你的笔记里没有涉及这个问题，我不想编造答案。可以换个问法，或者把相关资料加入资料库。",
    "en": "Your notes do not cover this, and I would rather not make up an answer. "
          "Try rephrasing, or add a document about it to the library.",
}


@dataclass
class Citation:
    n: int
    item_id: int
    section: str
    source: str
    chunk_id: str
    text: str


def note_sentences(hits: list[Hit]) -> list[Note]:
    """The cited chunks' sentences, each with its citation number (injected instructions removed)."""
    return [Note(n, sentence) for n, hit in enumerate(hits, start=1) for sentence in sentences(neutralize(hit.text))
            if sentence != REMOVED]


def key_sentences(question: str, notes: list[Note], embed: Callable[[list[str]], np.ndarray],
                  limit: int = NOTE_SENTENCES) -> list[str]:
    """The notes' own sentences closest to the question, in reading order, each cited."""
    if not notes:
        return []
    similarity = embed([n.text for n in notes]) @ embed([question])[0]
    chosen = sorted(np.argsort(-similarity)[:limit])
    return [f"{notes[i].text} [{notes[i].citation}]" for i in chosen]


@dataclass
class TutorAnswer:
    answer: str  # what is shown: verified model sentences, or the notes' own sentences
    citations: list[Citation]
    sampling: dict
    language: Language
    declined: bool
    query: str  # what was actually retrieved for (the condensed question)
    from_notes: list[str] = field(default_factory=list)  # the notes' sentences closest to the question
    model: str = ""
    model_text: str = ""  # what the LLM wrote, before checking
    checked: list[CheckedSentence] = field(default_factory=list)
    source: str = "model"  # "model" (verified), "notes" (built from the notes) or "declined"

    @property
    def left_out(self) -> list[CheckedSentence]:
        return [c for c in self.checked if not c.supported]

    def to_contract(self) -> dict:
        return {"answer": self.answer, "citations": [asdict(c) for c in self.citations], "sampling": self.sampling,
                "from_notes": self.from_notes, "declined": self.declined, "language": self.language,
                "source": self.source, "model_text": self.model_text,
                "checked": [asdict(c) for c in self.checked]}


def condense(question: str, history: list[dict[str, str]]) -> str:
    """A follow-up ("why is that?") is retrieved together with the previous question it refers to."""
    previous = next((m["content"] for m in reversed(history) if m["role"] == "user"), "")
    if previous and (len(question) < 40 or _FOLLOW_UP_CUES.search(question)):
        return f"{previous} {question}"
    return question


class Tutor:
    def __init__(self, retriever: HybridRetriever, settings: CoachSettings, judge: Judge,
                 embed: Callable[[list[str]], np.ndarray]) -> None:
        self._retriever = retriever
        self._settings = settings
        self._judge = judge
        self._embed = embed

    def prepare(self, question: str, history: list[dict[str, str]]) -> tuple[str, list[Hit], Language, bool]:
        question = question.strip()
        if not question:
            raise InputTooLong("The question is empty.")
        check_length(question, self._settings.max_question_chars, "question", "COACH_MAX_QUESTION_CHARS")
        language = detect_language(question)
        query = condense(question, history)
        hits = self._retriever.retrieve(query, self._settings.retrieve_k)
        return query, hits, language, not self._bears_on(query, hits)

    def _bears_on(self, question: str, hits: list[Hit]) -> bool:
        """Whether any retrieved note bears on the question: the best dense hit must clear the embedder's
        floor, and the judge's relevance head must find a note sentence near the question on its topic
        (each catches what the other misses: e5 finds much of Chinese text alike)."""
        if not hits or max(h.dense_similarity for h in hits) < calibration_for(self._settings.embed_model).relevance_floor:
            return False
        notes = note_sentences(hits)
        nearness = self._embed([n.text for n in notes]) @ self._embed([question])[0] if notes else np.zeros(0)
        nearest = np.argsort(-nearness)[:RELEVANCE_CANDIDATES]
        return self._judge.bears_on([(notes[i].text, question) for i in nearest])

    def answer(self, question: str, history: list[dict[str, str]], client: LLMClient,
               sampling: SamplingSettings) -> TutorAnswer:
        query, hits, language, declined = self.prepare(question, history)
        if declined:
            return TutorAnswer(DECLINE[language], [], sampling.model_dump(), language, True, query,
                               model=client.model, source="declined")
        citations = [Citation(n, h.item_id, h.section, h.source, h.chunk_id, h.text) for n, h in enumerate(hits, 1)]
        room = self._settings.llm_max_model_len - sampling.max_tokens - 64
        written = client.chat(tutor_messages(question, hits, language, history, room), sampling).text.strip()
        notes = note_sentences(hits)
        checked = check_sentences(self._judge, self._embed, _model_sentences(written), notes, language)
        kept = [c for c in checked if c.supported]
        quoted = key_sentences(question, notes, self._embed)
        result = TutorAnswer("", citations, sampling.model_dump(), language, False, query, quoted, client.model,
                             written, checked)
        if len(kept) >= MIN_KEPT:
            result.answer = " ".join(f"{c.text} [{c.citation}]" for c in kept)
        else:
            result.answer, result.source = NOTES_ONLY[language] + "\n\n" + "\n".join(f"- {q}" for q in quoted), "notes"
        return result


_CITATION_MARK = re.compile(r"\s*\[\d+\]")


def _model_sentences(text: str) -> list[str]:
    """The model's sentences without its own [n] marks (the check decides what each may cite)."""
    return [s for s in (_CITATION_MARK.sub("", part).strip() for part in sentences(text)) if s]


def save_exchange(store: SessionStore, session_id: str, question: str, result: TutorAnswer) -> None:
    """One Ask exchange as the CLI and the UI both store it: the question, then what was shown with its
    citations, how it was made (verified model text, the notes, or a decline) and what was left out."""
    store.add_turn(session_id, "user", "ask", question)
    store.add_turn(session_id, "tutor", "answer", result.answer, sampling=result.sampling, model=result.model,
                   extra={"citations": [c.chunk_id for c in result.citations], "declined": result.declined,
                          "source": result.source, "left_out": [c.text for c in result.left_out]})
