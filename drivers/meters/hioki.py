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

Integration: the ranges cannot be switched until the integrated value is reset, and the meter
refuses range commands while integrating (PW3335A985-01: integration status ``:INTEGrate:STATe?``
START/STOP/RESET, p. 39). Configure therefore asks the integration status first and, where the
meter is integrating or holds an integrated value, refuses with a sentence saying so, unless the
driver option ``reset_integration = true`` lets it stop and reset the integration, which it then
records in :attr:`Meter.setup_notes`.

Over range: the meter sends +-999.99E+9 for a value over its range (display "o.r"), and that is
the over-range signal this driver reads; the peak-over warnings are reported only in the
measurement status data of registered output items (PW3335A985-01 p. 77), which this driver,
asking for its items directly, does not read.

Resources: LAN as ``TCPIP::192.168.0.10::3300::SOCKET`` (port 3300 is fixed); RS-232 as
``ASRL/dev/ttyUSB0::INSTR``, ``COM3`` or a bare ``/dev/ttyUSB0`` with ``baud_rate`` (and the
other line settings) set as on the meter; GP-IB, on models fitted with it, as ``GPIB0::1::INSTR``.

Command source: "PW3335 Power Meter Communication Command Instruction Manual" PW3335A985-01
(January 2018) and "PW3336/PW3337 Communication Command Instruction Manual" PW3336A987-01.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, ClassVar, Mapping

from .accuracy import HIOKI_PW3336, AccuracySpec
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
from .pacing import UpdatePoller
from .scpi import ScpiMeter, SpecialValues, parse_number

OVER_RANGE_VALUE = 999.99e9
SCALING_ERROR_VALUES = (888.88e9, 8888.88e9)
NO_DATA_VALUES = (777.77e9, 7777.77e9)

#: Error data of the measured values (PW3335A985-01 p. 68, "Error Data"); NAN and INF are not
#: values this family sends.
SPECIALS = SpecialValues(over_range=(OVER_RANGE_VALUE,), no_data=NO_DATA_VALUES,
                         scaling_error=SCALING_ERROR_VALUES, rel_tol=1e-6, abs_tol=0.0,
                         finite_only=True)


def classify(token: str) -> tuple[Status, float | None]:
    """The status and value of one measured value; ``ValueError`` if it is not a number."""
    return SPECIALS.classify(token)


def parse_reply(raw: bytes, items: list[str], specials: SpecialValues = SPECIALS,
                over_range_from: float | None = None) -> list[tuple[Status, float | None]]:
    """Every value of a ``:MEASure?`` reply in the order of ``items``; a field may carry its item
    name as a header (``U1 +100.00E+0``). :class:`MeterProtocolError` (with the raw reply) unless
    each field is a number for the item asked. A magnitude of ``over_range_from`` or more is
    taken as over range."""
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
            state, value = specials.classify(parts[0])
        except ValueError:
            raise MeterProtocolError(
                f"The meter sent {field[:40]!r} where a number for {item} was expected.", raw=raw
            ) from None
        if value is not None and over_range_from is not None and abs(value) >= over_range_from:
            state, value = Status.OVER_RANGE, None
        parsed.append((state, value))
    return parsed


