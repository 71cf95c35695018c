"""The power meter driver interface.

A driver talks to one instrument (or one software power source) and turns its answers into typed
readings and typed errors. It never decides what a run means. ``read()`` blocks until the meter's
next update and returns one :class:`Reading` for it; the caller stamps it on the session clock.

What the engine relies on, for every driver:

- after :meth:`Meter.configure`, ``meter.config.rate_hz`` (and ``meter.update_period_s``) is the
  update rate the instrument was actually set to (read back where the protocol allows, else the
  make's fixed period), never merely the rate the plan asked for;
- every :class:`Reading` carries, per element, the ranges it was taken on
  (:attr:`Reading.element_ranges`, volts and amperes, ``None`` where auto or not known);
- :meth:`Meter.voltage_ranges` / :meth:`Meter.current_ranges` give the model's range tables and
  :meth:`Meter.range_for` the smallest table range that holds a value;
- :meth:`Meter.accuracy` gives the maker's accuracy table for an element, or ``None`` with
  :meth:`Meter.accuracy_reason` saying why;
- :meth:`Meter.before_window` / :meth:`Meter.after_window` are called around each measured
  window and return what they did, for the journal.
"""
from __future__ import annotations

import abc
import enum
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Mapping, Sequence

from .accuracy import AccuracySpec, spec_from_option


class Status(str, enum.Enum):
    """The state of one measured value, as the instrument reports it."""

    OK = "ok"
    OVER_RANGE = "over_range"
    NO_DATA = "no_data"
    SCALING_ERROR = "scaling_error"
    MISSING = "missing"  # the update was missed (no reply in time); never caught up


class MeterError(Exception):
    """Base of every meter error; ``raw`` holds the bytes involved, if any."""

    def __init__(self, message: str, raw: bytes = b""):
        super().__init__(message)
        self.raw = raw


class MeterTimeout(MeterError):
    """The meter did not answer in time."""


class MeterDisconnected(MeterError):
    """The connection to the meter is gone."""


class MeterProtocolError(MeterError):
    """The meter answered something that cannot be parsed, or reported an error."""


class MeterUnavailable(MeterError):
    """The meter's library, tool, permission or connection is missing; the message says which."""


@dataclass(frozen=True)
class Identity:
    """The witness record of an instrument."""

    maker: str
    model: str
    serial: str = ""
    firmware: str = ""
    raw: str = ""


@dataclass(frozen=True)
class ElementReading:
    """Values of one input element over one update interval. ``None`` where not measured or not a
    number; ``status`` maps each quantity name (``watts``, ``volts``, ``amps``, ``pf``, ``wh``) to
    its :class:`Status`. ``extra`` holds further numbers a source reports beside them, named with
    their unit (e.g. ``{"temp_c_core0": 41.0, "clock_mhz_core0": 1000.0, "throttling": 0.0}``)."""

    element: int
    watts: float | None = None
    volts: float | None = None
    amps: float | None = None
    pf: float | None = None
    wh: float | None = None
    status: dict[str, Status] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)

    QUANTITIES: ClassVar[tuple[str, ...]] = ("watts", "volts", "amps", "pf", "wh")

    @classmethod
    def from_values(cls, element: int, values: Mapping[str, float | None],
                    status: Mapping[str, Status],
                    extra: Mapping[str, float] | None = None) -> "ElementReading":
        """An element from values and statuses keyed by quantity name (``watts``, ...);
        ``ValueError`` for a name that is not one of :attr:`QUANTITIES`."""
        unknown = set(values) - set(cls.QUANTITIES)
        if unknown:
            raise ValueError(f"not a quantity: {', '.join(sorted(unknown))}")
        return cls(element=element, watts=values.get("watts"), volts=values.get("volts"),
                   amps=values.get("amps"), pf=values.get("pf"), wh=values.get("wh"),
                   status=dict(status), extra=dict(extra or {}))

    @classmethod
    def from_fields(cls, element: int, names: Sequence[str],
                    fields: Sequence[tuple[Status, float | None]],
                    extra: Mapping[str, float] | None = None) -> "ElementReading":
        """An element from parsed ``(status, value)`` fields named in order by ``names``."""
        return cls.from_values(element, {n: v for n, (_, v) in zip(names, fields)},
                               {n: s for n, (s, _) in zip(names, fields)}, extra)

    @property
    def flags(self) -> list[str]:
        """Names of the non-OK states, e.g. ``["watts:over_range"]``."""
        return [f"{k}:{v.value}" for k, v in sorted(self.status.items()) if v is not Status.OK]


@dataclass(frozen=True)
class ElementRange:
    """The ranges one element's values were taken on: volts and amperes, ``None`` where the meter
    ran at auto range and did not say which range it used, or the range is otherwise not known.
    ``crest_factor`` is the crest factor the ranges belong to where the meter reports it (3, 6),
    ``None`` where not known; makers double the range error at crest factor 6."""

    element: int
    voltage_v: float | None = None
    current_a: float | None = None
    crest_factor: float | None = None

    @property
    def known(self) -> bool:
        """Whether both ranges are known (a reading taken on a known, fixed range)."""
        return self.voltage_v is not None and self.current_a is not None

    @property
    def power_range_w(self) -> float | None:
        """The power range (voltage range x current range), where both are known."""
        if self.voltage_v is None or self.current_a is None:
            return None
        return self.voltage_v * self.current_a


