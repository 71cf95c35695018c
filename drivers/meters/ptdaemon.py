"""A client of a SPEC PTDaemon (the power and temperature daemon of SPECpower and MLPerf Power).

A lab that already runs PTDaemon against its analyzer can use it as a meter: the driver connects to
the daemon's TCP port, sets the ranges (``SR``), starts sampling (``Go``) and reads the samples the
daemon took since the last read (``RL``: a ``Last <n> samples`` line, then one line per sample with
``Time``, ``Watts``, ``Volts``, ``Amps``, ``PF`` and ``Mark`` fields), keeping the newest. Lines end
with CR LF. A value of -1 marks a quantity the daemon does not have; a reply beginning with
``Error`` marks a sample it could not take.

Sources: the MLCommons power-dev PTD client and server (ptd_client_server/lib/server.py and
lib/common.py: the Hello handshake and its reply, Identify, RR and its ``Ranges,...`` reply with -1
for unknown, SR,V/SR,A with Auto or a value, Go,<interval ms>,0,<mark>, Stop, the RL reply and its
sample lines, Watts, CR LF line ends). SPEC's PTDaemon interface document is not cited.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import replace
from typing import Any, ClassVar, Mapping

from .base import (
    ElementReading,
    Identity,
    Meter,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
    Status,
)
from .lines import TcpLines
from .pacing import FixedSchedule

HELLO_REPLY = "Hello, PTDaemon here!"
INVALID = -1.0
_RESOURCE = re.compile(r"^(?:TCPIP\d*::)?([A-Za-z0-9._-]+)(?::|::)(\d+)(?:::SOCKET)?$", re.I)
_LAST = re.compile(r"^Last\s+(\d+)\s+samples?", re.I)
_FIELDS = {"Watts": "watts", "Volts": "volts", "Amps": "amps", "PF": "pf"}


def _number(value: float) -> str:
    return f"{value:g}"


def sample_fields(line: str) -> dict[str, str]:
    """The ``name,value`` pairs of one sample line, e.g. ``{"Watts": "101.5", ...}``."""
    parts = [part.strip() for part in line.split(",")]
    if len(parts) % 2:
        raise ValueError(line)
    return dict(zip(parts[0::2], parts[1::2]))


def classify(token: str) -> tuple[Status, float | None]:
    """The status and value of one sample field; ``ValueError`` if it is not a number."""
    value = float(token)
    if math.isnan(value) or value == INVALID:
        return Status.NO_DATA, None
    if math.isinf(value):
        return Status.OVER_RANGE, None
    return Status.OK, value


class PTDaemon(Meter):
    """A running SPEC PTDaemon, reached at resource ``host:port`` (the port it listens on).

    Driver options:

    - ``timeout_ms`` (3000): how long a reply may take.
    - ``read`` (``"RL"``): ``"RL"`` reads the samples taken since the last read and keeps the
      newest, so each reading is one new sample with watts, volts, amps and power factor;
      ``"Watts"`` asks for the last watts once per update on a fixed schedule, for daemons or
      analyzers without ``RL``.
    - ``start`` (True): set the ranges and start sampling (``Go``) at configure, stop at close.
      False leaves a daemon that another program drives alone: the driver only reads.
    - ``mark`` (``"kperf"``): the mark the daemon writes beside each sample in its log.
    - ``min_interval_ms`` (1000): the shortest sample interval asked of the daemon.
    - ``link``: a ready line link to use instead of a TCP connection.
    """

    name = "ptdaemon"
    models = ("SPEC PTDaemon",)
    default_role = "wall"

    COMMANDS: ClassVar[Mapping[str, str]] = {
        # name: command                         # source: MLCommons power-dev ptd_client_server
        "hello": "Hello",  # lib/server.py Ptd._start, replied "Hello, PTDaemon here!"
        "identify": "Identify",  # lib/server.py Ptd._start
        "ranges": "RR",  # lib/server.py _get_initial_range: "Ranges,{A auto},{A},{V auto},{V}"
        "voltage_range": "SR,V,{value}",  # lib/server.py Session.start: SR,V,Auto / SR,V,<volts>
        "current_range": "SR,A,{value}",  # lib/server.py Session.start: SR,A,Auto / SR,A,<amps>
        "go": "Go,{interval_ms},0,{mark}",  # lib/server.py Session.start: Go,1000,0,<mark>
        "read_last": "RL",  # lib/server.py grab_power_data: "Last <n> samples" + n lines
        "watts": "Watts",  # lib/server.py grab_power_data
        "stop": "Stop",  # lib/server.py Ptd.stop
    }

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self.read_mode = str(options.get("read", "RL"))
        if self.read_mode not in ("RL", "Watts"):
            raise MeterUnavailable(
                f"The driver option read must be \"RL\" or \"Watts\" (got {self.read_mode!r})."
            )
        self.start = bool(options.get("start", True))
        self.mark = str(options.get("mark", "kperf"))
        if not re.fullmatch(r"[A-Za-z0-9_-]+", self.mark):
            raise MeterUnavailable(
                "The driver option mark must be letters, digits, '-' and '_' (at least one)."
            )
        self.min_interval_ms = int(options.get("min_interval_ms", 1000))
        timeout_s = float(options.get("timeout_ms", 3000)) / 1000.0
        self.link: TcpLines = options.get("link") or self._link(resource, timeout_s)
        self.identity: Identity | None = None
        self._ranges_text = ""
        self._configured = False
        self._running = False
        self._schedule: FixedSchedule | None = None

    def open(self) -> None:
        self.link.open()
        reply = self._ask(self.COMMANDS["hello"])
        if reply != HELLO_REPLY:
            self.link.close()
            raise MeterUnavailable(
                f"The service at {self.resource} is not a PTDaemon (it answered {reply[:60]!r} "
                f"to Hello). Check the host and port."
            )

    def identify(self) -> Identity:
        reply = self._ask(self.COMMANDS["identify"])
        self.identity = Identity(maker="SPEC", model="PTDaemon", firmware=reply, raw=reply)
        return self.identity

    def configure(self, config: MeterConfig) -> None:
        elements = tuple(dict.fromkeys(int(element) for element in config.elements))
        if elements != (1,):
            raise MeterUnavailable(
                "A PTDaemon is read as one channel; set meters[].element to 1."
            )
        if not config.rate_hz > 0:
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {config.rate_hz}).")
        interval_ms = max(self.min_interval_ms, round(1000.0 / config.rate_hz))
        setup: list[str] = []
        if self.start:
            setup = [
                self.COMMANDS["voltage_range"].format(value=self._range(config.voltage_range)),
                self.COMMANDS["current_range"].format(value=self._range(config.current_range)),
                self.COMMANDS["go"].format(interval_ms=interval_ms, mark=self.mark),
            ]
        if self._running:
            self._command(self.COMMANDS["stop"])
            self._running = False
        for command in setup:
            self._command(command)
        self._running = self.start
        self._ranges_text = self._read_ranges(config)
        if self.read_mode == "RL":
            self._read_samples()  # what was taken before configure is not a reading
        self._schedule = FixedSchedule(interval_ms / 1000.0)
        self._configured = True
        self.config = replace(config, elements=elements, rate_hz=1000.0 / interval_ms)

    def read(self) -> Reading:
        if not self._configured:
            raise MeterProtocolError("The meter must be configured before it is read.")
        try:
            return self._reading()
        except MeterTimeout:
            self._reconnect()
            return self._reading()

    def close(self) -> None:
        if self._running and self.link.is_open:
            try:
                self._ask(self.COMMANDS["stop"])
            except Exception:  # letting go of the daemon must not fail
                pass
        self._running = False
        self.link.close()

    def _reading(self) -> Reading:
        if self.read_mode == "Watts":
            return self._watts_reading()
        return self._newest_sample()

    def _newest_sample(self) -> Reading:
        """Poll ``RL`` until the daemon has a new sample; the newest one is the reading."""
        period = self.update_period_s
        limit = 3 * period + self.link.timeout_s
        started = time.monotonic()
        give_up = started + limit
        previous_ns: int | None = None
        while True:
            sent_ns = time.perf_counter_ns()
            header, samples = self._read_samples()
            if samples:
                start_ns = previous_ns if previous_ns is not None else sent_ns
                end_ns = (start_ns + time.perf_counter_ns()) // 2
                raw = samples[-1]
                return Reading(
                    elements=(self._sample_reading(raw),),
                    raw=raw,
                    ranges=self._ranges_text,
                    end_raw_ns=end_ns,
                )
            if header.lower().startswith("error"):
                time.sleep(max(0.0, started + period - time.monotonic()))  # one per update
                return self._error_reading(header)
            if time.monotonic() > give_up:
                raise MeterTimeout(
                    f"The PTDaemon at {self.resource} took no new sample within {limit:.1f} s."
                )
            previous_ns = sent_ns
            time.sleep(period / 4)

    def _watts_reading(self) -> Reading:
        assert self._schedule is not None
        self._schedule.wait()
        reply = self._ask(self.COMMANDS["watts"])
        if reply.lower().startswith("error"):
            return self._error_reading(reply)
        raw = reply.encode("ascii", errors="replace")
        token = reply.split(",")[-1].strip()
        try:
            state, value = classify(token)
        except ValueError:
            raise MeterProtocolError(
                f"The PTDaemon at {self.resource} answered Watts with {reply[:60]!r}, which is "
                f"not a number.",
                raw=raw,
            ) from None
        element = ElementReading(element=1, watts=value, status={"watts": state})
        return Reading(elements=(element,), raw=raw, ranges=self._ranges_text)

    def _error_reading(self, reply: str) -> Reading:
        element = ElementReading(element=1, status={"watts": Status.NO_DATA})
        return Reading(
            elements=(element,), raw=reply.encode("ascii", errors="replace"),
            ranges=self._ranges_text,
        )

    def _read_samples(self) -> tuple[str, list[bytes]]:
        """Send ``RL``; the header line and the sample lines that follow it."""
        header = self._ask(self.COMMANDS["read_last"])
        if header.lower().startswith("error"):
            return header, []
        match = _LAST.match(header)
        if not match:
            raise MeterProtocolError(
                f"The PTDaemon at {self.resource} answered RL with {header[:60]!r} where "
                f"\"Last <n> samples\" was expected; set the driver option read to \"Watts\" if "
                f"this daemon has no RL.",
                raw=header.encode("ascii", errors="replace"),
            )
        return header, [self.link.read_line() for _ in range(int(match.group(1)))]

    def _sample_reading(self, raw: bytes) -> ElementReading:
        text = raw.decode("ascii", errors="replace").strip()
        try:
            fields = sample_fields(text)
            parsed = {name: classify(fields[key]) for key, name in _FIELDS.items() if key in fields}
        except ValueError:
            raise MeterProtocolError(
                f"The PTDaemon sent a sample that cannot be read: {text[:80]!r}.", raw=raw
            ) from None
        if "watts" not in parsed:
            raise MeterProtocolError(
                f"The PTDaemon sent a sample without watts: {text[:80]!r}.", raw=raw
            )
        values = {name: value for name, (_, value) in parsed.items()}
        status = {name: state for name, (state, _) in parsed.items()}
        return ElementReading(element=1, status=status, **values)

    def _read_ranges(self, config: MeterConfig) -> str:
        """The ranges in effect as the daemon reports them (``RR``), else as asked."""
        reply = self._ask(self.COMMANDS["ranges"])
        parts = [part.strip() for part in reply.split(",")]
        reported = {}
        if len(parts) == 5 and parts[0] == "Ranges":
            for kind, flag, value, unit in (("I", parts[1], parts[2], "A"),
                                             ("U", parts[3], parts[4], "V")):
                try:
                    number = float(value)
                except ValueError:
                    break
                if flag == "1":
                    reported[kind] = "auto"
                elif flag == "0" and number > 0:
                    reported[kind] = f"{_number(number)}{unit}"
        if len(reported) == 2:
            return f"U={reported['U']} I={reported['I']}"
        volts = "auto" if config.voltage_range is None else f"{_number(config.voltage_range)}V"
        amps = "auto" if config.current_range is None else f"{_number(config.current_range)}A"
        return f"U={volts} I={amps}"

    def _reconnect(self) -> None:
        """Reconnect after a timeout and greet the daemon again."""
        self.link.close()
        try:
            self.open()
        except MeterUnavailable as exc:
            raise MeterDisconnected(
                f"The PTDaemon at {self.resource} stopped answering and could not be reached "
                f"again: {exc}"
            ) from exc

    def _command(self, command: str) -> str:
        """Send a setting command; :class:`MeterProtocolError` when the daemon refuses it."""
        reply = self._ask(command)
        if reply.lower().startswith("error"):
            raise MeterProtocolError(
                f"The PTDaemon at {self.resource} refused {command!r}: {reply}. Check the ranges "
                f"asked of the analyzer behind it.",
                raw=reply.encode("ascii", errors="replace"),
            )
        return reply

    def _ask(self, command: str) -> str:
        self.link.send(command)
        return self.link.read_line().decode("ascii", errors="replace").strip()

    @staticmethod
    def _range(value: float | None) -> str:
        if value is None:
            return "Auto"
        if not (value > 0 and math.isfinite(value)):
            raise MeterUnavailable(f"A fixed range must be above 0 (got {value}).")
        return _number(value)

    @staticmethod
    def _link(resource: str, timeout_s: float) -> TcpLines:
        match = _RESOURCE.match(resource.strip())
        if not match:
            raise MeterUnavailable(
                f"{resource!r} is not a PTDaemon address; give it as host:port, for example "
                f"192.168.0.30:8888."
            )
        return TcpLines(match.group(1), int(match.group(2)), b"\r\n", timeout_s)
