"""Titles and number formats of the Summary columns (CONTRACT.md), as the tables show them.

A point's ``unit`` is ``token`` (a language model) or ``inference`` (an on-device target): for
inferences the throughput and energy columns are titled per inference, and the columns in
:data:`NOT_FOR_INFERENCE` are not shown."""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from kperf_gui.session.data import SUMMARY_COLUMNS

TOKEN, INFERENCE = "token", "inference"

LIVE_COLUMNS = ("point", "precision", "input_tokens", "output_tokens", "concurrency",
                "ttft_ms_p50", "ttft_ms_p99", "output_tokens_per_s", "power_w_mean",
                "joules_per_output_token", "e2e_ms_mean", "valid", "invalid_reason")

RESULTS_FIRST = ("point", "precision", "input_tokens", "output_tokens", "concurrency", "valid",
                 "invalid_reason", "output_tokens_per_s", "power_w_mean",
                 "joules_per_output_token", "output_tokens_per_s_per_w", "ttft_ms_p50",
                 "ttft_ms_p99", "output_tokens_per_s_per_user")
RESULTS_ORDER = RESULTS_FIRST + tuple(k for k in SUMMARY_COLUMNS if k not in RESULTS_FIRST)
"""The Results table's columns: what a reader looks for first (the point, whether it is valid
and why not, throughput, power and energy), then the rest in the contract's order. The files
keep the contract's order."""

NOT_FOR_INFERENCE = ("input_tokens", "output_tokens", "ttft_ms_mean", "ttft_ms_p50",
                     "ttft_ms_p90", "ttft_ms_p99", "tpot_ms_mean", "tpot_ms_p50", "tpot_ms_p99",
                     "itl_ms_p50", "itl_ms_p99", "prefill_tokens_per_s", "requests_per_s")
"""Columns not shown for inferences: empty there, or (requests/s) the same as inferences/s."""
LIVE_INFERENCE_ONLY = ("e2e_ms_mean",)
"""Live-table columns shown only for inferences (their latency)."""

_DIGITS = {"point": 0, "input_tokens": 0, "output_tokens": 0, "concurrency": 0, "requests_ok": 0,
           "requests_failed": 0, "duration_s": 2, "power_w_mean": 1, "power_w_max": 1,
           "power_w_idle": 1, "energy_j": 0, "joules_per_output_token": 3,
           "output_tokens_per_s_per_w": 3, "requests_per_s": 2, "power_w_uncertainty_pct": 3,
           "energy_j_uncertainty_pct": 3}


def title(key: str, unit: str = TOKEN) -> str:
    """The column's title in the app's language, for points of ``unit``."""
    source = (_INFERENCE_TITLES.get(key) if unit == INFERENCE else None) or _TITLES.get(key)
    return QCoreApplication.translate("Columns", source) if source else key


def unit_of(rows: Iterable[Mapping[str, Any]]) -> str:
    """``inference`` when every row is per inference (and there is one), else ``token``."""
    units = {str(r.get("unit") or TOKEN) for r in rows}
    return INFERENCE if units == {INFERENCE} else TOKEN


