"""The one clock of a session.

Every stored time is integer nanoseconds of ``time.perf_counter_ns()`` since the session's anchor,
which is taken once, together with the UTC wall time, when the session starts. On Linux and Windows
``perf_counter_ns`` is a system-wide monotonic clock, so a child process (the simulated endpoint)
stamps times on the same scale and only the anchor has to be subtracted.
"""
from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Clock:
    """A monotonic clock anchored to UTC."""

    anchor_ns: int = field(default_factory=time.perf_counter_ns)
    anchor_utc: _dt.datetime = field(
        default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    )

    def now(self) -> int:
        """Nanoseconds since the anchor."""
        return time.perf_counter_ns() - self.anchor_ns

    def from_raw(self, raw_ns: int) -> int:
        """Convert a raw ``perf_counter_ns`` value (from any process) to session time."""
        return raw_ns - self.anchor_ns

    def utc(self, t_ns: int) -> _dt.datetime:
        """The UTC wall time of a session time."""
        return self.anchor_utc + _dt.timedelta(microseconds=t_ns // 1000)
