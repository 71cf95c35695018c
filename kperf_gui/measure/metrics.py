"""The Summary metrics of one sweep point, exactly as CONTRACT.md defines them."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .power import (PowerSeries, edge_reasons, energy_j, loss_reasons, near_window, wall_sum,
                    window_max)

NS = 1e9

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Measured requests", "A point's non-warm-up requests. Statistics use the successful ones; "
     "percentiles are numpy's linear percentiles."),
    ("Window (duration_s)", "From the first measured request sent to the last measured request "
     "finished, in seconds."),
    ("TTFT (ttft_ms_*)", "From sending the request to the first chunk that carries generated text "
     "(text, delta.content, or a reasoning field). A chunk with only a role or an empty string "
     "does not count."),
    ("E2E (e2e_ms_*)", "From sending to the last chunk that carries text (on-device: from "
     "submitting the inference to its completion)."),
    ("TPOT (tpot_ms_*)", "Per request: (E2E - TTFT) / (output tokens - 1); requests with one "
     "output token are left out."),
    ("ITL (itl_ms_*)", "Every gap between successive text-carrying chunks, pooled over the "
     "point's requests."),
    ("Output tokens", "Per request: the server's usage.completion_tokens where reported, else the "
     "tokenizer's count, else the number of text chunks; the Requests sheet says which."),
    ("output_tokens_per_s", "Output tokens of successful measured requests / duration_s."),
    ("output_tokens_per_s_per_user", "Mean over requests of (output tokens - 1) / (E2E - TTFT)."),
    ("prefill_tokens_per_s", "Sum of actual input tokens / sum of TTFTs (seconds), successful "
     "measured requests. Per user and including queueing; the concurrency-1 row is the chip's."),
    ("requests_per_s", "Successful measured requests / duration_s."),
    ("Wall power", "Every wall channel (meters and elements) placed on the one clock and summed."),
    ("energy_j", "Wall power integrated over the window by the trapezoid rule, with power "
     "interpolated at both window edges from readings at most one update period outside the "
     "window. Where a wall channel has no power reading within one update period of an edge, "
     "energy_j, power_w_mean, power_w_max and the ratios built on them are left empty and "
     "invalid_reason says why."),
    ("power_w_mean", "energy_j / duration_s."),
    ("power_w_max", "The highest wall reading in the window."),
    ("power_w_idle", "The mean of the idle baseline measured before the sweep."),
    ("joules_per_output_token", "energy_j / output tokens (on-device: joules per inference)."),
    ("output_tokens_per_s_per_w", "output_tokens_per_s / power_w_mean."),
    ("Live tokens/s", "Output tokens arriving in each meter update interval, paired with that "
     "interval's power."),
    ("valid", "False, with invalid_reason naming each cause, when a request failed, a meter read "
     "over range or no data in the window, readings were lost (fewer than 90 % of the expected "
     "number, or any gap longer than two update periods), or the uncertainty exceeds "
     "meters[].max_uncertainty_pct. The expected number is floor(window x the update rate the "
     "meter was actually set to): the whole update periods the window holds, which a meter that "
     "loses nothing always gives, whatever the phase of its updates. A point is invalid too "
     "when the load client was saturated (a load process with an event-loop lag p99 above "
     "sweep.max_client_lag_ms) or a load process died during it."),
    ("power_w_uncertainty_pct, energy_j_uncertainty_pct", "The relative uncertainty of "
     "power_w_mean and energy_j, in %: each wall meter's accuracy specification (% of reading + "
     "% of range, for the range each reading was taken on and the band of its input frequency), "
     "worked out per reading, integrated over the window as energy_j is and added over the wall "
     "channels; a worst-case limit. Empty where a meter's accuracy table, a reading's range or "
     "the input frequency is not known; the Session sheet says which."),
    ("unit", "token for language-model endpoints; inference for on-device targets, where the "
     "throughput columns read inferences per second and joules_per_output_token reads joules "
     "per inference."),
)


@dataclass
class RequestTimes:
    """A point's requests as arrays (one entry per request)."""

    sent_ns: np.ndarray
    first_ns: np.ndarray  # NaN where no text arrived
    last_ns: np.ndarray
    done_ns: np.ndarray
    ok: np.ndarray  # bool
    warmup: np.ndarray  # bool
    input_tokens: np.ndarray  # actual, NaN if unknown
    output_tokens: np.ndarray  # NaN if unknown
    chunk_ns: list[np.ndarray] = field(default_factory=list)  # per request
    errors: list[str] = field(default_factory=list)


