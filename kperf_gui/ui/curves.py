"""The post-sweep curves: throughput, TTFT percentiles and tokens/s per watt against concurrent
users, and tokens/s per user against total tokens/s. One line per (precision, input, output).

For points per inference (an on-device target) the curves are inferences/s, latency (mean and
p99) and inferences/s per watt against parallel jobs, and wall power against inferences/s."""
from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from . import plotting
from .columns import INFERENCE, TOKEN, unit_of

_STYLES = {"ttft_ms_p50": Qt.PenStyle.SolidLine, "ttft_ms_p90": Qt.PenStyle.DashLine,
           "ttft_ms_p99": Qt.PenStyle.DotLine}
_LATENCY_STYLES = {"e2e_ms_mean": Qt.PenStyle.SolidLine, "e2e_ms_p99": Qt.PenStyle.DotLine}


_DASHES = {Qt.PenStyle.SolidLine: "━━", Qt.PenStyle.DashLine: "╍╍", Qt.PenStyle.DotLine: "┅┅"}


class SweepCurves(QWidget):
    """Four plots drawn from a Summary table by :meth:`show_summary`, with one legend above
    them (a colour per series, a line style per percentile) so that no legend covers a curve."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.unit = TOKEN
        self.throughput = plotting.new_plot("", "", "", grid=True)
        self.ttft = plotting.new_plot("", "", "", grid=True)
        self.efficiency = plotting.new_plot("", "", "", grid=True)
        self.per_user = plotting.new_plot("", "", "", grid=True)
        for w in (self.throughput, self.ttft, self.efficiency):
            w.getPlotItem().setLogMode(x=True, y=False)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.legend, 0, 0, 1, 2)
        layout.addWidget(self.throughput, 1, 0)
        layout.addWidget(self.ttft, 1, 1)
        layout.addWidget(self.efficiency, 2, 0)
        layout.addWidget(self.per_user, 2, 1)
        layout.setRowStretch(1, 1)
        layout.setRowStretch(2, 1)
        self.series = 0
        self._label(TOKEN)

    def plots(self) -> list[pg.PlotWidget]:
        return [self.throughput, self.ttft, self.efficiency, self.per_user]

    def _label(self, unit: str) -> None:
        """Titles and axes for points per token or per inference."""
        self.unit = unit
        if unit == INFERENCE:
            jobs = self.tr("parallel jobs")
            texts = [
                (self.throughput, self.tr("Throughput"), jobs, self.tr("inferences/s")),
                (self.ttft, self.tr("Latency per inference"), jobs, self.tr("latency (ms)")),
                (self.efficiency, self.tr("Inferences per second per watt"), jobs,
                 self.tr("inferences/s per W")),
                (self.per_user, self.tr("Power against inferences/s"), self.tr("inferences/s"),
                 self.tr("power (W)")),
            ]
        else:
            users = self.tr("concurrent users")
            texts = [
                (self.throughput, self.tr("Throughput"), users, self.tr("output tokens/s")),
                (self.ttft, self.tr("Time to first token"), users, self.tr("TTFT (ms)")),
                (self.efficiency, self.tr("Tokens per second per watt"), users,
                 self.tr("tokens/s per W")),
                (self.per_user, self.tr("Per user against total"),
                 self.tr("total output tokens/s"), self.tr("tokens/s per user")),
            ]
        for w, title, x_label, y_label in texts:
            item = w.getPlotItem()
            item.setTitle(title, size="10pt")
            item.setLabel("bottom", x_label)
            item.setLabel("left", y_label)

    def show_summary(self, summary: pd.DataFrame) -> None:
        """Draw the curves of a finished (or interrupted) sweep."""
        unit = unit_of(summary.to_dict("records")) if "unit" in summary else TOKEN
        self._label(unit)
        for w in self.plots():
            w.getPlotItem().clear()
        self.series = 0
        self.legend.clear()
        if summary.empty:
            return
        df = summary.copy()
        for key in ("input_tokens", "output_tokens"):
            df[key] = df[key].astype(object).where(df[key].notna(), None)
        groups = df.groupby(["precision", "input_tokens", "output_tokens"], sort=False,
                            dropna=False)
        latency = _LATENCY_STYLES if unit == INFERENCE else _STYLES
        names: list[str] = []
        for i, ((prec, n_in, n_out), g) in enumerate(groups):
            g = g.sort_values("concurrency")
            colour = plotting.point_colour(i + 1)
            name = str(prec) if pd.isna(n_in) else f"{prec} {n_in}/{n_out}"
            x = g["concurrency"].to_numpy(dtype=float)
            self._line(self.throughput, x, g["output_tokens_per_s"], colour, name)
            for key, style in latency.items():
                label = f"{name} {key.split('_')[-1]}"
                self._line(self.ttft, x, g[key], colour, label, style)
            self._line(self.efficiency, x, g["output_tokens_per_s_per_w"], colour, name)
            y_key = "power_w_mean" if unit == INFERENCE else "output_tokens_per_s_per_user"
            self._line(self.per_user, g["output_tokens_per_s"].to_numpy(dtype=float),
                       g[y_key], colour, name)
            self.series += 1
            names.append(f'<span style="color:{colour.name()}">■</span> {html.escape(name)}')
        styles = [f"{_DASHES[style]} {key.split('_')[-1]}" for key, style in latency.items()]
        what = self.tr("latency") if unit == INFERENCE else self.tr("TTFT")
        self.legend.setText("&nbsp;&nbsp; ".join(names) + "&nbsp;&nbsp;&nbsp; " + what + ": "
                            + "&nbsp; ".join(styles))
        users = sorted({int(c) for c in df["concurrency"].dropna()})
        for w in (self.throughput, self.ttft, self.efficiency):
            # log axis: ticks at the sweep's own concurrencies, not at decades
            w.getPlotItem().getAxis("bottom").setTicks(
                [[(float(np.log10(c)), str(c)) for c in users], []])
        for w in self.plots():
            if not w.getPlotItem().listDataItems():
                note = pg.TextItem(self.tr("Nothing measured for this curve\n(no wall power "
                                           "meter in this session?)"), anchor=(0.5, 0.5),
                                   color="#666666")
                w.getPlotItem().addItem(note, ignoreBounds=True)
                vb = w.getPlotItem().getViewBox()
                x0, x1 = vb.viewRange()[0]
                y0, y1 = vb.viewRange()[1]
                note.setPos((x0 + x1) / 2, (y0 + y1) / 2)

    @staticmethod
    def _line(plot: pg.PlotWidget, x: np.ndarray, y: pd.Series, colour, name: str,  # type: ignore[no-untyped-def]
              style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> None:
        yv = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
        if not np.isfinite(yv).any():
            return  # nothing measured (no wall meter, say): no line, no legend entry
        plot.plot(x, yv, pen=plotting.pen(colour, style), symbol="o", symbolSize=6,
                  symbolBrush=colour, symbolPen=None, name=name, connect="finite")
