"""Yokogawa power analyzers read through numeric items, and the WT300E family (WT310E, WT332E,
WT333E).

A Yokogawa meter is asked for one numeric item per quantity and element
(``:NUMeric:NORMal:ITEM<x> <function>,<element>``) and returns them all, comma separated, to
``:NUMeric:NORMal:VALue?``. A finished update is seen on bit 0 (UPD) of the extended event
register: with the transition filter on its falling edge, reading ``:STATus:EESR?`` returns the
bit set once per finished update and clears it. Models differ in elements, update intervals,
ranges and, where needed, commands: all are class attributes, so the WT500, WT1800E and WT5000
subclass :class:`YokogawaNumericMeter` with their own tables.

Command sources: IM WT310E-17EN, "WT310E/WT310EH/WT332E/WT333E Digital Power Meter
Communication Interface User's Manual"; special values of the ASCII numeric output as printed in
the sister manuals IM 760101-11E (p. 5-70) and IM WT3001E-17EN (p. 6-97).
"""
from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import ClassVar, Mapping

from .base import (
    ElementReading,
    MeterConfig,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
    Status,
    describe_ranges,
    select_inputs,
)
from .scpi import ScpiMeter

OVER_RANGE_VALUE = 9.9e37  # ASCII "INF"; also sent negative
NO_DATA_VALUE = 9.91e37  # ASCII "NAN"
_SPECIAL_TOLERANCE = 0.004e37


def classify(token: str) -> tuple[Status, float | None]:
    """The status and value of one ASCII numeric field; ``ValueError`` if it is not a number."""
    value = float(token)
    if math.isnan(value) or math.isclose(abs(value), NO_DATA_VALUE, abs_tol=_SPECIAL_TOLERANCE):
        return Status.NO_DATA, None
    if math.isinf(value) or math.isclose(abs(value), OVER_RANGE_VALUE, abs_tol=_SPECIAL_TOLERANCE):
        return Status.OVER_RANGE, None
    return Status.OK, value


def parse_values(raw: bytes, expected: int) -> list[tuple[Status, float | None]]:
    """Every field of a ``:NUMeric:NORMal:VALue?`` reply; :class:`MeterProtocolError` (with the
    raw reply) unless there are exactly ``expected`` numbers."""
    text = raw.decode("ascii", errors="replace").strip()
    fields = text.split(",") if text else []
    if len(fields) != expected:
        raise MeterProtocolError(
            f"The meter sent {len(fields)} values where {expected} were expected.", raw=raw
        )
    try:
        return [classify(field.strip()) for field in fields]
    except ValueError:
        raise MeterProtocolError(
            f"The meter sent values that are not numbers: {text[:80]!r}.", raw=raw
        ) from None


def _number(value: float) -> str:
    return f"{value:g}"


