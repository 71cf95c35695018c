"""A connected power meter, read through its driver. Skipped unless ``--meter-resource`` is
given, for example::

    pytest tests/test_real_meter.py --meter-resource TCPIP::192.168.0.10::INSTR --meter-driver yokogawa-wt300e
"""
from __future__ import annotations

import pytest

from drivers.meters import registry
from drivers.meters.base import MeterConfig, Status

pytestmark = pytest.mark.meter


@pytest.fixture
def meter(request):
    resource = request.config.getoption("--meter-resource", default=None)
    if not resource:
        pytest.skip("no --meter-resource given")
    driver = registry.get(request.config.getoption("--meter-driver", default="yokogawa-wt300e"))
    with driver(resource) as opened:
        yield opened


def test_identifies_configures_and_reads_updates(meter):
    identity = meter.identify()
    assert identity.maker and identity.model
    meter.configure(MeterConfig(elements=(1,), rate_hz=10))
    readings = [meter.read() for _ in range(5)]
    for reading in readings:
        (element,) = reading.elements
        assert element.element == 1
        assert reading.raw
        assert element.status.get("watts") in (Status.OK, Status.OVER_RANGE, Status.NO_DATA)
    ends = [reading.end_raw_ns for reading in readings if reading.end_raw_ns is not None]
    assert ends == sorted(ends)


def test_the_rate_is_the_meters_own(meter):
    """What configure reports is the rate the meter keeps: ten readings take about ten of its
    periods (printed, not asserted against a clock: a lab compares it with the meter's panel)."""
    import time

    meter.identify()
    meter.configure(MeterConfig(elements=(1,), rate_hz=10))
    meter.read()
    started = time.monotonic()
    for _ in range(10):
        meter.read()
    print(f"\n{meter.name}: set to {meter.config.rate_hz:g} Hz; 10 readings took "
          f"{time.monotonic() - started:.2f} s ({10 * meter.update_period_s:.2f} s expected)")


def test_a_value_between_ranges_sets_and_reads_back_the_smallest_range_that_holds_it(meter):
    meter.identify()
    volts, amps = meter.voltage_ranges(), meter.current_ranges()
    if not volts or not amps:
        pytest.skip(f"{meter.name} ships no range table")
    asked_v, asked_a = volts[len(volts) // 2] * 0.9, amps[-1] * 0.9
    meter.configure(MeterConfig(elements=(1,), voltage_range=asked_v, current_range=asked_a))
    reading = meter.read()
    assert meter.config.voltage_range == meter.range_for("voltage", asked_v)
    assert reading.range_of(1).voltage_v == meter.config.voltage_range
    assert reading.range_of(1).current_a == meter.config.current_range


def test_the_window_hooks_leave_the_meter_reading(meter):
    meter.identify()
    meter.configure(MeterConfig(elements=(1,), rate_hz=10))
    print(f"\nbefore the window: {meter.before_window()!r}")
    assert all(meter.read().elements for _ in range(3))
    print(f"after the window: {meter.after_window()!r}")
