"""plots/*.png: report figures drawn with matplotlib's Agg backend, reproducible to the byte.

Each figure is a ``matplotlib.figure.Figure`` on its own ``FigureCanvasAgg``; pyplot and its
global figure state are never used, so exports may run in any thread.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import colormaps  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import ScalarFormatter  # noqa: E402

from kperf_gui.session.data import SessionData  # noqa: E402
from kperf_gui.session.reproducible import write_atomic  # noqa: E402
from kperf_gui.session.xlsx import group_label, has_wall_power, series_groups, summary_frame  # noqa: E402

SIZE_IN = (8.0, 5.0)
DPI = 120
NO_WALL = "no wall power channel"
NO_POINTS = "no finished sweep points"
_PNG_METADATA = {"Software": None}


def build_figures(data: SessionData) -> dict[str, Figure]:
    """Every figure of the session by file name, in the order they are written."""
    inference = data.unit == "inference"
    builders: list[tuple[str, Callable[[SessionData], Figure]]] = [
        ("power_vs_time.png", _power_vs_time),
        ("tokens_vs_time.png", _tokens_vs_time),
        ("power_vs_tokens.png", _power_vs_tokens),
        ("throughput_vs_concurrency.png", _throughput),
        ("e2e_vs_concurrency.png" if inference else "ttft_vs_concurrency.png", _latency),
        ("tokens_per_watt_vs_concurrency.png", _tokens_per_watt),
    ]
    if not inference:
        builders.append(("per_user_vs_total.png", _per_user_vs_total))
    return {name: build(data) for name, build in builders}


def write_plots(data: SessionData, folder: Path) -> list[Path]:
    """Write the session's PNGs into ``folder``; returns their paths. Same data, same bytes."""
    folder = Path(folder)
    written = []
    for name, figure in build_figures(data).items():
        image = io.BytesIO()
        figure.savefig(image, format="png", dpi=DPI, metadata=_PNG_METADATA)
        write_atomic(folder / name, image.getvalue())
        written.append(folder / name)
    return written


def _rate_label(data: SessionData) -> str:
    return "Inferences/s" if data.unit == "inference" else "Output tokens/s"


def _concurrency_label(data: SessionData) -> str:
    return "Concurrency (jobs in flight)" if data.unit == "inference" else "Concurrency (users)"


def _figure(data: SessionData, title: str, x_label: str, y_label: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    suffix = " (interrupted)" if data.interrupted else ""
    axes.set_title(f"{data.name}: {title}{suffix}", fontsize=11)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(True, alpha=0.3)
    return figure, axes


def _note(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center",
              fontsize=13, color="0.35")


def _legend(axes: Axes) -> None:
    handles, labels = axes.get_legend_handles_labels()
    if not handles:
        return
    columns = 1 + (len(handles) - 1) // 18
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, ncols=columns,
                frameon=False)


def _idle_watts(data: SessionData) -> float | None:
    idle = pd.to_numeric(summary_frame(data)["power_w_idle"], errors="coerce").dropna()
    return float(idle.iloc[0]) if len(idle) else None


def _shade_windows(axes: Axes, data: SessionData) -> None:
    """Shade each point's measurement window and write its number at the top."""
    transform = axes.get_xaxis_transform()
    for number, start, end in data.windows[["point", "start_s", "end_s"]].itertuples(index=False):
        if pd.isna(start) or pd.isna(end):
            continue
        axes.axvspan(start, end, color="tab:orange", alpha=0.10, linewidth=0)
        axes.text((start + end) / 2, 0.98, str(number), transform=transform, ha="center",
                  va="top", fontsize=7, color="0.3")


