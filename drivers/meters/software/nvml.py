"""NVIDIA GPU board power and energy through NVML.

NVML comes with the NVIDIA driver; its Python binding is the optional package ``nvidia-ml-py``
(module ``pynvml``), imported only when the channel opens. Calls used, from the NVML API
reference (docs.nvidia.com/deploy/nvml-api, Device Queries):

- ``nvmlDeviceGetPowerUsage``: board power in milliwatts. On Ampere (except GA100) and newer GPUs
  NVML returns the power averaged over 1 s; on older ones the instantaneous power.
- ``nvmlDeviceGetTotalEnergyConsumption``: energy in millijoules since the driver was last loaded
  (Volta and newer).
- ``nvmlDeviceGetName``, ``nvmlDeviceGetSerial``, ``nvmlSystemGetDriverVersion``: the identity.

A value a GPU does not support (``NVML_ERROR_NOT_SUPPORTED``) reads as no data for that value.
"""
from __future__ import annotations

import time
from types import ModuleType
from typing import Any, Callable

from ..base import (
    ElementReading,
    Identity,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
    Status,
)
from .polling import PolledChannel, midpoint

MJ_PER_WH = 3.6e6


def _text(value: str | bytes) -> str:
    """NVML strings: ``str`` from current nvidia-ml-py, ``bytes`` from older releases."""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


class NVML(PolledChannel):
    """NVIDIA GPU board power (``watts``) and the GPU's energy counter (``wh``, counted from
    configure), one element per GPU in NVML's order (element = GPU index + 1). No options.
    """

    name = "nvml"
    models = ("NVIDIA GPU (NVML)",)

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._nvml: ModuleType | None = None
        self._handles: list[Any] = []
        self._energy_start: dict[int, int | None] = {}

    def open(self) -> None:
        if self._nvml is not None:
            return
        try:
            import pynvml
        except ImportError:
            raise MeterUnavailable(
                "The nvml channel needs the Python package nvidia-ml-py (module pynvml), which is "
                "not installed; install it with 'pip install nvidia-ml-py'."
            ) from None
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as exc:
            raise MeterUnavailable(self._start_failure(pynvml, exc)) from None
        try:
            handles = [pynvml.nvmlDeviceGetHandleByIndex(index)
                       for index in range(pynvml.nvmlDeviceGetCount())]
        except pynvml.NVMLError as exc:
            pynvml.nvmlShutdown()
            raise MeterUnavailable(f"NVML could not list the GPUs ({exc}); check the NVIDIA "
                                   f"driver with nvidia-smi.") from None
        if not handles:
            pynvml.nvmlShutdown()
            raise MeterUnavailable("NVML sees no NVIDIA GPU; check that nvidia-smi lists one.")
        self._nvml = pynvml
        self._handles = handles

    @staticmethod
    def _start_failure(pynvml: ModuleType, exc: Any) -> str:
        """One sentence for an ``nvmlInit`` failure."""
        code = getattr(exc, "value", None)
        if code == pynvml.NVML_ERROR_LIBRARY_NOT_FOUND:
            return ("The NVIDIA driver's NVML library (libnvidia-ml.so) was not found; install the "
                    "NVIDIA driver.")
        if code == pynvml.NVML_ERROR_DRIVER_NOT_LOADED:
            return ("The NVIDIA driver is not loaded; load it (or reboot after installing it) and "
                    "check with nvidia-smi.")
        if code == pynvml.NVML_ERROR_NO_PERMISSION:
            return ("NVML refused access to the GPUs; run as a user allowed to open /dev/nvidia*.")
        return f"NVML did not start ({exc}); check the NVIDIA driver with nvidia-smi."

    def _nv(self) -> ModuleType:
        self.open()
        assert self._nvml is not None
        return self._nvml

    def devices(self) -> tuple[int, ...]:
        self._nv()
        return tuple(range(1, len(self._handles) + 1))

    def _value(self, query: Callable[[Any], Any], element: int) -> Any:
        """One NVML query for one GPU; ``None`` where the GPU does not support it."""
        nv = self._nv()
        try:
            return query(self._handles[element - 1])
        except nv.NVMLError as exc:
            code = getattr(exc, "value", None)
            gpu = f"GPU {element - 1}"
            if code == nv.NVML_ERROR_NOT_SUPPORTED:
                return None
            if code == nv.NVML_ERROR_GPU_IS_LOST:
                raise MeterDisconnected(f"{gpu} has fallen off the bus (NVML: {exc}); check the "
                                        f"GPU and its power, then reboot.") from None
            if code == nv.NVML_ERROR_TIMEOUT:
                raise MeterTimeout(f"NVML did not answer in time for {gpu} ({exc}).") from None
            raise MeterProtocolError(f"NVML could not read {gpu}: {exc}.") from None

    def identify(self) -> Identity:
        nv = self._nv()
        elements = self.devices()
        names = [_text(self._value(nv.nvmlDeviceGetName, e) or "") for e in elements]
        serials = [_text(self._value(nv.nvmlDeviceGetSerial, e) or "") for e in elements]
        try:
            driver = _text(nv.nvmlSystemGetDriverVersion())
        except nv.NVMLError as exc:
            raise MeterProtocolError(f"NVML could not give the driver version: {exc}.") from None
        raw = "; ".join(f"GPU {e - 1}: {n}, serial {s or '-'}"
                        for e, n, s in zip(elements, names, serials))
        return Identity("NVIDIA", ", ".join(dict.fromkeys(names)),
                        ", ".join(s or "-" for s in serials), f"driver {driver}", raw)

    def configure(self, config: MeterConfig) -> None:
        super().configure(config)
        nv = self._nv()
        self._energy_start = {e: self._value(nv.nvmlDeviceGetTotalEnergyConsumption, e)
                              for e in self.config.elements}

    def poll(self) -> Reading:
        nv = self._nv()
        before = time.perf_counter_ns()
        values = [(e, self._value(nv.nvmlDeviceGetPowerUsage, e),
                   self._value(nv.nvmlDeviceGetTotalEnergyConsumption, e))
                  for e in self.config.elements]
        when = midpoint(before, time.perf_counter_ns())
        elements = []
        for element, power_mw, energy_mj in values:
            start_mj = self._energy_start.get(element)
            wh = None
            if energy_mj is not None and start_mj is not None:
                wh = (energy_mj - start_mj) / MJ_PER_WH
            elements.append(ElementReading(
                element,
                watts=power_mw / 1000.0 if power_mw is not None else None,
                wh=wh,
                status={"watts": Status.OK if power_mw is not None else Status.NO_DATA,
                        "wh": Status.OK if wh is not None else Status.NO_DATA},
            ))
        raw = "; ".join(f"GPU {e - 1}: power_mw={p}, energy_mj={j}" for e, p, j in values)
        return Reading(tuple(elements), raw=raw.encode(), end_raw_ns=when)

    def close(self) -> None:
        if self._nvml is not None:
            nv, self._nvml, self._handles = self._nvml, None, []
            try:
                nv.nvmlShutdown()
            except nv.NVMLError:  # letting go must not fail
                pass