def _pct(x: np.ndarray, q: float) -> float:
    return float(np.percentile(x, q)) if len(x) else float("nan")


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else float("nan")


def _div(a: float, b: float) -> float:
    return a / b if b and np.isfinite(a) and np.isfinite(b) else float("nan")


def per_second(count: float, seconds: float) -> float:
    """A count over the seconds it took, NaN where no time passed or either is unknown: every
    rate of a point (``output_tokens_per_s``, ``requests_per_s``) and the live plot's running
    rate of the point in progress (output tokens arrived in its window so far over the seconds
    of it so far)."""
    return _div(count, seconds)


def request_summary(r: RequestTimes, unit: str = "token") -> dict[str, float | int]:
    """Latency and throughput columns of one point."""
    measured = ~r.warmup
    good = measured & r.ok
    out: dict[str, float | int] = {
        "requests_ok": int(good.sum()),
        "requests_failed": int((measured & ~r.ok).sum()),
    }
    if measured.any():
        start = float(r.sent_ns[measured].min())
        end = float(np.nanmax(r.done_ns[measured]))
        duration = (end - start) / NS
    else:
        start = end = float("nan")
        duration = float("nan")
    out["window_start_ns"] = start
    out["window_end_ns"] = end
    out["duration_s"] = duration
    sent = r.sent_ns[good].astype(float)
    if unit == "inference":
        e2e = (r.done_ns[good].astype(float) - sent) / 1e6
        n_out = float(good.sum())
        out.update({k: float("nan") for k in (
            "ttft_ms_mean", "ttft_ms_p50", "ttft_ms_p90", "ttft_ms_p99", "tpot_ms_mean",
            "tpot_ms_p50", "tpot_ms_p99", "itl_ms_p50", "itl_ms_p99", "prefill_tokens_per_s")})
        out["e2e_ms_mean"] = _mean(e2e)
        out["e2e_ms_p99"] = _pct(e2e, 99)
        out["output_tokens_per_s"] = per_second(n_out, duration)
        out["output_tokens_per_s_per_user"] = _mean(1000.0 / e2e[e2e > 0])
        out["requests_per_s"] = per_second(float(good.sum()), duration)
        out["output_tokens_total"] = n_out
        return out
    ttft = (r.first_ns[good] - sent) / 1e6
    e2e = (r.last_ns[good] - sent) / 1e6
    n_tok = r.output_tokens[good].astype(float)
    multi = n_tok > 1
    tpot = (e2e[multi] - ttft[multi]) / (n_tok[multi] - 1)
    itl = [np.diff(c) / 1e6 for c, g in zip(r.chunk_ns, good) if g and len(c) > 1]
    itl_all = np.concatenate(itl) if itl else np.empty(0)
    decode_s = (e2e - ttft) / 1e3
    per_user_sel = multi & (decode_s > 0)
    total_out = float(np.nansum(n_tok))
    ins = r.input_tokens[good].astype(float)
    out.update({
        "ttft_ms_mean": _mean(ttft),
        "ttft_ms_p50": _pct(ttft, 50),
        "ttft_ms_p90": _pct(ttft, 90),
        "ttft_ms_p99": _pct(ttft, 99),
        "tpot_ms_mean": _mean(tpot),
        "tpot_ms_p50": _pct(tpot, 50),
        "tpot_ms_p99": _pct(tpot, 99),
        "itl_ms_p50": _pct(itl_all, 50),
        "itl_ms_p99": _pct(itl_all, 99),
        "e2e_ms_mean": _mean(e2e),
        "e2e_ms_p99": _pct(e2e, 99),
        "prefill_tokens_per_s": _div(float(np.nansum(ins)), float(np.sum(ttft)) / 1e3)
        if len(ttft) and np.isfinite(ins).all() else float("nan"),
        "output_tokens_per_s": per_second(total_out, duration),
        "output_tokens_per_s_per_user": _mean((n_tok[per_user_sel] - 1) / decode_s[per_user_sel]),
        "requests_per_s": per_second(float(good.sum()), duration),
        "output_tokens_total": total_out,
    })
    return out


