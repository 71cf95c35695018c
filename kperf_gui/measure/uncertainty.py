"""The uncertainty of each power reading and of a window's mean power and energy, from the wall
meters' accuracy specifications.

What is computed, in terms an auditor can follow:

1. **One reading.** A maker states the accuracy of a power reading as a limit of error:
   plus or minus (a % of the reading + b % of the range), for the band of input frequency the
   signal is in, where the power range is the voltage range times the current range the reading
   was taken on (:mod:`drivers.meters.accuracy`). The limit of one reading is therefore::

       u_i = a/100 * |P_i| + k * b/100 * U_range * I_range  [+ c/100 * sqrt(S_i^2 - P_i^2)]

   with ``k`` = 2 at crest factor 6 where the maker doubles the range error (Yokogawa), and the
   bracketed power-factor term where the maker states one (S_i = U_i x I_i, the apparent power).
   Where the maker states, at or above half the range, a % of reading alone (Hioki), that is
   used there. A reading taken at auto range on a meter that does not report the range it used,
   or on a meter whose table is not known, has no limit: the window then gets no figure, and the
   reason says which channel and why.

2. **Over a window, one channel.** The mean power of a window is ``E / T`` with ``E`` the
   trapezoid integral of the readings (power interpolated at both window edges), which is a
   weighted mean of the readings with positive weights. The errors a maker's limit covers
   (gain, offset of the range) are systematic: they do not average out over readings taken on
   the same range of the same instrument. The limit of a weighted mean of readings each within
   +-u_i is therefore the same weighted mean of the u_i (the triangle inequality: no cancellation
   is assumed), i.e. the limit of the energy is the trapezoid integral of u_i over the window,
   computed exactly as the energy is. This is a worst case, not a statistical estimate.

3. **Summed channels.** The wall power is the sum of channels (meters and elements). Their
   limits are added linearly (again no cancellation assumed: elements of one instrument share its
   references, and nothing is known of the correlation between instruments). The relative
   uncertainty of the mean power is ``sum(U_c) / |sum(E_c)|``.

4. **Energy.** The energy is the mean power times the window's duration on the session clock. A
   rate error of that clock changes the energy but not the mean power (the energy and the
   duration are both measured with it); ``time_base_ppm`` adds it to the energy's figure.

Because every step is linear and worst-case, a figure from here is a limit a lab can reproduce
by hand from the maker's table and the journaled readings and ranges; a window whose limit is
above a plan's threshold (MLPerf power: 1 %) can only be refused wrongly on the safe side.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from drivers.meters.accuracy import AccuracySpec

from .power import energy_j


@dataclass(frozen=True)
class ReadingUncertainty:
    """The limit of error of each reading of one channel, in watts (NaN where unknown), and why
    some are unknown (``""`` when none is)."""

    u_w: np.ndarray
    reason: str = ""


def reading_uncertainty(
    spec: AccuracySpec | None,
    watts: np.ndarray,
    voltage_range_v: np.ndarray,
    current_range_a: np.ndarray,
    frequency_hz: np.ndarray | float,
    crest_factor: np.ndarray | float | None = None,
    volts: np.ndarray | None = None,
    amps: np.ndarray | None = None,
    no_spec_reason: str = "no accuracy table",
) -> ReadingUncertainty:
    """The limit of error, in watts, of each power reading (step 1 of the module's docstring).

    Arrays are per reading: ``watts``, the ranges it was taken on (NaN where not known), the
    input frequency (0 for DC, NaN where not known; one number for all), the crest factor (NaN
    or ``None``: 3), ``volts`` and ``amps`` (for a power-factor term; ``None`` where not read).
    A reading gets NaN where its ranges, frequency, band or values are not known; ``reason``
    then says why.
    """
    watts = np.asarray(watts, dtype=float)
    n = len(watts)
    if spec is None:
        return ReadingUncertainty(np.full(n, np.nan), no_spec_reason)
    v_range = np.asarray(voltage_range_v, dtype=float)
    i_range = np.asarray(current_range_a, dtype=float)
    freq = np.broadcast_to(np.asarray(frequency_hz, dtype=float), (n,))
    cf = (np.full(n, 3.0) if crest_factor is None
          else np.broadcast_to(np.asarray(crest_factor, dtype=float), (n,)))
    u = np.full(n, np.nan)
    reasons: list[str] = []
    missing_range = ~(np.isfinite(v_range) & np.isfinite(i_range))
    if missing_range.any():
        reasons.append(f"{int(missing_range.sum())} reading(s) taken at a range the meter did "
                       f"not report (auto range)")
    out_of_band = 0
    needs_s = 0
    no_frequency = 0
    for index in np.flatnonzero(~missing_range & np.isfinite(watts)):
        if not np.isfinite(freq[index]):
            no_frequency += 1
            continue
        band = spec.band(float(freq[index]))
        if band is None:
            out_of_band += 1
            continue
        power = abs(float(watts[index]))
        power_range = float(v_range[index] * i_range[index])
        factor = spec.cf6_range_factor if np.isfinite(cf[index]) and cf[index] >= 6 else 1.0
        if band.at_half_range_pct is not None and power >= 0.5 * power_range:
            limit = band.at_half_range_pct / 100.0 * power
        else:
            limit = band.reading_pct / 100.0 * power + factor * band.range_pct / 100.0 * power_range
        if band.pf_pct_of_s:
            if volts is None or amps is None or not (
                    np.isfinite(volts[index]) and np.isfinite(amps[index])):
                needs_s += 1
                continue
            apparent = abs(float(volts[index]) * float(amps[index]))
            limit += band.pf_pct_of_s / 100.0 * math.sqrt(max(apparent ** 2 - power ** 2, 0.0))
        u[index] = limit
    if no_frequency:
        reasons.append(f"{no_frequency} reading(s) without an input frequency to choose the "
                       f"band of the accuracy table by")
    if out_of_band:
        reasons.append(f"{out_of_band} reading(s) at a frequency the accuracy table does not "
                       f"cover")
    if needs_s:
        reasons.append(f"{needs_s} reading(s) without the volts and amps the power-factor term "
                       f"of the accuracy table needs")
    return ReadingUncertainty(u, "; ".join(reasons))


@dataclass(frozen=True)
class ChannelUncertainty:
    """One wall channel over a session: reading times ``t`` (seconds on the session clock),
    ``w`` watts (NaN where missed), ``u_w`` the limit of each reading (NaN where unknown) and
    the reason some limits are unknown."""

    name: str
    t: np.ndarray
    w: np.ndarray
    u_w: np.ndarray
    reason: str = ""


@dataclass(frozen=True)
class WindowUncertainty:
    """The relative limits of a window's mean power and energy, in percent, or ``None`` with the
    reason; and the absolute limits behind them (W, J)."""

    power_w_pct: float | None
    energy_j_pct: float | None
    reason: str = ""
    power_w_abs: float | None = None
    energy_j_abs: float | None = None


def _used_readings(t: np.ndarray, start: float, end: float) -> np.ndarray:
    """Indices (into ``t``, already restricted to finite readings) of the readings
    :func:`energy_j` uses for ``[start, end]``: those inside, and those it interpolates the
    edges from."""
    inside = np.flatnonzero((t > start) & (t < end))
    used = set(inside.tolist())
    for edge in (start, end):
        right = int(np.searchsorted(t, edge, side="left"))
        for index in (right - 1, right):
            if 0 <= index < len(t):
                used.add(index)
    return np.array(sorted(used), dtype=int)


def window_uncertainty(channels: Sequence[ChannelUncertainty], start: float, end: float,
                       time_base_ppm: float = 0.0) -> WindowUncertainty:
    """The limits of a window's mean power and energy over the summed ``channels`` (steps 2 to
    4 of the module's docstring); ``None`` figures with the reason where a channel's limits are
    not all known or there is no energy to relate them to."""
    if not channels:
        return WindowUncertainty(None, None, "no wall channel")
    if not end > start:
        return WindowUncertainty(None, None, "the window is empty")
    total_energy = 0.0
    total_limit = 0.0
    reasons: list[str] = []
    for channel in channels:
        ok = np.isfinite(channel.w)
        t, w, u = channel.t[ok], channel.w[ok], channel.u_w[ok]
        if len(t) == 0:
            reasons.append(f"{channel.name} has no readings")
            continue
        used = _used_readings(t, start, end)
        unknown = int((~np.isfinite(u[used])).sum())
        if unknown:
            why = channel.reason or "no limit for them"
            reasons.append(f"{channel.name}: {unknown} reading(s) of the window have no "
                           f"accuracy figure ({why})")
            continue
        total_energy += energy_j(t, w, start, end)
        total_limit += energy_j(t, u, start, end)
    if reasons:
        return WindowUncertainty(None, None, "; ".join(reasons))
    if not (math.isfinite(total_energy) and total_energy != 0.0):
        return WindowUncertainty(None, None, "the window's energy is zero or unknown")
    power_pct = 100.0 * total_limit / abs(total_energy)
    duration = end - start
    return WindowUncertainty(
        power_w_pct=power_pct,
        energy_j_pct=power_pct + time_base_ppm * 1e-4,
        power_w_abs=total_limit / duration,
        energy_j_abs=total_limit + abs(total_energy) * time_base_ppm * 1e-6,
    )
