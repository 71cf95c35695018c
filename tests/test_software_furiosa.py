"""The furiosa-smi channel against a fake ``furiosa-smi`` on the PATH printing recorded output."""
from __future__ import annotations

import json

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
from drivers.meters.software.furiosa import FuriosaSmi
from software_fakes import FakeTool


def npu(index: int, power: str, temperature: str = "40.98°C") -> dict:
    """One device of ``furiosa-smi info --format json`` (RNGD), in the tool's field names."""
    return {"arch": "rngd", "dev_name": f"npu{index}", "device_uuid": f"UUID-{index}",
            "device_sn": f"RNGDSN{index:04d}", "firmware": "2025.1.0, 4dfed18",
            "temperature": temperature, "power": power, "core_clock": "1000 MHz",
            "governor": "Performance", "pci_bdf": f"0000:{index + 3:02x}:00.0", "pci_dev": "1ed2"}


INFO = "info --format json"


@pytest.fixture()
def smi(tmp_path, monkeypatch) -> FakeTool:
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    tool = FakeTool(folder, "furiosa-smi")
    tool.set({INFO: json.dumps([npu(1, "37.44 W"), npu(0, "38.40 W")])})
    return tool


def test_identity_from_info_json(smi) -> None:
    with FuriosaSmi() as meter:
        ident = meter.identify()
    assert ident == Identity("FuriosaAI", "RNGD", "RNGDSN0000, RNGDSN0001", "2025.1.0, 4dfed18",
                             ident.raw)
    assert json.loads(ident.raw)[0]["dev_name"] == "npu1"
    assert smi.calls == [INFO, INFO]  # the probe at open, then identify


def test_power_per_npu_with_temperature(smi) -> None:
    with FuriosaSmi() as meter:
        meter.configure(MeterConfig(elements=(2, 1), rate_hz=100))
        assert 0 < meter.config.rate_hz <= 10.0  # no faster than the tool can keep up with
        smi.set({INFO: json.dumps([npu(0, "120.5 W", "55.1°C"), npu(1, "N/A")])})
        reading = meter.read()
    second, first = reading.elements
    assert (second.element, second.watts, second.status) == (2, None, {"watts": Status.NO_DATA})
    assert (first.element, first.watts, first.status) == (1, 120.5, {"watts": Status.OK})
    assert first.extra == {"temp_c": 55.1}
    assert json.loads(reading.raw)[0]["power"] == "120.5 W"
    assert reading.end_raw_ns is not None
    assert smi.calls == [INFO, INFO, INFO]  # open, configure, one poll


def test_warboy_output_flag_is_used_when_format_is_refused(smi) -> None:
    smi.set({"info --output json": json.dumps([{**npu(0, "9 W"), "arch": "warboy"}])})
    with FuriosaSmi() as meter:
        assert meter.identify().model == "WARBOY"
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        assert meter.read().elements[0].watts == 9.0
    assert smi.calls[:2] == [INFO, "info --output json"]
    assert set(smi.calls[2:]) == {"info --output json"}


def test_a_tool_without_json_output_is_unavailable(smi) -> None:
    smi.set({INFO: "+------+--------+\n| Arch | Device |\n"})
    with pytest.raises(MeterUnavailable, match="gave no device list .* update furiosa-smi"):
        FuriosaSmi().open()


def test_no_npu_is_unavailable(smi) -> None:
    smi.set({INFO: "[]"})
    with pytest.raises(MeterUnavailable, match="lists no NPU; install the NPU kernel driver"):
        FuriosaSmi().open()


def test_missing_tool_says_how_to_install_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MeterUnavailable, match="cannot find furiosa-smi; install it .*apt install"):
        FuriosaSmi().open()


def test_the_command_option_names_the_tool(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    tool = FakeTool(tmp_path, "my-smi")
    tool.set({INFO: json.dumps([npu(0, "38 W")])})
    with FuriosaSmi(command=str(tool.path)) as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        assert meter.read().elements[0].watts == 38.0


def test_garbage_output_is_a_protocol_error_carrying_it(smi) -> None:
    with FuriosaSmi() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        smi.set({INFO: "Segmentation fault\n"})
        with pytest.raises(MeterProtocolError, match="not JSON") as caught:
            meter.read()
    assert caught.value.raw == b"Segmentation fault\n"


def test_a_power_in_no_known_unit_is_a_protocol_error(smi) -> None:
    with FuriosaSmi() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        smi.set({INFO: json.dumps([npu(0, "38 kW")])})
        with pytest.raises(MeterProtocolError, match="npu0 the power '38 kW'"):
            meter.read()


def test_a_failing_tool_is_a_protocol_error_with_its_message(smi) -> None:
    with FuriosaSmi() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        smi.set({INFO: {"stdout": "", "stderr": "error: device busy\n", "status": 1}})
        with pytest.raises(MeterProtocolError, match="exit status 1: error: device busy"):
            meter.read()


def test_a_vanished_npu_is_a_disconnect(smi) -> None:
    with FuriosaSmi() as meter:
        meter.configure(MeterConfig(elements=(2,), rate_hz=10))
        smi.set({INFO: json.dumps([npu(0, "38 W")])})
        with pytest.raises(MeterDisconnected, match="Device 1 no longer appears"):
            meter.read()


def test_a_hanging_tool_is_run_once_more_then_times_out(smi) -> None:
    with FuriosaSmi(timeout_s=0.3) as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        calls = len(smi.calls)
        smi.set({INFO: json.dumps([npu(0, "38 W")])}, sleep_s=5)
        with pytest.raises(MeterTimeout, match="did not finish within 0.3 s, twice"):
            meter.read()
    assert len(smi.calls) == calls + 2
