"""The PTDaemon client: exact lines sent, RL and Watts reads, invalid markers, errors, timeouts,
and a threaded fake daemon on a real socket (dropped connection, garbage reply)."""
from __future__ import annotations

import threading
import time

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
from drivers.meters.ptdaemon import PTDaemon, sample_fields
from fake_instrument import FakeInstrument
from fake_streaming import TIMEOUT, ScriptedLines

HELLO = [(b"Hello", b"Hello, PTDaemon here!")]
SAMPLE = (
    b"Time,01-02-2024 10:00:01.000,Watts,101.500000,Volts,230.100000,Amps,0.452000,"
    b"PF,0.976000,Mark,kperf"
)
OLDER = SAMPLE.replace(b"101.500000", b"99.000000")


def setup_lines(voltage=b"Auto", current=b"Auto", go=b"Go,1000,0,kperf",
                ranges=b"Ranges,1,-1.000000,1,-1.000000", flushed=b"Last 0 samples"):
    return [
        (b"SR,V," + voltage, b"OK"),
        (b"SR,A," + current, b"OK"),
        (go, b"OK"),
        (b"RR", ranges),
        (b"RL", flushed),
    ]


def daemon(table, **options) -> tuple[PTDaemon, ScriptedLines]:
    link = ScriptedLines([*HELLO, *table])
    options.setdefault("range_settle_s", 0)
    meter = PTDaemon("192.0.2.7:8888", link=link, **options)
    meter.open()
    return meter, link


def test_open_greets_the_daemon():
    meter, link = daemon([])
    link.check_done()


def test_something_else_than_ptdaemon_is_refused_plainly():
    link = ScriptedLines([(b"Hello", b"220 ftp ready")])
    meter = PTDaemon("192.0.2.7:21", link=link)
    with pytest.raises(MeterUnavailable, match="is not a PTDaemon .*'220 ftp ready'"):
        meter.open()
    assert link.events == ["open", "close"]


def test_identify():
    meter, _ = daemon([(b"Identify", b"PTDaemon 1.11.1 (WT310E)")])
    identity = meter.identify()
    assert (identity.maker, identity.model, identity.firmware) == (
        "SPEC", "PTDaemon", "PTDaemon 1.11.1 (WT310E)"
    )


def test_configure_sends_exactly_these_lines():
    meter, link = daemon(setup_lines())
    meter.configure(MeterConfig(rate_hz=10))
    link.check_done()
    assert meter.config.rate_hz == 1.0
    assert meter._ranges_text == "U=auto I=auto"


def test_fixed_ranges_and_a_slower_rate():
    lines = setup_lines(b"300", b"2", b"Go,2000,0,kperf", b"Ranges,0,2.000000,0,300.000000")
    meter, link = daemon(lines)
    meter.configure(MeterConfig(rate_hz=0.5, voltage_range=300, current_range=2))
    link.check_done()
    assert meter.config.rate_hz == 0.5
    assert meter._ranges_text == "U=300V I=2A"


def test_ranges_unknown_to_the_daemon_are_journaled_as_asked():
    meter, _ = daemon(setup_lines(b"300", ranges=b"Ranges,-1,-1.0,-1,-1.0"))
    meter.configure(MeterConfig(voltage_range=300))
    assert meter._ranges_text == "U=300V I=auto"


def test_a_refused_setting_is_a_protocol_error():
    meter, _ = daemon([(b"SR,V,7", b"Error: range not supported")])
    with pytest.raises(MeterProtocolError, match="refused 'SR,V,7'") as caught:
        meter.configure(MeterConfig(voltage_range=7))
    assert caught.value.raw == b"Error: range not supported"


def test_configuring_again_stops_sampling_first_and_close_stops_it():
    table = [*setup_lines(), (b"Stop", b"OK"), *setup_lines(), (b"Stop", b"OK")]
    meter, link = daemon(table)
    meter.configure(MeterConfig())
    meter.configure(MeterConfig())
    meter.close()
    link.check_done()


def test_without_start_the_daemon_is_only_read():
    meter, link = daemon([(b"RR", b"Ranges,1,-1,1,-1"), (b"RL", b"Last 0 samples")], start=False)
    meter.configure(MeterConfig())
    meter.close()
    link.check_done()


def configured(*reads, **options):
    options.setdefault("min_interval_ms", 40)
    go = b"Go,40,0,kperf" if options["min_interval_ms"] == 40 else b"Go,1000,0,kperf"
    return daemon([*setup_lines(go=go), *reads], **options)


def rl(*samples: bytes):
    return [(b"RL", f"Last {len(samples)} samples".encode()), *((None, s) for s in samples)]


