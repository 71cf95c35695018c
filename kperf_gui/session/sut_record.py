"""The system under test on record: what the server said about itself before the run and around
each point, and whether its own token counters agree with ours.

The run journals each answer of :func:`drivers.targets.server_state.fetch_state` with
:func:`record_state`: an event of kind ``server_state`` in the hash-chained event log, whose data
holds the phase (``before_run``, ``before_point``, ``after_point``), the point and every route's
answer as it came (the ``/metrics`` scrape whole). Exports read them back: the identity answers
before the run, and per point the server's prompt and generated tokens between its two
scrapes beside ours (:mod:`kperf_gui.measure.server_counters`), flagged beyond 1 %.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from kperf_gui.measure.server_counters import Agreement, compare, server_tokens

from . import sysinfo

EVENT = "server_state"
PHASES = ("before_run", "before_point", "after_point")
IDENTITY_SECTION = "System under test"
COUNTERS_SECTION = "Server counters"
_MAX_CELL = 600


def _routes_line(state: dict[str, Any]) -> str:
    parts = []
    for route, answer in (state.get("answers") or {}).items():
        parts.append(f"{route} {'unreachable' if 'error' in answer else answer.get('status')}")
    return ", ".join(parts)


def record_state(journal: Any, t_ns: int, phase: str, state: dict[str, Any],
                 point: int | None = None) -> None:
    """Journal one server state (``journal``: the run's
    :class:`kperf_gui.session.journal.Journal`)."""
    if phase not in PHASES:
        raise ValueError(f"phase must be one of {PHASES}, not {phase!r}")
    where = {"before_run": "before the run", "before_point": f"before point {point}",
             "after_point": f"after point {point}"}[phase]
    message = f"server state {where}: {_routes_line(state)}"
    journal.put_event(t_ns, EVENT, message, {"phase": phase, "point": point, **state})


def states(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every recorded server state, in order."""
    out = []
    for (data,) in conn.execute("SELECT data FROM events WHERE kind = ? ORDER BY id", (EVENT,)):
        try:
            value = json.loads(data or "")
        except ValueError:
            continue
        if isinstance(value, dict):
            out.append(value)
    return out


def _metrics(state: dict[str, Any]) -> str | None:
    answer = (state.get("answers") or {}).get("/metrics") or {}
    text = answer.get("text")
    return text if answer.get("status") == 200 and isinstance(text, str) else None


@dataclass(frozen=True)
class PointAgreement:
    point: int
    agreement: Agreement


def _ours(conn: sqlite3.Connection, point: int) -> tuple[float | None, float | None, int]:
    rows = conn.execute("SELECT ok, input_tokens_actual, output_tokens FROM requests WHERE "
                        "point = ?", (point,)).fetchall()
    ok = [r for r in rows if r[0]]
    failed = len(rows) - len(ok)
    prompt = None if any(r[1] is None for r in ok) else float(sum(r[1] for r in ok))
    output = None if any(r[2] is None for r in ok) else float(sum(r[2] for r in ok))
    return prompt, output, failed


def point_agreements(conn: sqlite3.Connection) -> list[PointAgreement]:
    """Per measured point with a scrape before and after it: the server's counts beside ours
    (every request of the point, warm-up included, as the server saw them all)."""
    before: dict[int, dict[str, Any]] = {}
    after: dict[int, dict[str, Any]] = {}
    for s in states(conn):
        point = s.get("point")
        if not isinstance(point, int) or point <= 0:
            continue
        if s.get("phase") == "before_point":
            before[point] = s
        elif s.get("phase") == "after_point":
            after[point] = s
    models = dict(conn.execute("SELECT id, model FROM points").fetchall())
    out = []
    for point in sorted(set(before) & set(after)):
        a, b = _metrics(before[point]), _metrics(after[point])
        if a is None or b is None:
            continue
        server = server_tokens(a, b, models.get(point) or None)
        prompt, output, failed = _ours(conn, point)
        out.append(PointAgreement(point, compare(server, prompt, output,
                                                 failed_requests=failed)))
    return out


def _compact(answer: dict[str, Any]) -> str:
    if "error" in answer:
        return f"unreachable ({answer['error']})"
    status = answer.get("status")
    body = answer.get("json")
    if body is None:
        text = answer.get("text")
        body_text = "" if not text else f"{len(text)} characters of text"
    else:
        body_text = json.dumps(body, sort_keys=True, ensure_ascii=False)
    value = f"HTTP {status}" + (f": {body_text}" if body_text else "")
    return value if len(value) <= _MAX_CELL else value[: _MAX_CELL - 3] + "..."


def identity_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """The server's answers before the run (the first recorded state of each endpoint)."""
    rows = []
    seen: set[str] = set()
    for s in states(conn):
        if s.get("phase") != "before_run" or s.get("base_url") in seen:
            continue
        base = str(s.get("base_url"))
        seen.add(base)
        root = base.rstrip("/").removesuffix("/v1")
        for route, answer in (s.get("answers") or {}).items():
            rows.append((IDENTITY_SECTION, f"{root}{route}", _compact(answer)))
    return rows


def session_rows(conn: sqlite3.Connection, meta: dict[str, str]) -> list[tuple[str, str, str]]:
    """Session-sheet rows: the client machine, the server's answers before the run and, per
    point, the server's token counters beside ours."""
    rows = sysinfo.system_rows(meta) + identity_rows(conn)
    for pa in point_agreements(conn):
        rows.append((COUNTERS_SECTION, f"point {pa.point}", pa.agreement.text()))
    return rows
