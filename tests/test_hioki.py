"""The Hioki PW3335/PW3336/PW3337 and PW8001 drivers' own protocol: exact bytes, channels,
ranges set and read back, the integration refusal and reset, error codes, update polling, a LAN
socket, a pseudo-terminal serial line and the pyvisa-sim files. Shared shapes are in
test_driver_contract.py."""
from __future__ import annotations

import os
import select
import threading
import tty
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driver_cases import hioki_configure, hioki_idn
from drivers.meters.base import (
    ElementRange,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
    Status,
)
from drivers.meters.hioki import PW3335, PW8001, classify, parse_reply
from drivers.meters.pacing import UpdatePoller
from fake_instrument import FakeInstrument
from protocol import expected_protocol

SIM_DIR = Path(__file__).resolve().parents[1] / "resources" / "sim"
SIM_FILE = SIM_DIR / "hioki-pw3335.yaml"
RESOURCE = "TCPIP::192.0.2.20::3300::SOCKET"
VALUES = b"+230.12E+0;+53.600E-3;+12.345E+0;+0.9876E+0;+1.23450E+0\r\n"
OTHER = b"+230.15E+0;+53.610E-3;+12.351E+0;+0.9877E+0;+1.23460E+0\r\n"
MEASURE = b":MEASure? U,I,P,PF,WP\r\n"
idn = hioki_idn


def configured(extra_pairs, model="PW3335", range_commands=None, **configure):
    if range_commands is not None:
        configure["ranges"] = range_commands
    options = configure.pop("options", {})
    return expected_protocol(PW3335, [idn(model), *hioki_configure(**configure), *extra_pairs],
                             RESOURCE, **options)


def test_configure_sends_exactly_these_bytes():
    with configured([]) as meter:
        meter.configure(MeterConfig(rate_hz=50))
    assert meter.config.rate_hz == 5.0
    assert meter.config.elements == (1,)


def test_pw3337_ranges_are_set_and_read_back_per_channel_and_its_items_carry_the_channel():
    commands = (
        b":VOLTage1:RANGe 300",
        b":CURRent1:RANGe 0.5",
        b":VOLTage3:RANGe 300",
        b":CURRent3:RANGe 0.5",
    )
    replies = [(b":VOLTage1:RANGe?\r\n", b"300\r\n"), (b":CURRent1:RANGe?\r\n", b"0.5\r\n"),
               (b":VOLTage3:RANGe?\r\n", b"300\r\n"), (b":CURRent3:RANGe?\r\n", b"0.5\r\n")]
    query = b":MEASure? U1,I1,P1,PF1,WP1,U3,I3,P3,PF3,WP3\r\n"
    reply = VALUES.strip() + b";" + OTHER
    with configured([(query, reply)], "PW3337-03", commands, range_replies=replies) as meter:
        meter.configure(MeterConfig(elements=(1, 3), voltage_range=300, current_range=0.5))
        reading = meter.read()
    assert [(e.element, e.watts) for e in reading.elements] == [(1, 12.345), (3, 12.351)]
    assert reading.ranges == "U=300V I=0.5A"
    assert reading.element_ranges == (ElementRange(1, 300.0, 0.5), ElementRange(3, 300.0, 0.5))


def test_a_ranging_value_between_table_ranges_sets_the_smallest_that_holds_it():
    commands = (b":VOLTage:RANGe 300", b":CURRent:RANGe 1")
    replies = [(b":VOLTage:RANGe?\r\n", b"300\r\n"), (b":CURRent:RANGe?\r\n", b"1\r\n")]
    with configured([], range_commands=commands, range_replies=replies) as meter:
        meter.configure(MeterConfig(voltage_range=230.4, current_range=0.7106))
    assert (meter.config.voltage_range, meter.config.current_range) == (300, 1)


@pytest.mark.parametrize("state", [b"START", b"STOP"])
def test_an_integrating_meter_is_not_touched_unless_told(state):
    """The ranges cannot be switched until the integrated value is reset (PW3335A985-01 p. 39):
    configure says so instead of breaking the integration."""
    with expected_protocol(PW3335, [idn(), (b"*CLS\r\n", None), (b":HEADer OFF\r\n", None),
                                    (b":INTEGrate:STATe?\r\n", state + b"\r\n")],
                           RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match="reset_integration = true"):
            meter.configure(MeterConfig())


@pytest.mark.parametrize(("state", "reset"), [
    (b"START", (b":INTEGrate:STATe STOP", b":INTEGrate:STATe RESET")),
    (b"STOP", (b":INTEGrate:STATe RESET",))])
