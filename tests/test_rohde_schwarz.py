"""The Rohde & Schwarz HMC8015 driver: exact bytes, invalid and overloaded values, errors, update
polling, a socket on port 5025 and the pyvisa-sim file."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driver_cases import hmc_configure
from drivers.meters.base import (
    ElementRange,
    MeterConfig,
    MeterProtocolError,
    MeterUnavailable,
    Status,
)
from drivers.meters.rohde_schwarz import HMC8015, classify, parse_values
from fake_instrument import FakeInstrument
from protocol import expected_protocol

SIM_FILE = Path(__file__).resolve().parents[1] / "resources" / "sim" / "rs-hmc8015.yaml"
RESOURCE = "TCPIP::192.0.2.30::5025::SOCKET"
VALUES = b"2.3012E+02,5.3600E-02,1.2345E+01,9.8760E-01,1.2345E+00,6.0000E+02,5.0000E+00\n"
OTHER = b"2.3015E+02,5.3610E-02,1.2351E+01,9.8770E-01,1.2346E+00,6.0000E+02,5.0000E+00\n"
DATA = b"CHAN1:MEAS:DATA?\n"
IDN = (b"*IDN?\n", b"Rohde&Schwarz,HMC8015,123456,01.400\n")


def configured(extra_pairs, **options):
    return expected_protocol(HMC8015, [IDN, *hmc_configure(), *extra_pairs], RESOURCE, **options)


def test_configure_sends_exactly_these_bytes():
    with configured([]) as meter:
        meter.configure(MeterConfig(rate_hz=2))
    assert meter.config.rate_hz == 10.0
    assert meter.config.elements == (1,)


def test_fixed_ranges_the_update_interval_option_and_the_ranges_in_use_per_reading():
    pairs = [
        IDN,
        *hmc_configure((b"CHAN1:ACQ:VOLT:RANG 300", b"CHAN1:ACQ:CURR:RANG 0.5")),
        (DATA, VALUES.replace(b"6.0000E+02,5.0000E+00", b"3.0000E+02,5.0000E-01")),
    ]
    with expected_protocol(HMC8015, pairs, RESOURCE, update_interval_s=0.25) as meter:
        meter.configure(MeterConfig(voltage_range=300, current_range=0.4))
        reading = meter.read()
    assert meter.config.rate_hz == 4.0
    assert meter.config.current_range == 0.5  # the smallest range that holds 0.4 A
    assert reading.ranges == "U=300V I=0.5A"
    assert reading.range_of(1) == ElementRange(1, 300.0, 0.5)


def test_at_auto_range_each_reading_still_names_its_ranges():
    with configured([(DATA, VALUES)]) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    assert reading.range_of(1).known and reading.ranges == "U=600V I=5A"


def test_a_bad_update_interval_option_is_refused():
    with pytest.raises(MeterUnavailable, match="update_interval_s must be above 0 s"):
        HMC8015(RESOURCE, update_interval_s=0)


@pytest.mark.parametrize(
    ("config", "text"),
    [
        (MeterConfig(elements=(1, 2)), "channel 2 cannot be read"),
        (MeterConfig(voltage_range=1000), "No voltage range of the HMC8015 holds 1000 V"),
        (MeterConfig(current_range=21), "No current range of the HMC8015 holds 21 A"),
    ],
)
def test_what_the_meter_lacks_is_refused(config, text):
    with expected_protocol(HMC8015, [IDN], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=text):
            meter.configure(config)


def test_a_meter_of_another_model_is_refused():
    pairs = [(b"*IDN?\n", b"Rohde&Schwarz,HMC8012,1,01.000\n")]
    with expected_protocol(HMC8015, pairs, RESOURCE) as meter:
        with pytest.raises(MeterProtocolError, match="identifies as Rohde&Schwarz HMC8012"):
            meter.configure(MeterConfig())


def test_read_returns_every_function_in_order():
    with configured([(DATA, VALUES)]) as meter:
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
    assert reading.end_raw_ns is not None


def test_one_reading_per_update():
    with configured([(DATA, VALUES), (DATA, VALUES), (DATA, OTHER)]) as meter:
        meter.configure(MeterConfig())
        first, second = meter.read(), meter.read()
    assert (first.elements[0].watts, second.elements[0].watts) == (12.345, 12.351)


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["9.91E+37", "NAN", "9.9E+37", "-9.9E+37", "INF"]),
            st.floats(min_value=-1e6, max_value=1e6).map(lambda value: f"{value:.4E}"),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_parse_values_keeps_order_and_count(tokens):
    fields = parse_values(",".join(tokens).encode() + b"\n", len(tokens))
    for token, (status, value) in zip(tokens, fields):
        assert (status is Status.OK) == (value is not None)
        if status is Status.OK:
            assert value == float(token)
    assert classify("9.91E+37")[0] is Status.NO_DATA


class MeterModel:
    """An HMC8015 as far as the driver needs: a new update on every second data query."""

    def __init__(self):
        self.queries = 0

    def __call__(self, line: str) -> str | None:
        if line == "*IDN?":
            return "Rohde&Schwarz,HMC8015,654321,01.400"
        if line == "SYST:ERR?":
            return '0,"No error"'
        if line == "CHAN1:MEAS:DATA?":
            self.queries += 1
            return (f"2.3012E+02,5.3600E-02,{10 + self.queries // 2:.4E},9.8760E-01,1.2345E+00,"
                    f"3.0000E+02,1.0000E-01")
        return None


def test_over_socket_5025_identify_configure_and_read():
    with FakeInstrument(MeterModel()) as instrument:
        meter = HMC8015(instrument.resource, timeout_ms=500, update_interval_s=0.05)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig())
            readings = [meter.read() for _ in range(3)]
    assert (identity.model, identity.serial) == ("HMC8015", "654321")
    assert [reading.elements[0].watts for reading in readings] == [10.0, 11.0, 12.0]
    assert instrument.received[1:3] == ["*CLS", "CHAN1:MEAS:FUNC URMS,IRMS,P,LAMB,WH,URAN,IRAN"]


@pytest.mark.parametrize(
    "resource", ["TCPIP0::127.0.0.1::5025::SOCKET", "USB0::0x0AAD::0x0135::SIM0000001::INSTR"]
)
def test_pyvisa_sim_file_identifies_configures_and_reads(resource):
    meter = HMC8015(resource, backend=f"{SIM_FILE}@sim")
    with meter:
        identity = meter.identify()
        meter.configure(MeterConfig(voltage_range=150, current_range=2.5))
        reading = meter.read()
        assert float(meter.transport.query("CHAN1:ACQ:VOLT:RANG?")) == 150
        assert float(meter.transport.query("CHAN1:ACQ:CURR:RANG?")) == 2.5
    assert (identity.maker, identity.model) == ("Rohde&Schwarz", "HMC8015")
    (element,) = reading.elements
    assert (element.volts, element.amps, element.watts, element.pf, element.wh) == (
        230.12,
        0.0536,
        12.345,
        1.0,
        1.2345,
    )
    assert reading.ranges == "U=300V I=0.1A"  # the simulated data names fixed ranges


def test_pyvisa_sim_error_queue_reaches_the_error_check():
    meter = HMC8015("TCPIP0::127.0.0.1::5025::SOCKET", backend=f"{SIM_FILE}@sim")
    with meter:
        meter.configure(MeterConfig())
        meter.transport.write("CHAN1:ACQ:VOLT:RANG 1000")
        with pytest.raises(MeterProtocolError, match='-113,"Undefined header"'):
            meter.check_errors()