def power_summary(wall: list[PowerSeries], start_s: float, end_s: float, idle_w: float,
                  duration_s: float, output_total: float, output_per_s: float) -> dict[str, float]:
    """Power and energy columns of one point over its window (seconds on the session clock).
    Only readings inside the window or at most one update period outside it are used; where a
    wall channel has no power reading that close to either edge, the power and energy columns are
    empty (:func:`validity` says why) rather than carried from an older reading."""
    covered = np.isfinite(start_s) and np.isfinite(end_s) and not any(
        edge_reasons(c, start_s, end_s) for c in wall)
    if covered:
        t, w = wall_sum([near_window(c, start_s, end_s) for c in wall])
    else:
        t, w = np.empty(0), np.empty(0)
    e = energy_j(t, w, start_s, end_s) if len(t) else float("nan")
    mean = _div(e, duration_s)
    return {
        "power_w_mean": mean,
        "power_w_max": window_max(t, w, start_s, end_s) if len(t) else float("nan"),
        "power_w_idle": idle_w,
        "energy_j": e,
        "joules_per_output_token": _div(e, output_total),
        "output_tokens_per_s_per_w": _div(output_per_s, mean),
    }


def program_summary(fig: dict, start_ns: float | None, end_ns: float | None,
                    concurrency: int) -> dict[str, float | int]:
    """The columns of a point measured by a vendor program, from the figures it printed:
    inferences (or throughput x window) over the window the program reports measuring."""
    nan = float("nan")
    start = float(start_ns) if start_ns is not None else nan
    end = float(end_ns) if end_ns is not None else nan
    duration = (end - start) / NS
    thr = fig.get("throughput_per_s")
    n = fig.get("inferences")
    if n is None and thr is not None and np.isfinite(duration):
        n = thr * duration
    per_s = (per_second(float(n), duration) if n is not None
             else float(thr) if thr is not None else nan)
    ok = bool(fig.get("ok"))
    out: dict[str, float | int] = {k: nan for k in (
        "ttft_ms_mean", "ttft_ms_p50", "ttft_ms_p90", "ttft_ms_p99", "tpot_ms_mean",
        "tpot_ms_p50", "tpot_ms_p99", "itl_ms_p50", "itl_ms_p99", "prefill_tokens_per_s")}
    lat, p99 = fig.get("latency_ms_mean"), fig.get("latency_ms_p99")
    out.update({
        "requests_ok": int(round(n)) if ok and n is not None else 0,
        "requests_failed": 0 if ok else 1,
        "window_start_ns": start, "window_end_ns": end, "duration_s": duration,
        "e2e_ms_mean": float(lat) if lat is not None else nan,
        "e2e_ms_p99": float(p99) if p99 is not None else nan,
        "output_tokens_per_s": per_s,
        "output_tokens_per_s_per_user": per_s / concurrency if concurrency else nan,
        "requests_per_s": per_s,
        "output_tokens_total": float(n) if n is not None else nan,
    })
    return out


def validity(r: RequestTimes, wall: list[PowerSeries], start_s: float, end_s: float,
             extra: list[str] | None = None, program: bool = False,
             uncertainty: list[str] | None = None) -> tuple[bool, str]:
    """Whether a point is valid, and every reason why not (joined by "; "). ``program``: the
    point was measured by a vendor program, with no requests of ours. ``uncertainty``: why its
    power or energy uncertainty is too large (last among the reasons)."""
    reasons: list[str] = list(extra or [])
    measured = ~r.warmup
    failed = measured & ~r.ok
    if not measured.any() and not program:
        reasons.append("no measured requests")
    if failed.any():
        errs = sorted({e for e, f in zip(r.errors, failed) if f and e})
        shown = "; ".join(errs[:3]) + (" ..." if len(errs) > 3 else "")
        reasons.append(f"{int(failed.sum())} request(s) failed" + (f" ({shown})" if shown else ""))
    if np.isfinite(start_s) and np.isfinite(end_s):
        for c in wall:
            reasons.extend(loss_reasons(c, start_s, end_s))
            reasons.extend(edge_reasons(c, start_s, end_s))
    reasons.extend(uncertainty or [])
    return (not reasons, "; ".join(reasons))
