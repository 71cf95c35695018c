"""Meter polling: each meter in its own thread, one reading per update, stamped on the one clock
at the centre of the interval it covers. A missed update is journaled as missing, never caught
up. A lost meter is journaled and, as the plan says, the run goes on or stops."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

from drivers.meters import registry
from drivers.meters.base import (Identity, Meter, MeterConfig, MeterError, MeterProtocolError,
                                 MeterTimeout, Reading)
from kperf_gui.clock import Clock
from kperf_gui.session.plan import MeterSpec


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
        return f"{self.id}:{self.spec.driver}"


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


ReadingSink = Callable[[Channel, int, int, int, Reading | None, str, bytes], None]


class Poller(threading.Thread):
    """Reads one meter until stopped; hands each update to ``sink(channel, t_ns, t0_ns, t1_ns,
    reading or None, note, raw)``. A timeout or a garbage answer is one missing update (the
    garbage journaled raw); a lost connection is reported and reopened every few seconds."""

    def __init__(self, ch: Channel, clock: Clock, sink: ReadingSink,
                 on_lost: Callable[[Channel, str], None]):
        super().__init__(name=f"meter-{ch.label}", daemon=True)
        self.ch = ch
        self.clock = clock
        self.sink = sink
        self.on_lost = on_lost
        self.halt = threading.Event()

    def _missing(self, period_ns: int, note: str, raw: bytes = b"") -> int:
        now = self.clock.now()
        self.sink(self.ch, now - period_ns // 2, now - period_ns, now, None, note, raw)
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
                    self.sink(self.ch, t1 - period_ns // 2, t1 - period_ns, t1, None,
                              "missing: update missed", b"")
            self.sink(self.ch, (start + end) // 2, start, end, reading, "", reading.raw)
            last_end = end

    def _reconnect(self) -> bool:
        """Try to reopen a lost meter every few seconds until stopped."""
        while not self.halt.wait(2.0):
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