def test_read_waits_for_a_new_sample_and_keeps_the_newest():
    meter, link = configured(*rl(), *rl(OLDER, SAMPLE))
    meter.configure(MeterConfig(rate_hz=25))
    reading = meter.read()
    link.check_done()
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps, element.pf) == (101.5, 230.1, 0.452, 0.976)
    assert set(element.status.values()) == {Status.OK}
    assert reading.raw == SAMPLE
    assert reading.end_raw_ns is not None
    assert reading.ranges == "U=auto I=auto"


def test_minus_one_is_not_reported_for_that_quantity_only():
    """-1 means the daemon does not report the quantity: it is left out, and the watts stand
    (a -1 for volts alone must not make the point invalid)."""
    sample = SAMPLE.replace(b"Volts,230.100000", b"Volts,-1.000000")
    sample = sample.replace(b"PF,0.976000", b"PF,-1")
    meter, _ = configured(*rl(sample))
    meter.configure(MeterConfig(rate_hz=25))
    (element,) = meter.read().elements
    assert element.volts is None and "volts" not in element.status
    assert element.pf is None and "pf" not in element.status
    assert (element.watts, element.amps) == (101.5, 0.452)
    assert element.flags == []


def test_minus_one_watts_is_no_data():
    meter, _ = configured(*rl(SAMPLE.replace(b"Watts,101.500000", b"Watts,-1.000000")))
    meter.configure(MeterConfig(rate_hz=25))
    (element,) = meter.read().elements
    assert element.status == {"watts": Status.NO_DATA, "volts": Status.OK, "amps": Status.OK,
                              "pf": Status.OK}


def test_an_error_reply_is_a_reading_without_data():
    meter, _ = configured((b"RL", b"Error: analyzer not responding"))
    meter.configure(MeterConfig(rate_hz=25))
    reading = meter.read()
    assert reading.elements[0].status == {"watts": Status.NO_DATA}
    assert reading.raw == b"Error: analyzer not responding"


def test_a_garbage_rl_header_is_a_protocol_error():
    meter, _ = configured((b"RL", b"Unknown command"))
    meter.configure(MeterConfig(rate_hz=25))
    with pytest.raises(MeterProtocolError, match="set the driver option read to") as caught:
        meter.read()
    assert caught.value.raw == b"Unknown command"


@pytest.mark.parametrize(
    ("sample", "message"),
    [
        (b"Time,x,Watts,lots,Volts,1", "cannot be read"),
        (b"Time,x,Watts", "cannot be read"),
        (b"Time,x,Volts,230.0", "without watts"),
    ],
)
def test_a_garbage_sample_is_a_protocol_error_with_raw(sample, message):
    meter, _ = configured(*rl(sample))
    meter.configure(MeterConfig(rate_hz=25))
    with pytest.raises(MeterProtocolError, match=message) as caught:
        meter.read()
    assert caught.value.raw == sample


@pytest.mark.parametrize(
    ("reply", "watts", "status"),
    [
        (b"Watts,101.500000", 101.5, Status.OK),
        (b"87.25", 87.25, Status.OK),
        (b"Watts,-1.000000", None, Status.NO_DATA),
        (b"Error: no data yet", None, Status.NO_DATA),
    ],
)
def test_watts_mode(reply, watts, status):
    lines = [*setup_lines(go=b"Go,40,0,kperf")[:-1], (b"Watts", reply)]
    meter, link = daemon(lines, read="Watts", min_interval_ms=40)
    meter.configure(MeterConfig(rate_hz=25))
    reading = meter.read()
    link.check_done()
    (element,) = reading.elements
    assert element.watts == watts and element.status["watts"] is status
    assert reading.raw == reply
    assert reading.end_raw_ns is None


def test_watts_mode_garbage_is_a_protocol_error():
    lines = [*setup_lines(go=b"Go,40,0,kperf")[:-1], (b"Watts", b"Watts,n/a")]
    meter, _ = daemon(lines, read="Watts", min_interval_ms=40)
    meter.configure(MeterConfig(rate_hz=25))
    with pytest.raises(MeterProtocolError, match="not a number") as caught:
        meter.read()
    assert caught.value.raw == b"Watts,n/a"


def test_read_before_configure_is_refused():
    meter, _ = daemon([])
    with pytest.raises(MeterProtocolError, match="configured before"):
        meter.read()


def test_a_timeout_reconnects_once_then_retries():
    meter, link = configured((b"RL", None), (None, TIMEOUT), *HELLO, *rl(SAMPLE))
    meter.configure(MeterConfig(rate_hz=25))
    assert meter.read().elements[0].watts == 101.5
    link.check_done()
    assert link.events == ["open", "close", "open"]


