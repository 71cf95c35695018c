"""Tektronix PA1000 and PA3000 power analyzers.

The analyzer returns the results on its selection list (``:SEL:...``), in the order they were
selected, to ``:FRD?``. A finished update sets bit 1 (NDV, new data available) of the display data
status register; bits 3 (OVA) and 4 (OVV) report a current or voltage range overload. With those
bits enabled through ``:DSE``, ``:DSR?`` returns them and clears the register, so the driver polls
``:DSR?`` until NDV is set, then reads ``:FRD?``. Over Ethernet (socket port 5025) the analyzer
answers every command that is not a query with an empty line, which the driver reads; over USB-TMC
and GPIB it answers queries only and wants half a second between configuring commands.

Auto-zero: the analyzer zeroes itself about once a minute and gives no new results for about a
second while it does (PM1000+ command list, note under "Returning Results Repeatedly": "the
running of auto-zero, which happens every 1 minute, will result in no new results for
approximately 1 second ... auto-zero can be disabled"), so a window longer than a minute would
lose updates. :meth:`PA1000.before_window` turns auto-zero off (``:SYST:ZERO 0``) just before a
measured window and :meth:`PA1000.after_window` turns it on again (``:SYST:ZERO 1``), so the
analyzer zeroes between windows and never inside one; each says so for the journal. The command
set has no "zero now" command, so the zero in effect during a window is the last automatic one,
taken within the minute before the window while auto-zero was on. The PA3000 specifications
state its accuracy with "A/D autozero enabled" (PA3000 specifications, conditions 3): a lab that
needs the strict condition sets the driver option ``hold_auto_zero = false`` and keeps windows
under a minute.

Command sources: Tektronix "PA3000 Power Analyzer User Manual" (status reporting, p. 63-64, tables
10-12; IEEE 488.2 commands, p. 67; measurement selection and reading commands, p. 70 on; sending
and receiving commands, p. 96) and the Voltech "PM1000+ Power Analyzer User Manual" from which the
PA1000 command set descends (command list and communications examples, p. 47-52). The PA1000 user
manual is not cited page by page; the commands below are the ones both sources and published PA1000
client programs agree on.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any, ClassVar, Mapping, Sequence

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
from .scpi import SCPI_SPECIALS, ScpiMeter, parse_integer, wait_for_bit

#: Bits of the display data status register (PA3000 manual p. 64, table 11).
NDV = 0x02  # new data available since the last :DSR?
OVA = 0x08  # current range overload
OVV = 0x10  # voltage range overload

class PA1000(ScpiMeter):
    """Tektronix PA1000 (one channel) and PA3000 (up to four channels).

    The PA3000's ``:FRD?`` is read as the selected results channel after channel (channel 1
    first); that order is not confirmed by a manual page, and a reply whose length does not fit it
    is refused as a protocol error. Resources: ``TCPIP::<ip>::5025::SOCKET`` (Ethernet), ``USB0::...::INSTR`` (USB-TMC) or a GPIB
    address. Driver options, besides those of :class:`ScpiMeter`:

    - ``integrate`` (False): put the analyzer in integrator mode, reset and start its own
      integration at configure and read its watt-hours (``:SEL:WHR``); stopped on close.
    - ``voltage_ranges`` / ``current_ranges``: the analyzer's range list in volts / amperes, in
      the order of its range numbers (range 1 first), as printed in its manual or range menu. A
      fixed range in the plan is sent as the number of that range (``:RNG:VLT:FIX <n>``); without
      the list only auto range can be used.
    - ``acknowledged`` (True for socket resources): the analyzer answers each command with an
      empty line (Ethernet); False for USB-TMC and GPIB.
    - ``command_delay_s`` (0.5 without acknowledgements, else 0): pause after each configuring
      command, as the manual asks when there is no flow control.
    - ``hold_auto_zero`` (True): turn auto-zero off for each measured window (see above).
    """

    name = "tektronix-pa1000"
    models = ("PA1000", "PA3000")
    default_role = "wall"

    error_query = "*ESR?"  # PA3000 manual p. 67; no SCPI error queue
    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command template                  # source
        "clear_status": "*CLS",  # PA3000 p. 67: clears all event registers and queues
        "select_clear": ":SEL:CLR",  # PA3000 p. 70 on; PM1000+ p. 47 "clears all results"
        "blanking_off": ":BLK:DIS",  # PM1000+ command list: disables blanking of small results
        "mode_normal": ":MOD:NOR",  # PM1000+ command list: normal mode
        "mode_integrate": ":MOD:INT",  # PM1000+ command list: integrator mode
        "integrate_manual": ":INT:START 0",  # PM1000+ command list: manual start method
        "integrate_reset": ":INT:RESET",  # PM1000+ command list
        "integrate_run": ":INT:MAN:RUN",  # PM1000+ command list
        "integrate_stop": ":INT:MAN:STOP",  # PM1000+ command list
        "voltage_auto": ":RNG:VLT:AUT",  # PM1000+ command list
        "voltage_fixed": ":RNG:VLT:FIX {number}",  # PM1000+ command list: range number
        "current_auto": ":RNG:AMP:AUT",  # PM1000+ command list
        "current_fixed": ":RNG:AMP:FIX {number}",  # PM1000+ command list: range number
        "voltage_range_query": ":RNG:VLT?",  # PM1000+ command list: the range number
        "current_range_query": ":RNG:AMP?",  # PM1000+ command list: the range number
        "auto_zero_off": ":SYST:ZERO 0",  # PM1000+ command list: auto zero disabled
        "auto_zero_on": ":SYST:ZERO 1",  # PM1000+ command list: auto zero enabled
        "status_enable": ":DSE {mask}",  # PA3000 p. 64, table 12
        "status_register": ":DSR?",  # PA3000 p. 64: read clears the register
        "values": ":FRD?",  # PA3000 p. 70 on; PM1000+ p. 47-48
    }
    #: (selection command, ElementReading field) in output order; PA3000 p. 70 on, PM1000+ list.
    ITEMS: ClassVar[tuple[tuple[str, str], ...]] = (
        (":SEL:WAT", "watts"),
        (":SEL:VLT", "volts"),
        (":SEL:AMP", "amps"),
        (":SEL:PWF", "pf"),
    )
    ENERGY_ITEM: ClassVar[tuple[str, str]] = (":SEL:WHR", "wh")
    #: Channels by model.
    MODEL_ELEMENTS: ClassVar[Mapping[str, tuple[int, ...]]] = {
        "PA1000": (1,),
        "PA3000": (1, 2, 3, 4),
    }
    #: The analyzer updates its results about every 0.5 s (PM1000+ p. 47); it has no rate setting.
    UPDATE_INTERVAL_S: ClassVar[float] = 0.5
    #: Quantities spoiled by each overload bit.
    OVERLOAD: ClassVar[Mapping[int, tuple[str, ...]]] = {
        OVV: ("watts", "volts", "pf", "wh"),
        OVA: ("watts", "amps", "pf", "wh"),
    }

    SIM_UPDATE_SIGNAL: ClassVar[tuple[str, int] | None] = (":DSR?", NDV)

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self.hold_auto_zero = bool(options.get("hold_auto_zero", True))
        self._auto_zero_held = False
        self.acknowledged = bool(
            options.get("acknowledged", self.transport.visa_name.upper().endswith("::SOCKET"))
        )
        default_delay = 0.0 if self.acknowledged else 0.5
        self.command_delay_s = float(options.get("command_delay_s", default_delay))
        self._voltage_ranges = self._range_list("voltage_ranges")
        self._current_ranges = self._range_list("current_ranges")
        self._items: tuple[tuple[str, str], ...] = ()
        self._elements: tuple[int, ...] = ()
        self._single_channel = True
        self._ranges: tuple[ElementRange, ...] = ()
        self._ranges_text = ""
        self._integrating = False

    def voltage_ranges(self, element: int = 1) -> tuple[float, ...]:
        """The range list given in the driver option ``voltage_ranges`` (none is shipped: the
        PA1000's ranges are not in the stored manual pages)."""
        return tuple(sorted(self._voltage_ranges))

    def current_ranges(self, element: int = 1) -> tuple[float, ...]:
        return tuple(sorted(self._current_ranges))

    def configure(self, config: MeterConfig) -> None:
        model = self.model_key(self.MODEL_ELEMENTS)
        elements = self._check_elements(model, config.elements)
        voltage = self.resolve_range("voltage", config.voltage_range, elements)
        current = self.resolve_range("current", config.current_range, elements)
        integrate = bool(config.options.get("integrate", self.options.get("integrate", False)))
        items = self.ITEMS + ((self.ENERGY_ITEM,) if integrate else ())
        commands = [self.COMMANDS["integrate_stop"]] if self._integrating else []
        commands += [
            self.COMMANDS["clear_status"],
            self.COMMANDS["blanking_off"],
            self.COMMANDS["select_clear"],
            *(command for command, _ in items),
            *self._range_commands(voltage, current),
        ]
        if integrate:
            commands += [
                self.COMMANDS["mode_integrate"],
                self.COMMANDS["integrate_manual"],
                self.COMMANDS["integrate_reset"],
                self.COMMANDS["integrate_run"],
            ]
        else:
            commands.append(self.COMMANDS["mode_normal"])
        commands.append(self.COMMANDS["status_enable"].format(mask=NDV | OVA | OVV))
        for command in commands:
            self._command(command)
        self._integrating = integrate
        # reading the register clears it: the next NDV is a new update
        self.transport.query(self.COMMANDS["status_register"])
        self.check_errors()
        self._items = items
        self._elements = elements
        self._single_channel = len(self.MODEL_ELEMENTS[model]) == 1
        read_volts = self._range_in_use("voltage", self._voltage_ranges) if voltage else None
        read_amps = self._range_in_use("current", self._current_ranges) if current else None
        self._ranges = tuple(ElementRange(element, read_volts, read_amps) for element in elements)
        self._ranges_text = describe_element_ranges(self._ranges)
        self.config = replace(config, elements=elements, rate_hz=1.0 / self.UPDATE_INTERVAL_S,
                              voltage_range=voltage, current_range=current)

    def _range_in_use(self, kind: str, ranges: tuple[float, ...]) -> float:
        """The fixed range the analyzer reports (its range number, 1 first), in volts or
        amperes from the driver's range list."""
        reply = self.transport.query_raw(self.COMMANDS[f"{kind}_range_query"])
        number = parse_integer(reply, f"{kind} range number")
        if not 1 <= number <= len(ranges):
            raise MeterProtocolError(
                f"The analyzer at {self.resource} reports {kind} range {number}, which the driver "
                f"option {kind}_ranges (ranges 1 to {len(ranges)}) does not list.", raw=reply)
        return ranges[number - 1]

    def before_window(self) -> str:
        """Turn auto-zero off for the window (see the module's docstring)."""
        if not self.hold_auto_zero:
            return ""
        self._command(self.COMMANDS["auto_zero_off"])
        self._auto_zero_held = True
        return ("auto-zero off for the window (:SYST:ZERO 0); the zero in effect is the "
                "analyzer's last automatic one, taken before the window")

    def after_window(self) -> str:
        """Turn auto-zero on again after the window."""
        if not self._auto_zero_held:
            return ""
        self._command(self.COMMANDS["auto_zero_on"])
        self._auto_zero_held = False
        return "auto-zero on again after the window (:SYST:ZERO 1)"

    def close(self) -> None:
        if self.transport.is_open:
            for needed, command in ((self._integrating, "integrate_stop"),
                                    (self._auto_zero_held, "auto_zero_on")):
                if needed:
                    try:
                        self._command(self.COMMANDS[command])
                    except Exception:  # letting go of the meter must not fail
                        pass
        self._integrating = self._auto_zero_held = False
        super().close()

    def _command(self, command: str) -> None:
        """Send a configuring command; read its empty acknowledgement where there is one."""
        if not self.acknowledged:
            self.transport.write(command)
            if self.command_delay_s > 0:
                time.sleep(self.command_delay_s)
            return
        reply = self.transport.query_raw(command)
        if reply.strip():
            raise MeterProtocolError(
                f"The meter at {self.resource} answered {reply[:40]!r} to {command!r} where an "
                f"empty acknowledgement was expected.",
                raw=reply,
            )

    def _read_update(self) -> Reading:
        """Wait for new data (NDV), keeping any overload bit seen meanwhile, then read it."""
        if not self._items:
            raise MeterProtocolError("The meter must be configured before it is read.")
        period = self.update_period_s
        seen, end_ns = wait_for_bit(
            lambda: parse_integer(self.transport.query_raw(self.COMMANDS["status_register"]),
                                  "data status register"),
            NDV, period, 3 * period + self.transport.timeout_ms / 1000.0, self.resource)
        raw = self.transport.query_raw(self.COMMANDS["values"])
        return Reading(
            elements=self._element_readings(raw, seen),
            raw=raw,
            ranges=self._ranges_text,
            end_raw_ns=end_ns,
            element_ranges=self._ranges,
        )

    def _element_readings(self, raw: bytes, register: int) -> tuple[ElementReading, ...]:
        text = raw.decode("ascii", errors="replace").strip()
        fields = [field.strip() for field in text.split(",")] if text else []
        per_channel = len(self._items)
        channels = len(fields) // per_channel
        wrong = len(fields) != per_channel if self._single_channel else len(fields) % per_channel
        if not fields or wrong or channels < max(self._elements):
            raise MeterProtocolError(
                f"The meter sent {len(fields)} values where {per_channel} per channel for "
                f"channel{'s' if len(self._elements) > 1 else ''} "
                f"{', '.join(map(str, self._elements))} were expected.",
                raw=raw,
            )
        try:
            parsed = [SCPI_SPECIALS.classify(field) for field in fields]
        except ValueError:
            raise MeterProtocolError(
                f"The meter sent values that are not numbers: {text[:80]!r}.", raw=raw
            ) from None
        spoiled = {q for bit, names in self.OVERLOAD.items() if register & bit for q in names}
        readings = []
        for element in self._elements:
            chunk = parsed[(element - 1) * per_channel : element * per_channel]
            values: dict[str, float | None] = {}
            status: dict[str, Status] = {}
            for (_, quantity), (state, value) in zip(self._items, chunk):
                if state is Status.OK and quantity in spoiled:
                    state, value = Status.OVER_RANGE, None
                values[quantity] = value
                status[quantity] = state
            readings.append(ElementReading.from_values(element, values, status))
        return tuple(readings)

    def _check_elements(self, model: str, wanted: Sequence[int]) -> tuple[int, ...]:
        available = self.MODEL_ELEMENTS[model]
        return select_inputs(model, wanted, available, "channel")

    def _range_list(self, option: str) -> tuple[float, ...]:
        given = self.options.get(option)
        if given is None:
            return ()
        try:
            ranges = tuple(float(value) for value in given)
        except (TypeError, ValueError):
            raise MeterUnavailable(
                f"The driver option {option} must be a list of numbers (the analyzer's ranges in "
                f"the order of its range numbers)."
            ) from None
        if not ranges or any(not value > 0 for value in ranges):
            raise MeterUnavailable(f"The driver option {option} must list positive ranges.")
        return ranges

    def _range_commands(self, voltage: float | None, current: float | None) -> list[str]:
        return [
            self._range_command("voltage", voltage, "V", self._voltage_ranges),
            self._range_command("current", current, "A", self._current_ranges),
        ]

    def _range_command(
        self, kind: str, value: float | None, unit: str, ranges: tuple[float, ...]
    ) -> str:
        if value is None:
            return self.COMMANDS[f"{kind}_auto"]
        option = f"{kind}_ranges"
        if not ranges:
            raise MeterUnavailable(
                f"A fixed {kind} range needs the analyzer's range list: set the driver option "
                f"{option} (range 1 first), or leave the {kind} range empty for auto range."
            )
        for number, option_value in enumerate(ranges, start=1):
            if math.isclose(value, option_value, rel_tol=1e-9):
                return self.COMMANDS[f"{kind}_fixed"].format(number=number)
        choices = ", ".join(number_text(option_value) for option_value in ranges)
        raise MeterUnavailable(
            f"The {kind} range {number_text(value)} {unit} is not one of the ranges in {option} "
            f"({choices} {unit}); leave it empty for auto range."
        )

