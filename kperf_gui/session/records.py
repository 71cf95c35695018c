"""The journal's rows as typed records: each record's fields are its table's columns, in order,
and define the table and its INSERT. A new column is a new field (with a default, so rows of
older code still fit); readers of older journals take the columns a file has (see
:mod:`.journal_reader`).
"""
from __future__ import annotations

import dataclasses
import enum
import json
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from drivers.meters.base import ElementReading, Reading, Status

QUANTITIES: tuple[str, ...] = ("watts", "volts", "amps", "pf", "wh")
"""The quantities a meter reports per element, each with its own status."""

class RunStatus(enum.StrEnum):
    """How a run stands: the journal's ``status``, the ``finished`` event's."""

    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    ABORTED = "aborted"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """Found unfinished afterwards (the run was killed); set by the export."""


class PointStatus(enum.StrEnum):
    """How a point stands: the points table's ``status``."""

    RUNNING = "running"
    FINISHED = "finished"
    ABORTED = "aborted"
    INTERRUPTED = "interrupted"
    """The run ended before the point did; set by the export."""
    REPEATED = "repeated"
    """An attempt paused inside its measurement window and measured again after Resume; kept
    under an id of its own (:func:`attempt_id`)."""


REPEAT_ID_BASE = 1_000_000
"""Attempts measured again are journaled under ids below ``-REPEAT_ID_BASE``."""


def attempt_id(point: int, attempt: int) -> int:
    """The id a point's ``attempt``-th interrupted attempt (1, 2, ...) is kept under:
    ``-(1 000 000 x attempt + point)``, out of the ranging points' ``-point`` and the Summary's
    positive ids."""
    return -(REPEAT_ID_BASE * attempt + point)


_SQL = {int: "INTEGER", float: "REAL", str: "TEXT", bytes: "BLOB", bool: "INTEGER"}


class Record:
    """A row of one journal table; subclasses are dataclasses that set ``TABLE``."""

    TABLE: ClassVar[str] = ""
    KEY: ClassVar[str] = ""
    """The INTEGER PRIMARY KEY column, if any."""

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    @classmethod
    def create_sql(cls) -> str:
        """``CREATE TABLE`` for the record's table."""
        hints = typing.get_type_hints(cls)
        parts = []
        for name in cls.columns():
            hint = hints[name]
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            base = args[0] if args else hint
            sql = _SQL[base]
            nullable = type(None) in typing.get_args(hint)
            if name == cls.KEY:
                parts.append(f"{name} {sql} PRIMARY KEY")
            else:
                parts.append(f"{name} {sql}" + ("" if nullable else " NOT NULL"))
        return f"CREATE TABLE IF NOT EXISTS {cls.TABLE} ({', '.join(parts)})"

    @classmethod
    def insert_sql(cls, verb: str = "INSERT") -> str:
        cols = cls.columns()
        return f"{verb} INTO {cls.TABLE} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    def values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.columns())


@dataclass(frozen=True)
class ReadingRow(Record):
    """One element's values over one meter update. ``*_status`` is the meter's own state of each
    quantity (a :class:`~drivers.meters.base.Status` value; ``None`` where the meter says
    nothing); a missed update has no values, every status ``missing`` and a ``note`` saying
    why. ``t_ns`` is the centre of the interval ``[t0_ns, t1_ns]`` the values describe.
    ``voltage_range_v`` / ``current_range_a`` are the ranges the values were taken on, in volts
    and amperes (``None`` at auto range where the meter does not say which, or where not known),
    ``crest_factor`` the crest factor they belong to, and ``freq_hz`` the input frequency where
    the meter measures it: what each reading's accuracy is worked out from. ``ranges`` keeps the
    same ranges as the journal's text."""

    TABLE: ClassVar[str] = "readings"

    instrument: int
    element: int
    t_ns: int
    t0_ns: int
    t1_ns: int
    watts: float | None = None
    volts: float | None = None
    amps: float | None = None
    pf: float | None = None
    wh: float | None = None
    watts_status: str | None = None
    volts_status: str | None = None
    amps_status: str | None = None
    pf_status: str | None = None
    wh_status: str | None = None
    note: str | None = None
    ranges: str | None = None
    raw: bytes | None = None
    extra: str | None = None
    voltage_range_v: float | None = None
    current_range_a: float | None = None
    crest_factor: float | None = None
    freq_hz: float | None = None

    @classmethod
    def measured(cls, instrument: int, t_ns: int, t0_ns: int, t1_ns: int, reading: Reading,
                 er: ElementReading) -> ReadingRow:
        def status(q: str) -> str | None:
            s = er.status.get(q)
            return s.value if s is not None else None

        taken_on = reading.range_of(er.element)
        return cls(instrument, er.element, t_ns, t0_ns, t1_ns, er.watts, er.volts, er.amps,
                   er.pf, er.wh, status("watts"), status("volts"), status("amps"), status("pf"),
                   status("wh"), ranges=reading.ranges, raw=reading.raw,
                   extra=json.dumps(er.extra, sort_keys=True) if er.extra else None,
                   voltage_range_v=taken_on.voltage_v, current_range_a=taken_on.current_a,
                   crest_factor=taken_on.crest_factor, freq_hz=er.extra.get("freq_hz"))

    @classmethod
    def missing(cls, instrument: int, element: int, t_ns: int, t0_ns: int, t1_ns: int,
                note: str, raw: bytes = b"") -> ReadingRow:
        gone = Status.MISSING.value
        return cls(instrument, element, t_ns, t0_ns, t1_ns, watts_status=gone, volts_status=gone,
                   amps_status=gone, pf_status=gone, wh_status=gone, note=note, raw=raw)

    def status(self) -> dict[str, str]:
        """The quantities whose status is not OK, with that status."""
        out = {}
        for q in QUANTITIES:
            s = getattr(self, f"{q}_status")
            if s is not None and s != Status.OK.value:
                out[q] = s
        return out