@dataclass(frozen=True)
class Reading:
    """One meter update: a value per configured element, plus the raw reply."""

    elements: tuple[ElementReading, ...]
    raw: bytes = b""
    ranges: str = ""  # ranges in effect, as text, journaled with the reading
    end_raw_ns: int | None = None  # end of the interval in raw perf_counter_ns, where the driver knows it
    element_ranges: tuple[ElementRange, ...] = ()  # the same ranges, per element, as numbers

    def range_of(self, element: int) -> ElementRange:
        """The ranges ``element`` was read on; an all-unknown :class:`ElementRange` where the
        driver did not say."""
        for entry in self.element_ranges:
            if entry.element == element:
                return entry
        return ElementRange(element)


def select_inputs(model: str, wanted: Sequence[int], available: Sequence[int],
                  noun: str = "channel") -> tuple[int, ...]:
    """The inputs asked for, once each and in order; :class:`MeterUnavailable` naming those the
    model lacks (``noun``: "channel", or "element" for makers that say so)."""
    inputs = tuple(dict.fromkeys(int(i) for i in wanted))
    missing = [i for i in inputs if i not in available]
    if not inputs or missing:
        raise MeterUnavailable(
            f"The {model} has {'input elements' if noun == 'element' else noun + 's'} "
            f"{', '.join(map(str, available))}; {noun} "
            f"{', '.join(map(str, missing)) or '(none)'} cannot be read. Set "
            f"meters[].element to {noun}s it has."
        )
    return inputs


def describe_ranges(voltage: float | None, current: float | None) -> str:
    """The ranges in effect as journaled with each reading, e.g. ``"U=300V I=auto"``."""
    volts = "auto" if voltage is None else f"{voltage:g}V"
    amps = "auto" if current is None else f"{current:g}A"
    return f"U={volts} I={amps}"


def describe_element_ranges(ranges: Sequence[ElementRange]) -> str:
    """The journal text of per-element ranges: ``"U=300V I=0.5A"`` when every element has the
    same, else ``"1: U=300V I=0.5A; 2: U=150V I=auto"``."""
    texts = [describe_ranges(r.voltage_v, r.current_a) for r in ranges]
    if not texts:
        return ""
    if len(set(texts)) == 1:
        return texts[0]
    return "; ".join(f"{r.element}: {text}" for r, text in zip(ranges, texts))


def number_text(value: float) -> str:
    """A number as commands and messages spell it (``150``, ``0.5``, ``2.5e-03``)."""
    return f"{value:g}"


def smallest_range(value: float, table: Sequence[float]) -> float | None:
    """The smallest range of ``table`` that holds ``value`` (by magnitude), ``None`` when none
    does or ``value`` is not a finite number. A value equal to a range is held by it."""
    if not math.isfinite(value):
        return None
    size = abs(value)
    holding = [r for r in table if r >= size or math.isclose(r, size, rel_tol=1e-9)]
    return min(holding) if holding else None


def table_range(value: float, table: Sequence[float]) -> float | None:
    """The entry of ``table`` equal to ``value`` (to 1e-9 relative), ``None`` if there is none."""
    for entry in table:
        if math.isclose(value, entry, rel_tol=1e-9):
            return entry
    return None


@dataclass(frozen=True)
class MeterConfig:
    """What a run asks of a meter."""

    elements: tuple[int, ...] = (1,)
    rate_hz: float = 10.0
    voltage_range: float | None = None  # None = auto
    current_range: float | None = None  # None = auto
    options: dict[str, Any] = field(default_factory=dict)


RangeKind = Literal["voltage", "current"]


