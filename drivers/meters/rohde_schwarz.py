"""Rohde & Schwarz HMC8015 power analyzer.

The meter's channel 1 is told which functions to report (``CHAN1:MEAS:FUNC
URMS,IRMS,P,LAMB,WH``) and returns their values, comma separated in that order, to
``CHAN1:MEAS:DATA?``. An invalid value comes back as SCPI not-a-number 9.91E37 (or ``NAN``), an
overloaded one as SCPI infinity 9.9E37 (or ``INF``): that is the over-range signal this driver
reads (no status register bit for an overload is confirmed from the stored manual). The voltage
and current ranges in use (``URAN``, ``IRAN``, in the meter's default function list) are read
with every update, so each reading's ranges are known, at auto range too.

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
from .pacing import UpdatePoller
from .scpi import SCPI_SPECIALS, ScpiMeter, parse_fields

NOT_A_NUMBER = 9.91e37
INFINITY = 9.9e37


def classify(token: str) -> tuple[Status, float | None]:
    """The status and value of one field of ``CHAN1:MEAS:DATA?``; ``ValueError`` if it is not a
    number."""
    return SCPI_SPECIALS.classify(token)


def parse_values(raw: bytes, expected: int) -> list[tuple[Status, float | None]]:
    """Every field of a ``CHAN1:MEAS:DATA?`` reply; :class:`MeterProtocolError` (with the raw
    reply) unless there are exactly ``expected`` numbers."""
    return parse_fields(raw, expected, SCPI_SPECIALS)


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
    #: (function, field), in output order; LAMB is the power factor, URAN and IRAN the voltage
    #: and current ranges in use (function names as in the meter's default list
    #: URMS,IRMS,P,FPLL,URAN,IRAN,S,Q,LAMB,PHI).
    FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("URMS", "volts"),
        ("IRMS", "amps"),
        ("P", "watts"),
        ("LAMB", "pf"),
        ("WH", "wh"),
        ("URAN", "range_v"),
        ("IRAN", "range_a"),
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

    def voltage_ranges(self, element: int = 1) -> tuple[float, ...]:
        return self.VOLTAGE_RANGES

    def current_ranges(self, element: int = 1) -> tuple[float, ...]:
        return self.CURRENT_RANGES

    def configure(self, config: MeterConfig) -> None:
        self.model_key(self.models)
        elements = select_inputs("HMC8015", config.elements, (1,), "channel")
        voltage = self.resolve_range("voltage", config.voltage_range, elements)
        current = self.resolve_range("current", config.current_range, elements)
        functions = ",".join(function for function, _ in self.FUNCTIONS)
        self.clear_status()
        commands = [self.COMMANDS["functions"].format(functions=functions)]
        for kind, value in (("voltage", voltage), ("current", current)):
            commands.append(self.COMMANDS[f"{kind}_auto"] if value is None else
                            self.COMMANDS[f"{kind}_range"].format(range=number_text(value)))
        for command in commands:
            self.transport.write(command)
        self.check_errors()
        query = self.COMMANDS["data"]
        self._poller = UpdatePoller(lambda: self.transport.query_raw(query), self._interval_s)
        self._ranges_text = describe_ranges(voltage, current)
        self.config = replace(config, elements=elements, rate_hz=1.0 / self._interval_s,
                              voltage_range=voltage, current_range=current)

    def _read_update(self) -> Reading:
        if self._poller is None:
            raise MeterProtocolError("The meter must be configured before it is read.")
        raw, end_ns = self._poller.next_update()
        fields = dict(zip((name for _, name in self.FUNCTIONS),
                          parse_values(raw, len(self.FUNCTIONS))))
        quantities = [name for _, name in self.FUNCTIONS if not name.startswith("range_")]
        element = ElementReading.from_fields(1, quantities, [fields[name] for name in quantities])
        ranges = ElementRange(1, fields["range_v"][1], fields["range_a"][1])
        return Reading(elements=(element,), raw=raw,
                       ranges=describe_ranges(ranges.voltage_v, ranges.current_a),
                       end_raw_ns=end_ns, element_ranges=(ranges,))
