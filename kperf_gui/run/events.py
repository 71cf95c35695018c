"""The run's event stream: one JSON object per line on standard output (``kperf run --events``).

The desktop app starts a run as a child process and reads these; a script can too. Every event
has ``"event"`` (its kind) and ``"t"`` (seconds since the session anchor, when it was sent). Each
kind is a :class:`~typing.TypedDict` below, the one definition the run writes and the app reads:

- ``session``: ``dir``, ``name``, ``points`` (number of sweep points), ``unit`` (token|inference),
  ``meters`` (list of {name, driver, role, identity})
- ``phase``: ``phase`` = ``idle_baseline`` | ``ranging`` | ``warmup`` | ``measuring`` |
  ``paused`` | ``resumed`` | ``waiting`` (and ``point`` where it applies)
- ``point_started``: ``point`` (1-based), ``of``, ``precision``, ``input_tokens``,
  ``output_tokens``, ``concurrency``, ``model``, ``ranging``
- ``interval``: one per update of the wall meters' time base (the fastest wall meter), computed
  as the workbook computes it (:mod:`kperf_gui.measure.power`): ``t_s`` (the update's centre),
  ``t0_s``/``t1_s`` (the interval, one update period of the fastest wall meter), ``watts`` (the
  summed wall power, or null), ``tokens_per_s`` (output tokens, or inferences, arriving in the
  interval per second), ``channels`` ({channel element: watts on the time base}), ``point`` (the
  point in progress, 0 between points), ``final`` (false only for an interval sent before all of
  its data was in: see :mod:`kperf_gui.run.live`)
- ``progress``: ``point``, ``of``, ``done``, ``total`` (requests, or seconds for a timed point),
  ``elapsed_s``, ``left_s`` (estimate for the sweep)
- ``point_finished``: ``point``, ``summary`` (that point's Summary row, CONTRACT.md columns)
- ``operator_action``: ``precision``, ``message``: the server must be switched; the run waits
  for ``continue`` on standard input
- ``log``: ``level`` (info|warning|error), ``message``
- ``finished``: ``status`` (finished|stopped|aborted|failed), ``exit_code``, ``dir``

Commands on standard input, one per line: ``pause``, ``resume``, ``stop`` (finish the point, then
stop), ``abort`` (stop now; the point in progress is marked invalid), ``continue`` (after an
``operator_action``).
"""
from __future__ import annotations

import json
import math
import sys
import threading
from typing import Any, Literal, NotRequired, TextIO, TypedDict, Union, get_args, get_type_hints

from drivers.redact import redact_text
from kperf_gui.session.records import PointStatus, RunStatus

__all__ = ["PointStatus", "RunStatus"]  # the statuses events carry, defined with the journal


class MeterInfo(TypedDict):
    name: str
    driver: str
    role: str
    identity: dict[str, str] | None


class SessionEvent(TypedDict):
    event: Literal["session"]
    t: float
    dir: str
    name: str
    points: int
    unit: str
    meters: list[MeterInfo]


class PhaseEvent(TypedDict):
    event: Literal["phase"]
    t: float
    phase: str
    point: NotRequired[int]


class PointStartedEvent(TypedDict):
    event: Literal["point_started"]
    t: float
    point: int
    of: int
    precision: str
    input_tokens: int | None
    output_tokens: int | None
    concurrency: int
    model: str
    ranging: bool


class IntervalEvent(TypedDict):
    event: Literal["interval"]
    t: float
    t_s: float
    t0_s: float
    t1_s: float
    watts: float | None
    tokens_per_s: float
    channels: dict[str, float | None]
    point: int
    final: bool


class ProgressEvent(TypedDict):
    event: Literal["progress"]
    t: float
    point: int
    of: int
    done: float
    total: float
    elapsed_s: float
    left_s: float | None


class PointFinishedEvent(TypedDict):
    event: Literal["point_finished"]
    t: float
    point: int
    summary: dict[str, Any]


class OperatorActionEvent(TypedDict):
    event: Literal["operator_action"]
    t: float
    precision: str
    message: str


class LogEvent(TypedDict):
    event: Literal["log"]
    t: float
    level: str
    message: str


class FinishedEvent(TypedDict):
    event: Literal["finished"]
    t: float
    status: str
    exit_code: int
    dir: str


Event = Union[SessionEvent, PhaseEvent, PointStartedEvent, IntervalEvent, ProgressEvent,
              PointFinishedEvent, OperatorActionEvent, LogEvent, FinishedEvent]

EVENT_TYPES: dict[str, type] = {get_args(get_type_hints(cls)["event"])[0]: cls
                                for cls in get_args(Event)}
"""Each event kind's TypedDict."""
KINDS: tuple[str, ...] = tuple(EVENT_TYPES)
COMMANDS = ("pause", "resume", "stop", "abort", "continue")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    return value


def encode(event: Event) -> str:
    """One event as a JSON line (NaN and infinities become null)."""
    if event.get("event") not in EVENT_TYPES:
        raise ValueError(f"unknown event kind {event.get('event')!r}")
    return json.dumps(_clean(event), ensure_ascii=False, allow_nan=False)


def decode(line: str) -> Event | None:
    """Parse one line of the stream; ``None`` for a line that is not an event."""
    try:
        obj = json.loads(line)
    except (ValueError, TypeError):
        return None
    if not isinstance(obj, dict) or obj.get("event") not in EVENT_TYPES:
        return None
    return obj  # type: ignore[return-value]


class EventSink:
    """Writes events to a stream from any thread."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream if stream is not None else sys.stdout
        self._lock = threading.Lock()

    def emit(self, event: Event) -> None:
        line = redact_text(encode(event))  # no URL's credentials reach the reader
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # the reader is gone: the run goes on and the journal keeps everything
