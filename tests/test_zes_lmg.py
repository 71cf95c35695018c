"""The ZES ZIMMER LMG driver: exact lines sent, continuous output, special values, errors,
timeouts, a streaming TCP fake (stall, drop) and a serial pseudo-terminal."""
from __future__ import annotations

import os
import select
import threading
import time
from typing import Any

import pytest

from drivers.meters import registry
from drivers.meters.base import (
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Status,
)
from drivers.meters.lines import SerialLines, TcpLines, line_link
from drivers.meters.zes_lmg import LMG
from fake_streaming import TIMEOUT, ScriptedLines, StreamingInstrument

LINE = b"1.2E+02;2.3E+02;5.0E-01;9.9E-01"
STOP = [(b"cont off", None), ("drain", None)]


def idn(model: str = "LMG95") -> list[tuple[Any, Any]]:
    return [*STOP, (b"*idn?", f"ZES ZIMMER Electronic Systems GmbH,{model},12345,4.123".encode())]


def setup_lines(language=b"syst:lang short", cycle=b"cycl 0.1", ranges=(b"uam auto", b"iam auto"),
                actions=b"actn;p?;utrms?;itrms?;pf?", esr=b"0"):
    table = [*STOP, (language, None), (b"*cls", None), (cycle, None)]
    table += [(command, None) for command in ranges]
    table += [(b"*esr?", esr), (actions, None), (b"cont on", None)]
    return table


def lmg(table, **options) -> tuple[LMG, ScriptedLines]:
    link = ScriptedLines(table)
    meter = LMG("192.0.2.1", link=link, **options)
    meter.open()
    return meter, link


def test_configure_lmg95_sends_exactly_these_lines():
    meter, link = lmg([*idn(), *setup_lines()])
    meter.configure(MeterConfig(rate_hz=10))
    link.check_done()
    assert meter.config.rate_hz == 10
    assert meter.identity.model == "LMG95"


def test_configure_lmg670_channels_with_fixed_ranges():
    ranges = (
        b"uauto1 0;urng1 250", b"iauto1 0;irng1 10", b"uauto3 0;urng3 250", b"iauto3 0;irng3 10"
    )
    actions = b"actn;p1?;utrms1?;itrms1?;pf1?;p3?;utrms3?;itrms3?;pf3?"
    table = [
        *idn("LMG670"),
        *setup_lines(language=b"*zlang short", cycle=b"cycl 0.5", ranges=ranges, actions=actions),
    ]
    meter, link = lmg(table)
    meter.configure(MeterConfig(elements=(1, 3), rate_hz=2, voltage_range=250, current_range=10))
    link.check_done()
    assert meter._ranges_text == "U=250V I=10A"


def test_lmg600_auto_ranges_per_channel():
    ranges = (b"uauto2 1", b"iauto2 1")
    actions = b"actn;p2?;utrms2?;itrms2?;pf2?"
    table = [*idn("LMG640"), *setup_lines(b"*zlang short", b"cycl 1", ranges, actions)]
    meter, link = lmg(table)
    meter.configure(MeterConfig(elements=(2,), rate_hz=1))
    link.check_done()


@pytest.mark.parametrize(
    ("rate_hz", "cycle", "chosen"),
    [(100, b"cycl 0.05", 20.0), (3, b"cycl 0.333", 1 / 0.333), (0.001, b"cycl 60", 1 / 60)],
)
def test_cycle_time_is_limited(rate_hz, cycle, chosen):
    meter, link = lmg([*idn(), *setup_lines(cycle=cycle)])
    meter.configure(MeterConfig(rate_hz=rate_hz))
    assert meter.config.rate_hz == pytest.approx(chosen)


def test_lmg95_has_one_channel():
    meter, _ = lmg(idn())
    with pytest.raises(MeterUnavailable, match="The LMG95 has channels 1; channel 2"):
        meter.configure(MeterConfig(elements=(2,)))


def test_unknown_model_is_refused():
    meter, _ = lmg([*STOP, (b"*idn?", b"ZES ZIMMER,LMG500,1,1")])
    with pytest.raises(MeterProtocolError, match="identifies as ZES ZIMMER LMG500") as caught:
        meter.configure(MeterConfig())
    assert caught.value.raw == b"ZES ZIMMER,LMG500,1,1"


