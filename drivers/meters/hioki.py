"""Hioki PW3335, PW3336 and PW3337 power meters, and update detection by polling.

The meter answers ``:MEASure? U,I,P,PF,WP`` (PW3335) or ``:MEASure? U1,I1,P1,PF1,WP1,U2,...``
(PW3336, PW3337: one set per channel) with the values in the order asked, ``;``-separated, each
optionally preceded by its item name. Special values: +-999.99E+9 over range (display "o.r"),
+-888.88E+9 (+-8888.88E+9 for integrated values) scaling error (display "S.Err"), +-777.77E+9
(+-7777.77E+9) no data.

An update is detected by polling, as no event register bit marking a new data update is
confirmed in the communication manual: the driver asks at twice the meter's update rate (every
100 ms for its fixed 200 ms update) and keeps one reading per update. A reply that differs from
the last one kept is a new update; an unchanged reply is kept once a full update interval has
passed since the last one kept (the meter updated with the same values). The interval's end is
stamped midway between the poll before the change and the reply that showed it.

Errors are read from the standard event status register (``*ESR?``: CME, EXE, DDE, QYE), which
this family uses instead of an error queue.

Resources: LAN as ``TCPIP::192.168.0.10::3300::SOCKET`` (port 3300 is fixed); RS-232 as
``ASRL/dev/ttyUSB0::INSTR``, ``COM3`` or a bare ``/dev/ttyUSB0`` with ``baud_rate`` (and the
other line settings) set as on the meter; GP-IB, on models fitted with it, as ``GPIB0::1::INSTR``.

Command source: "PW3335 Power Meter Communication Command Instruction Manual" PW3335A985-01
(January 2018) and "PW3336/PW3337 Communication Command Instruction Manual" PW3336A987-01.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Callable, ClassVar, Mapping

from .base import (
    ElementReading,
    MeterConfig,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
    Status,
    describe_ranges,
    select_inputs,
)
from .pacing import UpdatePoller
from .scpi import ScpiMeter

OVER_RANGE_VALUE = 999.99e9
SCALING_ERROR_VALUES = (888.88e9, 8888.88e9)
NO_DATA_VALUES = (777.77e9, 7777.77e9)


def classify(token: str) -> tuple[Status, float | None]:
    """The status and value of one measured value; ``ValueError`` if it is not a number."""
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(token)
    size = abs(value)
    if math.isclose(size, OVER_RANGE_VALUE, rel_tol=1e-6):
        return Status.OVER_RANGE, None
    if any(math.isclose(size, code, rel_tol=1e-6) for code in SCALING_ERROR_VALUES):
        return Status.SCALING_ERROR, None
    if any(math.isclose(size, code, rel_tol=1e-6) for code in NO_DATA_VALUES):
        return Status.NO_DATA, None
    return Status.OK, value


def parse_reply(raw: bytes, items: list[str]) -> list[tuple[Status, float | None]]:
    """Every value of a ``:MEASure?`` reply in the order of ``items``; a field may carry its item
    name as a header (``U1 +100.00E+0``). :class:`MeterProtocolError` (with the raw reply) unless
    each field is a number for the item asked."""
    text = raw.decode("ascii", errors="replace").strip()
    fields = [field.strip() for field in text.replace(",", ";").split(";")] if text else []
    if len(fields) != len(items):
        raise MeterProtocolError(
            f"The meter sent {len(fields)} values where {len(items)} were expected.", raw=raw
        )
    parsed = []
    for field, item in zip(fields, items):
        parts = field.split()
        if len(parts) == 2 and parts[0].upper() == item:
            parts = parts[1:]
        try:
            if len(parts) != 1:
                raise ValueError(field)
            parsed.append(classify(parts[0]))
        except ValueError:
            raise MeterProtocolError(
                f"The meter sent {field[:40]!r} where a number for {item} was expected.", raw=raw
            ) from None
    return parsed


_ESR_ERRORS = (  # standard event status register bits: PW3335A985-01 ch. 1 Event Registers (p. 8)
    (32, "command error (CME)"),
    (16, "execution error (EXE)"),
    (8, "device-dependent error (DDE)"),
    (4, "query error (QYE)"),
)


def _number(value: float) -> str:
    return f"{value:g}"


class PW3335(ScpiMeter):
    """Hioki PW3335 (one channel), PW3336 (channels 1, 2) and PW3337 (channels 1 to 3).

    Channels are the elements of :class:`~drivers.meters.base.MeterConfig`. The update rate is
    fixed (200 ms), so ``rate_hz`` becomes 5. ``wh`` is the meter's own integrated active power
    (WP), as its integration was started on the meter; the driver does not start or reset it.
    Driver options: those of :class:`~drivers.meters.scpi.ScpiMeter` (``timeout_ms``,
    ``baud_rate``, ``parity``, ``stop_bits``, ``flow_control``, ...).
    """

    name = "hioki-pw3335"
    models = ("PW3335", "PW3336", "PW3337")
    default_role = "wall"

    # CR+LF both ways (ch. 1 Message Format, p. 2; not confirmed there): a reply ending in LF alone
    # is read as well, as the read stops at LF and the reply is stripped.
    read_termination: ClassVar[str] = "\r\n"
    write_termination: ClassVar[str] = "\r\n"

    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command template                        # source in PW3335A985-01 / PW3336A987-01
        "clear": "*CLS",  # ch. 3, Standard Commands
        "header_off": ":HEADer OFF",  # ch. 3, Standard Commands (HEADer)
        # Not confirmed against the Voltage Range and Current Range sections (ch. 3): these
        # forms follow the family's ":VOLTage1:RANGe 600".
        "voltage_auto": ":VOLTage{channel}:AUTO ON",
        "voltage_range": ":VOLTage{channel}:RANGe {range}",
        "current_auto": ":CURRent{channel}:AUTO ON",
        "current_range": ":CURRent{channel}:RANGe {range}",
        "measure": ":MEASure? {items}",  # ch. 3 (10) Measurement Value Output, p. 68
        "event_status": "*ESR?",  # ch. 3 Standard Commands (p. 32 ff.); ch. 1 Event Registers
    }
    #: (item name, ElementReading field) per channel, in output order (p. 68 item list).
    ITEMS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("U", "volts"),
        ("I", "amps"),
        ("P", "watts"),
        ("PF", "pf"),
        ("WP", "wh"),
    )
    #: Channels by model; the PW3335's items and commands carry no channel number.
    MODEL_CHANNELS: ClassVar[Mapping[str, tuple[int, ...]]] = {
        "PW3335": (1,),
        "PW3336": (1, 2),
        "PW3337": (1, 2, 3),
    }
    #: The fixed data update interval (instruction manuals, Specifications; not in the command
    #: manuals).
    UPDATE_INTERVAL_S: ClassVar[float] = 0.2
    #: Ranges from the instruction manuals' specifications (not confirmed from the command manuals).
    VOLTAGE_RANGES: ClassVar[Mapping[str, tuple[float, ...]]] = {
        "PW3335": (6, 15, 30, 60, 150, 300, 600, 1000),
        "PW3336": (15, 30, 60, 150, 300, 600, 1000),
        "PW3337": (15, 30, 60, 150, 300, 600, 1000),
    }
    CURRENT_RANGES: ClassVar[Mapping[str, tuple[float, ...]]] = {
        "PW3335": (
            0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20
        ),
        "PW3336": (0.2, 0.5, 1, 2, 5, 10, 20, 50),
        "PW3337": (0.2, 0.5, 1, 2, 5, 10, 20, 50),
    }

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._channels: tuple[int, ...] = ()
        self._items: list[str] = []
        self._ranges_text = ""
        self._poller: UpdatePoller | None = None

    def check_errors(self) -> None:
        """Read the standard event status register; :class:`MeterProtocolError` naming each
        error bit set."""
        reply = self.transport.query_raw(self.COMMANDS["event_status"])
        try:
            register = int(reply.decode("ascii", errors="replace").strip())
        except ValueError:
            raise MeterProtocolError(
                f"The meter's event status reply {reply[:40]!r} is not a number.", raw=reply
            ) from None
        found = [text for bit, text in _ESR_ERRORS if register & bit]
        if found:
            raise MeterProtocolError(
                f"The meter at {self.resource} reported {', '.join(found)} (*ESR? {register}). "
                f"Check the ranges and channels asked of this model.",
                raw=reply,
            )

    def configure(self, config: MeterConfig) -> None:
        model = self._model()
        channels = self._check_channels(model, config.elements)
        commands = [self.COMMANDS["clear"], self.COMMANDS["header_off"]]
        commands += self._range_commands(
            model, channels, config.voltage_range, config.current_range
        )
        for command in commands:
            self.transport.write(command)
        self.check_errors()
        suffix = self._suffix(model)
        self._channels = channels
        self._items = [
            f"{item}{suffix(channel)}" for channel in channels for item, _ in self.ITEMS
        ]
        query = self.COMMANDS["measure"].format(items=",".join(self._items))
        self._poller = UpdatePoller(
            lambda: self.transport.query_raw(query), self.UPDATE_INTERVAL_S
        )
        self._ranges_text = describe_ranges(config.voltage_range, config.current_range)
        self.config = replace(config, elements=channels, rate_hz=1.0 / self.UPDATE_INTERVAL_S)

    def _read_update(self) -> Reading:
        if self._poller is None:
            raise MeterProtocolError("The meter must be configured before it is read.")
        raw, end_ns = self._poller.next_update()
        values = parse_reply(raw, self._items)
        per_channel = len(self.ITEMS)
        readings = []
        for position, channel in enumerate(self._channels):
            chunk = values[position * per_channel : (position + 1) * per_channel]
            readings.append(
                ElementReading(
                    element=channel,
                    status={field: state for (_, field), (state, _) in zip(self.ITEMS, chunk)},
                    **{field: value for (_, field), (_, value) in zip(self.ITEMS, chunk)},
                )
            )
        return Reading(
            elements=tuple(readings), raw=raw, ranges=self._ranges_text, end_raw_ns=end_ns
        )

    def _model(self) -> str:
        identity = self.identity or self.identify()
        model = identity.model.upper()
        for known in self.MODEL_CHANNELS:
            if model.startswith(known):
                return known
        raise MeterProtocolError(
            f"The instrument at {self.resource} identifies as {identity.maker} {identity.model}, "
            f"which the {self.name} driver does not cover ({', '.join(self.models)}); choose the "
            f"driver for that model.",
            raw=identity.raw.encode(errors="replace"),
        )

    def _suffix(self, model: str) -> Callable[[int], str]:
        """The channel number as commands and items spell it ("" on the one-channel PW3335)."""
        if len(self.MODEL_CHANNELS[model]) == 1:
            return lambda channel: ""
        return str

    def _check_channels(self, model: str, wanted: tuple[int, ...]) -> tuple[int, ...]:
        available = self.MODEL_CHANNELS[model]
        return select_inputs(model, wanted, available, "channel")

    def _range_commands(
        self,
        model: str,
        channels: tuple[int, ...],
        voltage: float | None,
        current: float | None,
    ) -> list[str]:
        _check_range("voltage", voltage, "V", self.VOLTAGE_RANGES[model], model)
        _check_range("current", current, "A", self.CURRENT_RANGES[model], model)
        suffix = self._suffix(model)
        commands = []
        for channel in channels:
            spelled = suffix(channel)
            if voltage is None:
                commands.append(self.COMMANDS["voltage_auto"].format(channel=spelled))
            else:
                commands.append(
                    self.COMMANDS["voltage_range"].format(channel=spelled, range=_number(voltage))
                )
            if current is None:
                commands.append(self.COMMANDS["current_auto"].format(channel=spelled))
            else:
                commands.append(
                    self.COMMANDS["current_range"].format(channel=spelled, range=_number(current))
                )
        return commands


def _check_range(
    kind: str, value: float | None, unit: str, allowed: tuple[float, ...], model: str
) -> None:
    if value is None or any(math.isclose(value, option, rel_tol=1e-9) for option in allowed):
        return
    choices = ", ".join(_number(option) for option in allowed)
    raise MeterUnavailable(
        f"The {kind} range {_number(value)} {unit} is not one of the {model}'s ranges "
        f"({choices} {unit}); leave it empty for auto range."
    )


