"""Meters of real makes through ``kperf run`` (issue 8): each on its own clock over a loopback
socket (:mod:`timed_meters`), as its manual says it behaves.

- slower than the plan's default 10 Hz (a Hioki at 5 Hz, a PA1000 at 2 Hz, a PTDaemon at 1 Hz
  and one at 0.5 Hz): loss is judged at the rate each meter was set to, and the points are valid;
- a Hioki that is integrating, a multichannel PTDaemon line;
- a PA3000 whose auto-zero pauses (shortened from once a minute to once every 3 s, so that a
  point of 9 s holds three, as a run of three minutes does on the bench);
- a ranging pass whose highest values fall between table ranges, and one no range holds;
- the uncertainty columns against hand computations for the WT310E and the Hioki PW3336.
"""
import contextlib
import csv
import json
import sqlite3

import openpyxl
import pytest

from fake_instrument import FakeInstrument
from runhelp import kperf, tiny_plan
import timed_meters


def plan(tmp_path, meters, name="m", **sweep):
    """A plan against the simulated endpoint with the given ``[[meters]]`` tables."""
    sweep = {"seconds_per_point": 4, "idle_baseline_s": 1, "concurrency": "[1]", **sweep}
    p = tiny_plan(tmp_path, name=name, meters=False, **sweep)
    p.write_text(p.read_text().replace("[sweep]", "\n".join(meters) + "\n[sweep]"))
    return p


def meter(driver, resource, **keys):
    lines = ["[[meters]]", f'driver = "{driver}"', f'resource = "{resource}"']
    for key, value in keys.items():
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def summary(folder):
    with open(folder / "summary.csv", newline="") as f:
        return list(csv.DictReader(f))


def journal(folder):
    return contextlib.closing(sqlite3.connect(f"file:{folder / 'session.sqlite'}?mode=ro",
                                              uri=True))


def session_sheet(folder):
    book = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
    return [tuple(row[:3]) for row in book["Session"].iter_rows(values_only=True)]


def test_meters_slower_than_the_plans_rate_give_valid_points(tmp_path):
    """No rate_hz in the plan (10 Hz asked): each driver sets its meter's own rate, and that
    rate, recorded per instrument, is what loss is judged against. The Hioki is integrating;
    its integration is reset as the plan allows, and the journal says so. The multichannel
    PTDaemon's two channels are read as elements, its total left out of the sum."""
    hioki = timed_meters.Hioki(integration="START")
    pa = timed_meters.PA()
    multi = timed_meters.PTDaemon(multichannel=True)
    slow = timed_meters.PTDaemon(watts=50.0)
    with contextlib.ExitStack() as stack:
        h, a, m, s = (stack.enter_context(FakeInstrument(model, terminator=term)) for model, term
                      in ((hioki, b"\r\n"), (pa, b"\n"), (multi, b"\r\n"), (slow, b"\r\n")))
        p = plan(tmp_path, [
            meter("hioki-pw3335", h.resource, options="{ reset_integration = true }"),
            meter("tektronix-pa1000", a.resource),
            meter("ptdaemon", f"127.0.0.1:{m.port}", element="[1, 2]",
                  options="{ range_settle_s = 0 }"),
            meter("ptdaemon", f"127.0.0.1:{s.port}",
                  options="{ range_settle_s = 0, min_interval_ms = 2000 }"),
        ])
        r = kperf("run", p, "--out", tmp_path / "o", timeout=180)
    out = tmp_path / "o"
    assert r.returncode == 0, r.stdout + r.stderr
    (row,) = summary(out)
    assert row["valid"] == "True", row["invalid_reason"]
    # the wall sum: Hioki 250.5 + PA1000 118.2 + channels 91.06 + 181.87 + 50.0
    assert float(row["power_w_mean"]) == pytest.approx(250.5 + 118.2 + 91.06 + 181.87 + 50.0)
    with journal(out) as conn:
        rates = [r for (r,) in conn.execute("SELECT rate_hz FROM instruments ORDER BY id")]
        configs = [json.loads(c) for (c,) in conn.execute("SELECT config FROM instruments "
                                                          "ORDER BY id")]
        events = [m for (m,) in conn.execute("SELECT message FROM events WHERE kind = 'meter'")]
        elements = conn.execute("SELECT DISTINCT element FROM readings WHERE instrument = 3 "
                                "ORDER BY element").fetchall()
        totals = conn.execute("SELECT COUNT(*) FROM readings WHERE instrument = 3 AND "
                              "watts > 272").fetchone()[0]
    assert rates == [5.0, 2.0, 1.0, 0.5]
    assert [c["plan_rate_hz"] for c in configs] == [10.0] * 4
    assert any(e.startswith("hioki-pw3335#1: The PW3335's integration was running") for e in
               events), events
    assert ":INTEGrate:STATe STOP" in hioki.received and ":INTEGrate:STATe RESET" in hioki.received
    assert elements == [(1,), (2,)] and totals == 0  # channels 1 and 2; the total is no reading
    assert ("Instruments", "ptdaemon#4") in [row[:2] for row in session_sheet(out)]


