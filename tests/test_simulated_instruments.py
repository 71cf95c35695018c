"""Every SCPI make ships a pyvisa-sim instrument: ``options = { simulate = true }`` connects to it
with no hardware, from a driver or from a plan."""
import csv

import pytest

from drivers.meters import registry
from drivers.meters.base import MeterConfig, MeterUnavailable
from drivers.resources import sim_resources
from runhelp import kperf, tiny_plan

SIMULATED = [n for n in registry.names() if sim_resources(n) and n != "scpi-generic"]


def test_every_scpi_make_has_a_simulated_instrument():
    assert {"yokogawa-wt300e", "yokogawa-wt500", "yokogawa-wt1800e", "yokogawa-wt5000",
            "hioki-pw3335", "rs-hmc8015", "tektronix-pa1000", "chroma-66202"} <= set(SIMULATED)


@pytest.mark.parametrize("name", SIMULATED)
def test_simulated_instrument_identifies_and_reads(name):
    meter = registry.get(name)("", simulate=True)
    with meter:
        identity = meter.identify()
        meter.configure(MeterConfig(elements=(1,), rate_hz=10))
        reading = meter.read()
    assert identity.maker and identity.model
    assert reading.elements[0].watts is not None and reading.elements[0].watts > 0


def test_a_resource_the_simulation_lacks_is_named():
    with pytest.raises(MeterUnavailable) as e:
        registry.get("yokogawa-wt300e")("TCPIP0::10.0.0.9::INSTR", simulate=True)
    assert "TCPIP0::127.0.0.1::10001::SOCKET" in str(e.value)


def test_a_plan_with_a_simulated_wt310e_runs(tmp_path):
    """The issue's plan: a simulated WT310E and a 3 s point. It once journaled 17,000 readings a
    second and ended "The run failed: KeyError(1)"; the simulated meter keeps its make's 100 ms
    update, so the run is what the bench gives."""
    import sqlite3
    from contextlib import closing

    p = tiny_plan(tmp_path, meters=False, seconds_per_point=3)
    p.write_text(p.read_text().replace(
        "[sweep]", '[[meters]]\ndriver = "yokogawa-wt300e"\noptions = { simulate = true }\n\n[sweep]'))
    r = kperf("run", p, "--out", tmp_path / "o")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Run finished: 1 point(s), 1 valid." in r.stdout
    with open(tmp_path / "o" / "summary.csv") as f:
        row = next(csv.DictReader(f))
    assert float(row["power_w_mean"]) == pytest.approx(12.345)
    assert row["valid"] == "True", row["invalid_reason"]
    db = tmp_path / "o" / "session.sqlite"
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        (rate,) = conn.execute("SELECT rate_hz FROM instruments").fetchone()
        start, end = conn.execute("SELECT window_start_ns, window_end_ns FROM points").fetchone()
        inside = conn.execute("SELECT COUNT(*), MIN(freq_hz), MAX(freq_hz) FROM readings WHERE "
                              "t_ns BETWEEN ? AND ?", (start, end)).fetchone()
        total = conn.execute("SELECT COUNT(*) FROM readings").fetchone()[0]
        first, last = conn.execute("SELECT MIN(t_ns), MAX(t_ns) FROM readings").fetchone()
    window_s = (end - start) / 1e9
    assert rate == 10.0
    # one reading per 100 ms update, never more; on a loaded machine a poll may miss one
    assert 0.9 * int(window_s * 10) <= inside[0] <= int(window_s * 10) + 1
    assert inside[1:] == (50.0, 50.0)  # the voltage frequency, read with each update
    assert total <= (last - first) / 1e8 + 2  # one reading per update, none in between
    assert db.stat().st_size < 1_000_000
