"""Resource discovery: merged results, failures and hangs become notes, never exceptions."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from drivers.meters import discovery


@pytest.fixture(autouse=True)
def no_real_usb(monkeypatch, tmp_path):
    """The USB permission check reads an empty sysfs unless a test gives it one."""
    monkeypatch.setattr(discovery, "SYSFS_USB", tmp_path / "no-sysfs")


def usb_device(sysfs: Path, name: str, vendor_id: str, product_id: str, bus: int, number: int,
               interfaces: list[tuple[str, str]], **strings: str) -> None:
    dev = sysfs / name
    dev.mkdir(parents=True)
    for key, value in {"idVendor": vendor_id, "idProduct": product_id, "busnum": str(bus),
                       "devnum": str(number), **strings}.items():
        (dev / key).write_text(value + "\n")
    for i, (cls, sub) in enumerate(interfaces):
        intf = dev / f"{name}:1.{i}"  # as in sysfs: the interfaces inside the device
        intf.mkdir()
        (intf / "bInterfaceClass").write_text(cls + "\n")
        (intf / "bInterfaceSubClass").write_text(sub + "\n")


def device_nodes(devfs: Path, *nodes: tuple[int, int]) -> None:
    for bus, number in nodes:
        (devfs / f"{bus:03d}").mkdir(parents=True, exist_ok=True)
        (devfs / f"{bus:03d}" / f"{number:03d}").write_bytes(b"")


def test_visa_and_serial_results_are_merged(monkeypatch):
    usb = {"resource": "USB0::1::2::SN::INSTR", "kind": "visa", "description": "USB instrument"}
    port = {"resource": "/dev/ttyUSB0", "kind": "serial", "description": "FT232R"}
    monkeypatch.setattr(discovery, "_visa_resources", lambda: [usb])
    monkeypatch.setattr(discovery, "_serial_ports", lambda: [port])
    assert discovery.list_resources(timeout_s=2) == [usb, port]


def test_a_failing_search_becomes_a_note(monkeypatch):
    def broken():
        raise OSError("no permission to read /dev/bus/usb")

    monkeypatch.setattr(discovery, "_visa_resources", broken)
    monkeypatch.setattr(discovery, "_serial_ports", lambda: [])
    assert discovery.list_resources(timeout_s=2) == [
        {
            "resource": "",
            "kind": "visa",
            "description": "",
            "note": "The VISA search failed: no permission to read /dev/bus/usb.",
        }
    ]


def test_a_hanging_search_is_cut_off_at_the_deadline(monkeypatch):
    release = threading.Event()

    def hangs():
        release.wait(10)
        return []

    monkeypatch.setattr(discovery, "_visa_resources", lambda: [])
    monkeypatch.setattr(discovery, "_serial_ports", hangs)
    started = time.monotonic()
    try:
        found = discovery.list_resources(timeout_s=0.2)
    finally:
        release.set()
    assert time.monotonic() - started < 2
    assert found == [
        {
            "resource": "",
            "kind": "serial",
            "description": "",
            "note": "The serial port search did not finish within 0.2 s; its resources are not "
            "listed.",
        }
    ]


def test_the_real_serial_search_returns_entries(monkeypatch):
    # the VISA search broadcasts on the local network: left out here
    monkeypatch.setattr(discovery, "_visa_resources", lambda: [])
    found = discovery.list_resources(timeout_s=3)
    assert all(set(entry) >= {"resource", "kind", "description"} for entry in found)
    assert all(entry["kind"] == "serial" for entry in found)


def test_visa_resources_are_described_by_interface():
    names = (
        "TCPIP0::10.0.0.2::inst0::INSTR",
        "USB0::1::2::3::INSTR",
        "ASRL3::INSTR",
        "GPIB0::7::INSTR",
        "PXI0::1::INSTR",
    )
    assert [discovery._describe(name) for name in names] == [
        "network instrument",
        "USB instrument",
        "serial instrument",
        "GPIB instrument",
        "instrument",
    ]


def test_a_usb_meter_this_user_may_not_open_becomes_a_note_with_the_fix(tmp_path):
    sysfs, devfs = tmp_path / "sys", tmp_path / "dev"
    # a Yokogawa WT310E over USB-TMC, a Tektronix in a vendor mode, a keyboard, a TMC meter of
    # another make that this user may open
    usb_device(sysfs, "1-1", "0b21", "0025", 1, 5, [("fe", "03")],
               manufacturer="YOKOGAWA", product="WT310E")
    usb_device(sysfs, "1-2", "0699", "0c00", 1, 6, [("ff", "00")])
    usb_device(sysfs, "1-3", "046d", "c31c", 1, 7, [("03", "01")])
    usb_device(sysfs, "2-1", "1698", "083d", 2, 2, [("fe", "03")])
    device_nodes(devfs, (1, 5), (1, 6), (1, 7), (2, 2))
    allowed = {devfs / "002" / "002"}
    notes = list(discovery.usb_access_problems(sysfs, devfs, can_open=lambda p: p in allowed))
    script = discovery.access_script()
    assert script is not None and script.name == "instrument-access.sh"
    fix = f"To fix: sudo bash '{script}', unplug and replug the meter, then log out and back in."
    assert notes == [
        {"resource": "", "kind": "visa", "description": "",
         "note": "A USB-TMC instrument is connected but this user may not open it: YOKOGAWA "
                 f"WT310E (0b21:0025, {devfs}/001/005). {fix}"},
        {"resource": "", "kind": "visa", "description": "",
         "note": "A USB device is connected but this user may not open it: Tektronix 0c00 "
                 f"(0699:0c00, {devfs}/001/006). {fix}"},
    ]


def test_a_usb_meter_without_a_device_node_or_open_to_the_user_adds_nothing(tmp_path):
    sysfs, devfs = tmp_path / "sys", tmp_path / "dev"
    usb_device(sysfs, "1-1", "0b21", "0025", 1, 5, [("fe", "03")])
    usb_device(sysfs, "1-2", "0aad", "0123", 1, 6, [("fe", "03")])
    device_nodes(devfs, (1, 6))
    assert list(discovery.usb_access_problems(sysfs, devfs, can_open=lambda p: True)) == []


def test_a_serial_port_this_user_may_not_open_becomes_a_note(tmp_path):
    port = tmp_path / "ttyUSB0"
    port.write_bytes(b"")
    group = discovery._group_of(port)
    ports = [{"resource": str(port), "kind": "serial", "description": "FT232R"},
             {"resource": "COM3", "kind": "serial", "description": ""}]
    notes = list(discovery.serial_access_problems(ports, can_open=lambda p: False))
    assert len(notes) == 1 and notes[0]["kind"] == "serial" and notes[0]["resource"] == ""
    assert notes[0]["note"].startswith(
        f"Serial port {port} is present but this user may not open it; it belongs to the group "
        f"{group}. To fix: sudo bash '{discovery.access_script()}' (or: sudo usermod -aG {group} "
        "$USER), then log out and back in.")
    assert list(discovery.serial_access_problems(ports, can_open=lambda p: True)) == []


def test_list_resources_adds_the_access_notes(monkeypatch, tmp_path):
    sysfs, devfs = tmp_path / "sys", tmp_path / "dev"
    usb_device(sysfs, "1-1", "0b21", "0025", 1, 5, [("fe", "03")], product="WT310E")
    device_nodes(devfs, (1, 5))
    monkeypatch.setattr(discovery, "SYSFS_USB", sysfs)
    monkeypatch.setattr(discovery, "DEV_USB", devfs)
    monkeypatch.setattr(discovery, "_can_open", lambda p: False)
    monkeypatch.setattr(discovery, "_visa_resources", lambda: [])
    monkeypatch.setattr(discovery, "_serial_ports", lambda: [])
    found = discovery.list_resources(timeout_s=2)
    assert [entry["kind"] for entry in found] == ["visa"]
    assert found[0]["note"].startswith("A USB-TMC instrument is connected but this user may not "
                                       "open it: Yokogawa WT310E (0b21:0025, ")
