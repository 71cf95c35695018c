"""Everything the exports need, loaded from a journal: the one input of every export writer."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

def _col(fmt: str | None = None) -> Any:
    """A Summary column's field; ``fmt`` is its number format in the workbook."""
    return field(metadata={"format": fmt})


@dataclass(frozen=True)
class SummaryRow:
    """One Summary row (CONTRACT.md): the fields are the columns, in order, each with its number
    format in the workbook. The live table's row and the workbook's are this one record. A new
    column is a new field here, computed by :mod:`kperf_gui.measure.metrics` under its name."""

    point: int = _col()
    unit: str = _col()
    model: str = _col()
    precision: str | None = _col()
    input_tokens: int | None = _col()
    output_tokens: int | None = _col()
    concurrency: int | None = _col()
    requests_ok: int | None = _col()
    requests_failed: int | None = _col()
    duration_s: float | None = _col("0.000")
    ttft_ms_mean: float | None = _col("0.0")
    ttft_ms_p50: float | None = _col("0.0")
    ttft_ms_p90: float | None = _col("0.0")
    ttft_ms_p99: float | None = _col("0.0")
    tpot_ms_mean: float | None = _col("0.0")
    tpot_ms_p50: float | None = _col("0.0")
    tpot_ms_p99: float | None = _col("0.0")
    itl_ms_p50: float | None = _col("0.0")
    itl_ms_p99: float | None = _col("0.0")
    e2e_ms_mean: float | None = _col("0.0")
    e2e_ms_p99: float | None = _col("0.0")
    prefill_tokens_per_s: float | None = _col("0.00")
    output_tokens_per_s: float | None = _col("0.00")
    output_tokens_per_s_per_user: float | None = _col("0.00")
    requests_per_s: float | None = _col("0.00")
    power_w_mean: float | None = _col("0.0")
    power_w_max: float | None = _col("0.0")
    power_w_idle: float | None = _col("0.0")
    energy_j: float | None = _col("0.000")
    joules_per_output_token: float | None = _col("0.0000")
    output_tokens_per_s_per_w: float | None = _col("0.000")
    valid: bool = _col()
    invalid_reason: str = _col()
    power_w_uncertainty_pct: float | None = _col("0.000")
    energy_j_uncertainty_pct: float | None = _col("0.000")

    def as_dict(self) -> dict[str, Any]:
        """The row by column name, in column order."""
        return {name: getattr(self, name) for name in SUMMARY_COLUMNS}


SUMMARY_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(SummaryRow))
SUMMARY_FORMATS: dict[str, str | None] = {f.name: f.metadata["format"] for f in fields(SummaryRow)}
"""Each Summary column's number format in the workbook (None: general)."""


@dataclass
class SessionData:
    """A session as the exports see it.

    - ``summary``: one row per sweep point, columns exactly :data:`SUMMARY_COLUMNS`.
    - ``requests``: one row per request (warm-up included, flagged), times in ms from the anchor.
    - ``power``: one row per meter update per channel: ``t_s`` (centre of the update interval,
      seconds since the anchor), ``channel``, ``role``, ``watts``, ``volts``, ``amps``, ``pf``,
      ``wh``, ``flags``, ``ranges`` (as the meter's text), ``voltage_range_v`` and
      ``current_range_a`` (the ranges the reading was taken on, empty where not known),
      ``point`` (0 outside any window).
    - ``wall``: the summed wall power on the one clock: ``t_s``, ``watts``, ``point``.
    - ``tokens``: live tokens/s per wall update interval: ``t_s``, ``tokens_per_s``, ``watts``,
      ``point``.
    - ``windows``: one row per point: ``point``, ``start_s``, ``end_s`` (measurement window).
    - ``info``: ordered (section, key, value) rows for the Session sheet.
    - ``definitions``: (name, definition) rows written into the workbook.
    - ``created``: the session's own UTC start, used for every timestamp an export writes.
    - ``interrupted``: the run did not finish; every export says so.
    """

    name: str
    created: _dt.datetime
    summary: pd.DataFrame
    requests: pd.DataFrame
    power: pd.DataFrame
    wall: pd.DataFrame
    tokens: pd.DataFrame
    windows: pd.DataFrame
    info: list[tuple[str, str, str]] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)
    unit: str = "token"
    interrupted: bool = False
    plan_toml: str = ""
