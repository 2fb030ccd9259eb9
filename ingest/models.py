"""The data that flows out of ingest: documents, interview items, chunks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """One loaded and cleaned document."""

    source: str
    title: str
    text: str


@dataclass
class InterviewItem:
    """One interview question with the document's answer; key_points are the grader's rubric."""

    id: int
    question: str
    reference_answer: str
    section_path: list[str]
    key_points: list[str] = field(default_factory=list)
    source: str = ""
    char_start: int = 0  # offset of the answer in the cleaned document text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Chunk:
    """A retrievable window of an item's text, with everything a citation needs."""

    id: str
    text: str
    item_id: int
    section_path: list[str]
    source: str
    char_start: int
    char_end: int

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Corpus:
    """What one ingest run produced."""

    documents: list[Document]
    items: list[InterviewItem]
    chunks: list[Chunk]
    skipped: list[str] = field(default_factory=list)  # "name: why" for documents with no questions
