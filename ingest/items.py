"""Find the interview questions in a cleaned document and cut out each reference answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.keypoints import extract_key_points
from ingest.models import Document, InterviewItem
from ingest.sections import lines_outside_code

_CN_NUMERAL = "零〇一二三四五六七八九十百两"
# Heading styles in order of preference; the first style that occurs in the document wins.
_STYLES: list[tuple[str, re.Pattern[str], int]] = [
    ("问题N", re.compile(rf"^(?:#+\s*)?(?:\*\*)?问题\s*[{_CN_NUMERAL}\d]+\s*[:：.、]\s*(?P<q>.+?)(?:\*\*)?$"), 1),
    ("QN", re.compile(r"^(?:#+\s*)?(?:\*\*)?(?:Q|Question\s*)\d+\s*[.:：、)]\s*(?P<q>.+?)(?:\*\*)?$", re.I), 1),
    ("numbered question", re.compile(r"^(?:#+\s*)?(?:\*\*)?\d+\s*[.、)]\s*(?P<q>.+[?？])(?:\*\*)?$"), 2),
]
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<q>\S.*)$")


@dataclass(frozen=True)
class _Heading:
    line: int
    question: str


def _find_headings(lines: list[str]) -> list[_Heading]:
    prose = lines_outside_code(lines)
    for _, pattern, minimum in _STYLES:
        found = [_Heading(i, m.group("q").strip()) for i, line in prose if (m := pattern.match(line.strip()))]
        if len(found) >= minimum:
            return found
    return _markdown_headings(prose)


def _markdown_headings(prose: list[tuple[int, str]]) -> list[_Heading]:
    """Markdown without Q markers: the shallowest heading level that occurs at least twice."""
    by_level: dict[int, list[_Heading]] = {}
    for i, line in prose:
        if m := _MD_HEADING.match(line.strip()):
            by_level.setdefault(len(m.group("hashes")), []).append(_Heading(i, m.group("q").strip()))
    for level in sorted(by_level):
        if len(by_level[level]) >= 2:
            return by_level[level]
    return []


def parse_items(document: Document, first_id: int = 1) -> list[InterviewItem]:
    """Items in document order; ids continue from `first_id` so several documents share one index."""
    lines = document.text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    headings = _find_headings(lines)
    items: list[InterviewItem] = []
    for position, heading in enumerate(headings):
        end_line = headings[position + 1].line if position + 1 < len(headings) else len(lines)
        body_lines = lines[heading.line + 1 : end_line]
        answer = "\n".join(body_lines).strip()
        if not answer:
            continue
        leading = len("\n".join(body_lines)) - len("\n".join(body_lines).lstrip())
        question = re.sub(r"\*\*", "", heading.question).strip()
        items.append(
            InterviewItem(
                id=first_id + len(items),
                question=question,
                reference_answer=answer,
                section_path=[document.title, question],
                key_points=extract_key_points(answer),
                source=document.source,
                char_start=offsets[heading.line + 1] + leading,
            )
        )
    return items
