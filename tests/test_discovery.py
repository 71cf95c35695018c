"""Resource discovery: merged results, failures and hangs become notes, never exceptions."""
from __future__ import annotations

import threading
import time

from drivers.meters import discovery


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