class HiokiPowerMeter(ScpiMeter):
    """A Hioki power meter read with directly specified ``:MEASure?`` items and polled for its
    updates. Subclasses fill in the tables."""

    error_query = "*ESR?"  # ch. 3 Standard Commands (p. 32 ff.); ch. 1 Event Registers

    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command template                        # source in PW3335A985-01 / PW3336A987-01
        "header_off": ":HEADer OFF",  # ch. 3, Standard Commands (HEADer)
        # Not confirmed against the Voltage Range and Current Range sections (ch. 3): these
        # forms follow the family's ":VOLTage1:RANGe 300" / ":VOLTage1:RANGe?" (PW8001A964-03
        # 1.2, p. 2).
        "voltage_auto": ":VOLTage{channel}:AUTO ON",
        "voltage_range": ":VOLTage{channel}:RANGe {range}",
        "voltage_range_query": ":VOLTage{channel}:RANGe?",
        "current_auto": ":CURRent{channel}:AUTO ON",
        "current_range": ":CURRent{channel}:RANGe {range}",
        "current_range_query": ":CURRent{channel}:RANGe?",
        "integration_state": ":INTEGrate:STATe?",  # PW3335A985-01 p. 39: START/STOP/RESET
        "integration_stop": ":INTEGrate:STATe STOP",  # p. 39
        "integration_reset": ":INTEGrate:STATe RESET",  # p. 39
        "measure": ":MEASure? {items}",  # ch. 3 (10) Measurement Value Output, p. 68
    }
    #: (item name, ElementReading field) per channel, in output order (p. 68 item list).
    ITEMS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("U", "volts"),
        ("I", "amps"),
        ("P", "watts"),
        ("PF", "pf"),
        ("WP", "wh"),
    )
    #: Channels by model; a one-channel model's items and commands carry no channel number.
    MODEL_CHANNELS: ClassVar[Mapping[str, tuple[int, ...]]] = {}
    #: The fixed data update interval, seconds.
    UPDATE_INTERVAL_S: ClassVar[float] = 0.2
    VOLTAGE_RANGES: ClassVar[Mapping[str, tuple[float, ...]]] = {}
    CURRENT_RANGES: ClassVar[Mapping[str, tuple[float, ...]]] = {}
    ACCURACY: ClassVar[Mapping[str, AccuracySpec]] = {}
    #: Error data of the measured values, and a magnitude from which a value is over range.
    SPECIALS: ClassVar[SpecialValues] = SPECIALS
    OVER_RANGE_FROM: ClassVar[float | None] = None

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._channels: tuple[int, ...] = ()
        self._items: list[str] = []
        self._ranges: tuple[ElementRange, ...] = ()
        self._ranges_text = ""
        self._poller: UpdatePoller | None = None
        self._model: str | None = None
        self.reset_integration = bool(options.get("reset_integration", False))
        self.update_interval_s = self.UPDATE_INTERVAL_S

    # --- tables -----------------------------------------------------------------------------

    def voltage_ranges(self, element: int = 1) -> tuple[float, ...]:
        return tuple(sorted(self.VOLTAGE_RANGES.get(self._model or self._model_key(), ())))

    def current_ranges(self, element: int = 1) -> tuple[float, ...]:
        return tuple(sorted(self.CURRENT_RANGES.get(self._model or self._model_key(), ())))

    def maker_accuracy(self, element: int = 1) -> AccuracySpec | None:
        return self.ACCURACY.get(self._model or self._model_key())

    # --- configure ----------------------------------------------------------------------------

    def configure(self, config: MeterConfig) -> None:
        model = self._model_key()
        channels = select_inputs(model, config.elements, self.MODEL_CHANNELS[model], "channel")
        voltage = self.resolve_range("voltage", config.voltage_range, channels)
        current = self.resolve_range("current", config.current_range, channels)
        self.setup_notes = []
        self.clear_status()
        self.transport.write(self.COMMANDS["header_off"])
        self._settle_integration(model)
        for command in self._range_commands(model, channels, voltage, current):
            self.transport.write(command)
        self.check_errors()
        suffix = self._suffix(model)
        self._channels = channels
        self._items = [
            f"{item}{suffix(channel)}" for channel in channels for item, _ in self.ITEMS
        ]
        query = self.COMMANDS["measure"].format(items=",".join(self._items))
        self._poller = UpdatePoller(
            lambda: self.transport.query_raw(query), self.update_interval_s
        )
        self._ranges = tuple(
            ElementRange(channel,
                         None if voltage is None else self._range_reply("voltage", model, channel),
                         None if current is None else self._range_reply("current", model, channel))
            for channel in channels)
        self._ranges_text = describe_element_ranges(self._ranges)
        self.config = replace(config, elements=channels, rate_hz=1.0 / self.update_interval_s,
                              voltage_range=voltage, current_range=current)

    def _settle_integration(self, model: str) -> None:
        """Refuse to touch the ranges of an integrating meter unless told to reset it."""
        state = self.transport.query(self.COMMANDS["integration_state"]).strip().upper()
        if state.split()[-1:] == ["RESET"]:
            return
        if state.split()[-1:] not in (["START"], ["STOP"]):
            raise MeterProtocolError(
                f"The meter's integration status reply {state[:40]!r} is not START, STOP or "
                f"RESET.", raw=state.encode(errors="replace"))
        running = state.endswith("START")
        if not self.reset_integration:
            doing = "is integrating" if running else "holds a stopped integration"
            raise MeterUnavailable(
                f"The {model} at {self.resource} {doing}; its ranges cannot be changed until the "
                f"integrated value is reset. Reset the integration on the meter, or set "
                f"meters[].options.reset_integration = true to let the run stop and reset it "
                f"(the integrated value on the meter is then lost).")
        if running:
            self.transport.write(self.COMMANDS["integration_stop"])
        self.transport.write(self.COMMANDS["integration_reset"])
        self.setup_notes.append(
            f"The {model}'s integration was {'running' if running else 'stopped'} with a value; "
            f"it was {'stopped and ' if running else ''}reset so that its ranges could be set "
            f"(meters[].options.reset_integration).")

    def _range_reply(self, kind: str, model: str, channel: int) -> float:
        query = self.COMMANDS[f"{kind}_range_query"].format(channel=self._suffix(model)(channel))
        return parse_number(self.transport.query(query), f"{kind} range")

    def _read_update(self) -> Reading:
        if self._poller is None:
            raise MeterProtocolError("The meter must be configured before it is read.")
        raw, end_ns = self._poller.next_update()
        values = parse_reply(raw, self._items, self.SPECIALS, self.OVER_RANGE_FROM)
        per_channel = len(self.ITEMS)
        readings = []
        for position, channel in enumerate(self._channels):
            chunk = values[position * per_channel : (position + 1) * per_channel]
            readings.append(
                ElementReading.from_fields(channel, [field for _, field in self.ITEMS], chunk))
        return Reading(elements=tuple(readings), raw=raw, ranges=self._ranges_text,
                       end_raw_ns=end_ns, element_ranges=self._ranges)

    def _model_key(self) -> str:
        self._model = self.model_key(self.MODEL_CHANNELS)
        return self._model

    def _suffix(self, model: str) -> Callable[[int], str]:
        """The channel number as commands and items spell it ("" on a one-channel model)."""
        if len(self.MODEL_CHANNELS[model]) == 1:
            return lambda channel: ""
        return str

    def _range_commands(
        self,
        model: str,
        channels: tuple[int, ...],
        voltage: float | None,
        current: float | None,
    ) -> list[str]:
        suffix = self._suffix(model)
        commands = []
        for channel in channels:
            spelled = suffix(channel)
            if voltage is None:
                commands.append(self.COMMANDS["voltage_auto"].format(channel=spelled))
            else:
                commands.append(self.COMMANDS["voltage_range"].format(
                    channel=spelled, range=number_text(voltage)))
            if current is None:
                commands.append(self.COMMANDS["current_auto"].format(channel=spelled))
            else:
                commands.append(self.COMMANDS["current_range"].format(
                    channel=spelled, range=number_text(current)))
        return commands


