"""Opening session folders for the Results view (no Qt: called from worker threads)."""
from __future__ import annotations

import csv
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from kperf_gui.session.data import SessionData
from kperf_gui.session.export import export
from kperf_gui.session.journal import is_finalised, open_readonly
from kperf_gui.session.journal_reader import load, meta, open_session

MISSING, FINISHED, LIVE, UNFINISHED = "missing", "finished", "live", "unfinished"
LIVE_WITHIN_S = 10.0


def state(folder: Path, writer_gone: bool = False) -> str:
    """``missing`` (no journal), ``finished`` (closed: opened read-only), ``live`` (a run is
    writing it now) or ``unfinished`` (the run ended without closing it). An unclosed journal
    changed in the last few seconds counts as live unless ``writer_gone`` says its run has
    exited."""
    db = Path(folder) / "session.sqlite"
    if not db.is_file():
        return MISSING
    if is_finalised(db):
        return FINISHED
    if writer_gone:
        return UNFINISHED
    wal = Path(str(db) + "-wal")
    newest = max(p.stat().st_mtime for p in (db, wal) if p.exists())
    return LIVE if time.time() - newest < LIVE_WITHIN_S else UNFINISHED


def read(folder: Path) -> SessionData:
    """A closed session, read without changing a byte."""
    with closing(open_session(Path(folder))) as conn:
        return load(conn)


def recover(folder: Path) -> SessionData:
    """Close an interrupted session's journal (marking it interrupted) and rebuild its outputs."""
    return export(Path(folder))


def export_outputs(folder: Path) -> SessionData:
    """Rebuild results.xlsx, summary.csv, plots/ and manifest.json, recorded in the event log."""
    return export(Path(folder), record=True)


@dataclass
class SessionEntry:
    """One session folder as the session list shows it. ``valid``/``points``: None when
    unknown (the outputs of an interrupted session were not rebuilt yet)."""

    folder: Path
    name: str
    started_utc: str
    status: str
    kind: str
    model: str
    points: int | None
    valid: int | None


def list_sessions(root: Path, limit: int = 500) -> list[SessionEntry]:
    """The sessions in ``root``'s folders (not deeper), newest first; folders whose journal
    cannot be read are listed with their state only."""
    root = Path(root)
    try:
        folders = [p for p in root.iterdir() if (p / "session.sqlite").is_file()]
    except OSError:
        return []
    entries = [describe(folder) for folder in folders]
    entries.sort(key=lambda e: (e.started_utc, e.folder.name), reverse=True)
    return entries[:limit]


def describe(folder: Path) -> SessionEntry:
    """Name, start, status, target and valid points of one session folder, without changing a
    byte of it."""
    folder = Path(folder)
    st = state(folder)
    m: dict[str, str] = {}
    points: int | None = None
    try:
        with closing(open_readonly(folder / "session.sqlite")) as conn:
            m = meta(conn)
            points = int(conn.execute("SELECT COUNT(*) FROM points WHERE id > 0").fetchone()[0])
    except (sqlite3.Error, OSError):
        pass
    status = m.get("status", "")
    if st == LIVE:
        status = "running"
    elif st == UNFINISHED or status in ("", "running"):
        status = "interrupted"
    valid = _valid_points(folder) if st == FINISHED else None
    model = m.get("target_model") or Path(m.get("target_model_path", "")).name
    return SessionEntry(folder=folder, name=m.get("name") or folder.name,
                        started_utc=m.get("started_utc", ""), status=status,
                        kind=m.get("target_kind", ""), model=model,
                        points=points, valid=valid)


def _valid_points(folder: Path) -> int | None:
    """Valid rows of the session's summary.csv (None when it has none)."""
    try:
        with open(folder / "summary.csv", newline="", encoding="utf-8") as f:
            return sum(1 for row in csv.DictReader(f)
                       if str(row.get("valid", "")).lower() in ("true", "1"))
    except (OSError, csv.Error, UnicodeDecodeError):
        return None
