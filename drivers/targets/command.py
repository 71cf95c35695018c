"""A vendor benchmark program as a target: one program run per sweep point.

``CommandTarget(now, command, parser, settle_s=0.0, timeout_s=600.0, regex=None, cwd=None)``
runs ``command`` (a list of arguments, no shell) once per point through
``await run_point(concurrency, seconds) -> CommandPoint``. In every argument ``{concurrency}``
becomes the point's concurrency and ``{seconds}`` its duration (``30``, ``0.5``). Standard output
and standard error are read together, kept whole in ``CommandPoint.raw_output`` for the journal,
and each piece is stamped with the session clock as it arrives. The parser named by ``parser``
(a key of :data:`drivers.targets.parsers.PARSERS`; ``regex`` reads the plan's own expressions
given in ``regex``) turns the output into figures.

The point's window, on the session clock:

- the program reports a measured duration and where it printed it: the window is that duration,
  ending when that report arrived (``window_source = "reported"``);
- the program reports where measuring started and ended: from the arrival of the one to the
  arrival of the other (``"reported"``);
- otherwise its lifetime less ``settle_s`` at the start, so model loading is not measured
  (``"lifetime-settle"``).

A program that holds its output until it exits (C stdio writing to a pipe) delivers every report
at the end; the window then lies just before the exit.

``inferences`` is the program's count where it prints one, else throughput x window;
``throughput_per_s`` is the program's figure, else inferences / window. A run that exits with a
non-zero code, outlives ``timeout_s`` (it is killed, with its process group), cannot be started,
or prints nothing the parser can read gives ``ok=False`` and a plain ``error``; ``run_point``
itself does not raise.

``send`` raises :class:`TargetUnavailable`: this target measures whole points, not requests.
``probe()`` checks the program exists; ``describe()`` returns the command template, the parser
and the settle time.
"""
from __future__ import annotations

import asyncio
import bisect
import codecs
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from .base import RequestResult, RequestSpec, Target, TargetUnavailable
from .parsers import PARSERS, ParseError, ParsedOutput, check_values, compile_regex_fields

_READ_SIZE = 65536
_TAIL_LINES = 5
_LINE_CHARS = 200
_DRAIN_S = 5.0


@dataclass
class CommandPoint:
    """One run of the program for one sweep point. Times are session-clock nanoseconds."""

    argv: list[str]
    started_ns: int
    ended_ns: int
    returncode: int | None
    ok: bool
    error: str = ""
    raw_output: str = ""
    window_start_ns: int | None = None
    window_end_ns: int | None = None
    window_source: str = ""  # "reported" or "lifetime-settle"
    inferences: float | None = None
    throughput_per_s: float | None = None
    latency_ms_mean: float | None = None
    latency_ms_p99: float | None = None
    vendor_power_w: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other figures the program printed

    @property
    def window_s(self) -> float | None:
        if self.window_start_ns is None or self.window_end_ns is None:
            return None
        return (self.window_end_ns - self.window_start_ns) / 1e9