def test_a_second_timeout_is_meter_timeout():
    meter, _ = configured((b"RL", None), (None, TIMEOUT), *HELLO, (b"RL", None), (None, TIMEOUT))
    meter.configure(MeterConfig(rate_hz=25))
    with pytest.raises(MeterTimeout):
        meter.read()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"read": "RD"}, "read must be"),
        ({"mark": "my run"}, "mark must be letters"),
        ({"mark": ""}, "mark must be letters"),
    ],
)
def test_options_are_checked(options, message):
    with pytest.raises(MeterUnavailable, match=message):
        PTDaemon("127.0.0.1:8888", **options)


@pytest.mark.parametrize("resource", ["127.0.0.1", "", "ptd.lab:port"])
def test_a_resource_without_port_is_refused(resource):
    with pytest.raises(MeterUnavailable, match="give it as host:port"):
        PTDaemon(resource)


def test_socket_resource_form_is_accepted():
    meter = PTDaemon("TCPIP0::10.1.2.3::8888::SOCKET")
    assert meter.link.where == "10.1.2.3:8888"


def test_registered_under_its_name():
    assert registry.get("ptdaemon") is PTDaemon
    assert PTDaemon.models == ("SPEC PTDaemon",)


def test_sample_fields():
    assert sample_fields("Watts,1.0,Mark,x") == {"Watts": "1.0", "Mark": "x"}


class FakeDaemon:
    """A PTDaemon that takes one sample per interval after Go; RL returns those not yet read."""

    def __init__(self, garbage: bool = False):
        self.garbage = garbage
        self.lock = threading.Lock()
        self.started: float | None = None
        self.interval_s = 1.0
        self.taken = 0

    def __call__(self, line: str) -> str | None:
        command = line.split(",")
        if line == "Hello":
            return "Hello, PTDaemon here!"
        if line == "Identify":
            return "PTDaemon version 1.11.1, fake analyzer"
        if command[0] == "SR":
            return f"Range {command[1]} changed"
        if command[0] == "Go":
            with self.lock:
                self.interval_s = int(command[1]) / 1000.0
                self.started = time.monotonic()
            return "Starting untimed measurement"
        if line == "RR":
            return "Ranges,1,-1.000000,1,-1.000000"
        if line == "RL":
            if self.garbage:
                return "\x00\x7f??"
            return self._unread()
        if line == "Stop":
            return "Stopping"
        return "Error: Unknown command"

    def _unread(self) -> str:
        with self.lock:
            if self.started is None:
                return "Last 0 samples"
            due = int((time.monotonic() - self.started) / self.interval_s)
            new, self.taken = due - self.taken, due
        lines = [f"Last {new} samples"]
        sample = "Time,t{},Watts,100.0,Volts,230.0,Amps,0.5,PF,0.87,Mark,kperf"
        lines += [sample.format(n) for n in range(new)]
        return "\r\n".join(lines)


def fake(**kwargs):
    return FakeInstrument(FakeDaemon(**kwargs), terminator=b"\r\n")


def test_over_tcp_identify_configure_and_read():
    with fake() as instrument:
        meter = PTDaemon(f"127.0.0.1:{instrument.port}", timeout_ms=500, min_interval_ms=30, range_settle_s=0)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig(rate_hz=25))
            readings = [meter.read() for _ in range(3)]
    assert identity.firmware == "PTDaemon version 1.11.1, fake analyzer"
    assert [reading.elements[0].pf for reading in readings] == [0.87] * 3
    ends = [reading.end_raw_ns for reading in readings]
    assert ends == sorted(ends)
    assert instrument.received[:5] == [
        "Hello", "Identify", "SR,V,Auto", "SR,A,Auto", "Go,40,0,kperf"
    ]
    assert instrument.received[-1] == "Stop"


def test_over_tcp_a_stalled_reply_reconnects_then_times_out():
    with fake() as instrument:
        meter = PTDaemon(f"127.0.0.1:{instrument.port}", timeout_ms=300, min_interval_ms=30, range_settle_s=0)
        with meter:
            meter.configure(MeterConfig(rate_hz=25))
            instrument.stall(1)
            assert meter.read().elements[0].watts == 100.0
            assert instrument.connections == 2
            instrument.stall()
            with pytest.raises((MeterTimeout, MeterDisconnected)):
                meter.read()


def test_over_tcp_a_dropped_connection_is_disconnected():
    with fake() as instrument:
        meter = PTDaemon(f"127.0.0.1:{instrument.port}", timeout_ms=300, min_interval_ms=30, range_settle_s=0)
        with meter:
            meter.configure(MeterConfig(rate_hz=25))
            meter.read()
            instrument.drop(refuse_new=True)
            with pytest.raises(MeterDisconnected):
                meter.read()


