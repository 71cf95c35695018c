"""The contract every meter driver keeps, checked on every registered driver (PyMeasure's
test_all_instruments.py is the model): what the engine relies on (class facts, range tables and
range lookup, accuracy, the window hooks, the rate after configure), and for every SCPI make the
shared shapes (special values, garbage, wrong counts, the error check, timeout then reopen,
read before configure), each make scripted by its own protocol table in driver_cases.py."""
from __future__ import annotations

import math

import pytest

from driver_cases import CASES, Case
from drivers.meters import registry
from drivers.meters.accuracy import AccuracySpec
from drivers.meters.base import (
    Meter,
    MeterConfig,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
    Status,
    smallest_range,
)
from drivers.meters.scpi import ScpiMeter
from drivers.resources import sim_resources
from protocol import TIMEOUT, FakeClock, FakeResourceManager, expected_protocol

ALL = registry.names()
SCPI = sorted(CASES)
SIMULATED = [n for n in ALL if sim_resources(n) and n != "scpi-generic"]

#: The update period each simulated make keeps, asked for 10 Hz (the plan's default): the
#: make's own fastest setting at or near it, or its fixed period.
SIM_PERIOD_S = {
    "yokogawa-wt300e": 0.1,
    "yokogawa-wt500": 0.1,
    "yokogawa-wt1800e": 0.1,
    "yokogawa-wt5000": 0.1,
    "hioki-pw3335": 0.2,
    "hioki-pw8001": 0.2,
    "rs-hmc8015": 0.1,
    "tektronix-pa1000": 0.5,
    "chroma-66202": 0.5,
}


def test_every_scpi_make_has_a_protocol_table_and_every_simulated_make_a_period():
    scpi = {n for n in ALL if issubclass(registry.get(n), ScpiMeter)}
    assert scpi == set(CASES)
    assert set(SIMULATED) == set(SIM_PERIOD_S)


@pytest.mark.parametrize("name", ALL)
def test_class_facts(name):
    cls = registry.get(name)
    assert issubclass(cls, Meter) and cls.name == name
    assert cls.models and all(isinstance(m, str) and m for m in cls.models)
    assert cls.default_role in ("wall", "auxiliary")


@pytest.mark.parametrize("name", SCPI)
def test_range_tables_and_the_smallest_range_that_holds_a_value(name):
    case = CASES[name]
    with expected_protocol(case.factory, [case.idn] if case.identifies_in_configure else [],
                           case.resource, **case.options) as meter:
        if case.identifies_in_configure:
            meter.identify()
        for kind in ("voltage", "current"):
            table = meter.range_table(kind)
            assert list(table) == sorted(table) and all(r > 0 for r in table)
            for value in (*table, *(r * 0.999 for r in table), *(r * 1.001 for r in table)):
                expected = min((r for r in table if r >= value * (1 - 1e-9)), default=None)
                assert meter.range_for(kind, value) == expected
            if table:
                assert meter.range_for(kind, table[-1] * 2) is None
                assert meter.range_for(kind, math.nan) is None


@pytest.mark.parametrize("name", [n for n in SCPI if n != "tektronix-pa1000"])
def test_window_hooks_do_nothing_where_the_meter_needs_nothing(name):
    case = CASES[name]
    with configured(case) as meter:
        meter.configure(MeterConfig())
        assert meter.before_window() == "" and meter.after_window() == ""


@pytest.mark.parametrize("name", SCPI)
def test_accuracy_is_a_table_or_a_reason(name):
    case = CASES[name]
    with configured(case) as meter:
        meter.configure(MeterConfig())
        spec = meter.accuracy()
        assert (spec is None) == bool(meter.accuracy_reason())
        if spec is not None:
            assert spec.source and spec.band(50.0) is not None


def test_smallest_range():
    table = (15, 30, 60, 150, 300, 600)
    assert smallest_range(230.0, table) == 300
    assert smallest_range(300.0, table) == 300
    assert smallest_range(-230.0, table) == 300
    assert smallest_range(601.0, table) is None
    assert smallest_range(0.0, table) == 15


# --- configure: the rate the meter was set to ------------------------------------------------


@pytest.mark.parametrize("name", SIMULATED)
def test_a_simulated_meter_reports_its_own_period_at_the_plans_default_rate(name):
    meter = registry.get(name)("", simulate=True)
    with meter:
        meter.identify()
        meter.configure(MeterConfig(elements=(1,), rate_hz=10.0))
        assert meter.update_period_s == pytest.approx(SIM_PERIOD_S[name])
        assert meter.config.rate_hz == pytest.approx(1.0 / SIM_PERIOD_S[name])
        reading = meter.read()
    assert isinstance(reading, Reading) and reading.elements[0].watts is not None


@pytest.fixture
def fake_time(monkeypatch):
    return FakeClock().install(monkeypatch)


@pytest.mark.parametrize("name", SIMULATED)
def test_a_simulated_meter_keeps_its_makes_rate(name, fake_time):
    """A simulated instrument gives one reading per update period of its make, not as many as
    are asked for: twenty readings take twenty periods of (fake) time."""
    meter = registry.get(name)("", simulate=True)
    with meter:
        meter.identify()
        meter.configure(MeterConfig(elements=(1,), rate_hz=10.0))
        meter.read()
        started = fake_time.now
        ends = [meter.read().end_raw_ns for _ in range(20)]
        elapsed = fake_time.now - started
    period = SIM_PERIOD_S[name]
    assert elapsed == pytest.approx(20 * period, abs=period)
    assert all(e is not None for e in ends)


