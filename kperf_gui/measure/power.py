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


def loss_reasons(c: Channel, start: float, end: float) -> list[str]:
    """Why a channel's readings cannot be trusted over a window: flags, too few readings (under
    90 % of window x rate) or a gap longer than two update periods."""
    reasons: list[str] = []
    sel = (c.t >= start) & (c.t <= end)
    # a flag on power, voltage or current makes the power figure doubtful; power factor with no
    # data (zero current) and the meter's own energy counter do not
    flags = {flag for joined, inside in zip(c.flags, sel) if inside and joined
             for flag in joined.split(",") if flag.split(":")[0] in POWER_QUANTITIES}
    over = sorted({f for f in flags if "over_range" in f})
    nodata = sorted({f for f in flags if "no_data" in f or "scaling_error" in f})
    if over:
        reasons.append(f"{c.name} read over range ({', '.join(over)})")
    if nodata:
        reasons.append(f"{c.name} gave no data ({', '.join(nodata)})")
    good = sel & np.isfinite(c.w)
    expected = (end - start) * c.rate_hz
    got = int(good.sum())
    if expected >= 1 and got < 0.9 * expected:
        reasons.append(f"{c.name} lost readings ({got} of {expected:.0f} expected)")
    period = 1.0 / c.rate_hz
    times = c.t[np.isfinite(c.w)]
    edges = np.concatenate(([start], times[(times > start) & (times < end)], [end]))
    if len(edges) >= 2:
        gap = float(np.diff(edges).max())
        if gap > 2 * period + 1e-9:
            reasons.append(f"{c.name} had a gap of {gap:.2f} s without readings "
                           f"(more than two update periods)")
    return reasons


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
