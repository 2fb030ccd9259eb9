"""Paths in, Corpus out: load, clean, parse items and chunk every usable document."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.chunking import TokenCounter, chunk_item, count_tokens
from ingest.clean import clean_text
from ingest.errors import IngestError
from ingest.items import parse_items
from ingest.loaders import SUPPORTED_SUFFIXES, read_text
from ingest.models import Corpus, Document

_NO_QUESTIONS = ("no interview questions I can find "
                 "(expected headings like '问题一:', 'Q1.', '1. …?' or Markdown '## …')")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the supported files inside directories (sorted, so ids are stable)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            if not inside:
                raise IngestError(f"{path} contains no supported files ({', '.join(sorted(SUPPORTED_SUFFIXES))}).")
            files.extend(inside)
        else:
            files.append(path)
    if not files:
        raise IngestError("No documents were given.")
    return files


def load_document(path: Path, max_mb: int) -> Document:
    text = clean_text(read_text(path, max_mb))
    first_line = next((line for line in text.split("\n") if line.strip()), path.stem)
    title = first_line.lstrip("# ").strip()[:80] if len(first_line) <= 80 else path.stem
    return Document(source=str(path), title=title, text=text)


def ingest_paths(
    paths: Iterable[Path],
    *,
    max_mb: int,
    chunk_tokens: int,
    overlap_tokens: int,
    on_document: Callable[[Path], None] | None = None,
    count: TokenCounter = count_tokens,
) -> Corpus:
    """A document without interview questions is skipped and named in `skipped` when others have
    some (a folder of mixed pages); a run where none has any fails, naming the first."""
    documents, items, chunks, skipped = [], [], [], []
    for path in expand_paths(paths):
        document = load_document(path, max_mb)
        found = parse_items(document, first_id=len(items) + 1)
        if not found:
            skipped.append(f"{path.name}: {_NO_QUESTIONS}")
            continue
        documents.append(document)
        items.extend(found)
        for item in found:
            chunks.extend(chunk_item(item, chunk_tokens, overlap_tokens, count))
        if on_document:
            on_document(path)
    if not documents:
        raise IngestError(skipped[0].replace(": ", " has ", 1) if len(skipped) == 1
                          else f"None of the {len(skipped)} documents has interview questions ({_NO_QUESTIONS}).")
    return Corpus(documents=documents, items=items, chunks=chunks, skipped=skipped)
