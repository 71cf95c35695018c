"""Meter polling: each meter in its own thread, one reading per update, stamped on the one clock
at the centre of the interval it covers. A missed update is journaled as missing, never caught
up. A lost meter is journaled and, as the plan says, the run goes on or stops.

:class:`Channel` is one instrument (or software channel) of a run; its :attr:`Channel.label` is
the name the journal, the workbook and the live view give it."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from drivers.meters import registry
from drivers.meters.base import (Identity, Meter, MeterConfig, MeterError, MeterProtocolError,
                                 MeterTimeout, RangeKind, Reading)
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
    setup_notes: list[str] = field(default_factory=list)
    """What the meter's first configure did beyond what was asked (``meter.setup_notes``), kept
    until the journal is open."""

    @property
    def label(self) -> str:
        """``driver#id``: the channel's name everywhere (journal, workbook, live view, log)."""
        return f"{self.spec.driver}#{self.id}"

    @property
    def wall(self) -> bool:
        return self.spec.role == "wall"

    @property
    def model(self) -> str:
        """The instrument's model as it identified itself (the driver's name where it did
        not)."""
        return (self.identity.model if self.identity and self.identity.model
                else self.spec.driver)


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
        _let_go(meter)
        raise MeterSetupError(f"meters[{index}] ({spec.driver} at {where}) did not answer "
                              f"correctly: {exc}") from None
    ch = Channel(id=index + 1, spec=spec, meter=meter, identity=ident,
                 setup_notes=list(meter.setup_notes))
    if spec.ranging == "pass":
        missing = [kind for kind in ("voltage", "current")
                   if not all(meter.range_table(kind, el) for el in meter.config.elements)]
        if missing:
            _let_go(meter)
            raise MeterSetupError(
                f"meters[{index}].ranging: the {spec.driver} driver has no "
                f"{' or '.join(missing)} range table for the {ch.model}, so a ranging pass "
                f"cannot choose fixed ranges of the meter; set meters[{index}].voltage_range and "
                f"current_range to ranges of the meter (some drivers take the table as an "
                f"option, see README), or use ranging = 'auto'.")
    return ch


def _let_go(meter: Meter) -> None:
    try:
        meter.close()
    except Exception:  # noqa: BLE001 - already failing; report the first error
        pass


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
                 on_lost: Callable[[Channel, str], None], retry_s: float = 2.0,
                 on_reconnect: Callable[[Channel], None] | None = None):
        super().__init__(name=f"meter-{ch.label}", daemon=True)
        self.ch = ch
        self.clock = clock
        self.sink = sink
        self.on_lost = on_lost
        self.retry_s = retry_s
        self.on_reconnect = on_reconnect
        """Called with the channel's lock held once a lost meter is open and configured again."""
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
                    if self.on_reconnect is not None:
                        self.on_reconnect(self.ch)
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
        self.note: Callable[[Channel, str], None] = lambda ch, text: None
        """Told what a meter did for the journal: its setup notes after it is configured again,
        what its window hooks did."""
        self.in_window = False
        self._last_end: dict[int, int] = {}
        self._losses: dict[int, list[str]] = {}

    def start(self) -> None:
        for ch in self.channels:
            p = Poller(ch, self.clock, self._update, self._lost, on_reconnect=self._reconnected)
            self.pollers.append(p)
            p.start()

    # --- the measured window ----------------------------------------------------------------

    def before_window(self) -> None:
        """Call every meter's :meth:`~drivers.meters.base.Meter.before_window` (with its lock
        held, as its poller reads it meanwhile) and hand what each did to :attr:`note`."""
        self.in_window = True
        self._window_hook("before_window")

    def after_window(self) -> None:
        """Undo :meth:`before_window` on every meter (:meth:`~drivers.meters.base.Meter.after_window`)."""
        self.in_window = False
        self._window_hook("after_window")

    def _window_hook(self, name: str) -> None:
        for ch in self.channels:
            if not _overrides(ch.meter, name) or ch.lost:
                continue  # a driver that does nothing there is not waited for
            what = name.replace("_", " ")
            if not ch.lock.acquire(timeout=3 * ch.meter.update_period_s + 10.0):
                self.log("error", f"{ch.label}: {what} was not done: the meter stayed busy.")
                continue
            try:
                text = getattr(ch.meter, name)()
            except Exception as exc:  # noqa: BLE001 - the window's readings are judged anyway
                self.log("error", f"{ch.label}: {what} failed ({exc}); the window's readings are "
                         "checked for gaps as always.")
                continue
            finally:
                ch.lock.release()
            if text:
                self.note(ch, text)

    def _reconnected(self, ch: Channel) -> None:
        """A lost meter is configured again (its lock held): journal what that did, and prepare
        it for the window again if one is open."""
        for text in ch.meter.setup_notes:
            self.note(ch, text)
        if self.in_window and _overrides(ch.meter, "before_window"):
            text = ch.meter.before_window()
            if text:
                self.note(ch, text)

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


