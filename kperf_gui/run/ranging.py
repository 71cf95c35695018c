"""The ranging pass (``meters[].ranging = "pass"``), as MLPerf Power does it: the sweep runs once
with the meters at auto range while the highest volts and amps each such meter reads are kept;
then each is set to fixed ranges from them (:func:`~kperf_gui.run.meters.fix_ranges`: voltage at
the highest seen, current at 1.1 x the highest seen, each the smallest range of the meter's own
table that holds it) for the measured sweep. Where that cannot be done (no range holds the value,
or the meter refuses), the outcome says why and the coordinator stops before the testing pass:
its figures would otherwise pass for figures on fixed ranges."""
from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from drivers.meters.base import MeterConfig

from kperf_gui.session.plan import SweepPoint

from .meters import Channel, RangeChoiceError, Update, fix_ranges


@dataclass(frozen=True)
class RangeOutcome:
    """What one meter was set to after the pass, or why it could not be."""

    channel: Channel
    volts: float | None
    amps: float | None
    config: MeterConfig | None
    error: str = ""


class RangingPass:
    """Keeps the highest readings of the ranging meters while :attr:`active`."""

    def __init__(self, channels: list[Channel]):
        self.channels = [c for c in channels if c.spec.ranging == "pass"]
        self.active = False
        self._seen: dict[int, tuple[float | None, float | None]] = {}
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
            volts, amps = self._seen.get(update.channel.id, (None, None))
            for er in update.reading.elements:
                if er.volts is not None and math.isfinite(er.volts):
                    volts = max(volts or 0.0, abs(er.volts))
                if er.amps is not None and math.isfinite(er.amps):
                    amps = max(amps or 0.0, abs(er.amps))
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
        """Set every ranging meter to fixed ranges from what it read; an outcome without a
        configuration says why it could not be done."""
        out = []
        for ch in self.channels:
            volts, amps = self._seen.get(ch.id, (None, None))
            try:
                cfg = fix_ranges(ch, volts, amps)
            except RangeChoiceError as exc:
                out.append(RangeOutcome(ch, volts, amps, None, str(exc)))
                continue
            except Exception as exc:  # noqa: BLE001 - the testing pass cannot be trusted then
                out.append(RangeOutcome(ch, volts, amps, None, f"the driver failed ({exc!r})"))
                continue
            out.append(RangeOutcome(ch, volts, amps, cfg))
        return out
