"""The live view of a run: wall power and output tokens/s against time, and the headline, wall
power against tokens/s with one colour and symbol per point (:func:`.plotting.point_colour`,
never repeated in a sweep), named in a legend (the latest points) and on hover (every point).
Samples outside a point's measurement window (idle, warm-up, the changeover between points, an
attempt measured again) are grey. Beside the raw tokens/s the time plot draws each point's
running rate: its tokens so far over its window so far, by
:func:`kperf_gui.measure.metrics.per_second`, the function that gives the point's figure. For an
on-device target (:meth:`set_unit`) the throughput is inferences/s. It only draws the run's
``interval`` events, whose figures the engine computes as the workbook does.

Events only append to in-memory buffers; a QTimer redraws at a fixed rate, whatever the event
rate. Every plot item is made once (per point, for the headline) and updated with ``setData``.
The time plots draw only what is in view, peak-downsampled to the screen's width; the headline
shares :data:`HEADLINE_SPOTS` evenly spaced dots among its points, so an hour of data costs no
more to redraw than a minute.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QWidget

from kperf_gui.measure.metrics import per_second

from . import plotting
from .columns import INFERENCE, TOKEN
from .buffers import GrowBuffer

REFRESH_HZ = 5
HEADLINE_SPOTS = 3000  # dots the headline draws in all, shared by its points, evenly spaced
MIN_SPOTS = 150  # dots a point keeps however many points share the headline
LEGEND_POINTS = 6  # the latest points named in the headline's legend; hover names any point
RATE_COLOUR = "#202020"


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
        self.rate_curve = self.tokens_plot.plot(pen=pg.mkPen(RATE_COLOUR, width=2),
                                                connect="finite")
        # bottom right: high throughput at low power, where a sweep's dots seldom fall
        self.legend = pg.LegendItem(offset=(-5, -5), labelTextSize="8pt",
                                    brush=pg.mkBrush(255, 255, 255, 210))
        self.legend.setParentItem(self.headline_plot.getPlotItem().vb)
        self.rate_legend = pg.LegendItem(offset=(5, 5), labelTextSize="8pt",
                                         brush=pg.mkBrush(255, 255, 255, 210))
        self.rate_legend.setParentItem(self.tokens_plot.getPlotItem().vb)
        self.rate_legend.setColumnCount(2)
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
        self._scatter: dict[int, pg.ScatterPlotItem] = {}
        self._names: dict[int, str] = {}
        self._windows: dict[int, list[float | None]] = {}
        """Per point, when its measurement window began and (once over) ended, session s."""
        self._rate = GrowBuffer(2, 4096)
        self._so_far: dict[int, tuple[float, float]] = {}
        """Per point, output tokens arrived in its window so far and the seconds of it."""
        self._markers: list[tuple[pg.PlotWidget, pg.InfiniteLine]] = []
        self._dirty_power = False
        self._dirty_tokens = False
        self._dirty_points: set[int] = set()
        self.refreshes = 0
        self._label_rate()
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
        if hasattr(self, "rate_legend"):
            self._label_rate()

    def _label_rate(self) -> None:
        self.rate_legend.clear()
        self.rate_legend.addItem(self.tokens_curve, self.tr("per meter update"))
        self.rate_legend.addItem(self.rate_curve, self.tr("point's rate so far"))

    # --- feeding ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything plotted (a new run starts)."""
        self._power.clear()
        self._tokens.clear()
        self._rate.clear()
        for item in self._scatter.values():
            self.headline_plot.removeItem(item)
        self._scatter.clear()
        self._pairs.clear()
        self._names.clear()
        self._windows.clear()
        self._so_far.clear()
        self.legend.clear()
        for plot, line in self._markers:
            plot.removeItem(line)
        self._markers.clear()
        self._dirty_power = self._dirty_tokens = True
        self._dirty_points.clear()

    def add_interval(self, t: float, watts: float | None, per_s: float, point: int,
                     t0: float | None = None, t1: float | None = None) -> None:
        """One meter update interval ``[t0, t1]`` centred at ``t``: the summed wall power and the
        output tokens/s (or inferences/s) arriving in it, during ``point`` (0: none). Outside
        the point's measurement window it counts as idle (grey, no running rate)."""
        self._power.append(t, watts)
        self._tokens.append(t, per_s)
        self._dirty_power = self._dirty_tokens = True
        inside = self.in_window(point, t)
        if inside and t0 is not None and t1 is not None and t1 > t0:
            tokens, seconds = self._so_far.get(point, (0.0, 0.0))
            tokens, seconds = tokens + per_s * (t1 - t0), seconds + (t1 - t0)
            self._so_far[point] = (tokens, seconds)
            self._rate.append(t, per_second(tokens, seconds))
        if watts is not None:
            shown = point if inside else 0
            self._series(shown).append(per_s, watts)
            self._dirty_points.add(shown)

    def in_window(self, point: int, t: float) -> bool:
        """Whether time ``t`` lies in point ``point``'s measurement window as known so far."""
        span = self._windows.get(point)
        if point <= 0 or span is None or span[0] is None or t < span[0]:
            return False
        return span[1] is None or t <= span[1]

    def window_opened(self, point: int, t: float) -> None:
        """Point ``point`` began measuring at ``t`` (its warm-up is over)."""
        self._windows[point] = [t, None]

    def window_closed(self, point: int, t: float) -> None:
        """Point ``point`` finished at ``t``."""
        span = self._windows.get(point)
        if span is not None and span[1] is None:
            span[1] = t

    def mark_point(self, t: float, point: int, name: str = "") -> None:
        """A dashed line where point ``point`` starts, on both time plots; ``name`` (precision,
        lengths, users) names it in the headline's legend and on hover. A point started again
        (measured again after a pause) sends what its earlier attempt drew to grey."""
        colour = plotting.point_colour(point)
        for plot, label in ((self.power_plot, str(point)), (self.tokens_plot, None)):
            line = pg.InfiniteLine(pos=t, angle=90, movable=False,
                                   pen=plotting.pen(colour, Qt.PenStyle.DashLine), label=label,
                                   labelOpts={"position": 0.95, "color": colour})
            plot.addItem(line, ignoreBounds=True)
            self._markers.append((plot, line))
        self._names[point] = name or str(point)
        earlier = self._pairs.get(point)
        if earlier is not None and len(earlier):
            grey = self._series(0)
            grey.extend(np.column_stack([earlier.column(0), earlier.column(1)]))
            earlier.clear()
            self._dirty_points.update((0, point))
        self._windows.pop(point, None)
        self._so_far.pop(point, None)
        self._rate.append(t, None)  # the running rate starts afresh with each point
        self._series(point)
        self._show_legend()

    def point_name(self, point: int) -> str:
        """How the legend and the hover name point ``point``."""
        if point <= 0:
            return self.tr("idle, warm-up or changeover")
        return self._names.get(point, str(point))

    def _tip(self, x: float, y: float, data: object) -> str:
        point = int(data) if isinstance(data, (int, float)) else 0
        return f"{self.point_name(point)}\n{x:,.0f} · {y:,.1f} W"

    def _series(self, point: int) -> GrowBuffer:
        buf = self._pairs.get(point)
        if buf is None:
            buf = self._pairs[point] = GrowBuffer(2, 1024)
            colour = plotting.point_colour(point)
            item = pg.ScatterPlotItem(pen=None, symbol=plotting.point_symbol(point),
                                      size=6 if point > 0 else 4, brush=pg.mkBrush(colour),
                                      hoverable=True, tip=self._tip)
            item.setZValue(-1 if point <= 0 else point)
            self.headline_plot.addItem(item)
            self._scatter[point] = item
            self._dirty_points.update(self._scatter)
        return buf

    def legend_names(self) -> list[str]:
        """The names the headline's legend shows, in order."""
        return [label.text for _, label in self.legend.items]

    def _show_legend(self) -> None:
        self.legend.clear()
        latest = sorted(p for p in self._scatter if p > 0)[-LEGEND_POINTS:]
        for point in latest:
            self.legend.addItem(self._scatter[point], self.point_name(point))
        if 0 in self._scatter:
            self.legend.addItem(self._scatter[0], self.point_name(0))

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
            self.rate_curve.setData(self._rate.column(0), self._rate.column(1))

    def _draw_headline(self) -> None:
        limit = max(MIN_SPOTS, HEADLINE_SPOTS // max(1, len(self._scatter)))
        for point in self._dirty_points:
            buf = self._pairs[point]
            step = max(1, -(-len(buf) // limit))
            x = buf.column(0)[::step]
            self._scatter[point].setData(x=x, y=buf.column(1)[::step], data=[point] * len(x))
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
