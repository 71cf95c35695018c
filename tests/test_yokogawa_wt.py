"""The Yokogawa WT500, WT1800E and WT5000 drivers: exact bytes, per-element ranges, special
values, errors, timeouts and their pyvisa-sim files."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from drivers.meters import registry
from drivers.meters.base import (
    MeterConfig,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Status,
)
from drivers.meters.yokogawa_wt import WT500, WT1800E, WT5000
from protocol import TIMEOUT, FakeResourceManager, expected_protocol

SIM_DIR = Path(__file__).resolve().parents[1] / "resources" / "sim"
NO_ERROR = b'0,"No error"\n'
VALUES = b"12.345E+00,230.12E+00,53.600E-03,0.9876E+00,1.2345E+00\n"
RESOURCE = "TCPIP::192.0.2.10::INSTR"

# (driver, the model its *IDN? names, a model with fewer elements, an element that model lacks)
ONE_ELEMENT = [(WT500, "760201"), (WT1800E, "WT1801E"), (WT5000, "WT5000")]
DRIVERS = [
    (WT500, "760203", "760201", 2),
    (WT1800E, "WT1806E", "WT1802E", 3),
    (WT5000, "WT5000", None, 8),
]


def idn(model: str) -> tuple[bytes, bytes]:
    return (b"*IDN?\n", f"YOKOGAWA,{model},C3XX00001,F1.01\n".encode())


def setup_pairs(elements=(1,), rate=b"100MS", voltage=None, current=None, integrate=False):
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
    commands.append(b":RATE " + rate)
    for element in elements:
        if voltage is None:
            commands.append(b":INPut:VOLTage:AUTO:ELEMent%d ON" % element)
        else:
            commands.append(b":INPut:VOLTage:RANGe:ELEMent%d %sV" % (element, voltage))
        if current is None:
            commands.append(b":INPut:CURRent:AUTO:ELEMent%d ON" % element)
        else:
            commands.append(b":INPut:CURRent:RANGe:ELEMent%d %sA" % (element, current))
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


@pytest.mark.parametrize(("driver", "model", "_small", "_missing"), DRIVERS)
def test_configure_sends_exactly_these_bytes(driver, model, _small, _missing):
    with expected_protocol(driver, [idn(model), *setup_pairs()], RESOURCE) as meter:
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
def test_ranges_are_set_on_each_configured_element(driver, model, elements, voltage, current):
    pairs = [
        idn(model),
        *setup_pairs(
            elements=elements,
            voltage=f"{voltage:g}".encode(),
            current=f"{current:g}".encode(),
        ),
    ]
    with expected_protocol(driver, pairs, RESOURCE) as meter:
        meter.configure(
            MeterConfig(elements=elements, voltage_range=voltage, current_range=current)
        )
    assert meter.config.elements == elements


@pytest.mark.parametrize(
    ("driver", "model", "rate_hz", "argument", "chosen_hz"),
    [
        (WT500, "760201", 100, b"100MS", 10),
        (WT500, "760201", 5, b"200MS", 5),
        (WT500, "760201", 0.07, b"10S", 0.1),
        (WT500, "760201", 0.01, b"20S", 0.05),
        (WT1800E, "WT1801E", 100, b"50MS", 20),
        (WT1800E, "WT1801E", 3, b"200MS", 5),
        (WT1800E, "WT1801E", 0.4, b"2S", 0.5),
        (WT5000, "WT5000", 1000, b"10MS", 100),
        (WT5000, "WT5000", 20, b"50MS", 20),
        (WT5000, "WT5000", 1, b"1S", 1),
    ],
)
def test_update_rate_is_the_nearest_allowed(driver, model, rate_hz, argument, chosen_hz):
    with expected_protocol(driver, [idn(model), *setup_pairs(rate=argument)], RESOURCE) as meter:
        meter.configure(MeterConfig(rate_hz=rate_hz))
    assert meter.config.rate_hz == pytest.approx(chosen_hz)


@pytest.mark.parametrize(("driver", "model", "small", "missing"), DRIVERS)
def test_an_element_the_model_lacks_is_refused(driver, model, small, missing):
    with expected_protocol(driver, [idn(small or model)], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=f"element {missing} cannot be read"):
            meter.configure(MeterConfig(elements=(1, missing)))


def test_wt1800e_elements_follow_the_model_number():
    with expected_protocol(WT1800E, [(b"*IDN?\n", b"YOKOGAWA,WT1803E-F,C3X,F1.01\n")]) as meter:
        with pytest.raises(MeterUnavailable, match="The WT1803E has input elements 1, 2, 3"):
            meter.configure(MeterConfig(elements=(4,)))


@pytest.mark.parametrize(
    ("driver", "series", "last"), [(WT500, "WT500", 3), (WT1800E, "WT1800E", 6)]
)
def test_a_reply_naming_only_the_series_allows_every_element(driver, series, last):
    elements = tuple(range(1, last + 1))
    pairs = [idn(series), *setup_pairs(elements=elements)]
    with expected_protocol(driver, pairs, RESOURCE) as meter:
        meter.configure(MeterConfig(elements=elements))
    assert meter.config.elements == elements


@pytest.mark.parametrize("driver", [WT500, WT1800E, WT5000])
def test_a_meter_of_another_model_is_refused(driver):
    with expected_protocol(driver, [idn("WT310E")], RESOURCE) as meter:
        with pytest.raises(MeterProtocolError, match="identifies as YOKOGAWA WT310E") as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b"YOKOGAWA,WT310E,C3XX00001,F1.01"


@pytest.mark.parametrize(
    ("driver", "model", "kind", "config"),
    [
        (WT500, "760201", "voltage range 1.5 V", MeterConfig(voltage_range=1.5)),
        (WT500, "760201", "current range 50 A", MeterConfig(current_range=50)),
        (WT1800E, "WT1801E", "current range 30 A", MeterConfig(current_range=30)),
        (WT5000, "WT5000", "current range 50 A", MeterConfig(current_range=50)),
    ],
)
def test_a_range_the_model_lacks_is_refused(driver, model, kind, config):
    with expected_protocol(driver, [idn(model)], RESOURCE) as meter:
        with pytest.raises(MeterUnavailable, match=f"The {kind} is not one of"):
            meter.configure(config)


@pytest.mark.parametrize(("driver", "model", "_small", "_missing"), DRIVERS)
def test_error_queue_entry_after_configure_is_named(driver, model, _small, _missing):
    pairs = [idn(model), *setup_pairs()]
    pairs[-1] = (b":STATus:ERRor?\n", b'844,"Range setting error"\n')
    pairs.append((b":STATus:ERRor?\n", NO_ERROR))
    with expected_protocol(driver, pairs, RESOURCE) as meter:
        with pytest.raises(MeterProtocolError, match='reported: 844,"Range setting error"'):
            meter.configure(MeterConfig())


def test_integration_starts_on_configure_and_stops_on_close():
    pairs = [idn("WT5000"), *setup_pairs(integrate=True), (b":INTEGrate:STOP\n", None)]
    with expected_protocol(WT5000, pairs, RESOURCE, integrate=True) as meter:
        meter.configure(MeterConfig())


def configured(driver, model, extra_pairs, elements=(1,)):
    return expected_protocol(
        driver, [idn(model), *setup_pairs(elements=elements), *extra_pairs], RESOURCE
    )


@pytest.mark.parametrize(("driver", "model", "_small", "_missing"), DRIVERS)
def test_read_waits_for_the_update_bit_and_returns_every_value(driver, model, _small, _missing):
    with configured(driver, model, read_pairs(b"0", b"4096", b"1")) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps, element.pf, element.wh) == (
        12.345,
        230.12,
        0.0536,
        0.9876,
        1.2345,
    )
    assert set(element.status.values()) == {Status.OK}
    assert reading.raw == VALUES.strip()
    assert reading.ranges == "U=auto I=auto"
    assert reading.end_raw_ns is not None


def test_two_elements_read_in_order():
    values = b"1.0E+00,2.0E+00,3.0E+00,4.0E-01,5.0E+00,6.0E+00,7.0E+00,8.0E+00,9.0E-01,1.0E+01\n"
    pairs = read_pairs(b"1", values=values)
    with configured(WT1800E, "WT1806E", pairs, elements=(2, 5)) as meter:
        meter.configure(MeterConfig(elements=(2, 5)))
        reading = meter.read()
    assert [(e.element, e.watts, e.wh) for e in reading.elements] == [(2, 1.0, 5.0), (5, 6.0, 10.0)]


@pytest.mark.parametrize(
    ("token", "status"),
    [
        (b"INF", Status.OVER_RANGE),
        (b"-INF", Status.OVER_RANGE),
        (b"9.9E+37", Status.OVER_RANGE),
        (b"-9.9E+37", Status.OVER_RANGE),
        (b"NAN", Status.NO_DATA),
        (b"9.91E+37", Status.NO_DATA),
    ],
)
@pytest.mark.parametrize(("driver", "model"), ONE_ELEMENT)
def test_special_values_map_to_status(driver, model, token, status):
    values = b"12.345E+00," + token + b",53.600E-03," + token + b",1.2345E+00\n"
    with configured(driver, model, read_pairs(b"1", values=values)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.volts is None and element.pf is None
    assert element.status["volts"] is status and element.status["pf"] is status
    assert element.watts == 12.345 and element.status["watts"] is Status.OK
    assert f"volts:{status.value}" in element.flags


@pytest.mark.parametrize(("driver", "model"), ONE_ELEMENT)
def test_garbage_reply_is_a_protocol_error_with_raw(driver, model):
    garbage = b"12.3E+00,#?,1.0,1.0,1.0\n"
    with configured(driver, model, read_pairs(b"1", values=garbage)) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterProtocolError, match="not numbers") as caught:
            meter.read()
    assert caught.value.raw == garbage.strip()


@pytest.mark.parametrize(("driver", "model"), ONE_ELEMENT)
def test_a_timeout_reopens_once_then_retries(driver, model):
    timed_out = (b":STATus:EESR?\n", TIMEOUT)
    manager = FakeResourceManager([idn(model), *setup_pairs(), timed_out, *read_pairs(b"1")])
    meter = driver(RESOURCE, resource_manager=manager)
    meter.open()
    meter.configure(MeterConfig())
    assert meter.read().elements[0].volts == 230.12
    meter.close()
    manager.check_done()
    assert manager.events.count("open") == 2
    assert "clear" in manager.events


@pytest.mark.parametrize(("driver", "model"), ONE_ELEMENT)
def test_a_second_timeout_is_meter_timeout(driver, model):
    pairs = [
        (b":STATus:EESR?\n", b"1\n"),
        (b":NUMeric:NORMal:VALue?\n", TIMEOUT),
        (b":STATus:EESR?\n", TIMEOUT),
    ]
    with configured(driver, model, pairs) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterTimeout, match="did not answer ':STATus:EESR\\?'"):
            meter.read()


def test_registered_under_their_names():
    assert registry.get("yokogawa-wt500") is WT500
    assert registry.get("yokogawa-wt1800e") is WT1800E
    assert registry.get("yokogawa-wt5000") is WT5000
    assert all(driver.default_role == "wall" for driver in (WT500, WT1800E, WT5000))


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
            MeterConfig(
                rate_hz=rate, voltage_range=volts, current_range=amps, options={"integrate": True}
            )
        )
        reading = meter.read()
        assert meter.transport.query(":RATE?") == arg
        assert float(meter.transport.query(":INPut:VOLTage:RANGe:ELEMent1?")) == volts
        assert float(meter.transport.query(":INPut:CURRent:RANGe:ELEMent1?")) == amps
    assert (identity.maker, identity.model, identity.serial) == ("YOKOGAWA", model, "C3SIM0001")
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps, element.pf, element.wh) == (
        12.345,
        230.12,
        0.0536,
        1.0,
        0.0,
    )
    assert reading.ranges == f"U={volts:g}V I={amps:g}A"


@pytest.mark.parametrize(("driver", "_model", "resource", "_r", "_a", "_v", "_i"), SIMS)
def test_pyvisa_sim_error_queue_reaches_configure(driver, _model, resource, _r, _a, _v, _i):
    meter = driver(resource, backend=f"{SIM_DIR / (driver.name + '.yaml')}@sim")
    with meter:
        with pytest.raises(MeterProtocolError, match='113,"Undefined header"'):
            meter.configure(MeterConfig(elements=(1, 2)))
