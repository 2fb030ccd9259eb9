"""How a person is doing, per question, over sessions: what the Progress page and `coach sessions` show."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from coach.sessions import GradeRecord, SessionStore


@dataclass(frozen=True)
class ItemProgress:
    item_id: int
    question: str
    attempts: int
    mean: float
    latest: float
    best: float
    last_practised: datetime
    sessions: int
    most_missed: str  # the point missed most often in this item's grades ("" if none)


@dataclass(frozen=True)
class ScorePoint:
    item_id: int
    when: datetime
    score: float


def item_progress(store: SessionStore, index_name: str) -> list[ItemProgress]:
    """One row per question answered on this index, weakest (lowest mean) first."""
    by_item: dict[int, list[GradeRecord]] = {}
    for grade in store.grades(index_name=index_name):
        by_item.setdefault(grade.item_id, []).append(grade)
    rows = []
    for item_id, grades in by_item.items():
        scores = [g.score for g in grades]
        missed = Counter(point for g in grades for point in g.missed_points)
        rows.append(ItemProgress(
            item_id=item_id, question=grades[-1].question or f"Q{item_id}", attempts=len(scores),
            mean=round(sum(scores) / len(scores), 2), latest=scores[-1], best=max(scores),
            last_practised=datetime.fromtimestamp(grades[-1].created),
            sessions=len({g.session_id for g in grades}),
            most_missed=missed.most_common(1)[0][0] if missed else ""))
    return sorted(rows, key=lambda r: (r.mean, r.item_id))


def score_history(store: SessionStore, index_name: str) -> list[ScorePoint]:
    return [ScorePoint(g.item_id, datetime.fromtimestamp(g.created), g.score)
            for g in store.grades(index_name=index_name)]
