"""ZES ZIMMER LMG precision power analyzers (LMG95, LMG600 family) in continuous output.

The analyzer is switched to its short command language (SCL), given an action list
(``actn;p?;utrms?;itrms?;pf?``) and put in continuous mode (``cont on``): from then on it sends one
line per measuring cycle, the action list's values separated by ``;``, without being asked.
``read()`` waits for a line and keeps the newest one received, so every reading is one whole cycle
that ends when its line arrives; lines left unread meanwhile are missed updates, not caught up.
Lines travel over TCP (port 5025) or RS-232; both are plain line links here, not VISA sessions,
because the analyzer talks without being asked.

Sources: the ZES ZIMMER "LMG600 User Manual" and "LMG95 User Manual" are not cited page by page.
The commands rest on the published lmgtools client
(cuveland/lmgtools: lmg95.py over RS-232 with CR LF line ends, lmg670.py over TCP port 5025 with
LF, powerlog95.py/powerlog670.py for the value names and CYCL) and its recorded LMG670 output
(example/lmg670.log), where 9.91E+37 marks a value without data; the event status query is the
IEEE 488.2 common command. Each row of the command tables says what it rests on; all of them
await confirmation against the manuals.

Over range: a value the analyzer cannot give comes as the SCPI special values 9.9E+37 (infinity,
over range) and 9.91E+37 (not a number, no data; seen in lmgtools' example/lmg670.log); no
status bit for an overload is confirmed from a stored manual, so those values are the signal
read. Ranges: a fixed range the analyzer accepted (no error in ``*esr?``) is recorded as the
range of each reading; at auto range the range in use is not reported, and is left unknown.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any, ClassVar, Mapping, Sequence

from .base import (
    ElementRange,
    ElementReading,
    Identity,
    Meter,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
    describe_ranges,
    number_text,
    select_inputs,
)
from .lines import TcpLines, line_link
from .scpi import SCPI_SPECIALS, check_event_status, match_model, parse_idn


class LMG(Meter):
    """ZES ZIMMER LMG95 (one channel) and the LMG600 family (LMG610 to LMG671, up to seven
    channels), read in continuous output.

    Resources: ``192.168.0.20`` or ``192.168.0.20:5025`` or ``TCPIP::192.168.0.20::5025::SOCKET``
    for Ethernet, ``COM3`` or ``/dev/ttyUSB0`` for RS-232. Driver options:

    - ``timeout_ms`` (3000): how long past one measuring cycle a line may be late.
    - ``eol``: the line end the analyzer uses (``"\\n"`` over TCP, ``"\\r\\n"`` over RS-232,
      as set in the analyzer's interface menu).
    - ``baud_rate`` (9600) and ``flow_control`` (``"none"`` or ``"rts_cts"``) for RS-232, as set
      on the analyzer.
    - ``link``: a ready line link (:class:`TcpLines` or alike) to use instead of one made from
      the resource.
    """

    name = "zes-lmg"
    models = ("LMG95", "LMG600", "LMG670")
    default_role = "wall"

    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: SCL command                       # source
        "stop": "cont off",  # SCL continuous output off (lmgtools cont_off)
        "start": "cont on",  # SCL continuous output on (lmgtools cont_on)
        "clear_status": "*cls",  # IEEE 488.2 common command, accepted in SCL (lmgtools reset)
        "cycle": "cycl {seconds}",  # SCL cycle time in s (lmgtools powerlog95 CYCL)
        "event_status": "*esr?",  # IEEE 488.2 common query; not confirmed from an LMG manual
        "actions": "actn;{queries}",  # SCL action list (lmgtools select_values)
        "identify": "*idn?",  # IEEE 488.2 common query (lmgtools read_id)
    }
    #: Per family: how to enter SCL, range commands and value queries ({element} = channel).
    FAMILIES: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "LMG95": {
            "language": "syst:lang short",  # lmgtools lmg95 goto_short_commands
            "voltage_auto": "uam auto",  # counterpart of "uam manual"; not confirmed
            "voltage_range": "uam manual;urng {value}",  # lmgtools lmg95 set_ranges
            "current_auto": "iam auto",  # counterpart of "iam manual"; not confirmed
            "current_range": "iam manual;irng {value}",  # lmgtools lmg95 set_ranges
            "items": ("p?", "utrms?", "itrms?", "pf?"),  # lmgtools powerlog95 VAL
            "elements": (1,),
        },
        "LMG6": {
            "language": "*zlang short",  # lmgtools lmg670 goto_short_commands
            "voltage_auto": "uauto{element} 1",  # counterpart of "uauto<n> 0"; not confirmed
            "voltage_range": "uauto{element} 0;urng{element} {value}",  # lmgtools lmg670
            "current_auto": "iauto{element} 1",  # counterpart of "iauto<n> 0"; not confirmed
            "current_range": "iauto{element} 0;irng{element} {value}",  # lmgtools lmg670
            "items": ("p{element}?", "utrms{element}?", "itrms{element}?", "pf{element}?"),
            "elements": (1, 2, 3, 4, 5, 6, 7),
        },
    }
    #: ElementReading fields of the value queries, in the same order.
    QUANTITIES: ClassVar[tuple[str, ...]] = ("watts", "volts", "amps", "pf")
    #: Cycle times the driver asks for, in seconds (shortest, longest); not confirmed.
    CYCLE_LIMITS_S: ClassVar[tuple[float, float]] = (0.05, 60.0)
    #: Quiet time that ends the flush of lines still in flight after ``cont off``.
    DRAIN_QUIET_S: ClassVar[float] = 0.2

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self.link: TcpLines = options.get("link") or line_link(resource, options)
        self.identity: Identity | None = None
        self._setup: list[str] = []
        self._actions = ""
        self._elements: tuple[int, ...] = ()
        self._cycle_s = 1.0
        self._ranges_text = ""
        self._ranges: tuple[ElementRange, ...] = ()
        self._streaming = False

    def open(self) -> None:
        self.link.open()

    def identify(self) -> Identity:
        self._stop_output()
        self.link.send(self.COMMANDS["identify"])
        self.identity = parse_idn(self.link.read_line().decode("ascii", errors="replace"))
        return self.identity

    def configure(self, config: MeterConfig) -> None:
        identity = self.identity or self.identify()
        family = self._family(identity)
        elements = self._check_elements(identity.model, family, config.elements)
        if not config.rate_hz > 0:
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {config.rate_hz}).")
        shortest, longest = self.CYCLE_LIMITS_S
        cycle = round(min(max(1.0 / config.rate_hz, shortest), longest), 3)
        setup = [
            family["language"],
            self.COMMANDS["clear_status"],
            self.COMMANDS["cycle"].format(seconds=number_text(cycle)),
        ]
        for element in elements:
            setup.append(self._range_command(family, "voltage", element, config.voltage_range))
            setup.append(self._range_command(family, "current", element, config.current_range))
        queries = ";".join(
            item.format(element=element) for element in elements for item in family["items"]
        )
        self._setup = setup
        self._actions = self.COMMANDS["actions"].format(queries=queries)
        self._elements = elements
        self._cycle_s = cycle
        self._start_output()
        self._ranges_text = describe_ranges(config.voltage_range, config.current_range)
        self._ranges = tuple(ElementRange(element, config.voltage_range, config.current_range)
                             for element in elements)
        self.config = replace(config, elements=elements, rate_hz=1.0 / cycle)

    def read(self) -> Reading:
        if not self._streaming:
            raise MeterProtocolError("The meter must be configured before it is read.")
        try:
            return self._next_reading()
        except MeterTimeout:
            self._reopen()
            try:
                return self._next_reading()
            except MeterTimeout as exc:
                raise MeterTimeout(
                    f"The analyzer at {self.resource} sent no reading within "
                    f"{self._line_timeout():.1f} s, also after reconnecting. Check that it is "
                    f"measuring and that no one changed its interface settings."
                ) from exc

    def close(self) -> None:
        if self._streaming and self.link.is_open:
            try:
                self.link.send(self.COMMANDS["stop"])
            except Exception:  # letting go of the meter must not fail
                pass
        self._streaming = False
        self.link.close()

    def _stop_output(self) -> None:
        """End any continuous output and throw away the lines still on their way."""
        self.link.send(self.COMMANDS["stop"])
        self._streaming = False
        self.link.drain(self.DRAIN_QUIET_S)

    def _start_output(self) -> None:
        """Send the setup, check the event status, then start continuous output."""
        self._stop_output()
        for command in self._setup:
            self.link.send(command)
        self.link.send(self.COMMANDS["event_status"])
        check_event_status(self.link.read_line(), f"The analyzer at {self.resource}")
        self.link.send(self._actions)
        self.link.send(self.COMMANDS["start"])
        self._streaming = True

    def _reopen(self) -> None:
        """Reconnect and start continuous output again; :class:`MeterDisconnected` if the
        analyzer cannot be reached."""
        self._streaming = False
        self.link.close()
        try:
            self.link.open()
        except MeterUnavailable as exc:
            raise MeterDisconnected(
                f"The analyzer at {self.resource} stopped sending and could not be reconnected: "
                f"{exc}"
            ) from exc
        self._start_output()

    def _line_timeout(self) -> float:
        return self._cycle_s + self.link.timeout_s

    def _next_reading(self) -> Reading:
        """The newest pushed line; lines that waited unread are missed updates, not caught up."""
        raw, _ = self.link.read_newest(self._line_timeout())
        end_ns = time.perf_counter_ns()
        return Reading(
            elements=self._element_readings(raw),
            raw=raw,
            ranges=self._ranges_text,
            end_raw_ns=end_ns,
            element_ranges=self._ranges,
        )

    def _element_readings(self, raw: bytes) -> tuple[ElementReading, ...]:
        text = raw.decode("ascii", errors="replace").strip()
        fields = [field.strip() for field in text.split(";")] if text else []
        per_element = len(self.QUANTITIES)
        expected = per_element * len(self._elements)
        if len(fields) != expected:
            raise MeterProtocolError(
                f"The analyzer sent {len(fields)} values where {expected} were expected.", raw=raw
            )
        try:
            parsed = [SCPI_SPECIALS.classify(field) for field in fields]
        except ValueError:
            raise MeterProtocolError(
                f"The analyzer sent values that are not numbers: {text[:80]!r}.", raw=raw
            ) from None
        readings = []
        for position, element in enumerate(self._elements):
            chunk = parsed[position * per_element : (position + 1) * per_element]
            readings.append(ElementReading.from_fields(element, self.QUANTITIES, chunk))
        return tuple(readings)

    def _family(self, identity: Identity) -> Mapping[str, Any]:
        return self.FAMILIES[match_model(identity, self.FAMILIES, self.name, self.models,
                                         self.resource)]

    @staticmethod
    def _check_elements(
        model: str, family: Mapping[str, Any], wanted: Sequence[int]
    ) -> tuple[int, ...]:
        available = family["elements"]
        return select_inputs(model, wanted, available, "channel")

    @staticmethod
    def _range_command(
        family: Mapping[str, Any], kind: str, element: int, value: float | None
    ) -> str:
        if value is None:
            return family[f"{kind}_auto"].format(element=element)
        if not (value > 0 and math.isfinite(value)):
            raise MeterUnavailable(f"The {kind} range must be above 0 (got {value}).")
        return family[f"{kind}_range"].format(element=element, value=number_text(value))
