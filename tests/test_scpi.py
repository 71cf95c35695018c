"""The SCPI transport: exact bytes, typed errors, the error queue, and real sockets."""
from __future__ import annotations

import socket

import pytest
from pyvisa import constants
from pyvisa.errors import VisaIOError

from drivers.meters.base import (
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
)
from drivers.meters.scpi import (
    ScpiMeter,
    ScpiTransport,
    SerialSettings,
    parse_idn,
    visa_resource_name,
)
from fake_instrument import FakeInstrument
from protocol import TIMEOUT, FakeResourceManager, expected_protocol


def transport_for(pairs, **kwargs) -> tuple[ScpiTransport, FakeResourceManager]:
    manager = FakeResourceManager(pairs)
    resource = kwargs.pop("resource", "TCPIP::fake.invalid::5025::SOCKET")
    transport = ScpiTransport(resource, resource_manager=manager, **kwargs)
    transport.open()
    return transport, manager


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("TCPIP::10.0.0.5::INSTR", "TCPIP::10.0.0.5::INSTR"),
        ("/dev/ttyUSB0", "ASRL/dev/ttyUSB0::INSTR"),
        ("COM3", "ASRLCOM3::INSTR"),
        ("ASRL1::INSTR", "ASRL1::INSTR"),
    ],
)
def test_visa_resource_name(given, expected):
    assert visa_resource_name(given) == expected


def test_write_and_query_use_the_exact_terminations():
    transport, manager = transport_for(
        [(b"*RST\r\n", None), (b"*IDN?\r\n", b"A,B,C,D\r\n"), (b"X?\r\n", b" 1.5 \r\n")],
        write_termination="\r\n",
        read_termination="\r\n",
    )
    transport.write("*RST")
    assert transport.query_raw("*IDN?") == b"A,B,C,D"
    assert transport.query("X?") == "1.5"
    transport.close()
    manager.check_done()
    name, attributes = manager.opened[0]
    assert attributes["read_termination"] == "\r\n"
    assert attributes["write_termination"] == "\r\n"
    assert attributes["timeout"] == 3000


def test_timeout_becomes_meter_timeout():
    transport, _ = transport_for([(b"X?\n", TIMEOUT)], timeout_ms=250)
    with pytest.raises(MeterTimeout, match="did not answer 'X\\?' within 250 ms"):
        transport.query("X?")


@pytest.mark.parametrize(
    "failure",
    [
        VisaIOError(constants.StatusCode.error_connection_lost),
        VisaIOError(constants.StatusCode.error_io),
        ConnectionResetError(104, "Connection reset by peer"),
        BrokenPipeError(32, "Broken pipe"),
    ],
)
def test_connection_failures_become_meter_disconnected(failure):
    class Failing(FakeResourceManager):
        def reply(self):
            raise failure

    manager = Failing([(b"X?\n", b"1\n")])
    transport = ScpiTransport("TCPIP::fake.invalid::5025::SOCKET", resource_manager=manager)
    transport.open()
    with pytest.raises(MeterDisconnected, match="was lost"):
        transport.query("X?")


def test_use_after_close_is_disconnected():
    transport, _ = transport_for([])
    transport.close()
    transport.close()
    with pytest.raises(MeterDisconnected, match="is closed"):
        transport.write("*CLS")


def test_error_queue_names_every_entry():
    transport, manager = transport_for(
        [
            (b"SYST:ERR?\n", b'-113,"Undefined header"\n'),
            (b"SYST:ERR?\n", b'-222,"Data out of range"\n'),
            (b"SYST:ERR?\n", b'0,"No error"\n'),
        ]
    )
    with pytest.raises(MeterProtocolError) as caught:
        transport.check_error_queue()
    assert '-113,"Undefined header"' in str(caught.value)
    assert '-222,"Data out of range"' in str(caught.value)
    assert b"-222" in caught.value.raw
    manager.check_done()


def test_empty_error_queue_passes():
    transport, manager = transport_for([(b":STATus:ERRor?\n", b'0,"No error"\n')])
    transport.check_error_queue(":STATus:ERRor?")
    manager.check_done()


def test_error_queue_reading_is_capped():
    transport, _ = transport_for([(b"SYST:ERR?\n", b'-100,"Command error"\n')] * 3)
    with pytest.raises(MeterProtocolError, match="more than 3 entries"):
        transport.check_error_queue(max_entries=3)


def test_clear_and_reopen_opens_a_fresh_session():
    transport, manager = transport_for([(b"X?\n", b"1\n")])
    transport.clear_and_reopen()
    assert transport.query("X?") == "1"
    assert manager.events == ["open", "clear", "close", "open"]


