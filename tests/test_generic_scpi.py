"""The generic SCPI driver: options checked with plain messages, exact bytes, fields, scale and
markers, the fixed poll schedule, errors, a real socket and the pyvisa-sim file."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.meters.base import (
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
    Status,
)
from drivers.meters.generic import GenericScpi
from drivers.meters.pacing import FixedSchedule
from fake_instrument import FakeInstrument
from protocol import FakeClock, FakeResourceManager, expected_protocol

SIM_FILE = Path(__file__).resolve().parents[1] / "resources" / "sim" / "scpi-generic.yaml"
RESOURCE = "TCPIP::fake.invalid::5025::SOCKET"
NO_ERROR = b'0,"No error"\n'
BASE = {"query": "MEAS:ALL?", "fields": ["watts", "volts", "amps", "pf"]}


def make(**options) -> GenericScpi:
    merged = {**BASE, **options}
    return GenericScpi(RESOURCE, resource_manager=FakeResourceManager([]), **merged)


def generic(pairs, configures=True, **options):
    """A session; one that configures sends ``*CLS`` first (unless the plan says
    ``clear_status = false``)."""
    clear = ([] if options.get("clear_status") is False or not configures
             else [(b"*CLS\n", None)])
    return expected_protocol(GenericScpi, [*clear, *pairs], resource=RESOURCE,
                             **{**BASE, **options})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"query": None}, "needs the driver option query"),
        ({"query": ""}, "needs the driver option query"),
        ({"query": 5}, "query must be a non-empty text"),
        ({"fields": None}, "needs the driver option fields"),
        ({"fields": []}, "needs the driver option fields"),
        ({"fields": ["watts", "joules"]}, "fields names joules"),
        ({"fields": ["volts", "amps"]}, "must name the watts field"),
        ({"fields": ["watts", "watts"]}, "names a quantity twice"),
        ({"scale": [1, 2]}, "scale has 2 numbers for 4 fields"),
        ({"scale": ["x", 1, 1, 1]}, "scale must be a list of numbers"),
        ({"separator": ""}, "separator must be a non-empty text"),
        ({"setup": "CONF:POW"}, "setup must be a list of commands"),
        ({"over_range": ["big"]}, "over_range must be a list of numbers"),
        ({"no_data": "x"}, "no_data must be a list of numbers"),
        ({"voltage_range": "VOLT:RANG"}, "voltage_range must contain {value}"),
        ({"error_query": None}, "needs the driver option error_query"),
    ],
)
def test_options_are_checked_with_a_message_naming_them(options, message):
    with pytest.raises(MeterUnavailable, match=message):
        make(**options)


def test_configure_sends_setup_ranges_and_reads_the_error_queue():
    pairs = [
        (b"CONF:POW\n", None),
        (b"INIT:CONT ON\n", None),
        (b"VOLT:RANG 300\n", None),
        (b"CURR:RANG:AUTO ON\n", None),
        (b"SYST:ERR?\n", NO_ERROR),
    ]
    options = {
        "setup": ["CONF:POW", "INIT:CONT ON"],
        "voltage_range": "VOLT:RANG {value}",
        "voltage_auto": "VOLT:RANG:AUTO ON",
        "current_auto": "CURR:RANG:AUTO ON",
    }
    with generic(pairs, **options) as meter:
        meter.configure(MeterConfig(voltage_range=300, rate_hz=5))
    assert meter.config.rate_hz == 5
    assert meter._ranges_text == "U=300V I=auto"


def test_no_error_query_and_no_range_commands_sends_nothing():
    with generic([], error_query="") as meter:
        meter.configure(MeterConfig())


def test_a_fixed_range_without_its_command_names_the_option():
    with generic([]) as meter:
        with pytest.raises(MeterUnavailable, match="set the driver option current_range"):
            meter.configure(MeterConfig(current_range=5))


def test_error_queue_entry_after_configure_is_named():
    pairs = [(b"SYST:ERR?\n", b'-113,"Undefined header"\n'), (b"SYST:ERR?\n", NO_ERROR)]
    with generic(pairs) as meter:
        with pytest.raises(MeterProtocolError, match='reported: -113,"Undefined header"'):
            meter.configure(MeterConfig())


def test_several_elements_need_an_element_placeholder():
    with generic([], configures=False) as meter:
        with pytest.raises(MeterUnavailable, match="put {element} in the driver option query"):
            meter.configure(MeterConfig(elements=(1, 2)))


def configured(extra_pairs, **options):
    options.setdefault("error_query", "")
    return generic(extra_pairs, **options)


def test_read_names_skips_and_scales_fields():
    options = {"query": "MEAS?", "fields": ["", "watts", "volts", ""], "scale": [1, 1000, 1, 1]}
    with configured([(b"MEAS?\n", b"7,0.1234,230.5,9\n")], **options) as meter:
        meter.configure(MeterConfig(rate_hz=100))
        reading = meter.read()
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps) == (pytest.approx(123.4), 230.5, None)
    assert element.status == {"watts": Status.OK, "volts": Status.OK}
    assert reading.raw == b"7,0.1234,230.5,9"
    assert reading.end_raw_ns is None
    assert reading.ranges == "U=auto I=auto"


def test_separator_and_compound_query():
    options = {"query": "MEAS:POW?;:MEAS:VOLT?", "fields": ["watts", "volts"], "separator": ";"}
    with configured([(b"MEAS:POW?;:MEAS:VOLT?\n", b"1.5E+02;2.3E+02\n")], **options) as meter:
        meter.configure(MeterConfig(rate_hz=100))
        (element,) = meter.read().elements
    assert (element.watts, element.volts) == (150.0, 230.0)


@pytest.mark.parametrize(
    ("token", "status"),
    [
        (b"9.9E+37", Status.OVER_RANGE),
        (b"9.91E+37", Status.NO_DATA),
        (b"INF", Status.OVER_RANGE),
        (b"-INF", Status.OVER_RANGE),
        (b"NAN", Status.NO_DATA),
    ],
)
def test_default_markers(token, status):
    with configured([(b"MEAS:ALL?\n", token + b",230,0.5,1\n")]) as meter:
        meter.configure(MeterConfig(rate_hz=100))
        (element,) = meter.read().elements
    assert element.status["watts"] is status and element.watts is None
    assert element.volts == 230.0


def test_plan_markers():
    options = {"over_range": [-3, 1e9], "no_data": -1}
    with configured([(b"MEAS:ALL?\n", b"-3,1E+09,-1,1.0\n")], **options) as meter:
        meter.configure(MeterConfig(rate_hz=100))
        (element,) = meter.read().elements
    assert element.status == {
        "watts": Status.OVER_RANGE,
        "volts": Status.OVER_RANGE,
        "amps": Status.NO_DATA,
        "pf": Status.OK,
    }
    assert element.flags == ["amps:no_data", "volts:over_range", "watts:over_range"]


def test_each_element_is_queried_with_its_number():
    options = {"query": "MEAS:POW? CH{element}", "fields": ["watts"]}
    pairs = [(b"MEAS:POW? CH1\n", b"10\n"), (b"MEAS:POW? CH3\n", b"30\n")]
    with configured(pairs, **options) as meter:
        meter.configure(MeterConfig(elements=(1, 3), rate_hz=100))
        reading = meter.read()
    assert [(e.element, e.watts) for e in reading.elements] == [(1, 10.0), (3, 30.0)]
    assert reading.raw == b"10\n30"


def test_identify_without_idn():
    with generic([], configures=False, idn=False) as meter:
        identity = meter.identify()
    assert (identity.maker, identity.model) == ("unknown", "SCPI meter")


def test_identify_with_idn():
    with generic([(b"*IDN?\n", b"ACME,PM9,S1,2.0\n")], configures=False) as meter:
        assert meter.identify().model == "PM9"


def test_reads_keep_a_fixed_schedule(monkeypatch):
    clock = FakeClock(50.0).install(monkeypatch)
    with configured([(b"MEAS:ALL?\n", b"1,2,3,4\n")] * 4) as meter:
        meter.configure(MeterConfig(rate_hz=20))
        for _ in range(4):
            meter.read()
    assert clock.now == pytest.approx(50.15)  # slots at 0, 0.05, 0.1 and 0.15 s


def test_a_late_schedule_skips_missed_slots(monkeypatch):
    clock = FakeClock(0.0).install(monkeypatch)
    schedule = FixedSchedule(0.01)
    schedule.wait()
    clock.now = 0.055  # late: the slots at 0.01 to 0.04 passed unread
    schedule.wait()  # the latest slot passed (0.05) is taken at once, the others skipped
    assert clock.now == pytest.approx(0.055)
    schedule.wait()  # then back on the grid, not catching up
    assert clock.now == pytest.approx(0.06)


@settings(deadline=None)
@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=4, max_size=4),
    st.lists(st.sampled_from([1.0, 0.001, 1000.0]), min_size=4, max_size=4),
)
def test_parse_keeps_order_and_scale(values, scale):
    meter = make(scale=scale)
    parsed = meter.parse(",".join(f"{value:.6E}" for value in values).encode())
    for name, value, factor in zip(BASE["fields"], values, scale):
        assert parsed[name] == (Status.OK, float(f"{value:.6E}") * factor)


class MeterModel:
    def __call__(self, line: str) -> str | None:
        if line == "*IDN?":
            return "ACME Instruments,PM100,TCP0001,1.0"
        if line == "MEAS:ALL?":
            return "1.2E+02,2.3E+02,5.0E-01,9.9E-01"
        if line == "SYST:ERR?":
            return '0,"No error"'
        return None


def test_over_tcp_identify_configure_and_read():
    with FakeInstrument(MeterModel()) as instrument:
        meter = GenericScpi(instrument.resource, timeout_ms=500, setup=["CONF:POW"], **BASE)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig(rate_hz=50))
            readings = [meter.read() for _ in range(3)]
    assert identity.model == "PM100"
    assert [reading.elements[0].watts for reading in readings] == [120.0] * 3
    assert instrument.received[:4] == ["*IDN?", "*CLS", "CONF:POW", "SYST:ERR?"]


def test_over_tcp_a_dropped_connection_is_disconnected():
    with FakeInstrument(MeterModel()) as instrument:
        meter = GenericScpi(instrument.resource, timeout_ms=300, **BASE)
        with meter:
            meter.configure(MeterConfig(rate_hz=50))
            instrument.drop(refuse_new=True)
            with pytest.raises(MeterDisconnected):
                meter.read()


SIM_OPTIONS = {
    "query": "MEAS:POW?;:MEAS:VOLT?;:MEAS:CURR?",
    "fields": ["watts", "volts", "amps"],
    "separator": ";",
    "setup": ["CONF:POW"],
    "voltage_range": "VOLT:RANG {value}",
}


def test_pyvisa_sim_file_loads_and_the_driver_reads_through_it():
    meter = GenericScpi(
        "TCPIP0::127.0.0.1::5025::SOCKET", backend=f"{SIM_FILE}@sim", **SIM_OPTIONS
    )
    with meter:
        identity = meter.identify()
        meter.configure(MeterConfig(voltage_range=150, rate_hz=50))
        reading = meter.read()
        assert meter.transport.query("VOLT:RANG?") == "150"
    assert (identity.maker, identity.model) == ("ACME Instruments", "PM100")
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps) == (123.45, 230.0, 0.5367)
    assert reading.ranges == "U=150V I=auto"


def test_pyvisa_sim_error_queue_reaches_configure():
    meter = GenericScpi(
        "TCPIP0::127.0.0.1::5025::SOCKET", backend=f"{SIM_FILE}@sim", **SIM_OPTIONS
    )
    with meter:
        with pytest.raises(MeterProtocolError, match='-113,"Undefined header"'):
            meter.configure(MeterConfig(voltage_range=100))


def test_pyvisa_sim_channels_and_over_range():
    options = {"query": "MEAS:POW? CH{element}", "fields": ["watts"]}
    meter = GenericScpi("TCPIP0::127.0.0.1::5025::SOCKET", backend=f"{SIM_FILE}@sim", **options)
    with meter:
        meter.configure(MeterConfig(elements=(1, 2), rate_hz=50))
        first, second = meter.read().elements
    assert first.watts == 10.0
    assert second.status["watts"] is Status.OVER_RANGE