class PW3335(HiokiPowerMeter):
    """Hioki PW3335 (one channel), PW3336 (channels 1, 2) and PW3337 (channels 1 to 3).

    Channels are the elements of :class:`~drivers.meters.base.MeterConfig`. The update rate is
    fixed (200 ms), so ``rate_hz`` becomes 5. ``wh`` is the meter's own integrated active power
    (WP), as its integration was started on the meter; the driver does not start it. Driver
    options: those of :class:`~drivers.meters.scpi.ScpiMeter` (``timeout_ms``, ``baud_rate``,
    ``parity``, ``stop_bits``, ``flow_control``, ...) and ``reset_integration`` (see above).
    """

    name = "hioki-pw3335"
    models = ("PW3335", "PW3336", "PW3337")
    default_role = "wall"

    # CR+LF both ways (ch. 1 Message Format, p. 2; not confirmed there): a reply ending in LF alone
    # is read as well, as the read stops at LF and the reply is stripped.
    read_termination: ClassVar[str] = "\r\n"
    write_termination: ClassVar[str] = "\r\n"

    MODEL_CHANNELS = {
        "PW3335": (1,),
        "PW3336": (1, 2),
        "PW3337": (1, 2, 3),
    }
    #: The fixed data update interval (instruction manuals, Specifications: 200 ms; not in the
    #: command manuals).
    UPDATE_INTERVAL_S = 0.2
    #: Ranges from the instruction manuals' specifications (not confirmed from the command manuals).
    VOLTAGE_RANGES = {
        "PW3335": (6, 15, 30, 60, 150, 300, 600, 1000),
        "PW3336": (15, 30, 60, 150, 300, 600, 1000),
        "PW3337": (15, 30, 60, 150, 300, 600, 1000),
    }
    CURRENT_RANGES = {
        "PW3335": (
            0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20
        ),
        "PW3336": (0.2, 0.5, 1, 2, 5, 10, 20, 50),
        "PW3337": (0.2, 0.5, 1, 2, 5, 10, 20, 50),
    }
    #: PW3336/PW3337 specifications (see :data:`~drivers.meters.accuracy.HIOKI_PW3336`); the
    #: PW3335's own table is not in the stored sources.
    ACCURACY = {"PW3336": HIOKI_PW3336, "PW3337": HIOKI_PW3336}


