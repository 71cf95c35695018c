"""Shared pyqtgraph set-up: light background, no OpenGL, thin pens, one colour per point."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor

IDLE_COLOUR = QColor(150, 150, 150)
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")  # distinct on screen and in print; grey is kept for idle
POWER_COLOUR = QColor(200, 60, 30)
TOKENS_COLOUR = QColor(30, 90, 200)


def configure() -> None:
    """Global pyqtgraph options; call once before the first plot is made."""
    pg.setConfigOptions(background="w", foreground="k", antialias=False, useOpenGL=False,
                        enableExperimental=False)


def point_colour(point: int) -> QColor:
    """The colour of sweep point ``point`` (grey for 0: outside any point)."""
    if point <= 0:
        return IDLE_COLOUR
    return QColor(PALETTE[(point - 1) % len(PALETTE)])


def pen(colour: QColor, style=None) -> pg.QtGui.QPen:  # type: ignore[no-untyped-def]
    p = pg.mkPen(colour, width=1)
    if style is not None:
        p.setStyle(style)
    return p


def new_plot(title: str, x_label: str, y_label: str, grid: bool = False) -> pg.PlotWidget:
    """A plot with a title, labelled axes and no SI prefixes on the axes. A grid costs several
    milliseconds a redraw, so only plots that are drawn once (the results) have one."""
    w = pg.PlotWidget()
    item = w.getPlotItem()
    item.setTitle(title, size="10pt")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    if grid:
        item.showGrid(x=True, y=True, alpha=0.2)
    for side in ("bottom", "left"):
        item.getAxis(side).enableAutoSIPrefix(False)
    item.setMenuEnabled(False)
    w.setMinimumSize(240, 130)
    return w
