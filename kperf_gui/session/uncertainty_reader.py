"""The uncertainty columns of a journal's points, and what the Session sheet says of them.

Each wall instrument's record holds the accuracy table its driver gave for each element (or why
there is none), the plan's ``frequency_hz`` and ``max_uncertainty_pct``; each reading holds the
ranges it was taken on, its crest factor and, where the meter measures it, the input frequency.
From these, :func:`point_uncertainty` works out a window's figures with
:mod:`kperf_gui.measure.uncertainty`, over the same readings the energy is computed from
(:func:`~kperf_gui.measure.power.near_mask`). :func:`~kperf_gui.session.journal_reader.point_row`
calls it for the live point row and for every export alike.

The input frequency of a reading, which chooses the band of the table, is the one the meter
measured with it where it measures one; else the plan's ``meters[].frequency_hz``; else none,
and the figure stays empty with that reason. A journal written before these records existed
gives no figures, and says so.
"""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from drivers.meters.accuracy import AccuracySpec, spec_from_dict
from kperf_gui.measure.power import near_mask
from kperf_gui.measure.uncertainty import (ChannelUncertainty, WindowUncertainty,
                                           reading_uncertainty, window_uncertainty)

from .plan_schema import key as schema_key

NS = 1e9
OLD_JOURNAL = ("the journal was written before accuracy tables and reading ranges were "
               "recorded")

METHOD = (
    "Worst-case limits from each wall meter's accuracy table (see the rows below): a reading's "
    "limit is a % of the reading + b % of the power range it was taken on (voltage range x "
    "current range; the range error doubled at crest factor 6 where the maker says so; plus the "
    "maker's power-factor term where it gives one), for the band of the input frequency. The "
    "limits are integrated over the window exactly as energy_j is (the same readings, trapezoid "
    "rule, edges interpolated), added over the wall channels, and divided by |energy_j|. The "
    "session clock's rate error is not included, so energy_j_uncertainty_pct equals "
    "power_w_uncertainty_pct. Where a reading's range, table or frequency is not known, both "
    "columns are empty and the row of the point below says why.")


@dataclass(frozen=True)
class SeriesAccuracy:
    """What one wall series' readings are judged by: the accuracy table (``None``: ``reason``
    says why), the plan's input frequency (``None``: not given), and its readings' ranges."""

    name: str
    rate_hz: float
    spec: AccuracySpec | None
    reason: str
    plan_frequency_hz: float | None
    t: np.ndarray
    w: np.ndarray
    volts: np.ndarray
    amps: np.ndarray
    voltage_range_v: np.ndarray
    current_range_a: np.ndarray
    crest_factor: np.ndarray
    freq_hz: np.ndarray

    def frequency(self) -> np.ndarray:
        """Each reading's input frequency: as measured, else the plan's, else NaN."""
        plan = np.nan if self.plan_frequency_hz is None else float(self.plan_frequency_hz)
        return np.where(np.isfinite(self.freq_hz), self.freq_hz, plan)

    def describe(self) -> str:
        """One line for the Session sheet."""
        if self.spec is None:
            return f"no accuracy figure: {self.reason}"
        measured = bool(np.isfinite(self.freq_hz).any())
        if self.plan_frequency_hz is not None:
            given = (f"meters[].frequency_hz = {self.plan_frequency_hz:g} Hz"
                     + (" where the meter measured none" if measured else ""))
        else:
            given = ("" if measured else "none: the meter measured none and "
                     "meters[].frequency_hz is not set")
        frequency = ("as the meter measured it with each reading" + (f", else {given}" if given
                                                                    else "")
                     if measured else given)
        return f"{self.spec.describe()}. Input frequency: {frequency}."


@dataclass
class UncertaintyInputs:
    """The wall series' accuracy records of one journal and the plan's limit."""

    series: list[SeriesAccuracy] = field(default_factory=list)
    limit_pct: float | None = None
    """The smallest ``max_uncertainty_pct`` of the wall meters (``None``: no wall meter)."""
    note: str = ""
    """Why no series has a table at all, where that is the journal's age."""


def _spec_of(config: dict[str, Any], element: int) -> tuple[AccuracySpec | None, str]:
    records = config.get("accuracy")
    if not isinstance(records, dict):
        return None, OLD_JOURNAL
    entry = records.get(str(element))
    if not isinstance(entry, dict):
        return None, f"no accuracy record for element {element}"
    if isinstance(entry.get("spec"), dict):
        try:
            return spec_from_dict(entry["spec"]), ""
        except (KeyError, TypeError, ValueError) as exc:
            return None, f"the journaled accuracy table cannot be read ({exc})"
    return None, str(entry.get("reason") or "no accuracy table")


