"""The Summary metrics against values worked out by hand."""
import math

import numpy as np
import pytest

from kperf_gui.measure.metrics import RequestTimes, power_summary, request_summary, validity
from hypothesis import given
from hypothesis import strategies as st

from kperf_gui.measure.power import (PowerSeries, edge_reasons, energy_j, expected_updates,
                                     loss_reasons, tokens_per_interval, wall_sum)

MS = 1_000_000


def three_requests():
    # request A: sent 0, chunks at 100, 150, 200 ms, 3 tokens, 10 input tokens
    # request B: sent 50, chunks at 250, 350 ms, 2 tokens, 20 input tokens
    # request C: warm-up, ignored; request D: failed
    chunks = [np.array([100, 150, 200]) * MS, np.array([250, 350]) * MS,
              np.array([10]) * MS, np.array([])]
    return RequestTimes(
        sent_ns=np.array([0, 50, -100, 60], float) * MS,
        first_ns=np.array([100, 250, 10, np.nan]) * MS,
        last_ns=np.array([200, 350, 10, np.nan]) * MS,
        done_ns=np.array([210, 400, 20, 300], float) * MS,
        ok=np.array([True, True, True, False]),
        warmup=np.array([False, False, True, False]),
        input_tokens=np.array([10, 20, 5, 10], float),
        output_tokens=np.array([3, 2, 1, np.nan]),
        chunk_ns=[c.astype(float) for c in chunks],
        errors=["", "", "", "HTTP 500: boom"],
    )


def test_request_metrics_by_hand():
    s = request_summary(three_requests())
    assert s["requests_ok"] == 2 and s["requests_failed"] == 1
    # window: first measured sent (0) to last measured finished (400 ms)
    assert s["duration_s"] == pytest.approx(0.4)
    # TTFTs 100 and 200 ms
    assert s["ttft_ms_mean"] == pytest.approx(150)
    assert s["ttft_ms_p50"] == pytest.approx(150)
    assert s["ttft_ms_p90"] == pytest.approx(190)  # linear: 100 + 0.9 * 100
    assert s["ttft_ms_p99"] == pytest.approx(199)
    # E2E 200 and 300 ms
    assert s["e2e_ms_mean"] == pytest.approx(250)
    assert s["e2e_ms_p99"] == pytest.approx(299)
    # TPOT: A (200-100)/2 = 50, B (300-200)/1 = 100
    assert s["tpot_ms_mean"] == pytest.approx(75)
    assert s["tpot_ms_p50"] == pytest.approx(75)
    assert s["tpot_ms_p99"] == pytest.approx(99.5)
    # ITL pooled: 50, 50, 100
    assert s["itl_ms_p50"] == pytest.approx(50)
    assert s["itl_ms_p99"] == pytest.approx(99)
    # 5 output tokens in 0.4 s
    assert s["output_tokens_per_s"] == pytest.approx(12.5)
    # per user: mean(2/0.1, 1/0.1) = 15
    assert s["output_tokens_per_s_per_user"] == pytest.approx(15)
    # prefill: 30 input tokens / 0.3 s of TTFT
    assert s["prefill_tokens_per_s"] == pytest.approx(100)
    assert s["requests_per_s"] == pytest.approx(5)


def test_single_token_requests_left_out_of_tpot():
    r = three_requests()
    r.output_tokens[:] = [1, 1, 1, np.nan]
    s = request_summary(r)
    assert math.isnan(s["tpot_ms_mean"]) and math.isnan(s["output_tokens_per_s_per_user"])


def test_inference_unit():
    r = three_requests()
    s = request_summary(r, "inference")
    assert math.isnan(s["ttft_ms_p50"]) and math.isnan(s["prefill_tokens_per_s"])
    assert s["e2e_ms_mean"] == pytest.approx((210 + 350) / 2)
    assert s["output_tokens_per_s"] == pytest.approx(2 / 0.4)


def test_energy_trapezoid_with_edges():
    t = np.array([0.0, 1.0, 2.0, 3.0])
    w = np.array([100.0, 200.0, 200.0, 100.0])
    # window 0.5..2.5: edges interpolated at 150 and 150
    # trapezoids: [0.5,1]: (150+200)/2*0.5=87.5; [1,2]: 200; [2,2.5]: 87.5
    assert energy_j(t, w, 0.5, 2.5) == pytest.approx(375.0)
    assert math.isnan(energy_j(t, w, 2.0, 2.0))


