"""The uncertainty of readings and windows against hand computations from the makers' tables:
the Yokogawa WT310E (IM WT310E-02EN 7.3.2) and the Hioki PW3336 (PW3336/PW3337 specifications),
and the reasons given where no figure can be."""
from __future__ import annotations

import math

import numpy as np
import pytest

from drivers.meters.accuracy import HIOKI_PW3336, YOKOGAWA_WT300E, spec_from_option
from kperf_gui.measure.uncertainty import (
    ChannelUncertainty,
    reading_uncertainty,
    window_uncertainty,
)


def constant(n, value):
    return np.full(n, float(value))


def test_wt310e_reading_by_hand():
    """100 W at 50 Hz on the 150 V / 1 A ranges, power factor 0.9, crest factor 3:
    0.1 % of 100 W + 0.05 % of 150 W + 0.1 % of sqrt(S^2 - P^2), S = 100 / 0.9 = 111.11 VA:
    0.1 + 0.075 + 0.1 % x 48.432 = 0.22343 W."""
    volts, amps = 230.0, 100.0 / 230.0 / 0.9
    r = reading_uncertainty(YOKOGAWA_WT300E, np.array([100.0]), np.array([150.0]),
                            np.array([1.0]), 50.0, 3.0, np.array([volts]), np.array([amps]))
    apparent = 100.0 / 0.9
    by_hand = 0.1 + 0.075 + 0.001 * math.sqrt(apparent ** 2 - 100.0 ** 2)
    assert r.u_w[0] == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(0.22343, abs=1e-5)
    assert r.reason == ""


def test_wt310e_crest_factor_6_doubles_the_range_error_and_dc_has_its_own_band():
    r = reading_uncertainty(YOKOGAWA_WT300E, np.array([100.0, 100.0]), np.array([150.0, 150.0]),
                            np.array([1.0, 1.0]), np.array([50.0, 0.0]), np.array([6.0, 3.0]),
                            np.array([230.0, 100.0]), np.array([100 / 230.0, 1.0]))
    assert r.u_w[0] == pytest.approx(0.1 + 2 * 0.075)  # power factor 1: no S term
    assert r.u_w[1] == pytest.approx(0.1 + 0.3)  # DC: 0.1 % of reading + 0.2 % of range


def test_pw3336_reading_by_hand_below_and_above_half_the_range():
    """300 V x 1 A = 300 W full scale at 60 Hz: 100 W (below half) is 0.1 % rdg + 0.05 % f.s.
    = 0.1 + 0.15 = 0.25 W; 200 W (at or above half) is 0.15 % of reading = 0.3 W."""
    r = reading_uncertainty(HIOKI_PW3336, np.array([100.0, 200.0, 150.0]), constant(3, 300),
                            constant(3, 1), 60.0)
    assert r.u_w.tolist() == pytest.approx([0.25, 0.30, 0.225])


def test_window_of_a_constant_load_by_hand():
    t = np.arange(0.0, 10.01, 0.1)
    w = constant(len(t), 100.0)
    r = reading_uncertainty(YOKOGAWA_WT300E, w, constant(len(t), 150), constant(len(t), 1),
                            50.0, 3.0, constant(len(t), 230.0), constant(len(t), 100 / 230.0))
    window = window_uncertainty([ChannelUncertainty("wt", t, w, r.u_w)], 2.0, 8.0,
                                time_base_ppm=50)
    assert window.power_w_pct == pytest.approx(0.175)
    assert window.energy_j_pct == pytest.approx(0.175 + 0.005)
    assert window.power_w_abs == pytest.approx(0.175)
    assert window.reason == ""


def test_window_weights_each_reading_as_the_energy_does():
    """Readings 100 W then 300 W (one range, 600 V x 1 A): each reading's limit is
    0.1 % rdg + 0.05 % x 600 W; over the window the limit is the same trapezoid as the energy."""
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    w = np.array([100.0, 100.0, 300.0, 300.0, 300.0])
    r = reading_uncertainty(YOKOGAWA_WT300E, w, constant(5, 600), constant(5, 1), 50.0, 3.0,
                            constant(5, 230.0), w / 230.0)
    limits = 0.001 * w + 0.0005 * 600
    energy = np.trapezoid(w, t)
    limit = np.trapezoid(limits, t)
    window = window_uncertainty([ChannelUncertainty("wt", t, w, r.u_w)], 0.0, 4.0)
    assert window.power_w_pct == pytest.approx(100 * limit / energy)


