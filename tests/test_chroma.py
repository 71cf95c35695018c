"""The Chroma 66202/66205 driver's own protocol: exact bytes, the rate held to the meter's 0.5 s
refresh, the fixed read schedule, the -1/-2/-3 codes and the pyvisa-sim file. Shared shapes are
in test_driver_contract.py."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.meters.base import MeterConfig, MeterProtocolError, MeterUnavailable, Status
from drivers.meters.chroma import Chroma66202, classify
from protocol import FakeClock, expected_protocol

SIM_FILE = Path(__file__).resolve().parents[1] / "resources" / "sim" / "chroma-66202.yaml"
USB = "USB0::0x1698::0x083D::66202TEST::INSTR"
QUERY = b"MEASure? V,I,FREQ,W,PF\n"
VALUES = b"230.10,0.4872,50.00,108.60,0.9688\n"


def idn(model: str = "66202") -> tuple[bytes, bytes]:
    return (b"*IDN?\n", f"Chroma ATE,{model},66202TEST,1.00\n".encode())


def setup_pairs(voltage=b"CONFigure:VOLTage:AUTO ON", current=b"CONFigure:CURRent:AUTO ON",
                esr=b"0\n"):
    return [
        (b"*CLS\n", None),
        (voltage + b"\n", None),
        (current + b"\n", None),
        (b"*ESR?\n", esr),
    ]


def meter_for(pairs, model="66202"):
    return expected_protocol(Chroma66202, [idn(model), *pairs], resource=USB)


def test_configure_sends_exactly_these_bytes():
    with meter_for(setup_pairs()) as meter:
        meter.configure(MeterConfig(rate_hz=1))
    assert meter.config.rate_hz == 1
    assert meter.config.elements == (1,)


def test_configure_fixed_ranges():
    pairs = setup_pairs(b"CONFigure:VOLTage:RANGe 300", b"CONFigure:CURRent:RANGe 2")
    with meter_for(pairs) as meter:
        meter.configure(MeterConfig(voltage_range=300, current_range=2))
        assert meter._ranges_text == "U=300V I=2A"
        assert meter._ranges[0].known


@pytest.mark.parametrize("asked", [50, 10, 2])
def test_the_rate_is_capped_at_the_meters_half_second_refresh(asked):
    with meter_for(setup_pairs()) as meter:
        meter.configure(MeterConfig(rate_hz=asked))
    assert meter.config.rate_hz == Chroma66202.MAX_RATE_HZ == 2.0
    assert meter.update_period_s == 0.5


def test_66205_is_covered_and_other_models_are_refused():
    with meter_for(setup_pairs(), model="66205") as meter:
        meter.configure(MeterConfig())
    with meter_for([], model="66203") as meter:
        with pytest.raises(MeterProtocolError, match="identifies as Chroma ATE 66203"):
            meter.configure(MeterConfig())


def test_only_element_one():
    with meter_for([]) as meter:
        with pytest.raises(MeterUnavailable, match="element 2 cannot be read"):
            meter.configure(MeterConfig(elements=(2,)))


def test_a_refused_command_is_named_after_configure():
    pairs = setup_pairs(voltage=b"CONFigure:VOLTage:RANGe 42", esr=b"32\n")
    with meter_for(pairs) as meter:
        with pytest.raises(MeterProtocolError, match=r"command error \(CME\)") as caught:
            meter.configure(MeterConfig(voltage_range=42))
    assert caught.value.raw == b"32"


def test_event_status_garbage_is_a_protocol_error():
    with meter_for(setup_pairs(esr=b"OK\n")) as meter:
        with pytest.raises(MeterProtocolError, match="event status"):
            meter.configure(MeterConfig())


def configured(extra_pairs):
    return meter_for([*setup_pairs(), *extra_pairs])


def test_read_returns_one_acquisition():
    with configured([(QUERY, VALUES)]) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    values = (element.watts, element.volts, element.amps, element.pf, element.wh)
    assert values == (108.6, 230.1, 0.4872, 0.9688, None)
    assert element.extra == {"freq_hz": 50.0}
    assert set(element.status.values()) == {Status.OK}
    assert set(element.status) == {"watts", "volts", "amps", "pf"}
    assert reading.raw == VALUES.strip()
    assert reading.ranges == "U=auto I=auto"
    assert reading.end_raw_ns is not None


def test_reads_keep_a_fixed_schedule(monkeypatch):
    clock = FakeClock(100.0).install(monkeypatch)
    with configured([(QUERY, VALUES)] * 3) as meter:
        meter.configure(MeterConfig(rate_hz=10))
        for _ in range(3):
            meter.read()
    assert clock.now == pytest.approx(101.0)  # slots at 0, 0.5 and 1.0 s


@pytest.mark.parametrize(
    ("values", "quantity", "status"),
    [
        (b"-3,-3,50.00,-3,-3\n", "watts", Status.OVER_RANGE),
        (b"230.1,-3.000,50.00,-3,0.99\n", "amps", Status.OVER_RANGE),
        (b"230.1,0.5,50.00,-1,0.99\n", "watts", Status.NO_DATA),
        (b"230.1,0.5,50.00,-2,0.99\n", "watts", Status.NO_DATA),
    ],
)
def test_codes_become_status(values, quantity, status):
    with configured([(QUERY, values)]) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.status[quantity] is status
    assert getattr(element, quantity) is None


def test_a_negative_power_with_decimals_is_a_value():
    with configured([(QUERY, b"230.1,0.5,50.00,-3.000,-0.95\n")]) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.watts == -3.0 and element.status["watts"] is Status.OK
    assert element.pf == -0.95


@settings(deadline=None)
@given(st.floats(min_value=0, max_value=1e4, allow_nan=False), st.sampled_from(["volts", "amps"]))
def test_ordinary_values_pass_through(value, quantity):
    assert classify(f"{value:.4f}", quantity) == (Status.OK, float(f"{value:.4f}"))


def test_pyvisa_sim_file_loads_and_the_driver_reads_through_it():
    meter = Chroma66202("USB0::0x1698::0x083D::66202SIM1::INSTR", backend=f"{SIM_FILE}@sim")
    with meter:
        identity = meter.identify()
        meter.configure(MeterConfig(rate_hz=20, voltage_range=300))
        reading = meter.read()
        assert meter.transport.query("CONFigure:VOLTage:RANGe?") == "300"
    assert (identity.maker, identity.model, identity.serial) == ("Chroma ATE", "66202", "66202SIM1")
    (element,) = reading.elements
    values = (element.watts, element.volts, element.amps, element.pf)
    assert values == (108.6, 230.1, 0.4872, 0.9688)
    assert reading.ranges == "U=300V I=auto"
