"""The power meter driver interface.

A driver talks to one instrument (or one software power source) and turns its answers into typed
readings and typed errors. It never decides what a run means. ``read()`` blocks until the meter's
next update and returns one :class:`Reading` for it; the caller stamps it on the session clock.
"""
from __future__ import annotations

import abc
import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence


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

    @property
    def flags(self) -> list[str]:
        """Names of the non-OK states, e.g. ``["watts:over_range"]``."""
        return [f"{k}:{v.value}" for k, v in sorted(self.status.items()) if v is not Status.OK]


@dataclass(frozen=True)
class Reading:
    """One meter update: a value per configured element, plus the raw reply."""

    elements: tuple[ElementReading, ...]
    raw: bytes = b""
    ranges: str = ""  # ranges in effect, as text, journaled with the reading
    end_raw_ns: int | None = None  # end of the interval in raw perf_counter_ns, where the driver knows it


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


@dataclass(frozen=True)
class MeterConfig:
    """What a run asks of a meter."""

    elements: tuple[int, ...] = (1,)
    rate_hz: float = 10.0
    voltage_range: float | None = None  # None = auto
    current_range: float | None = None  # None = auto
    options: dict[str, Any] = field(default_factory=dict)


class Meter(abc.ABC):
    """A power meter. Subclasses set ``name`` and ``models``, and the facts a plan is checked
    against where they differ from an analyzer's."""

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
        """The length of one update interval."""
        return 1.0 / self.config.rate_hz

    def __enter__(self) -> "Meter":
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
