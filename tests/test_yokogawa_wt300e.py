"""The Yokogawa WT300E driver: exact bytes, update polling, special values, errors, a real
socket and the pyvisa-sim file."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.meters import registry
from drivers.meters.base import (
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Status,
)
from drivers.meters.yokogawa import WT300E, classify, parse_values
from fake_instrument import FakeInstrument
from protocol import TIMEOUT, FakeResourceManager, expected_protocol

SIM_FILE = Path(__file__).resolve().parents[1] / "resources" / "sim" / "yokogawa-wt300e.yaml"
NO_ERROR = b'0,"No error"\n'
VALUES = b"12.345E+00,230.12E+00,53.600E-03,0.9876E+00,1.2345E+00\n"


def idn(model: str = "WT310E") -> tuple[bytes, bytes]:
    return (b"*IDN?\n", f"YOKOGAWA,{model},C3XX00001,F1.03\n".encode())


def setup_pairs(
    elements=(1,),
    rate=b"100MS",
    voltage=b":INPut:VOLTage:AUTO ON",
    current=b":INPut:CURRent:AUTO ON",
    integrate=False,
):
    """The bytes configure() sends after identifying, up to and including the error queue."""
    commands = [
        b":COMMunicate:HEADer OFF",
        b":COMMunicate:VERBose OFF",
        b":NUMeric:FORMat ASCii",
        b":NUMeric:NORMal:NUMber %d" % (5 * len(elements)),
    ]
    index = itertools.count(1)
    for element in elements:
        for function in (b"P", b"U", b"I", b"LAMBda", b"WH"):
            commands.append(b":NUMeric:NORMal:ITEM%d %s,%d" % (next(index), function, element))
    commands += [b":RATE " + rate, voltage, current]
    if integrate:
        commands += [b":INTEGrate:MODE NORMal", b":INTEGrate:RESet", b":INTEGrate:STARt"]
    commands.append(b":STATus:FILTer1 FALL")
    pairs = [(command + b"\n", None) for command in commands]
    pairs += [(b":STATus:EESR?\n", b"0\n"), (b":STATus:ERRor?\n", NO_ERROR)]
    return pairs


def read_pairs(*registers: bytes, values: bytes = VALUES):
    return [(b":STATus:EESR?\n", register + b"\n") for register in registers] + [
        (b":NUMeric:NORMal:VALue?\n", values)
    ]


def test_configure_sends_exactly_these_bytes():
    with expected_protocol(WT300E, [idn(), *setup_pairs()]) as meter:
        meter.configure(MeterConfig())
    assert meter.config.rate_hz == 10.0


def test_configure_three_elements_with_ranges_and_nearest_rate():
    pairs = [
        idn("WT333E"),
        *setup_pairs(
            elements=(1, 2, 3),
            rate=b"250MS",
            voltage=b":INPut:VOLTage:RANGe 150V",
            current=b":INPut:CURRent:RANGe 0.5A",
        ),
    ]
    with expected_protocol(WT300E, pairs) as meter:
        meter.configure(
            MeterConfig(elements=(1, 2, 3), rate_hz=3.0, voltage_range=150, current_range=0.5)
        )
    assert meter.config.rate_hz == 4.0
    assert meter.config.elements == (1, 2, 3)


@pytest.mark.parametrize(
    ("rate_hz", "argument"),
    [
        (50, b"100MS"),
        (10, b"100MS"),
        (2, b"500MS"),
        (1, b"1S"),
        (0.4, b"2S"),
        (0.25, b"5S"),
        (0.01, b"5S"),
    ],
)
def test_update_rate_is_the_nearest_allowed(rate_hz, argument):
    with expected_protocol(WT300E, [idn(), *setup_pairs(rate=argument)]) as meter:
        meter.configure(MeterConfig(rate_hz=rate_hz))


def test_integration_starts_on_configure_and_stops_on_close():
    pairs = [idn(), *setup_pairs(integrate=True), (b":INTEGrate:STOP\n", None)]
    with expected_protocol(WT300E, pairs, integrate=True) as meter:
        meter.configure(MeterConfig())


def test_integration_asked_in_the_config_options():
    pairs = [idn(), *setup_pairs(integrate=True), (b":INTEGrate:STOP\n", None)]
    with expected_protocol(WT300E, pairs) as meter:
        meter.configure(MeterConfig(options={"integrate": True}))


def test_configuring_again_stops_the_running_integration_first():
    again = setup_pairs(integrate=True)
    pairs = [idn(), *setup_pairs(integrate=True), (b":INTEGrate:STOP\n", None), *again]
    pairs.append((b":INTEGrate:STOP\n", None))
    with expected_protocol(WT300E, pairs, integrate=True) as meter:
        meter.configure(MeterConfig())
        meter.configure(MeterConfig())


def test_wt332e_has_elements_one_and_three():
    with expected_protocol(WT300E, [idn("WT332E")]) as meter:
        refused = "The WT332E has input elements 1, 3; element 2 cannot be read"
        with pytest.raises(MeterUnavailable, match=refused):
            meter.configure(MeterConfig(elements=(1, 2)))
    two_elements = VALUES.strip() + b"," + VALUES
    pairs = [idn("WT332E"), *setup_pairs(elements=(1, 3)), *read_pairs(b"1", values=two_elements)]
    with expected_protocol(WT300E, pairs) as meter:
        meter.configure(MeterConfig(elements=(1, 3)))
        reading = meter.read()
    assert [element.element for element in reading.elements] == [1, 3]


def test_unknown_model_is_refused():
    with expected_protocol(WT300E, [(b"*IDN?\n", b"YOKOGAWA,WT500,X,F1\n")]) as meter:
        refused = "identifies as YOKOGAWA WT500.*choose the driver"
        with pytest.raises(MeterProtocolError, match=refused) as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b"YOKOGAWA,WT500,X,F1"


def test_range_not_of_the_model_is_refused():
    with expected_protocol(WT300E, [idn("WT333E")]) as meter:
        refused = "current range 0.005 A is not one of the WT333E's ranges"
        with pytest.raises(MeterUnavailable, match=refused):
            meter.configure(MeterConfig(current_range=0.005))
        with pytest.raises(MeterUnavailable, match="voltage range 100 V"):
            meter.configure(MeterConfig(voltage_range=100))


def test_error_queue_entry_after_configure_is_named():
    pairs = [idn(), *setup_pairs()]
    pairs[-1] = (b":STATus:ERRor?\n", b'813,"Execution error"\n')
    pairs.append((b":STATus:ERRor?\n", NO_ERROR))
    with expected_protocol(WT300E, pairs) as meter:
        with pytest.raises(MeterProtocolError, match='reported: 813,"Execution error"') as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b'813,"Execution error"'


def configured(extra_pairs, model="WT310E", **options):
    return expected_protocol(WT300E, [idn(model), *setup_pairs(), *extra_pairs], **options)


def test_read_polls_the_update_bit():
    with configured(read_pairs(b"0", b"0", b"1")) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    assert element.element == 1
    values = (element.watts, element.volts, element.amps, element.pf, element.wh)
    assert values == (12.345, 230.12, 0.0536, 0.9876, 1.2345)
    assert set(element.status.values()) == {Status.OK}
    assert element.flags == []
    assert reading.raw == VALUES.strip()
    assert reading.ranges == "U=auto I=auto"
    assert reading.end_raw_ns is not None


def test_other_event_bits_do_not_count_as_an_update():
    with configured(read_pairs(b"2", b"3")) as meter:
        meter.configure(MeterConfig())
        meter.read()


@pytest.mark.parametrize("token", [b"INF", b"9.9E+37", b"-9.9E+37", b"+9.90E+37", b"-INF"])
def test_over_range_values(token):
    values = token + b",230.0E+00,1.0E+00," + token + b",0.0E+00\n"
    with configured(read_pairs(b"1", values=values)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.watts is None and element.pf is None
    assert element.status["watts"] is Status.OVER_RANGE
    assert element.status["pf"] is Status.OVER_RANGE
    assert element.volts == 230.0
    assert element.flags == ["pf:over_range", "watts:over_range"]


@pytest.mark.parametrize("token", [b"NAN", b"9.91E+37", b"nan", b"-9.91E+37"])
def test_no_data_values(token):
    values = b"1.0E+00," + token + b"," + token + b",1.0E+00,0.0E+00\n"
    with configured(read_pairs(b"1", values=values)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.volts is None and element.amps is None
    assert element.status["volts"] is Status.NO_DATA and element.status["amps"] is Status.NO_DATA
    assert element.watts == 1.0


def test_garbage_reply_is_a_protocol_error_with_raw():
    garbage = b"12.3E+00,ERR,1.0,1.0,1.0\n"
    with configured(read_pairs(b"1", values=garbage)) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterProtocolError, match="not numbers") as caught:
            meter.read()
    assert caught.value.raw == garbage.strip()


@pytest.mark.parametrize("values", [b"1.0E+00,2.0E+00,3.0E+00,4.0E+00\n", b"1,2,3,4,5,6\n", b"\n"])
def test_wrong_count_is_a_protocol_error(values):
    with configured(read_pairs(b"1", values=values)) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterProtocolError, match="values where 5 were expected") as caught:
            meter.read()
    assert caught.value.raw == values.strip()


def test_event_register_garbage_is_a_protocol_error():
    with configured([(b":STATus:EESR?\n", b"UPD\n")]) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterProtocolError, match="event register"):
            meter.read()


def test_read_before_configure_is_refused():
    with expected_protocol(WT300E, []) as meter:
        with pytest.raises(MeterProtocolError, match="configured before"):
            meter.read()


def test_a_timeout_reopens_once_then_retries():
    timed_out = (b":STATus:EESR?\n", TIMEOUT)
    manager = FakeResourceManager([idn(), *setup_pairs(), timed_out, *read_pairs(b"1")])
    meter = WT300E("TCPIP::fake.invalid::5025::SOCKET", resource_manager=manager)
    meter.open()
    meter.configure(MeterConfig())
    assert meter.read().elements[0].watts == 12.345
    meter.close()
    manager.check_done()
    assert manager.events.count("open") == 2
    assert "clear" in manager.events


def test_a_second_timeout_is_meter_timeout():
    pairs = [
        (b":STATus:EESR?\n", TIMEOUT),
        (b":STATus:EESR?\n", b"1\n"),
        (b":NUMeric:NORMal:VALue?\n", TIMEOUT),
    ]
    with configured(pairs) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterTimeout, match="did not answer ':NUMeric:NORMal:VALue\\?'"):
            meter.read()


def test_registered_under_its_name():
    assert registry.get("yokogawa-wt300e") is WT300E
    assert WT300E.models == ("WT310E", "WT332E", "WT333E")
    assert WT300E.default_role == "wall"


@settings(deadline=None)
@given(st.floats(min_value=-1e30, max_value=1e30, allow_nan=False, allow_infinity=False))
def test_ordinary_numbers_pass_through(value):
    status, parsed = classify(f"{value:.5E}")
    assert status is Status.OK
    assert parsed == float(f"{value:.5E}")


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["INF", "-INF", "9.9E+37", "-9.9E+37", "NAN", "9.91E+37"]),
            st.floats(min_value=-1e6, max_value=1e6).map(lambda value: f"{value:.4E}"),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_parse_values_keeps_order_and_count(tokens):
    fields = parse_values(",".join(tokens).encode() + b"\n", len(tokens))
    assert len(fields) == len(tokens)
    for token, (status, value) in zip(tokens, fields):
        if "INF" in token or token.endswith("9.9E+37"):
            assert status is Status.OVER_RANGE and value is None
        elif token in ("NAN", "9.91E+37"):
            assert status is Status.NO_DATA and value is None
        else:
            assert status is Status.OK and value == float(token)


class MeterModel:
    """A WT300E as far as the driver needs: every second event-register read shows an update."""

    def __init__(self, model: str = "WT310E", updates: bool = True):
        self.model = model
        self.updates = updates
        self.polls = 0

    def __call__(self, line: str) -> str | None:
        if line == "*IDN?":
            return f"YOKOGAWA,{self.model},C3TCP0001,F1.03"
        if line == ":STATus:EESR?":
            self.polls += 1
            return "1" if self.updates and self.polls % 2 == 1 and self.polls > 1 else "0"
        if line == ":STATus:ERRor?":
            return '0,"No error"'
        if line == ":NUMeric:NORMal:VALue?":
            return VALUES.decode().strip()
        return None


def test_over_tcp_identify_configure_and_read():
    with FakeInstrument(MeterModel()) as instrument:
        meter = WT300E(instrument.resource, timeout_ms=500)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig(rate_hz=10))
            readings = [meter.read() for _ in range(3)]
    assert (identity.maker, identity.model, identity.serial) == ("YOKOGAWA", "WT310E", "C3TCP0001")
    assert [reading.elements[0].watts for reading in readings] == [12.345] * 3
    ends = [reading.end_raw_ns for reading in readings]
    assert ends == sorted(ends)
    assert instrument.received.count(":NUMeric:NORMal:VALue?") == 3


def test_over_tcp_a_stalled_reply_reopens_then_times_out():
    with FakeInstrument(MeterModel()) as instrument:
        meter = WT300E(instrument.resource, timeout_ms=300)
        with meter:
            meter.configure(MeterConfig(rate_hz=10))
            instrument.stall(1)
            assert meter.read().elements[0].volts == 230.12
            assert instrument.connections == 2
            instrument.stall()
            with pytest.raises(MeterTimeout):
                meter.read()
            assert instrument.connections == 3


def test_over_tcp_no_update_is_meter_timeout():
    with FakeInstrument(MeterModel(updates=False)) as instrument:
        meter = WT300E(instrument.resource, timeout_ms=200)
        with meter:
            meter.configure(MeterConfig(rate_hz=10))
            with pytest.raises(MeterTimeout, match="finished no update within 0.5 s"):
                meter.read()
    assert instrument.connections == 2


def test_over_tcp_a_dropped_connection_is_disconnected():
    with FakeInstrument(MeterModel()) as instrument:
        meter = WT300E(instrument.resource, timeout_ms=300)
        with meter:
            meter.configure(MeterConfig(rate_hz=10))
            instrument.drop(refuse_new=True)
            with pytest.raises(MeterDisconnected):
                meter.read()


def test_refused_connection_is_unavailable():
    with FakeInstrument(MeterModel()) as instrument:
        resource = instrument.resource
    with pytest.raises(MeterUnavailable, match="connection refused. Check the cable/IP address"):
        WT300E(resource, timeout_ms=300).open()


def test_pyvisa_sim_file_loads_and_the_driver_reads_through_it():
    meter = WT300E("TCPIP0::127.0.0.1::10001::SOCKET", backend=f"{SIM_FILE}@sim")
    with meter:
        identity = meter.identify()
        meter.configure(
            MeterConfig(rate_hz=4, voltage_range=150, current_range=0.5, options={"integrate": True})
        )
        reading = meter.read()
        assert meter.transport.query(":RATE?") == "250MS"
    assert (identity.maker, identity.model) == ("YOKOGAWA", "WT310E")
    (element,) = reading.elements
    values = (element.watts, element.volts, element.amps, element.pf, element.wh)
    assert values == (12.345, 230.12, 0.0536, 1.0, 0.0)
    assert reading.ranges == "U=150V I=0.5A"


def test_pyvisa_sim_error_queue_reaches_configure():
    meter = WT300E("TCPIP0::127.0.0.1::10001::SOCKET", backend=f"{SIM_FILE}@sim")
    with meter:
        with pytest.raises(MeterProtocolError, match='113,"Undefined header"'):
            meter.configure(MeterConfig(voltage_range=7.5))
