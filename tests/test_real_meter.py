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
