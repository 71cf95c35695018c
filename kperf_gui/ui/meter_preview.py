"""A meter's identity and live reading before a run, polled in a thread of its own.

The thread opens, identifies and configures the instrument, then reads until asked to stop, and
always closes it: the app lets go of every instrument before a run starts. The simulated meter
with no resource gets a simulator of its own for the preview.

Whatever the instrument does, the window stays responsive: the thread reads at most once per
update period of the meter (and never faster than :data:`MAX_RATE_HZ`, what a person can read),
sleeping between reads so that an instrument that answers at once cannot hold the interpreter,
and hands over only the latest reading: a reading the window has not yet shown is replaced, not
queued, so at most one hand-over waits in the event loop at any time.
"""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QThread, Signal

from drivers.meters import registry
from drivers.meters.base import Meter, MeterConfig, MeterError, Reading

MAX_RATE_HZ = 10.0
"""The preview shows at most this many readings a second, whatever the meter's update rate."""


class LatestReading:
    """One slot between the reading thread and the window: :meth:`put` replaces what is there
    and says whether the window must be told (only when the slot was empty); :meth:`take`
    empties it. Counts what was put and what was dropped unseen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reading: Reading | None = None
        self.put_count = 0
        self.dropped = 0

    def put(self, reading: Reading) -> bool:
        with self._lock:
            self.put_count += 1
            was_empty = self._reading is None
            if not was_empty:
                self.dropped += 1
            self._reading = reading
            return was_empty

    def take(self) -> Reading | None:
        with self._lock:
            reading, self._reading = self._reading, None
            return reading


def preview_period_s(meter: Meter) -> float:
    """Seconds between two reads of the preview: the meter's update period, at least
    1 / :data:`MAX_RATE_HZ`. A driver whose period cannot be read is read at the cap."""
    try:
        period = float(meter.update_period_s)
    except (ArithmeticError, TypeError, ValueError, AttributeError):
        period = 0.0
    if not period > 0:  # also NaN
        period = 0.0
    return max(period, 1.0 / MAX_RATE_HZ)


class MeterPreview(QThread):
    """Signals: ``identified(Identity)``, ``reading_ready()`` (take it with :meth:`take`),
    ``failed(str)``."""

    identified = Signal(object)
    reading_ready = Signal()
    failed = Signal(str)

    def __init__(self, driver: str, resource: str, elements: tuple[int, ...], rate_hz: float,
                 parent: QObject | None = None, options: dict | None = None):
        super().__init__(parent)
        self.driver = driver
        self.resource = resource
        self.options = dict(options or {})
        self.config = MeterConfig(elements=elements, rate_hz=rate_hz)
        self.latest = LatestReading()
        self.period_s = 1.0 / MAX_RATE_HZ
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the thread to let go of the instrument; ``finished`` follows."""
        self._stop.set()

    def take(self) -> Reading | None:
        """The newest reading not yet shown (None when there is none)."""
        return self.latest.take()

    def run(self) -> None:
        sim = None
        meter: Meter | None = None
        try:
            cls = registry.get(self.driver)
            resource = self.resource
            if self.driver == "simulated" and not resource:
                from kperf_gui.sim.process import start_sim_server

                sim = start_sim_server()
                resource = sim.root_url
            if self._stop.is_set():
                return
            meter = cls(resource, **self.options)
            meter.open()
            self.identified.emit(meter.identify())
            meter.configure(self.config)
            self.period_s = preview_period_s(meter)
            self._read_paced(meter)
        except MeterError as exc:
            self.failed.emit(str(exc))
        except KeyError as exc:
            self.failed.emit(str(exc.args[0]))
        except Exception as exc:  # noqa: BLE001 - a driver's own failure, said in one line
            self.failed.emit(self.tr("The {0} driver failed: {1}").format(self.driver, exc))
        finally:
            if meter is not None:
                try:
                    meter.close()
                except Exception:  # noqa: BLE001 - closing after a failure: the first error counts
                    pass
            if sim is not None:
                sim.stop()

    def _read_paced(self, meter: Meter) -> None:
        """Read once per period until stopped; a read that came back early waits out the rest
        of its period (asleep, so the window's thread runs), a late one is not caught up."""
        next_at = time.monotonic()
        while not self._stop.is_set():
            reading = meter.read()
            if self.latest.put(reading):
                self.reading_ready.emit()
            next_at = max(next_at + self.period_s, time.monotonic())
            self._stop.wait(max(0.0, next_at - time.monotonic()))
