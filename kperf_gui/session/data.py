"""Everything the exports need, loaded from a journal: the one input of every export writer."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import pandas as pd

SUMMARY_COLUMNS: tuple[str, ...] = tuple(
    """point unit model precision input_tokens output_tokens concurrency requests_ok
requests_failed duration_s ttft_ms_mean ttft_ms_p50 ttft_ms_p90 ttft_ms_p99 tpot_ms_mean
tpot_ms_p50 tpot_ms_p99 itl_ms_p50 itl_ms_p99 e2e_ms_mean e2e_ms_p99 prefill_tokens_per_s
output_tokens_per_s output_tokens_per_s_per_user requests_per_s power_w_mean power_w_max
power_w_idle energy_j joules_per_output_token output_tokens_per_s_per_w valid
invalid_reason""".split()
)


@dataclass
class SessionData:
    """A session as the exports see it.

    - ``summary``: one row per sweep point, columns exactly :data:`SUMMARY_COLUMNS`.
    - ``requests``: one row per request (warm-up included, flagged), times in ms from the anchor.
    - ``power``: one row per meter update per channel: ``t_s`` (centre of the update interval,
      seconds since the anchor), ``channel``, ``role``, ``watts``, ``volts``, ``amps``, ``pf``,
      ``wh``, ``flags``, ``point`` (0 outside any window).
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