# --- the shared shapes of every SCPI make ---------------------------------------------------


def configured(case: Case, *extra):
    return expected_protocol(case.factory, case.session(*extra), case.resource, **case.options)


@pytest.mark.parametrize("name", SCPI)
def test_a_good_update_reads_every_value(name):
    case = CASES[name]
    with configured(case, *case.read_pairs(case.values(case.good))) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    assert element.element == 1
    assert element.status["watts"] is Status.OK
    assert element.watts == float(case.good[case.watts_at])
    assert reading.raw == case.values(case.good).strip()
    assert reading.range_of(1).element == 1


@pytest.mark.parametrize("name", SCPI)
@pytest.mark.parametrize("kind", ["over_range", "no_data"])
def test_special_values_become_statuses(name, kind):
    case = CASES[name]
    token = getattr(case, kind)
    with configured(case, *case.read_pairs(case.with_watts(token))) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.watts is None
    assert element.status["watts"] is (Status.OVER_RANGE if kind == "over_range"
                                       else Status.NO_DATA)


@pytest.mark.parametrize("name", SCPI)
def test_garbage_is_a_protocol_error_with_the_raw_reply(name):
    case = CASES[name]
    tokens = list(case.good)
    tokens[case.watts_at] = "ERR"
    garbage = case.values(tokens)
    with configured(case, *case.read_pairs(garbage)) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterProtocolError) as caught:
            meter.read()
    assert caught.value.raw == garbage.strip()


@pytest.mark.parametrize("name", SCPI)
def test_a_wrong_count_is_a_protocol_error(name):
    case = CASES[name]
    short = case.values(case.good[:-1])
    with configured(case, *case.read_pairs(short)) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterProtocolError, match=f"where {case.fields}"):
            meter.read()


@pytest.mark.parametrize("name", SCPI)
def test_read_before_configure_is_refused(name):
    case = CASES[name]
    with expected_protocol(case.factory, [], case.resource, **case.options) as meter:
        with pytest.raises(MeterProtocolError, match="configured before"):
            meter.read()


@pytest.mark.parametrize("name", SCPI)
def test_configure_begins_with_clear_status(name):
    case = CASES[name]
    pairs = case.configure_pairs()
    assert b"*CLS" in [sent.strip() for sent, _ in pairs][:2]


@pytest.mark.parametrize("name", SCPI)
def test_an_error_reported_at_configure_is_named(name):
    case = CASES[name]
    pairs = case.session()
    (query, good), = case.error_pairs()
    position = max(i for i, (sent, _) in enumerate(pairs) if sent == query)
    if b"ESR" in query:
        pairs = pairs[:position] + [(query, b"32" + good[len(good.strip()):])]
        message = "command error"
    else:
        pairs = pairs[:position] + [(query, b'-222,"Data out of range"' + good[-1:]), (query, good)]
        message = "Data out of range"
    with expected_protocol(case.factory, pairs, case.resource, **case.options) as meter:
        with pytest.raises(MeterProtocolError, match=message):
            meter.configure(MeterConfig())


@pytest.mark.parametrize("name", SCPI)
def test_a_timeout_clears_and_reopens_once_then_retries(name):
    case = CASES[name]
    read = case.read_pairs(case.values(case.good))
    timed_out = [(read[0][0], TIMEOUT)]
    manager = FakeResourceManager(case.session(*timed_out, *read))
    meter = case.factory(case.resource, resource_manager=manager, **case.options)
    meter.open()
    meter.configure(MeterConfig())
    assert meter.read().elements[0].watts == float(case.good[case.watts_at])
    meter.close()
    manager.check_done()
    assert manager.events.count("open") == 2 and "clear" in manager.events


@pytest.mark.parametrize("name", SCPI)
def test_a_second_timeout_is_meter_timeout(name):
    case = CASES[name]
    read = case.read_pairs(case.values(case.good))
    with configured(case, (read[0][0], TIMEOUT), (read[0][0], TIMEOUT)) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterTimeout):
            meter.read()


@pytest.mark.parametrize("name", [n for n in SCPI if n not in ("scpi-generic",)])
def test_a_value_between_table_ranges_is_set_to_the_smallest_range_that_holds_it(name):
    """The ranging pass hands over the highest values seen; configure turns each into the
    smallest range of the model's table that holds it, or refuses one none holds."""
    case = CASES[name]
    probe = case.factory(case.resource, resource_manager=FakeResourceManager([case.idn]),
                         **case.options)
    probe.open()
    probe.identify()
    volts, amps = probe.voltage_ranges(), probe.current_ranges()
    probe.close()
    if not volts:
        pytest.skip(f"{name} ships no range table: a value is passed on as given")
    meter = case.factory(case.resource, resource_manager=FakeResourceManager([case.idn]),
                         **case.options)
    meter.open()
    meter.identify()
    assert meter.resolve_range("voltage", volts[-2] * 1.01) == volts[-1]
    assert meter.resolve_range("current", amps[0] * 0.5) == amps[0]
    assert meter.resolve_range("voltage", None) is None
    with pytest.raises(MeterUnavailable, match="No voltage range of the .* holds"):
        meter.resolve_range("voltage", volts[-1] * 3)
    meter.close()


def test_accuracy_tables_are_specs_with_a_source():
    for name in ALL:
        cls = registry.get(name)
        for table in getattr(cls, "ACCURACY", {}).values():
            assert isinstance(table, AccuracySpec) and table.source and table.bands