def _overrides(meter: Meter, name: str) -> bool:
    """Whether ``meter``'s driver does something of its own in hook ``name``."""
    return getattr(type(meter), name) is not getattr(Meter, name)


class RangeChoiceError(Exception):
    """The ranges a ranging pass asks for cannot be set: one plain sentence saying why."""


def fixed_ranges(ch: Channel, max_volts: float | None, max_amps: float | None
                 ) -> tuple[float, float]:
    """The fixed ranges a ranging pass sets, as MLPerf power chooses them: voltage at the
    highest seen, current at 1.1 x the highest seen, each the smallest range of the meter's own
    table that holds it (:meth:`~drivers.meters.base.Meter.range_for`; with several elements,
    the largest of their choices, as one range is set for all). ``None``: nothing of that
    quantity was read. :class:`RangeChoiceError` when the meter read none, the driver has no
    table, or no range of the table holds the value."""
    meter = ch.meter
    elements = meter.config.elements
    chosen: list[float] = []
    quantities: tuple[tuple[RangeKind, str, float | None, float], ...] = (
        ("voltage", "V", max_volts, 1.0), ("current", "A", max_amps, 1.1))
    for kind, unit, seen, factor in quantities:
        if seen is None:
            raise RangeChoiceError(f"{ch.label} read no {kind} during the ranging pass, so no "
                                   f"{kind} range can be chosen")
        value = factor * seen
        what = (f"{seen:g} {unit}, the highest seen" if factor == 1.0 else
                f"1.1 x {seen:g} {unit} = {value:.4g} {unit}")
        tables = [meter.range_table(kind, el) for el in elements]
        if not all(tables):
            raise RangeChoiceError(f"the {ch.spec.driver} driver has no {kind} range table for "
                                   f"the {ch.model}")
        fits = [meter.range_for(kind, value, el) for el in elements]
        if any(f is None for f in fits):
            largest = max(max(t) for t in tables)
            raise RangeChoiceError(f"no {kind} range of the {ch.model} holds {what} (its "
                                   f"largest is {largest:g} {unit})")
        chosen.append(max(f for f in fits if f is not None))
    return chosen[0], chosen[1]


def fix_ranges(ch: Channel, max_volts: float | None, max_amps: float | None) -> MeterConfig:
    """After a ranging pass: set the meter to the fixed ranges :func:`fixed_ranges` chooses and
    return its configuration. :class:`RangeChoiceError` when they cannot be chosen, the meter
    refuses them, or it reports other ranges than those asked."""
    voltage, current = fixed_ranges(ch, max_volts, max_amps)
    new = replace(ch.meter.config, voltage_range=voltage, current_range=current)
    with ch.lock:
        try:
            ch.meter.configure(new)
        except MeterError as exc:
            raise RangeChoiceError(f"the {ch.model} refused the fixed ranges U={voltage:g} V, "
                                   f"I={current:g} A ({exc})") from None
    got = ch.meter.config
    if got.voltage_range != voltage or got.current_range != current:
        raise RangeChoiceError(f"the {ch.model} was asked for U={voltage:g} V, I={current:g} A "
                               f"and reports U={got.voltage_range} V, I={got.current_range} A")
    return got