class Meter(abc.ABC):
    """A power meter. Subclasses set ``name``, ``models`` and ``default_role``, and where the
    instrument has them, its range tables and accuracy tables (see the methods below)."""

    name: ClassVar[str] = ""
    models: ClassVar[Sequence[str]] = ()
    default_role: ClassVar[str] = "wall"
    """``wall`` (summed into the measured power) or ``auxiliary`` (recorded, never summed)."""
    needs_resource: ClassVar[bool] = True
    """Whether the plan must name the instrument's resource (a VISA address or serial port)."""
    gives_power: ClassVar[bool] = True
    """Whether readings carry watts; a channel without power can only be auxiliary."""

    def __init__(self, resource: str = "", **options: Any):
        self.resource = resource
        self.options = options
        self.config = MeterConfig()
        self.setup_notes: list[str] = []
        """What the last :meth:`configure` did beyond what was asked, one sentence each, for
        the journal (e.g. an integration it had to reset); empty when nothing."""
        self._given_accuracy: AccuracySpec | None = None
        if options.get("accuracy") is not None:
            try:
                self._given_accuracy = spec_from_option(options["accuracy"],
                                                        "meters[].options.accuracy")
            except ValueError as exc:
                raise MeterUnavailable(str(exc)) from None

    @abc.abstractmethod
    def open(self) -> None:
        """Connect; raises :class:`MeterUnavailable` or :class:`MeterTimeout` with a plain message."""

    @abc.abstractmethod
    def identify(self) -> Identity:
        """Maker, model, serial and firmware."""

    @abc.abstractmethod
    def configure(self, config: MeterConfig) -> None:
        """Set elements, update rate and ranges; checks the error queue afterwards."""

    @abc.abstractmethod
    def read(self) -> Reading:
        """Block until the next update and return it."""

    @abc.abstractmethod
    def close(self) -> None:
        """Let go of the instrument. Safe to call twice."""

    @property
    def update_period_s(self) -> float:
        """The length of one update interval: ``1 / config.rate_hz``, the rate the instrument was
        set to by :meth:`configure`."""
        return 1.0 / self.config.rate_hz

    # --- ranges ---------------------------------------------------------------------------

    def voltage_ranges(self, element: int = 1) -> tuple[float, ...]:
        """The voltage ranges, in volts, of the identified model's ``element`` (every crest
        factor), ascending; ``()`` where the driver has no table (then any value is passed to
        the meter, which refuses what it lacks)."""
        return ()

    def current_ranges(self, element: int = 1) -> tuple[float, ...]:
        """The current ranges, in amperes, of the identified model's ``element``, ascending;
        ``()`` where the driver has no table."""
        return ()

    def range_table(self, kind: RangeKind, element: int = 1) -> tuple[float, ...]:
        """:meth:`voltage_ranges` or :meth:`current_ranges`."""
        return self.voltage_ranges(element) if kind == "voltage" else self.current_ranges(element)

    def range_for(self, kind: RangeKind, value: float, element: int = 1) -> float | None:
        """The smallest range of this model's table for ``kind`` that holds ``value`` (volts or
        amperes), ``None`` when none does or there is no table. The ranging pass uses this to
        turn the highest values seen into fixed ranges."""
        return smallest_range(value, self.range_table(kind, element))

    def resolve_range(self, kind: RangeKind, value: float | None, elements: Sequence[int] = (1,)
                      ) -> float | None:
        """The range to set for ``value``: ``None`` (auto) stays ``None``; a value of the table is
        kept; any other value becomes the smallest table range that holds it. Raises
        :class:`MeterUnavailable` with the table when none holds it. Without a table the value
        is passed on as given."""
        if value is None:
            return None
        unit = "V" if kind == "voltage" else "A"
        if not (math.isfinite(value) and value > 0):
            raise MeterUnavailable(f"The {kind} range must be a number above 0 {unit} "
                                   f"(got {value}).")
        chosen: float | None = None
        for element in elements:
            table = self.range_table(kind, element)
            if not table:
                return value
            fit = table_range(value, table) or smallest_range(value, table)
            if fit is None:
                choices = ", ".join(number_text(r) for r in table)
                raise MeterUnavailable(
                    f"No {kind} range of the {self._model_name()} holds {number_text(value)} "
                    f"{unit} (its ranges: {choices} {unit}); check the input, or use a meter or "
                    f"sensor for larger values.")
            chosen = fit if chosen is None else max(chosen, fit)
        return chosen

    def _model_name(self) -> str:
        identity = getattr(self, "identity", None)
        return identity.model if isinstance(identity, Identity) else (self.name or "meter")

    # --- accuracy -------------------------------------------------------------------------

    def accuracy(self, element: int = 1) -> AccuracySpec | None:
        """The accuracy specification for power on ``element`` of the identified model (see
        :mod:`drivers.meters.accuracy`), or ``None`` where it is not known;
        :meth:`accuracy_reason` then says why. A table the lab gives with the driver option
        ``accuracy`` (see :func:`drivers.meters.accuracy.spec_from_option`) comes before the
        maker's table shipped with the driver."""
        if self._given_accuracy is not None:
            return self._given_accuracy
        return self.maker_accuracy(element)

    def maker_accuracy(self, element: int = 1) -> AccuracySpec | None:
        """The maker's table as shipped with the driver (``None``: not known)."""
        return None

    def accuracy_reason(self, element: int = 1) -> str:
        """Why :meth:`accuracy` is ``None`` (``""`` when it is not)."""
        if self.accuracy(element) is not None:
            return ""
        return (f"the {self.name} driver has no accuracy table for the {self._model_name()} "
                f"taken from its maker's specification; give it with meters[].options.accuracy "
                f"to get an uncertainty")

    # --- the measured window --------------------------------------------------------------

    def before_window(self) -> str:
        """Called by the engine just before a point's measured window opens. Prepares the meter
        for an uninterrupted window (e.g. zeroes it and holds its auto-zero off) and returns
        a short text for the journal of what it did; ``""`` when nothing."""
        return ""

    def after_window(self) -> str:
        """Called by the engine after a point's measured window closes; undoes what
        :meth:`before_window` did and returns a short text for the journal; ``""`` when
        nothing."""
        return ""

    def __enter__(self) -> "Meter":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