def test_power_summary_and_ratios():
    ch = PowerSeries("m", np.arange(0, 11) * 0.1, np.full(11, 300.0), ({},) * 11, 10.0)
    p = power_summary([ch], 0.0, 1.0, 120.0, 1.0, 600.0, 600.0)
    assert p["energy_j"] == pytest.approx(300.0)
    assert p["power_w_mean"] == pytest.approx(300.0)
    assert p["power_w_max"] == 300.0 and p["power_w_idle"] == 120.0
    assert p["joules_per_output_token"] == pytest.approx(0.5)
    assert p["output_tokens_per_s_per_w"] == pytest.approx(2.0)


def test_wall_channels_summed_on_one_clock():
    a = PowerSeries("a", np.array([0.0, 1.0, 2.0]), np.array([100.0, 100.0, 100.0]), ({},) * 3, 10)
    b = PowerSeries("b", np.array([0.5, 1.5]), np.array([50.0, 70.0]), ({},) * 2, 5)
    t, w = wall_sum([a, b])
    assert list(t) == [0.0, 1.0, 2.0]
    assert list(w) == [150.0, 160.0, 170.0]


def test_loss_reasons():
    t = np.arange(0, 10) * 0.1 + 0.05
    ok = PowerSeries("m", t, np.full(10, 1.0), ({},) * 10, 10.0)
    assert loss_reasons(ok, 0.0, 1.0) == []
    w = np.full(10, 1.0)
    w[3:6] = np.nan
    gappy = PowerSeries("m", t, w, ({},) * 10, 10.0)
    reasons = loss_reasons(gappy, 0.0, 1.0)
    assert any("lost readings (7 of 10" in r for r in reasons)
    assert any("gap of 0.40 s" in r for r in reasons)
    flags = ({},) * 4 + ({"watts": "over_range"},) + ({},) * 5
    over = PowerSeries("m", t, np.full(10, 1.0), flags, 10.0)
    assert any("over range" in r for r in loss_reasons(over, 0.0, 1.0))


def test_validity_names_each_cause():
    r = three_requests()
    t = np.arange(0, 4) * 0.1 + 0.05
    ch = PowerSeries("m", t, np.full(4, 1.0), ({}, {"watts": "no_data"}, {}, {}), 10.0)
    valid, reason = validity(r, [ch], 0.0, 0.4)
    assert not valid
    assert "1 request(s) failed (HTTP 500: boom)" in reason
    assert "no data" in reason


def test_wall_sum_takes_the_first_of_equally_fast_channels_as_its_time_base():
    a = PowerSeries("a", np.array([0.0, 1.0]), np.array([10.0, 10.0]), ({},) * 2, 10)
    b = PowerSeries("b", np.array([0.2, 0.6, 1.2]), np.array([1.0, 2.0, 3.0]), ({},) * 3, 10)
    assert list(wall_sum([a, b])[0]) == [0.0, 1.0]
    assert list(wall_sum([b, a])[0]) == [0.2, 0.6, 1.2]


def test_tokens_per_interval_weights_chunks_exactly():
    weights = np.array([0.1] * 10 + [7 / 3] * 3)
    got = tokens_per_interval(np.array([0.5]), 1.0, np.linspace(0.0, 0.9, 13), weights)
    assert got[0] == math.fsum(weights)
    assert tokens_per_interval(np.array([0.5]), 1.0, np.linspace(0.0, 0.9, 13)[::-1],
                               weights[::-1])[0] == got[0]


def test_tokens_per_interval():
    wall_t = np.array([0.05, 0.15])
    chunk_t = np.array([0.01, 0.02, 0.11, 0.5])
    got = tokens_per_interval(wall_t, 0.1, chunk_t, np.ones(4))
    assert list(got) == pytest.approx([20.0, 10.0])


def test_power_factor_without_data_does_not_invalidate():
    t = np.arange(0, 10) * 0.1 + 0.05
    flags = ({"pf": "no_data"},) * 10
    ch = PowerSeries("m", t, np.full(10, 5.0), flags, 10.0)
    assert loss_reasons(ch, 0.0, 1.0) == []
    flags = ({"pf": "no_data", "amps": "over_range"},) + ({},) * 9
    assert loss_reasons(PowerSeries("m", t, np.full(10, 5.0), flags, 10.0), 0.0, 1.0) == [
        "m read over range in 1 of 10 readings (amps)"]


# --- window edges: no power figure without readings behind it --------------------------------


def test_edge_uses_a_reading_one_period_outside_the_window():
    # 10 Hz: readings at 0.95 (outside, 0.05 s before the start) and 1.05 .. 1.95, 2.05
    t = np.round(np.arange(0.95, 2.06, 0.1), 6)
    w = np.full(len(t), 100.0)
    w[0] = 200.0  # the reading just before the window
    ch = PowerSeries("m", t, w, ({},) * len(t), 10.0)
    p = power_summary([ch], 1.0, 2.0, float("nan"), 1.0, 10.0, 10.0)
    # start edge interpolated halfway between 200 (0.95) and 100 (1.05): 150;
    # [1.00, 1.05]: (150 + 100) / 2 * 0.05 = 6.25; [1.05, 2.00]: 100 * 0.95 = 95
    assert p["energy_j"] == pytest.approx(101.25)
    assert p["power_w_mean"] == pytest.approx(101.25)
    assert edge_reasons(ch, 1.0, 2.0) == []


