"""Rebuild every output of a session folder from its journal.

Used at the end of a run and by ``kperf export``. A journal that was never finalised (the run was
killed) is marked interrupted and finalised first. The outputs depend only on the journal, so
exporting the same journal twice gives the same bytes.
"""
from __future__ import annotations

import datetime as _dt
import sqlite3
from contextlib import closing
from pathlib import Path

from . import csvout, manifest, plots, report, xlsx
from .data import SessionData
from .journal import append_event, finalise, in_use, is_finalised, open_readonly
from .journal_reader import CUT_OFF_NOTE, load, meta
from .plan import without_secrets
from .records import PointStatus, RunStatus


class ExportError(Exception):
    """The folder cannot be exported; the message says why and what to do."""


def _mark_interrupted(db: Path) -> None:
    """Mark a journal whose run never finished, and each point it cut off, as interrupted."""
    conn = sqlite3.connect(db)
    try:
        status = dict(conn.execute("SELECT key, value FROM meta").fetchall()).get("status")
        cut = [p for (p,) in conn.execute("SELECT id FROM points WHERE status = ? ORDER BY id",
                                          (PointStatus.RUNNING.value,))]
        with conn:
            if status in (None, RunStatus.RUNNING):
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('status', ?)",
                             (RunStatus.INTERRUPTED.value,))
            conn.execute("UPDATE points SET status = ?, note = ? WHERE status = ?",
                         (PointStatus.INTERRUPTED.value, CUT_OFF_NOTE, PointStatus.RUNNING.value))
    finally:
        conn.close()
    append_event(db, "interrupted", "the run ended without finishing; exported from the journal",
                 {"points_interrupted": cut} if cut else None)


def _since_anchor_ns(db: Path) -> int:
    with closing(open_readonly(db)) as conn:
        m = meta(conn)
    try:
        anchor = _dt.datetime.fromisoformat(m["anchor_utc"])
    except (KeyError, ValueError):
        return 0
    return int((_dt.datetime.now(_dt.timezone.utc) - anchor).total_seconds() * 1e9)


def export(folder: Path, record: bool = False) -> SessionData:
    """Write plan.toml, results.xlsx, summary.csv, plots/, report.pdf and manifest.json into
    ``folder``.
    ``record`` adds an ``export`` event to the journal's log (``kperf export``)."""
    folder = Path(folder)
    db = folder / "session.sqlite"
    if not db.is_file():
        raise ExportError(f"{folder} holds no session.sqlite; give a session folder written by "
                          "kperf or the app.")
    try:
        if not is_finalised(db):
            finalise(db, busy_timeout_s=0)  # never hold up a run that is still writing it
            _mark_interrupted(db)
            finalise(db)
        if record:
            append_event(db, "export", "outputs rebuilt from the journal", at_ns=_since_anchor_ns(db))
            finalise(db)
        with closing(open_readonly(db)) as conn:
            data = load(conn)
    except sqlite3.DatabaseError as exc:
        if in_use(exc):
            raise ExportError(f"{folder}: a run is still writing this session (its journal is in "
                              "use); wait until the run finishes, or stop it (Stop or Abort in "
                              "the app, Ctrl+C where kperf run runs), then export again.") from None
        raise ExportError(f"{db} cannot be read as a journal ({exc}); it may be damaged. Keep "
                          "the file and its -wal file, if any, and do not edit them.") from None
    (folder / "plan.toml").write_text(without_secrets(data.plan_toml), encoding="utf-8")
    xlsx.write_workbook(data, folder / "results.xlsx")
    csvout.write_summary_csv(data, folder / "summary.csv")
    pdir = folder / "plots"
    pdir.mkdir(exist_ok=True)
    written = {p.resolve() for p in plots.write_plots(data, pdir)}
    for old in pdir.glob("*.png"):
        if old.resolve() not in written:
            old.unlink()
    try:
        report.write_report(folder, data)
    except Exception as exc:  # noqa: BLE001 - the rest of the export still gets its manifest
        manifest.write_manifest(folder)
        raise ExportError(f"report.pdf could not be written ({exc}); the other outputs and "
                          "manifest.json were. Run kperf report DIR to try again.") from None
    manifest.write_manifest(folder)
    return data
