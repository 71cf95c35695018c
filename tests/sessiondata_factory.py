"""A realistic synthetic SessionData for export tests.

Six sweep points (two input lengths x three concurrencies, or for an on-device target two
precisions x three job counts), 200 requests including warm-ups, two wall-power elements and one
auxiliary channel at 10 Hz over 60 s, live tokens/s per meter update, and Summary figures computed
from those requests and readings the way the contract defines them.
"""
from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from kperf_gui.session.data import SUMMARY_COLUMNS, SessionData

CREATED = _dt.datetime(2026, 3, 14, 9, 30, 0, tzinfo=_dt.timezone.utc)
RATE_HZ = 10.0
IDLE_S = 10.0
WARMUP_S = 1.0
WINDOW_S = 7.0
GAP_S = 0.3
MEASURED = (27, 27, 26, 26, 26, 26)
IDLE_W = 182.0

POWER_COLUMNS = ["t_s", "channel", "role", "watts", "volts", "amps", "pf", "wh", "flags", "point"]
WALL_COLUMNS = ["t_s", "watts", "point"]
TOKENS_COLUMNS = ["t_s", "tokens_per_s", "watts", "point"]

DEFINITIONS = [
    ("Measured requests", "A point's non-warm-up requests; statistics use the successful ones."),
    ("Window", "From the first measured request sent to the last measured request finished."),
    ("TTFT", "From sending the request to the first chunk that carries generated text."),
    ("E2E", "From sending to the last chunk that carries text."),
    ("TPOT", "(E2E - TTFT) / (output tokens - 1) per request."),
    ("output_tokens_per_s", "Output tokens of successful measured requests / duration_s."),
    ("energy_j", "Wall power integrated over the window by the trapezoid rule."),
    ("valid", "False, with invalid_reason naming each cause, when requests failed or readings were lost."),
]


def make_session_data(
    *, unit: str = "token", interrupted: bool = False, with_power: bool = True, seed: int = 7
) -> SessionData:
    """A finished (or interrupted) session; ``unit="inference"`` makes an on-device session."""
    rng = np.random.default_rng(seed)
    inference = unit == "inference"
    points = _points(inference)
    windows = _windows(len(points))
    end_s = IDLE_S + len(points) * (WARMUP_S + WINDOW_S + GAP_S)
    if interrupted:
        end_s = float(windows.loc[4, "start_s"] + 0.45 * WINDOW_S)
        windows.loc[4, "end_s"] = end_s
        windows = windows.iloc[:5].copy()
        points = points[:5]

    requests = _requests(rng, points, windows, inference, end_s)
    power, wall = _power(rng, windows, end_s) if with_power else _empty_power()
    tokens = _tokens(requests, wall)
    summary = _summary(points, requests, windows, wall, inference, interrupted)
    name = "deepx-yolov8n" if inference else "rngd-llama31-8b"
    return SessionData(
        name=name,
        created=CREATED,
        summary=summary,
        requests=requests,
        power=power,
        wall=wall,
        tokens=tokens,
        windows=windows,
        info=_info(name, inference, with_power),
        definitions=list(DEFINITIONS),
        unit=unit,
        interrupted=interrupted,
        plan_toml=f'[session]\nname = "{name}"\n',
    )


def _points(inference: bool) -> list[dict]:
    if inference:
        return [
            {"precision": p, "input_tokens": None, "output_tokens": None, "concurrency": c}
            for p in ("int8", "fp16")
            for c in (1, 2, 4)
        ]
    return [
        {"precision": "bf16", "input_tokens": i, "output_tokens": 128, "concurrency": c}
        for i in (128, 1024)
        for c in (1, 4, 16)
    ]


def _windows(count: int) -> pd.DataFrame:
    starts = [IDLE_S + k * (WARMUP_S + WINDOW_S + GAP_S) + WARMUP_S for k in range(count)]
    return pd.DataFrame(
        {"point": range(1, count + 1), "start_s": starts, "end_s": [s + WINDOW_S for s in starts]}
    )


def _requests(rng, points, windows, inference: bool, end_s: float) -> pd.DataFrame:
    rows = []
    for index, spec in enumerate(points):
        number = index + 1
        start, end = windows.loc[index, ["start_s", "end_s"]]
        load = spec["concurrency"]
        for warmup, count in ((True, load), (False, MEASURED[index])):
            first, last = (start - WARMUP_S, start) if warmup else (start, end)
            for k in range(count):
                rows.append(_request(rng, spec, number, warmup, first, last, k, count, inference))
    frame = pd.DataFrame(rows)
    frame = frame[frame["sent_ms"] < end_s * 1000].reset_index(drop=True)
    frame.insert(0, "request", range(1, len(frame) + 1))
    if not inference:
        failed = frame.index[(frame["point"] == 4) & ~frame["warmup"]][3]
        frame.loc[failed, ["ok", "error", "first_text_ms", "last_text_ms", "ttft_ms", "e2e_ms"]] = [
            False, "HTTP 503: server overloaded", np.nan, np.nan, np.nan, np.nan
        ]
        frame.loc[failed, "output_tokens"] = 0
    return frame