def test_failed_reopen_is_disconnected():
    class OnceOnly(FakeResourceManager):
        def open_resource(self, name, **attributes):
            if self.opened:
                raise ConnectionRefusedError(111, "Connection refused")
            return super().open_resource(name, **attributes)

    transport = ScpiTransport("TCPIP::fake.invalid::5025::SOCKET", resource_manager=OnceOnly([]))
    transport.open()
    with pytest.raises(MeterDisconnected, match="could not be reopened.*connection refused"):
        transport.clear_and_reopen()


def test_serial_settings_reach_the_session():
    settings = SerialSettings.from_options({"baud_rate": 19200, "parity": "even", "stop_bits": 2})
    transport, manager = transport_for([], resource="/dev/ttyUSB0", serial=settings)
    name, attributes = manager.opened[0]
    assert name == "ASRL/dev/ttyUSB0::INSTR"
    assert attributes["baud_rate"] == 19200
    assert attributes["parity"] == constants.Parity.even
    assert attributes["stop_bits"] == constants.StopBits.two
    assert attributes["data_bits"] == 8


def test_serial_settings_absent_and_invalid():
    assert SerialSettings.from_options({"timeout_ms": 100}) is None
    with pytest.raises(MeterUnavailable, match="parity"):
        SerialSettings.from_options({"parity": "sometimes"})


def test_refused_connection_is_unavailable_with_a_plain_sentence():
    resource = f"TCPIP::127.0.0.1::{free_port()}::SOCKET"
    transport = ScpiTransport(resource, timeout_ms=1000)
    with pytest.raises(MeterUnavailable) as caught:
        transport.open()
    assert str(caught.value) == (
        f"Cannot open the meter at {resource}: connection refused. Check the cable/IP address "
        f"and that the meter's Ethernet interface is enabled."
    )
    transport.close()


def test_bad_resource_string_and_missing_serial_port_are_unavailable():
    with pytest.raises(MeterUnavailable, match="not a VISA resource string"):
        ScpiTransport("GARBAGE").open()
    missing_port = "Cannot open the meter at /dev/ttyKPERFNONE: .*serial port name"
    with pytest.raises(MeterUnavailable, match=missing_port):
        ScpiTransport("/dev/ttyKPERFNONE").open()


def test_missing_backend_is_unavailable():
    with pytest.raises(MeterUnavailable, match="VISA backend '@kperfnone' cannot be loaded"):
        ScpiTransport("TCPIP::127.0.0.1::1::SOCKET", backend="@kperfnone").open()


@pytest.mark.parametrize(
    ("reply", "identity"),
    [
        ("YOKOGAWA,WT310E,C3XX0001,F1.03", ("YOKOGAWA", "WT310E", "C3XX0001", "F1.03")),
        ("Maker, Model ,SN", ("Maker", "Model", "SN", "")),
        ("A,B,C,1.0,build 7", ("A", "B", "C", "1.0,build 7")),
    ],
)
def test_parse_idn(reply, identity):
    parsed = parse_idn(reply)
    assert (parsed.maker, parsed.model, parsed.serial, parsed.firmware) == identity
    assert parsed.raw == reply


def test_parse_idn_refuses_nonsense():
    with pytest.raises(MeterProtocolError, match="cannot be read"):
        parse_idn("garbage")


class GenericScpi(ScpiMeter):
    """The SCPI base with the abstract parts this file does not exercise."""

    name = "test-generic"

    def configure(self, config):
        raise NotImplementedError

    def read(self):
        raise NotImplementedError


def test_scpi_meter_identifies_through_the_protocol():
    with expected_protocol(GenericScpi, [(b"*IDN?\n", b"ACME,PM1,42,1.0\n")]) as meter:
        identity = meter.identify()
    fields = (identity.maker, identity.model, identity.serial, identity.firmware)
    assert fields == ("ACME", "PM1", "42", "1.0")


def echo(line: str) -> str | None:
    return line.upper() if line.endswith("?") else None


def test_over_tcp_query_stall_and_drop():
    with FakeInstrument(echo) as instrument:
        transport = ScpiTransport(instrument.resource, timeout_ms=300)
        transport.open()
        transport.write("*cls")
        assert transport.query("*idn?") == "*IDN?"
        instrument.stall(1)
        with pytest.raises(MeterTimeout):
            transport.query("a?")
        transport.clear_and_reopen()
        assert transport.query("b?") == "B?"
        assert instrument.connections == 2
        instrument.drop()
        with pytest.raises(MeterDisconnected, match="closed the connection"):
            transport.query("c?")
        transport.close()
    assert instrument.received == ["*cls", "*idn?", "a?", "b?", "c?"]


