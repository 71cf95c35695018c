"""Meter polling: each meter in its own thread, one reading per update, stamped on the one clock
at the centre of the interval it covers. A missed update is journaled as missing, never caught
up. A lost meter is journaled and, as the plan says, the run goes on or stops.

:class:`Channel` is one instrument (or software channel) of a run; its :attr:`Channel.label` is
the name the journal, the workbook and the live view give it."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from drivers.meters import registry
from drivers.meters.base import (Identity, Meter, MeterConfig, MeterError, MeterProtocolError,
                                 MeterTimeout, Reading)
from kperf_gui.clock import Clock
from kperf_gui.session.plan import MeterSpec
from kperf_gui.session.records import ReadingRow


class MeterSetupError(Exception):
    """A meter could not be opened, identified or configured before the run."""


@dataclass
class Channel:
    """One instrument of a run, with what the poller learned."""

    id: int
    spec: MeterSpec
    meter: Meter
    identity: Identity | None = None
    lost: bool = False
    last_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Held while the meter is read or reconfigured, so the two never interleave."""

    @property
    def label(self) -> str:
        """``driver#id``: the channel's name everywhere (journal, workbook, live view, log)."""
        return f"{self.spec.driver}#{self.id}"

    @property
    def wall(self) -> bool:
        return self.spec.role == "wall"


def open_meter(spec: MeterSpec, index: int, resource: str | None = None) -> Channel:
    """Open, identify and configure one meter; :class:`MeterSetupError` with a plain sentence."""
    try:
        cls = registry.get(spec.driver)
    except KeyError as exc:
        raise MeterSetupError(f"meters[{index}].driver: {exc.args[0]}") from None
    except ImportError as exc:
        raise MeterSetupError(f"meters[{index}].driver: the {spec.driver} driver cannot be "
                              f"loaded ({exc}).") from None
    where = spec.resource or spec.driver
    try:
        meter = cls(resource if resource is not None else spec.resource, **spec.options)
    except TypeError as exc:
        raise MeterSetupError(f"meters[{index}].options: the {spec.driver} driver does not take "
                              f"these options ({exc}).") from None
    except MeterError as exc:
        raise MeterSetupError(f"meters[{index}] ({spec.driver} at {where}): {exc}") from None
    try:
        meter.open()
        ident = meter.identify()
        meter.configure(MeterConfig(elements=spec.elements, rate_hz=spec.rate_hz,
                                    voltage_range=spec.voltage_range,
                                    current_range=spec.current_range, options=dict(spec.options)))
    except MeterError as exc:
        try:
            meter.close()
        except Exception:  # noqa: BLE001 - already failing; report the first error
            pass
        raise MeterSetupError(f"meters[{index}] ({spec.driver} at {where}) did not answer "
                              f"correctly: {exc}") from None
    return Channel(id=index + 1, spec=spec, meter=meter, identity=ident)


@dataclass(frozen=True)
class Update:
    """One meter update, or one that was missed (``reading`` None, ``note`` saying why), over
    ``[t0_ns, t1_ns]`` stamped at ``t_ns``, on the session clock."""

    channel: Channel
    t_ns: int
    t0_ns: int
    t1_ns: int
    reading: Reading | None
    note: str = ""
    raw: bytes = b""

    def rows(self) -> list[ReadingRow]:
        """The update as journal rows, one per element."""
        ch = self.channel
        if self.reading is None:
            return [ReadingRow.missing(ch.id, el, self.t_ns, self.t0_ns, self.t1_ns, self.note,
                                       self.raw) for el in ch.spec.elements]
        return [ReadingRow.measured(ch.id, self.t_ns, self.t0_ns, self.t1_ns, self.reading, er)
                for er in self.reading.elements]