def test_summed_channels_add_their_limits():
    t = np.arange(0.0, 5.01, 0.5)
    n = len(t)
    wt = reading_uncertainty(YOKOGAWA_WT300E, constant(n, 100), constant(n, 150), constant(n, 1),
                             50.0, 3.0, constant(n, 230), constant(n, 100 / 230))
    pw = reading_uncertainty(HIOKI_PW3336, constant(n, 200), constant(n, 300), constant(n, 1),
                             50.0)
    window = window_uncertainty([ChannelUncertainty("wt", t, constant(n, 100), wt.u_w),
                                 ChannelUncertainty("pw", t, constant(n, 200), pw.u_w)], 1, 4)
    assert window.power_w_pct == pytest.approx(100 * (0.175 + 0.3) / 300)


def test_auto_range_without_a_reported_range_gives_no_figure_and_says_why():
    t = np.arange(0.0, 3.01, 0.5)
    n = len(t)
    ranges = constant(n, 150)
    ranges[3] = np.nan  # one reading at auto range, range not reported
    r = reading_uncertainty(YOKOGAWA_WT300E, constant(n, 100), ranges, constant(n, 1), 50.0,
                            3.0, constant(n, 230), constant(n, 100 / 230))
    assert "1 reading(s) taken at a range the meter did not report" in r.reason
    window = window_uncertainty([ChannelUncertainty("wt", t, constant(n, 100), r.u_w, r.reason)],
                                0.2, 2.8)
    assert window.power_w_pct is None and window.energy_j_pct is None
    assert "wt: 1 reading(s) of the window have no accuracy figure" in window.reason
    # a window that does not use the unknown reading has its figure
    clean = window_uncertainty([ChannelUncertainty("wt", t, constant(n, 100), r.u_w)], 0.1, 0.9)
    assert clean.power_w_pct == pytest.approx(0.175)


def test_an_unknown_table_gives_no_figure_with_its_reason():
    r = reading_uncertainty(None, constant(3, 100), constant(3, 150), constant(3, 1), 50.0,
                            no_spec_reason="the chroma-66202 driver has no accuracy table")
    assert np.isnan(r.u_w).all() and "no accuracy table" in r.reason


def test_a_frequency_outside_the_table_and_a_missing_power_factor_input_say_so():
    r = reading_uncertainty(YOKOGAWA_WT300E, constant(2, 100), constant(2, 150), constant(2, 1),
                            np.array([5000.0, 50.0]), 3.0)
    assert np.isnan(r.u_w).all()
    assert "frequency the accuracy table does not cover" in r.reason
    assert "volts and amps the power-factor term" in r.reason


def test_a_lab_table_from_the_plan():
    spec = spec_from_option({"reading_pct": 0.05, "range_pct": 0.05,
                             "source": "calibration certificate 2024-117"}, "meters[0]")
    r = reading_uncertainty(spec, np.array([100.0]), np.array([300.0]), np.array([1.0]), 400.0)
    assert r.u_w[0] == pytest.approx(0.05 + 0.15)
    with pytest.raises(ValueError, match="source must name the document"):
        spec_from_option({"reading_pct": 0.1, "range_pct": 0.1}, "meters[0].options.accuracy")


def test_empty_or_zero_windows_have_no_figure():
    t = np.array([0.0, 1.0])
    ch = ChannelUncertainty("wt", t, np.array([0.0, 0.0]), np.array([0.1, 0.1]))
    assert window_uncertainty([ch], 0.0, 1.0).reason == "the window's energy is zero or unknown"
    assert window_uncertainty([ch], 1.0, 1.0).reason == "the window is empty"
    assert window_uncertainty([], 0.0, 1.0).reason == "no wall channel"


def test_a_lab_table_given_to_a_driver_comes_first_and_a_bad_one_is_refused_at_once():
    from drivers.meters.base import MeterUnavailable
    from drivers.meters.chroma import Chroma66202
    from protocol import FakeResourceManager

    given = {"reading_pct": 0.1, "range_pct": 0.1, "source": "Chroma 66202 data sheet"}
    meter = Chroma66202("USB0::1::2::3::INSTR", resource_manager=FakeResourceManager([]),
                        accuracy=given)
    assert meter.accuracy().source == "Chroma 66202 data sheet"
    assert meter.accuracy_reason() == ""
    with pytest.raises(MeterUnavailable, match="meters\\[\\].options.accuracy.source"):
        Chroma66202("USB0::1::2::3::INSTR", resource_manager=FakeResourceManager([]),
                    accuracy={"reading_pct": 0.1, "range_pct": 0.1})
