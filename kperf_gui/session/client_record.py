"""What the journal says of the load client's own health per point (the ``client_health``
table: :class:`~.records.ClientHealthRecord`): the reason a point is invalid when the client was
saturated, and the Session sheet's lines. Journals written before the table existed have none
and read as before."""
from __future__ import annotations

import sqlite3

from .records import ClientHealthRecord

SECTION = "Load client"


class Health(ClientHealthRecord):
    """One load process's row of the ``client_health`` table, as the readers use it."""

    def saturated(self) -> bool:
        return self.lag_p99_ms is not None and self.lag_p99_ms > self.lag_limit_ms

    def text(self) -> str:
        who = "run process" if self.worker == 0 else f"worker {self.worker}"
        parts = [f"{who} (pid {self.process}): {self.users} users"]
        if self.lag_p99_ms is not None:
            parts.append(f"event-loop lag p50 {self.lag_p50_ms:.2f} ms, p99 "
                         f"{self.lag_p99_ms:.2f} ms, max {self.lag_max_ms:.2f} ms "
                         f"({self.samples} probes of {self.probe_ms:g} ms)")
        else:
            parts.append("event-loop lag not probed")
        if self.cpu_pct is not None:
            parts.append(f"CPU {self.cpu_s:.2f} s over {self.window_s:.2f} s "
                         f"({self.cpu_pct:.0f} % of one core)")
        if self.note:
            parts.append(self.note)
        return ", ".join(parts)


def _has_table(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                        "'client_health'").fetchone() is not None


def point_health(conn: sqlite3.Connection, point: int) -> list[Health]:
    """The point's load processes, in worker order (empty for an older journal)."""
    if not _has_table(conn):
        return []
    rows = conn.execute(f"SELECT {', '.join(Health.columns())} FROM client_health "
                        "WHERE point = ? ORDER BY worker", (point,)).fetchall()
    return [Health(*r) for r in rows]


def saturation_reasons(health: list[Health]) -> list[str]:
    """The invalid_reason of a point whose client was saturated, one per load process."""
    out = []
    for h in health:
        if h.saturated():
            assert h.lag_p99_ms is not None
            who = "" if len(health) == 1 and h.worker == 0 else f" (worker {h.worker})"
            out.append(f"client saturated{who}: event-loop lag p99 {h.lag_p99_ms:.1f} ms > "
                       f"{h.lag_limit_ms:g} ms; the figures would be the client's, not the chip's")
    return out


def session_rows(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Session-sheet rows: the lag limit points were judged by, and per point the load
    processes used and each one's lag and CPU."""
    if not _has_table(conn):
        return []
    points = [p for (p,) in conn.execute("SELECT DISTINCT point FROM client_health WHERE "
                                         "point > 0 ORDER BY point")]
    if not points:
        return []
    limits = sorted({float(x) for (x,) in conn.execute(
        "SELECT DISTINCT lag_limit_ms FROM client_health WHERE point > 0")})
    limit = " / ".join(f"{x:g}" for x in limits)
    rows = [(SECTION, "Saturation limit",
             f"a point is invalid when any load process's event loop ran late by more than "
             f"{limit} ms at p99 (sweep.max_client_lag_ms): lateness of a 10 ms timer probed "
             "through the measured load, the delay a timestamp taken on that loop may carry")]
    for p in points:
        health = point_health(conn, p)
        workers = [h for h in health if h.worker > 0]
        used = (f"{len(workers)} worker processes" if workers else "the run process")
        rows.append((SECTION, f"point {p}", f"{used}; " + "; ".join(h.text() for h in health)))
    return rows
