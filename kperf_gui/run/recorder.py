"""The session recorder: everything a run writes into its journal goes through here, as typed
records (:mod:`kperf_gui.session.records`).

Seams for what later work adds around it:

- **Per point**: a :class:`~kperf_gui.run.runners.PointHook` in
  :attr:`~kperf_gui.run.sweep.SweepRun.point_hooks` is told when each point starts and may add to
  its record when it ends; it gets the point's target, the load loop and this recorder (a record
  of the system under test around each point, say).
- **Per session**: what preflight learns goes into :meth:`SessionRecorder.open`'s ``meta``.
- **Per reading**: a new field of :class:`~kperf_gui.session.records.ReadingRow` (with a default)
  is a new column; :meth:`~kperf_gui.run.meters.Update.rows` fills it from the meter's reading.
- **Per Summary column**: a new field of :class:`~kperf_gui.session.data.SummaryRow`, computed
  under its name by :mod:`kperf_gui.measure.metrics`; the live table, the workbook and the CSV
  take it from there.
"""
from __future__ import annotations

import datetime as _dt
import json
import platform
import socket
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from drivers.meters.accuracy import spec_as_dict
from kperf_gui import __version__
from kperf_gui.clock import Clock
from kperf_gui.measure.server_counters import Agreement
from kperf_gui.session import amendments, sut_record
from kperf_gui.session.data import SummaryRow
from kperf_gui.session.journal import Journal, JournalError
from kperf_gui.session.journal_reader import point_row
from kperf_gui.session.plan import Plan
from kperf_gui.session.records import (ClientHealthRecord, InstrumentRecord, PointRecord,
                                      ReadingRow, RequestRecord)

from .events import RunStatus
from .meters import Channel


FLUSH_WAIT_S = 120.0
"""How long a point's end waits for the journal to commit what was measured."""


