"""The fixed polling schedule every software power channel shares.

A software source has no update of its own to wait for, so the channel makes one: poll ``k`` falls
at ``start + k * period`` from :meth:`PolledChannel.configure`, never drifting. :meth:`read`
waits for the next boundary not yet passed and polls there; a boundary passed while the previous
poll was still running (a slow tool) is skipped, never caught up. Each poll gives one
:class:`~drivers.meters.base.Reading` with one element per configured device (element = device
index + 1), and ``end_raw_ns`` = the moment of the poll on ``time.perf_counter_ns()``: the
midpoint of the query, since the source sampled somewhere inside it.
"""
from __future__ import annotations

import abc
import time
from dataclasses import replace
from typing import Any, ClassVar

from ..base import Meter, MeterConfig, MeterProtocolError, MeterUnavailable, Reading


def midpoint(before_ns: int, after_ns: int) -> int:
    """The poll time of a query that ran from ``before_ns`` to ``after_ns``."""
    return (before_ns + after_ns) // 2


class PolledChannel(Meter):
    """A software source polled on a fixed schedule. Subclasses give :meth:`devices` and
    :meth:`poll`, and may lower :attr:`MAX_RATE_HZ`."""

    default_role = "auxiliary"
    needs_resource = False
    #: The fastest the source is polled; a faster ``rate_hz`` is lowered to it.
    MAX_RATE_HZ: ClassVar[float] = 100.0

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._start_ns = 0
        self._period_ns = 0
        self._k = 0  # index of the last boundary polled

    def option(self, key: str, default: Any) -> Any:
        """A driver option: from the configuration in effect, else the constructor, else
        ``default``."""
        return self.config.options.get(key, self.options.get(key, default))

    @abc.abstractmethod
    def devices(self) -> tuple[int, ...]:
        """Element numbers of the devices the source sees (device index + 1); opens if needed."""

    @abc.abstractmethod
    def poll(self) -> Reading:
        """Query the source once for the configured elements."""

    def max_rate_hz(self) -> float:
        """The fastest rate this source allows now."""
        return self.MAX_RATE_HZ

    def configure(self, config: MeterConfig) -> None:
        if not config.rate_hz > 0:
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {config.rate_hz}).")
        present = self.devices()
        elements = tuple(dict.fromkeys(int(element) for element in config.elements))
        missing = [element for element in elements if element not in present]
        if not elements or missing:
            raise MeterUnavailable(
                f"The {self.name} channel sees devices as elements "
                f"{', '.join(map(str, present)) or '(none)'}; element "
                f"{', '.join(map(str, missing)) or '(none)'} cannot be read. Set meters[].element "
                f"to elements it has (element = device index + 1)."
            )
        rate = min(float(config.rate_hz), self.max_rate_hz())
        self.config = replace(config, elements=elements, rate_hz=rate)
        self._period_ns = round(1e9 / rate)
        self._start_ns = time.perf_counter_ns()
        self._k = 0

    @property
    def update_period_s(self) -> float:
        return self._period_ns / 1e9 if self._period_ns else super().update_period_s

    def read(self) -> Reading:
        if not self._period_ns:
            raise MeterProtocolError(
                f"The {self.name} channel must be configured before it is read.")
        start, period = self._start_ns, self._period_ns
        now = time.perf_counter_ns()
        k = max(self._k + 1, -(-(now - start) // period))
        boundary = start + k * period
        while (now := time.perf_counter_ns()) < boundary:
            time.sleep((boundary - now) / 1e9)
        self._k = k
        return self.poll()
