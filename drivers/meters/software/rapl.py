"""Intel RAPL package energy from the Linux powercap files.

The kernel's ``intel_rapl`` powercap driver (Documentation/power/powercap/powercap.rst) gives each
CPU package a zone ``/sys/class/powercap/intel-rapl:<n>`` with

- ``name``: the zone, e.g. ``package-0``;
- ``energy_uj``: the package's energy counter in microjoules, which wraps to 0 past
- ``max_energy_range_uj``: the counter's range.

Power is the counter's increase divided by the time between two polls; one wrap between polls is
undone by adding the range (at 300 W a 262 J-range counter wraps every ~15 minutes, far slower than
any poll). Subzones (``intel-rapl:<n>:<m>``: cores, uncore, DRAM) are not packages and are left
out. Since Linux 5.10 (commit 949dd0104c49, CVE-2020-8694) ``energy_uj`` is readable only by root.
"""
from __future__ import annotations

import platform
import re
import time
from pathlib import Path
from typing import Any

from ..base import (
    ElementReading,
    Identity,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
    Status,
)
from .polling import PolledChannel, midpoint

DEFAULT_ROOT = "/sys/class/powercap"
UJ_PER_WH = 3.6e9
_PACKAGE_ZONE = re.compile(r"intel-rapl:(\d+)")

PERMISSION_HINT = (
    "only root may read it on Linux 5.10 and later; run K-Perf Lab as root, or grant read access "
    'with a udev rule such as SUBSYSTEM=="powercap", KERNEL=="intel-rapl:*", '
    'RUN+="/bin/chmod o+r /sys%p/energy_uj" in /etc/udev/rules.d/99-rapl.rules'
)


class RAPL(PolledChannel):
    """Intel RAPL package power (``watts``) and energy counted from configure (``wh``), one
    element per package zone ``intel-rapl:<n>`` (element = n + 1).

    Option ``root`` (``/sys/class/powercap``): the powercap folder.
    """

    name = "rapl"
    models = ("Intel RAPL package energy",)
    MAX_RATE_HZ = 1000.0

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._zones: dict[int, Path] = {}
        self._ranges: dict[int, int] = {}
        self._last: dict[int, int] = {}
        self._last_ns = 0
        self._total_uj: dict[int, int] = {}

    def _read(self, path: Path) -> int:
        """One counter file as an integer, with typed errors."""
        try:
            text = path.read_text()
        except PermissionError:
            raise MeterUnavailable(f"{path} cannot be read: {PERMISSION_HINT}.") from None
        except FileNotFoundError:
            raise MeterDisconnected(f"{path} is gone; check that the intel_rapl_msr kernel module "
                                    f"is still loaded.") from None
        try:
            return int(text.strip())
        except ValueError:
            raise MeterProtocolError(f"{path} holds {text.strip()[:40]!r}, not a counter.",
                                     raw=text.encode()) from None

    def open(self) -> None:
        if self._zones:
            return
        root = Path(self.option("root", DEFAULT_ROOT))
        zones = {}
        if root.is_dir():
            for entry in root.iterdir():
                found = _PACKAGE_ZONE.fullmatch(entry.name)
                if found and (entry / "energy_uj").exists():
                    zones[int(found.group(1)) + 1] = entry
        if not zones:
            raise MeterUnavailable(
                f"No RAPL package zone (intel-rapl:<n>) is under {root}; the CPU needs RAPL and "
                f"the kernel its powercap driver (modprobe intel_rapl_msr)."
            )
        ranges = {e: self._read(zone / "max_energy_range_uj") for e, zone in sorted(zones.items())}
        for zone in zones.values():
            self._read(zone / "energy_uj")
        self._zones, self._ranges = dict(sorted(zones.items())), ranges

    def devices(self) -> tuple[int, ...]:
        self.open()
        return tuple(self._zones)

    def identify(self) -> Identity:
        self.open()
        names = []
        for zone in self._zones.values():
            try:
                names.append(f"{zone.name} {(zone / 'name').read_text().strip()}")
            except OSError:
                names.append(zone.name)
        return Identity("Intel", "RAPL package energy", "", f"Linux {platform.release()}",
                        f"{'; '.join(names)} under {Path(self.option('root', DEFAULT_ROOT))}")

    def _sample(self) -> tuple[dict[int, int], int]:
        before = time.perf_counter_ns()
        counters = {e: self._read(self._zones[e] / "energy_uj") for e in self.config.elements}
        return counters, midpoint(before, time.perf_counter_ns())

    def configure(self, config: MeterConfig) -> None:
        super().configure(config)
        self._last, self._last_ns = self._sample()
        self._total_uj = dict.fromkeys(self.config.elements, 0)

    def poll(self) -> Reading:
        counters, when = self._sample()
        seconds = (when - self._last_ns) / 1e9
        elements = []
        for element, value in counters.items():
            delta = value - self._last[element]
            if delta < 0:  # the counter wrapped
                delta += self._ranges[element]
            self._total_uj[element] += delta
            elements.append(ElementReading(
                element, watts=delta / 1e6 / seconds, wh=self._total_uj[element] / UJ_PER_WH,
                status={"watts": Status.OK, "wh": Status.OK},
            ))
        self._last, self._last_ns = counters, when
        raw = "; ".join(f"intel-rapl:{e - 1} energy_uj={v}" for e, v in counters.items())
        return Reading(tuple(elements), raw=raw.encode(), end_raw_ns=when)

    def close(self) -> None:
        self._zones = {}
