"""Instruments of real makes on their own clocks, for runs of ``kperf run`` over loopback sockets
(:class:`fake_instrument.FakeInstrument`): each updates at its make's interval, as its manual
says, and answers the commands its driver sends. Values are fixed, so figures can be checked by
hand; what each model records (commands received, ranges set) is kept for the tests."""
from __future__ import annotations

import threading
import time


class Clock:
    """Updates every ``period_s`` from the first time it is asked; :meth:`new` says whether an
    update finished since it last said so."""

    def __init__(self, period_s: float):
        self.period_s = period_s
        self.origin: float | None = None
        self.seen = 0
        self.lock = threading.RLock()

    def restart(self, period_s: float | None = None) -> None:
        with self.lock:
            self.period_s = period_s or self.period_s
            self.origin, self.seen = time.monotonic(), 0

    def count(self) -> int:
        """Updates finished so far."""
        if self.origin is None:
            self.restart()
        return int((time.monotonic() - self.origin) / self.period_s)

    def new(self) -> bool:
        with self.lock:
            done = self.count()
            if done > self.seen:
                self.seen = done
                return True
            return False


class WT310E:
    """A Yokogawa WT310E updating every 100 ms (the update bit of the extended event register,
    IM WT310E-17EN 7.4), with its voltage and current ranges settable and read back, and the
    voltage frequency as the last item. ``values``: P, U, I, lambda, WH, FU as sent."""

    def __init__(self, values=("142.8E+00", "230.1E+00", "0.646E+00", "0.9607E+00", "0.0E+00",
                               "50.000E+00"), condition: int = 0):
        self.values = ",".join(values)
        self.condition = condition  # the condition register: 1 << 8 is current peak over (POA1)
        self.clock = Clock(0.1)
        self.voltage_range: float | None = None
        self.current_range: float | None = None
        self.received: list[str] = []

    def __call__(self, line: str) -> str | None:
        self.received.append(line)
        if line == "*IDN?":
            return "YOKOGAWA,WT310E,C3TIMED01,F1.03"
        if line == ":STATus:EESR?":
            return "1" if self.clock.new() else "0"
        if line.startswith(":INPut:VOLTage:RANGe "):
            self.voltage_range = float(line.split()[-1].rstrip("V"))
        elif line.startswith(":INPut:CURRent:RANGe "):
            self.current_range = float(line.split()[-1].rstrip("A"))
        elif line == ":INPut:VOLTage:AUTO ON":
            self.voltage_range = None
        elif line == ":INPut:CURRent:AUTO ON":
            self.current_range = None
        replies = {
            ":STATus:ERRor?": '0,"No error"', ":RATE?": "100.0E-03", ":INPut:CFACtor?": "3",
            ":STATus:CONDition?": str(self.condition), ":NUMeric:NORMal:VALue?": self.values,
            ":INPut:VOLTage:RANGe?": f"{self.voltage_range or 600:.1E}",
            ":INPut:CURRent:RANGe?": f"{self.current_range or 20:.1E}",
        }
        return replies.get(line)


class Hioki:
    """A Hioki PW3335/PW3336 updating every 200 ms (polled: the reply changes with each update,
    as its integrated value counts). ``channels``: (U, I, P, PF) per channel. ``integration``:
    what ``:INTEGrate:STATe?`` answers until the integration is reset."""

    def __init__(self, model="PW3335", channels=((230.1, 1.12, 250.5, 0.972),),
                 integration="RESET"):
        self.model = model
        self.channels = channels
        self.integration = integration
        self.clock = Clock(0.2)
        self.ranges: dict[str, float] = {}
        self.received: list[str] = []

    def __call__(self, line: str) -> str | None:
        self.received.append(line)
        if line == "*IDN?":
            return f"HIOKI,{self.model},140600001,V1.02"
        if line == "*ESR?":
            return "0"
        if line == ":INTEGrate:STATe?":
            return self.integration
        if line == ":INTEGrate:STATe RESET":
            self.integration = "RESET"
            return None
        if line.endswith(":RANGe?"):
            return f"{self.ranges.get(line[:-1].split(':RANGe')[0], 600)}"
        if ":RANGe " in line:
            head, value = line.split(":RANGe ")
            self.ranges[head] = float(value)
            return None
        if line.startswith(":MEASure?"):
            k = self.clock.count()
            fields = []
            for u, i, p, pf in self.channels:
                fields += [f"+{u:.2f}E+0", f"+{i:.4f}E+0", f"+{p:.2f}E+0", f"+{pf:.4f}E+0",
                           f"+{k * 1e-3:.5f}E+0"]
            return ";".join(fields)
        return None


