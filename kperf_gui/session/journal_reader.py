"""Read a journal and compute everything the exports and the live table show.

The same functions serve a running session (the live "point finished" row) and every export,
so the table a technician watches is the table the workbook holds. Journals written before the
readings' statuses were stored one column per quantity (a ``flags`` text column) read the same.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kperf_gui.measure.metrics import (DEFINITIONS, RequestTimes, power_summary, program_summary,
                                      request_summary, validity)
from kperf_gui.measure.power import (PowerSeries, chunk_weight, interval_period,
                                     tokens_per_interval, wall_sum)
from kperf_gui.measure.uncertainty import WindowUncertainty

from .client_record import point_health, saturation_reasons
from .client_record import session_rows as client_rows
from .csvout import FORMULA_NOTE
from .data import SUMMARY_COLUMNS, SessionData, SummaryRow
from .records import QUANTITIES, PointStatus, RunStatus, flags_text
from .sut_record import disagreement, point_agreement, session_rows
from .uncertainty_reader import (UncertaintyInputs, limit_reasons, point_uncertainty,
                                 uncertainty_inputs)
from .uncertainty_reader import session_rows as uncertainty_rows

NS = 1e9
CUT_OFF_NOTE = "the run ended before this point finished"
"""The note of a point a run never finished (killed, crashed or failed while it ran)."""


def meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


_OLD_FLAG = re.compile(r"^(?:%s):[a-z_]+$" % "|".join(QUANTITIES))


def _old_flags(text: str | None) -> tuple[str | None, dict[str, str]]:
    """A ``flags`` cell of an older journal as (note, status): ``watts:over_range,pf:no_data``,
    or the reason an update is missing."""
    if not text:
        return None, {}
    parts = text.split(",")
    if all(_OLD_FLAG.match(p) for p in parts):
        return None, dict(p.split(":", 1) for p in parts)
    return text, {}


def _reading_columns(conn: sqlite3.Connection) -> set[str]:
    return {r[1] for r in conn.execute("PRAGMA table_info(readings)")}


def _status_sql(conn: sqlite3.Connection) -> str:
    """The select-list that gives each reading's note and statuses, in this journal's shape."""
    if "watts_status" in _reading_columns(conn):
        return "note, " + ", ".join(f"{q}_status" for q in QUANTITIES)
    return "flags"


def _status_of(row: tuple[Any, ...]) -> tuple[str | None, dict[str, str]]:
    """(note, non-OK statuses) from the columns :func:`_status_sql` selects."""
    if len(row) == 1:
        return _old_flags(row[0])
    status = {q: s for q, s in zip(QUANTITIES, row[1:]) if s is not None and s != "ok"}
    return row[0], status


def wall_series(conn: sqlite3.Connection, role: str | None = "wall") -> list[PowerSeries]:
    """One series per element of every instrument of ``role`` (None: all), in instrument and
    element order, named as the journal names the channel."""
    out: list[PowerSeries] = []
    status_sql = _status_sql(conn)
    inst = conn.execute("SELECT id, channel, driver, role, rate_hz FROM instruments ORDER BY id").fetchall()
    for iid, name, driver, irole, rate in inst:
        if role is not None and irole != role:
            continue
        elements = [e for (e,) in conn.execute(
            "SELECT DISTINCT element FROM readings WHERE instrument = ? ORDER BY element", (iid,))]
        for el in elements:
            rows = conn.execute(f"SELECT t_ns, watts, {status_sql} FROM readings WHERE "
                                "instrument = ? AND element = ? ORDER BY t_ns", (iid, el)).fetchall()
            t = np.array([r[0] for r in rows], dtype=float) / NS
            w = np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=float)
            out.append(PowerSeries(series_name(name, el), t, w,
                                   tuple(_status_of(r[2:])[1] for r in rows), float(rate or 10.0)))
    return out


def series_name(channel: str, element: int) -> str:
    """How a channel's element is named everywhere: ``yokogawa-wt300e#1 element 2``."""
    return f"{channel} element {element}"


