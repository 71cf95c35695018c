"""Yokogawa power analyzers read through numeric items, and the WT300E family (WT310E, WT310EH,
WT332E, WT333E).

A Yokogawa meter is asked for one numeric item per quantity and element
(``:NUMeric:NORMal:ITEM<x> <function>,<element>``) and returns them all, comma separated, to
``:NUMeric:NORMal:VALue?``. A finished update is seen on bit 0 (UPD) of the extended event
register: with the transition filter on its falling edge, reading ``:STATus:EESR?`` returns the
bit set once per finished update and clears it. Models differ in elements, update intervals,
ranges, status bits and, where needed, commands: all are class attributes, so the WT500,
WT1800E and WT5000 subclass :class:`YokogawaNumericMeter` with their own tables.

Over-range. The WT300E family's extended event register also carries, per element, "measured
data over" (OVRn), "voltage peak over" (POVn) and "current peak over" (POAn) (IM WT310E-17EN
7.4, p. 7-5). Their transition filters are set to the rising edge, so a flag raised between two
reads is kept in the event register; the condition register (``:STATus:CONDition?``), read once
per update, gives those still raised. Either marks the element's watts, volts, amps, power
factor and watt-hours (by what each bit spoils) as over range: a crest factor exceeded on a
switching supply gives plausible numbers, and only the status says they are not. Where the
meter sends its no-data value (9.91E+37, "NAN") for a quantity while the status reports that
element over range, the quantity is over range, not "no data".

Rate and ranges are read back after configuring (``:RATE?``, ``:INPut:VOLTage:RANGe?``,
``:INPut:CURRent:RANGe?``, ``:INPut:CFACtor?``; replies are NR3 numbers in volts, amperes and
seconds, IM WT310E-17EN 5.4, p. 5-6), so ``config.rate_hz`` and each reading's ranges are the
meter's own. At auto range the range of each update is not reported, and is left unknown.

Command sources: IM WT310E-17EN, "WT310E/WT310EH/WT332E/WT333E Digital Power Meter
Communication Interface User's Manual"; special values of the ASCII numeric output as printed in
the sister manuals IM 760101-11E (p. 5-70) and IM WT3001E-17EN (p. 6-97).
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar, Mapping

from .accuracy import YOKOGAWA_WT300E, AccuracySpec
from .base import (
    ElementRange,
    ElementReading,
    MeterConfig,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
    Status,
    describe_element_ranges,
    number_text,
    select_inputs,
)
from .scpi import SCPI_SPECIALS, ScpiMeter, SpecialValues, parse_fields, parse_number, wait_for_bit

OVER_RANGE_VALUE = 9.9e37  # ASCII "INF"; also sent negative
NO_DATA_VALUE = 9.91e37  # ASCII "NAN"


def classify(token: str) -> tuple[Status, float | None]:
    """The status and value of one ASCII numeric field; ``ValueError`` if it is not a number."""
    return SCPI_SPECIALS.classify(token)


def parse_values(raw: bytes, expected: int) -> list[tuple[Status, float | None]]:
    """Every field of a ``:NUMeric:NORMal:VALue?`` reply; :class:`MeterProtocolError` (with the
    raw reply) unless there are exactly ``expected`` numbers."""
    return parse_fields(raw, expected, SCPI_SPECIALS)


#: What each status flag spoils: a "measured data over" (voltage or current over its range)
#: spoils every quantity of the element; a voltage or current peak over the quantities that
#: use that input.
SPOILED_BY: Mapping[str, tuple[str, ...]] = {
    "ovr": ("watts", "volts", "amps", "pf", "wh"),
    "pov": ("watts", "volts", "pf", "wh"),
    "poa": ("watts", "amps", "pf", "wh"),
}


def _interval_seconds(reply: str) -> float:
    """An update interval as ``:RATE?`` answers it: NR3 seconds (``100.0E-03``), or the setting's
    own spelling (``100MS``, ``1S``)."""
    text = reply.strip().upper()
    for suffix, scale in (("MS", 1e-3), ("S", 1.0)):
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * scale
    return parse_number(text, "update interval (:RATE?)")


class YokogawaNumericMeter(ScpiMeter):
    """A Yokogawa analyzer read through numeric items and the UPD bit of the extended event
    register. Subclasses fill in the tables below.

    Driver options: those of :class:`~drivers.meters.scpi.ScpiMeter`; ``integrate=True`` (or the
    same key in ``MeterConfig.options``) resets and starts the meter's own integration in normal
    mode, so that ``wh`` counts from configure; ``status_over_range`` (the model's default, see
    :attr:`STATUS_BITS_CONFIRMED`) reads the over-range bits of the extended event register.
    """

    error_query = ":STATus:ERRor?"  # IM WT310E-17EN ch. 7, error queue
    SIM_UPDATE_SIGNAL: ClassVar[tuple[str, int] | None] = (":STATus:EESR?", 0x0001)

    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command template                            # source in IM WT310E-17EN
        "header_off": ":COMMunicate:HEADer OFF",  # ch. 6, COMMunicate group
        "verbose_off": ":COMMunicate:VERBose OFF",  # ch. 6, COMMunicate group
        "format_ascii": ":NUMeric:FORMat ASCii",  # ch. 6, NUMeric group
        "item_count": ":NUMeric:NORMal:NUMber {count}",  # ch. 6, NUMeric group
        "item": ":NUMeric:NORMal:ITEM{index} {function},{element}",  # ch. 6, NUMeric group; p. 9-7
        "values": ":NUMeric:NORMal:VALue?",  # ch. 6, NUMeric group
        "rate": ":RATE {interval}",  # ch. 6, RATE group
        "rate_query": ":RATE?",  # ch. 6, RATE group; reply NR3 seconds (5.4, p. 5-6)
        "voltage_auto": ":INPut:VOLTage:AUTO ON",  # ch. 6, INPut group
        "voltage_range": ":INPut:VOLTage:RANGe {range}V",  # 5.4 Data, p. 5-6; ch. 6, INPut group
        "voltage_range_query": ":INPut:VOLTage:RANGe?",  # ch. 6, INPut group; NR3 volts
        "current_auto": ":INPut:CURRent:AUTO ON",  # ch. 6, INPut group
        "current_range": ":INPut:CURRent:RANGe {range}A",  # 5.4 Data, p. 5-6; ch. 6, INPut group
        "current_range_query": ":INPut:CURRent:RANGe?",  # ch. 6, INPut group; NR3 amperes
        "crest_factor_query": ":INPut:CFACtor?",  # ch. 6, INPut group ([:INPut]:CFACtor)
        "integrate_mode": ":INTEGrate:MODE NORMal",  # ch. 6, INTEGrate group
        "integrate_reset": ":INTEGrate:RESet",  # ch. 6, INTEGrate group
        "integrate_start": ":INTEGrate:STARt",  # ch. 6, INTEGrate group
        "integrate_stop": ":INTEGrate:STOP",  # ch. 6, INTEGrate group
        "filter": ":STATus:FILTer{number} {edge}",  # 7.4, p. 7-5: FILTer<x> is bit x-1
        "event_register": ":STATus:EESR?",  # 7.4 Extended Event Register, p. 7-5
        "condition": ":STATus:CONDition?",  # 7.4, p. 7-5: the condition register
    }
    #: Bit of the extended event register set by a finished update (UPD, bit 0; 7.4, p. 7-5).
    UPDATE_BIT: ClassVar[int] = 0x0001
    #: (Yokogawa function, ElementReading field) per element, in output order; a field that
    #: is not one of ``ElementReading.QUANTITIES`` (``freq_hz``) goes to the element's ``extra``.
    ITEMS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("P", "watts"),
        ("U", "volts"),
        ("I", "amps"),
        ("LAMBda", "pf"),
        ("WH", "wh"),
    )
    #: Input elements by model, as numbered by the meter.
    MODEL_ELEMENTS: ClassVar[Mapping[str, tuple[int, ...]]] = {}
    #: (update interval in seconds, ``:RATE`` argument), shortest first.
    UPDATE_INTERVALS: ClassVar[tuple[tuple[float, str], ...]] = ()
    #: Voltage ranges in volts, every crest factor.
    VOLTAGE_RANGES: ClassVar[tuple[float, ...]] = ()
    #: Current ranges in amperes by model, every crest factor.
    CURRENT_RANGES: ClassVar[Mapping[str, tuple[float, ...]]] = {}
    #: Over-range bits of the condition / extended event register per element: (measured data
    #: over, voltage peak over, current peak over), ``None`` where the register has no such bit.
    STATUS_BITS: ClassVar[Mapping[int, tuple[int | None, int | None, int | None]]] = {}
    #: A bit raised by a peak over on any element (``None``: none).
    ANY_PEAK_BIT: ClassVar[int | None] = None
    #: Whether :attr:`STATUS_BITS` is taken from this model's own manual; otherwise the bits are
    #: read only with the driver option ``status_over_range = true``.
    STATUS_BITS_CONFIRMED: ClassVar[bool] = False
    #: Special values of the numeric output.
    SPECIALS: ClassVar[SpecialValues] = SCPI_SPECIALS
    #: Accuracy table by model (``None``: not known).
    ACCURACY: ClassVar[Mapping[str, AccuracySpec]] = {}

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._elements: tuple[int, ...] = ()
        self._ranges: tuple[ElementRange, ...] = ()
        self._ranges_text = ""
        self._integrating = False
        self._model: str | None = None
        self.status_over_range = bool(options.get("status_over_range",
                                                  self.STATUS_BITS_CONFIRMED))

    # --- tables -----------------------------------------------------------------------------

    def voltage_ranges(self, element: int = 1) -> tuple[float, ...]:
        return tuple(sorted(self.VOLTAGE_RANGES))

    def current_ranges(self, element: int = 1) -> tuple[float, ...]:
        model = self._model or self._model_key()
        return tuple(sorted(self.CURRENT_RANGES.get(model, ())))

    def maker_accuracy(self, element: int = 1) -> AccuracySpec | None:
        model = self._model or self._model_key()
        return self.ACCURACY.get(model)

    # --- configure ----------------------------------------------------------------------------

    def configure(self, config: MeterConfig) -> None:
        model = self._model_key()
        elements = self._check_elements(model, config.elements)
        voltage = self.resolve_range("voltage", config.voltage_range, elements)
        current = self.resolve_range("current", config.current_range, elements)
        _, interval_arg = self._update_interval(config.rate_hz)
        self.clear_status()
        commands = [self.COMMANDS["integrate_stop"]] if self._integrating else []
        commands += [
            self.COMMANDS["header_off"],
            self.COMMANDS["verbose_off"],
            self.COMMANDS["format_ascii"],
            self.COMMANDS["item_count"].format(count=len(elements) * len(self.ITEMS)),
        ]
        index = 0
        for element in elements:
            for function, _ in self.ITEMS:
                index += 1
                commands.append(
                    self.COMMANDS["item"].format(index=index, function=function, element=element)
                )
        commands += self._mode_commands()
        commands.append(self.COMMANDS["rate"].format(interval=interval_arg))
        commands += self._range_commands(elements, voltage, current)
        integrate = bool(config.options.get("integrate", self.options.get("integrate", False)))
        if integrate:
            commands += [
                self.COMMANDS["integrate_mode"],
                self.COMMANDS["integrate_reset"],
                self.COMMANDS["integrate_start"],
            ]
        commands += self._filter_commands(elements)
        for command in commands:
            self.transport.write(command)
        # reading the register clears it: the next set bit is a new update
        self.transport.query(self.COMMANDS["event_register"])
        self._integrating = integrate
        self.check_errors()
        interval = _interval_seconds(self.transport.query(self.COMMANDS["rate_query"]))
        if not interval > 0:
            raise MeterProtocolError(f"The meter at {self.resource} reports an update interval "
                                     f"of {interval} s.")
        self._elements = elements
        self._ranges = self._read_ranges(elements, voltage, current)
        self._ranges_text = describe_element_ranges(self._ranges)
        self.config = replace(config, elements=elements, rate_hz=1.0 / interval,
                              voltage_range=voltage, current_range=current)

    def _mode_commands(self) -> list[str]:
        """Commands that put the meter in the update mode the driver reads (none here)."""
        return []

    def _filter_commands(self, elements: tuple[int, ...]) -> list[str]:
        """Transition filters: the update bit on its falling edge, the over-range bits of the
        configured elements on their rising edge (FILTer<x> is bit x-1, 7.4 p. 7-5)."""
        commands = [self.COMMANDS["filter"].format(number=1, edge="FALL")]
        if not self.status_over_range:
            return commands
        bits = sorted({bit for element in elements for bit in self.STATUS_BITS.get(element, ())
                       if bit is not None} | ({self.ANY_PEAK_BIT} if self.ANY_PEAK_BIT else set()))
        commands += [self.COMMANDS["filter"].format(number=bit + 1, edge="RISE") for bit in bits]
        return commands

    def _read_ranges(self, elements: tuple[int, ...], voltage: float | None,
                     current: float | None) -> tuple[ElementRange, ...]:
        """The ranges in effect, read back from the meter where fixed (``None`` at auto range),
        and the crest factor."""
        crest = self._crest_factor()
        replies: dict[str, float] = {}  # one query where the model sets all elements alike

        def read_back(kind: str, element: int) -> float:
            query = self._range_query(kind, element)
            if query not in replies:
                replies[query] = parse_number(self.transport.query(query), f"{kind} range")
            return replies[query]

        return tuple(
            ElementRange(element,
                         None if voltage is None else read_back("voltage", element),
                         None if current is None else read_back("current", element),
                         crest)
            for element in elements)

    def _range_query(self, kind: str, element: int) -> str:
        return self.COMMANDS[f"{kind}_range_query"].format(element=element)

    def _crest_factor(self) -> float | None:
        reply = self.transport.query(self.COMMANDS["crest_factor_query"])
        digits = reply.strip().upper().rstrip("A")
        try:
            return float(digits)
        except ValueError:
            raise MeterProtocolError(f"The meter's crest factor reply {reply[:20]!r} is not a "
                                     f"number.", raw=reply.encode(errors="replace")) from None

    def close(self) -> None:
        if self._integrating and self.transport.is_open:
            self._integrating = False
            try:
                self.transport.write(self.COMMANDS["integrate_stop"])
            except Exception:  # letting go of the meter must not fail
                pass
        super().close()

    # --- read -----------------------------------------------------------------------------

    def _read_update(self) -> Reading:
        """Wait for the next finished update (UPD), read its status and values."""
        if not self._elements:
            raise MeterProtocolError("The meter must be configured before it is read.")
        period = self.update_period_s
        seen, end_ns = wait_for_bit(self._event_register, self.UPDATE_BIT, period,
                                    3 * period + self.transport.timeout_ms / 1000.0, self.resource)
        if self.status_over_range:
            seen |= self._register(self.COMMANDS["condition"], "condition register")
        raw = self.transport.query_raw(self.COMMANDS["values"])
        return Reading(
            elements=self._element_readings(raw, seen),
            raw=raw,
            ranges=self._ranges_text,
            end_raw_ns=end_ns,
            element_ranges=self._ranges,
        )

    def _event_register(self) -> int:
        return self._register(self.COMMANDS["event_register"], "event register")

    def _register(self, query: str, what: str) -> int:
        reply = self.transport.query_raw(query)
        try:
            return int(reply.decode("ascii", errors="replace").strip())
        except ValueError:
            raise MeterProtocolError(
                f"The meter's {what} reply {reply[:40]!r} is not a number.", raw=reply
            ) from None

    def _flags(self, element: int, register: int) -> set[str]:
        """The quantities of ``element`` the status register marks over range."""
        if not self.status_over_range:
            return set()
        named = dict(zip(("ovr", "pov", "poa"), self.STATUS_BITS.get(element, (None,) * 3)))
        spoiled = {q for name, bit in named.items() if bit is not None and register >> bit & 1
                   for q in SPOILED_BY[name]}
        if self.ANY_PEAK_BIT is not None and register >> self.ANY_PEAK_BIT & 1:
            spoiled |= set(SPOILED_BY["ovr"])
        return spoiled

    def _element_readings(self, raw: bytes, register: int = 0) -> tuple[ElementReading, ...]:
        per_element = len(self.ITEMS)
        fields = parse_fields(raw, per_element * len(self._elements), self.SPECIALS)
        readings = []
        for position, element in enumerate(self._elements):
            chunk = fields[position * per_element : (position + 1) * per_element]
            spoiled = self._flags(element, register)
            values: dict[str, float | None] = {}
            status: dict[str, Status] = {}
            extra: dict[str, float] = {}
            for (_, quantity), (state, value) in zip(self.ITEMS, chunk):
                if quantity not in ElementReading.QUANTITIES:
                    # beside the power quantities (the input frequency): kept where it is a
                    # number; none (no data at DC) says nothing of the power figures
                    if state is Status.OK and value is not None:
                        extra[quantity] = value
                    continue
                if quantity in spoiled and state in (Status.OK, Status.NO_DATA):
                    state, value = Status.OVER_RANGE, None
                values[quantity] = value
                status[quantity] = state
            readings.append(ElementReading.from_values(element, values, status, extra))
        return tuple(readings)

    # --- tables and checks ------------------------------------------------------------------

    def _model_key(self) -> str:
        """The table key of the identified model; :class:`MeterProtocolError` if not covered."""
        self._model = self.model_key(self.MODEL_ELEMENTS)
        return self._model

    def _check_elements(self, model: str, wanted: tuple[int, ...]) -> tuple[int, ...]:
        available = self.MODEL_ELEMENTS[model]
        return select_inputs(model, wanted, available, "element")

    def _update_interval(self, rate_hz: float) -> tuple[float, str]:
        """The allowed update interval nearest to ``1 / rate_hz``."""
        if not (rate_hz > 0 and math.isfinite(rate_hz)):
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {rate_hz}).")
        return min(self.UPDATE_INTERVALS, key=lambda option: abs(option[0] - 1.0 / rate_hz))

    def _range_commands(
        self, elements: tuple[int, ...], voltage: float | None, current: float | None
    ) -> list[str]:
        commands = []
        if voltage is None:
            commands.append(self.COMMANDS["voltage_auto"])
        else:
            commands.append(self.COMMANDS["voltage_range"].format(range=number_text(voltage)))
        if current is None:
            commands.append(self.COMMANDS["current_auto"])
        else:
            commands.append(self.COMMANDS["current_range"].format(range=number_text(current)))
        return commands


# Current ranges of crest factors 3 and 6 together; the meter refuses those of the other one.
_WT310E_CURRENTS = (
    0.0025, 0.005, 0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20
)
_WT310EH_CURRENTS = (0.5, 1, 2, 2.5, 5, 10, 20, 40)
_WT33XE_CURRENTS = (0.25, 0.5, 1, 2, 2.5, 5, 10, 20)


class WT300E(YokogawaNumericMeter):
    """Yokogawa WT310E (one element), WT332E (elements 1 and 3) and WT333E (elements 1 to 3)."""

    name = "yokogawa-wt300e"
    models = ("WT310E", "WT332E", "WT333E")
    default_role = "wall"

    MODEL_ELEMENTS = {  # element numbering: IM WT310E-02EN 2.11 (p. 2-51)
        "WT310E": (1,),
        "WT310EH": (1,),
        "WT332E": (1, 3),
        "WT333E": (1, 2, 3),
    }
    UPDATE_INTERVALS = (  # IM WT310E-17EN ch. 6, RATE group
        (0.1, "100MS"),
        (0.25, "250MS"),
        (0.5, "500MS"),
        (1.0, "1S"),
        (2.0, "2S"),
        (5.0, "5S"),
    )
    VOLTAGE_RANGES = (7.5, 15, 30, 60, 75, 150, 300, 600)  # IM WT310E-17EN ch. 6, INPut group
    CURRENT_RANGES = {  # IM WT310E-17EN ch. 6, INPut group
        "WT310E": _WT310E_CURRENTS,
        "WT310EH": _WT310EH_CURRENTS,
        "WT332E": _WT33XE_CURRENTS,
        "WT333E": _WT33XE_CURRENTS,
    }
    # IM WT310E-17EN 7.4, p. 7-5: OVR1 bit 6, POV1 7, POA1 8, OVR2 9, POV2 10, POA2 11,
    # OVR3 12, POV3 13, POA3 14.
    STATUS_BITS = {1: (6, 7, 8), 2: (9, 10, 11), 3: (12, 13, 14)}
    STATUS_BITS_CONFIRMED = True
    ACCURACY = {"WT310E": YOKOGAWA_WT300E, "WT332E": YOKOGAWA_WT300E,
                "WT333E": YOKOGAWA_WT300E}
    #: The voltage frequency (FU) is read with each update: the band of the accuracy table
    #: depends on it (IM WT310E-02EN 7.3.2). Function FU: IM WT310E-17EN ch. 6, NUMeric group
    #: (function symbols); the meter's own default item list holds it as item 8, "fU1"
    #: (IM WT310-17EN p. 9-7). It measures 20 Hz to 100 kHz at a 100 ms update interval, down
    #: to 0.5 Hz at 5 s (IM WT310E-02EN 7.4.2, p. 7-10); below that, and at DC, it sends no
    #: data, and the frequency is then not known.
    ITEMS = YokogawaNumericMeter.ITEMS + (("FU", "freq_hz"),)
