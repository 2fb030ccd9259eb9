"""CJK-aware chunking: sentence / list-item / code-block units packed into token-sized windows."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.cjk import IDEOGRAPHS
from ingest.models import Chunk, InterviewItem
from ingest.sections import split_sections

_TOKEN = re.compile(rf"[{IDEOGRAPHS}]|[A-Za-z0-9_]+")
# Break after Chinese / English sentence ends and at newlines; code fences stay whole.
_UNIT_END = re.compile(r"(?<=[。！？；!?])|(?<=[.;])(?=\s)|\n")


TokenCounter = Callable[[str], int]


def count_tokens(text: str) -> int:
    """Approximate model tokens (one per CJK character, one per Latin word or number), for when no
    embedder's tokenizer is at hand; ingest for an index counts in the embedder's own tokens."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    heading: str


def _units(answer: str, max_tokens: int, count: TokenCounter) -> list[_Unit]:
    units: list[_Unit] = []
    for section in split_sections(answer):
        cursor = section.start
        body = answer[section.start : section.end]
        pieces = re.split(r"(```.*?```)", body, flags=re.S)
        for piece in pieces:
            spans = [(0, len(piece))] if piece.startswith("```") else _sentence_spans(piece)
            for a, b in spans:
                text = piece[a:b]
                if text.strip():
                    units.extend(_split_long(cursor + a, cursor + b, text, max_tokens, section.heading, count))
            cursor += len(piece)
    return units


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _UNIT_END.finditer(text):
        if match.end() > start:
            spans.append((start, match.end()))
            start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _split_long(start: int, end: int, text: str, max_tokens: int, heading: str, count: TokenCounter) -> list[_Unit]:
    """A unit longer than a window (a huge sentence or code block) is halved until each part fits."""
    tokens = count(text)
    if tokens <= max_tokens or len(text) < 2:
        return [_Unit(start, end, tokens, heading)]
    middle = len(text) // 2
    return (_split_long(start, start + middle, text[:middle], max_tokens, heading, count)
            + _split_long(start + middle, end, text[middle:], max_tokens, heading, count))


def chunk_item(item: InterviewItem, max_tokens: int, overlap_tokens: int,
               count: TokenCounter = count_tokens) -> list[Chunk]:
    """Windows of whole units, <= max_tokens each (in `count`'s tokens), each starting with
    ~overlap_tokens of context."""
    answer = item.reference_answer
    units = _units(answer, max_tokens, count)
    chunks: list[Chunk] = []
    window: list[_Unit] = []

    def flush() -> None:
        start, end = window[0].start, window[-1].end
        heading = window[0].heading
        chunks.append(
            Chunk(
                id=f"{item.id}-{len(chunks) + 1}",
                text=answer[start:end].strip(),
                item_id=item.id,
                section_path=[*item.section_path[1:], heading] if heading else item.section_path[1:],
                source=item.source,
                char_start=item.char_start + start,
                char_end=item.char_start + end,
            )
        )

    def span_tokens(first: _Unit, last: _Unit) -> int:
        # Count the real span: heading lines between units belong to the chunk text too.
        return count(answer[first.start : last.end])

    for unit in units:
        new_section = bool(window) and unit.heading != window[-1].heading and span_tokens(window[0], window[-1]) >= max_tokens // 2
        if window and (span_tokens(window[0], unit) > max_tokens or new_section):
            flush()
            carry: list[_Unit] = []
            if not new_section:
                for previous in reversed(window):
                    if span_tokens(previous, window[-1]) > overlap_tokens:
                        break
                    carry.insert(0, previous)
            while carry and span_tokens(carry[0], unit) > max_tokens:
                carry.pop(0)
            window = carry
        window.append(unit)
    if window:
        flush()
    return chunks
