"""Pacing for meters that cannot signal their own updates: a fixed poll schedule, and a poller
that keeps one reply per update of a meter that updates at a known interval."""
from __future__ import annotations

import math
import time
from typing import Callable


class FixedSchedule:
    """Poll slots every ``period_s`` seconds from the first one; slots already passed are skipped,
    never caught up."""

    def __init__(self, period_s: float):
        self.period_s = period_s
        self._next: float | None = None

    def wait(self) -> None:
        """Sleep until the next slot (the first slot is now)."""
        now = time.perf_counter()
        if self._next is None:
            self._next = now
        elif now > self._next + self.period_s:
            self._next += math.floor((now - self._next) / self.period_s) * self.period_s
        if self._next > now:
            time.sleep(self._next - now)
        self._next += self.period_s


class UpdatePoller:
    """Polls a query at twice an update rate and keeps one reply per update.

    ``query`` sends the query and returns the raw reply. :meth:`next_update` returns the reply of
    the next update and the end of its interval in ``perf_counter_ns``.
    """

    def __init__(self, query: Callable[[], bytes], period_s: float):
        self._query = query
        self._period_ns = int(period_s * 1e9)
        self._half_s = period_s / 2
        self._next_poll = 0.0
        self._last_sent_ns: int | None = None
        self._kept_raw: bytes | None = None
        self._kept_ns: int | None = None

    def next_update(self) -> tuple[bytes, int]:
        """Block until a reply of an update not yet kept; return it and its interval's end."""
        while True:
            delay = self._next_poll - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            sent_ns = time.perf_counter_ns()
            raw = self._query()
            got_ns = time.perf_counter_ns()
            self._next_poll = time.monotonic() + self._half_s
            previous_ns, self._last_sent_ns = self._last_sent_ns, sent_ns
            changed = raw != self._kept_raw
            waited = self._kept_ns is not None and got_ns - self._kept_ns >= self._period_ns
            if changed or waited:
                self._kept_raw, self._kept_ns = raw, got_ns
                start_ns = previous_ns if previous_ns is not None else sent_ns
                return raw, (start_ns + got_ns) // 2