def test_told_to_it_stops_and_resets_the_integration_and_says_so(state, reset):
    with configured([], state=state, reset=reset, options={"reset_integration": True}) as meter:
        meter.configure(MeterConfig())
    (note,) = meter.setup_notes
    assert "reset so that its ranges could be set" in note


def test_pw3336_autorange_on_both_channels():
    commands = (
        b":VOLTage1:AUTO ON",
        b":CURRent1:AUTO ON",
        b":VOLTage2:AUTO ON",
        b":CURRent2:AUTO ON",
    )
    with configured([], "PW3336", commands) as meter:
        meter.configure(MeterConfig(elements=(1, 2)))


@pytest.mark.parametrize(("model", "channel"), [("PW3335", 2), ("PW3336-01", 3), ("PW3337", 4)])
def test_a_channel_the_model_lacks_is_refused(model, channel):
    with expected_protocol(PW3335, [idn(model)], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=f"channel {channel} cannot be read"):
            meter.configure(MeterConfig(elements=(1, channel)))


@pytest.mark.parametrize(
    ("model", "config", "text"),
    [
        ("PW3335", MeterConfig(voltage_range=1200), "No voltage range of the PW3335 holds 1200 V"),
        ("PW3337", MeterConfig(current_range=60), "No current range of the PW3337 holds 60 A"),
        ("PW3335", MeterConfig(current_range=50), "No current range of the PW3335 holds 50 A"),
    ],
)
def test_a_value_no_range_holds_is_refused(model, config, text):
    with expected_protocol(PW3335, [idn(model)], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=text):
            meter.configure(config)


def test_a_meter_of_another_model_is_refused():
    with expected_protocol(PW3335, [(b"*IDN?\r\n", b"HIOKI,PW3390,0,V1.00\r\n")]) as meter:
        with pytest.raises(MeterProtocolError, match="identifies as HIOKI PW3390") as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b"HIOKI,PW3390,0,V1.00"


def test_an_unreadable_event_status_is_a_protocol_error():
    with configured([], esr=b"ERR") as meter:
        with pytest.raises(MeterProtocolError, match="event status") as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b"ERR"


def test_read_returns_every_value_of_the_update():
    with configured([(MEASURE, VALUES)]) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    assert (element.volts, element.amps, element.watts, element.pf, element.wh) == (
        230.12,
        0.0536,
        12.345,
        0.9876,
        1.2345,
    )
    assert set(element.status.values()) == {Status.OK}
    assert reading.raw == VALUES.strip()
    assert reading.ranges == "U=auto I=auto"
    assert reading.end_raw_ns is not None


def test_a_changed_reply_is_the_next_update_and_a_repeated_one_is_not():
    pairs = [(MEASURE, VALUES), (MEASURE, VALUES), (MEASURE, OTHER)]
    with configured(pairs) as meter:
        meter.configure(MeterConfig())
        first, second = meter.read(), meter.read()
    assert first.elements[0].watts == 12.345
    assert second.elements[0].watts == 12.351
    assert first.end_raw_ns < second.end_raw_ns


@pytest.mark.parametrize(
    ("token", "status"),
    [
        (b"+999.99E+9", Status.OVER_RANGE),
        (b"-999.99E+9", Status.OVER_RANGE),
        (b"+888.88E+9", Status.SCALING_ERROR),
        (b"-888.88E+9", Status.SCALING_ERROR),
        (b"+777.77E+9", Status.NO_DATA),
        (b"-777.77E+9", Status.NO_DATA),
    ],
)
def test_measured_value_codes_map_to_status(token, status):
    values = token + b";" + token + b";+12.345E+0;+0.9876E+0;+1.23450E+0\r\n"
    with configured([(MEASURE, values)]) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.volts is None and element.amps is None
    assert element.status["volts"] is status and element.status["amps"] is status
    assert element.watts == 12.345 and element.status["watts"] is Status.OK


@pytest.mark.parametrize(
    ("token", "status"),
    [
        (b"+8888.88E+9", Status.SCALING_ERROR),
        (b"-8888.88E+9", Status.SCALING_ERROR),
        (b"+7777.77E+9", Status.NO_DATA),
        (b"-7777.77E+9", Status.NO_DATA),
    ],
)
def test_integrated_value_codes_map_to_status(token, status):
    values = b"+230.12E+0;+53.600E-3;+12.345E+0;+0.9876E+0;" + token + b"\r\n"
    with configured([(MEASURE, values)]) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.wh is None and element.status["wh"] is status
    assert element.flags == [f"wh:{status.value}"]