def test_error_bits_after_configure_are_named():
    meter, _ = lmg([*idn(), *setup_lines(esr=b"48")[:-2]])
    with pytest.raises(MeterProtocolError, match=r"command error \(CME\), execution error \(EXE\)") as caught:
        meter.configure(MeterConfig(rate_hz=10))
    assert caught.value.raw == b"48"


def test_event_status_garbage_is_a_protocol_error():
    meter, _ = lmg([*idn(), *setup_lines(esr=b"1.2E+02;3")[:-2]])
    with pytest.raises(MeterProtocolError, match="event status"):
        meter.configure(MeterConfig(rate_hz=10))


def configured(*pushed, extra=()):
    table = [*idn(), *setup_lines(), *((None, line) for line in pushed), *extra]
    meter, link = lmg(table)
    meter.configure(MeterConfig(rate_hz=10))
    return meter, link


def test_read_takes_the_next_pushed_line():
    meter, link = configured(LINE)
    reading = meter.read()
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps, element.pf) == (120.0, 230.0, 0.5, 0.99)
    assert set(element.status.values()) == {Status.OK}
    assert reading.raw == LINE
    assert reading.ranges == "U=auto I=auto"
    assert reading.end_raw_ns is not None
    link.check_done()


@pytest.mark.parametrize(
    ("token", "status"),
    [(b"9.91E+37", Status.NO_DATA), (b"NaN", Status.NO_DATA), (b"9.9E+37", Status.OVER_RANGE),
     (b"-9.9E+37", Status.OVER_RANGE)],
)
def test_special_values(token, status):
    meter, _ = configured(b"1.2E+02;2.3E+02;0.0E+00;" + token)
    (element,) = meter.read().elements
    assert element.status["pf"] is status and element.pf is None
    assert element.amps == 0.0


def test_garbage_line_is_a_protocol_error_with_raw():
    meter, _ = configured(b"1.2E+02;ovld;5.0E-01;9.9E-01")
    with pytest.raises(MeterProtocolError, match="not numbers") as caught:
        meter.read()
    assert caught.value.raw == b"1.2E+02;ovld;5.0E-01;9.9E-01"


@pytest.mark.parametrize("line", [b"1;2;3", b"1;2;3;4;5", b""])
def test_wrong_count_is_a_protocol_error(line):
    meter, _ = configured(line)
    with pytest.raises(MeterProtocolError, match="4 were expected"):
        meter.read()


def test_read_before_configure_is_refused():
    meter, _ = lmg([])
    with pytest.raises(MeterProtocolError, match="configured before"):
        meter.read()


def test_a_timeout_reconnects_once_and_starts_output_again():
    meter, link = configured(TIMEOUT, extra=[*setup_lines(), (None, LINE)])
    assert meter.read().elements[0].watts == 120.0
    link.check_done()
    assert link.events == ["open", "close", "open"]


def test_a_second_timeout_is_meter_timeout():
    meter, _ = configured(TIMEOUT, extra=[*setup_lines(), (None, TIMEOUT)])
    with pytest.raises(MeterTimeout, match="also after reconnecting"):
        meter.read()


def test_close_stops_the_output():
    meter, link = configured(extra=[(b"cont off", None)])
    meter.close()
    link.check_done()
    assert link.events[-1] == "close"


@pytest.mark.parametrize(
    ("resource", "kind", "where", "eol"),
    [
        ("192.168.0.20", TcpLines, "192.168.0.20:5025", b"\n"),
        ("lmg.lab:4001", TcpLines, "lmg.lab:4001", b"\n"),
        ("TCPIP0::10.0.0.5::5025::SOCKET", TcpLines, "10.0.0.5:5025", b"\n"),
        ("COM3", SerialLines, "COM3", b"\r\n"),
        ("/dev/ttyUSB0", SerialLines, "/dev/ttyUSB0", b"\r\n"),
        ("ASRL/dev/ttyS1::INSTR", SerialLines, "/dev/ttyS1", b"\r\n"),
    ],
)
def test_resources(resource, kind, where, eol):
    link = line_link(resource, {})
    assert type(link) is kind and link.where == where and link.eol == eol


def test_a_bad_resource_is_refused_plainly():
    with pytest.raises(MeterUnavailable, match="neither a network address"):
        LMG("TCPIP::10.0.0.5::INSTR")


def test_registered_under_its_name():
    assert registry.get("zes-lmg") is LMG
    assert LMG.models == ("LMG95", "LMG600", "LMG670")
    assert LMG.default_role == "wall"


