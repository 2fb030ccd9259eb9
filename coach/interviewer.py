"""The interviewer: ask → answer → grade → follow-up or next → summary. No UI code in here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

from coach.calibration import calibration_for
from coach.config import CoachSettings
from coach.errors import InputTooLong, LLMUnavailable, NotFound, check_length
from coach.follow_up import write_follow_up
from coach.grading.grade import Grade
from coach.grading.grader import Grader
from coach.grading.judge import Judge
from coach.grading.titles import short_title
from coach.llm.client import LLMClient
from coach.llm.prompts import rephrase_messages
from coach.llm.sampling import SamplingSettings
from coach.sessions import SessionStore
from index.hybrid import OpenIndex
from ingest.language import Language, detect_language
from ingest.models import InterviewItem

Phase = Literal["answering", "follow_up", "done"]
Order = Literal["order", "weakness", "topic"]
MAX_FOLLOW_UPS = 1  # one probing question per item, then the next question
_COMMANDS = {
    "skip": re.compile(r"^\s*(skip|next|跳过|下一题)\s*[.!。！]?\s*$", re.I),
    "hint": re.compile(r"^\s*(hint|give me a hint|提示|给个提示)\s*[.!。！?？]?\s*$", re.I),
    "reference": re.compile(r"^\s*(reference|show (me )?the (reference|model) answer|answer|参考答案|看答案|答案)\s*[.!。！]?\s*$", re.I),
    "repeat": re.compile(r"^\s*(repeat|again|repeat the question|重复|再说一遍|重复一下)\s*[.!。！]?\s*$", re.I),
    "end": re.compile(r"^\s*(end|quit|stop|finish|结束|结束面试)\s*[.!。！]?\s*$", re.I),
}
_NON_ANSWER = re.compile(r"^\s*(不知道|不清楚|不会|不懂|没想法|idk|i don'?t know|no idea|dunno|not sure|\?+|？+|\.+)\s*[.!。！]?\s*$", re.I)


@dataclass
class Message:
    role: str  # "interviewer"
    kind: str  # question | feedback | follow_up | hint | reference | nudge | summary
    content: str
    item_id: int | None = None
    grade: Grade | None = None


@dataclass
class InterviewState:
    session_id: str
    index_name: str
    queue: list[int]
    position: int = 0
    phase: Phase = "answering"
    follow_ups: int = 0
    answers: list[str] = field(default_factory=list)
    current_question: str = ""
    last_missed: list[str] = field(default_factory=list)
    probed: list[str] = field(default_factory=list)  # missed points already asked about on this item
    scores: dict[str, float] = field(default_factory=dict)  # item id -> latest score
    persona: str = "friendly"
    language: str = "auto"

    @property
    def item_id(self) -> int | None:
        return self.queue[self.position] if self.position < len(self.queue) else None


class InterviewEngine:
    def __init__(self, index: OpenIndex, grader: Grader, store: SessionStore, settings: CoachSettings,
                 client: Callable[[], LLMClient] | None, judge: Judge) -> None:
        self.index, self.grader, self.store, self.settings = index, grader, store, settings
        self._client = client
        self.judge = judge  # reads the LLM's follow-ups: asked only if they don't state the point

    # ---- starting and resuming -------------------------------------------------------------
    def start(self, order: Order = "order", topic: str = "", limit: int = 0, persona: str = "friendly",
              language: str = "auto", sampling: SamplingSettings | None = None) -> tuple[InterviewState, list[Message]]:
        items = self._pick(order, topic)
        if limit:
            items = items[:limit]
        session_id = self.store.create_session("interview", self.index.loaded.name, persona, language,
                                               self._client().model if self._client else "",
                                               title=topic or order)
        state = InterviewState(session_id, self.index.loaded.name, [i.id for i in items], persona=persona,
                               language=language)
        return state, self._emit(state, [self._ask(state, sampling)])

    def resume(self, session_id: str) -> InterviewState:
        raw = self.store.load_state(session_id)
        if raw is None:
            raise NotFound(f"Session {session_id} has no interview to resume.")
        return InterviewState(**raw)

    def _pick(self, order: Order, topic: str) -> list[InterviewItem]:
        items = list(self.index.loaded.items)
        if order == "topic":
            needle = topic.lower().strip()
            items = [i for i in items if needle and needle in " ".join([i.question, *i.key_points]).lower()]
            if not items:
                raise InputTooLong(f"No interview question in '{self.index.loaded.name}' mentions '{topic}'.")
        elif order == "weakness":
            means = self.store.mean_scores(self.index.loaded.name)
            items.sort(key=lambda i: (i.id in means, means.get(i.id, 0.0), i.id))
        return items

    # ---- one person's message ---------------------------------------------------------------
    def respond(self, state: InterviewState, text: str, sampling: SamplingSettings | None = None) -> list[Message]:
        """Everything the interviewer says back to one message. Text in the answer is data only."""
        if state.phase == "done":
            return [Message("interviewer", "summary", self.summary_text(state))]
        check_length(text, self.settings.max_answer_chars, "answer", "COACH_MAX_ANSWER_CHARS")
        item = self.index.loaded.item(state.item_id)
        command = next((name for name, pattern in _COMMANDS.items() if pattern.match(text)), None)
        non_answer = command is None and (not text.strip() or _NON_ANSWER.match(text) is not None)
        self.store.add_turn(state.session_id, "candidate", command or ("non_answer" if non_answer else "answer"),
                            text, item.id)
        # A typed answer sets the reply language; a command (a button, "skip") keeps the chosen one.
        zh = (self._language(state, text) if command is None else self._chosen_language(state, item)) == "zh"
        if command == "repeat":
            return self._emit(state, [Message("interviewer", "question", state.current_question, item.id)])
        if command == "hint" or non_answer:
            return self._emit(state, [self._hint(state, item, zh, nudge=non_answer)])
        if command == "reference":
            reference = Message("interviewer", "reference", self._reference(item, zh), item.id)
            return self._emit(state, [reference, *self._advance(state, sampling)])
        if command == "skip":
            return self._emit(state, self._advance(state, sampling))
        if command == "end":
            state.phase = "done"
            return self._emit(state, [Message("interviewer", "summary", self.summary_text(state))])
        return self._emit(state, self._grade_answer(state, item, text, zh, sampling))

    def _grade_answer(self, state: InterviewState, item: InterviewItem, text: str, zh: bool,
                      sampling: SamplingSettings | None) -> list[Message]:
        chunks = self.index.loaded.chunks_of(item.id)
        alone = self.grader.grade(item, text, chunks)
        if alone.off_topic:
            nudge = ("这个回答似乎和问题无关。请针对问题再回答一次，或者说「提示」/「跳过」。" if zh else
                     "That does not seem to address the question. Try again, or say 'hint' or 'skip'.")
            return [Message("interviewer", "nudge", nudge, item.id)]
        # Follow-up answers add to what was said before: the item is graded on the whole conversation.
        grade = self.grader.grade(item, "\n".join([*state.answers, text]), chunks) if state.answers else alone
        state.answers.append(text)
        state.scores[str(item.id)] = grade.score
        state.last_missed = [p.point for p in grade.missed]
        turn = self.store.add_turn(state.session_id, "interviewer", "feedback", grade.feedback, item.id,
                                   extra={"score": grade.score})
        self.store.add_grade(state.session_id, turn, item.id, item.question, grade.score, grade.to_dict())
        feedback = Message("interviewer", "feedback", grade.feedback, item.id, grade)
        probe = next((p for p in grade.missed if p.point not in state.probed), None)
        if grade.score < 9 and state.follow_ups < MAX_FOLLOW_UPS and probe is not None:
            state.follow_ups += 1
            state.phase = "follow_up"
            state.probed.append(probe.point)
            text, _ = write_follow_up(state.current_question or item.question, probe.point, grade.language,
                                      state.persona, self._client() if self._client else None, sampling,
                                      self.judge, self.grader.similarity,
                                      calibration_for(self.settings.embed_model).follow_up_near)
            return [feedback, Message("interviewer", "follow_up", text, item.id)]
        return [feedback, *self._advance(state, sampling)]

    # ---- moving on ----------------------------------------------------------------------------
    def _advance(self, state: InterviewState, sampling: SamplingSettings | None) -> list[Message]:
        state.position += 1
        state.follow_ups, state.answers, state.last_missed, state.probed = 0, [], [], []
        if state.item_id is None:
            state.phase = "done"
            return [Message("interviewer", "summary", self.summary_text(state))]
        state.phase = "answering"
        return [self._ask(state, sampling)]

    def _ask(self, state: InterviewState, sampling: SamplingSettings | None) -> Message:
        item = self.index.loaded.item(state.item_id)
        language = self._chosen_language(state, item)
        state.current_question = self._rephrase(item, state.persona, language, sampling)
        return Message("interviewer", "question", state.current_question, item.id)

    def _rephrase(self, item: InterviewItem, persona: str, language: Language,
                  sampling: SamplingSettings | None) -> str:
        """The LLM rephrases in persona; a tiny model's drift or wrong language falls back to the notes' wording."""
        if self._client is None or sampling is None:
            return item.question
        try:
            text = self._client().chat(rephrase_messages(item.question, persona, language), sampling).text.strip()
        except LLMUnavailable:
            return item.question
        text = text.strip('"“”').split("\n")[0]
        if not text or len(text) > 300 or detect_language(text, language) != language:
            return item.question
        similarity = self.grader.similarity(text, item.question)
        same_language = detect_language(item.question) == language
        floors = calibration_for(self.settings.embed_model)
        return text if similarity >= (floors.rephrase_same_language if same_language
                                      else floors.rephrase_cross_language) else item.question

    def _hint(self, state: InterviewState, item: InterviewItem, zh: bool, nudge: bool) -> Message:
        pending = state.last_missed or item.key_points
        point = pending[0] if pending else item.question
        lead = ("没关系，" if zh else "No problem — ") if nudge else ""
        body = (f"{lead}提示：从「{short_title(point)}」想起。再试着回答，或者说「跳过」。" if zh
                else f"{lead}hint: start from {short_title(point)}. Try again, or say 'skip'.")
        return Message("interviewer", "hint", body, item.id)

    def _reference(self, item: InterviewItem, zh: bool) -> str:
        label = "参考答案" if zh else "Reference answer"
        answer = item.reference_answer if len(item.reference_answer) <= 1500 else item.reference_answer[:1500] + " …"
        return f"**{label}** [{' > '.join(item.section_path[1:])}]\n\n{answer}"

    def summary_text(self, state: InterviewState) -> str:
        grades = self.store.grades(session_id=state.session_id)
        latest = {g.item_id: g for g in grades}
        if not latest:
            return "No answers were graded in this session."
        lines = ["**Summary**", ""]
        for item_id, g in latest.items():
            lines.append(f"- Q{item_id}: {g.score:g}/10 — {g.question[:60]}")
        mean = sum(g.score for g in latest.values()) / len(latest)
        lines += ["", f"Average: {mean:.1f}/10", "", "**What to study next**"]
        for item_id, g in sorted(latest.items(), key=lambda kv: kv[1].score)[:3]:
            missed = [short_title(point) for point in g.missed_points[:3]]
            if missed:
                lines.append(f"- Q{item_id}: " + "; ".join(missed))
        return "\n".join(lines)

    def _emit(self, state: InterviewState, messages: list[Message]) -> list[Message]:
        for message in messages:
            if message.kind != "feedback":  # feedback turns are stored with their grade
                self.store.add_turn(state.session_id, message.role, message.kind, message.content, message.item_id)
        self.store.save_state(state.session_id, asdict(state))
        return messages

    @staticmethod
    def _chosen_language(state: InterviewState, item: InterviewItem) -> Language:
        return state.language if state.language in ("zh", "en") else detect_language(item.question, "zh")  # type: ignore[return-value]

    def _language(self, state: InterviewState, text: str) -> Language:
        return detect_language(text, "zh" if state.language == "zh" else "en") if text.strip() else (
            "zh" if state.language == "zh" else "en")
