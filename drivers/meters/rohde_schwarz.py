"""Rohde & Schwarz HMC8015 power analyzer.

The meter's channel 1 is told which functions to report (``CHAN1:MEAS:FUNC
URMS,IRMS,P,LAMB,WH``) and returns their values, comma separated in that order, to
``CHAN1:MEAS:DATA?``. An invalid value comes back as SCPI not-a-number 9.91E37 (or ``NAN``), an
overloaded one as SCPI infinity 9.9E37 (or ``INF``).

An update is detected by polling (see :class:`drivers.meters.hioki.UpdatePoller`): the driver asks
at twice the update rate and keeps one reply per update, a changed reply being a new update and an
unchanged one being kept once a full update interval has passed.

Resources: LAN as ``TCPIP::192.168.0.10::5025::SOCKET`` (SCPI socket port 5025) or
``TCPIP::192.168.0.10::INSTR``; USB-TMC as ``USB0::0x0AAD::<product id>::<serial>::INSTR``; the
USB virtual COM port as ``ASRL/dev/ttyACM0::INSTR``, ``COM3`` or a bare ``/dev/ttyACM0``.

Command sources: "R&S HMC8015 SCPI Programmers Manual" (CHANnel<n>:MEASurement:FUNCtions,
CHANnel<n>:MEASurement:DATA?, CHANnel<n>:ACQuisition subsystem, SYSTem:ERRor?); invalid results as
9.91E37: R&S "Remote Control via SCPI" getting-started guide 1179.4592.01, "Responses to
queries"; 9.9E37 and 9.91E37: SCPI-99 vol. 1, 7.2.1.5. Rows not confirmed against the HMC8015
manual say so.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar, Mapping

from .base import (
    ElementReading,
    MeterConfig,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
    Status,
    describe_ranges,
)
from .pacing import UpdatePoller
from .scpi import ScpiMeter

NOT_A_NUMBER = 9.91e37
INFINITY = 9.9e37
_TOLERANCE = 0.004e37


def classify(token: str) -> tuple[Status, float | None]:
    """The status and value of one field of ``CHAN1:MEAS:DATA?``; ``ValueError`` if it is not a
    number."""
    value = float(token)
    if math.isnan(value) or math.isclose(abs(value), NOT_A_NUMBER, abs_tol=_TOLERANCE):
        return Status.NO_DATA, None
    if math.isinf(value) or math.isclose(abs(value), INFINITY, abs_tol=_TOLERANCE):
        return Status.OVER_RANGE, None
    return Status.OK, value


def parse_values(raw: bytes, expected: int) -> list[tuple[Status, float | None]]:
    """Every field of a ``CHAN1:MEAS:DATA?`` reply; :class:`MeterProtocolError` (with the raw
    reply) unless there are exactly ``expected`` numbers."""
    text = raw.decode("ascii", errors="replace").strip()
    fields = [field.strip() for field in text.split(",")] if text else []
    if len(fields) != expected:
        raise MeterProtocolError(
            f"The meter sent {len(fields)} values where {expected} were expected.", raw=raw
        )
    try:
        return [classify(field) for field in fields]
    except ValueError:
        raise MeterProtocolError(
            f"The meter sent values that are not numbers: {text[:80]!r}.", raw=raw
        ) from None


def _number(value: float) -> str:
    return f"{value:g}"


class HMC8015(ScpiMeter):
    """Rohde & Schwarz HMC8015 (one channel).

    Driver options: those of :class:`~drivers.meters.scpi.ScpiMeter` (``timeout_ms``, serial line
    settings, ...) and ``update_interval_s``, the meter's update interval (0.1 s unless given);
    the update rate is not set by the driver, so ``rate_hz`` becomes ``1 / update_interval_s``.
    ``wh`` is the meter's own energy count (WH), as its integrator was started on the meter.
    """

    name = "rs-hmc8015"
    models = ("HMC8015",)
    default_role = "wall"

    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command                  # source: R&S HMC8015 SCPI manual (no row page-confirmed)
        "functions": "CHAN1:MEAS:FUNC {functions}",  # CHANnel<n>:MEASurement:FUNCtions
        "data": "CHAN1:MEAS:DATA?",  # CHANnel<n>:MEASurement:DATA?
        # CHANnel<n>:ACQuisition subsystem; the VOLTage/CURRent keywords are least certain.
        "voltage_auto": "CHAN1:ACQ:VOLT:RANG:AUTO ON",
        "voltage_range": "CHAN1:ACQ:VOLT:RANG {range}",
        "current_auto": "CHAN1:ACQ:CURR:RANG:AUTO ON",
        "current_range": "CHAN1:ACQ:CURR:RANG {range}",
    }
    #: (function, ElementReading field), in output order; LAMB is the power factor (function
    #: names as in the meter's default list URMS,IRMS,P,FPLL,URAN,IRAN,S,Q,LAMB,PHI).
    FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("URMS", "volts"),
        ("IRMS", "amps"),
        ("P", "watts"),
        ("LAMB", "pf"),
        ("WH", "wh"),
    )
    #: Ranges of crest factors 3 and 6 together (data sheet; not confirmed from the manual).
    VOLTAGE_RANGES: ClassVar[tuple[float, ...]] = (2.5, 5, 7.5, 15, 30, 60, 75, 150, 300, 600)
    CURRENT_RANGES: ClassVar[tuple[float, ...]] = (
        0.0025, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20
    )
    UPDATE_INTERVAL_S: ClassVar[float] = 0.1

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._interval_s = float(options.get("update_interval_s", self.UPDATE_INTERVAL_S))
        if not self._interval_s > 0:
            raise MeterUnavailable(
                f"The option update_interval_s must be above 0 s (got {self._interval_s})."
            )
        self._poller: UpdatePoller | None = None
        self._ranges_text = ""

    def configure(self, config: MeterConfig) -> None:
        self._check_model()
        others = sorted({int(element) for element in config.elements} - {1})
        if others or not config.elements:
            raise MeterUnavailable(
                f"The HMC8015 has one channel; element {', '.join(map(str, others)) or '(none)'} "
                f"cannot be read. Set meters[].element to 1."
            )
        functions = ",".join(function for function, _ in self.FUNCTIONS)
        commands = [self.COMMANDS["functions"].format(functions=functions)]
        commands += self._range_commands(config.voltage_range, config.current_range)
        for command in commands:
            self.transport.write(command)
        self.check_errors()
        query = self.COMMANDS["data"]
        self._poller = UpdatePoller(lambda: self.transport.query_raw(query), self._interval_s)
        self._ranges_text = describe_ranges(config.voltage_range, config.current_range)
        self.config = replace(config, elements=(1,), rate_hz=1.0 / self._interval_s)

    def _read_update(self) -> Reading:
        if self._poller is None:
            raise MeterProtocolError("The meter must be configured before it is read.")
        raw, end_ns = self._poller.next_update()
        fields = parse_values(raw, len(self.FUNCTIONS))
        element = ElementReading(
            element=1,
            status={field: state for (_, field), (state, _) in zip(self.FUNCTIONS, fields)},
            **{field: value for (_, field), (_, value) in zip(self.FUNCTIONS, fields)},
        )
        return Reading(elements=(element,), raw=raw, ranges=self._ranges_text, end_raw_ns=end_ns)

    def _check_model(self) -> None:
        identity = self.identity or self.identify()
        if not identity.model.upper().startswith("HMC8015"):
            raise MeterProtocolError(
                f"The instrument at {self.resource} identifies as {identity.maker} "
                f"{identity.model}, which the {self.name} driver does not cover (HMC8015); "
                f"choose the driver for that model.",
                raw=identity.raw.encode(errors="replace"),
            )

    def _range_commands(self, voltage: float | None, current: float | None) -> list[str]:
        commands = []
        for kind, value, unit, allowed in (
            ("voltage", voltage, "V", self.VOLTAGE_RANGES),
            ("current", current, "A", self.CURRENT_RANGES),
        ):
            if value is None:
                commands.append(self.COMMANDS[f"{kind}_auto"])
                continue
            if not any(math.isclose(value, option, rel_tol=1e-9) for option in allowed):
                choices = ", ".join(_number(option) for option in allowed)
                raise MeterUnavailable(
                    f"The {kind} range {_number(value)} {unit} is not one of the HMC8015's "
                    f"ranges ({choices} {unit}); leave it empty for auto range."
                )
            commands.append(self.COMMANDS[f"{kind}_range"].format(range=_number(value)))
        return commands
