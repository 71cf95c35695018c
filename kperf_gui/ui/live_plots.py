"""The live view of a run: wall power and output tokens/s against time, and the headline, wall
power against tokens/s with one colour per point. For an on-device target (:meth:`set_unit`)
the throughput is inferences/s. It only draws the run's ``interval`` events, whose figures the
engine computes as the workbook does.

Events only append to in-memory buffers; a QTimer redraws at a fixed rate, whatever the event
rate. Every plot item is made once (per point, for the headline) and updated with ``setData``.
The time plots draw only what is in view, peak-downsampled to the screen's width; the headline
shares :data:`HEADLINE_SPOTS` evenly spaced dots among its points, so an hour of data costs no
more to redraw than a minute.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QWidget

from . import plotting
from .columns import INFERENCE, TOKEN
from .buffers import GrowBuffer

REFRESH_HZ = 5
HEADLINE_SPOTS = 3000  # dots the headline draws in all, shared by its points, evenly spaced
MIN_SPOTS = 150  # dots a point keeps however many points share the headline


class LivePlots(QWidget):
    """Three live plots fed by :meth:`add_interval` and :meth:`mark_point`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.unit = TOKEN
        self.power_plot = plotting.new_plot(self.tr("Wall-plug power"), self.tr("time (s)"),
                                            self.tr("power (W)"))
        self.tokens_plot = plotting.new_plot("", self.tr("time (s)"), "")
        self.headline_plot = plotting.new_plot("", "", self.tr("power (W)"))
        self.set_unit(TOKEN)
        for w in (self.power_plot, self.tokens_plot):
            item = w.getPlotItem()
            item.setDownsampling(auto=True, mode="peak")
            item.setClipToView(True)
        self.power_curve = self.power_plot.plot(pen=plotting.pen(plotting.POWER_COLOUR),
                                                connect="finite")
        self.tokens_curve = self.tokens_plot.plot(pen=plotting.pen(plotting.TOKENS_COLOUR),
                                                  connect="finite")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.power_plot, 0, 0)
        layout.addWidget(self.tokens_plot, 1, 0)
        layout.addWidget(self.headline_plot, 0, 1, 2, 1)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)
        self._power = GrowBuffer(2, 4096)
        self._tokens = GrowBuffer(2, 4096)
        self._pairs: dict[int, GrowBuffer] = {}
        self._scatter: dict[int, pg.PlotDataItem] = {}
        self._markers: list[tuple[pg.PlotWidget, pg.InfiniteLine]] = []
        self._dirty_power = False
        self._dirty_tokens = False
        self._dirty_points: set[int] = set()
        self.refreshes = 0
        self._phase = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.setInterval(round(1000 / (REFRESH_HZ * len(self._STAGES))))
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def set_unit(self, unit: str) -> None:
        """Label the throughput plots in tokens/s, or in inferences/s for ``inference``."""
        self.unit = unit
        tokens, headline = self.tokens_plot.getPlotItem(), self.headline_plot.getPlotItem()
        if unit == INFERENCE:
            tokens.setTitle(self.tr("Inferences/s"), size="10pt")
            tokens.setLabel("left", self.tr("inferences/s"))
            headline.setTitle(self.tr("Power against inferences/s"), size="10pt")
            headline.setLabel("bottom", self.tr("inferences/s"))
        else:
            tokens.setTitle(self.tr("Output tokens/s"), size="10pt")
            tokens.setLabel("left", self.tr("tokens/s"))
            headline.setTitle(self.tr("Power against tokens/s"), size="10pt")
            headline.setLabel("bottom", self.tr("output tokens/s"))

    # --- feeding ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything plotted (a new run starts)."""
        self._power.clear()
        self._tokens.clear()
        for item in self._scatter.values():
            self.headline_plot.removeItem(item)
        self._scatter.clear()
        self._pairs.clear()
        for plot, line in self._markers:
            plot.removeItem(line)
        self._markers.clear()
        self._dirty_power = self._dirty_tokens = True
        self._dirty_points.clear()

    def add_interval(self, t: float, watts: float | None, per_s: float, point: int) -> None:
        """One meter update interval centred at ``t``: the summed wall power and the output
        tokens/s (or inferences/s) arriving in it."""
        self._power.append(t, watts)
        self._tokens.append(t, per_s)
        self._dirty_power = self._dirty_tokens = True
        if watts is not None:
            self._series(point).append(per_s, watts)
            self._dirty_points.add(point)

    def mark_point(self, t: float, point: int) -> None:
        """A dashed line where point ``point`` starts, on both time plots."""
        colour = plotting.point_colour(point)
        for plot, label in ((self.power_plot, str(point)), (self.tokens_plot, None)):
            line = pg.InfiniteLine(pos=t, angle=90, movable=False,
                                   pen=plotting.pen(colour, Qt.PenStyle.DashLine), label=label,
                                   labelOpts={"position": 0.95, "color": colour})
            plot.addItem(line, ignoreBounds=True)
            self._markers.append((plot, line))
        self._series(point)

    def _series(self, point: int) -> GrowBuffer:
        buf = self._pairs.get(point)
        if buf is None:
            buf = self._pairs[point] = GrowBuffer(2, 1024)
            colour = plotting.point_colour(point)
            item = pg.PlotDataItem(pen=None, symbol="o", symbolSize=5, symbolPen=None,
                                   symbolBrush=colour)
            self.headline_plot.addItem(item)
            self._scatter[point] = item
            self._dirty_points.update(self._scatter)
        return buf

    # --- drawing ---------------------------------------------------------------------------

    def _draw_power(self) -> None:
        if self._dirty_power:
            self._dirty_power = False
            self.power_curve.setData(self._power.column(0), self._power.column(1))
            self.refreshes += 1

    def _draw_tokens(self) -> None:
        if self._dirty_tokens:
            self._dirty_tokens = False
            self.tokens_curve.setData(self._tokens.column(0), self._tokens.column(1))

    def _draw_headline(self) -> None:
        limit = max(MIN_SPOTS, HEADLINE_SPOTS // max(1, len(self._scatter)))
        for point in self._dirty_points:
            buf = self._pairs[point]
            step = max(1, -(-len(buf) // limit))
            self._scatter[point].setData(buf.column(0)[::step], buf.column(1)[::step])
        self._dirty_points.clear()

    _STAGES = (_draw_power, _draw_tokens, _draw_headline)

    def _tick(self) -> None:
        """Redraw one plot per tick, in turn, so no pass of the event loop repaints all three."""
        self._STAGES[self._phase](self)
        self._phase = (self._phase + 1) % len(self._STAGES)

    def refresh(self) -> None:
        """Redraw every plot whose data changed."""
        for stage in self._STAGES:
            stage(self)

    def sizes(self) -> dict[str, int]:
        """How many samples each series holds."""
        return {"power": len(self._power), "tokens": len(self._tokens),
                "pairs": sum(len(b) for b in self._pairs.values())}
