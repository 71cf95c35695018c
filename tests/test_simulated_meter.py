"""The simulated meter against a running simulated endpoint."""
from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from drivers.meters import registry
from drivers.meters.base import (
    Identity,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterUnavailable,
)
from drivers.meters.simulated import SimulatedMeter
from kperf_gui import __version__
from kperf_gui.sim import start_sim_server

NS = 1_000_000_000


@pytest.fixture(scope="module")
def sim():
    with start_sim_server() as server:
        yield server


@pytest.fixture()
def meter(sim):
    with SimulatedMeter(sim.root_url) as m:
        yield m


def _load(sim, stop: threading.Event) -> threading.Thread:
    def run() -> None:
        with httpx.Client(trust_env=False, timeout=10) as client:
            while not stop.is_set():
                client.post(f"{sim.base_url}/completions",
                            json={"model": "sim-llm", "prompt": "p " * 200, "max_tokens": 12,
                                  "ignore_eos": True})

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_registered_and_identified(meter) -> None:
    assert registry.get("simulated") is SimulatedMeter
    ident = meter.identify()
    assert ident == Identity("K-Perf Lab", "SIM-1", "SIM-0001", __version__, ident.raw)
    assert SimulatedMeter.default_role == "wall"


def test_readings_match_the_simulators_energy(sim, meter) -> None:
    meter.configure(MeterConfig(elements=(1, 2), rate_hz=10))
    period = meter.update_period_s
    stop = threading.Event()
    thread = _load(sim, stop)
    try:
        readings = [meter.read() for _ in range(8)]
    finally:
        stop.set()
        thread.join(10)
    period_ns = round(period * NS)
    ends = [r.end_raw_ns for r in readings]
    steps = [b - a for a, b in zip(ends, ends[1:])]
    assert all(s >= period_ns and s % period_ns == 0 for s in steps)  # on the fixed schedule
    measured = sum(sum(e.watts for e in r.elements) * period for r in readings)
    expected = sum(sim.energy_j(t - period_ns, t) for t in ends)
    assert measured == pytest.approx(expected, rel=1e-6)
    if all(s == period_ns for s in steps):  # no update missed: the readings tile their span
        assert measured == pytest.approx(sim.energy_j(ends[0] - period_ns, ends[-1]), rel=1e-6)
    assert measured > 180.0 * period * len(readings)  # the load raised the power
    for r in readings:
        a, b = r.elements
        assert (a.element, b.element) == (1, 2) and a.watts == b.watts
        assert 228 < a.volts < 232 and a.pf == 0.97
        assert a.amps == pytest.approx(a.watts / (a.volts * 0.97), rel=1e-12)
        assert not a.flags
    first, last = readings[0], readings[-1]
    wh = 2 * (last.elements[0].wh - first.elements[0].wh)
    assert wh * 3600 == pytest.approx(sim.energy_j(first.end_raw_ns, last.end_raw_ns), rel=1e-6)


def test_a_missed_update_is_skipped(sim, meter) -> None:
    meter.configure(MeterConfig(rate_hz=20))
    period_ns = round(meter.update_period_s * NS)
    first = meter.read()
    time.sleep(3.5 * period_ns / NS)  # the reader falls behind on purpose
    second = meter.read()
    third = meter.read()
    gap = (second.end_raw_ns - first.end_raw_ns) // period_ns
    assert gap >= 4 and (second.end_raw_ns - first.end_raw_ns) % period_ns == 0
    assert third.end_raw_ns - second.end_raw_ns == period_ns
    wh = second.elements[0].wh - first.elements[0].wh  # the integrator ran on
    assert wh * 3600 == pytest.approx(sim.energy_j(first.end_raw_ns, second.end_raw_ns), rel=1e-6)


def test_server_gone_is_a_disconnect() -> None:
    server = start_sim_server()
    meter = SimulatedMeter(server.root_url)
    meter.configure(MeterConfig(rate_hz=50))
    meter.read()
    server.stop()
    with pytest.raises(MeterDisconnected):
        meter.read()
    meter.close()
    meter.close()


def test_nothing_listening_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(MeterUnavailable, match="no simulator answers"):
        SimulatedMeter(f"http://127.0.0.1:{port}").identify()
    with pytest.raises(MeterUnavailable, match="URL"):
        SimulatedMeter("GPIB0::1::INSTR").open()


def test_bad_configuration_is_refused(meter) -> None:
    with pytest.raises(MeterProtocolError, match="rate"):
        meter.configure(MeterConfig(rate_hz=0))
    with pytest.raises(MeterProtocolError, match="element"):
        meter.configure(MeterConfig(elements=()))