ChunkTimes = tuple[np.ndarray, np.ndarray]
"""Chunks' requests and arrival times (``perf_counter`` ns on the session clock), by request."""


def _request_times(conn: sqlite3.Connection, point: int, chunks_read: ChunkTimes | None = None
                   ) -> RequestTimes:
    rows = conn.execute(
        "SELECT id, sent_ns, first_ns, last_ns, done_ns, ok, warmup, input_tokens_actual, "
        "output_tokens, error FROM requests WHERE point = ? ORDER BY id", (point,)).fetchall()
    ids = [r[0] for r in rows]
    chunks: dict[int, np.ndarray] = {}
    if ids:
        # hundreds of thousands of chunks per point: read as numbers, not as Python rows
        if chunks_read is None:
            rid, t_ns = _chunk_times(conn, "WHERE request BETWEEN ? AND ?", (min(ids), max(ids)))
        else:
            every, every_t = chunks_read
            a = int(np.searchsorted(every, min(ids), side="left"))
            b = int(np.searchsorted(every, max(ids), side="right"))
            rid, t_ns = every[a:b], every_t[a:b]
        order = np.lexsort((t_ns, rid))
        rid, times = rid[order], t_ns[order].astype(float)
        lo = np.searchsorted(rid, ids, side="left").tolist()
        hi = np.searchsorted(rid, ids, side="right").tolist()
        chunks = {i: times[a:b] for i, a, b in zip(ids, lo, hi)}

    def col(i: int) -> np.ndarray:
        return np.array([np.nan if r[i] is None else r[i] for r in rows], dtype=float)

    return RequestTimes(
        sent_ns=col(1), first_ns=col(2), last_ns=col(3), done_ns=col(4),
        ok=np.array([bool(r[5]) for r in rows], dtype=bool),
        warmup=np.array([bool(r[6]) for r in rows], dtype=bool),
        input_tokens=col(7), output_tokens=col(8),
        chunk_ns=[chunks[i] for i in ids],
        errors=[r[9] or "" for r in rows],
    )


def idle_power(conn: sqlite3.Connection, wall: list[PowerSeries]) -> float:
    """Mean wall power over the idle baseline (NaN when there was none)."""
    m = meta(conn)
    try:
        a, b = float(m["idle_start_ns"]) / NS, float(m["idle_end_ns"]) / NS
    except (KeyError, ValueError):
        return float("nan")
    t, w = wall_sum(wall)
    sel = (t >= a) & (t <= b) & np.isfinite(w)
    return float(w[sel].mean()) if sel.any() else float("nan")