def test_over_tcp_a_garbage_reply_is_a_protocol_error():
    with fake(garbage=True) as instrument:
        meter = PTDaemon(f"127.0.0.1:{instrument.port}", timeout_ms=300, start=False, range_settle_s=0)
        with meter:
            with pytest.raises(MeterProtocolError, match="answered RL with") as caught:
                meter.configure(MeterConfig())
    assert caught.value.raw == b"\x00\x7f??"


def test_over_tcp_refused_connection_is_unavailable():
    with fake() as instrument:
        port = instrument.port
    with pytest.raises(MeterUnavailable, match="Cannot connect to 127.0.0.1"):
        PTDaemon(f"127.0.0.1:{port}", timeout_ms=300).open()


# --- multichannel analyzers, line ends, the wait after a range change -----------------------------

MULTI = (b"Time,11-13-2020 22:38:59.240,Watts,272.93,Volts,-1.000000,Amps,-1.000000,PF,-1.000000,"
         b"Mark,notset,Ch1,Watts,91.06,Volts,120.95,Amps,0.8321,PF,0.9389,"
         b"Ch2,Watts,90.95,Volts,120.90,Amps,0.8318,PF,0.9390,"
         b"Ch3,Watts,90.92,Volts,-1.000000,Amps,0.8317,PF,0.9387")


def test_a_multichannel_line_is_read_channel_by_channel_with_the_total_beside():
    """power-dev's recorded line: the total first with -1 for volts, amps and PF, the mark, then
    one group per channel (mlcommons/power-dev ptd_client_server tests)."""
    meter, _ = daemon([*setup_lines(go=b"Go,40,0,kperf", flushed=b"Last 1 samples"), (None, MULTI),
                       *rl(MULTI)], min_interval_ms=40)
    meter.configure(MeterConfig(elements=(1, 2, 3), rate_hz=25))
    assert meter.setup_notes == []
    reading = meter.read()
    assert [(e.element, e.watts, e.volts) for e in reading.elements] == [
        (1, 91.06, 120.95), (2, 90.95, 120.90), (3, 90.92, None)]
    assert sum(e.watts for e in reading.elements) == pytest.approx(272.93)
    assert reading.elements[0].extra == {"ptd_total_w": 272.93}
    assert "volts" not in reading.elements[2].status  # -1: not reported, not "no data"


def test_channels_the_plan_does_not_read_are_named_and_missing_ones_refused():
    meter, _ = daemon([*setup_lines(go=b"Go,40,0,kperf", flushed=b"Last 1 samples"), (None, MULTI)],
                      min_interval_ms=40)
    meter.configure(MeterConfig(elements=(1,), rate_hz=25))
    (note,) = meter.setup_notes
    assert "channels 2, 3 are not read" in note
    meter, _ = daemon([*setup_lines(go=b"Go,40,0,kperf", flushed=b"Last 1 samples"), (None, MULTI)],
                      min_interval_ms=40)
    with pytest.raises(MeterUnavailable, match="channel 4 cannot be read"):
        meter.configure(MeterConfig(elements=(1, 4), rate_hz=25))


def test_the_plans_default_rate_becomes_the_daemons_one_second():
    meter, _ = daemon(setup_lines())
    meter.configure(MeterConfig())  # 10 Hz asked
    assert meter.config.rate_hz == 1.0 and meter.update_period_s == 1.0


def test_after_setting_ranges_it_waits_before_go(monkeypatch):
    waits = []
    monkeypatch.setattr(time, "sleep", waits.append)
    link = ScriptedLines([*HELLO, *setup_lines(b"300", b"2", ranges=b"Ranges,0,2,0,300")])
    meter = PTDaemon("192.0.2.7:8888", link=link)
    meter.open()
    meter.configure(MeterConfig(voltage_range=300, current_range=2))
    assert waits == [10.0]  # power-dev lib/server.py ANALYZER_SLEEP_SECONDS
    assert meter.config.voltage_range == 300


@pytest.mark.parametrize("terminator", [b"\n", b"\r\n"])
def test_lf_and_cr_lf_line_ends_are_both_read(terminator):
    """Commands go out with CR LF (power-dev lib/common.py); replies ending in LF alone are read
    as well as CR LF."""
    model = FakeDaemon()
    with FakeInstrument(lambda line: model(line.rstrip("\r")), terminator=terminator) as instrument:
        meter = PTDaemon(f"127.0.0.1:{instrument.port}", timeout_ms=500, min_interval_ms=30,
                         range_settle_s=0)
        with meter:
            meter.configure(MeterConfig(rate_hz=25))
            assert meter.read().elements[0].pf == 0.87