def _request(rng, spec, number, warmup, first, last, k, count, inference) -> dict:
    load = spec["concurrency"]
    if inference:
        e2e = 4.2 * (1 + 0.35 * (load - 1)) * (1 + 0.05 * rng.standard_normal())
        duration = e2e / 1000
        sent = first + (last - first - duration) * k / max(count, 1)
        return {
            "point": number, "warmup": warmup, "sent_ms": sent * 1000, "first_text_ms": None,
            "last_text_ms": sent * 1000 + e2e, "ttft_ms": None, "e2e_ms": e2e,
            "input_tokens": None, "output_tokens": 1, "output_tokens_source": "inference",
            "ok": True, "error": "",
        }
    ttft = (18 + spec["input_tokens"] * 0.045) * (1 + 0.08 * load) * (1 + 0.1 * abs(rng.standard_normal()))
    tpot = 11.5 * (1 + 0.06 * load) * (1 + 0.03 * rng.standard_normal())
    out = spec["output_tokens"]
    e2e = ttft + (out - 1) * tpot
    span = max(last - first - e2e / 1000, 0.0)
    sent = first + span * (k % max(count // load, 1)) / max(count // load, 1) + 0.01 * (k % load)
    return {
        "point": number, "warmup": warmup, "sent_ms": sent * 1000,
        "first_text_ms": sent * 1000 + ttft, "last_text_ms": sent * 1000 + e2e,
        "ttft_ms": ttft, "e2e_ms": e2e, "input_tokens": spec["input_tokens"] + int(rng.integers(0, 3)),
        "output_tokens": out, "output_tokens_source": "usage", "ok": True, "error": "",
    }


def _power(rng, windows: pd.DataFrame, end_s: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = np.arange(0.5 / RATE_HZ, end_s, 1 / RATE_HZ)
    point = _point_of(t, windows)
    busy = np.where(point > 0, 1.0, 0.0)
    load = 260.0 * busy * (0.6 + 0.1 * (point % 3))
    total = IDLE_W + load + 2.0 * rng.standard_normal(len(t))
    channels = [("WT310E 91K000001 element 1", "wall", 0.6), ("WT310E 91K000001 element 2", "wall", 0.4)]
    frames = []
    for name, role, share in channels:
        watts = total * share
        volts = 229.8 + 0.3 * rng.standard_normal(len(t))
        pf = np.full(len(t), 0.97)
        frames.append(pd.DataFrame({
            "t_s": t, "channel": name, "role": role, "watts": watts, "volts": volts,
            "amps": watts / (volts * pf), "pf": pf, "wh": np.cumsum(watts) / RATE_HZ / 3600,
            "flags": "", "point": point,
        }))
    board = 35.0 + 0.7 * load
    frames.append(pd.DataFrame({
        "t_s": t, "channel": "nvml GPU0", "role": "auxiliary", "watts": board, "volts": np.nan,
        "amps": np.nan, "pf": np.nan, "wh": np.nan, "flags": "", "point": point,
    }))
    power = pd.concat(frames, ignore_index=True)[POWER_COLUMNS]
    power.loc[len(t) + 25, "flags"] = "over-range"
    wall = pd.DataFrame({"t_s": t, "watts": total, "point": point})
    return power, wall


def _empty_power() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(columns=POWER_COLUMNS), pd.DataFrame(columns=WALL_COLUMNS)


def _point_of(t: np.ndarray, windows: pd.DataFrame) -> np.ndarray:
    point = np.zeros(len(t), dtype=np.int64)
    for _, row in windows.iterrows():
        point[(t >= row["start_s"]) & (t <= row["end_s"])] = int(row["point"])
    return point


def _tokens(requests: pd.DataFrame, wall: pd.DataFrame) -> pd.DataFrame:
    if wall.empty:
        return pd.DataFrame(columns=TOKENS_COLUMNS)
    ok = requests[requests["ok"] & ~requests["warmup"]]
    t = wall["t_s"].to_numpy(dtype=float)
    lo, hi = t - 0.5 / RATE_HZ, t + 0.5 / RATE_HZ
    first = ok["first_text_ms"].fillna(ok["sent_ms"]).to_numpy(dtype=float) / 1000
    last = ok["last_text_ms"].to_numpy(dtype=float) / 1000
    rate = ok["output_tokens"].to_numpy(dtype=float) / np.maximum(last - first, 1e-3)
    overlap = np.clip(np.minimum(hi[:, None], last) - np.maximum(lo[:, None], first), 0, None)
    tokens_per_s = (overlap * rate).sum(axis=1) * RATE_HZ
    return pd.DataFrame(
        {"t_s": t, "tokens_per_s": tokens_per_s, "watts": wall["watts"].to_numpy(), "point": wall["point"]}
    )


def _summary(points, requests, windows, wall, inference: bool, interrupted: bool) -> pd.DataFrame:
    rows = []
    for index, spec in enumerate(points):
        number = index + 1
        measured = requests[(requests["point"] == number) & ~requests["warmup"]]
        ok = measured[measured["ok"]]
        failed = int((~measured["ok"]).sum())
        start = measured["sent_ms"].min() / 1000
        end = measured["last_text_ms"].max() / 1000
        duration = end - start
        out_tokens = float(ok["output_tokens"].sum())
        row = dict.fromkeys(SUMMARY_COLUMNS, np.nan)
        row.update(spec)
        row.update({
            "point": number, "unit": "inference" if inference else "token",
            "model": "yolov8n.dxnn" if inference else "meta-llama/Llama-3.1-8B-Instruct",
            "requests_ok": len(ok), "requests_failed": failed, "duration_s": duration,
            "e2e_ms_mean": ok["e2e_ms"].mean(), "e2e_ms_p99": np.percentile(ok["e2e_ms"], 99),
            "output_tokens_per_s": out_tokens / duration, "requests_per_s": len(ok) / duration,
        })
        if not inference:
            ttft = ok["ttft_ms"].to_numpy(dtype=float)
            tpot = (ok["e2e_ms"] - ok["ttft_ms"]).to_numpy(dtype=float) / (ok["output_tokens"] - 1)
            row.update({
                "ttft_ms_mean": ttft.mean(), "ttft_ms_p50": np.percentile(ttft, 50),
                "ttft_ms_p90": np.percentile(ttft, 90), "ttft_ms_p99": np.percentile(ttft, 99),
                "tpot_ms_mean": tpot.mean(), "tpot_ms_p50": np.percentile(tpot, 50),
                "tpot_ms_p99": np.percentile(tpot, 99), "itl_ms_p50": np.percentile(tpot, 50) * 0.98,
                "itl_ms_p99": np.percentile(tpot, 99) * 1.4,
                "prefill_tokens_per_s": ok["input_tokens"].sum() / (ttft.sum() / 1000),
                "output_tokens_per_s_per_user": float(np.mean(1000 / tpot)),
            })
        if not wall.empty:
            inside = wall[(wall["t_s"] >= start) & (wall["t_s"] <= end)]
            t = inside["t_s"].to_numpy(dtype=float)
            w = inside["watts"].to_numpy(dtype=float)
            energy = float(np.sum((w[1:] + w[:-1]) / 2 * np.diff(t)))
            mean = energy / duration
            row.update({
                "power_w_mean": mean, "power_w_max": float(w.max()),
                "power_w_idle": float(wall.loc[wall["t_s"] < IDLE_S, "watts"].mean()),
                "energy_j": energy, "joules_per_output_token": energy / out_tokens,
                "output_tokens_per_s_per_w": row["output_tokens_per_s"] / mean,
            })
        reasons = [f"{failed} request failed"] if failed else []
        if wall.empty:
            reasons.append("no wall power channel")
        if interrupted and number == len(points):
            reasons.append("run interrupted")
        row["valid"] = not reasons
        row["invalid_reason"] = "; ".join(reasons)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return frame.astype({"point": "int64", "concurrency": "int64", "requests_ok": "int64",
                         "requests_failed": "int64", "valid": "bool"})


def _info(name: str, inference: bool, with_power: bool) -> list[tuple[str, str, str]]:
    rows = [
        ("Session", "Name", name),
        ("Session", "Started (UTC)", CREATED.isoformat()),
        ("People", "Operator", "J. Kim"),
        ("People", "Witness", "박소연 (S. Park)"),
        ("Session", "Notes", "ambient 23.1 C, PSU A and B on elements 1 and 2"),
        ("Target", "Kind", "deepx" if inference else "openai"),
        ("Clock", "Anchor", "perf_counter_ns, anchored to UTC at session start"),
    ]
    if with_power:
        rows.append(("Instruments", "Meter 1", "YOKOGAWA WT310E 91K000001 F1.03, calibration due 2027-03-31"))
    return rows


def make_empty_session_data() -> SessionData:
    """A session interrupted before its first point finished: every table empty."""
    return SessionData(
        name="stopped-early",
        created=CREATED,
        summary=pd.DataFrame(columns=list(SUMMARY_COLUMNS)),
        requests=pd.DataFrame(columns=["request", "point", "warmup", "sent_ms"]),
        power=pd.DataFrame(columns=POWER_COLUMNS),
        wall=pd.DataFrame(columns=WALL_COLUMNS),
        tokens=pd.DataFrame(columns=TOKENS_COLUMNS),
        windows=pd.DataFrame(columns=["point", "start_s", "end_s"]),
        interrupted=True,
    )