class YokogawaNumericMeter(ScpiMeter):
    """A Yokogawa analyzer read through numeric items and the UPD bit of the extended event
    register. Subclasses fill in the tables below.

    Driver option ``integrate=True`` (or the same key in ``MeterConfig.options``) resets and
    starts the meter's own integration in normal mode, so that ``wh`` counts from configure.
    """

    error_query: ClassVar[str] = ":STATus:ERRor?"  # IM WT310E-17EN ch. 7, error queue

    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command template                            # source in IM WT310E-17EN
        "header_off": ":COMMunicate:HEADer OFF",  # ch. 6, COMMunicate group
        "verbose_off": ":COMMunicate:VERBose OFF",  # ch. 6, COMMunicate group
        "format_ascii": ":NUMeric:FORMat ASCii",  # ch. 6, NUMeric group
        "item_count": ":NUMeric:NORMal:NUMber {count}",  # ch. 6, NUMeric group
        "item": ":NUMeric:NORMal:ITEM{index} {function},{element}",  # ch. 6, NUMeric group; p. 9-7
        "values": ":NUMeric:NORMal:VALue?",  # ch. 6, NUMeric group
        "rate": ":RATE {interval}",  # ch. 6, RATE group
        "voltage_auto": ":INPut:VOLTage:AUTO ON",  # ch. 6, INPut group
        "voltage_range": ":INPut:VOLTage:RANGe {range}V",  # 5.4 Data, p. 5-6; ch. 6, INPut group
        "current_auto": ":INPut:CURRent:AUTO ON",  # ch. 6, INPut group
        "current_range": ":INPut:CURRent:RANGe {range}A",  # 5.4 Data, p. 5-6; ch. 6, INPut group
        "integrate_mode": ":INTEGrate:MODE NORMal",  # ch. 6, INTEGrate group
        "integrate_reset": ":INTEGrate:RESet",  # ch. 6, INTEGrate group
        "integrate_start": ":INTEGrate:STARt",  # ch. 6, INTEGrate group
        "integrate_stop": ":INTEGrate:STOP",  # ch. 6, INTEGrate group
        "update_filter": ":STATus:FILTer1 FALL",  # 7.4 Extended Event Register, p. 7-5
        "event_register": ":STATus:EESR?",  # 7.4 Extended Event Register, p. 7-5
    }
    #: Bit of the extended event register set by a finished update (UPD, bit 0; 7.4, p. 7-5).
    UPDATE_BIT: ClassVar[int] = 0x0001
    #: (Yokogawa function, ElementReading field) per element, in output order.
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

    def __init__(self, resource: str = "", **options):
        super().__init__(resource, **options)
        self._elements: tuple[int, ...] = ()
        self._ranges_text = ""
        self._integrating = False

    def configure(self, config: MeterConfig) -> None:
        model = self._model()
        elements = self._check_elements(model, config.elements)
        interval, interval_arg = self._update_interval(config.rate_hz)
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
        commands.append(self.COMMANDS["rate"].format(interval=interval_arg))
        commands += self._range_commands(model, config.voltage_range, config.current_range)
        integrate = bool(config.options.get("integrate", self.options.get("integrate", False)))
        if integrate:
            commands += [
                self.COMMANDS["integrate_mode"],
                self.COMMANDS["integrate_reset"],
                self.COMMANDS["integrate_start"],
            ]
        commands.append(self.COMMANDS["update_filter"])
        for command in commands:
            self.transport.write(command)
        # reading the register clears it: the next set bit is a new update
        self.transport.query(self.COMMANDS["event_register"])
        self._integrating = integrate
        self.check_errors()
        self._elements = elements
        self._ranges_text = describe_ranges(config.voltage_range, config.current_range)
        self.config = replace(config, elements=elements, rate_hz=1.0 / interval)

    def close(self) -> None:
        if self._integrating and self.transport.is_open:
            self._integrating = False
            try:
                self.transport.write(self.COMMANDS["integrate_stop"])
            except Exception:  # letting go of the meter must not fail
                pass
        super().close()

    def _read_update(self) -> Reading:
        """Wait for the next finished update (UPD) and read its values."""
        if not self._elements:
            raise MeterProtocolError("The meter must be configured before it is read.")
        period = self.update_period_s
        give_up = time.monotonic() + 3 * period + self.transport.timeout_ms / 1000.0
        previous_ns: int | None = None
        while True:
            sent_ns = time.perf_counter_ns()
            register = self._event_register()
            if register & self.UPDATE_BIT:
                start_ns = previous_ns if previous_ns is not None else sent_ns
                end_ns = (start_ns + time.perf_counter_ns()) // 2
                break
            if time.monotonic() > give_up:
                raise MeterTimeout(
                    f"The meter at {self.resource} finished no update within "
                    f"{3 * period + self.transport.timeout_ms / 1000.0:.1f} s."
                )
            previous_ns = sent_ns
            time.sleep(period / 4)
        raw = self.transport.query_raw(self.COMMANDS["values"])
        return Reading(
            elements=self._element_readings(raw),
            raw=raw,
            ranges=self._ranges_text,
            end_raw_ns=end_ns,
        )

    def _event_register(self) -> int:
        reply = self.transport.query_raw(self.COMMANDS["event_register"])
        try:
            return int(reply.decode("ascii", errors="replace").strip())
        except ValueError:
            raise MeterProtocolError(
                f"The meter's event register reply {reply[:40]!r} is not a number.", raw=reply
            ) from None

    def _element_readings(self, raw: bytes) -> tuple[ElementReading, ...]:
        per_element = len(self.ITEMS)
        fields = parse_values(raw, per_element * len(self._elements))
        readings = []
        for position, element in enumerate(self._elements):
            chunk = fields[position * per_element : (position + 1) * per_element]
            values = {quantity: value for (_, quantity), (_, value) in zip(self.ITEMS, chunk)}
            status = {quantity: state for (_, quantity), (state, _) in zip(self.ITEMS, chunk)}
            readings.append(ElementReading(element=element, status=status, **values))
        return tuple(readings)

    def _model(self) -> str:
        """The table key of the identified model; :class:`MeterProtocolError` if not covered."""
        identity = self.identity or self.identify()
        model = identity.model.upper()
        if model in self.MODEL_ELEMENTS:
            return model
        for known in sorted(self.MODEL_ELEMENTS, key=len, reverse=True):
            if model.startswith(known):
                return known
        raise MeterProtocolError(
            f"The instrument at {self.resource} identifies as {identity.maker} {identity.model}, "
            f"which the {self.name} driver does not cover ({', '.join(self.models)}); choose the "
            f"driver for that model.",
            raw=identity.raw.encode(errors="replace"),
        )

    def _check_elements(self, model: str, wanted: tuple[int, ...]) -> tuple[int, ...]:
        available = self.MODEL_ELEMENTS[model]
        return select_inputs(model, wanted, available, "element")

    def _update_interval(self, rate_hz: float) -> tuple[float, str]:
        """The allowed update interval nearest to ``1 / rate_hz``."""
        if not rate_hz > 0:
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {rate_hz}).")
        return min(self.UPDATE_INTERVALS, key=lambda option: abs(option[0] - 1.0 / rate_hz))

    def _range_commands(
        self, model: str, voltage: float | None, current: float | None
    ) -> list[str]:
        commands = []
        if voltage is None:
            commands.append(self.COMMANDS["voltage_auto"])
        else:
            self._check_range("voltage", voltage, "V", self.VOLTAGE_RANGES, model)
            commands.append(self.COMMANDS["voltage_range"].format(range=_number(voltage)))
        if current is None:
            commands.append(self.COMMANDS["current_auto"])
        else:
            self._check_range("current", current, "A", self.CURRENT_RANGES[model], model)
            commands.append(self.COMMANDS["current_range"].format(range=_number(current)))
        return commands

    @staticmethod
    def _check_range(
        kind: str, value: float, unit: str, allowed: tuple[float, ...], model: str
    ) -> None:
        if not any(math.isclose(value, option, rel_tol=1e-9) for option in allowed):
            choices = ", ".join(_number(option) for option in allowed)
            raise MeterUnavailable(
                f"The {kind} range {_number(value)} {unit} is not one of the {model}'s ranges "
                f"({choices} {unit}); leave it empty for auto range."
            )



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
