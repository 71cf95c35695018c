"""The ranging pass (``meters[].ranging = "pass"``), as MLPerf Power does it: the sweep runs once
with the meters at auto range while the highest volts and amps each such meter reads are kept;
then each is set to fixed ranges from them (:func:`~kperf_gui.run.meters.fix_ranges`) for the
measured sweep."""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drivers.meters.base import MeterConfig

from kperf_gui.session.plan import SweepPoint

from .meters import Channel, Update, fix_ranges


@dataclass(frozen=True)
class RangeOutcome:
    """What one meter was set to after the pass, or why it could not be."""

    channel: Channel
    volts: float
    amps: float
    config: MeterConfig | None
    error: str = ""


class RangingPass:
    """Keeps the highest readings of the ranging meters while :attr:`active`."""

    def __init__(self, channels: list[Channel]):
        self.channels = [c for c in channels if c.spec.ranging == "pass"]
        self.active = False
        self._seen: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def wanted(self) -> bool:
        """Whether any meter asks for a ranging pass."""
        return bool(self.channels)

    def observe(self, update: Update) -> None:
        """Keep the highest volts and amps of a ranging meter's update during the pass."""
        if not self.active or update.reading is None or update.channel not in self.channels:
            return
        with self._lock:
            volts, amps = self._seen.get(update.channel.id, (0.0, 0.0))
            for er in update.reading.elements:
                volts = max(volts, abs(er.volts or 0.0))
                amps = max(amps, abs(er.amps or 0.0))
            self._seen[update.channel.id] = (volts, amps)

    def sweep(self, points: Sequence[SweepPoint], run_point: Callable[[SweepPoint], object],
              ended: Callable[[], bool]) -> bool:
        """Run the points of the first precision once at auto range (switching the server twice
        per precision is not asked of the operator), keeping the highest readings; False when
        the operator ended the run meanwhile."""
        self.active = True
        try:
            first = points[0].precision if points else ""
            for pt in points:
                if ended():
                    return False
                if pt.precision != first:
                    break
                run_point(pt)
        finally:
            self.active = False
        return True

    def fix(self) -> list[RangeOutcome]:
        """Set every ranging meter to fixed ranges from what it read."""
        out = []
        for ch in self.channels:
            volts, amps = self._seen.get(ch.id, (0.0, 0.0))
            try:
                cfg = fix_ranges(ch, volts or None, amps or None)
            except Exception as exc:  # noqa: BLE001 - the testing pass cannot be trusted then
                out.append(RangeOutcome(ch, volts, amps, None, str(exc)))
                continue
            out.append(RangeOutcome(ch, volts, amps, cfg))
        return out
