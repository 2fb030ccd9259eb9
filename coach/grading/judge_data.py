"""The judge's training data: note sentences written here (eval/data/judge/, never the seed), each with
true restatements, single-edit falsifications and neutral on-topic claims, turned into labelled
(premise, hypothesis) pairs and split by topic, so test topics are never seen in training."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Label = Literal["entailment", "neutral", "contradiction"]
LABELS: tuple[Label, ...] = ("entailment", "neutral", "contradiction")
Split = Literal["train", "dev", "test"]
DATA_DIR = Path(__file__).resolve().parents[2] / "eval" / "data" / "judge"
_CLAIM_LABEL: dict[str, Label] = {"entail": "entailment", "contradict": "contradiction", "neutral": "neutral"}
_CLAUSE_BREAK = re.compile(r"[，,；;：:]\s*")
# A clause that opens with a contrast, a cause or a condition leans on the rest of the sentence ("not
# bandwidth", "if the tokenizer changes"), and one that ends as a time or place phrase ("在 … 里") is
# no claim: neither is entailed as said.
_LEANING_OPENERS = re.compile(
    r"^(?:(?:not|but|rather|instead|while|whereas|so|because|since|when|unless|in|for|as|which|where|and|or)\b"
    r"|而不是|而非|不是|但是|但|而|所以|因此|因为|由于|由|当|在|对|对于|为了|为|即|或)", re.IGNORECASE)
_LEANING_ENDINGS = re.compile(r"(?:里|中|时|后|前|上|下|的话|来说|之后|之前|时候)$")
_CONDITION_OR_QUOTE = re.compile(r"如果|若|\bif\b|['\"“”‘’]", re.IGNORECASE)  # anywhere in the clause


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: Label
    topic: str
    kind: str  # paraphrase / short / ... / swap_roles / ... / neutral / off_topic / translation / identity / clause
    languages: str  # "zh-en": premise in Chinese, hypothesis in English


def split_of(topic: str) -> Split:
    """A fixed split by topic (a hash, so adding topics never moves old ones): ~70 / 15 / 15."""
    bucket = int(hashlib.sha256(topic.encode()).hexdigest(), 16) % 20
    return "test" if bucket < 3 else "dev" if bucket < 6 else "train"


def read_notes(directory: Path = DATA_DIR) -> list[dict]:
    rows = []
    for path in sorted(directory.glob("*.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip())
    return rows


def standalone_clauses(text: str, lang: str) -> list[str]:
    """The parts of a sentence between commas and semicolons that still say something alone: a note
    entails each of them, which is how a short answer restates it."""
    parts = [part.strip(" 。.") for part in _CLAUSE_BREAK.split(text)]
    long_enough = (lambda part: len(part) >= 8) if lang == "zh" else (lambda part: len(part.split()) >= 5)
    return [part for part in parts if long_enough(part) and part != text.strip(" 。.") and not _LEANING_OPENERS.match(part)
            and not _LEANING_ENDINGS.search(part)
            and not _CONDITION_OR_QUOTE.search(part)]


def build_pairs(rows: Iterable[dict], seed: int = 13) -> list[Pair]:
    """Every claim against its note in both languages; the two languages of a note as a translation
    pair; one claim from another topic per note as an off-topic neutral, and a true claim of another
    note of the same topic as an on-topic neutral (the judge read those as restating the note, often
    across languages, composed dev set); a note against itself and
    against one of its own clauses, and a falsification against itself, as entailment (the model must
    read a copy as agreeing whatever the copy says: its falsifications are near copies). De-duplicated."""
    rows = list(rows)
    rng = random.Random(seed)
    pairs: dict[tuple[str, str], Pair] = {}

    def add(pair: Pair) -> None:
        pairs.setdefault((pair.premise, pair.hypothesis), pair)

    claims_by_topic: dict[str, list[dict]] = {}
    notes_by_topic: dict[str, list[dict]] = {}
    for row in rows:
        claims_by_topic.setdefault(row["topic"], []).extend(c for key in _CLAIM_LABEL for c in row[key])
        notes_by_topic.setdefault(row["topic"], []).append(row)
    topics = sorted(claims_by_topic)
    for row in rows:
        topic, note = row["topic"], row["note"]
        siblings = [other for other in notes_by_topic[topic] if other is not row and other["entail"]]
        for note_lang in ("zh", "en"):
            for key, label in _CLAIM_LABEL.items():
                for claim in row[key]:
                    add(Pair(note[note_lang], claim["text"], label, topic, claim.get("kind", "neutral"),
                             f"{note_lang}-{claim['lang']}"))
            other_lang = "en" if note_lang == "zh" else "zh"
            add(Pair(note[note_lang], note[other_lang], "entailment", topic, "translation", f"{note_lang}-{other_lang}"))
            elsewhere = rng.choice([t for t in topics if t != topic])
            stray = rng.choice(claims_by_topic[elsewhere])
            add(Pair(note[note_lang], stray["text"], "neutral", topic, "off_topic", f"{note_lang}-{stray['lang']}"))
            if siblings:
                kin = rng.choice(rng.choice(siblings)["entail"])
                add(Pair(note[note_lang], kin["text"], "neutral", topic, "sibling", f"{note_lang}-{kin['lang']}"))
            same = f"{note_lang}-{note_lang}"
            add(Pair(note[note_lang], note[note_lang], "entailment", topic, "identity", same))
            clauses = standalone_clauses(note[note_lang], note_lang)
            if clauses:
                add(Pair(note[note_lang], rng.choice(clauses), "entailment", topic, "clause", same))
        if row["contradict"]:
            false_claim = rng.choice(row["contradict"])
            add(Pair(false_claim["text"], false_claim["text"], "entailment", topic, "identity",
                     f"{false_claim['lang']}-{false_claim['lang']}"))
    return list(pairs.values())


def question_examples(directory: Path = DATA_DIR, seed: int = 13) -> dict[Split, list[tuple[str, str, int]]]:
    """Relevance examples for questions (questions/*.jsonl, written for the topics' notes): the note
    that answers a question, in either language, bears on it (1); a note of another topic does not (0).
    Split by the question's topic, like the pairs."""
    notes = read_notes(directory)
    by_english = {row["note"]["en"]: row for row in notes}
    rng = random.Random(seed)
    out: dict[Split, list[tuple[str, str, int]]] = {"train": [], "dev": [], "test": []}
    for path in sorted((directory / "questions").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            answer = by_english[row["note_en"]]
            stranger = rng.choice([n for n in notes if n["topic"] != row["topic"]])
            for lang in ("zh", "en"):
                out[split_of(row["topic"])].append((answer["note"][lang], row["question"], 1))
                out[split_of(row["topic"])].append((stranger["note"][lang], row["question"], 0))
    return out


def load_splits(directory: Path = DATA_DIR) -> dict[Split, list[Pair]]:
    splits: dict[Split, list[Pair]] = {"train": [], "dev": [], "test": []}
    for pair in build_pairs(read_notes(directory)):
        splits[split_of(pair.topic)].append(pair)
    return splits
