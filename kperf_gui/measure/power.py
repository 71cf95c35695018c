"""Wall power on the one clock, energy over a window, the reading-loss checks, and output tokens
per meter update interval.

The same functions serve the exports (whole sessions) and the live view (one interval at a time,
:mod:`kperf_gui.run.live`): the time base, the interpolation, the sum and the token weighting are
computed here only, so a live interval equals the interval the workbook holds.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

POWER_QUANTITIES = ("watts", "volts", "amps")
"""A status other than OK on these makes a power figure doubtful; power factor with no data (no
current) and the meter's own energy counter do not."""


@dataclass(frozen=True)
class PowerSeries:
    """One power channel's readings (one element of one instrument): ``t`` seconds (centre of
    each update interval), ``w`` watts (NaN where the update was missed or not a number),
    ``status`` per reading: the quantities that are not OK, with their status."""

    name: str
    t: np.ndarray
    w: np.ndarray
    status: tuple[Mapping[str, str], ...]
    rate_hz: float


def base_index(series: Sequence[PowerSeries]) -> int | None:
    """Which series gives the wall sum's time base: the fastest, the first among equals (None
    when no series has a reading)."""
    best: int | None = None
    for i, s in enumerate(series):
        if len(s.t) and (best is None or s.rate_hz > series[best].rate_hz):
            best = i
    return best


def wall_parts(series: Sequence[PowerSeries]) -> tuple[np.ndarray, list[tuple[str, np.ndarray]]]:
    """Each wall series' watts on one time base, the timestamps of the fastest series: the base
    as read (NaN where missed), every other one linearly interpolated there (NaN readings left
    out; outside a series' span its edge value is held; NaN where it has no number at all).
    Returns ``(t, [(name, watts), ...])`` in the order given; series without readings are left
    out."""
    b = base_index(series)
    if b is None:
        return np.empty(0), []
    base = series[b]
    t = base.t.astype(float)
    parts = []
    for s in series:
        if not len(s.t):
            continue
        ok = np.isfinite(s.w)
        if s is base:
            part = np.where(ok, s.w, np.nan)
        elif ok.any():
            part = np.interp(t, s.t[ok], s.w[ok])
        else:
            part = np.full(len(t), np.nan)
        parts.append((s.name, part))
    return t, parts


def sum_parts(t: np.ndarray, parts: Sequence[tuple[str, np.ndarray]]) -> np.ndarray:
    """The wall channels' watts on one time base, summed in their order."""
    total = np.zeros_like(t)
    for _, part in parts:
        total = total + part
    return total


def wall_sum(series: Sequence[PowerSeries]) -> tuple[np.ndarray, np.ndarray]:
    """The summed wall power on the time base of :func:`wall_parts`: ``(t, watts)``."""
    t, parts = wall_parts(series)
    return t, sum_parts(t, parts)


def energy_j(t: np.ndarray, w: np.ndarray, start: float, end: float) -> float:
    """Trapezoid integral of ``w`` over ``[start, end]`` seconds, power interpolated at both
    edges. NaN readings are left out. NaN when there is no reading or the window is empty."""
    ok = np.isfinite(w)
    t, w = t[ok], w[ok]
    if len(t) == 0 or not end > start:
        return float("nan")
    inside = (t > start) & (t < end)
    ts = np.concatenate(([start], t[inside], [end]))
    ws = np.concatenate(([np.interp(start, t, w)], w[inside], [np.interp(end, t, w)]))
    return float(np.trapezoid(ws, ts))


def window_max(t: np.ndarray, w: np.ndarray, start: float, end: float) -> float:
    """The highest reading stamped inside the window (NaN if none)."""
    sel = (t >= start) & (t <= end) & np.isfinite(w)
    return float(w[sel].max()) if sel.any() else float("nan")


_STATE_WORDS = {"over_range": "read over range", "no_data": "gave no data",
                "scaling_error": "gave a scaling error"}


def expected_updates(start: float, end: float, rate_hz: float) -> int:
    """How many readings a meter that loses none must give for the window ``[start, end]``
    (seconds): the number of whole update periods the window holds, ``floor(window x rate)``.

    A reading is stamped at the centre of its update interval, and the centres are one period
    apart at a phase the meter's own clock sets. Whatever that phase, a window of ``n`` whole
    periods and a fraction holds the centres of ``n`` or ``n + 1`` updates, never fewer than
    ``n``; so ``n`` is the count a whole meter always reaches, and a count below 90 % of it is a
    loss. (The product ``window x rate`` itself is no count: 2 readings in a window of 2.3
    periods lose nothing.) Where rounding puts a window of exactly ``n`` periods a hair below
    ``n``, ``n - 1`` is expected: the rule errs toward a whole meter, never against it."""
    if not (end > start and rate_hz > 0):
        return 0
    return int(math.floor((end - start) * rate_hz))