def point_row(conn: sqlite3.Connection, point: int, wall: list[PowerSeries] | None = None,
              idle_w: float | None = None, accuracy: UncertaintyInputs | None = None,
              empty_uncertainty: dict[int, str] | None = None,
              chunks: ChunkTimes | None = None) -> SummaryRow:
    """One Summary row, computed from the journal: the live point row and every export's.
    ``wall``, ``idle_w`` and ``accuracy`` are read from ``conn`` when not given; where the
    uncertainty columns are empty, ``empty_uncertainty`` (when given) gets the reason.
    ``chunks``: every chunk's time, read once for all points (:func:`_chunk_times`)."""
    p = conn.execute("SELECT id, precision, input_tokens, output_tokens, concurrency, model, unit, "
                     "status, note, window_start_ns, window_end_ns, vendor FROM points "
                     "WHERE id = ?", (point,)).fetchone()
    if p is None:
        raise KeyError(point)
    unit = p[6] or "token"
    wall = wall_series(conn) if wall is None else wall
    idle = idle_power(conn, wall) if idle_w is None else idle_w
    r = _request_times(conn, point, chunks)
    vendor = _json(p[11])
    extra: list[str] = []
    if len(r.sent_ns) == 0 and "throughput_per_s" in vendor:  # a vendor program's whole point
        req = program_summary(vendor, p[9], p[10], int(p[4]))
        if not vendor.get("ok"):
            extra.append(f"the program failed: {vendor.get('error') or 'no figures'}")
    else:
        req = request_summary(r, unit)
    start_s, end_s = req["window_start_ns"] / NS, req["window_end_ns"] / NS
    status, note = p[7], p[8]
    if status == PointStatus.RUNNING and meta(conn).get("status", "running") != RunStatus.RUNNING:
        status, note = PointStatus.INTERRUPTED.value, note or CUT_OFF_NOTE
    if status not in (PointStatus.FINISHED, None):
        extra.append(f"point {status}" + (f" ({note})" if note else ""))
    elif p[8]:
        extra.append(p[8])
    agreement = point_agreement(conn, point)
    if agreement is not None and agreement.agrees is False:
        extra.append(disagreement(agreement))
    extra.extend(saturation_reasons(point_health(conn, point)))
    if wall:
        pw = power_summary(wall, start_s, end_s, idle, float(req["duration_s"]),
                           float(req["output_tokens_total"]), float(req["output_tokens_per_s"]))
    else:
        pw = {k: float("nan") for k in ("power_w_mean", "power_w_max", "power_w_idle", "energy_j",
                                        "joules_per_output_token", "output_tokens_per_s_per_w")}
    accuracy = uncertainty_inputs(conn) if accuracy is None else accuracy
    if not wall:
        unc = WindowUncertainty(None, None, "no wall channel")
    elif not np.isfinite(pw["energy_j"]):
        unc = WindowUncertainty(None, None, "the point has no energy figure (invalid_reason "
                                "says why)")
    else:
        unc = point_uncertainty(accuracy, start_s, end_s)
    if unc.power_w_pct is None and empty_uncertainty is not None:
        empty_uncertainty[int(p[0])] = unc.reason
    valid, reason = validity(r, wall, start_s, end_s, extra, program=bool(vendor) and
                             len(r.sent_ns) == 0,
                             uncertainty=limit_reasons(unc, accuracy.limit_pct))
    row: dict[str, Any] = {
        "point": p[0], "unit": unit, "model": p[5] or "", "precision": p[1],
        "input_tokens": p[2], "output_tokens": p[3], "concurrency": p[4],
        **req, **pw, "valid": valid, "invalid_reason": reason,
        "power_w_uncertainty_pct": unc.power_w_pct, "energy_j_uncertainty_pct": unc.energy_j_pct,
    }
    return SummaryRow(**{k: _plain(row.get(k)) for k in SUMMARY_COLUMNS})


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return None if not np.isfinite(v) else v
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _point_of(t_s: np.ndarray, windows: pd.DataFrame) -> np.ndarray:
    out = np.zeros(len(t_s), dtype=int)
    for _, w in windows.iterrows():
        out[(t_s >= w["start_s"]) & (t_s <= w["end_s"])] = int(w["point"])
    return out


def _requests_frame(conn: sqlite3.Connection) -> pd.DataFrame:
    has_length = "prompt_length" in {r[1] for r in conn.execute("PRAGMA table_info(requests)")}
    df = pd.read_sql_query(
        "SELECT r.point, r.seq, r.warmup, r.ok, r.error, r.http_status, r.sent_ns, r.first_ns, "
        "r.last_ns, r.done_ns, r.input_tokens_requested, r.input_tokens_actual, "
        "r.output_tokens_requested, r.output_tokens, r.output_tokens_source, r.chunks, r.extra, "
        f"{'r.prompt_length' if has_length else 'NULL AS prompt_length'}, "
        "p.unit FROM requests r LEFT JOIN points p ON p.id = r.point WHERE r.point > 0 "
        "ORDER BY r.point, r.seq", conn)
    on_device = df["unit"] == "inference"
    df.loc[on_device, "first_ns"] = np.nan
    out = pd.DataFrame({
        "point": df["point"], "seq": df["seq"], "warmup": df["warmup"].astype(bool),
        "ok": df["ok"].astype(bool), "error": df["error"].fillna(""),
        "http_status": df["http_status"],
        "sent_s": df["sent_ns"] / NS,
        "ttft_ms": (df["first_ns"] - df["sent_ns"]) / 1e6,
        "e2e_ms": (df["last_ns"].fillna(df["done_ns"]) - df["sent_ns"]) / 1e6,
        "done_s": df["done_ns"] / NS,
        "input_tokens_requested": df["input_tokens_requested"],
        "input_tokens_actual": df["input_tokens_actual"],
        "prompt_length": df["prompt_length"].fillna(""),
        "output_tokens_requested": df["output_tokens_requested"],
        "output_tokens": df["output_tokens"],
        "output_tokens_source": df["output_tokens_source"].fillna(""),
        "text_chunks": df["chunks"],
        "runtime_figures": df["extra"].fillna(""),
    })
    return out


