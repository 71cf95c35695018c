"""The run's event stream: one JSON object per line on standard output (``kperf run --events``).

The desktop app starts a run as a child process and reads these; a script can too. Every event
has ``"event"`` (its kind) and ``"t"`` (seconds since the session anchor). Kinds and fields:

- ``session``: ``dir``, ``name``, ``points`` (number of sweep points), ``unit`` (token|inference),
  ``meters`` (list of {name, driver, role, identity})
- ``phase``: ``phase`` = ``idle_baseline`` | ``ranging`` | ``warmup`` | ``measuring`` |
  ``paused`` | ``resumed`` | ``waiting`` (and ``point`` where it applies)
- ``point_started``: ``point`` (1-based), ``of``, ``precision``, ``input_tokens``,
  ``output_tokens``, ``concurrency``, ``model``
- ``power``: one per meter update of the summed wall power: ``w`` (watts or null), ``t0``, ``t1``
  (the interval it covers), ``point`` (0 = between points), ``channels`` ({channel: watts})
- ``tokens``: output tokens arrived in one interval: ``t0``, ``t1``, ``tokens``, ``per_s``,
  ``point``
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
from typing import Any, TextIO

from drivers.redact import redact_text

KINDS = (
    "session", "phase", "point_started", "power", "tokens", "progress", "point_finished",
    "operator_action", "log", "finished",
)
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


def encode(kind: str, **fields: Any) -> str:
    """One event as a JSON line (NaN and infinities become null)."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    return json.dumps({"event": kind, **_clean(fields)}, ensure_ascii=False, allow_nan=False)


def decode(line: str) -> dict[str, Any] | None:
    """Parse one line of the stream; ``None`` for a line that is not an event."""
    try:
        obj = json.loads(line)
    except (ValueError, TypeError):
        return None
    if not isinstance(obj, dict) or obj.get("event") not in KINDS:
        return None
    return obj


class EventSink:
    """Writes events to a stream from any thread."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream if stream is not None else sys.stdout
        self._lock = threading.Lock()

    def emit(self, kind: str, **fields: Any) -> None:
        line = redact_text(encode(kind, **fields))  # no URL's credentials reach the reader
        with self._lock:
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # the reader is gone: the run goes on and the journal keeps everything
