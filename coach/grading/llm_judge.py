"""The optional LLM judge (COACH_LLM_JUDGE): a fixed rubric prompt, JSON out, validated before it counts.

Off by default: the embedded 135M model cannot judge. With a real model its score is averaged with the
coverage score (its wrong claims are kept in the grade's `judge` record). The request asks the server
for structured output (VERDICT_SCHEMA), so any model returns valid JSON; the verdict is still
validated, never trusted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from coach.errors import LLMUnavailable
from coach.llm.client import LLMClient
from coach.llm.prompts import judge_messages
from coach.llm.sampling import SamplingSettings


@dataclass(frozen=True)
class RubricVerdict:
    score: float  # 0..10
    wrong_claims: list[str]


Judge = Callable[[list[str], str], "RubricVerdict | None"]
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"score": {"type": "number", "minimum": 0, "maximum": 10},
                   "wrong_claims": {"type": "array", "items": {"type": "string", "maxLength": 120}, "maxItems": 3}},
    "required": ["score", "wrong_claims"],
    "additionalProperties": False,
}
_JSON = re.compile(r"\{.*\}", re.S)


def parse_verdict(text: str) -> RubricVerdict | None:
    """The verdict in the text, or None when the text holds no valid one."""
    match = _JSON.search(text)
    try:
        verdict = json.loads(match.group(0)) if match else {}
    except ValueError:
        return None
    score = verdict.get("score") if isinstance(verdict, dict) else None
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 10:
        return None
    claims = verdict.get("wrong_claims", [])
    return RubricVerdict(float(score), [str(c) for c in claims] if isinstance(claims, list) else [])


def llm_judge(client: LLMClient) -> Judge:
    sampling = SamplingSettings(temperature=0.0, seed=0, max_tokens=300, repetition_penalty=1.0)

    def judge(key_points: list[str], answer: str) -> RubricVerdict | None:
        try:
            return parse_verdict(client.chat(judge_messages(key_points, answer), sampling, VERDICT_SCHEMA).text)
        except LLMUnavailable:
            return None

    return judge
