"""Chroma 66202 and 66205 digital power meters (USB-TMC).

``MEASure? V,I,FREQ,W,PF`` starts a new acquisition and answers with its values, comma separated;
the driver asks once per update interval on a fixed schedule, so each reading is one fresh
acquisition that ends when the answer arrives. A value the meter cannot give is answered as a code:
-1 (the first integration is not complete), -2 (range change error while integrating) or -3
(invalid data under an over-voltage range, over-current range or over-current protection alarm).

Command sources: Chroma "Digital Power Meter 66200 Series User's Manual", chapter 5 (5.5.2 data
formats, p. 5-4; 5.8.1 standard commands *CLS, *ESE, *ESR?, p. 5-8, marked 66201 | 66202), and the
sister "Digital Power Meter 66203/66204 User's Manual" v1.0 (FETCH & MEASURE sub-system, p. 5-17:
query items and the -1/-2/-3 codes). The range commands (CONFigure:VOLTage/CURRent) follow the
family's command set and are not confirmed by a 66202 manual page: a meter that refuses them
reports a command error at configure, named in the message.

Rate: the meter measures when asked, but its display, and the acquisition behind each answer,
refreshes every 0.5 s; asking faster returns the same acquisition again. Readings are therefore
taken at most twice a second (:attr:`Chroma66202.MAX_RATE_HZ`), whatever the plan asks, and
``config.rate_hz`` says so. The 0.5 s refresh is not confirmed by a 66202 manual page either.
A fixed range the meter accepted (no error in ``*ESR?``) is recorded as the range of each
reading; it is not read back, as no range query is confirmed.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import replace
from typing import Any, ClassVar, Mapping

from .base import (
    ElementRange,
    ElementReading,
    MeterConfig,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
    Status,
    describe_ranges,
    number_text,
    select_inputs,
)
from .pacing import FixedSchedule
from .scpi import ScpiMeter

#: Codes answered in place of a value (66203/66204 manual p. 5-17).
CODES: Mapping[int, Status] = {
    -1: Status.NO_DATA,  # the first integrated calculation is not complete
    -2: Status.NO_DATA,  # range change error while integrating
    -3: Status.OVER_RANGE,  # invalid data under OVR, OCR or OCP
}
_CODE_TOKEN = re.compile(r"^-[123]$")
_NEVER_NEGATIVE = {"volts", "amps", "freq_hz"}


def classify(token: str, quantity: str) -> tuple[Status, float | None]:
    """The status and value of one answered field; ``ValueError`` if it is not a number.

    A code is recognised as written without a decimal point (``-3``), and, for quantities that
    cannot be negative (rms voltage, rms current, frequency), also as ``-3.000``."""
    value = float(token)
    code = int(value) if value.is_integer() else 0
    if code in CODES and (_CODE_TOKEN.match(token.strip()) or quantity in _NEVER_NEGATIVE):
        return CODES[code], None
    return Status.OK, value


class Chroma66202(ScpiMeter):
    """Chroma 66202 and 66205 single-phase power meters over USB-TMC (``USB0::...::INSTR``).

    Driver options are those of :class:`ScpiMeter` (``timeout_ms``, terminations, ``backend``).
    The meter measures when asked: readings come at the plan's rate, up to
    :attr:`MAX_RATE_HZ`, one fresh acquisition each.
    """

    name = "chroma-66202"
    models = ("66202", "66205")
    default_role = "wall"

    error_query = "*ESR?"  # 66200 Series manual 5.8.1, p. 5-8
    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command template                 # source
        "voltage_auto": "CONFigure:VOLTage:AUTO ON",  # family command set; not confirmed
        "voltage_range": "CONFigure:VOLTage:RANGe {range}",  # family command set; not confirmed
        "current_auto": "CONFigure:CURRent:AUTO ON",  # family command set; not confirmed
        "current_range": "CONFigure:CURRent:RANGe {range}",  # family command set; not confirmed
        "values": "MEASure? V,I,FREQ,W,PF",  # 66203/66204 manual p. 5-17 (query items)
    }
    #: Reply fields in the order of the ``values`` query: (item, name).
    ITEMS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("V", "volts"),
        ("I", "amps"),
        ("FREQ", "freq_hz"),
        ("W", "watts"),
        ("PF", "pf"),
    )
    #: Fastest rate the driver reads: one acquisition per 0.5 s display refresh.
    MAX_RATE_HZ: ClassVar[float] = 2.0

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._schedule: FixedSchedule | None = None
        self._ranges_text = ""
        self._ranges: tuple[ElementRange, ...] = ()

    def configure(self, config: MeterConfig) -> None:
        model = self.model_key(self.models)
        elements = select_inputs(model, config.elements, (1,), "element")
        if not (config.rate_hz > 0 and math.isfinite(config.rate_hz)):
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {config.rate_hz}).")
        rate_hz = min(float(config.rate_hz), self.MAX_RATE_HZ)
        self.clear_status()
        commands = [self._range_command("voltage", config.voltage_range),
                    self._range_command("current", config.current_range)]
        for command in commands:
            self.transport.write(command)
        self.check_errors()
        self._ranges_text = describe_ranges(config.voltage_range, config.current_range)
        self._ranges = (ElementRange(1, config.voltage_range, config.current_range),)
        self._schedule = FixedSchedule(1.0 / rate_hz)
        self.config = replace(config, elements=elements, rate_hz=rate_hz)

    def read(self) -> Reading:
        if self._schedule is None:
            raise MeterProtocolError("The meter must be configured before it is read.")
        self._schedule.wait()
        return self.retry_once(self._acquire)

    def _acquire(self) -> Reading:
        """One ``MEASure?`` acquisition, ending when its answer arrives."""
        raw = self.transport.query_raw(self.COMMANDS["values"])
        end_ns = time.perf_counter_ns()
        return Reading(
            elements=(self._element_reading(raw),),
            raw=raw,
            ranges=self._ranges_text,
            end_raw_ns=end_ns,
            element_ranges=self._ranges,
        )

    def _element_reading(self, raw: bytes) -> ElementReading:
        text = raw.decode("ascii", errors="replace").strip()
        fields = [field.strip() for field in text.split(",")] if text else []
        if len(fields) != len(self.ITEMS):
            raise MeterProtocolError(
                f"The meter sent {len(fields)} values where {len(self.ITEMS)} were expected.",
                raw=raw,
            )
        values: dict[str, float | None] = {}
        status: dict[str, Status] = {}
        extra: dict[str, float] = {}
        for (_, quantity), field in zip(self.ITEMS, fields):
            try:
                state, value = classify(field, quantity)
            except ValueError:
                raise MeterProtocolError(
                    f"The meter sent values that are not numbers: {text[:80]!r}.", raw=raw
                ) from None
            if quantity == "freq_hz":
                if value is not None:
                    extra[quantity] = value
                continue
            values[quantity] = value
            status[quantity] = state
        return ElementReading.from_values(1, values, status, extra)

    def _range_command(self, kind: str, value: float | None) -> str:
        if value is None:
            return self.COMMANDS[f"{kind}_auto"]
        if not value > 0:
            raise MeterUnavailable(f"The {kind} range must be above 0 (got {number_text(value)}).")
        return self.COMMANDS[f"{kind}_range"].format(range=number_text(value))