def test_a_reading_farther_than_one_period_outside_is_never_used():
    # the last reading before the window is 0.35 s before it (3.5 periods); the first inside
    # comes 0.05 s after the start, so the start edge holds 100 W, not a blend with 500 W
    t = np.array([0.65, 1.05, 1.15, 1.25, 1.35, 1.45, 1.55])
    w = np.array([500.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    ch = PowerSeries("m", t, w, ({},) * len(t), 10.0)
    p = power_summary([ch], 1.0, 1.5, float("nan"), 0.5, 5.0, 10.0)
    assert p["energy_j"] == pytest.approx(50.0)
    assert edge_reasons(ch, 1.0, 1.5) == []


def test_meter_dead_before_the_window_leaves_the_power_columns_empty():
    # the case: the last reading 3.5 s before a 2 s window, nothing after it
    t = np.arange(0, 10) * 0.1 + 0.05  # 0.05 .. 0.95
    ch = PowerSeries("wt#1 element 1", t, np.full(10, 162.74), ({},) * 10, 10.0)
    start, end = 0.95 + 3.5, 0.95 + 3.5 + 2.0
    p = power_summary([ch], start, end, 120.0, 2.0, 100.0, 50.0)
    for key in ("power_w_mean", "power_w_max", "energy_j", "joules_per_output_token",
                "output_tokens_per_s_per_w"):
        assert math.isnan(p[key]), key
    assert p["power_w_idle"] == 120.0  # measured before the sweep, not in this window
    valid, reason = validity(ok_requests(), [ch], start, end)
    assert not valid
    assert ("wt#1 element 1 has no power reading within one update period (0.10 s) of the "
            "window's start and end (the nearest to its start is 3.50 s before it; the nearest "
            "to its end is 5.50 s before it), so the power columns are left empty") in reason
    assert "lost readings (0 of 20 expected)" in reason


def test_a_short_window_after_the_meter_stopped_names_the_meter():
    # the server and meter went together: a 20 ms window 1.4 s after the last reading. The
    # window is too short for the loss count (0.2 expected), so only the edge check sees it.
    t = np.arange(0, 10) * 0.1 + 0.05
    ch = PowerSeries("sim#1 element 1", t, np.full(10, 157.29), ({},) * 10, 10.0)
    start = 0.95 + 1.4
    p = power_summary([ch], start, start + 0.02, float("nan"), 0.02, 0.0, 0.0)
    assert math.isnan(p["power_w_mean"]) and math.isnan(p["energy_j"])
    reasons = edge_reasons(ch, start, start + 0.02)
    assert len(reasons) == 1 and "sim#1 element 1" in reasons[0]
    assert "1.40 s before it" in reasons[0] and "start and end" in reasons[0]


def test_meter_lost_inside_the_window_has_no_end_edge():
    # readings until 1.45, window 1.0 .. 2.0: the start is covered, the end is 0.55 s away
    t = np.array([0.95, 1.05, 1.15, 1.25, 1.35, 1.45])
    ch = PowerSeries("m", t, np.full(6, 100.0), ({},) * 6, 10.0)
    reasons = edge_reasons(ch, 1.0, 2.0)
    assert reasons == ["m has no power reading within one update period (0.10 s) of the window's "
                       "end (the nearest to its end is 0.55 s before it), so the power columns "
                       "are left empty"]
    assert math.isnan(power_summary([ch], 1.0, 2.0, 0.0, 1.0, 1.0, 1.0)["energy_j"])


def test_one_covered_channel_does_not_carry_a_dead_one():
    alive = PowerSeries("a", np.arange(0, 31) * 0.1, np.full(31, 100.0), ({},) * 31, 10.0)
    dead = PowerSeries("b", np.array([0.0, 0.5]), np.array([50.0, 50.0]), ({},) * 2, 10.0)
    p = power_summary([alive, dead], 2.0, 3.0, float("nan"), 1.0, 1.0, 1.0)
    assert math.isnan(p["power_w_mean"])
    _, reason = validity(ok_requests(), [alive, dead], 2.0, 3.0)
    assert "b has no power reading" in reason and "a has no power reading" not in reason


def test_over_range_and_no_data_are_named_as_the_status_says():
    t = np.arange(0, 10) * 0.1 + 0.05
    w = np.full(10, 100.0)
    w[2:5] = np.nan
    flags = ({},) * 2 + ({"watts": "over_range", "amps": "over_range"},) * 2 + ({"watts": "no_data"},) + ({},) * 5
    ch = PowerSeries("m", t, w, flags, 10.0)
    reasons = loss_reasons(ch, 0.0, 1.0)
    assert reasons == ["m read over range in 2 of 10 readings (amps, watts)",
                       "m gave no data in 1 of 10 readings (watts)"]
    # the meter answered every update: none is counted lost
    assert not any("lost" in r for r in reasons)


def test_every_reading_over_range_says_over_range_not_no_data():
    t = np.arange(0, 10) * 0.1 + 0.05
    ch = PowerSeries("m", t, np.full(10, np.nan), ({"watts": "over_range"},) * 10, 10.0)
    valid, reason = validity(ok_requests(), [ch], 0.0, 1.0)
    assert not valid
    assert "m read over range in 10 of 10 readings (watts)" in reason
    assert "no data" not in reason and "lost" not in reason
    assert "power columns are left empty" in reason


def ok_requests():
    r = three_requests()
    r.ok[:] = True
    r.errors[:] = [""] * len(r.errors)
    return r


def test_a_window_shorter_than_an_update_needs_a_reading_that_covers_it():
    # 10 Hz; the meter's last update covered 0.90 .. 1.00 (stamped 0.95) and then it stopped.
    # A 2 ms window at 1.03: both edges are within one period of that reading, but no update
    # interval reaches into the window, so nothing measured it.
    t = np.arange(0, 10) * 0.1 + 0.05
    ch = PowerSeries("m", t, np.full(10, 180.0), ({},) * 10, 10.0)
    assert edge_reasons(ch, 1.03, 1.032) == [
        "m has no power reading whose update interval reaches into the window (the last one "
        "ends 0.03 s before its start), so the power columns are left empty"]
    assert math.isnan(power_summary([ch], 1.03, 1.032, 0.0, 0.002, 1.0, 1.0)["power_w_mean"])
    # the same window while the meter still runs: the update 1.00 .. 1.10 covers it
    alive = PowerSeries("m", np.append(t, 1.05), np.full(11, 180.0), ({},) * 11, 10.0)
    assert edge_reasons(alive, 1.03, 1.032) == []
    p = power_summary([alive], 1.03, 1.032, 0.0, 0.002, 1.0, 1.0)
    assert p["energy_j"] == pytest.approx(180.0 * 0.002)
    # an update that ended inside the window counts: stamped 0.95, it covers up to 1.00
    assert edge_reasons(ch, 0.99, 1.01) == []


def test_expected_readings_are_the_whole_update_periods_of_the_window():
    assert expected_updates(0.0, 1.0, 1 / 0.43) == 2  # 2.33 periods: 2 or 3 centres fall in
    assert expected_updates(0.0, 3.0, 0.5) == 1
    assert expected_updates(0.0, 2.0, 1.0) == 2  # exactly two periods
    assert expected_updates(10.0, 10.35, 10.0) == 3
    assert expected_updates(0.0, 0.5, 1.0) == 0
    assert expected_updates(1.0, 1.0, 10.0) == 0


def test_a_short_window_is_not_judged_lost_for_a_fraction_of_an_update():
    """A 1 s window of a meter updating every 0.43 s holds the centres of 2 or 3 updates,
    whatever their phase; 2 of them is all there is to expect (the product 2.33 is no count:
    "lost readings (2 of 2 expected)" was the old rule's verdict at some phases)."""
    period = 0.43
    for phase in np.linspace(0.0, period, 43, endpoint=False):
        t = phase + np.arange(-4, 8) * period
        c = PowerSeries("m", t, np.full(len(t), 100.0), ({},) * len(t), 1 / period)
        assert loss_reasons(c, 0.0, 1.0) == [], phase
    # one of the two really lost is still seen
    t = np.array([-0.2, 0.3, 1.16])
    lost = PowerSeries("m", t, np.array([100.0, np.nan, 100.0]), ({},) * 3, 1 / period)
    assert "m lost readings (0 of 2 expected)" in loss_reasons(lost, 0.0, 1.0)


@given(st.floats(0.05, 5.0), st.floats(0.1, 60.0), st.floats(0.0, 1.0))
def test_a_meter_that_loses_nothing_is_never_judged_lost(period, window, phase_of_period):
    phase = phase_of_period * period
    n = int(window / period) + 4
    t = phase + np.arange(-2, n) * period
    c = PowerSeries("m", t, np.full(len(t), 1.0), ({},) * len(t), 1 / period)
    assert not any("lost readings" in r for r in loss_reasons(c, 0.0, window))
