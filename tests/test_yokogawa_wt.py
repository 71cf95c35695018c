"""The Yokogawa WT500, WT1800E and WT5000 drivers' own protocol: per-element ranges set and read
back, nearest update intervals, elements by model, the WT5000's update mode, the over-range bits
read on request, and their pyvisa-sim files. Shared shapes are in test_driver_contract.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from driver_cases import YOKO_VALUES, yokogawa_configure, yokogawa_idn, yokogawa_read
from drivers.meters.base import ElementRange, MeterConfig, MeterProtocolError, MeterUnavailable, Status
from drivers.meters.yokogawa_wt import WT500, WT1800E, WT5000
from protocol import expected_protocol

SIM_DIR = Path(__file__).resolve().parents[1] / "resources" / "sim"
VALUES = (",".join(YOKO_VALUES) + "\n").encode()
RESOURCE = "TCPIP::192.0.2.10::INSTR"

# (driver, the model its *IDN? names, a model with fewer elements, an element that model lacks)
DRIVERS = [
    (WT500, "760203", "760201", 2),
    (WT1800E, "WT1806E", "WT1802E", 3),
    (WT5000, "WT5000", None, 8),
]
MODE = {WT5000: (b":RATE:MODE CONStant",)}


def per_element(elements, voltage=None, current=None):
    commands = []
    for element in elements:
        commands.append(b":INPut:VOLTage:AUTO:ELEMent%d ON" % element if voltage is None else
                        b":INPut:VOLTage:RANGe:ELEMent%d %sV" % (element, voltage))
        commands.append(b":INPut:CURRent:AUTO:ELEMent%d ON" % element if current is None else
                        b":INPut:CURRent:RANGe:ELEMent%d %sA" % (element, current))
    return tuple(commands)


def setup(driver, elements=(1,), voltage=None, current=None, **kw):
    return yokogawa_configure(elements=elements, ranges=per_element(elements, voltage, current),
                              filters=kw.pop("filters", ()), mode=MODE.get(driver, ()), **kw)


@pytest.mark.parametrize(("driver", "model", "_small", "_missing"), DRIVERS)
def test_configure_sends_exactly_these_bytes(driver, model, _small, _missing):
    with expected_protocol(driver, [yokogawa_idn(model), *setup(driver)], RESOURCE) as meter:
        meter.configure(MeterConfig())
    assert meter.config.rate_hz == 10.0
    assert meter.config.elements == (1,)


@pytest.mark.parametrize(
    ("driver", "model", "elements", "voltage", "current"),
    [
        (WT500, "760203", (1, 3), 150, 0.5),
        (WT1800E, "WT1806E", (2, 4, 6), 1000, 50),
        (WT5000, "WT5000", (1, 7), 0.75, 0.0025),
    ],
)
def test_ranges_are_set_and_read_back_on_each_configured_element(
        driver, model, elements, voltage, current):
    replies = []
    for element in elements:
        replies += [(b":INPut:VOLTage:RANGe:ELEMent%d?\n" % element, b"%.4E\n" % voltage),
                    (b":INPut:CURRent:RANGe:ELEMent%d?\n" % element, b"%.4E\n" % current)]
    pairs = [yokogawa_idn(model),
             *setup(driver, elements, f"{voltage:g}".encode(), f"{current:g}".encode(),
                    range_replies=replies)]
    with expected_protocol(driver, pairs, RESOURCE) as meter:
        meter.configure(MeterConfig(elements=elements, voltage_range=voltage, current_range=current))
    assert meter.config.elements == elements
    assert meter._ranges == tuple(ElementRange(e, voltage, current, 3.0) for e in elements)


@pytest.mark.parametrize(
    ("driver", "model", "rate_hz", "argument", "reply", "chosen_hz"),
    [
        (WT500, "760201", 100, b"100MS", b"100.0E-03", 10),
        (WT500, "760201", 0.07, b"10S", b"10.0E+00", 0.1),
        (WT1800E, "WT1801E", 100, b"50MS", b"50.0E-03", 20),
        (WT1800E, "WT1801E", 0.4, b"2S", b"2.0E+00", 0.5),
        (WT5000, "WT5000", 1000, b"10MS", b"10.0E-03", 100),
        (WT5000, "WT5000", 1, b"1S", b"1.0E+00", 1),
    ],
)
def test_update_interval_is_the_nearest_allowed_and_read_back(
        driver, model, rate_hz, argument, reply, chosen_hz):
    pairs = [yokogawa_idn(model), *setup(driver, rate=argument, rate_reply=reply)]
    with expected_protocol(driver, pairs, RESOURCE) as meter:
        meter.configure(MeterConfig(rate_hz=rate_hz))
    assert meter.config.rate_hz == pytest.approx(chosen_hz)


@pytest.mark.parametrize(("driver", "model", "small", "missing"), DRIVERS)
def test_an_element_the_model_lacks_is_refused(driver, model, small, missing):
    with expected_protocol(driver, [yokogawa_idn(small or model)], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=f"element {missing} cannot be read"):
            meter.configure(MeterConfig(elements=(1, missing)))


def test_wt1800e_elements_follow_the_model_number():
    with expected_protocol(WT1800E, [(b"*IDN?\n", b"YOKOGAWA,WT1803E-F,C3X,F1.01\n")]) as meter:
        with pytest.raises(MeterUnavailable, match="The WT1803E has input elements 1, 2, 3"):
            meter.configure(MeterConfig(elements=(4,)))


@pytest.mark.parametrize(("driver", "series", "last"), [(WT500, "WT500", 3), (WT1800E, "WT1800E", 6)])
def test_a_reply_naming_only_the_series_allows_every_element(driver, series, last):
    elements = tuple(range(1, last + 1))
    pairs = [yokogawa_idn(series), *setup(driver, elements)]
    with expected_protocol(driver, pairs, RESOURCE) as meter:
        meter.configure(MeterConfig(elements=elements))
    assert meter.config.elements == elements


@pytest.mark.parametrize("driver", [WT500, WT1800E, WT5000])
def test_a_meter_of_another_model_is_refused(driver):
    with expected_protocol(driver, [yokogawa_idn("WT310E")], RESOURCE) as meter:
        with pytest.raises(MeterProtocolError, match="identifies as YOKOGAWA WT310E") as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b"YOKOGAWA,WT310E,C3XX00001,F1.03"


@pytest.mark.parametrize(
    ("driver", "model", "text", "config"),
    [
        (WT500, "760201", "No voltage range of the 760201 holds 1200 V",
         MeterConfig(voltage_range=1200)),
        (WT500, "760201", "No current range of the 760201 holds 50 A", MeterConfig(current_range=50)),
        (WT5000, "WT5000", "No current range of the WT5000 holds 50 A", MeterConfig(current_range=50)),
    ],
)
def test_a_value_no_range_holds_is_refused(driver, model, text, config):
    with expected_protocol(driver, [yokogawa_idn(model)], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=text):
            meter.configure(config)


def test_integration_starts_on_configure_and_stops_on_close():
    pairs = [yokogawa_idn("WT5000"), *setup(WT5000, integrate=True), (b":INTEGrate:STOP\n", None)]
    with expected_protocol(WT5000, pairs, RESOURCE, integrate=True) as meter:
        meter.configure(MeterConfig())


def test_the_wt5000_update_mode_command_can_be_given_or_left_out():
    given = yokogawa_configure(ranges=per_element((1,)), filters=(), mode=(b":UPD:MODE CONS",))
    with expected_protocol(WT5000, [yokogawa_idn("WT5000"), *given], RESOURCE,
                           update_mode_command=":UPD:MODE CONS") as meter:
        meter.configure(MeterConfig())
    left_out = yokogawa_configure(ranges=per_element((1,)), filters=())
    with expected_protocol(WT5000, [yokogawa_idn("WT5000"), *left_out], RESOURCE,
                           update_mode_command="") as meter:
        meter.configure(MeterConfig())


@pytest.mark.parametrize(("driver", "model", "_small", "_missing"), DRIVERS)
def test_read_waits_for_the_update_bit_and_returns_every_value(driver, model, _small, _missing):
    read = yokogawa_read(VALUES, registers=(b"0", b"4096", b"1"), condition=None)
    with expected_protocol(driver, [yokogawa_idn(model), *setup(driver), *read], RESOURCE) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps, element.pf, element.wh) == (
        12.345, 230.12, 0.0536, 0.9876, 1.2345)
    assert set(element.status.values()) == {Status.OK}
    assert reading.ranges == "U=auto I=auto"


def test_two_elements_read_in_order():
    values = b"1.0E+00,2.0E+00,3.0E+00,4.0E-01,5.0E+00,6.0E+00,7.0E+00,8.0E+00,9.0E-01,1.0E+01\n"
    read = yokogawa_read(values, condition=None)
    pairs = [yokogawa_idn("WT1806E"), *setup(WT1800E, (2, 5)), *read]
    with expected_protocol(WT1800E, pairs, RESOURCE) as meter:
        meter.configure(MeterConfig(elements=(2, 5)))
        reading = meter.read()
    assert [(e.element, e.watts, e.wh) for e in reading.elements] == [(2, 1.0, 5.0), (5, 6.0, 10.0)]


def test_status_bits_of_the_sister_layout_are_read_only_on_request():
    """The WT500's extended event register is read with the WT1600/WT3000 layout (element n at
    bit 7 + n, any peak over at bit 15) when the lab asks for it."""
    two = VALUES.strip() + b"," + VALUES
    read = yokogawa_read(two, condition=b"%d" % (1 << 9))  # OVR2
    pairs = [yokogawa_idn("760203"), *setup(WT500, (1, 2), filters=(9, 10, 16)), *read]
    with expected_protocol(WT500, pairs, RESOURCE, status_over_range=True) as meter:
        meter.configure(MeterConfig(elements=(1, 2)))
        first, second = meter.read().elements
    assert first.flags == []
    assert second.status["watts"] is Status.OVER_RANGE
    peak = yokogawa_read(two, condition=b"%d" % (1 << 15))
    pairs = [yokogawa_idn("760203"), *setup(WT500, (1, 2), filters=(9, 10, 16)), *peak]
    with expected_protocol(WT500, pairs, RESOURCE, status_over_range=True) as meter:
        meter.configure(MeterConfig(elements=(1, 2)))
        assert all(e.status["watts"] is Status.OVER_RANGE for e in meter.read().elements)


SIMS = [
    (WT500, "760203", "TCPIP0::127.0.0.1::INSTR", 5, "200MS", 150, 40),
    (WT1800E, "WT1804E", "USB0::0x0B21::0x0039::C3SIM0001::INSTR", 20, "50MS", 600, 0.5),
    (WT5000, "WT5000", "GPIB0::1::INSTR", 100, "10MS", 1000, 30),
]


@pytest.mark.parametrize(("driver", "model", "resource", "rate", "arg", "volts", "amps"), SIMS)
def test_pyvisa_sim_file_identifies_configures_and_reads(
    driver, model, resource, rate, arg, volts, amps
):
    meter = driver(resource, backend=f"{SIM_DIR / (driver.name + '.yaml')}@sim")
    with meter:
        identity = meter.identify()
        meter.configure(
            MeterConfig(rate_hz=rate, voltage_range=volts, current_range=amps,
                        options={"integrate": True}))
        reading = meter.read()
        assert meter.transport.query(":RATE?") == arg
    assert (identity.maker, identity.model, identity.serial) == ("YOKOGAWA", model, "C3SIM0001")
    assert meter.config.rate_hz == pytest.approx(rate)
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps, element.pf, element.wh) == (
        12.345, 230.12, 0.0536, 1.0, 0.0)
    assert reading.ranges == f"U={volts:g}V I={amps:g}A"
    assert reading.range_of(1) == ElementRange(1, volts, amps, 3.0)


@pytest.mark.parametrize(("driver", "_model", "resource", "_r", "_a", "_v", "_i"), SIMS)
def test_pyvisa_sim_error_queue_reaches_configure(driver, _model, resource, _r, _a, _v, _i):
    meter = driver(resource, backend=f"{SIM_DIR / (driver.name + '.yaml')}@sim")
    with meter:
        with pytest.raises(MeterProtocolError, match='113,"Undefined header"'):
            meter.configure(MeterConfig(elements=(1, 2)))
