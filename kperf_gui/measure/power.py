"""Wall power on the one clock, energy over a window, and the reading-loss checks."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


POWER_QUANTITIES = ("watts", "volts", "amps")


@dataclass(frozen=True)
class Channel:
    """One power channel's readings: ``t`` seconds (centre of each update interval), ``w`` watts
    (NaN where the update was missed or not a number), ``flags`` per reading ("" when all OK)."""

    name: str
    t: np.ndarray
    w: np.ndarray
    flags: tuple[str, ...]
    rate_hz: float


def wall_sum(channels: list[Channel]) -> tuple[np.ndarray, np.ndarray]:
    """Sum the wall channels on one time base: the timestamps of the fastest channel; every
    other channel is linearly interpolated there (NaN readings are left out of the
    interpolation; outside a channel's span its edge value is held). Returns ``(t, watts)``."""
    usable = [c for c in channels if len(c.t)]
    if not usable:
        return np.empty(0), np.empty(0)
    base = max(usable, key=lambda c: (c.rate_hz, len(c.t)))
    t = base.t.astype(float)
    total = np.zeros_like(t)
    for c in usable:
        ok = np.isfinite(c.w)
        if c is base:
            total = total + np.where(ok, c.w, np.nan)
        elif ok.any():
            total = total + np.interp(t, c.t[ok], c.w[ok])
        else:
            total = total + np.nan
    return t, total


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


def loss_reasons(c: Channel, start: float, end: float) -> list[str]:
    """Why a channel's readings cannot be trusted over a window: a reading whose status says over
    range, no data or scaling error (each named as the meter's status says, never one for the
    other), too few readings (under 90 % of window x rate; an update the meter answered with such
    a status counts as answered, not as lost) or a gap longer than two update periods."""
    reasons: list[str] = []
    sel = (c.t >= start) & (c.t <= end)
    # a flag on power, voltage or current makes the power figure doubtful; power factor with no
    # data (zero current) and the meter's own energy counter do not
    states: dict[str, set[str]] = {}
    answered = np.zeros(len(c.t), dtype=bool)
    counts: dict[str, int] = {}
    for i in np.flatnonzero(sel):
        if not c.flags[i]:
            continue
        seen_here: set[str] = set()
        for flag in c.flags[i].split(","):
            quantity, _, state = flag.strip().partition(":")
            if quantity in POWER_QUANTITIES and state in _STATE_WORDS:
                states.setdefault(state, set()).add(quantity)
                seen_here.add(state)
        for state in seen_here:
            counts[state] = counts.get(state, 0) + 1
        answered[i] = bool(seen_here)
    n_sel = int(sel.sum())
    for state, words in _STATE_WORDS.items():
        if state in states:
            reasons.append(f"{c.name} {words} in {counts[state]} of {n_sel} readings "
                           f"({', '.join(sorted(states[state]))})")
    good = sel & (np.isfinite(c.w) | answered)
    expected = (end - start) * c.rate_hz
    got = int(good.sum())
    if expected >= 1 and got < 0.9 * expected:
        reasons.append(f"{c.name} lost readings ({got} of {expected:.0f} expected)")
    period = 1.0 / c.rate_hz
    times = c.t[np.isfinite(c.w) | answered]
    edges = np.concatenate(([start], times[(times > start) & (times < end)], [end]))
    if len(edges) >= 2:
        gap = float(np.diff(edges).max())
        if gap > 2 * period + 1e-9:
            reasons.append(f"{c.name} had a gap of {gap:.2f} s without readings "
                           f"(more than two update periods)")
    return reasons


def near_window(c: Channel, start: float, end: float) -> Channel:
    """The channel's readings that may serve a window: those inside it and those at most one
    update period outside it. Edge interpolation reaches that far and no farther."""
    reach = 1.0 / c.rate_hz + 1e-9
    sel = (c.t >= start - reach) & (c.t <= end + reach)
    return Channel(c.name, c.t[sel], c.w[sel],
                   tuple(f for f, keep in zip(c.flags, sel) if keep), c.rate_hz)


def edge_reasons(c: Channel, start: float, end: float) -> list[str]:
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


def tokens_per_interval(wall_t: np.ndarray, period: float, chunk_t: np.ndarray,
                        chunk_tokens: np.ndarray) -> np.ndarray:
    """Output tokens/s arriving in each meter update interval ``[t - period/2, t + period/2)``,
    the interval each wall reading describes."""
    if len(wall_t) == 0:
        return np.empty(0)
    lo = wall_t - period / 2
    hi = wall_t + period / 2
    order = np.argsort(chunk_t)
    ct, ck = chunk_t[order], chunk_tokens[order]
    csum = np.concatenate(([0.0], np.cumsum(ck)))
    a = np.searchsorted(ct, lo, side="left")
    b = np.searchsorted(ct, hi, side="left")
    return (csum[b] - csum[a]) / period