def test_fields_may_carry_their_item_names():
    reply = b"U1 +230.12E+0;I1 +53.600E-3;P1 +12.345E+0;PF1 +0.9876E+0;WP1 +1.23450E+0"
    fields = parse_reply(reply, ["U1", "I1", "P1", "PF1", "WP1"])
    assert [value for _, value in fields] == [230.12, 0.0536, 12.345, 0.9876, 1.2345]


class Replies:
    """A query that answers from a list, counting its polls."""

    def __init__(self, *replies: bytes):
        self.replies = list(replies)
        self.polls = 0

    def __call__(self) -> bytes:
        self.polls += 1
        return self.replies.pop(0)


def test_poller_keeps_an_unchanged_reply_once_a_full_interval_has_passed():
    query = Replies(b"A", b"A", b"A", b"A", b"B")
    poller = UpdatePoller(query, period_s=0.02)
    first, first_end = poller.next_update()
    second, second_end = poller.next_update()
    assert (first, second) == (b"A", b"A")
    assert query.polls == 3  # one poll half an interval after the first found nothing new
    assert second_end - first_end >= 0.01e9
    assert poller.next_update()[0] == b"B"
    assert query.polls == 5


@settings(deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_ordinary_numbers_pass_through(value):
    status, parsed = classify(f"{value:+.4E}")
    assert status is Status.OK and parsed == float(f"{value:+.4E}")


class MeterModel:
    """A PW3335 as far as the driver needs: a new update on every second measurement query."""

    def __init__(self, model: str = "PW3335"):
        self.model = model
        self.measured = 0

    def __call__(self, line: str) -> str | None:
        if line == "*IDN?":
            return f"HIOKI,{self.model},140654321,V1.02"
        if line == "*ESR?":
            return "0"
        if line == ":INTEGrate:STATe?":
            return "RESET"
        if line.endswith(":RANGe?"):
            return "600"
        if line.startswith(":MEASure?"):
            self.measured += 1
            watts = 10 + self.measured // 2
            return f"+230.12E+0;+53.600E-3;+{watts:06.3f}E+0;+0.9876E+0;+1.23450E+0"
        return None


def test_over_lan_socket_identify_configure_and_read():
    model = MeterModel()
    with FakeInstrument(model, terminator=b"\r\n") as instrument:
        meter = PW3335(instrument.resource, timeout_ms=500)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig())
            readings = [meter.read() for _ in range(3)]
    assert (identity.maker, identity.model, identity.serial) == ("HIOKI", "PW3335", "140654321")
    assert [r.elements[0].watts for r in readings] == [10.0, 11.0, 12.0]
    assert instrument.received[:5] == ["*IDN?", "*CLS", ":HEADer OFF", ":INTEGrate:STATe?",
                                       ":VOLTage:AUTO ON"]


def test_over_lan_a_dropped_connection_is_disconnected():
    with FakeInstrument(MeterModel(), terminator=b"\r\n") as instrument:
        meter = PW3335(instrument.resource, timeout_ms=300)
        with meter:
            meter.configure(MeterConfig())
            instrument.drop(refuse_new=True)
            with pytest.raises(MeterDisconnected):
                meter.read()


class PtyInstrument:
    """A line-based instrument on the far end of a pseudo-terminal, answered by a handler."""

    def __init__(self, handler, terminator: bytes = b"\r\n"):
        self.handler = handler
        self.terminator = terminator
        self.received: list[str] = []
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        self.port = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="pty-instrument")

    def __enter__(self) -> "PtyInstrument":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self._master)
        os.close(self._slave)

    def _serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                buffer += os.read(self._master, 4096)
            except OSError:
                return
            while self.terminator in buffer:
                line, buffer = buffer.split(self.terminator, 1)
                text = line.decode("ascii", errors="replace")
                self.received.append(text)
                reply = self.handler(text)
                if reply is not None:
                    os.write(self._master, reply.encode("ascii") + self.terminator)


def test_over_rs232_a_pseudo_terminal_identify_configure_and_read():
    with PtyInstrument(MeterModel("PW3337-01")) as instrument:
        meter = PW3335(instrument.port, timeout_ms=1000, baud_rate=38400)
        assert meter.transport.visa_name == f"ASRL{instrument.port}::INSTR"
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig(elements=(2,), voltage_range=600))
            readings = [meter.read() for _ in range(2)]
    assert identity.model == "PW3337-01"
    assert [r.elements[0].element for r in readings] == [2, 2]
    assert [r.elements[0].watts for r in readings] == [10.0, 11.0]
    assert ":VOLTage2:RANGe 600" in instrument.received
    assert instrument.received.count(":MEASure? U2,I2,P2,PF2,WP2") == 2


