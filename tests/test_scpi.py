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