def flags_text(note: str | None, status: dict[str, str]) -> str:
    """The Power sheet's ``flags`` cell: why an update is missing, else every quantity that is
    not OK as ``quantity:status``, comma-separated, quantities in name order."""
    if note:
        return note
    return ",".join(f"{q}:{status[q]}" for q in sorted(status))


@dataclass(frozen=True)
class InstrumentRecord(Record):
    """An instrument (or software channel) of the session, with its witness record."""

    TABLE: ClassVar[str] = "instruments"
    KEY: ClassVar[str] = "id"

    id: int
    channel: str
    driver: str
    resource: str | None
    role: str
    elements: str | None
    rate_hz: float | None
    maker: str | None
    model: str | None
    serial: str | None
    firmware: str | None
    calibration_due: str | None
    identity_raw: str | None
    config: str | None


@dataclass(frozen=True)
class PointRecord(Record):
    """A sweep point as journaled: written when it starts and again when it ends. Ranging points
    have negative ids (``-point``); an attempt paused inside its measurement window, and so
    measured again, is kept with status ``repeated`` under :func:`attempt_id`."""

    TABLE: ClassVar[str] = "points"
    KEY: ClassVar[str] = "id"

    id: int
    precision: str | None
    input_tokens: int | None
    output_tokens: int | None
    concurrency: int | None
    model: str | None
    unit: str | None
    started_ns: int | None
    window_start_ns: int | None = None
    window_end_ns: int | None = None
    finished_ns: int | None = None
    status: str | None = None
    note: str | None = None
    truth: str | None = None
    vendor: str | None = None


@dataclass(frozen=True)
class RequestRecord(Record):
    """One request (or inference) of a point; ``id`` is given by the journal."""

    TABLE: ClassVar[str] = "requests"
    KEY: ClassVar[str] = "id"

    id: int | None
    point: int
    seq: int
    warmup: int
    sent_ns: int
    first_ns: int | None
    last_ns: int | None
    done_ns: int | None
    ok: int
    error: str | None
    http_status: int | None
    input_tokens_requested: int | None
    input_tokens_actual: int | None
    output_tokens_requested: int | None
    output_tokens: int | None
    output_tokens_source: str | None
    chunks: int | None
    extra: str | None
    prompt_length: str | None = None
    """How the prompt's length was set: exact by a local tokenizer.json, exact by the server's
    /tokenize before the point, or calibrated (:mod:`kperf_gui.run.prompts`); None where a
    request has no prompt (on-device)."""


@dataclass(frozen=True)
class ClientHealthRecord(Record):
    """The load client's health over one point's measured load, one row per load process
    (``worker`` 0 is the run's own process when the load runs there, else worker processes
    1..N): its event loop's lateness against a ``probe_ms`` timer (``samples`` of them;
    p50/p99/max in ms, empty when nothing was probed), its process's CPU seconds over
    ``window_s`` and as % of one core, the plan's ``lag_limit_ms`` (``sweep.max_client_lag_ms``)
    the point was judged by, and a ``note`` (a worker that died, say)."""

    TABLE: ClassVar[str] = "client_health"

    point: int
    worker: int
    process: int
    users: int
    probe_ms: float
    samples: int
    lag_p50_ms: float | None
    lag_p99_ms: float | None
    lag_max_ms: float | None
    window_s: float
    cpu_s: float
    cpu_pct: float | None
    lag_limit_ms: float
    note: str | None = None


RECORDS: tuple[type[Record], ...] = (InstrumentRecord, PointRecord, RequestRecord, ReadingRow,
                                     ClientHealthRecord)
