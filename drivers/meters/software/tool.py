"""Software channels read by running a vendor's command-line tool with JSON output.

The tool runs once per poll with a timeout; one that does not finish is run once more, then
:class:`~drivers.meters.base.MeterTimeout` is raised. A tool that cannot be found says how to get
it; a tool that fails or prints something unreadable raises
:class:`~drivers.meters.base.MeterProtocolError` carrying what it printed. The rate is lowered to
what the tool can keep up with: at most one run per two run-times, and at most
:attr:`ToolChannel.MAX_RATE_HZ`.
"""
from __future__ import annotations

import abc
import json
import re
import shlex
import shutil
import subprocess
import time
from typing import Any, ClassVar, Mapping

from ..base import (
    ElementReading,
    MeterDisconnected,
    MeterError,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
    Status,
)
from .polling import PolledChannel, midpoint

#: Texts a tool prints where it has no value.
NOT_AVAILABLE = frozenset({"", "n/a", "na", "none", "null", "-", "unknown"})
#: Watts per unit of the power texts the tools print ("38.40 W", "18109794uW").
WATTS: Mapping[str, float] = {"W": 1.0, "mW": 1e-3, "uW": 1e-6, "µW": 1e-6}
#: Degrees Celsius per unit of the temperature texts ("40.98°C", "29C").
CELSIUS: Mapping[str, float] = {"": 1.0, "C": 1.0, "°C": 1.0}
_QUANTITY = re.compile(r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S*)")

#: Per device (element): watts, or ``None`` where the tool has none, and further numbers.
Devices = dict[int, tuple[float | None, dict[str, float]]]