class CommandTarget(Target):
    """Runs a vendor benchmark program once per point and reads its figures."""

    kind = "command"
    unit = "inference"

    def __init__(
        self,
        now: Callable[[], int],
        command: Sequence[str],
        parser: str,
        settle_s: float = 0.0,
        timeout_s: float = 600.0,
        regex: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ):
        super().__init__(now)
        if not command:
            raise ValueError("target.command is empty; give the program and its arguments.")
        if parser not in PARSERS:
            raise ValueError(f"Unknown parser {parser!r}; use one of {', '.join(PARSERS)}.")
        self.command = [str(a) for a in command]
        self.parser = parser
        self.regex = dict(regex or {})
        if parser == "regex":
            compile_regex_fields(self.regex)
        self.settle_s = float(settle_s)
        self.timeout_s = float(timeout_s)
        self.cwd = cwd

    def _program(self) -> str | None:
        exe = self.command[0]
        if os.path.dirname(exe):
            path = exe if os.path.isabs(exe) or self.cwd is None else os.path.join(self.cwd, exe)
            return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
        return shutil.which(exe)

    async def probe(self) -> dict[str, Any]:
        """Check the program exists; returns its resolved path."""
        program = self._program()
        if program is None:
            raise TargetUnavailable(
                f"The program {self.command[0]!r} named in target.command was not found or is not "
                "executable. Install it, or give its full path in target.command.")
        if self.cwd is not None and not os.path.isdir(self.cwd):
            raise TargetUnavailable(f"The working folder {self.cwd} for target.command does not exist.")
        return {"program": program}

    async def send(self, spec: RequestSpec) -> RequestResult:
        raise TargetUnavailable(
            "The command target runs whole points through run_point(); it has no single requests "
            "to send.")

    def describe(self) -> dict[str, Any]:
        return {"command": list(self.command), "parser": self.parser, "settle_s": self.settle_s,
                "timeout_s": self.timeout_s, "cwd": self.cwd,
                **({"regex": dict(self.regex)} if self.parser == "regex" else {})}

    def argv_for(self, concurrency: int, seconds: float | None) -> list[str]:
        """The command with ``{concurrency}`` and ``{seconds}`` filled in."""
        secs = "" if seconds is None else (
            str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds)))
        return [a.replace("{concurrency}", str(int(concurrency))).replace("{seconds}", secs)
                for a in self.command]

    async def run_point(self, concurrency: int, seconds: float | None) -> CommandPoint:
        """Run the program once for a point and read its figures. Never raises for a failed run."""
        argv = self.argv_for(concurrency, seconds)
        if seconds is None and any("{seconds}" in a for a in self.command):
            now = self.now()
            return CommandPoint(argv, now, now, None, False,
                                "target.command uses {seconds} but the sweep gives no "
                                "seconds_per_point; set sweep.seconds_per_point.")
        started_epoch = time.time()
        started = self.now()
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, cwd=self.cwd,
                start_new_session=os.name == "posix")
        except OSError as exc:
            return CommandPoint(argv, started, self.now(), None, False,
                                f"The program {argv[0]!r} could not be started: "
                                f"{exc.strerror or exc}. Check target.command.")
        stream = _StampedOutput(self.now)
        try:
            timed_out = False
            try:
                await asyncio.wait_for(self._collect(proc, stream), self.timeout_s)
            except asyncio.TimeoutError:
                timed_out = True
                _kill(proc)
                await _drain(proc, stream)
        except BaseException:
            _kill(proc)
            raise
        ended = self.now()
        output = stream.text()
        point = CommandPoint(argv, started, ended, proc.returncode, False, raw_output=output)
        if timed_out:
            point.error = (f"The program {argv[0]!r} did not finish within {self.timeout_s:g} s and "
                           f"was stopped{_tail_note(output)}. Raise target.timeout_s or shorten the "
                           "point.")
        elif proc.returncode != 0:
            point.error = (f"The program {argv[0]!r} exited with code {proc.returncode}"
                           f"{_tail_note(output)}.")
        else:
            self._read_figures(point, stream, {"argv": argv, "cwd": self.cwd,
                                               "started_epoch_s": started_epoch,
                                               "regex": self.regex})
        return point

    @staticmethod
    async def _collect(proc: asyncio.subprocess.Process, stream: "_StampedOutput") -> None:
        assert proc.stdout is not None
        while chunk := await proc.stdout.read(_READ_SIZE):
            stream.add(chunk)
        await proc.wait()

    def _read_figures(self, point: CommandPoint, stream: "_StampedOutput", context: dict) -> None:
        try:
            parsed = PARSERS[self.parser](point.raw_output, context)
            check_values(parsed)
        except (ParseError, OSError) as exc:
            point.error = (f"The {self.parser} parser could not read the program's output ({exc})"
                           f"{_tail_note(point.raw_output)}.")
            return
        self._place_window(point, parsed, stream)
        window = point.window_s
        if window is None or window <= 0:
            point.error = (
                f"The program ran {(point.ended_ns - point.started_ns) / 1e9:.3g} s, no longer than "
                f"target.settle_s ({self.settle_s:g} s); nothing was measured. Lower settle_s or "
                "lengthen the point." if point.window_source == "lifetime-settle" else
                "The program reported an empty measuring interval; check its output in the journal.")
            return
        point.throughput_per_s = parsed.throughput_per_s
        point.inferences = parsed.inferences
        if point.throughput_per_s is None and point.inferences is not None:
            point.throughput_per_s = point.inferences / window
        if point.inferences is None and point.throughput_per_s is not None:
            point.inferences = point.throughput_per_s * window
        point.latency_ms_mean = parsed.latency_ms_mean
        point.latency_ms_p99 = parsed.latency_ms_p99
        point.vendor_power_w = parsed.power_w
        point.extra = dict(parsed.extra)
        point.ok = True

    def _place_window(self, point: CommandPoint, parsed: ParsedOutput,
                      stream: "_StampedOutput") -> None:
        if parsed.window_s is not None and parsed.window_end_at is not None:
            end = stream.arrival(parsed.window_end_at)
            start = end - round(parsed.window_s * 1e9)
            source = "reported"
        elif parsed.window_start_at is not None and parsed.window_end_at is not None:
            start = stream.arrival(parsed.window_start_at)
            end = stream.arrival(parsed.window_end_at)
            source = "reported"
        else:
            start = point.started_ns + round(self.settle_s * 1e9)
            end = point.ended_ns
            source = "lifetime-settle"
        point.window_start_ns = max(start, point.started_ns)
        point.window_end_ns = min(end, point.ended_ns)
        point.window_source = source


class _StampedOutput:
    """Output text as it arrives, with the arrival time of every piece."""

    def __init__(self, now: Callable[[], int]):
        self._now = now
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._parts: list[str] = []
        self._ends: list[int] = []
        self._times: list[int] = []
        self._length = 0

    def add(self, chunk: bytes) -> None:
        t = self._now()
        text = self._decoder.decode(chunk)
        self._length += len(text)
        self._parts.append(text)
        self._ends.append(self._length)
        self._times.append(t)

    def text(self) -> str:
        tail = self._decoder.decode(b"", final=True)
        if tail:
            self._length += len(tail)
            self._parts.append(tail)
            self._ends.append(self._length)
            self._times.append(self._times[-1] if self._times else self._now())
        return "".join(self._parts)

    def arrival(self, offset: int) -> int:
        """When the character at ``offset`` arrived."""
        i = bisect.bisect_right(self._ends, offset)
        return self._times[min(i, len(self._times) - 1)]


def _kill(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is not None:
        return
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


async def _drain(proc: asyncio.subprocess.Process, stream: _StampedOutput) -> None:
    """Read what the killed program left in the pipe, then reap it."""
    try:
        await asyncio.wait_for(CommandTarget._collect(proc, stream), _DRAIN_S)
    except asyncio.TimeoutError:
        await proc.wait()


def _tail_note(output: str) -> str:
    lines = [line.strip() for line in output.replace("\r", "\n").splitlines() if line.strip()]
    if not lines:
        return "; it printed nothing"
    quoted = [line if len(line) <= _LINE_CHARS else line[:_LINE_CHARS] + "..."
              for line in lines[-_TAIL_LINES:]]
    return "; its last lines were: " + " | ".join(quoted)

