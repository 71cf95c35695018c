"""Opening session folders for the Results view (no Qt: called from worker threads)."""
from __future__ import annotations

import time
from contextlib import closing
from pathlib import Path

from kperf_gui.session.data import SessionData
from kperf_gui.session.export import export
from kperf_gui.session.journal import is_finalised
from kperf_gui.session.journal_reader import load, open_session

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