_TITLES = {
    "point": QT_TRANSLATE_NOOP("Columns", "Point"),
    "unit": QT_TRANSLATE_NOOP("Columns", "Unit"),
    "model": QT_TRANSLATE_NOOP("Columns", "Model"),
    "precision": QT_TRANSLATE_NOOP("Columns", "Precision"),
    "input_tokens": QT_TRANSLATE_NOOP("Columns", "Input length"),
    "output_tokens": QT_TRANSLATE_NOOP("Columns", "Output length"),
    "concurrency": QT_TRANSLATE_NOOP("Columns", "Concurrent users"),
    "requests_ok": QT_TRANSLATE_NOOP("Columns", "Requests OK"),
    "requests_failed": QT_TRANSLATE_NOOP("Columns", "Requests failed"),
    "duration_s": QT_TRANSLATE_NOOP("Columns", "Window (s)"),
    "ttft_ms_mean": QT_TRANSLATE_NOOP("Columns", "TTFT mean (ms)"),
    "ttft_ms_p50": QT_TRANSLATE_NOOP("Columns", "TTFT p50 (ms)"),
    "ttft_ms_p90": QT_TRANSLATE_NOOP("Columns", "TTFT p90 (ms)"),
    "ttft_ms_p99": QT_TRANSLATE_NOOP("Columns", "TTFT p99 (ms)"),
    "tpot_ms_mean": QT_TRANSLATE_NOOP("Columns", "TPOT mean (ms)"),
    "tpot_ms_p50": QT_TRANSLATE_NOOP("Columns", "TPOT p50 (ms)"),
    "tpot_ms_p99": QT_TRANSLATE_NOOP("Columns", "TPOT p99 (ms)"),
    "itl_ms_p50": QT_TRANSLATE_NOOP("Columns", "ITL p50 (ms)"),
    "itl_ms_p99": QT_TRANSLATE_NOOP("Columns", "ITL p99 (ms)"),
    "e2e_ms_mean": QT_TRANSLATE_NOOP("Columns", "E2E mean (ms)"),
    "e2e_ms_p99": QT_TRANSLATE_NOOP("Columns", "E2E p99 (ms)"),
    "prefill_tokens_per_s": QT_TRANSLATE_NOOP("Columns", "Prefill tokens/s"),
    "output_tokens_per_s": QT_TRANSLATE_NOOP("Columns", "Tokens/s"),
    "output_tokens_per_s_per_user": QT_TRANSLATE_NOOP("Columns", "Tokens/s per user"),
    "requests_per_s": QT_TRANSLATE_NOOP("Columns", "Requests/s"),
    "power_w_mean": QT_TRANSLATE_NOOP("Columns", "Power (W)"),
    "power_w_max": QT_TRANSLATE_NOOP("Columns", "Power max (W)"),
    "power_w_idle": QT_TRANSLATE_NOOP("Columns", "Idle power (W)"),
    "energy_j": QT_TRANSLATE_NOOP("Columns", "Energy (J)"),
    "joules_per_output_token": QT_TRANSLATE_NOOP("Columns", "J/token"),
    "output_tokens_per_s_per_w": QT_TRANSLATE_NOOP("Columns", "Tokens/s per W"),
    "valid": QT_TRANSLATE_NOOP("Columns", "Valid"),
    "invalid_reason": QT_TRANSLATE_NOOP("Columns", "Why invalid"),
    "power_w_uncertainty_pct": QT_TRANSLATE_NOOP("Columns", "Power uncertainty (%)"),
    "energy_j_uncertainty_pct": QT_TRANSLATE_NOOP("Columns", "Energy uncertainty (%)"),
}

_INFERENCE_TITLES = {
    "concurrency": QT_TRANSLATE_NOOP("Columns", "Parallel jobs"),
    "requests_ok": QT_TRANSLATE_NOOP("Columns", "Inferences OK"),
    "requests_failed": QT_TRANSLATE_NOOP("Columns", "Inferences failed"),
    "e2e_ms_mean": QT_TRANSLATE_NOOP("Columns", "Latency mean (ms)"),
    "e2e_ms_p99": QT_TRANSLATE_NOOP("Columns", "Latency p99 (ms)"),
    "output_tokens_per_s": QT_TRANSLATE_NOOP("Columns", "Inferences/s"),
    "output_tokens_per_s_per_user": QT_TRANSLATE_NOOP("Columns", "Inferences/s per job"),
    "joules_per_output_token": QT_TRANSLATE_NOOP("Columns", "J/inference"),
    "output_tokens_per_s_per_w": QT_TRANSLATE_NOOP("Columns", "Inferences/s per W"),
}


def text(key: str, value: Any) -> str:
    """A cell's text: numbers rounded for reading, empty for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if key == "valid":
        ok = value if isinstance(value, bool) else str(value).lower() in ("true", "1")
        return (QCoreApplication.translate("Columns", "yes") if ok
                else QCoreApplication.translate("Columns", "NO"))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        digits = _DIGITS.get(key, 1)
        if digits == 0:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    return str(value)

