"""A session as Markdown (to read) or JSON (to keep)."""

from __future__ import annotations

import time
from dataclasses import asdict

from coach.sessions import SessionStore

_ROLE = {"interviewer": "Interviewer", "candidate": "You", "tutor": "Tutor", "user": "You"}


def export_json(store: SessionStore, session_id: str) -> dict:
    return {"session": asdict(store.session(session_id)), "turns": [asdict(t) for t in store.turns(session_id)],
            "grades": [asdict(g) for g in store.grades(session_id=session_id)]}


def export_markdown(store: SessionStore, session_id: str) -> str:
    session = store.session(session_id)
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(session.created))
    lines = [f"# {session.kind.title()} session {session_id}", "",
             f"- index: `{session.index_name}` · model: `{session.model or '-'}` · {when}", ""]
    for turn in store.turns(session_id):
        label = _ROLE.get(turn.role, turn.role)
        settings = ""
        if turn.sampling:
            s = turn.sampling
            settings = f" _(T={s.get('temperature')}, top-k={s.get('top_k')}, top-p={s.get('top_p')}, seed={s.get('seed')})_"
        lines += [f"**{label}** · {turn.kind}{settings}", "", turn.content, ""]
    grades = store.grades(session_id=session_id)
    if grades:
        lines += ["## Scores", "", "| item | question | score |", "|---|---|---|"]
        lines += [f"| {g.item_id} | {g.question[:60]} | {g.score:g}/10 |" for g in grades]
    return "\n".join(lines) + "\n"
