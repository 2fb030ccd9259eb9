"""What a grade holds and says: covered / missed points and wrong claims with their citations, the
score, one or two sentences of feedback in the person's language, and the follow-up it asks."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from coach.grading.llm_judge import RubricVerdict
from coach.grading.titles import short_title, template_follow_up
from ingest.language import Language
from ingest.models import InterviewItem


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
    off_topic: bool = False  # nothing covered and no sentence on the item's subject (its claims are not "wrong")
    judge: RubricVerdict | None = None  # the LLM's rubric verdict, when COACH_LLM_JUDGE is on

    def to_contract(self) -> dict:
        """The `coach grade --json` shape."""
        return {"score": self.score, "covered": [p.point for p in self.covered],
                "missed": [p.point for p in self.missed], "wrong": [w.claim for w in self.wrong],
                "feedback": self.feedback, "follow_up": self.follow_up}

    def to_dict(self) -> dict:
        return asdict(self)


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