#: PW8001 error data: the family's values (PW3335A985-01 p. 68), and, as the PW8001's own are not
#: in the stored pages of its manual, any magnitude of 1E30 or more (no power reading is that
#: large) is taken as over range rather than as a number.
PW8001_SPECIALS = SpecialValues(over_range=(OVER_RANGE_VALUE,), no_data=NO_DATA_VALUES,
                                scaling_error=SCALING_ERROR_VALUES, rel_tol=1e-6, abs_tol=0.0,
                                finite_only=False)


class PW8001(HiokiPowerMeter):
    """Hioki PW8001 power analyzer (up to eight channels), over LAN (``TCPIP::<ip>::23::SOCKET``:
    the command port is TCP 23, PW8001A964-03 1.1, p. 1), USB or GP-IB.

    Source. Hioki's "PW8001 Communication Command Instruction Manual" PW8001A964-03 is found in
    the stored pages, but only its opening section is readable there (1.1 Communication Method,
    p. 1: SCPI, port 23; 1.2 Message Format, p. 2: ``:VOLTAGE1:RANGE 300`` sets and
    ``:VOLTAGE1:RANGE?`` answers ``300``). Everything else is the Hioki family's command set as
    printed in PW3335A985-01 (``*CLS``, ``*ESR?``, ``:HEADer OFF``, directly specified
    ``:MEASure?`` items and their error data, ``:INTEGrate:STATe?``) and the PW3390's item
    names (``U1``, ``I1``, ``P1``, ``PF1``, ``WP1``); each such row is marked "not confirmed for
    the PW8001". Check them on a meter with tests/test_real_meter.py before relying on them.

    The data update rate is set on the meter; the driver does not set it (its command is not in
    the readable pages): give it as the driver option ``update_interval_s`` (0.2 s unless
    given), and the driver polls for one reading per update at that interval. Ranges: the
    driver has no range table (the ranges depend on the input modules and sensors fitted); a
    fixed range is sent as given and read back, and the meter refuses one it lacks.
    """

    name = "hioki-pw8001"
    models = ("PW8001",)
    default_role = "wall"

    read_termination: ClassVar[str] = "\n"  # replies are stripped of a CR before the LF
    write_termination: ClassVar[str] = "\r\n"  # not confirmed for the PW8001

    COMMANDS: ClassVar[Mapping[str, str]] = {
        **HiokiPowerMeter.COMMANDS,
        # PW8001A964-03 1.2, p. 2 (confirmed): channel-numbered range setting and query.
        "voltage_range": ":VOLTage{channel}:RANGe {range}",
        "voltage_range_query": ":VOLTage{channel}:RANGe?",
        # Not confirmed for the PW8001: the family's forms.
        "voltage_auto": ":VOLTage{channel}:AUTO ON",
        "current_auto": ":CURRent{channel}:AUTO ON",
        "current_range": ":CURRent{channel}:RANGe {range}",
        "current_range_query": ":CURRent{channel}:RANGe?",
    }
    MODEL_CHANNELS = {"PW8001": (1, 2, 3, 4, 5, 6, 7, 8)}
    UPDATE_INTERVAL_S = 0.2
    SPECIALS = PW8001_SPECIALS
    OVER_RANGE_FROM = 1e30

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        interval = float(options.get("update_interval_s", self.UPDATE_INTERVAL_S))
        if not interval > 0:
            raise MeterUnavailable(
                f"The option update_interval_s must be above 0 s (got {interval}).")
        self.update_interval_s = interval

    def _suffix(self, model: str) -> Callable[[int], str]:
        return str  # every PW8001 command and item names its channel
