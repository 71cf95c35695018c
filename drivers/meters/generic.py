"""Any SCPI power meter, described in the plan: one query, its reply fields and their scale.

A meter this tool does not ship a driver for is read with one query (``MEAS:POW?;:MEAS:VOLT?``)
whose reply fields are named in the plan. Such a meter is polled: the driver cannot see where the
meter's update intervals begin and end, so it keeps one reading per poll interval, asked on a fixed
schedule at the plan's rate. A poll that falls behind skips the slots it missed; it never catches
them up.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, ClassVar, Sequence

from .base import (
    ElementRange,
    ElementReading,
    Identity,
    MeterConfig,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
    Status,
    describe_ranges,
)
from .pacing import FixedSchedule
from .scpi import ScpiMeter

QUANTITIES = ("watts", "volts", "amps", "pf", "wh")
_MARKER_TOLERANCE = 1e-6


def _markers(options: dict[str, Any], key: str, default: list[float]) -> tuple[float, ...]:
    given = options.get(key, default)
    if isinstance(given, (int, float)):
        given = [given]
    try:
        return tuple(float(value) for value in given)
    except (TypeError, ValueError):
        raise MeterUnavailable(
            f"The driver option {key} must be a list of numbers, for example [9.9e37]."
        ) from None


def _is_marker(value: float, markers: Sequence[float]) -> bool:
    return any(
        value == marker or math.isclose(value, marker, rel_tol=_MARKER_TOLERANCE)
        for marker in markers
    )


class GenericScpi(ScpiMeter):
    """A SCPI meter read with one query whose reply fields are named in the plan.

    Driver options (``meters[].options``), besides those of :class:`ScpiMeter`:

    - ``query`` (required): the query sent once per update, e.g. ``"MEAS:POW?;:MEAS:VOLT?"``. With
      ``{element}`` in it, it is sent once per configured element with the element's number.
    - ``fields`` (required): one name per reply field, in order: ``watts``, ``volts``, ``amps``,
      ``pf``, ``wh``, or ``""`` for a field to skip. ``watts`` must be among them.
    - ``scale``: one multiplier per field (all 1), e.g. 1000 for a meter that answers in kW.
    - ``separator`` (``","``): what separates the reply fields.
    - ``setup``: commands sent, in order, at configure.
    - ``error_query`` (``"SYST:ERR?"``): read until it answers ``0,...`` after configure;
      ``""`` for a meter without an error queue.
    - ``over_range`` ([9.9e37]) and ``no_data`` ([9.91e37]): reply values that mean the input
      was over range or had no data; list both signs if the meter sends both. ``INF`` and ``NAN``
      always mean over range and no data.
    - ``voltage_range`` / ``current_range``: commands with ``{value}`` that fix a range, and
      ``voltage_auto`` / ``current_auto``: commands for auto range. A fixed range in the plan
      needs its command; auto range is sent only where its command is given.
    - ``idn`` (True): identify with ``*IDN?``; False for a meter that does not answer it.
    - ``clear_status`` (True): send ``*CLS`` before configuring, so that an old error in the
      meter's queue does not fail the run; False for a meter that does not take it.
    - ``read_termination`` / ``write_termination`` (``"\\n"``).
    """

    name = "scpi-generic"
    models = ("any SCPI meter",)
    default_role = "wall"

    RANGE_OPTIONS: ClassVar[tuple[str, ...]] = (
        "voltage_range",
        "voltage_auto",
        "current_range",
        "current_auto",
    )

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self.query_text = self._text("query", required=True)
        self.fields = self._fields()
        self.scale = self._scale()
        self.separator = self._text("separator", default=",", allow_empty=False)
        self.setup = self._setup()
        self.error_query = self._text("error_query", default="SYST:ERR?")
        self.over_range = _markers(options, "over_range", [9.9e37])
        self.no_data = _markers(options, "no_data", [9.91e37])
        self.ask_idn = bool(options.get("idn", True))
        self.send_clear = bool(options.get("clear_status", True))
        self.range_commands = {key: self._text(key) for key in self.RANGE_OPTIONS}
        self._elements: tuple[int, ...] = ()
        self._ranges_text = ""
        self._ranges: tuple[ElementRange, ...] = ()
        self._schedule: FixedSchedule | None = None

    def identify(self) -> Identity:
        if self.ask_idn:
            return super().identify()
        self.identity = Identity(maker="unknown", model="SCPI meter")
        return self.identity

    def configure(self, config: MeterConfig) -> None:
        elements = tuple(dict.fromkeys(int(element) for element in config.elements))
        if not elements:
            raise MeterUnavailable("Set meters[].element to the element to read.")
        if len(elements) > 1 and "{element}" not in self.query_text:
            raise MeterUnavailable(
                f"The query {self.query_text!r} reads one element; put {{element}} in the "
                f"driver option query to read elements {', '.join(map(str, elements))}."
            )
        if not config.rate_hz > 0:
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {config.rate_hz}).")
        if self.send_clear:
            self.clear_status()
        commands = list(self.setup)
        commands += self._range_commands("voltage", config.voltage_range)
        commands += self._range_commands("current", config.current_range)
        for command in commands:
            self.transport.write(command)
        if self.error_query:
            self.check_errors()
        self._elements = elements
        self._ranges_text = describe_ranges(config.voltage_range, config.current_range)
        self._ranges = tuple(ElementRange(element, config.voltage_range, config.current_range)
                             for element in elements)
        self._schedule = FixedSchedule(1.0 / config.rate_hz)
        self.config = replace(config, elements=elements)

    def read(self) -> Reading:
        if self._schedule is None:
            raise MeterProtocolError("The meter must be configured before it is read.")
        self._schedule.wait()
        return self.retry_once(self._poll)

    def _poll(self) -> Reading:
        replies = self._query_all()
        readings = tuple(
            self._element_reading(element, raw) for element, raw in zip(self._elements, replies)
        )
        return Reading(elements=readings, raw=b"\n".join(replies), ranges=self._ranges_text,
                       element_ranges=self._ranges)

    def parse(self, raw: bytes) -> dict[str, tuple[Status, float | None]]:
        """The status and scaled value of each named field of one reply."""
        text = raw.decode("ascii", errors="replace").strip()
        parts = [part.strip() for part in text.split(self.separator)] if text else []
        if len(parts) != len(self.fields):
            raise MeterProtocolError(
                f"The meter sent {len(parts)} fields where {len(self.fields)} were expected "
                f"(the driver option fields names {len(self.fields)}).",
                raw=raw,
            )
        parsed: dict[str, tuple[Status, float | None]] = {}
        for name, part, factor in zip(self.fields, parts, self.scale):
            if not name:
                continue
            try:
                value = float(part)
            except ValueError:
                raise MeterProtocolError(
                    f"The meter sent a {name} field that is not a number: {part[:40]!r}.", raw=raw
                ) from None
            parsed[name] = self._classify(value, factor)
        return parsed

    def _classify(self, value: float, factor: float) -> tuple[Status, float | None]:
        if math.isnan(value) or _is_marker(value, self.no_data):
            return Status.NO_DATA, None
        if math.isinf(value) or _is_marker(value, self.over_range):
            return Status.OVER_RANGE, None
        return Status.OK, value * factor

    def _query_all(self) -> list[bytes]:
        if "{element}" not in self.query_text:
            return [self.transport.query_raw(self.query_text)]
        return [
            self.transport.query_raw(self.query_text.format(element=element))
            for element in self._elements
        ]

    def _element_reading(self, element: int, raw: bytes) -> ElementReading:
        parsed = self.parse(raw)
        values = {name: value for name, (_, value) in parsed.items()}
        status = {name: state for name, (state, _) in parsed.items()}
        return ElementReading.from_values(element, values, status)

    def _range_commands(self, kind: str, value: float | None) -> list[str]:
        if value is None:
            auto = self.range_commands[f"{kind}_auto"]
            return [auto] if auto else []
        template = self.range_commands[f"{kind}_range"]
        if not template:
            raise MeterUnavailable(
                f"A fixed {kind} range needs the meter's command for it: set the driver option "
                f"{kind}_range (for example \"{kind.upper()[:4]}:RANG {{value}}\"), or leave the "
                f"{kind} range empty."
            )
        return [template.format(value=f"{value:g}")]

    def _text(
        self, key: str, default: str = "", required: bool = False, allow_empty: bool = True
    ) -> str:
        value = self.options.get(key, default)
        if value is None or (required and not value):
            raise MeterUnavailable(
                f"The scpi-generic driver needs the driver option {key} "
                f"(meters[].options.{key} in the plan)."
            )
        if not isinstance(value, str) or (not allow_empty and not value):
            raise MeterUnavailable(f"The driver option {key} must be a non-empty text.")
        if key.endswith("_range") and value and "{value}" not in value:
            raise MeterUnavailable(
                f"The driver option {key} must contain {{value}} where the range goes."
            )
        return value

    def _fields(self) -> tuple[str, ...]:
        given = self.options.get("fields")
        if not isinstance(given, (list, tuple)) or not given:
            raise MeterUnavailable(
                "The scpi-generic driver needs the driver option fields: a list naming each reply "
                "field in order (watts, volts, amps, pf, wh, or \"\" to skip one)."
            )
        fields = tuple(given)
        unknown = [str(name) for name in fields if name not in QUANTITIES and name != ""]
        if unknown:
            raise MeterUnavailable(
                f"The driver option fields names {', '.join(unknown)}; each field must be one of "
                f"{', '.join(QUANTITIES)} or \"\"."
            )
        named = [name for name in fields if name]
        if len(named) != len(set(named)):
            raise MeterUnavailable("The driver option fields names a quantity twice.")
        if "watts" not in named:
            raise MeterUnavailable("The driver option fields must name the watts field.")
        return fields

    def _scale(self) -> tuple[float, ...]:
        given = self.options.get("scale")
        if given is None:
            return (1.0,) * len(self.fields)
        try:
            scale = tuple(float(value) for value in given)
        except (TypeError, ValueError):
            raise MeterUnavailable(
                "The driver option scale must be a list of numbers, one per field."
            ) from None
        if len(scale) != len(self.fields):
            raise MeterUnavailable(
                f"The driver option scale has {len(scale)} numbers for {len(self.fields)} fields; "
                f"give one per field."
            )
        return scale

    def _setup(self) -> tuple[str, ...]:
        given = self.options.get("setup", [])
        if isinstance(given, str) or not all(isinstance(command, str) for command in given):
            raise MeterUnavailable("The driver option setup must be a list of commands (texts).")
        return tuple(given)

