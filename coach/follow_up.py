"""Follow-up questions that probe a missed point without giving it away. The LLM proposes one in the
interviewer's persona; it is asked only when it is a question, in the person's language, near the
point, and the judge finds it does not already state the point. Otherwise a bilingual question built
from the point's short title is asked."""

from __future__ import annotations

import re
from collections.abc import Callable

from coach.errors import LLMUnavailable
from coach.grading.judge import Judge
from coach.grading.titles import short_title, template_follow_up
from coach.llm.client import LLMClient
from coach.llm.prompts import follow_up_messages
from coach.llm.sampling import SamplingSettings
from ingest.language import Language, detect_language

STATES_THE_POINT = 0.5  # the judge's agreement above which a "question" already gives the point away
_QUESTION_END = re.compile(r"[?？]\s*$")


def write_follow_up(question: str, point: str, language: Language, persona: str, client: LLMClient | None,
                    sampling: SamplingSettings | None, judge: Judge,
                    similarity: Callable[[str, str], float], near: float) -> tuple[str, bool]:
    """(the follow-up, whether the LLM's own text was accepted)."""
    if client is not None and sampling is not None:
        try:
            text = client.chat(follow_up_messages(question, short_title(point), persona, language), sampling).text
        except LLMUnavailable:
            text = ""
        text = text.strip().strip('"“”').split("\n")[0].strip()
        if (text and len(text) <= 200 and _QUESTION_END.search(text) and detect_language(text, language) == language
                and similarity(text, point) >= near
                and judge.probabilities([(point, text)])[0, 0] < STATES_THE_POINT):
            return text, True
    return template_follow_up(point, language), False