def _finite(frame: pd.DataFrame, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    if frame.empty or x not in frame.columns or y not in frame.columns:
        return np.empty(0), np.empty(0)
    xs = pd.to_numeric(frame[x], errors="coerce").to_numpy(dtype=float)
    ys = pd.to_numeric(frame[y], errors="coerce").to_numpy(dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys)
    return xs[keep], ys[keep]


def _power_vs_time(data: SessionData) -> Figure:
    figure, axes = _figure(data, "wall power vs time", "Time since session start (s)", "Power (W)")
    _shade_windows(axes, data)
    t, watts = _finite(data.wall, "t_s", "watts")
    if len(t):
        axes.plot(t, watts, linewidth=1.0, color="tab:blue", label="wall (sum of wall channels)")
        idle = _idle_watts(data)
        if idle is not None:
            axes.axhline(idle, linestyle="--", linewidth=1.0, color="0.3",
                         label=f"idle baseline {idle:.1f} W")
    else:
        _note(axes, NO_WALL)
    power = data.power
    if not power.empty and {"role", "channel"} <= set(power.columns):
        auxiliary = power[power["role"] == "auxiliary"]
        for index, (channel, rows) in enumerate(auxiliary.groupby("channel", sort=True)):
            ct, cw = _finite(rows, "t_s", "watts")
            if len(ct):
                axes.plot(ct, cw, linewidth=0.8, color=f"C{1 + index % 9}",
                          label=f"{channel} (auxiliary)")
    _legend(axes)
    return figure


def _tokens_vs_time(data: SessionData) -> Figure:
    rate = _rate_label(data)
    figure, axes = _figure(data, f"live {rate.lower()} vs time", "Time since session start (s)",
                           f"{rate} (per meter update)")
    _shade_windows(axes, data)
    t, rates = _finite(data.tokens, "t_s", "tokens_per_s")
    if len(t):
        axes.plot(t, rates, linewidth=1.0, color="tab:green")
    else:
        _note(axes, NO_WALL if not has_wall_power(data) else "no live throughput recorded")
    return figure


def _point_labels(data: SessionData) -> dict[int, str]:
    labels = {}
    for row in summary_frame(data).itertuples(index=False):
        if pd.isna(row.point):
            continue
        group = group_label(row.precision, row.input_tokens, row.output_tokens)
        concurrency = "" if pd.isna(row.concurrency) else f", c {int(row.concurrency)}"
        labels[int(row.point)] = f"{int(row.point)}: {group}{concurrency}"
    return labels


def _point_colours(count: int) -> list:
    palette = colormaps["tab10" if count <= 10 else "tab20"]
    return [palette(i % palette.N) for i in range(count)]


def _power_vs_tokens(data: SessionData) -> Figure:
    rate = _rate_label(data)
    figure, axes = _figure(data, f"wall power vs {rate.lower()}", f"{rate} (per meter update)",
                           "Wall power (W)")
    tokens = data.tokens
    labels = _point_labels(data)
    plotted = False
    if not tokens.empty and "point" in tokens.columns:
        inside = tokens[pd.to_numeric(tokens["point"], errors="coerce") > 0]
        numbers = sorted(int(p) for p in inside["point"].unique())
        for number, colour in zip(numbers, _point_colours(len(numbers))):
            x, y = _finite(inside[inside["point"] == number], "tokens_per_s", "watts")
            if len(x):
                axes.scatter(x, y, s=10, color=colour, label=labels.get(number, str(number)))
                plotted = True
    if plotted:
        idle = _idle_watts(data)
        if idle is not None:
            axes.axhline(idle, linestyle="--", linewidth=1.0, color="0.3",
                         label=f"idle baseline {idle:.1f} W")
    else:
        _note(axes, NO_WALL if not has_wall_power(data) else "no readings inside a window")
    _legend(axes)
    return figure


def _by_concurrency(data: SessionData, title: str, y_label: str,
                    columns: Sequence[tuple[str, str, str]], empty_note: str) -> Figure:
    """One line per (precision, input, output) group for each of ``columns`` (name, tag, style)."""
    figure, axes = _figure(data, title, _concurrency_label(data), y_label)
    plotted: list[float] = []
    for index, (label, rows) in enumerate(series_groups(summary_frame(data))):
        for column, tag, style in columns:
            x, y = _finite(rows, "concurrency", column)
            if len(x):
                axes.plot(x, y, marker="o", linestyle=style, color=f"C{index % 10}",
                          label=f"{label} {tag}".strip())
                plotted.extend(x)
    if plotted:
        _concurrency_axis(axes, plotted)
    else:
        _note(axes, empty_note if len(summary_frame(data)) else NO_POINTS)
    _legend(axes)
    return figure


def _concurrency_axis(axes: Axes, values: Sequence[float]) -> None:
    """A base-2 logarithmic axis with plain numbers when concurrency spans a factor of 8 or more."""
    low, high = min(values), max(values)
    if low > 0 and high / low >= 8:
        axes.set_xscale("log", base=2)
        axes.xaxis.set_major_formatter(ScalarFormatter())
        axes.set_xticks(sorted(set(values)))


def _throughput(data: SessionData) -> Figure:
    rate = _rate_label(data)
    return _by_concurrency(data, f"{rate.lower()} vs concurrency", rate,
                           [("output_tokens_per_s", "", "-")], "no throughput recorded")


def _latency(data: SessionData) -> Figure:
    if data.unit == "inference":
        return _by_concurrency(data, "E2E latency vs concurrency", "E2E latency (ms)",
                               [("e2e_ms_mean", "mean", "-"), ("e2e_ms_p99", "p99", ":")],
                               "no latency recorded")
    return _by_concurrency(data, "TTFT vs concurrency", "TTFT (ms)",
                           [("ttft_ms_p50", "p50", "-"), ("ttft_ms_p90", "p90", "--"),
                            ("ttft_ms_p99", "p99", ":")], "no TTFT recorded")


def _tokens_per_watt(data: SessionData) -> Figure:
    rate = _rate_label(data)
    return _by_concurrency(data, f"{rate.lower()} per watt vs concurrency", f"{rate} per W",
                           [("output_tokens_per_s_per_w", "", "-")],
                           NO_WALL if not has_wall_power(data) else "no efficiency recorded")


def _per_user_vs_total(data: SessionData) -> Figure:
    figure, axes = _figure(data, "per-user vs total output tokens/s", "Output tokens/s (total)",
                           "Output tokens/s per user")
    plotted = False
    for index, (label, rows) in enumerate(series_groups(summary_frame(data))):
        total = pd.to_numeric(rows["output_tokens_per_s"], errors="coerce").to_numpy(dtype=float)
        per_user = pd.to_numeric(rows["output_tokens_per_s_per_user"], errors="coerce").to_numpy(dtype=float)
        keep = np.isfinite(total) & np.isfinite(per_user)
        if not keep.any():
            continue
        axes.plot(total[keep], per_user[keep], marker="o", color=f"C{index % 10}", label=label)
        plotted = True
        for x, y, concurrency in zip(total[keep], per_user[keep], rows["concurrency"][keep]):
            axes.annotate(f"c {concurrency}", (x, y), textcoords="offset points", xytext=(4, 4),
                          fontsize=7, color="0.3")
    if not plotted:
        _note(axes, "no per-user throughput recorded" if len(summary_frame(data)) else NO_POINTS)
    _legend(axes)
    return figure