def test_pyvisa_sim_file_identifies_configures_and_reads():
    meter = PW3335("TCPIP0::127.0.0.1::3300::SOCKET", backend=f"{SIM_FILE}@sim")
    with meter:
        identity = meter.identify()
        meter.configure(MeterConfig(voltage_range=300, current_range=0.5))
        reading = meter.read()
        assert float(meter.transport.query(":VOLTage:RANGe?")) == 300
        assert float(meter.transport.query(":CURRent:RANGe?")) == 0.5
    assert (identity.maker, identity.model, identity.serial) == ("HIOKI", "PW3335", "140123456")
    (element,) = reading.elements
    assert (element.volts, element.amps, element.watts, element.pf, element.wh) == (
        230.12,
        0.0536,
        12.345,
        1.0,
        1.2345,
    )
    assert reading.ranges == "U=300V I=0.5A"
    assert reading.range_of(1) == ElementRange(1, 300.0, 0.5)


def test_pyvisa_sim_command_error_reaches_the_error_check():
    meter = PW3335("TCPIP0::127.0.0.1::3300::SOCKET", backend=f"{SIM_FILE}@sim")
    with meter:
        meter.configure(MeterConfig())
        meter.transport.write(":VOLTage:RANGe 7")
        with pytest.raises(MeterProtocolError, match=r"command error \(CME\)"):
            meter.check_errors()


# --- PW8001 ---------------------------------------------------------------------------------------

PW8001_RESOURCE = "TCPIP::192.0.2.21::23::SOCKET"


def pw8001_session(*extra, **configure):
    pairs = hioki_configure(**{"ranges": (b":VOLTage1:AUTO ON", b":CURRent1:AUTO ON"),
                               "read": b"\n", **configure})
    return expected_protocol(PW8001, [(b"*IDN?\r\n", b"HIOKI,PW8001,230000001,V1.00\n"),
                                      *pairs, *extra], PW8001_RESOURCE, update_interval_s=0.05)


def test_pw8001_names_every_channel_and_reads_its_ranges_back():
    commands = (b":VOLTage2:RANGe 300", b":CURRent2:RANGe 20")
    replies = [(b":VOLTage2:RANGe?\r\n", b"300\n"), (b":CURRent2:RANGe?\r\n", b"20\n")]
    reply = b"U2 +230.12E+0;I2 +1.2000E+0;P2 +270.00E+0;PF2 +0.9780E+0;WP2 +1.0000E+0\n"
    with pw8001_session((b":MEASure? U2,I2,P2,PF2,WP2\r\n", reply), ranges=commands,
                        range_replies=replies) as meter:
        meter.configure(MeterConfig(elements=(2,), voltage_range=300, current_range=20))
        reading = meter.read()
    assert meter.config.rate_hz == 20.0
    assert reading.elements[0].watts == 270.0
    assert reading.range_of(2) == ElementRange(2, 300.0, 20.0)
    assert meter.accuracy() is None and "PW8001" in meter.accuracy_reason()


def test_pw8001_takes_a_huge_number_for_over_range():
    reply = b"+230.12E+0;+9999.9E+99;+12.345E+0;+1.0000E+0;+1.0000E+0\n"
    with pw8001_session((b":MEASure? U1,I1,P1,PF1,WP1\r\n", reply)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.status["amps"] is Status.OVER_RANGE and element.amps is None


def test_pw8001_pyvisa_sim_file():
    meter = PW8001("", simulate=True)
    with meter:
        meter.identify()
        meter.configure(MeterConfig(voltage_range=300, current_range=20))
        reading = meter.read()
    assert reading.elements[0].watts == 12.345
    assert reading.range_of(1) == ElementRange(1, 300.0, 20.0)


def test_the_pw3336_accuracy_table_is_the_makers():
    with configured([], "PW3336", (b":VOLTage1:AUTO ON", b":CURRent1:AUTO ON")) as meter:
        meter.configure(MeterConfig())
        band = meter.accuracy().band(50.0)
    assert (band.reading_pct, band.range_pct, band.at_half_range_pct) == (0.1, 0.05, 0.15)
