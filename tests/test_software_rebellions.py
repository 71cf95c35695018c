"""The rbln-smi channel against a fake ``rbln-smi`` / ``rbln-stat`` on the PATH printing recorded
output."""
from __future__ import annotations

import json

import pytest

from drivers.meters.base import (
    Identity,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
    Status,
)
from drivers.meters.software.rebellions import RblnSmi
from software_fakes import FakeTool


def npu(index: int, card_power: str, temperature: str = "31C") -> dict:
    """One device of ``rbln-smi --json``, in the tool's field names."""
    return {"npu": index, "name": "RBLN-CA22", "sid": f"00000000225133{index:02d}",
            "uuid": f"uuid-{index}", "device": f"rbln{index}", "status": "normal",
            "fw_ver": "3.0.0", "pci": {"dev": "0x1220", "bus_id": f"0000:{index + 3:02x}:00.0",
                                        "numa_node": "0", "link_speed": "32.0GT/s",
                                        "link_width": "16"},
            "temperature": temperature, "card_power": card_power, "pstate": "P14",
            "memory": {"used": "0", "total": "16877879296"}, "util": "0.0",
            "board_info": "0005000c", "location": 5}


def document(*devices: dict) -> str:
    return json.dumps({"KMD_version": "3.0.0", "devices": list(devices), "contexts": []})


@pytest.fixture()
def bin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


@pytest.fixture()
def smi(bin_dir) -> FakeTool:
    tool = FakeTool(bin_dir, "rbln-smi")  # listed out of rbln<n> order, as the tool does
    tool.set({"--json": document(npu(2, "37257088uW", "45C"), npu(0, "18109794uW"),
                                 npu(1, "43.9W"))})
    return tool


def test_identity_in_device_order(smi) -> None:
    with RblnSmi() as meter:
        assert meter.devices() == (1, 2, 3)
        ident = meter.identify()
    assert ident == Identity("Rebellions", "RBLN-CA22",
                             "0000000022513300, 0000000022513301, 0000000022513302",
                             "FW 3.0.0, KMD 3.0.0", ident.raw)
    assert json.loads(ident.raw)["KMD_version"] == "3.0.0"
    assert set(smi.calls) == {"--json"}


def test_card_power_per_npu_by_its_rbln_name(smi) -> None:
    with RblnSmi() as meter:
        meter.configure(MeterConfig(elements=(1, 2, 3), rate_hz=10))
        reading = meter.read()
    watts = [(e.element, e.watts) for e in reading.elements]
    assert watts == [(1, pytest.approx(18.109794)), (2, pytest.approx(43.9)),
                     (3, pytest.approx(37.257088))]
    assert reading.elements[2].extra == {"temp_c": 45.0}
    assert reading.elements[0].status == {"watts": Status.OK}
    assert json.loads(reading.raw)["devices"][0]["device"] == "rbln2"


def test_rbln_stat_is_used_where_rbln_smi_is_absent(bin_dir) -> None:
    stat = FakeTool(bin_dir, "rbln-stat")
    stat.set({"--json": document(npu(0, "6100000uW"))})
    with RblnSmi() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        assert meter.read().elements[0].watts == pytest.approx(6.1)
        assert meter.tool == str(stat.path)


def test_missing_tools_say_where_they_come_from(bin_dir) -> None:
    with pytest.raises(MeterUnavailable, match="cannot find rbln-smi or rbln-stat; both come with "
                                               "Rebellions' RBLN driver package"):
        RblnSmi().open()


def test_no_npu_is_unavailable(smi) -> None:
    smi.set({"--json": document()})
    with pytest.raises(MeterUnavailable, match="lists no NPU; install the RBLN driver"):
        RblnSmi().open()


def test_output_without_devices_is_unavailable_at_open(smi) -> None:
    smi.set({"--json": json.dumps({"KMD_version": "3.0.0"})})
    with pytest.raises(MeterUnavailable, match="printed no list of devices"):
        RblnSmi().open()


def test_a_card_power_in_no_known_unit_is_a_protocol_error(smi) -> None:
    with RblnSmi() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        smi.set({"--json": document(npu(0, "18109794"))})
        with pytest.raises(MeterProtocolError, match="rbln0 the card power '18109794'") as caught:
            meter.read()
    assert b"18109794" in caught.value.raw


def test_an_unavailable_card_power_reads_no_data(smi) -> None:
    with RblnSmi() as meter:
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        smi.set({"--json": document(npu(0, "N/A", "N/A"))})
        (element,) = meter.read().elements
    assert element.watts is None and element.flags == ["watts:no_data"] and element.extra == {}


def test_a_vanished_npu_is_a_disconnect(smi) -> None:
    with RblnSmi() as meter:
        meter.configure(MeterConfig(elements=(3,), rate_hz=10))
        smi.set({"--json": document(npu(0, "18W"))})
        with pytest.raises(MeterDisconnected, match="Device 2 no longer appears"):
            meter.read()
