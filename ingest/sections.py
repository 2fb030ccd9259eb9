"""Split an answer into its sub-sections (numbered, bold or Markdown sub-headings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.cjk import IDEOGRAPH

_SUBHEADING = [
    re.compile(r"^#{2,6}\s+(?P<h>\S.{0,60})$"),
    re.compile(r"^[-*]?\s*\*\*(?P<h>[^*]{1,50})\*\*\s*[:：]?$"),
    re.compile(r"^(?P<h>\d+(?:\.\d+)*[.、]?\s+[^。，,.!?？！]{1,40})$"),
]


@dataclass(frozen=True)
class Section:
    heading: str  # "" for text before the first sub-heading
    start: int  # offsets into the answer text
    end: int

    def text(self, answer: str) -> str:
        return answer[self.start : self.end].strip()


def subheading(line: str) -> str | None:
    stripped = line.strip()
    for pattern in _SUBHEADING:
        if match := pattern.match(stripped):
            return match.group("h").strip().rstrip(":：")
    return None


_PLAIN_HEADING = re.compile(r"^[^。，,；;:：!?！？=#{}\[\]`<>]{2,30}$")


def _plain_heading(line: str, next_line: str) -> str | None:
    """Web exports lose heading markup: a short bare line followed by a full sentence is a heading."""
    stripped, following = line.strip(), next_line.strip()
    has_words = bool(IDEOGRAPH.search(stripped)) or " " in stripped
    if has_words and "." not in stripped and _PLAIN_HEADING.match(stripped) and following.endswith("。") and len(following) > len(stripped):
        return stripped
    return None


def lines_outside_code(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, line) for the lines outside fenced code: a "# comment" in code is not a heading."""
    kept, fenced = [], False
    for i, line in enumerate(lines):
        if line.strip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            kept.append((i, line))
    return kept


def split_sections(answer: str) -> list[Section]:
    sections: list[Section] = []
    heading, start, offset = "", 0, 0
    lines = answer.split("\n")
    prose = {i for i, _ in lines_outside_code(lines)}
    for index, line in enumerate(lines):
        following = next((later for later in lines[index + 1 :] if later.strip()), "")
        # A bare first line restating the question is the answer's title, not a section.
        found = (subheading(line) or (_plain_heading(line, following) if index else None)) if index in prose else None
        if found is not None:
            if answer[start:offset].strip():
                sections.append(Section(heading, start, offset))
            heading, start = found, offset + len(line) + 1
        offset += len(line) + 1
    if answer[start:].strip():
        sections.append(Section(heading, start, len(answer)))
    return sections