def test_a_hioki_that_is_integrating_stops_the_run_before_measuring(tmp_path):
    hioki = timed_meters.Hioki(integration="START")
    with FakeInstrument(hioki, terminator=b"\r\n") as h:
        r = kperf("run", plan(tmp_path, [meter("hioki-pw3335", h.resource)]), "--out",
                  tmp_path / "o", timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    assert "is integrating" in r.stderr and "reset_integration = true" in r.stderr
    assert ":INTEGrate:STATe RESET" not in hioki.received  # nothing was reset behind its back


def test_a_pa3000_point_through_several_auto_zero_pauses_is_valid(tmp_path):
    """The analyzer pauses every 3 s (a minute on the bench); the wall PA3000 has its auto-zero
    held off for each window and gives a valid point of 9 s; a second one, recorded as an
    auxiliary channel with the hold turned off, shows the pauses the first one avoided."""
    held = timed_meters.PA("PA3000", auto_zero_every_s=3.0)
    free = timed_meters.PA("PA3000", auto_zero_every_s=3.0)
    with FakeInstrument(held) as a, FakeInstrument(free) as b:
        p = plan(tmp_path, [meter("tektronix-pa1000", a.resource),
                            meter("tektronix-pa1000", b.resource, role='"auxiliary"',
                                  options="{ hold_auto_zero = false }")],
                 seconds_per_point=9)
        r = kperf("run", p, "--out", tmp_path / "o", timeout=180)
    out = tmp_path / "o"
    assert r.returncode == 0, r.stdout + r.stderr
    (row,) = summary(out)
    assert row["valid"] == "True", row["invalid_reason"]
    assert [z for _, z in held.zero_changes] == [":SYST:ZERO 0", ":SYST:ZERO 1"]
    assert free.zero_changes == []
    with journal(out) as conn:
        start, end = conn.execute("SELECT window_start_ns, window_end_ns FROM points "
                                  "WHERE id = 1").fetchone()
        notes = [m for (m,) in conn.execute("SELECT message FROM events WHERE kind = 'meter'")]

        def gaps(instrument):
            t = [t for (t,) in conn.execute(
                "SELECT t_ns FROM readings WHERE instrument = ? AND watts IS NOT NULL AND "
                "t_ns BETWEEN ? AND ? ORDER BY t_ns", (instrument, start, end))]
            return [(b - a) / 1e9 for a, b in zip(t, t[1:])]

        assert max(gaps(1)) < 1.0  # never two update periods without a result
        assert sum(g > 1.0 for g in gaps(2)) >= 2  # the pauses the hold avoided
    assert any("tektronix-pa1000#1: auto-zero off for the window" in n for n in notes)
    assert any("tektronix-pa1000#1: auto-zero on again after the window" in n for n in notes)


def test_a_peak_over_flagged_by_the_status_register_makes_the_point_invalid(tmp_path):
    """A crest factor exceeded on a switching supply: the WT310E keeps sending plausible
    numbers and raises its current-peak-over bit (POA1, IM WT310E-17EN 7.4); the point says so."""
    wt = timed_meters.WT310E(condition=1 << 8)
    with FakeInstrument(wt) as w:
        p = plan(tmp_path, [meter("yokogawa-wt300e", w.resource)], seconds_per_point=2)
        r = kperf("run", p, "--out", tmp_path / "o", timeout=180)
    assert r.returncode == 1, r.stdout + r.stderr
    (row,) = summary(tmp_path / "o")
    assert row["valid"] == "False"
    assert "yokogawa-wt300e#1 element 1 read over range in" in row["invalid_reason"]
    assert "(amps, watts)" in row["invalid_reason"]
    assert row["power_w_mean"] == "" and row["power_w_uncertainty_pct"] == ""


# --- the ranging pass and the uncertainty -------------------------------------------------------


def test_a_ranging_pass_sets_table_ranges_between_the_highest_values(tmp_path):
    """Highest 230.1 V and 0.646 A fall between the WT310E's ranges: the testing pass runs at
    300 V (the smallest range that holds 230.1 V) and 1 A (the smallest that holds 1.1 x 0.646
    = 0.7106 A), journaled, read back with every reading, and the uncertainty is computed from
    them (see the hand computation below)."""
    wt = timed_meters.WT310E()
    with FakeInstrument(wt) as w:
        p = plan(tmp_path, [meter("yokogawa-wt300e", w.resource, ranging='"pass"')],
                 seconds_per_point=3)
        r = kperf("run", p, "--out", tmp_path / "o", timeout=180)
    out = tmp_path / "o"
    assert r.returncode == 0, r.stdout + r.stderr
    assert ":INPut:VOLTage:RANGe 300V" in wt.received and ":INPut:CURRent:RANGe 1A" in wt.received
    assert (wt.voltage_range, wt.current_range) == (300.0, 1.0)  # left at them for the test
    with journal(out) as conn:
        (data,) = conn.execute("SELECT data FROM events WHERE kind = 'ranging' AND data != ''")
        config = json.loads(conn.execute("SELECT config FROM instruments").fetchone()[0])
        ranges = conn.execute(
            "SELECT DISTINCT r.voltage_range_v, r.current_range_a, r.crest_factor, r.freq_hz FROM "
            "readings r JOIN points p ON r.t_ns BETWEEN p.window_start_ns AND p.window_end_ns "
            "WHERE p.id = 1").fetchall()
        ranging = conn.execute(
            "SELECT DISTINCT r.voltage_range_v, r.current_range_a FROM readings r JOIN points p "
            "ON r.t_ns BETWEEN p.window_start_ns AND p.window_end_ns WHERE p.id = -1").fetchall()
    assert json.loads(data[0]) == {"channel": "yokogawa-wt300e#1", "highest_v": 230.1,
                                   "highest_a": 0.646, "voltage_range_v": 300.0,
                                   "current_range_a": 1.0}
    assert (config["voltage_range"], config["current_range"]) == (300.0, 1.0)
    assert ranges == [(300.0, 1.0, 3.0, 50.0)]
    assert ranging == [(None, None)]  # auto range, not reported
    (row,) = summary(out)
    assert row["valid"] == "True", row["invalid_reason"]
    # By hand (IM WT310E-02EN 7.3.2, 45 Hz to 66 Hz): 0.1 % of reading + 0.05 % of range
    # + 0.1 % of S x sin(phi), S = 230.1 V x 0.646 A = 148.6446 VA, on every reading alike:
    # 0.1428 + 0.15 + 0.001 x sqrt(148.6446^2 - 142.8^2) = 0.1428 + 0.15 + 0.041272 W
    # = 0.334072 W of 142.8 W = 0.233944 %.
    expected = 100 * (0.001 * 142.8 + 0.0005 * 300 * 1.0
                      + 0.001 * (148.6446 ** 2 - 142.8 ** 2) ** 0.5) / 142.8
    assert expected == pytest.approx(0.233944, abs=1e-6)
    assert float(row["power_w_uncertainty_pct"]) == pytest.approx(expected, rel=1e-9)
    assert float(row["energy_j_uncertainty_pct"]) == pytest.approx(expected, rel=1e-9)
    sheet = session_sheet(out)
    assert any(s == "Uncertainty" and k == "yokogawa-wt300e#1 element 1" and
               "as the meter measured it" in v for s, k, v in sheet)


def test_a_ranging_pass_no_range_holds_stops_before_the_testing_pass(tmp_path):
    wt = timed_meters.WT310E(values=("4000.0E+00", "230.1E+00", "19.0E+00", "0.915E+00",
                                     "0.0E+00", "50.000E+00"))
    with FakeInstrument(wt) as w:
        p = plan(tmp_path, [meter("yokogawa-wt300e", w.resource, ranging='"pass"')],
                 seconds_per_point=1)
        r = kperf("run", p, "--out", tmp_path / "o", timeout=180)
    out = tmp_path / "o"
    assert r.returncode == 1, r.stdout + r.stderr
    line = ("Ranging pass: fixed ranges could not be set (yokogawa-wt300e#1: no current range of "
            "the WT310E holds 1.1 x 19 A = 20.9 A (its largest is 20 A)), so the testing pass "
            "was not run; set meters[].voltage_range and current_range by hand, or use "
            "ranging = 'auto'.")
    assert line in r.stdout
    assert "Run stopped: 0 point(s)" in r.stdout
    assert summary(out) == []  # nothing reported as if on fixed ranges
    assert ":INPut:CURRent:RANGe 20A" not in wt.received
    with journal(out) as conn:
        assert conn.execute("SELECT COUNT(*) FROM points WHERE id > 0").fetchone()[0] == 0
        assert conn.execute("SELECT message FROM events WHERE kind = 'error'").fetchone()[0] \
            == line


def test_a_ranging_pass_on_a_meter_without_a_range_table_is_refused_before_measuring(tmp_path):
    """A PTDaemon's driver has no table of the analyzer behind it: the ranging pass could not
    say that the testing pass ran on fixed ranges of the meter, so the plan is refused."""
    daemon = timed_meters.PTDaemon()
    with FakeInstrument(daemon, terminator=b"\r\n") as d:
        p = plan(tmp_path, [meter("ptdaemon", f"127.0.0.1:{d.port}", ranging='"pass"',
                                  options="{ range_settle_s = 0 }")])
        r = kperf("run", p, "--out", tmp_path / "o", timeout=120)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.strip() == (
        "kperf: meters[0].ranging: the ptdaemon driver has no voltage or current range table for "
        "the PTDaemon, so a ranging pass cannot choose fixed ranges of the meter; set "
        "meters[0].voltage_range and current_range to ranges of the meter (some drivers take the "
        "table as an option, see README), or use ranging = 'auto'.")
    assert not (tmp_path / "o").exists()
    assert "Stop" in daemon.received  # let go of


def test_the_uncertainty_of_a_hioki_pw3336_from_the_plans_frequency(tmp_path):
    """The PW3336 does not report its input frequency to this driver: the plan gives it
    (meters[].frequency_hz = 50). Two channels at 300 V x 2 A = 600 W power range: 250.5 W is
    below half of it, 400 W above (where Hioki states a % of reading alone). The limit of 0.15 %
    makes the point invalid."""
    hioki = timed_meters.Hioki("PW3336", channels=((230.1, 1.12, 250.5, 0.972),
                                                   (230.1, 1.79, 400.0, 0.971)))
    with FakeInstrument(hioki, terminator=b"\r\n") as h:
        p = plan(tmp_path, [meter("hioki-pw3335", h.resource, element="[1, 2]",
                                  voltage_range=300, current_range=2, frequency_hz=50,
                                  max_uncertainty_pct=0.15)])
        r = kperf("run", p, "--out", tmp_path / "o", timeout=180)
    out = tmp_path / "o"
    assert r.returncode == 1, r.stdout + r.stderr
    (row,) = summary(out)
    # By hand (PW3336/PW3337 specifications, 45 Hz to 66 Hz): channel 1, below half range:
    # 0.1 % x 250.5 + 0.05 % x 600 = 0.5505 W; channel 2, at or above half range: 0.15 % x 400
    # = 0.6 W; together 1.1505 W of 650.5 W = 0.176864 %.
    expected = 100 * (0.001 * 250.5 + 0.0005 * 600 + 0.0015 * 400.0) / 650.5
    assert expected == pytest.approx(0.176864, abs=1e-6)
    assert float(row["power_w_uncertainty_pct"]) == pytest.approx(expected, rel=1e-9)
    assert row["valid"] == "False"
    assert row["invalid_reason"] == ("uncertainty above meters[].max_uncertainty_pct = 0.15 % "
                                     "(power 0.177 %, energy 0.177 %)")
    sheet = session_sheet(out)
    assert any(k == "hioki-pw3335#1 element 2" and
               "Input frequency: meters[].frequency_hz = 50 Hz." in v for s, k, v in sheet)
