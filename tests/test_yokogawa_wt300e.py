"""The Yokogawa WT300E driver's own protocol (IM WT310E-17EN): exact bytes, the rate and ranges
read back, the over-range bits of the extended event register, integration, a real socket and
the pyvisa-sim file. The shapes every SCPI driver shares are in test_driver_contract.py."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driver_cases import WT300E_FUNCTIONS, WT300E_VALUES, yokogawa_idn, yokogawa_read
from driver_cases import yokogawa_configure as sister_configure
from drivers.meters.base import (
    ElementRange,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Status,
)
from drivers.meters.yokogawa import WT300E, classify, parse_values
from fake_instrument import FakeInstrument
from protocol import expected_protocol

SIM_FILE = Path(__file__).resolve().parents[1] / "resources" / "sim" / "yokogawa-wt300e.yaml"
VALUES = (",".join(WT300E_VALUES) + "\n").encode()


def yokogawa_configure(**kw):
    """The bytes of a WT300E's configure: the sister models' and the voltage frequency item."""
    return sister_configure(functions=WT300E_FUNCTIONS, **kw)
RESOURCE = "TCPIP::fake.invalid::5025::SOCKET"


def session(*extra, model="WT310E", **configure):
    return expected_protocol(WT300E, [yokogawa_idn(model), *yokogawa_configure(**configure),
                                      *extra], RESOURCE)


def test_configure_sends_exactly_these_bytes_and_reads_the_rate_back():
    with session() as meter:
        meter.configure(MeterConfig())
    assert meter.config.rate_hz == 10.0
    assert meter.update_period_s == pytest.approx(0.1)


@pytest.mark.parametrize(("reply", "rate_hz"), [(b"500.0E-03", 2.0), (b"1.0E+00", 1.0),
                                                (b"2.0E+00", 0.5), (b"2S", 0.5)])
def test_the_rate_is_the_one_the_meter_reports(reply, rate_hz):
    """A meter that keeps a slower update interval than the plan's 10 Hz (set on its panel, or
    refused silently) is judged at the rate it reports."""
    with session(rate_reply=reply) as meter:
        meter.configure(MeterConfig(rate_hz=10))
    assert meter.config.rate_hz == rate_hz
    assert meter.update_period_s == pytest.approx(1 / rate_hz)


def test_three_elements_with_fixed_ranges_read_back_once():
    pairs = yokogawa_configure(
        elements=(1, 2, 3), rate=b"250MS", rate_reply=b"250.0E-03",
        ranges=(b":INPut:VOLTage:RANGe 150V", b":INPut:CURRent:RANGe 0.5A"),
        filters=(7, 8, 9, 10, 11, 12, 13, 14, 15),
        range_replies=[(b":INPut:VOLTage:RANGe?\n", b"150.0E+00\n"),
                       (b":INPut:CURRent:RANGe?\n", b"500.0E-03\n")])
    with expected_protocol(WT300E, [yokogawa_idn("WT333E"), *pairs], RESOURCE) as meter:
        meter.configure(
            MeterConfig(elements=(1, 2, 3), rate_hz=3.0, voltage_range=150, current_range=0.5))
    assert meter.config.rate_hz == 4.0
    assert meter.config.elements == (1, 2, 3)


@pytest.mark.parametrize(("asked", "command", "reply", "kept"), [
    (("voltage", 230.0), b":INPut:VOLTage:RANGe 300V", b"300.0E+00", 300.0),
    (("voltage", 15.0), b":INPut:VOLTage:RANGe 15V", b"15.0E+00", 15.0),
    (("current", 0.7106), b":INPut:CURRent:RANGe 1A", b"1.0E+00", 1.0),
])
def test_a_ranging_value_between_table_ranges_sets_the_smallest_that_holds_it(
        asked, command, reply, kept):
    kind, value = asked
    other = b":INPut:CURRent:AUTO ON" if kind == "voltage" else b":INPut:VOLTage:AUTO ON"
    ranges = (command, other) if kind == "voltage" else (other, command)
    query = b":INPut:VOLTage:RANGe?\n" if kind == "voltage" else b":INPut:CURRent:RANGe?\n"
    pairs = [(b":STATus:EESR?\n", b"1\n"), (b":STATus:CONDition?\n", b"0\n"),
             (b":NUMeric:NORMal:VALue?\n", VALUES)]
    with session(*pairs, ranges=ranges, range_replies=[(query, reply + b"\n")]) as meter:
        meter.configure(MeterConfig(**{f"{kind}_range": value}))
        reading = meter.read()
    assert getattr(meter.config, f"{kind}_range") == kept
    known = reading.range_of(1)
    assert (known.voltage_v if kind == "voltage" else known.current_a) == kept
    assert not known.known  # the other range is auto
    assert known.crest_factor == 3.0


@pytest.mark.parametrize(("config", "text"), [
    (MeterConfig(voltage_range=700), "No voltage range of the WT333E holds 700 V"),
    (MeterConfig(current_range=25), "No current range of the WT333E holds 25 A"),
])
def test_a_value_no_range_holds_is_refused(config, text):
    with expected_protocol(WT300E, [yokogawa_idn("WT333E")], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=text):
            meter.configure(config)


@pytest.mark.parametrize(("rate_hz", "argument"), [
    (50, b"100MS"), (10, b"100MS"), (2, b"500MS"), (1, b"1S"), (0.4, b"2S"), (0.25, b"5S"),
    (0.01, b"5S")])
def test_the_interval_asked_is_the_nearest_allowed(rate_hz, argument):
    with session(rate=argument) as meter:
        meter.configure(MeterConfig(rate_hz=rate_hz))


def test_integration_starts_on_configure_stops_first_on_reconfigure_and_on_close():
    again = yokogawa_configure(integrate=True, stop_first=True)
    with session(*again, (b":INTEGrate:STOP\n", None), integrate=True) as meter:
        meter.configure(MeterConfig(options={"integrate": True}))
        meter.configure(MeterConfig(options={"integrate": True}))


def test_wt332e_has_elements_one_and_three_and_their_own_status_bits():
    with expected_protocol(WT300E, [yokogawa_idn("WT332E")], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match="element 2 cannot be read"):
            meter.configure(MeterConfig(elements=(1, 2)))
    two = (VALUES.strip() + b"," + VALUES)
    # element 3: OVR3 bit 12 (IM WT310E-17EN 7.4, p. 7-5)
    read = yokogawa_read(two, condition=b"%d" % (1 << 12))
    with session(*read, model="WT332E", elements=(1, 3), filters=(7, 8, 9, 13, 14, 15)) as meter:
        meter.configure(MeterConfig(elements=(1, 3)))
        first, third = meter.read().elements
    assert (first.element, third.element) == (1, 3)
    assert first.flags == []
    assert third.status["watts"] is Status.OVER_RANGE and third.watts is None


def test_read_polls_the_update_bit_then_reads_status_and_values():
    with session(*yokogawa_read(VALUES, registers=(b"0", b"0", b"1"))) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    values = (element.watts, element.volts, element.amps, element.pf, element.wh)
    assert values == (12.345, 230.12, 0.0536, 0.9876, 1.2345)
    assert element.extra == {"freq_hz": 50.0}  # the voltage frequency, item FU
    assert element.flags == []
    assert reading.ranges == "U=auto I=auto"
    assert reading.element_ranges == (ElementRange(1, None, None, 3.0),)


def test_other_event_bits_do_not_count_as_an_update():
    with session(*yokogawa_read(VALUES, registers=(b"2", b"3"))) as meter:
        meter.configure(MeterConfig())
        meter.read()


@pytest.mark.parametrize(("where", "bits", "spoiled", "kept"), [
    # measured data over (OVR1, bit 6) in the condition register: every quantity
    ("condition", 1 << 6, {"watts", "volts", "amps", "pf", "wh"}, set()),
    # current peak over (POA1, bit 8) raised while waiting: the current side
    ("event", 1 << 8 | 1, {"watts", "amps", "pf", "wh"}, {"volts"}),
    # voltage peak over (POV1, bit 7)
    ("condition", 1 << 7, {"watts", "volts", "pf", "wh"}, {"amps"}),
])
def test_an_over_range_status_bit_marks_plausible_numbers_over_range(where, bits, spoiled, kept):
    """A crest factor exceeded on a switching supply: plausible numbers, status flagged."""
    registers = (b"%d" % bits,) if where == "event" else (b"1",)
    condition = b"%d" % bits if where == "condition" else b"0"
    with session(*yokogawa_read(VALUES, registers=registers, condition=condition)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert {q for q, s in element.status.items() if s is Status.OVER_RANGE} == spoiled
    for quantity in spoiled:
        assert getattr(element, quantity) is None
    for quantity in kept:
        assert element.status[quantity] is Status.OK


def test_the_no_data_value_with_an_over_range_status_is_over_range():
    """The WT310E sends 9.91E+37 both for no data and, on some items, over range; where its
    status reports the element over range, the reading says over range (issue 9, item 7)."""
    values = b"9.91E+37,9.91E+37,53.600E-03,9.91E+37,1.0E+00,9.91E+37\n"
    with session(*yokogawa_read(values, condition=b"%d" % (1 << 6))) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.status["watts"] is Status.OVER_RANGE
    assert element.status["volts"] is Status.OVER_RANGE
    with session(*yokogawa_read(values)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.status["watts"] is Status.NO_DATA
    # no frequency (DC, or below the measuring range): not known, and no status of its own
    assert element.extra == {} and "freq_hz" not in element.status


def test_the_over_range_value_is_over_range_without_a_status_bit():
    values = b"9.9E+37,230.0E+00,1.0E+00,INF,0.0E+00,50.0E+00\n"
    with session(*yokogawa_read(values)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.flags == ["pf:over_range", "watts:over_range"]
    assert element.volts == 230.0


def test_status_bits_can_be_left_unread():
    pairs = yokogawa_configure(filters=())
    with expected_protocol(WT300E, [yokogawa_idn(), *pairs,
                                    *yokogawa_read(VALUES, condition=None)],
                           RESOURCE, status_over_range=False) as meter:
        meter.configure(MeterConfig())
        assert meter.read().elements[0].watts == 12.345


def test_the_accuracy_table_is_the_wt300e_specification():
    with session() as meter:
        meter.configure(MeterConfig())
        spec = meter.accuracy()
    band = spec.band(50.0)
    assert (band.reading_pct, band.range_pct, band.pf_pct_of_s) == (0.1, 0.05, 0.1)
    assert spec.band(0.0).range_pct == 0.2
    assert spec.cf6_range_factor == 2.0
    assert "IM WT310E-02EN" in spec.source


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
        replies = {
            "*IDN?": f"YOKOGAWA,{self.model},C3TCP0001,F1.03",
            ":STATus:ERRor?": '0,"No error"',
            ":RATE?": "100.0E-03",
            ":INPut:CFACtor?": "3",
            ":STATus:CONDition?": "0",
            ":NUMeric:NORMal:VALue?": VALUES.decode().strip(),
        }
        if line == ":STATus:EESR?":
            self.polls += 1
            return "1" if self.updates and self.polls % 2 == 1 and self.polls > 1 else "0"
        return replies.get(line)


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
    assert instrument.received[1] == "*CLS"


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
    assert meter.config.rate_hz == 4.0
    (element,) = reading.elements
    values = (element.watts, element.volts, element.amps, element.pf, element.wh)
    assert values == (12.345, 230.12, 0.0536, 1.0, 0.0)
    assert element.extra == {"freq_hz": 50.0}
    assert reading.ranges == "U=150V I=0.5A"
    assert reading.range_of(1) == ElementRange(1, 150.0, 0.5, 3.0)


def test_pyvisa_sim_error_queue_reaches_configure():
    meter = WT300E("TCPIP0::127.0.0.1::10001::SOCKET", backend=f"{SIM_FILE}@sim")
    with meter:
        with pytest.raises(MeterProtocolError, match='113,"Undefined header"'):
            meter.configure(MeterConfig(voltage_range=7.5))
