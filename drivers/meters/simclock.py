"""The clock of a simulated instrument.

pyvisa-sim answers from a YAML description and has no notion of time: a simulated meter whose
status register always says "update finished" would be read as fast as it is asked (17,000
reads/s for a WT310E), which is not what a lab gets on the bench. :class:`PacedTransport` is the
SCPI transport of such a simulated meter: it passes every command to pyvisa-sim unchanged,
except the make's update-signal query, whose update bit it sets once per update period of the
meter's own clock (the period the driver set and read back), as the instrument does. Other bits
of the simulated reply are passed on. The first query after a change of period starts the clock
(configure reads the register once to clear it), so the first update comes one period later.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from .scpi import ScpiTransport


class PacedTransport(ScpiTransport):
    """A :class:`ScpiTransport` whose ``update_query`` reply carries ``update_bit`` once per
    ``period_s()`` seconds. ``clock`` is the time source (``time.monotonic`` when not given)."""

    def __init__(self, resource: str, *, update_query: str, update_bit: int,
                 period_s: Callable[[], float], clock: Callable[[], float] | None = None,
                 **settings: Any):
        super().__init__(resource, **settings)
        self.update_query = update_query
        self.update_bit = update_bit
        self._period_s = period_s
        self._clock = clock
        self._origin: float | None = None
        self._period: float | None = None
        self._last = 0

    def query_raw(self, command: str) -> bytes:
        reply = super().query_raw(command)
        if command != self.update_query:
            return reply
        try:
            simulated = int(reply.decode("ascii", errors="replace").strip())
        except ValueError:
            return reply  # the driver names a reply that is not a number
        bits = simulated & ~self.update_bit
        if self._due():
            bits |= self.update_bit
        return str(bits).encode("ascii")

    def _due(self) -> bool:
        """Whether an update finished since the last time this said so."""
        now = self._clock() if self._clock is not None else time.monotonic()
        period = self._period_s()
        if self._origin is None or period != self._period:
            self._origin, self._period, self._last = now, period, 0
            return False
        count = int((now - self._origin) // period)
        if count > self._last:
            self._last = count
            return True
        return False
