"""A client of a SPEC PTDaemon (the power and temperature daemon of SPECpower and MLPerf Power).

A lab that already runs PTDaemon against its analyzer can use it as a meter: the driver connects to
the daemon's TCP port, sets the ranges (``SR``), starts sampling (``Go``) and reads the samples the
daemon took since the last read (``RL``: a ``Last <n> samples`` line, then one line per sample with
``Time``, ``Watts``, ``Volts``, ``Amps``, ``PF`` and ``Mark`` fields), keeping the newest. Lines end
with CR LF (LF alone is read as well). A value of -1 marks a quantity the daemon does not report:
that quantity is left out of the reading (neither a value nor a status), and the others stand. A
reply beginning with ``Error`` marks a sample it could not take.

Multichannel analyzers: the daemon's line gives the total first, with -1 for volts, amps and
power factor, then the mark, then one group per channel::

    Time,11-13-2020 22:38:59.240,Watts,272.93,Volts,-1.000000,Amps,-1.000000,PF,-1.000000,
    Mark,notset,Ch1,Watts,91.06,Volts,120.95,Amps,0.8321,PF,0.9389,Ch2,...

(one line; MLCommons power-dev, ptd_client_server tests). Each channel is read as an element
(``Ch1`` is element 1); the daemon's total is kept beside element 1's values as
``extra["ptd_total_w"]``, not as a reading of its own, so that the channels are not counted
twice. Configure looks at the daemon's first sample line and, where it reports channels the plan
does not read, says so in :attr:`Meter.setup_notes`.

After setting ranges the driver waits ``range_settle_s`` (10 s) before starting the daemon's
sampling, as power-dev's server does (lib/server.py: ``ANALYZER_SLEEP_SECONDS = 10`` between
``SR,V``/``SR,A`` and ``Go``), so that the analyzer has settled on its new ranges.

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
    Status,
    describe_ranges,
    number_text,
)
from .lines import TcpLines
from .pacing import FixedSchedule

HELLO_REPLY = "Hello, PTDaemon here!"
INVALID = -1.0
_RESOURCE = re.compile(r"^(?:TCPIP\d*::)?([A-Za-z0-9._-]+)(?::|::)(\d+)(?:::SOCKET)?$", re.I)
_LAST = re.compile(r"^Last\s+(\d+)\s+samples?", re.I)
_FIELDS = {"Watts": "watts", "Volts": "volts", "Amps": "amps", "PF": "pf"}
_CHANNEL = re.compile(r"^Ch(\d+)$", re.I)


def sample_groups(line: str) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """The ``name,value`` pairs of one sample line: the line's own (``Time``, ``Watts``, ...,
    ``Mark``) and those of each ``Ch<n>`` group after the mark, by channel number.
    ``ValueError`` when the line is not of that shape."""
    parts = [part.strip() for part in line.strip().split(",")]
    head: dict[str, str] = {}
    channels: dict[int, dict[str, str]] = {}
    group = head
    index = 0
    while index < len(parts):
        match = _CHANNEL.match(parts[index])
        if match:
            number = int(match.group(1))
            if number in channels or number < 1:
                raise ValueError(line)
            group = channels[number] = {}
            index += 1
            continue
        if index + 1 >= len(parts):
            raise ValueError(line)
        group[parts[index]] = parts[index + 1]
        index += 2
    if channels and "Mark" not in head:
        raise ValueError(line)
    return head, channels


def sample_fields(line: str) -> dict[str, str]:
    """The ``name,value`` pairs of a single-channel sample line, e.g. ``{"Watts": "101.5"}``."""
    head, channels = sample_groups(line)
    if channels:
        raise ValueError(line)
    return head


def classify(token: str) -> tuple[Status, float | None] | None:
    """The status and value of one sample field; ``None`` for -1 (the quantity is not reported);
    ``ValueError`` if it is not a number."""
    value = float(token)
    if value == INVALID:
        return None
    if math.isnan(value):
        return Status.NO_DATA, None
    if math.isinf(value):
        return Status.OVER_RANGE, None
    return Status.OK, value


def group_reading(element: int, fields: dict[str, str]) -> ElementReading:
    """An element from one group's fields; -1 quantities are left out. ``ValueError`` when a
    field is not a number; a group without watts is read as watts with no data."""
    values: dict[str, float | None] = {}
    status: dict[str, Status] = {}
    for key, name in _FIELDS.items():
        if key not in fields:
            continue
        parsed = classify(fields[key])
        if parsed is None:
            continue
        status[name], values[name] = parsed
    if "watts" not in status:
        status["watts"] = Status.NO_DATA
    return ElementReading.from_values(element, values, status)


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
    - ``range_settle_s`` (10): the wait after setting ranges, before ``Go`` (see above).
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
        self.range_settle_s = float(options.get("range_settle_s", 10.0))
        if not (self.range_settle_s >= 0 and math.isfinite(self.range_settle_s)):
            raise MeterUnavailable("The driver option range_settle_s must be 0 s or more.")
        timeout_s = float(options.get("timeout_ms", 3000)) / 1000.0
        self.link: TcpLines = options.get("link") or self._link(resource, timeout_s)
        self.identity: Identity | None = None
        self._ranges_text = ""
        self._ranges: tuple[ElementRange, ...] = ()
        self._elements: tuple[int, ...] = (1,)
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
        if not elements or min(elements) < 1:
            raise MeterUnavailable(
                "A PTDaemon is read as its channels 1, 2, ...; set meters[].element to them.")
        if not (config.rate_hz > 0 and math.isfinite(config.rate_hz)):
            raise MeterUnavailable(f"The update rate must be above 0 Hz (got {config.rate_hz}).")
        interval_ms = max(self.min_interval_ms, round(1000.0 / config.rate_hz))
        self.setup_notes = []
        if self._running:
            self._command(self.COMMANDS["stop"])
            self._running = False
        if self.start:
            self._command(self.COMMANDS["voltage_range"].format(
                value=self._range(config.voltage_range)))
            self._command(self.COMMANDS["current_range"].format(
                value=self._range(config.current_range)))
            if self.range_settle_s:
                time.sleep(self.range_settle_s)
            self._command(self.COMMANDS["go"].format(interval_ms=interval_ms, mark=self.mark))
        self._running = self.start
        volts, amps = self._read_ranges(config)
        self._elements = elements
        self._ranges = tuple(ElementRange(element, volts, amps) for element in elements)
        self._ranges_text = describe_ranges(volts, amps)
        if self.read_mode == "RL":
            _, taken = self._read_samples()  # what was taken before configure is not a reading
            if taken:
                self._check_channels(taken[-1], elements)
        elif elements != (1,):
            raise MeterUnavailable(
                "With the driver option read = \"Watts\" a PTDaemon is read as one channel; set "
                "meters[].element to 1.")
        self._schedule = FixedSchedule(interval_ms / 1000.0)
        self._configured = True
        self.config = replace(config, elements=elements, rate_hz=1000.0 / interval_ms)

    def _check_channels(self, raw: bytes, elements: tuple[int, ...]) -> None:
        """Compare the channels of a sample line with those asked for."""
        try:
            _, channels = sample_groups(raw.decode("ascii", errors="replace"))
        except ValueError:
            return  # the first reading names the line
        present = sorted(channels) or [1]
        missing = [e for e in elements if e not in present]
        if missing:
            raise MeterUnavailable(
                f"The PTDaemon at {self.resource} reports channel{'s' if len(present) > 1 else ''} "
                f"{', '.join(map(str, present))}; channel {', '.join(map(str, missing))} cannot be "
                f"read. Set meters[].element to channels it reports.")
        unread = [c for c in present if c not in elements]
        if unread:
            self.setup_notes.append(
                f"The PTDaemon reports channels {', '.join(map(str, present))}; channel"
                f"{'s' if len(unread) > 1 else ''} {', '.join(map(str, unread))} "
                f"{'are' if len(unread) > 1 else 'is'} not read (meters[].element), so the power "
                f"summed is not the daemon's total.")

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
                raw = samples[-1].rstrip(b"\r")
                return Reading(
                    elements=self._sample_reading(raw),
                    raw=raw,
                    ranges=self._ranges_text,
                    end_raw_ns=end_ns,
                    element_ranges=self._ranges,
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
            state = classify(token)
        except ValueError:
            raise MeterProtocolError(
                f"The PTDaemon at {self.resource} answered Watts with {reply[:60]!r}, which is "
                f"not a number.",
                raw=raw,
            ) from None
        if state is None:
            state = (Status.NO_DATA, None)
        element = ElementReading(element=1, watts=state[1], status={"watts": state[0]})
        return Reading(elements=(element,), raw=raw, ranges=self._ranges_text,
                       element_ranges=self._ranges)

    def _error_reading(self, reply: str) -> Reading:
        elements = tuple(ElementReading(element=e, status={"watts": Status.NO_DATA})
                         for e in self._elements)
        return Reading(
            elements=elements, raw=reply.encode("ascii", errors="replace"),
            ranges=self._ranges_text, element_ranges=self._ranges,
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

    def _sample_reading(self, raw: bytes) -> tuple[ElementReading, ...]:
        """The configured elements of one sample line (a single-channel line is element 1)."""
        text = raw.decode("ascii", errors="replace").strip()
        try:
            head, channels = sample_groups(text)
            groups = channels or {1: head}
            if any("Watts" not in groups[e] for e in self._elements if e in groups):
                raise MeterProtocolError(
                    f"The PTDaemon sent a sample without watts: {text[:80]!r}.", raw=raw)
            missing = [e for e in self._elements if e not in groups]
            if missing:
                raise MeterProtocolError(
                    f"The PTDaemon sent a sample without channel {', '.join(map(str, missing))}: "
                    f"{text[:80]!r}.", raw=raw)
            readings = [group_reading(e, groups[e]) for e in self._elements]
            if channels and "Watts" in head:
                total = classify(head["Watts"])
                if total is not None and total[1] is not None:
                    first = readings[0]
                    readings[0] = replace(first, extra={**first.extra, "ptd_total_w": total[1]})
        except ValueError:
            raise MeterProtocolError(
                f"The PTDaemon sent a sample that cannot be read: {text[:80]!r}.", raw=raw
            ) from None
        return tuple(readings)

    def _read_ranges(self, config: MeterConfig) -> tuple[float | None, float | None]:
        """The ranges in effect, volts and amperes, as the daemon reports them (``RR``:
        "Ranges,{A auto},{A},{V auto},{V}", 1 for auto, -1 for unknown): a fixed range it
        reports; ``None`` at auto; where it does not know, the fixed range asked (which it
        accepted without an error), else ``None``."""
        reply = self._ask(self.COMMANDS["ranges"])
        parts = [part.strip() for part in reply.split(",")]
        if not (len(parts) == 5 and parts[0] == "Ranges"):
            parts = ["Ranges", "-1", "-1", "-1", "-1"]
        asked = (config.voltage_range, config.current_range) if self.start else (None, None)
        result: list[float | None] = []
        for (flag, value), fallback in zip(((parts[3], parts[4]), (parts[1], parts[2])), asked):
            try:
                number = float(value)
            except ValueError:
                number = -1.0
            if flag == "0" and number > 0:
                result.append(number)
            elif flag == "1":
                result.append(None)
            else:
                result.append(fallback)
        return result[0], result[1]

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
        return number_text(value)

    @staticmethod
    def _link(resource: str, timeout_s: float) -> TcpLines:
        match = _RESOURCE.match(resource.strip())
        if not match:
            raise MeterUnavailable(
                f"{resource!r} is not a PTDaemon address; give it as host:port, for example "
                f"192.168.0.30:8888."
            )
        return TcpLines(match.group(1), int(match.group(2)), b"\n", timeout_s, send_eol=b"\r\n")
