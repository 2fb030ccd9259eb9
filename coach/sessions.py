"""Sessions, turns and grades in SQLite (WAL): resumable, exportable, safe under concurrent writers."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from coach.errors import NotFound

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL, kind TEXT NOT NULL,
  index_name TEXT NOT NULL, persona TEXT, language TEXT, model TEXT, state TEXT, title TEXT
);
CREATE TABLE IF NOT EXISTS turns (
  id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id),
  created REAL NOT NULL, role TEXT NOT NULL, kind TEXT NOT NULL, content TEXT NOT NULL,
  item_id INTEGER, sampling TEXT, model TEXT, extra TEXT
);
CREATE TABLE IF NOT EXISTS grades (
  id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id),
  turn_id INTEGER REFERENCES turns(id), created REAL NOT NULL, item_id INTEGER NOT NULL,
  question TEXT, score REAL NOT NULL, detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns(session_id, id);
CREATE INDEX IF NOT EXISTS grades_by_item ON grades(item_id, created);
"""


@dataclass(frozen=True)
class SessionInfo:
    id: str
    created: float
    updated: float
    kind: str  # "interview" | "ask"
    index_name: str
    persona: str | None
    language: str | None
    model: str | None
    title: str | None


@dataclass(frozen=True)
class SessionSummary:
    """One row of the session list: how long it ran and how it went."""

    id: str
    created: float
    kind: str
    index_name: str
    title: str | None
    turns: int
    mean_score: float | None


@dataclass(frozen=True)
class GradeRecord:
    """One graded answer as stored: `detail` is the whole grade (Grade.to_dict), read back as needed."""

    session_id: str
    created: float
    item_id: int
    question: str
    score: float
    detail: dict
    index_name: str

    @property
    def missed_points(self) -> list[str]:
        return [point["point"] for point in self.detail.get("missed", [])]


@dataclass
class Turn:
    id: int
    created: float
    role: str  # "interviewer" | "candidate" | "tutor" | "user"
    kind: str  # "question" | "answer" | "feedback" | "follow_up" | "hint" | "reference" | "summary" | "ask"
    content: str
    item_id: int | None
    sampling: dict | None
    model: str | None
    extra: dict | None


class SessionStore:
    """One SQLite file; a connection per thread, WAL so readers never block the writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        if getattr(self._local, "db", None) is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        return self._local.db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade deadlocks
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def create_session(self, kind: str, index_name: str, persona: str = "", language: str = "",
                       model: str = "", title: str = "") -> str:
        session_id = uuid.uuid4().hex[:12]
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (session_id, now, now, kind, index_name, persona, language, model, None, title))
        return session_id

    def add_turn(self, session_id: str, role: str, kind: str, content: str, item_id: int | None = None,
                 sampling: dict | None = None, model: str | None = None, extra: dict | None = None) -> int:
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO turns (session_id, created, role, kind, content, item_id, sampling, model, extra) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (session_id, time.time(), role, kind, content, item_id, _dump(sampling), model, _dump(extra)))
            db.execute("UPDATE sessions SET updated=? WHERE id=?", (time.time(), session_id))
            return int(cursor.lastrowid)

    def add_grade(self, session_id: str, turn_id: int | None, item_id: int, question: str, score: float,
                  detail: dict) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO grades (session_id, turn_id, created, item_id, question, score, detail) "
                       "VALUES (?,?,?,?,?,?,?)",
                       (session_id, turn_id, time.time(), item_id, question, score, _dump(detail)))

    def save_state(self, session_id: str, state: dict) -> None:
        with self._tx() as db:
            db.execute("UPDATE sessions SET state=?, updated=? WHERE id=?", (_dump(state), time.time(), session_id))

    def load_state(self, session_id: str) -> dict | None:
        row = self._connection().execute("SELECT state FROM sessions WHERE id=?", (session_id,)).fetchone()
        return json.loads(row["state"]) if row and row["state"] else None

    def session(self, session_id: str) -> SessionInfo:
        row = self._connection().execute("SELECT * FROM sessions WHERE id=?", (session_id,)).fetchone()
        if row is None:
            raise NotFound(f"No session {session_id}.")
        return SessionInfo(**{k: row[k] for k in row.keys() if k != "state"})

    def sessions(self, limit: int = 50) -> list[SessionSummary]:
        rows = self._connection().execute(
            "SELECT s.id, s.created, s.kind, s.index_name, s.title, "
            "(SELECT COUNT(*) FROM turns t WHERE t.session_id=s.id) AS turns, "
            "(SELECT AVG(score) FROM grades g WHERE g.session_id=s.id) AS mean_score "
            "FROM sessions s ORDER BY s.updated DESC LIMIT ?", (limit,)).fetchall()
        return [SessionSummary(**dict(row)) for row in rows]

    def turns(self, session_id: str) -> list[Turn]:
        rows = self._connection().execute("SELECT * FROM turns WHERE session_id=? ORDER BY id", (session_id,))
        return [Turn(r["id"], r["created"], r["role"], r["kind"], r["content"], r["item_id"], _load(r["sampling"]),
                     r["model"], _load(r["extra"])) for r in rows]

    def grades(self, session_id: str | None = None, index_name: str | None = None) -> list[GradeRecord]:
        query = ("SELECT g.session_id, g.created, g.item_id, g.question, g.score, g.detail, s.index_name "
                 "FROM grades g JOIN sessions s ON s.id=g.session_id WHERE 1=1")
        params: list[Any] = []
        if session_id:
            query += " AND g.session_id=?"
            params.append(session_id)
        if index_name:
            query += " AND s.index_name=?"
            params.append(index_name)
        rows = self._connection().execute(query + " ORDER BY g.created", params).fetchall()
        return [GradeRecord(**{**dict(r), "detail": _load(r["detail"]) or {}}) for r in rows]

    def mean_scores(self, index_name: str) -> dict[int, float]:
        """Average score per item on one index: the interviewer asks the weakest first."""
        rows = self._connection().execute(
            "SELECT g.item_id, AVG(g.score) AS mean FROM grades g JOIN sessions s ON s.id=g.session_id "
            "WHERE s.index_name=? GROUP BY g.item_id", (index_name,)).fetchall()
        return {int(r["item_id"]): float(r["mean"]) for r in rows}


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _load(value: str | None) -> Any:
    return None if value is None else json.loads(value)
