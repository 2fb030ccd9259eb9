"""The tutor: retrieve, answer from the notes in the asker's language, cite, or decline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from coach.client import LLMClient
from coach.config import CoachSettings
from coach.errors import InputTooLong
from coach.guard import REMOVED, neutralize
from coach.language import Language, detect_language
from coach.prompts import tutor_messages
from coach.sampling import SamplingSettings
from ingest.keypoints import sentences
from index.bm25 import tokenize
from index.hybrid import HybridRetriever
from index.models import Hit

_FOLLOW_UP_CUES = re.compile(r"(它|这个|那个|这|那|其|上面|刚才|\bit\b|\bthis\b|\bthat\b|\bthey\b|\bthose\b|\bwhy\b|为什么)", re.I)
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


def key_sentences(question: str, hits: list[Hit], limit: int = 2) -> list[str]:
    """The notes' own sentences that best match the question (by shared terms): the substance a small
    model may garble, shown verbatim next to its answer."""
    wanted = set(tokenize(question))
    scored = []
    for n, hit in enumerate(hits[:2], start=1):
        for sentence in sentences(neutralize(hit.text)):
            if sentence == REMOVED:
                continue
            overlap = len(wanted & set(tokenize(sentence))) / (len(wanted) or 1)
            scored.append((overlap, -n, f"{sentence} [{n}]"))
    return [text for overlap, _, text in sorted(scored, reverse=True)[:limit] if overlap > 0]


@dataclass
class TutorAnswer:
    answer: str
    citations: list[Citation]
    sampling: dict
    language: Language
    declined: bool
    query: str  # what was actually retrieved for (the condensed question)
    from_notes: list[str] = field(default_factory=list)
    model: str = ""
    history: list[dict[str, str]] = field(default_factory=list)

    def to_contract(self) -> dict:
        return {"answer": self.answer, "citations": [asdict(c) for c in self.citations], "sampling": self.sampling,
                "from_notes": self.from_notes, "declined": self.declined, "language": self.language}


def condense(question: str, history: list[dict[str, str]]) -> str:
    """A follow-up ("why is that?") is retrieved together with the previous question it refers to."""
    previous = next((m["content"] for m in reversed(history) if m["role"] == "user"), "")
    if previous and (len(question) < 40 or _FOLLOW_UP_CUES.search(question)):
        return f"{previous} {question}"
    return question


class Tutor:
    def __init__(self, retriever: HybridRetriever, settings: CoachSettings) -> None:
        self._retriever = retriever
        self._settings = settings

    def prepare(self, question: str, history: list[dict[str, str]]) -> tuple[str, list[Hit], Language, bool]:
        question = question.strip()
        if not question:
            raise InputTooLong("The question is empty.")
        if len(question) > self._settings.max_question_chars:
            raise InputTooLong(f"The question is {len(question)} characters, over the limit of "
                               f"{self._settings.max_question_chars} (COACH_MAX_QUESTION_CHARS).")
        language = detect_language(question)
        query = condense(question, history)
        hits = self._retriever.retrieve(query, self._settings.retrieve_k)
        relevant = bool(hits) and max(h.dense_similarity for h in hits) >= self._settings.relevance_threshold
        return query, hits, language, not relevant

    def stream(self, question: str, history: list[dict[str, str]], client: LLMClient,
               sampling: SamplingSettings) -> tuple[TutorAnswer, Iterator[str]]:
        """The answer's metadata now and its text as a stream; the caller joins the text into `answer`."""
        query, hits, language, declined = self.prepare(question, history)
        citations = [] if declined else [Citation(n, h.item_id, h.section, h.source, h.chunk_id, h.text)
                                          for n, h in enumerate(hits, start=1)]
        result = TutorAnswer("", citations, sampling.model_dump(), language, declined, query,
                             [] if declined else key_sentences(question, hits), client.model)
        if declined:
            return result, iter([DECLINE[language]])
        room = self._settings.llm_max_model_len - sampling.max_tokens - 64
        return result, client.stream(tutor_messages(question, hits, language, history, room), sampling)

    def answer(self, question: str, history: list[dict[str, str]], client: LLMClient,
               sampling: SamplingSettings) -> TutorAnswer:
        result, pieces = self.stream(question, history, client, sampling)
        result.answer = "".join(pieces).strip()
        return result