class Analyzer:
    """An LMG670 as far as the driver needs; counts what it was asked."""

    def __call__(self, line: str) -> str | None:
        if line == "*idn?":
            return "ZES ZIMMER Electronic Systems GmbH,LMG670,TCP01,4.123"
        if line == "*esr?":
            return "0"
        return None


def streaming(interval_s=0.02):
    return StreamingInstrument(Analyzer(), lambda: LINE.decode(), interval_s=interval_s)


def test_over_tcp_configure_and_read_the_pushed_lines():
    with streaming() as instrument:
        meter = LMG(instrument.address, timeout_ms=300)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig(rate_hz=20))
            readings = [meter.read() for _ in range(5)]
        # the fake's thread records what arrives; give it the moment it needs
        deadline = time.monotonic() + 5
        while instrument.received[-1:] != ["cont off"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert instrument.received[-1] == "cont off"
    assert (identity.model, identity.serial) == ("LMG670", "TCP01")
    assert [reading.elements[0].watts for reading in readings] == [120.0] * 5
    ends = [reading.end_raw_ns for reading in readings]
    assert ends == sorted(ends)
    assert "actn;p1?;utrms1?;itrms1?;pf1?" in instrument.received


def test_over_tcp_lines_left_unread_are_skipped_not_caught_up():
    count = iter(range(1, 1_000_000))
    with StreamingInstrument(
        Analyzer(), lambda: f"{next(count)};230;0.5;1", interval_s=0.01
    ) as instrument:
        meter = LMG(instrument.address, timeout_ms=300)
        with meter:
            meter.configure(MeterConfig(rate_hz=100))
            first = meter.read().elements[0].watts
            time.sleep(0.15)
            second = meter.read().elements[0].watts
            third = meter.read().elements[0].watts
    assert second >= first + 5
    assert third > second


def test_over_tcp_a_stalled_stream_reconnects_then_times_out():
    with streaming() as instrument:
        meter = LMG(instrument.address, timeout_ms=200)
        with meter:
            meter.configure(MeterConfig(rate_hz=20))
            meter.read()
            instrument.stall()
            assert meter.read().elements[0].volts == 230.0
            assert instrument.connections == 2
            instrument.stall(new_too=True)
            with pytest.raises(MeterTimeout):
                meter.read()


def test_over_tcp_a_dropped_connection_is_disconnected():
    with streaming() as instrument:
        meter = LMG(instrument.address, timeout_ms=300)
        with meter:
            meter.configure(MeterConfig(rate_hz=20))
            meter.read()
            instrument.drop(refuse_new=True)
            with pytest.raises(MeterDisconnected, match="closed the connection"):
                for _ in range(10):
                    meter.read()


def test_over_tcp_refused_connection_is_unavailable():
    with streaming() as instrument:
        address = instrument.address
    with pytest.raises(MeterUnavailable, match="Cannot connect to 127.0.0.1"):
        LMG(address, timeout_ms=300).open()


class SerialAnalyzer:
    """An LMG95 on the far side of a pseudo-terminal, answering with CR LF line ends."""

    def __init__(self, master: int):
        self.master = master
        self.received: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        buffer = b""
        streaming = False
        while not self.stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                try:
                    buffer += os.read(self.master, 4096)
                except OSError:
                    return
            while b"\r\n" in buffer:
                line, buffer = buffer.split(b"\r\n", 1)
                text = line.decode()
                self.received.append(text)
                if text == "*idn?":
                    os.write(self.master, b"ZES ZIMMER Electronic Systems GmbH,LMG95,SER01,3.1\r\n")
                elif text == "*esr?":
                    os.write(self.master, b"0\r\n")
                elif text in ("cont on", "cont off"):
                    streaming = text == "cont on"
            if streaming and not ready:
                os.write(self.master, LINE + b"\r\n")


def test_over_a_serial_pseudo_terminal():
    master, slave = os.openpty()
    analyzer = SerialAnalyzer(master)
    analyzer.thread.start()
    try:
        meter = LMG(os.ttyname(slave), timeout_ms=500, baud_rate=115200)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig(rate_hz=20))
            readings = [meter.read() for _ in range(3)]
    finally:
        analyzer.stop.set()
        analyzer.thread.join(timeout=5)
        os.close(slave)
        os.close(master)
    assert identity.model == "LMG95"
    assert [reading.elements[0].amps for reading in readings] == [0.5] * 3
    assert "syst:lang short" in analyzer.received
