"""The nvml channel against a fake ``pynvml`` module put in ``sys.modules`` by these tests only."""
from __future__ import annotations

import sys
import types

import pytest

from drivers.meters.base import (
    Identity,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Status,
)
from drivers.meters.software.nvml import NVML

NOT_SUPPORTED, NO_PERMISSION, DRIVER_NOT_LOADED, TIMEOUT = 3, 4, 9, 10
LIBRARY_NOT_FOUND, GPU_IS_LOST, UNKNOWN = 12, 15, 999


class FakeNVMLError(Exception):
    """pynvml's error: the NVML return code in ``value``."""

    def __init__(self, value: int):
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        return {NOT_SUPPORTED: "Not Supported", GPU_IS_LOST: "GPU is lost",
                TIMEOUT: "Timeout"}.get(self.value, f"Unknown Error {self.value}")


def fake_pynvml(gpus: list[dict]) -> types.ModuleType:
    """A pynvml with ``gpus``: per GPU name, serial, power_mw, energy_mj; a value that is an
    :class:`FakeNVMLError` is raised instead."""
    nv = types.ModuleType("pynvml")
    nv.NVMLError = FakeNVMLError
    nv.NVML_ERROR_NOT_SUPPORTED = NOT_SUPPORTED
    nv.NVML_ERROR_NO_PERMISSION = NO_PERMISSION
    nv.NVML_ERROR_DRIVER_NOT_LOADED = DRIVER_NOT_LOADED
    nv.NVML_ERROR_TIMEOUT = TIMEOUT
    nv.NVML_ERROR_LIBRARY_NOT_FOUND = LIBRARY_NOT_FOUND
    nv.NVML_ERROR_GPU_IS_LOST = GPU_IS_LOST
    nv.gpus = gpus
    nv.init_error = None
    nv.calls = []

    def value(handle: int, key: str):
        found = nv.gpus[handle][key]
        if isinstance(found, FakeNVMLError):
            raise found
        return found

    def init() -> None:
        if nv.init_error is not None:
            raise FakeNVMLError(nv.init_error)
        nv.calls.append("init")

    nv.nvmlInit = init
    nv.nvmlShutdown = lambda: nv.calls.append("shutdown")
    nv.nvmlDeviceGetCount = lambda: len(nv.gpus)
    nv.nvmlDeviceGetHandleByIndex = lambda index: index
    nv.nvmlDeviceGetName = lambda h: value(h, "name")
    nv.nvmlDeviceGetSerial = lambda h: value(h, "serial")
    nv.nvmlDeviceGetPowerUsage = lambda h: value(h, "power_mw")
    nv.nvmlDeviceGetTotalEnergyConsumption = lambda h: value(h, "energy_mj")
    nv.nvmlSystemGetDriverVersion = lambda: "550.54.15"
    return nv


@pytest.fixture()
def nv(monkeypatch) -> types.ModuleType:
    module = fake_pynvml([
        {"name": "NVIDIA H200", "serial": "1650924000001", "power_mw": 152_300,
         "energy_mj": 9_000_000},
        {"name": b"NVIDIA H200", "serial": FakeNVMLError(NOT_SUPPORTED), "power_mw": 98_750,
         "energy_mj": FakeNVMLError(NOT_SUPPORTED)},
    ])
    monkeypatch.setitem(sys.modules, "pynvml", module)
    return module


def test_identity_names_every_gpu_and_the_driver(nv) -> None:
    with NVML() as meter:
        ident = meter.identify()
    assert ident == Identity("NVIDIA", "NVIDIA H200", "1650924000001, -", "driver 550.54.15",
                             ident.raw)
    assert "GPU 1: NVIDIA H200, serial -" in ident.raw
    assert nv.calls == ["init", "shutdown"]


def test_power_and_energy_from_configure_per_gpu(nv) -> None:
    with NVML() as meter:
        meter.configure(MeterConfig(elements=(1, 2), rate_hz=200))
        nv.gpus[0]["energy_mj"] = 9_000_000 + 36_000  # 36 J = 0.01 Wh since configure
        reading = meter.read()
    first, second = reading.elements
    assert (first.element, first.watts, first.wh) == (1, 152.3, pytest.approx(0.01))
    assert first.status == {"watts": Status.OK, "wh": Status.OK} and first.flags == []
    assert (second.element, second.watts, second.wh) == (2, 98.75, None)
    assert second.flags == ["wh:no_data"]  # this GPU has no energy counter
    assert reading.raw == (b"GPU 0: power_mw=152300, energy_mj=9036000; "
                           b"GPU 1: power_mw=98750, energy_mj=None")
    assert reading.end_raw_ns is not None


def test_unsupported_power_reads_no_data(nv) -> None:
    nv.gpus[0]["power_mw"] = FakeNVMLError(NOT_SUPPORTED)
    with NVML() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=200))
        (element,) = meter.read().elements
    assert element.watts is None and element.flags == ["watts:no_data"]


@pytest.mark.parametrize("code, error, words", [
    (GPU_IS_LOST, MeterDisconnected, "GPU 0 has fallen off the bus"),
    (TIMEOUT, MeterTimeout, "did not answer in time for GPU 0"),
    (UNKNOWN, MeterProtocolError, "could not read GPU 0: Unknown Error 999"),
])
def test_nvml_errors_while_reading_are_typed(nv, code, error, words) -> None:
    with NVML() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=200))
        nv.gpus[0]["power_mw"] = FakeNVMLError(code)
        with pytest.raises(error, match=words):
            meter.read()


def test_a_gpu_that_is_not_there_is_refused(nv) -> None:
    with NVML() as meter, pytest.raises(MeterUnavailable, match="element 3 cannot be read"):
        meter.configure(MeterConfig(elements=(3,)))


def test_missing_pynvml_says_which_package_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)
    with pytest.raises(MeterUnavailable, match="nvidia-ml-py"):
        NVML().open()


@pytest.mark.parametrize("code, words", [
    (LIBRARY_NOT_FOUND, "libnvidia-ml.so\\) was not found; install the NVIDIA driver"),
    (DRIVER_NOT_LOADED, "driver is not loaded"),
    (NO_PERMISSION, "refused access"),
    (UNKNOWN, "did not start \\(Unknown Error 999\\)"),
])
def test_nvml_that_does_not_start_is_unavailable(nv, code, words) -> None:
    nv.init_error = code
    with pytest.raises(MeterUnavailable, match=words):
        NVML().open()


def test_no_gpu_is_unavailable(nv) -> None:
    nv.gpus = []
    with pytest.raises(MeterUnavailable, match="sees no NVIDIA GPU"):
        NVML().open()
    assert nv.calls == ["init", "shutdown"]


def test_close_is_safe_twice_and_reopens(nv) -> None:
    meter = NVML()
    meter.open()
    meter.close()
    meter.close()
    meter.open()
    meter.close()
    assert nv.calls == ["init", "shutdown", "init", "shutdown"]
