"""Grading sets on the judge's held-out notes, which never touch the seed.

Each item is five notes of one dev or test topic (topics the judge never trained on) in one language,
the notes as its key points. Its answers, in the item's language and in the other one, are strong,
short, partial or wrong, from one of two sources:
- composed from the claims written for those notes: strong (a true restatement of every point),
  short (the shortest true restatement of each), partial (two points), wrong (falsifications of four);
  this is the judge's own writing style, so it flatters the judge;
- fluent (eval/data/grader_fluent_{dev,test}.jsonl): answers written as a candidate says them, with
  true "X, not Y" contrasts in strong answers, a one- or two-sentence short answer, two points in a
  partial one and three of five points falsified in a wrong one.
Grader choices are made on the dev topics and reported on the test topics, so the seed sets stay a check."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

import numpy as np

from coach.grading.grader import Grader
from coach.grading.judge_data import Split, read_notes, split_of
from eval.metrics import pairwise_accuracy
from eval.quality import jsonl
from ingest.models import Chunk, InterviewItem

POINTS_PER_ITEM = 5
ITEMS_PER_TOPIC = 2
PARTIAL_POINTS = 2
WRONG_POINTS = 4
ORDER = ["strong", "partial", "wrong"]
_JOIN = {"zh": "", "en": " "}
Source = Literal["composed", "fluent"]


@dataclass(frozen=True)
class ComposedCase:
    item: InterviewItem
    chunk: Chunk
    item_lang: str
    answer_lang: str
    kind: str  # strong / short / partial / wrong
    answer: str


def _sentence(text: str, lang: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", ".", "！", "？", "!", "?")) else text + ("。" if lang == "zh" else ".")


def _claims(note: dict, key: str, lang: str) -> list[dict]:
    """The note's claims of one kind in `lang`; true ones are the plain restatements (a contrast claim,
    "X, not Y", is training data for the judge, not an answer this set was defined with)."""
    return [claim for claim in note[key] if claim["lang"] == lang and claim.get("kind") != "contrast"]


def _answers(notes: list[dict], lang: str, rng: random.Random) -> dict[str, str]:
    true = [_claims(n, "entail", lang) for n in notes]
    strong = [next((c for c in claims if c.get("kind") != "short"), claims[0])["text"] for claims in true if claims]
    short = [min(claims, key=lambda c: len(c["text"]))["text"] for claims in true if claims]
    partial_rows = sorted(rng.sample(range(len(notes)), PARTIAL_POINTS))
    partial = [strong[row] for row in partial_rows if row < len(strong)]
    wrong = [rng.choice(claims)["text"] for claims in (_claims(n, "contradict", lang) for n in notes) if claims]
    join = _JOIN[lang]
    return {kind: join.join(_sentence(t, lang) for t in texts)
            for kind, texts in (("strong", strong), ("short", short), ("partial", partial),
                                ("wrong", wrong[:WRONG_POINTS]))}


def _topic_groups(split: Split) -> list[tuple[str, int, list[dict]]]:
    """(topic, group number, its five notes) for each item-sized group of the split's topics."""
    by_topic: dict[str, list[dict]] = {}
    for row in read_notes():
        if split_of(row["topic"]) == split:
            by_topic.setdefault(row["topic"], []).append(row)
    groups = []
    for topic, notes in sorted(by_topic.items()):
        for number, start in enumerate(range(0, min(len(notes), POINTS_PER_ITEM * ITEMS_PER_TOPIC), POINTS_PER_ITEM)):
            group = notes[start : start + POINTS_PER_ITEM]
            if len(group) == POINTS_PER_ITEM:
                groups.append((topic, number, group))
    return groups


def _fluent_answers(split: Split) -> dict[str, dict[str, dict[str, str]]]:
    """group id -> answer language -> kind -> answer, from the written file of the split."""
    answers: dict[str, dict[str, dict[str, str]]] = {}
    for row in jsonl(f"grader_fluent_{split}.jsonl"):
        answers.setdefault(row["group"], {}).setdefault(row["lang"], {})[row["kind"]] = row["answer"]
    return answers


def composed_cases(split: Split, seed: int = 13, source: Source = "composed") -> list[ComposedCase]:
    """The items and answers of one split's topics (composed answers fixed by `seed`)."""
    rng = random.Random(seed)
    fluent = _fluent_answers(split) if source == "fluent" else {}
    cases: list[ComposedCase] = []
    next_id = 0
    for topic, number, group in _topic_groups(split):
        for item_lang in ("zh", "en"):
            points = [note["note"][item_lang] for note in group]
            reference = _JOIN[item_lang].join(_sentence(p, item_lang) for p in points)
            item = InterviewItem(next_id, topic, reference, [topic], points)
            chunk = Chunk(f"composed-{next_id}", reference, next_id, [topic], "composed", 0, len(reference))
            next_id += 1
            for answer_lang in ("zh", "en"):
                answers = fluent[f"{topic}-{number}"][answer_lang] if fluent else _answers(group, answer_lang, rng)
                for kind, answer in answers.items():
                    cases.append(ComposedCase(item, chunk, item_lang, answer_lang, kind, answer))
    return cases


def grade_composed(grader: Grader, split: Split, source: Source = "composed") -> dict:
    """Ordering (strong > partial > wrong, per item and answer language), the cross-language gap of
    strong answers, short answers at >= 5, and mean score per kind, in the item's language and across."""
    scores: dict[tuple[int, str], dict[str, float]] = {}
    item_lang: dict[int, str] = {}
    for case in composed_cases(split, source=source):
        grade = grader.grade(case.item, case.answer, [case.chunk])
        scores.setdefault((case.item.id, case.answer_lang), {})[case.kind] = grade.score
        item_lang[case.item.id] = case.item_lang
    same = {key: value for key, value in scores.items() if item_lang[key[0]] == key[1]}
    crossed = {key: value for key, value in scores.items() if item_lang[key[0]] != key[1]}
    gaps = [abs(scores[(i, "zh")]["strong"] - scores[(i, "en")]["strong"]) for i in item_lang]
    out: dict = {"items": len(item_lang), "answers": sum(len(v) for v in scores.values()),
                 "pairwise_same_language": round(pairwise_accuracy(same, ORDER), 4),
                 "pairwise_cross_language": round(pairwise_accuracy(crossed, ORDER), 4),
                 "partial_over_wrong": round(pairwise_accuracy(scores, ["partial", "wrong"]), 4),
                 "strong_gap_within_1": round(float(np.mean([gap <= 1.0 for gap in gaps])), 4),
                 "short_at_least_5": round(float(np.mean([g["short"] >= 5 for g in scores.values()])), 4)}
    for name, group in (("same", same), ("cross", crossed)):
        for kind in ("strong", "short", "partial", "wrong"):
            out[f"mean_{kind}_{name}"] = round(float(np.mean([g[kind] for g in group.values()])), 2)
    return out
