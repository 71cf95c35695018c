"""The deepx-status channel against a fake ``dx_engine`` put in ``sys.modules`` by these tests
only."""
from __future__ import annotations

import sys
import types

import pytest

from drivers.meters.base import (
    Identity,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
    Status,
)
from drivers.meters.software.deepx import DeepxStatus


def fake_dx_engine(devices: dict[int, list[tuple]], exported: bool = True
                   ) -> dict[str, types.ModuleType]:
    """``dx_engine`` with ``devices``: per device id, per core (temperature C, voltage mV, clock
    MHz); a core past the list reads 0 for all three, as DX-RT's library does. ``exported``: the
    classes come from the package itself, else from ``dx_engine.device_status`` and
    ``dx_engine.configuration``. The returned modules go in ``sys.modules``."""

    class DeviceStatus:
        failing: set[int] = set()

        def __init__(self) -> None:
            self._id = -1

        @classmethod
        def get_device_count(cls) -> int:
            return len(devices)

        @classmethod
        def get_current_status(cls, deviceId: int) -> "DeviceStatus":
            if deviceId in cls.failing or deviceId not in devices:
                raise RuntimeError(f"Not exist device id:{deviceId}")
            status = cls()
            status._id = deviceId
            return status

        def get_id(self) -> int:
            return self._id

        def _core(self, ch: int) -> tuple:
            cores = devices[self._id]
            return cores[ch] if ch < len(cores) else (0, 0, 0)

        def get_temperature(self, ch: int) -> int:
            return self._core(ch)[0]

        def get_npu_voltage(self, ch: int) -> int:
            return self._core(ch)[1]

        def get_npu_clock(self, ch: int) -> int:
            return self._core(ch)[2]

    class Configuration:
        def get_version(self) -> str:
            return "3.0.0"

        def get_driver_version(self) -> str:
            return "1.7.1"

    package = types.ModuleType("dx_engine")
    if exported:
        package.DeviceStatus, package.Configuration = DeviceStatus, Configuration
        return {"dx_engine": package}
    status_module = types.ModuleType("dx_engine.device_status")
    status_module.DeviceStatus = DeviceStatus
    configuration_module = types.ModuleType("dx_engine.configuration")
    configuration_module.Configuration = Configuration
    return {"dx_engine": package, "dx_engine.device_status": status_module,
            "dx_engine.configuration": configuration_module}


def install(monkeypatch, modules: dict[str, types.ModuleType]) -> None:
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)


DEVICES = {
    0: [(45, 750, 1000), (47, 760, 1000), (-32768, 0, 0)],
    1: [(91, 700, 600), (88, 700, 600), (86, 0, 600)],
}


@pytest.fixture()
def dx(monkeypatch) -> dict[str, types.ModuleType]:
    modules = fake_dx_engine(DEVICES)
    install(monkeypatch, modules)
    return modules


def test_identity_from_dx_rt(dx) -> None:
    with DeepxStatus() as meter:
        assert meter.identify() == Identity("DEEPX", "DX-M1", "", "DX-RT 3.0.0, driver 1.7.1",
                                            "device ids 0, 1")


def test_status_per_core_with_no_power(dx) -> None:
    with DeepxStatus() as meter:
        meter.configure(MeterConfig(elements=(1, 2), rate_hz=200))
        reading = meter.read()
    cool, hot = reading.elements
    assert cool.element == 1 and cool.watts is None
    assert cool.volts == pytest.approx(0.755)
    assert cool.status == {"watts": Status.NO_DATA, "volts": Status.OK}
    assert cool.flags == ["watts:no_data"]
    assert cool.extra == {"temp_c_core0": 45.0, "clock_mhz_core0": 1000.0, "volts_core0": 0.75,
                          "temp_c_core1": 47.0, "clock_mhz_core1": 1000.0, "volts_core1": 0.76,
                          "throttling": 0.0}  # core 2 has no reading
    assert hot.volts == pytest.approx(0.7)  # a 0 mV core is left out of the mean
    assert hot.extra["throttling"] == 1.0  # core 0 at 91 C: past the firmware's 90 C
    assert "volts_core2" not in hot.extra and hot.extra["temp_c_core2"] == 86.0
    assert reading.raw.splitlines()[0] == b"device 0 core 0: 45 C, 750 mV, 1000 MHz"
    assert reading.end_raw_ns is not None


def test_throttling_threshold_is_an_option(dx) -> None:
    with DeepxStatus(throttle_temp_c=95) as meter:
        meter.configure(MeterConfig(elements=(2,), rate_hz=200))
        assert meter.read().elements[0].extra["throttling"] == 0.0


def test_cores_past_the_device_are_left_out(dx) -> None:
    with DeepxStatus(cores=5) as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=200))
        extra = meter.read().elements[0].extra
    assert sorted(k for k in extra if k.startswith("temp_c")) == ["temp_c_core0", "temp_c_core1"]


def test_older_dx_rt_with_classes_in_submodules(monkeypatch) -> None:
    install(monkeypatch, fake_dx_engine({0: [(40, 720, 800)]}, exported=False))
    with DeepxStatus() as meter:
        assert meter.identify().firmware == "DX-RT 3.0.0, driver 1.7.1"
        meter.configure(MeterConfig(elements=(1,), rate_hz=200))
        assert meter.read().elements[0].volts == pytest.approx(0.72)


def test_missing_dx_engine_says_where_to_get_it(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "dx_engine", None)
    with pytest.raises(MeterUnavailable, match="dx_engine, which is not installed; install it "
                                               "from DEEPX's DX-RT SDK"):
        DeepxStatus().open()


def test_dx_engine_without_device_status_is_unavailable(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "dx_engine", types.ModuleType("dx_engine"))
    with pytest.raises(MeterUnavailable, match="has no DeviceStatus; update DX-RT"):
        DeepxStatus().open()


def test_no_device_is_unavailable(monkeypatch) -> None:
    install(monkeypatch, fake_dx_engine({}))
    with pytest.raises(MeterUnavailable, match="sees no DEEPX device"):
        DeepxStatus().open()


def test_a_device_that_stops_answering_is_a_disconnect(dx) -> None:
    with DeepxStatus() as meter:
        meter.configure(MeterConfig(elements=(2,), rate_hz=200))
        dx["dx_engine"].DeviceStatus.failing.add(1)
        with pytest.raises(MeterDisconnected, match="device 1 gave no status"):
            meter.read()


def test_a_status_that_is_not_a_number_is_a_protocol_error(monkeypatch) -> None:
    install(monkeypatch, fake_dx_engine({0: [("hot", 700, 800)]}))
    with DeepxStatus() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=200))
        with pytest.raises(MeterProtocolError, match="not a number"):
            meter.read()