class PA:
    """A Tektronix PA1000 or PA3000 on Ethernet: new data every 0.5 s (NDV of the data status
    register), an empty acknowledgement to every command. With auto-zero on it zeroes every
    ``auto_zero_every_s`` and gives no new results for the next ``pause_s`` (the analyzer's
    own: every minute, about 1 s; shortened here so that a run of seconds holds several, as a
    run of minutes does on the bench)."""

    def __init__(self, model="PA1000", values="1.1820E+02,2.2980E+02,5.3010E-01,9.7030E-01",
                 auto_zero_every_s: float | None = None, pause_s: float = 1.2):
        self.model = model
        self.values = values
        self.every = auto_zero_every_s
        self.pause_s = pause_s
        self.auto_zero = True
        self.origin: float | None = None
        self.reported = 0
        self.zero_changes: list[tuple[float, str]] = []
        self.received: list[str] = []

    def _updates(self, now: float) -> int:
        """Results finished by ``now``; with auto-zero on, none inside a zeroing pause."""
        if self.origin is None:
            self.origin = now
        elapsed = now - self.origin
        if self.every and self.auto_zero:
            since = elapsed % self.every
            if since < self.pause_s and elapsed >= self.every:
                return self.reported  # zeroing: no new results
        return int(elapsed / 0.5)

    def __call__(self, line: str) -> str | None:
        self.received.append(line)
        if line == "*IDN?":
            return f"Tektronix,{self.model},C000TIMED,1.003.001"
        if line == "*ESR?":
            return "0"
        if line.startswith(":SYST:ZERO"):
            self.auto_zero = line.endswith("1")
            self.zero_changes.append((time.monotonic(), line))
            return ""
        if line == ":DSR?":
            now = self._updates(time.monotonic())
            new = now > self.reported
            self.reported = max(self.reported, now)
            return "2" if new else "0"
        if line == ":FRD?":
            return self.values
        return ""


MULTICHANNEL = ("Time,{time},Watts,{total:.2f},Volts,-1.000000,Amps,-1.000000,PF,-1.000000,"
                "Mark,{mark},Ch1,Watts,91.06,Volts,120.95,Amps,0.8321,PF,0.9389,"
                "Ch2,Watts,181.87,Volts,120.91,Amps,1.6012,PF,0.9395")
"""A multichannel analyzer's sample line as the daemon writes it (MLCommons power-dev,
ptd_client_server tests): the total first, -1 for what it does not report, the mark, then one
group per channel. The total is the channels' sum, 272.93 W."""


class PTDaemon:
    """A SPEC PTDaemon that takes one sample per interval after ``Go`` (the interval it is
    given), with ``RL`` returning those not yet read. ``multichannel``: the samples are lines of
    :data:`MULTICHANNEL`; else single-channel lines of ``watts``."""

    def __init__(self, multichannel=False, watts=100.0):
        self.multichannel = multichannel
        self.watts = watts
        self.clock: Clock | None = None
        self.taken = 0
        self.mark = ""
        self.received: list[str] = []

    def __call__(self, line: str) -> str | None:
        self.received.append(line)
        command = line.split(",")
        if line == "Hello":
            return "Hello, PTDaemon here!"
        if line == "Identify":
            return "PTDaemon version 1.11.1, timed fake analyzer"
        if command[0] == "SR":
            return f"Range {command[1]} changed"
        if command[0] == "Go":
            self.clock = Clock(int(command[1]) / 1000.0)
            self.clock.restart()
            self.taken, self.mark = 0, command[3]
            return "Starting untimed measurement"
        if line == "RR":
            return "Ranges,1,-1.000000,1,-1.000000"
        if line == "RL":
            if self.clock is None:
                return "Last 0 samples"
            due = self.clock.count()
            new, self.taken = due - self.taken, due
            rows = [f"Last {new} samples"]
            for n in range(new):
                if self.multichannel:
                    rows.append(MULTICHANNEL.format(time=f"t{n}", total=91.06 + 181.87,
                                                    mark=self.mark))
                else:
                    rows.append(f"Time,t{n},Watts,{self.watts:.2f},Volts,230.0,Amps,0.5,PF,0.87,"
                                f"Mark,{self.mark}")
            return "\r\n".join(rows)
        if line == "Stop":
            return "Stopping"
        return "Error: Unknown command"
