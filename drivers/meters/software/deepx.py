"""DEEPX DX-M1 NPU temperature, voltage and clock from DX-RT's device status; no power.

DX-RT's Python package ``dx_engine`` is not on PyPI: it comes with DEEPX's dx_rt SDK and is
imported only when the channel opens. Sources, in github.com/DEEPX-AI:

- dx_rt, python_package/src/dx_engine/device_status.py: class ``DeviceStatus`` with the class
  methods ``get_device_count()`` and ``get_current_status(device_id)``, and per NPU core ``ch``
  the methods ``get_temperature(ch)``, ``get_npu_voltage(ch)``, ``get_npu_clock(ch)``. Later
  releases export it (and ``Configuration``) from ``dx_engine`` itself; both places are tried.
- dx_rt documentation, "Global Instance" chapter, "Device Status Monitoring": temperature in
  degrees Celsius, NPU voltage in mV, NPU clock in MHz.
- dx_rt, lib/device_info_status.cpp: a core past the device's core count reads 0 for all three,
  so such a core is left out.
- dx_rt, cli/dxtop (``NpuDevice::CORE_COUNT = 3``): a DX-M1 has three NPU cores.
- dx_rt, python_package/src/dx_engine/configuration.py: ``Configuration().get_version()`` and
  ``get_driver_version()`` for the identity.
- dx_fw, RELEASE_NOTES.md v1.6.2: the firmware throttles the NPU clock above 90 °C and pauses
  inference above 100 °C. The Python status has no throttling flag, so throttling is flagged when
  a core reaches the ``throttle_temp_c`` option (90 °C by default).

Monitors built on DX-RT take a temperature of -32768 for a core without a reading, and so does
this driver (DEEPX's documentation does not say so); a voltage of 0 is left out of ``volts``.
"""
from __future__ import annotations

import importlib
import time
from typing import Any

from ..base import (
    ElementReading,
    Identity,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
    Status,
)
from .polling import PolledChannel, midpoint

INVALID_TEMPERATURE = -32768
DEFAULT_CORES = 3
DEFAULT_THROTTLE_C = 90.0
INSTALL_HINT = ("install it from DEEPX's DX-RT SDK (github.com/DEEPX-AI/dx_rt, its python_package "
                'folder, pip install .), then check with python -c "import dx_engine"')


def dx_class(name: str, submodule: str) -> Any:
    """The class ``name`` as ``dx_engine`` exports it, else from ``dx_engine.<submodule>`` (the
    releases whose package exports only the inference classes)."""
    found = getattr(importlib.import_module("dx_engine"), name, None)
    if found is None:
        found = getattr(importlib.import_module(f"dx_engine.{submodule}"), name)
    return found


def read_cores(status: Any, cores: int) -> dict[int, tuple[int, int, int]]:
    """Per NPU core with a reading: temperature (degrees C), voltage (mV), clock (MHz)."""
    found = {}
    for core in range(cores):
        values = (int(status.get_temperature(core)), int(status.get_npu_voltage(core)),
                  int(status.get_npu_clock(core)))
        if values[0] != INVALID_TEMPERATURE and values != (0, 0, 0):
            found[core] = values
    return found