class Poller(threading.Thread):
    """Reads one meter until stopped; hands each update to ``sink``. A timeout or a garbage
    answer is one missing update (the garbage journaled raw); a lost connection is reported to
    ``on_lost`` and reopened every ``retry_s`` seconds. :meth:`run` may be called in the
    caller's own thread (tests)."""

    def __init__(self, ch: Channel, clock: Clock, sink: Callable[[Update], None],
                 on_lost: Callable[[Channel, str], None], retry_s: float = 2.0):
        super().__init__(name=f"meter-{ch.label}", daemon=True)
        self.ch = ch
        self.clock = clock
        self.sink = sink
        self.on_lost = on_lost
        self.retry_s = retry_s
        self.halt = threading.Event()

    def _missing(self, period_ns: int, note: str, raw: bytes = b"") -> int:
        now = self.clock.now()
        self.sink(Update(self.ch, now - period_ns // 2, now - period_ns, now, None, note, raw))
        return now

    def run(self) -> None:
        period_ns = int(self.ch.meter.update_period_s * 1e9)
        last_end: int | None = None
        while not self.halt.is_set():
            try:
                with self.ch.lock:
                    reading = self.ch.meter.read()
            except MeterTimeout as exc:
                last_end = self._missing(period_ns, f"missing: {exc}")
                continue
            except MeterProtocolError as exc:
                last_end = self._missing(period_ns, f"garbage: {exc}", exc.raw)
                continue
            except MeterError as exc:  # disconnected, or unavailable mid-run
                self.ch.lost = True
                self.ch.last_error = str(exc)
                self.on_lost(self.ch, str(exc))
                if not self._reconnect():
                    return
                last_end = None
                continue
            except Exception as exc:  # noqa: BLE001 - a driver bug must not end the run silently
                self.ch.lost = True
                self.ch.last_error = f"driver failure: {exc!r}"
                self.on_lost(self.ch, self.ch.last_error)
                return
            end = (self.clock.from_raw(reading.end_raw_ns) if reading.end_raw_ns is not None
                   else self.clock.now())
            start = end - period_ns
            if last_end is not None and start - last_end > period_ns // 2:
                # one or more updates were missed between the last reading and this one
                missed = round((start - last_end) / period_ns)
                for k in range(missed):
                    t1 = last_end + (k + 1) * period_ns
                    self.sink(Update(self.ch, t1 - period_ns // 2, t1 - period_ns, t1, None,
                                     "missing: update missed"))
            self.sink(Update(self.ch, (start + end) // 2, start, end, reading, "", reading.raw))
            last_end = end

    def _reconnect(self) -> bool:
        """Try to reopen a lost meter every few seconds until stopped."""
        while not self.halt.wait(self.retry_s):
            try:
                self.ch.meter.close()
            except Exception:  # noqa: BLE001
                pass
            try:
                with self.ch.lock:
                    self.ch.meter.open()
                    self.ch.meter.configure(self.ch.meter.config)
                self.ch.lost = False
                return True
            except Exception:  # noqa: BLE001 - keep trying until the run ends
                continue
        return False

    def stop(self) -> None:
        self.halt.set()


class MeterBank:
    """The run's meters while measuring: a poller each, the end of each one's latest update, and
    the losses of each point. ``sink`` is given every update; ``log(level, message)`` says what
    was lost; a meter with ``on_loss = "stop"`` that is lost sets ``abort``."""

    def __init__(self, channels: list[Channel], clock: Clock, sink: Callable[[Update], None],
                 log: Callable[[str, str], None], abort: threading.Event):
        self.channels = channels
        self.clock = clock
        self.sink = sink
        self.log = log
        self.abort = abort
        self.point = 0
        """The point in progress, whose record a loss is noted in."""
        self.pollers: list[Poller] = []
        self._last_end: dict[int, int] = {}
        self._losses: dict[int, list[str]] = {}

    def start(self) -> None:
        for ch in self.channels:
            p = Poller(ch, self.clock, self._update, self._lost)
            self.pollers.append(p)
            p.start()

    def stop(self) -> None:
        for p in self.pollers:
            p.stop()
        for p in self.pollers:
            p.join(timeout=5)
        self.pollers.clear()

    def losses(self, point: int) -> list[str]:
        """The losses noted in ``point`` (once: they are handed over)."""
        return self._losses.pop(point, [])

    def _update(self, update: Update) -> None:
        self._last_end[update.channel.id] = update.t1_ns
        self.sink(update)

    def _lost(self, ch: Channel, message: str) -> None:
        self._losses.setdefault(self.point, []).append(f"{ch.label} lost: {message}")
        self.log("error", f"Meter {ch.spec.driver} at {ch.meter.resource or '-'} stopped "
                 f"answering: {message}. "
                 + ("The run stops, as the plan asks (meters.on_loss = 'stop')."
                    if ch.spec.on_loss == "stop" else
                    "Readings are missing until it answers again; the affected points are "
                    "marked invalid. Check its cable and power."))
        if ch.spec.on_loss == "stop":
            self.abort.set()

    def await_past(self, end_ns: int) -> None:
        """Wait until every working meter has reported an update centred after ``end_ns``, so
        a point's energy can be interpolated at its window's end (a meter reports an interval
        only once it is over); at most three of the slowest update periods and a second."""
        def behind() -> bool:
            return any(not c.lost and self._last_end.get(c.id, 0)
                       - c.meter.update_period_s * 0.5e9 < end_ns for c in self.channels)

        longest = max((c.meter.update_period_s for c in self.channels), default=0.0)
        deadline = time.monotonic() + 3 * longest + 1.0
        while behind() and time.monotonic() < deadline and not self.abort.is_set():
            time.sleep(0.01)


def fix_ranges(ch: Channel, max_volts: float | None, max_amps: float | None) -> MeterConfig:
    """After a ranging pass: fixed ranges, voltage at the highest seen and current at 1.1 x the
    highest seen (the driver picks the nearest range of the instrument that holds it)."""
    cfg = ch.meter.config
    new = MeterConfig(elements=cfg.elements, rate_hz=cfg.rate_hz,
                      voltage_range=max_volts if max_volts else None,
                      current_range=1.1 * max_amps if max_amps else None, options=cfg.options)
    with ch.lock:
        ch.meter.configure(new)
    return ch.meter.config