def uncertainty_inputs(conn: sqlite3.Connection) -> UncertaintyInputs:
    """The accuracy records and the readings' ranges of every wall series, in the order of
    :func:`~kperf_gui.session.journal_reader.wall_series`."""
    from .journal_reader import _json, series_name

    columns = {r[1] for r in conn.execute("PRAGMA table_info(readings)")}
    wanted = ("t_ns", "watts", "volts", "amps", "voltage_range_v", "current_range_a",
              "crest_factor", "freq_hz")
    select = ", ".join(c if c in columns else "NULL" for c in wanted)
    out = UncertaintyInputs()
    limits: list[float] = []
    default_limit = float(schema_key("meters[].max_uncertainty_pct").default)
    for iid, channel, rate, config_text in conn.execute(
            "SELECT id, channel, rate_hz, config FROM instruments WHERE role = 'wall' "
            "ORDER BY id").fetchall():
        config = _json(config_text)
        limit = config.get("max_uncertainty_pct")
        limits.append(float(limit) if isinstance(limit, (int, float)) else default_limit)
        frequency = config.get("frequency_hz")
        for (element,) in conn.execute("SELECT DISTINCT element FROM readings WHERE "
                                       "instrument = ? ORDER BY element", (iid,)).fetchall():
            rows = conn.execute(f"SELECT {select} FROM readings WHERE instrument = ? AND "
                                "element = ? ORDER BY t_ns", (iid, element)).fetchall()
            t, w, volts, amps, v_range, i_range, crest, freq = (
                np.array([np.nan if v is None else float(v) for v in col], dtype=float)
                for col in zip(*rows))
            spec, reason = _spec_of(config, element)
            out.series.append(SeriesAccuracy(
                name=series_name(channel, element), rate_hz=float(rate or 10.0), spec=spec,
                reason=reason, plan_frequency_hz=(float(frequency) if isinstance(
                    frequency, (int, float)) else None),
                t=t / NS, w=w, volts=volts, amps=amps, voltage_range_v=v_range,
                current_range_a=i_range, crest_factor=crest, freq_hz=freq))
    out.limit_pct = min(limits) if limits else None
    if out.series and all(s.reason == OLD_JOURNAL for s in out.series):
        out.note = OLD_JOURNAL
    return out


def point_uncertainty(inputs: UncertaintyInputs, start_s: float, end_s: float
                      ) -> WindowUncertainty:
    """The relative limits of a window's mean power and energy over the wall series, from the
    readings its energy is computed from; ``None`` figures with the reason where not known."""
    if not inputs.series:
        return WindowUncertainty(None, None, "no wall channel")
    if not (math.isfinite(start_s) and math.isfinite(end_s)):
        return WindowUncertainty(None, None, "the point has no window")
    channels = []
    for s in inputs.series:
        sel = near_mask(s.t, s.rate_hz, start_s, end_s)
        u = reading_uncertainty(
            s.spec, s.w[sel], s.voltage_range_v[sel], s.current_range_a[sel],
            s.frequency()[sel], s.crest_factor[sel], s.volts[sel], s.amps[sel],
            no_spec_reason=s.reason)
        channels.append(ChannelUncertainty(s.name, s.t[sel], s.w[sel], u.u_w, u.reason))
    return window_uncertainty(channels, start_s, end_s)


def limit_reasons(unc: WindowUncertainty, limit_pct: float | None) -> list[str]:
    """Why a window's uncertainty makes its point invalid: a figure above ``limit_pct``."""
    if limit_pct is None:
        return []
    over = [f"{name} {pct:.3g} %" for name, pct in (("power", unc.power_w_pct),
                                                      ("energy", unc.energy_j_pct))
            if pct is not None and pct > limit_pct]
    if not over:
        return []
    return [f"uncertainty above meters[].max_uncertainty_pct = {limit_pct:g} % "
            f"({', '.join(over)})"]


def session_rows(inputs: UncertaintyInputs, empty: dict[int, str]
                 ) -> list[tuple[str, str, str]]:
    """The Session sheet's rows on the uncertainty columns: how they are computed, what each
    wall series is judged by, the limit, and why a point's figures are empty (``empty``: the
    reason by point)."""
    section = "Uncertainty"
    rows = [(section, "power_w_uncertainty_pct, energy_j_uncertainty_pct", METHOD)]
    if inputs.note:
        rows.append((section, "Not computed", inputs.note))
    for s in inputs.series:
        rows.append((section, s.name, s.describe()))
    if inputs.limit_pct is not None:
        rows.append((section, "Limit", f"a point whose power or energy uncertainty is above "
                     f"{inputs.limit_pct:g} % is invalid (meters[].max_uncertainty_pct; the "
                     "smallest of the wall meters')"))
    for point, reason in sorted(empty.items()):
        rows.append((section, f"point {point} (empty)", reason))
    return rows
