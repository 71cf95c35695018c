"""Shared pyqtgraph set-up: light background, no OpenGL, thin pens, one colour per point."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor

IDLE_COLOUR = QColor(150, 150, 150)
GOLDEN = 0.6180339887498949
"""Successive points' hues step round the colour wheel by the golden ratio: no hue comes back,
and points close in number are far apart in hue."""
VALUES = (0.85, 0.55, 1.0)
"""Brightness levels taken in turn, so that points whose hues come close still differ."""
SYMBOLS = ("o", "s", "t", "d", "star", "h")
"""One symbol per ten points: point 11 differs from point 1 in shape as well as colour."""
POWER_COLOUR = QColor(200, 60, 30)
TOKENS_COLOUR = QColor(30, 90, 200)


def configure() -> None:
    """Global pyqtgraph options; call once before the first plot is made."""
    pg.setConfigOptions(background="w", foreground="k", antialias=False, useOpenGL=False,
                        enableExperimental=False)


def point_colour(point: int) -> QColor:
    """The colour of sweep point ``point`` (grey for 0: outside any point). Never grey, never
    the same for two points of a sweep."""
    if point <= 0:
        return IDLE_COLOUR
    i = point - 1
    return QColor.fromHsvF((i * GOLDEN) % 1.0, 0.9, VALUES[i % len(VALUES)])


def point_symbol(point: int) -> str:
    """The symbol of sweep point ``point`` in scatter plots (a dot outside any point)."""
    if point <= 0:
        return "o"
    return SYMBOLS[((point - 1) // 10) % len(SYMBOLS)]


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