def utc_text(dt: _dt.datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def instrument_record(ch: Channel) -> InstrumentRecord:
    """A channel's row in the instruments table: its name, role, the rate the meter was actually
    set to (``meter.config.rate_hz`` after configure: what loss is judged against and what the
    live intervals follow, never the plan's ``rate_hz``) and witness record."""
    ident = ch.identity
    cfg = ch.meter.config
    return InstrumentRecord(
        id=ch.id, channel=ch.label, driver=ch.spec.driver, resource=ch.meter.resource,
        role=ch.spec.role, elements=",".join(map(str, ch.spec.elements)), rate_hz=cfg.rate_hz,
        maker=ident.maker if ident else "", model=ident.model if ident else "",
        serial=ident.serial if ident else "", firmware=ident.firmware if ident else "",
        calibration_due=ch.spec.calibration_due.isoformat() if ch.spec.calibration_due else "",
        identity_raw=ident.raw if ident else "",
        config=json.dumps({"voltage_range": cfg.voltage_range, "current_range": cfg.current_range,
                           "rate_hz": cfg.rate_hz, "plan_rate_hz": ch.spec.rate_hz,
                           "ranging": ch.spec.ranging, "options": ch.spec.options,
                           "frequency_hz": ch.spec.frequency_hz,
                           "max_uncertainty_pct": ch.spec.max_uncertainty_pct,
                           "accuracy": accuracy_record(ch)}, sort_keys=True, default=str))


def accuracy_record(ch: Channel) -> dict[str, dict[str, Any]]:
    """Each element's accuracy table as the journal keeps it (the export works out every point's
    uncertainty from it and the readings' ranges): ``{"1": {"spec": {...}}}``, or
    ``{"1": {"reason": "..."}}`` saying why there is none."""
    out: dict[str, dict[str, Any]] = {}
    for element in ch.meter.config.elements:
        try:
            spec = ch.meter.accuracy(element)
            reason = "" if spec is not None else ch.meter.accuracy_reason(element)
        except Exception as exc:  # noqa: BLE001 - a driver's table must not stop the run
            spec, reason = None, f"the driver could not give its accuracy table ({exc})"
        out[str(element)] = ({"spec": spec_as_dict(spec)} if spec is not None
                             else {"reason": reason or "no accuracy table"})
    return out


class SessionRecorder:
    """Writes one session's journal (``session.sqlite`` in ``folder``) and reads back from it
    what the run shows (a point's window and Summary row)."""

    def __init__(self, folder: Path, clock: Clock):
        self.folder = Path(folder)
        self.clock = clock
        self.journal: Journal | None = None
        self.instruments: list[InstrumentRecord] = []
        self._read: sqlite3.Connection | None = None
        self._notes_lock = threading.Lock()
        self._notes: list[tuple[int, str, str]] | None = []
        """Notes given before the journal opened (None once it is closed)."""

    def _j(self) -> Journal:
        if self.journal is None:
            raise RuntimeError("the journal is not open")  # a programming error
        return self.journal

    # --- the session -----------------------------------------------------------------------

    def open(self, plan: Plan, meta: dict[str, str], channels: Sequence[Channel]) -> None:
        """Create the journal: the session's record (people, target, clock, software), its
        instruments and the first event. ``meta`` holds what the run learned in preflight."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.journal = j = Journal(self.folder / "session.sqlite")
        s, sw = plan.session, plan.sweep
        j.put_meta({
            "format": "kperf-session/1", "name": s.name, "operator": s.operator,
            "witness": s.witness, "notes": s.notes,
            "ambient_c": "" if s.ambient_c is None else f"{s.ambient_c:g}",
            "allow_expired_calibration": "yes" if s.allow_expired_calibration else "no",
            "status": RunStatus.RUNNING.value, "started_utc": utc_text(self.clock.anchor_utc),
            "anchor_utc": self.clock.anchor_utc.isoformat(),
            "anchor_raw_ns": str(self.clock.anchor_ns),
            "clock": "time.perf_counter_ns, integer ns since the anchor",
            "software": f"K-Perf Lab {__version__}", "host": socket.gethostname(),
            "python": platform.python_version(), "plan": plan.source,
            "idle_baseline_s": f"{sw.idle_baseline_s:g}", **meta,
        })
        self.instruments = [instrument_record(ch) for ch in channels]
        for rec in self.instruments:
            j.put_instrument(rec)
        j.put_event(0, "session", f"session {s.name} started", {"operator": s.operator,
                                                                "witness": s.witness})
        with self._notes_lock:
            for t_ns, text, author in self._notes or ():
                amendments.note_event(j, t_ns, text, author)
            self._notes = []
        self._read = sqlite3.connect(self.folder / "session.sqlite", check_same_thread=False)

    def instrument(self, ch: Channel) -> None:
        """Journal a channel's record again after it was reconfigured (the fixed ranges of a
        ranging pass, say): the instruments table holds what the testing pass ran at."""
        rec = instrument_record(ch)
        self.instruments = [rec if r.id == rec.id else r for r in self.instruments]
        self._j().put_instrument(rec)

    def meta(self, items: dict[str, Any]) -> None:
        self._j().put_meta(items)

    def event(self, kind: str, message: str, data: Any = None, t_ns: int | None = None) -> None:
        self._j().put_event(self.clock.now() if t_ns is None else t_ns, kind, message, data)

    def close(self, status: RunStatus, summary: str) -> None:
        """Record how the run ended and finalise the journal (its bytes stop changing)."""
        j = self._j()
        with self._notes_lock:
            self._notes = None  # from now on a note is an amendment (kperf note)
        end = self.clock.now()
        j.put_meta({"status": status.value, "finished_utc": utc_text(self.clock.utc(end))})
        j.put_event(end, "finished", f"run {status.value}: {summary}")
        if self._read is not None:
            self._read.close()
            self._read = None
        j.close()  # JournalError when the writer failed; the file is finalised all the same

    def note(self, text: str, author: str = "") -> bool:
        """Journal the operator's note (any thread; before the journal opens it waits for
        it); False once the journal is closed: the note must then be an amendment.
        :class:`~kperf_gui.session.amendments.AmendmentError` for an empty or too long note."""
        text = amendments.check_text(text)
        with self._notes_lock:
            if self._notes is None:
                return False
            if self.journal is None:
                self._notes.append((self.clock.now(), text, author))
            else:
                amendments.note_event(self.journal, self.clock.now(), text, author)
        return True

    # --- the system under test ---------------------------------------------------------------

    def server_state(self, phase: str, state: dict[str, Any], point: int | None = None,
                     t_ns: int | None = None) -> None:
        """Journal what the server said about itself (:func:`~kperf_gui.session.sut_record.
        record_state`)."""
        sut_record.record_state(self._j(), self.clock.now() if t_ns is None else t_ns, phase,
                                state, point=point)

    def point_agreement(self, pid: int) -> Agreement | None:
        """The server's token counts over point ``pid`` beside ours, from what is journaled so
        far (None without a ``/metrics`` scrape before and after it)."""
        assert self._read is not None
        self.flush()
        return sut_record.point_agreement(self._read, pid)

    # --- what is measured ------------------------------------------------------------------

    def readings(self, rows: list[ReadingRow]) -> None:
        if self.journal is not None:
            self.journal.put_readings(rows)

    def request(self, record: RequestRecord, chunks: Iterable[tuple[int, int]]) -> RequestRecord:
        """Journal a finished request and its chunks (arrival, characters); returns the record
        with its id."""
        rid = self._j().put_request(record, chunks)
        return replace(record, id=rid)

    def client_health(self, record: ClientHealthRecord) -> None:
        """Journal one load process's health over a point's measured load."""
        self._j().put_client_health(record)

    def point_started(self, record: PointRecord) -> None:
        self._j().put_point(record)

    def point_update(self, record: PointRecord) -> None:
        """Journal the point's record as it stands (before its window is known, say)."""
        self._j().put_point(record)
        self.flush()

    def point_finished(self, record: PointRecord) -> None:
        self.point_update(record)

    def point_set_aside(self, pid: int, attempt_id: int) -> None:
        """Keep point ``pid`` as journaled so far under ``attempt_id`` (an attempt measured
        again: :meth:`~kperf_gui.session.journal.Journal.set_aside_point`)."""
        self._j().set_aside_point(pid, attempt_id)
        self.flush()

    def flush(self) -> None:
        """Wait until everything journaled so far is committed, so that what is read back (a
        point's window, its Summary row) is what was measured. :class:`JournalError` when the
        journal's writer failed or stays behind for :data:`FLUSH_WAIT_S`."""
        j = self._j()
        if not j.flush(timeout=FLUSH_WAIT_S):
            raise JournalError(j.failure or (
                f"the journal did not take what was measured within {FLUSH_WAIT_S:g} s (is the "
                f"disk of {self.folder} full or very slow?)"))

    # --- reading back ------------------------------------------------------------------------

    def request_window(self, pid: int) -> tuple[int | None, int | None]:
        """The measurement window of a point from its journaled requests: first measured
        request sent to last measured request done (both None when none was measured)."""
        assert self._read is not None
        row = self._read.execute("SELECT MIN(sent_ns), MAX(done_ns) FROM requests WHERE "
                                 "point = ? AND warmup = 0", (pid,)).fetchone()
        return row[0], row[1]

    def summary_row(self, pid: int) -> SummaryRow:
        """The point's Summary row, computed from the journal as every export computes it."""
        assert self._read is not None
        return point_row(self._read, pid)