def quantity(value: Any, units: Mapping[str, float]) -> float | None:
    """A value a tool printed, in the base unit of ``units``; ``None`` where the tool says it has
    none; ``ValueError`` for anything else (a unit not in ``units`` included)."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "" in units:
        return float(value) * units[""]
    text = str(value).strip()
    if text.lower() in NOT_AVAILABLE:
        return None
    found = _QUANTITY.fullmatch(text)
    if not found or found.group(2) not in units:
        raise ValueError(text)
    return float(found.group(1)) * units[found.group(2)]


def element_of(device: Any, prefix: str) -> int | None:
    """The element of a device named ``<prefix><index>`` (``npu0`` -> 1), else ``None``."""
    found = re.fullmatch(rf"{re.escape(prefix)}(\d+)", str(device).strip())
    return int(found.group(1)) + 1 if found else None


def parse_json(raw: bytes, tool: str) -> Any:
    """The JSON a tool printed; :class:`MeterProtocolError` with the output if it is not JSON."""
    try:
        return json.loads(raw)
    except ValueError:
        raise MeterProtocolError(f"{tool} printed something that is not JSON: {raw[:60]!r}.",
                                 raw=raw) from None


class ToolChannel(PolledChannel):
    """A channel read by running a command-line tool. Subclasses give :attr:`COMMANDS`,
    :attr:`INSTALL_HINT`, :meth:`query`, :meth:`parse` and :meth:`identify`.

    Options: ``command`` (the tool's name or path; default: the first of :attr:`COMMANDS` on the
    PATH), ``timeout_s`` (5.0) for one run of the tool.
    """

    #: Executables tried in order when the option ``command`` is not given.
    COMMANDS: ClassVar[tuple[str, ...]] = ()
    #: How to get the tool, as the end of a sentence.
    INSTALL_HINT: ClassVar[str] = ""
    MAX_RATE_HZ = 10.0

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._path: str | None = None
        self._run_s = 0.0  # how long the last successful run took

    @abc.abstractmethod
    def query(self) -> bytes:
        """Run the tool once for the values of every device; what it printed."""

    def devices_from(self, entries: list[dict[str, Any]], raw: bytes, name_key: str,
                     prefix: str, power_key: str, power_label: str) -> Devices:
        """Watts and temperature per device from a tool's JSON entries, each named
        ``<prefix><n>``; an unknown name or a power not in watts is a protocol error."""
        found: Devices = {}
        for entry in entries:
            element = element_of(entry.get(name_key), prefix)
            if element is None:
                raise MeterProtocolError(f"{self.tool} names a device {entry.get(name_key)!r}, "
                                         f"not {prefix}<n>.", raw)
            try:
                watts = quantity(entry.get(power_key), WATTS)
            except ValueError:
                raise MeterProtocolError(f"{self.tool} gives {prefix}{element - 1} the "
                                         f"{power_label} {entry.get(power_key)!r}, which is not "
                                         "in watts.", raw) from None
            try:
                temperature = quantity(entry.get("temperature"), CELSIUS)
            except ValueError:
                temperature = None
            found[element] = (watts, {} if temperature is None else {"temp_c": temperature})
        return found

    @abc.abstractmethod
    def parse(self, raw: bytes) -> Devices:
        """Every device in the tool's output; :class:`MeterProtocolError` if it cannot be read."""

    def probe(self) -> None:
        """Check at open that the tool answers in the expected form."""
        self.parse(self.query())

    @property
    def tool(self) -> str:
        """The tool's path, or its name before it is found."""
        return self._path or " or ".join(self._candidates())

    def _candidates(self) -> tuple[str, ...]:
        wanted = self.option("command", None)
        return (str(wanted),) if wanted else self.COMMANDS

    def open(self) -> None:
        if self._path is not None:
            return
        candidates = self._candidates()
        path = next((found for name in candidates if (found := shutil.which(name))), None)
        if path is None:
            raise MeterUnavailable(
                f"The {self.name} channel cannot find {' or '.join(candidates)}; "
                f"{self.INSTALL_HINT}, or set the driver option command to the tool's path."
            )
        self._path = path
        try:
            self.probe()
        except (MeterProtocolError, MeterDisconnected) as exc:
            self._path = None
            raise MeterUnavailable(str(exc), exc.raw) from None
        except MeterError:
            self._path = None
            raise

    def run(self, *args: str) -> bytes:
        """Run the tool with ``args``; what it printed on standard output."""
        self.open()
        assert self._path is not None
        argv = [self._path, *args]
        timeout = float(self.option("timeout_s", 5.0))
        for _ in range(2):
            started = time.perf_counter()
            try:
                done = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                continue
            except OSError as exc:
                raise MeterDisconnected(f"{argv[0]} can no longer be run ({exc.strerror or exc}); "
                                        f"check that it is still installed.") from None
            if done.returncode != 0:
                lines = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
                raise MeterProtocolError(
                    f"{shlex.join(argv)} failed with exit status {done.returncode}"
                    f"{': ' + lines[-1] if lines else ''}.", raw=done.stdout + done.stderr)
            self._run_s = time.perf_counter() - started
            return done.stdout
        raise MeterTimeout(f"{shlex.join(argv)} did not finish within {timeout:g} s, twice.")

    def max_rate_hz(self) -> float:
        if self._run_s > 0:
            return min(self.MAX_RATE_HZ, 0.5 / self._run_s)
        return self.MAX_RATE_HZ

    def devices(self) -> tuple[int, ...]:
        return tuple(sorted(self.parse(self.query())))

    def poll(self) -> Reading:
        before = time.perf_counter_ns()
        raw = self.query()
        when = midpoint(before, time.perf_counter_ns())
        found = self.parse(raw)
        elements = []
        for element in self.config.elements:
            if element not in found:
                raise MeterDisconnected(f"Device {element - 1} no longer appears in the output of "
                                        f"{self.tool}; check the device and its driver.", raw)
            watts, extra = found[element]
            elements.append(ElementReading(
                element, watts=watts,
                status={"watts": Status.OK if watts is not None else Status.NO_DATA}, extra=extra,
            ))
        return Reading(tuple(elements), raw=raw, end_raw_ns=when)

    def close(self) -> None:
        self._path = None
