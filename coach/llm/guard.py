"""Documents are data: sentences in them that try to give the model orders are removed before prompting.

Fencing alone does not stop a small model from copying "reply only with X" into its answer; so a
sentence that addresses the assistant (ignore / disregard previous instructions, SYSTEM:, 忽略之前的指令,
系统通知 …) is replaced by a marker in every prompt and excerpt built from retrieved text.
"""

from __future__ import annotations

import re

REMOVED = "[…]"
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]|\n|$)|<!--.*?-->", re.S)
_ORDERS = re.compile(
    r"(ignore|disregard|forget|override)\b[^.。\n]{0,80}\b(instructions?|prompts?|rules|question|above|previous|earlier)"
    r"|\bsystem\s*(override|prompt|message|notice)?\s*[:：]|\bsystem override\b|<!--|-->"
    r"|\b(reply|respond|answer|print|output|say)\b[^.。\n]{0,40}\b(only|exactly|verbatim|three times)\b"
    r"|your (entire )?(response|answer|reply) must|you are now|from now on,? you"
    r"|(忽略|无视|忘记|忘掉)[^。\n]{0,20}(指令|要求|规则|提示|问题|答案)|系统(通知|提示|指令)|规则全部作废"
    r"|从现在(起|开始)你|原样输出|直接输出|只回复|只输出|作为唯一(答案|回复)",
    re.I,
)


def neutralize(text: str) -> str:
    """`text` with every sentence that gives the reader orders replaced by a marker."""
    def replace(match: re.Match[str]) -> str:
        sentence = match.group(0)
        if _ORDERS.search(sentence):
            return REMOVED + ("\n" if sentence.endswith("\n") else "")
        return sentence

    return _SENTENCE.sub(replace, text)