def loss_reasons(c: PowerSeries, start: float, end: float) -> list[str]:
    """Why a channel's readings cannot be trusted over a window: a reading whose status says over
    range, no data or scaling error (each named as the meter's status says, never one for the
    other), too few readings (under 90 % of :func:`expected_updates`, the whole update periods
    the window holds at the rate the meter was set to; an update the meter answered with such a
    status counts as answered, not as lost) or a gap longer than two update periods."""
    reasons: list[str] = []
    sel = (c.t >= start) & (c.t <= end)
    # a status on power, voltage or current makes the power figure doubtful; power factor with no
    # data (zero current) and the meter's own energy counter do not
    states: dict[str, set[str]] = {}
    answered = np.zeros(len(c.t), dtype=bool)
    counts: dict[str, int] = {}
    for i in np.flatnonzero(sel):
        seen_here = {state for quantity, state in c.status[i].items()
                     if quantity in POWER_QUANTITIES and state in _STATE_WORDS}
        for quantity, state in c.status[i].items():
            if quantity in POWER_QUANTITIES and state in _STATE_WORDS:
                states.setdefault(state, set()).add(quantity)
        for state in seen_here:
            counts[state] = counts.get(state, 0) + 1
        answered[i] = bool(seen_here)
    n_sel = int(sel.sum())
    for state, words in _STATE_WORDS.items():
        if state in states:
            reasons.append(f"{c.name} {words} in {counts[state]} of {n_sel} readings "
                           f"({', '.join(sorted(states[state]))})")
    good = sel & (np.isfinite(c.w) | answered)
    expected = expected_updates(start, end, c.rate_hz)
    got = int(good.sum())
    if expected >= 1 and got < 0.9 * expected:
        reasons.append(f"{c.name} lost readings ({got} of {expected} expected)")
    period = 1.0 / c.rate_hz
    times = c.t[np.isfinite(c.w) | answered]
    edges = np.concatenate(([start], times[(times > start) & (times < end)], [end]))
    if len(edges) >= 2:
        gap = float(np.diff(edges).max())
        if gap > 2 * period + 1e-9:
            reasons.append(f"{c.name} had a gap of {gap:.2f} s without readings "
                           f"(more than two update periods)")
    return reasons


def near_mask(t: np.ndarray, rate_hz: float, start: float, end: float) -> np.ndarray:
    """Which readings (stamped ``t``, of a meter at ``rate_hz``) may serve a window: those
    inside it and those at most one update period outside it. Edge interpolation reaches that
    far and no farther."""
    reach = 1.0 / rate_hz + 1e-9
    return (t >= start - reach) & (t <= end + reach)


def near_window(c: PowerSeries, start: float, end: float) -> PowerSeries:
    """The channel's readings that may serve a window (:func:`near_mask`)."""
    sel = near_mask(c.t, c.rate_hz, start, end)
    return PowerSeries(c.name, c.t[sel], c.w[sel],
                       tuple(s for s, keep in zip(c.status, sel) if keep), c.rate_hz)


def edge_reasons(c: PowerSeries, start: float, end: float) -> list[str]:
    """Why a channel cannot give power over a window: no reading with a power value within one
    update period of its start or of its end, or (a window shorter than an update) none whose
    update interval, ``[t - period/2, t + period/2]``, reaches into it. Where this says anything,
    the window's power figures are left empty, never carried from a reading farther away."""
    period = 1.0 / c.rate_hz
    t = c.t[np.isfinite(c.w)]
    edges = {"start": start, "end": end}
    missing = [name for name, edge in edges.items()
               if not bool((np.abs(t - edge) <= period + 1e-9).any())]
    if missing:
        if len(t):
            nearest = []
            for name in missing:
                d = t - edges[name]
                k = int(np.argmin(np.abs(d)))
                side = "before" if d[k] < 0 else "after"
                nearest.append(f"the nearest to its {name} is {abs(d[k]):.2f} s {side} it")
            detail = f" ({'; '.join(nearest)})"
        else:
            detail = " (it gave no power reading at all)"
        return [f"{c.name} has no power reading within one update period ({period:.2f} s) of the "
                f"window's {' and '.join(missing)}{detail}, so the power columns are left empty"]
    half = period / 2
    if not bool(((t + half > start) & (t - half < end)).any()):
        before = t[t + half <= start]
        detail = (f" (the last one ends {start - (before.max() + half):.2f} s before its start)"
                  if len(before) else "")
        return [f"{c.name} has no power reading whose update interval reaches into the window"
                f"{detail}, so the power columns are left empty"]
    return []


def interval_period(series: Sequence[PowerSeries]) -> float:
    """The length of the live intervals: one update period of the fastest wall series."""
    return 1.0 / max((s.rate_hz for s in series), default=10.0)


def chunk_weight(output_tokens: int | None, chunks: int | None) -> float:
    """Output tokens each text chunk of a request counts for: its output tokens spread evenly
    over its chunks (a server may send several tokens per chunk); 1 where either is unknown."""
    return output_tokens / chunks if output_tokens and chunks else 1.0


def tokens_per_interval(wall_t: np.ndarray, period: float, chunk_t: np.ndarray,
                        chunk_tokens: np.ndarray) -> np.ndarray:
    """Output tokens/s arriving in each meter update interval ``[t - period/2, t + period/2)``,
    the interval each wall reading describes: the chunks' weights summed exactly
    (``math.fsum``, so the figure does not depend on which other chunks are known)."""
    if len(wall_t) == 0:
        return np.empty(0)
    lo = wall_t - period / 2
    hi = wall_t + period / 2
    order = np.argsort(chunk_t, kind="stable")
    ct = chunk_t[order]
    weights = chunk_tokens[order]  # summed slice by slice: no Python float kept per chunk
    a = np.searchsorted(ct, lo, side="left").tolist()
    b = np.searchsorted(ct, hi, side="left").tolist()
    return np.array([math.fsum(weights[i:j]) for i, j in zip(a, b)], dtype=float) / period