def _power_frames(conn: sqlite3.Connection, windows: pd.DataFrame, wall: list[PowerSeries],
                  chunks: ChunkTimes | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    status_sql = ", ".join(f"r.{c.strip()}" for c in _status_sql(conn).split(","))
    have = _reading_columns(conn)
    range_sql = ", ".join(f"r.{c}" if c in have else f"NULL AS {c}"
                          for c in ("voltage_range_v", "current_range_a"))
    raw = pd.read_sql_query(
        "SELECT r.t_ns, i.channel, i.role, r.element, r.watts, r.volts, r.amps, r.pf, r.wh, "
        f"r.ranges, {range_sql}, {status_sql} FROM readings r JOIN instruments i ON "
        "i.id = r.instrument ORDER BY r.t_ns, r.instrument, r.element", conn)
    status_cols = raw.columns[12:]
    flags = [flags_text(*_status_of(tuple(None if pd.isna(v) else v for v in row)))
             for row in raw[status_cols].itertuples(index=False)]
    power = pd.DataFrame({
        "t_s": raw["t_ns"] / NS,
        "channel": [series_name(c, e) for c, e in zip(raw["channel"], raw["element"])],
        "role": raw["role"], "watts": raw["watts"], "volts": raw["volts"], "amps": raw["amps"],
        "pf": raw["pf"], "wh": raw["wh"], "flags": pd.Series(flags, dtype=object),
        "ranges": raw["ranges"].fillna(""),
        "voltage_range_v": raw["voltage_range_v"].astype(float),
        "current_range_a": raw["current_range_a"].astype(float),
    })
    power["point"] = _point_of(power["t_s"].to_numpy(), windows)
    t, w = wall_sum(wall)
    wall_df = pd.DataFrame({"t_s": t, "watts": w, "point": _point_of(t, windows)})
    tokens_df = pd.DataFrame({"t_s": t, "tokens_per_s": journal_tokens_per_s(conn, t, wall, chunks),
                              "watts": w, "point": _point_of(t, windows)})
    return power, wall_df, tokens_df


def journal_tokens_per_s(conn: sqlite3.Connection, t: np.ndarray, wall: list[PowerSeries],
                         chunks: ChunkTimes | None = None) -> np.ndarray:
    """Output tokens/s in each wall update interval centred on ``t``: every journaled chunk,
    weighted by its request's output tokens (:func:`~kperf_gui.measure.power.chunk_weight`)."""
    requests = conn.execute("SELECT id, output_tokens, chunks FROM requests").fetchall()
    rid, t_ns = _chunk_times(conn, "", ()) if chunks is None else chunks
    if not requests or not len(rid):
        ct, ck = np.empty(0), np.empty(0)
    else:
        size = max(max(r[0] for r in requests), int(rid.max())) + 1
        weight = np.zeros(size)
        known = np.zeros(size, dtype=bool)
        for request, out, n in requests:
            weight[request], known[request] = chunk_weight(out, n), True
        keep = known[rid]  # chunks of journaled requests, as a join would keep
        ct = t_ns[keep].astype(float) / NS
        ck = weight[rid[keep]]
    return tokens_per_interval(t, interval_period(wall), ct, ck)


def _chunk_times(conn: sqlite3.Connection, where: str, args: tuple) -> ChunkTimes:
    """The request and arrival time of each chunk (``where`` chooses them), as two integer
    arrays in the order of the requests. A journal holds millions of chunks: SQLite joins each
    request's times into one text, which numpy parses, instead of a Python row per chunk."""
    cursor = conn.execute(f"SELECT request, count(*), group_concat(t_ns) FROM chunks {where} "
                          "GROUP BY request", args)
    rids, times = [], []
    while rows := cursor.fetchmany(4096):  # parsed a batch at a time: the text stays small
        counts = np.array([r[1] for r in rows], dtype=np.int64)
        rids.append(np.repeat(np.array([r[0] for r in rows], dtype=np.int64), counts))
        times.append(np.fromstring(",".join(r[2] for r in rows), dtype=np.int64, sep=","))
    if not rids:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rid, t_ns = np.concatenate(rids), np.concatenate(times)
    del rids, times
    if len(t_ns) != len(rid):
        raise sqlite3.DatabaseError("the journal's chunk times cannot be read as integers")
    if len(rid) > 1 and bool((rid[1:] < rid[:-1]).any()):  # GROUP BY gives them in order
        order = np.argsort(rid, kind="stable")
        rid, t_ns = rid[order], t_ns[order]
    return rid, t_ns


def _info(conn: sqlite3.Connection, m: dict[str, str], interrupted: bool,
          after_instruments: list[tuple[str, str, str]] | None = None
          ) -> list[tuple[str, str, str]]:
    info: list[tuple[str, str, str]] = []
    for key, label in (("name", "Name"), ("operator", "Operator"), ("witness", "Witness"),
                       ("notes", "Notes"), ("ambient_c", "Ambient temperature (C)"),
                       ("allow_expired_calibration", "Expired calibration allowed"),
                       ("status", "Run status"), ("started_utc", "Started (UTC)"),
                       ("finished_utc", "Finished (UTC)")):
        info.append(("Session", label, m.get(key, "")))
    if interrupted:
        info.append(("Session", "Interrupted", "yes: the run did not finish; figures cover only "
                     "what was journaled"))
    for key, label in (("target_kind", "Kind"), ("target_base_url", "Endpoint"),
                       ("target_model", "Model"), ("target_api", "API"),
                       ("target_info", "Detected"), ("target_capabilities", "Capabilities"),
                       ("prompt_lengths", "Prompt lengths")):
        if key in m:
            info.append(("Target", label, m[key]))
    for key, label in (("software", "Software"), ("host", "Host"), ("python", "Python"),
                       ("clock", "Clock"), ("anchor_utc", "Clock anchor (UTC)"),
                       ("idle_baseline_s", "Idle baseline (s)")):
        if key in m:
            info.append(("System", label, m[key]))
    info += session_rows(conn, m)  # client machine, the server's own answers and counters
    info += client_rows(conn)  # the load client's processes, lag and CPU per point
    inst = conn.execute("SELECT channel, driver, resource, role, elements, rate_hz, maker, model, "
                        "serial, firmware, calibration_due, config FROM instruments ORDER BY id"
                        ).fetchall()
    if not inst:
        info.append(("Instruments", "Wall power", "no wall channel: the power columns are empty"))
    for (ch, drv, res, role, els, rate, maker, model, serial, fw, due, config) in inst:
        info.append(("Instruments", ch, f"{maker or ''} {model or ''}, serial {serial or '-'}, "
                     f"firmware {fw or '-'}; driver {drv}, resource {res or '-'}, role {role}, "
                     f"elements {els}, {_rate_text(rate, _json(config))}, calibration due "
                     f"{due or '-'}{_ranges_text(_json(config))}"))
    if inst and not any(r[3] == "wall" for r in inst):
        info.append(("Instruments", "Wall power", "no wall channel: the power columns are empty"))
    info += after_instruments or []
    for pid, vendor in conn.execute("SELECT id, vendor FROM points WHERE id > 0 AND vendor IS "
                                    "NOT NULL ORDER BY id"):
        figures = {k: v for k, v in _json(vendor).items() if k not in ("extra",) and v not in
                   (None, "", [], {})}
        info.append(("Vendor figures", f"point {pid}",
                     ", ".join(f"{k} {v}" for k, v in sorted(figures.items()))))
    info.append(("Export", "summary.csv", FORMULA_NOTE))
    for t_ns, kind, message in conn.execute(
            "SELECT t_ns, kind, message FROM events WHERE kind != 'export' ORDER BY id"):
        info.append(("Event log", f"{t_ns / NS:.3f} s {kind}", message or ""))
    return info


def _rate_text(rate: float, config: dict[str, Any]) -> str:
    """An instrument's update rate as the Session sheet says it: the rate the meter was set to,
    and the plan's where that differs."""
    asked = config.get("plan_rate_hz")
    if isinstance(asked, (int, float)) and asked != rate:
        return f"{rate:g} Hz (as set on the meter; the plan asked {asked:g} Hz)"
    return f"{rate:g} Hz"


def _ranges_text(config: dict[str, Any]) -> str:
    """The ranges an instrument was left at for the sweep (fixed by the plan or a ranging pass,
    or auto); ``""`` for a journal that does not say."""
    if "voltage_range" not in config and "current_range" not in config:
        return ""
    volts, amps = config.get("voltage_range"), config.get("current_range")
    text = (f"U={'auto' if volts is None else f'{volts:g} V'}, "
            f"I={'auto' if amps is None else f'{amps:g} A'}")
    how = " (chosen by the ranging pass)" if config.get("ranging") == "pass" else ""
    return f"; ranges {text}{how}"


def load(conn: sqlite3.Connection) -> SessionData:
    """Everything the exports need."""
    m = meta(conn)
    status = m.get("status", RunStatus.RUNNING.value)
    interrupted = status not in (RunStatus.FINISHED, RunStatus.STOPPED, RunStatus.ABORTED,
                                 RunStatus.FAILED)
    wall = wall_series(conn)
    idle = idle_power(conn, wall)
    accuracy = uncertainty_inputs(conn)
    empty: dict[int, str] = {}
    pts = [r[0] for r in conn.execute("SELECT id FROM points WHERE id > 0 ORDER BY id")]
    chunks = _chunk_times(conn, "", ())  # read once: the points' requests and the tokens/s
    rows = [point_row(conn, p, wall, idle, accuracy, empty, chunks) for p in pts]
    summary = pd.DataFrame([r.as_dict() for r in rows], columns=list(SUMMARY_COLUMNS))
    win_rows = []
    for p in pts:
        w = conn.execute("SELECT window_start_ns, window_end_ns FROM points WHERE id = ?",
                         (p,)).fetchone()
        if w[0] is None:  # cut short before the point was closed: its requests say
            w = conn.execute("SELECT MIN(sent_ns), MAX(done_ns) FROM requests WHERE point = ? "
                             "AND warmup = 0", (p,)).fetchone()
        if w[0] is not None and w[1] is not None:
            win_rows.append({"point": p, "start_s": w[0] / NS, "end_s": w[1] / NS})
    windows = pd.DataFrame(win_rows, columns=["point", "start_s", "end_s"])
    power, wall_df, tokens_df = _power_frames(conn, windows, wall, chunks)
    del chunks
    try:
        created = _dt.datetime.fromisoformat(m["anchor_utc"])
    except (KeyError, ValueError):
        created = _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
    return SessionData(
        name=m.get("name", ""), created=created, summary=summary,
        requests=_requests_frame(conn), power=power, wall=wall_df, tokens=tokens_df,
        windows=windows, info=_info(conn, m, interrupted, uncertainty_rows(accuracy, empty)),
        definitions=list(DEFINITIONS),
        unit=(rows[0].unit if rows else m.get("unit", "token")), interrupted=interrupted,
        plan_toml=m.get("plan", ""),
    )


def open_session(folder: Path) -> sqlite3.Connection:
    from .journal import open_readonly

    return open_readonly(folder / "session.sqlite")


def meta_json(m: dict[str, str], key: str, default: Any = None) -> Any:
    try:
        return json.loads(m[key])
    except (KeyError, ValueError):
        return default