class DeepxStatus(PolledChannel):
    """DEEPX NPU status through DX-RT, one element per device (element = device id + 1).
    ``watts`` has no data; ``volts`` is the mean NPU core voltage; ``extra`` holds per core
    ``temp_c_core<c>``, ``volts_core<c>``, ``clock_mhz_core<c>``, and ``throttling`` (1 when a core
    is at or above ``throttle_temp_c``, else 0).

    Options: ``cores`` (3) NPU cores per device; ``throttle_temp_c`` (90.0).
    """

    name = "deepx-status"
    models = ("DEEPX DX-M1 (DX-RT device status)",)
    gives_power = False

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._status: Any = None
        self._count = 0

    def open(self) -> None:
        if self._status is not None:
            return
        try:
            status = dx_class("DeviceStatus", "device_status")
        except ModuleNotFoundError as exc:
            if exc.name == "dx_engine":
                raise MeterUnavailable(f"The deepx-status channel needs DX-RT's Python package "
                                       f"dx_engine, which is not installed; {INSTALL_HINT}."
                                       ) from None
            if exc.name == "dx_engine.device_status":
                raise MeterUnavailable(f"This dx_engine has no DeviceStatus; update DX-RT: "
                                       f"{INSTALL_HINT}.") from None
            raise MeterUnavailable(f"DX-RT's Python package dx_engine did not load (module "
                                   f"{exc.name} is missing); {INSTALL_HINT}.") from None
        except ImportError as exc:
            raise MeterUnavailable(f"DX-RT's Python package dx_engine did not load ({exc}); "
                                   f"{INSTALL_HINT}.") from None
        except AttributeError:
            raise MeterUnavailable(f"This dx_engine has no DeviceStatus; update DX-RT: "
                                   f"{INSTALL_HINT}.") from None
        try:
            count = int(status.get_device_count())
        except Exception as exc:  # any DX-RT failure: it names the cause
            raise MeterUnavailable(f"DX-RT could not count the DEEPX devices ({exc}); check the "
                                   f"driver and runtime with 'dxrt-cli -s'.") from None
        if count < 1:
            raise MeterUnavailable("DX-RT sees no DEEPX device; check the driver and the device "
                                   "with 'dxrt-cli -s'.")
        self._status, self._count = status, count

    def devices(self) -> tuple[int, ...]:
        self.open()
        return tuple(range(1, self._count + 1))

    def _read_device(self, element: int) -> dict[int, tuple[int, int, int]]:
        self.open()
        try:
            status = self._status.get_current_status(element - 1)
        except Exception as exc:  # any DX-RT failure: the device no longer answers
            raise MeterDisconnected(f"DEEPX device {element - 1} gave no status ({exc}); check it "
                                    f"with 'dxrt-cli -s'.") from None
        try:
            return read_cores(status, int(self.option("cores", DEFAULT_CORES)))
        except (TypeError, ValueError) as exc:
            raise MeterProtocolError(f"DEEPX device {element - 1} reported a status that is not "
                                     f"a number ({exc}).") from None

    def identify(self) -> Identity:
        self.open()
        ids = []
        for element in self.devices():
            try:
                ids.append(str(self._status.get_current_status(element - 1).get_id()))
            except Exception as exc:  # any DX-RT failure: it names the cause
                raise MeterUnavailable(f"DEEPX device {element - 1} gave no status ({exc}); check "
                                       f"it with 'dxrt-cli -s'.") from None
        try:
            configuration = dx_class("Configuration", "configuration")()
            firmware = (f"DX-RT {configuration.get_version()}, "
                        f"driver {configuration.get_driver_version()}")
        except Exception:  # versions are optional in the witness record
            firmware = ""
        return Identity("DEEPX", "DX-M1", "", firmware, f"device ids {', '.join(ids)}")

    def poll(self) -> Reading:
        threshold = float(self.option("throttle_temp_c", DEFAULT_THROTTLE_C))
        before = time.perf_counter_ns()
        found = {element: self._read_device(element) for element in self.config.elements}
        when = midpoint(before, time.perf_counter_ns())
        elements, lines = [], []
        for element, cores in found.items():
            extra: dict[str, float] = {}
            voltages = []
            for core, (temp_c, voltage_mv, clock_mhz) in cores.items():
                extra[f"temp_c_core{core}"] = float(temp_c)
                extra[f"clock_mhz_core{core}"] = float(clock_mhz)
                if voltage_mv > 0:
                    extra[f"volts_core{core}"] = voltage_mv / 1000.0
                    voltages.append(voltage_mv / 1000.0)
                lines.append(f"device {element - 1} core {core}: {temp_c} C, {voltage_mv} mV, "
                             f"{clock_mhz} MHz")
            extra["throttling"] = float(any(t >= threshold for t, _, _ in cores.values()))
            volts = sum(voltages) / len(voltages) if voltages else None
            elements.append(ElementReading(
                element, volts=volts,
                status={"watts": Status.NO_DATA,
                        "volts": Status.OK if volts is not None else Status.NO_DATA},
                extra=extra,
            ))
        return Reading(tuple(elements), raw="\n".join(lines).encode(), end_raw_ns=when)

    def close(self) -> None:
        self._status = None