# --- the behaviour every SCPI driver shares -------------------------------------------------------

from drivers.meters.base import Identity, Status  # noqa: E402
from drivers.meters.scpi import (  # noqa: E402
    SCPI_SPECIALS,
    SpecialValues,
    esr_errors,
    match_model,
    parse_fields,
    parse_integer,
    parse_number,
    wait_for_bit,
)


def test_esr_bits_are_named_and_power_on_is_not_an_error():
    assert esr_errors(0x20 | 0x04) == ["command error (CME)", "query error (QYE)"]
    assert esr_errors(0x80 | 0x01) == []


@pytest.mark.parametrize(("token", "status"), [
    ("9.9E+37", Status.OVER_RANGE), ("-9.9E+37", Status.OVER_RANGE), ("INF", Status.OVER_RANGE),
    ("9.91E+37", Status.NO_DATA), ("NAN", Status.NO_DATA), ("1.5E+02", Status.OK)])
def test_scpi_special_values(token, status):
    assert SCPI_SPECIALS.classify(token)[0] is status


def test_a_make_that_sends_no_nan_refuses_it():
    specials = SpecialValues(over_range=(999.99e9,), no_data=(777.77e9,), rel_tol=1e-6,
                             abs_tol=0.0, finite_only=True)
    assert specials.classify("-999.99E+9")[0] is Status.OVER_RANGE
    with pytest.raises(ValueError):
        specials.classify("NAN")


def test_parse_fields_counts_and_names_garbage():
    assert [s for s, _ in parse_fields(b"1,INF\n", 2)] == [Status.OK, Status.OVER_RANGE]
    with pytest.raises(MeterProtocolError, match="sent 1 values where 2") as caught:
        parse_fields(b"1\n", 2)
    assert caught.value.raw == b"1\n"


def test_numbers_and_integers_name_what_they_are():
    assert parse_number(b" 150.0E+00 \n", "voltage range") == 150.0
    assert parse_integer(b"+3", "range number") == 3
    with pytest.raises(MeterProtocolError, match="voltage range reply 'INF' is not a number"):
        parse_number("INF", "voltage range")
    with pytest.raises(MeterProtocolError, match="range number reply '3.5' is not a whole"):
        parse_integer("3.5", "range number")


def test_model_matching_exact_then_longest_prefix():
    identity = Identity("YOKOGAWA", "WT1803E-F", raw="YOKOGAWA,WT1803E-F")
    assert match_model(identity, ["WT1800E", "WT1803E"], "d", ["WT1800E"], "r") == "WT1803E"
    with pytest.raises(MeterProtocolError, match="does not cover \\(WT310E\\)"):
        match_model(identity, ["WT310E"], "d", ["WT310E"], "r")


def test_the_update_bit_wait_keeps_every_flag_seen_while_waiting(monkeypatch):
    import time

    clock = {"now": 0.0}
    monkeypatch.setattr(time, "monotonic", lambda: clock["now"])
    monkeypatch.setattr(time, "perf_counter_ns", lambda: int(clock["now"] * 1e9))
    monkeypatch.setattr(time, "sleep", lambda s: clock.__setitem__("now", clock["now"] + s))
    registers = iter([0x100, 0, 0x1])
    seen, end_ns = wait_for_bit(lambda: next(registers), 0x1, 0.4, 5.0, "r")
    assert seen == 0x101
    assert end_ns == int(0.15e9)  # midway between the poll before the bit (0.1 s) and 0.2 s
    with pytest.raises(MeterTimeout, match="finished no update within 1.0 s"):
        wait_for_bit(lambda: 0, 0x1, 0.4, 1.0, "r")


def test_a_simulated_clock_sets_the_update_bit_once_per_period():
    from drivers.meters.simclock import PacedTransport

    now = {"t": 0.0}
    manager = FakeResourceManager([(b"EESR?\n", b"9\n")] * 6)
    transport = PacedTransport("TCPIP::fake.invalid::5025::SOCKET", update_query="EESR?",
                               update_bit=1, period_s=lambda: 0.5, clock=lambda: now["t"],
                               resource_manager=manager)
    transport.open()
    answers = []
    for t in (0.0, 0.1, 0.5, 0.6, 1.2, 1.3):
        now["t"] = t
        answers.append(transport.query("EESR?"))
    assert answers == ["8", "8", "9", "8", "9", "8"]  # other bits pass; one update per period
