"""Compare chips: tick two or more sessions (endpoints and on-device alike) and see throughput,
TTFT, tokens/s per W and J/token against users, a colour per session, with matching sweep points
aligned in a table; export the comparison as a workbook and PNGs (what ``kperf compare`` writes).
The figures are the sessions' own Summary values, read by :mod:`kperf_gui.session.compare`."""
from __future__ import annotations

import html
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QGridLayout, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from kperf_gui.session import compare

from . import columns, plotting, workers
from .session_list import SessionList, entry_for
from .sessions import list_sessions
from .settings import sessions_root

SYMBOLS = ("o", "s", "d", "t", "t1", "p", "h", "star", "+", "x")


class CompareView(QWidget):
    """``logged(level, text)`` for the log pane."""

    logged = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.sessions: list[compare.ComparedSession] = []
        self.busy = False
        self.list = SessionList(checkable=True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        refresh = QPushButton(self.tr("Refresh"))
        refresh.clicked.connect(self.refresh)
        add = QPushButton(self.tr("Add folder…"))
        add.clicked.connect(self.add_folder)
        self.compare_button = QPushButton(self.tr("Compare ticked sessions"))
        self.compare_button.clicked.connect(self.compare)
        self.export_button = QPushButton(self.tr("Export comparison…"))
        self.export_button.setToolTip(self.tr("Write comparison.xlsx and the four PNGs into a "
                                              "folder (as kperf compare does)"))
        self.export_button.clicked.connect(self.choose_export)
        self.note = QLabel(self.tr("Tick two or more sessions, then press Compare."))
        self.note.setWordWrap(True)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(refresh)
        row.addWidget(add)
        row.addStretch(1)
        ll.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(self.compare_button)
        row2.addWidget(self.export_button)
        row2.addStretch(1)
        ll.addLayout(row2)
        ll.addWidget(self.note)

        self.plots: dict[str, pg.PlotWidget] = {}
        grid_box = QWidget()
        grid = QGridLayout(grid_box)
        grid.setContentsMargins(0, 0, 0, 0)
        titles = {"output_tokens_per_s": (self.tr("Throughput"), self.tr("output tokens/s")),
                  "ttft_ms_p50": (self.tr("Time to first token (p50)"), self.tr("TTFT (ms)")),
                  "output_tokens_per_s_per_w": (self.tr("Tokens per second per watt"),
                                                self.tr("tokens/s per W")),
                  "joules_per_output_token": (self.tr("Energy per token"), self.tr("J/token"))}
        for i, (column, _, _) in enumerate(compare.METRICS):
            title, y = titles[column]
            w = plotting.new_plot(title, self.tr("concurrent users"), y, grid=True)
            w.getPlotItem().setLogMode(x=True, y=False)
            self.plots[column] = w
            grid.addWidget(w, i // 2, i % 2)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        figures = QWidget()
        fl = QVBoxLayout(figures)
        fl.setContentsMargins(0, 0, 0, 0)
        fl.addWidget(self.legend)
        fl.addWidget(grid_box, 1)
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.views = QTabWidget()
        self.views.addTab(figures, self.tr("Figures"))
        self.views.addTab(self.table, self.tr("Aligned points"))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.views)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([420, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.compare_button.setEnabled(not self.busy)
        self.export_button.setEnabled(not self.busy and len(self.sessions) >= 2)

    def _say(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setStyleSheet("color: #b00020;" if error else "")

    # --- choosing ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """List the sessions folder's sessions again (ticks are kept)."""
        workers.submit(list_sessions, sessions_root(), done=self.list.set_entries,
                       failed=lambda m: self._say(m, True))

    def add_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Add a session folder"),
                                                str(sessions_root()))
        if path:
            self.add(Path(path))

    def add(self, folder: Path) -> None:
        """Add a session folder to the list, ticked."""
        if not (Path(folder) / "session.sqlite").is_file():
            self._say(self.tr("{0} holds no session.sqlite.").format(folder), True)
            return
        self.list.add_entry(entry_for(Path(folder)), ticked=True)

    # --- comparing ---------------------------------------------------------------------------

    def compare(self, folders: Sequence[Path] | None = None) -> None:
        """Read the ticked sessions (or ``folders``) off the GUI thread and show them."""
        folders = list(folders) if folders is not None else self.list.ticked()
        if len(folders) < 2:
            self._say(self.tr("Tick two or more sessions to compare."), True)
            return
        self.busy = True
        self._update_buttons()
        self._say(self.tr("Reading %n session(s)…", "", len(folders)))
        workers.submit(compare.read_sessions, folders, done=self._compared,
                       failed=self._failed)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update_buttons()
        self._say(self.tr("The sessions could not be compared: {0}").format(message), True)
        self.logged.emit("error", self.note.text())

    def _compared(self, sessions: list[compare.ComparedSession]) -> None:
        self.busy = False
        self.sessions = sessions
        self._draw(sessions)
        self._fill_table(sessions)
        table = compare.aligned(sessions)
        shared = int((table["sessions"] >= 2).sum())
        self._say(self.tr("%n session(s) compared", "", len(sessions)) + " · " +
                  self.tr("%n sweep point(s) measured in two or more of them", "", shared))
        self._update_buttons()

    def _draw(self, sessions: Sequence[compare.ComparedSession]) -> None:
        users: set[int] = set()
        groups: list[str] = []
        for column, w in self.plots.items():
            item = w.getPlotItem()
            item.clear()
            for i, s in enumerate(sessions):
                colour = plotting.point_colour(i + 1)
                for group, x, y, ok in compare.series(s, column):
                    if group not in groups:
                        groups.append(group)
                    symbol = SYMBOLS[groups.index(group) % len(SYMBOLS)]
                    item.addItem(pg.PlotDataItem(x, y, pen=plotting.pen(colour), symbol=symbol,
                                                 symbolSize=7, symbolBrush=colour,
                                                 symbolPen=colour, name=f"{s.label}: {group}"))
                    if (~ok).any():
                        item.addItem(pg.PlotDataItem(x[~ok], y[~ok], pen=None, symbol=symbol,
                                                     symbolSize=7, symbolBrush="w",
                                                     symbolPen=colour))
                    users.update(int(u) for u in x)
        ticks = [[(float(np.log10(u)), str(u)) for u in sorted(users) if u > 0], []]
        for w in self.plots.values():
            w.getPlotItem().getAxis("bottom").setTicks(ticks)
            w.getPlotItem().enableAutoRange()
        parts = []
        for i, s in enumerate(sessions):
            colour = plotting.point_colour(i + 1).name()
            unit = self.tr(" (per inference)") if s.unit == columns.INFERENCE else ""
            parts.append(f'<span style="color:{colour}">■</span> {html.escape(s.label)}{unit}')
        shapes = {"o": "●", "s": "■", "d": "◆", "t": "▼", "t1": "▲", "p": "⬟", "h": "⬢",
                  "star": "★", "+": "+", "x": "×"}
        marks = [f"{shapes[SYMBOLS[i % len(SYMBOLS)]]} {html.escape(g)}"
                 for i, g in enumerate(groups)]
        self.legend.setText("&nbsp;&nbsp; ".join(parts) + "<br>" + "&nbsp;&nbsp; ".join(marks)
                            + "&nbsp;&nbsp; " + self.tr("hollow: invalid point"))

    def _fill_table(self, sessions: Sequence[compare.ComparedSession]) -> None:
        table = compare.aligned(sessions)
        shown = [c for c in table.columns if not c.startswith("invalid_reason [")]
        heads = []
        for c in shown:
            column, _, label = c.partition(" [")
            title = self.tr("Sessions") if c == "sessions" else columns.title(column)
            heads.append(f"{title}\n{label.rstrip(']')}" if label else title)
        self.table.setColumnCount(len(shown))
        self.table.setHorizontalHeaderLabels(heads)
        for i, c in enumerate(shown):
            self.table.horizontalHeaderItem(i).setToolTip(c)
        self.table.setRowCount(len(table))
        for r, row in enumerate(table.itertuples(index=False)):
            values = dict(zip(table.columns, row))
            for c, key in enumerate(shown):
                column = key.partition(" [")[0]
                value = values[key]
                if value is None or value is pd.NA:
                    text = ""
                elif column == "sessions":
                    text = str(int(value))
                else:
                    text = columns.text(column, value)
                item = QTableWidgetItem(text)
                if isinstance(value, (int, float, np.integer, np.floating)) and \
                        not isinstance(value, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                label = key.partition(" [")[2]
                reason = values.get(f"invalid_reason [{label}") if label else ""
                if reason:
                    item.setToolTip(str(reason))
                self.table.setItem(r, c, item)

    # --- export ------------------------------------------------------------------------------

    def choose_export(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Export the comparison to"),
                                                str(sessions_root()))
        if path:
            self.export(Path(path))

    def export(self, out: Path) -> None:
        if len(self.sessions) < 2 or self.busy:
            return
        self.busy = True
        self._update_buttons()
        workers.submit(compare.write_comparison, list(self.sessions), out,
                       done=lambda written: self._exported(out, written), failed=self._failed)

    def _exported(self, out: Path, written: list[Path]) -> None:
        self.busy = False
        self._update_buttons()
        text = self.tr("Comparison written to {0}: {1}").format(
            out, ", ".join(p.name for p in written))
        self._say(text)
        self.logged.emit("info", text)
