"""Results: the Summary table and the post-sweep curves of a session, opened from the list of
sessions or any folder; one-button export; the folder in the file manager; and the Compare view.

Whatever is shown belongs to the folder named above it: opening another session empties the view
first, a reading that comes back for a folder no longer shown is dropped, and a session that is
not shown (declined, failed) leaves the view empty with the reason."""
from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

import pandas as pd
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from kperf_gui.session.data import SUMMARY_COLUMNS, SessionData

from . import sessions, workers
from .banner import Banner
from .columns import RESULTS_ORDER, unit_of
from .compare_view import CompareView
from .curves import SweepCurves
from .record import record_rows
from .session_list import pick_session
from .settings import LAST_SESSION, settings
from .signing import WitnessBar
from .summary_table import SummaryTable


class ResultsPanel(QWidget):
    """Shows one session at a time. ``logged(level, text)`` for the log pane; ``loaded(folder)``
    once a session is on screen; ``declined(folder)`` when an interrupted session was left as
    it is."""

    logged = Signal(str, str)
    loaded = Signal(str)
    declined = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.folder: Path | None = None
        self.data: SessionData | None = None
        self._reading: Path | None = None
        self.busy = False
        self.live_folder: Callable[[], str] = lambda: ""

        self.open_button = QPushButton(self.tr("Open session…"))
        self.open_button.clicked.connect(self.choose_session)
        self.export_button = QPushButton(self.tr("Export results"))
        self.export_button.setToolTip(self.tr("Rebuild results.xlsx, summary.csv, the PNG plots "
                                              "and manifest.json from the journal"))
        self.export_button.clicked.connect(self.export)
        self.folder_button = QPushButton(self.tr("Open folder"))
        self.folder_button.clicked.connect(self.open_folder)
        self.where = QLabel(self.tr("No session open."))
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.addWidget(self.open_button)
        bar.addWidget(self.export_button)
        bar.addWidget(self.folder_button)
        bar.addWidget(self.where, 1)
        self.banner = Banner()
        self.witness = WitnessBar()  # signatures, notes, sealing; bundles open read-only
        self.witness.logged.connect(self.logged)
        self.witness.bundle_opened.connect(lambda f: self.open_session(Path(f)))

        self.summary = SummaryTable(RESULTS_ORDER, frozen_first=True)
        self.curves = SweepCurves()
        self.info = QTableWidget(0, 3)
        self.info.setHorizontalHeaderLabels([self.tr("Section"), self.tr("Item"), self.tr("Value")])
        self.info.verticalHeader().setVisible(False)
        self.info.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.info.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.info.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.info.horizontalHeader().setStretchLastSection(True)
        self.info.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary, self.tr("Summary"))
        self.tabs.addTab(self.curves, self.tr("Curves"))
        self.tabs.addTab(self.info, self.tr("Session record"))
        self.compare = CompareView()
        self.compare.logged.connect(self.logged)
        self.tabs.addTab(self.compare, self.tr("Compare"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self._compare_listed = False

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.witness)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.data is not None and not self.busy
        self.export_button.setEnabled(has and not self.witness.read_only)
        self.folder_button.setEnabled(self.folder is not None)
        self.open_button.setEnabled(not self.busy)

    def _busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        if text:
            self.banner.say(text, "info")
        self._update_buttons()

    # --- opening ---------------------------------------------------------------------------

    def choose_session(self) -> None:
        """The list of sessions in the sessions folder (or another folder) to open one."""
        folder = pick_session(self)
        if folder is not None:
            self.open_session(folder)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.compare and not self._compare_listed:
            self._compare_listed = True
            self.compare.refresh()

    def clear_view(self, folder: Path | None, reason: str = "", level: str = "info") -> None:
        """Show nothing of any session: ``folder`` (or none) named above, ``reason`` in the
        banner."""
        self.folder = folder
        self.data = None
        self._reading = None
        self.where.setText(str(folder) if folder is not None else self.tr("No session open."))
        self.summary.setRowCount(0)
        self.curves.show_summary(pd.DataFrame(columns=list(SUMMARY_COLUMNS)))
        self.info.setRowCount(0)
        self.witness.show_session(None)
        if reason:
            self.banner.say(reason, level)
        else:
            self.banner.clear_message()
        self._update_buttons()

    def open_session(self, folder: Path, writer_gone: bool = False) -> None:
        """Show a session: a finished one read-only; an interrupted one after closing its journal
        (asked first); one a run is still writing is refused. ``writer_gone``: its run is known
        to have exited."""
        folder = Path(folder)
        state = sessions.state(folder, writer_gone)
        if state == sessions.MISSING:
            self.banner.say(self.tr("{0} holds no session.sqlite. Choose a session folder written "
                                    "by K-Perf Lab or kperf.").format(folder), "error")
            return
        if state == sessions.LIVE or str(folder) == self.live_folder():
            self.banner.say(self.tr("A run is still writing {0}. Open it when the run has "
                                    "ended.").format(folder), "warning")
            return
        self.clear_view(folder)
        settings().setValue(LAST_SESSION, str(folder))
        if state == sessions.UNFINISHED:
            answer = QMessageBox.question(
                self, self.tr("Interrupted session"),
                self.tr("This session's run ended without finishing. Close its journal, mark it "
                        "interrupted and rebuild its results from what was measured?"))
            if answer != QMessageBox.StandardButton.Yes:
                self.clear_view(folder, self.tr("The interrupted session was left as it is, so "
                                                "nothing of it is shown. Open it again and "
                                                "answer Yes to rebuild its results."), "warning")
                self.declined.emit(str(folder))
                return
            self._read(folder, sessions.recover, self.tr("Closing the interrupted journal and "
                                                        "rebuilding the results…"))
            return
        self._read(folder, sessions.read, self.tr("Reading the session…"))

    def _read(self, folder: Path, fn: Callable[[Path], SessionData], text: str) -> None:
        self._reading = folder
        self._busy(True, text)
        workers.submit(fn, folder, done=partial(self._shown_for, folder),
                       failed=partial(self._failed_for, folder))

    def _shown_for(self, folder: Path, data: SessionData) -> None:
        if folder == self._reading:
            self._shown(data)

    def _failed_for(self, folder: Path, message: str) -> None:
        if folder == self._reading:
            self._reading = None
            self._failed(message)

    def _shown(self, data: SessionData) -> None:
        self._reading = None
        self.data = data
        self._busy(False)
        rows = data.summary.to_dict("records")
        self.summary.set_unit(unit_of(rows))
        self.summary.set_rows(rows)
        self.curves.show_summary(data.summary)
        self.info.setRowCount(0)
        for section, key, value in record_rows(data.info):
            r = self.info.rowCount()
            self.info.insertRow(r)
            for c, text in enumerate((section, key, value)):
                self.info.setItem(r, c, QTableWidgetItem(str(text)))
        n = len(data.summary)
        bad = int((~data.summary["valid"].astype(bool)).sum()) if n else 0
        if data.interrupted:
            self.banner.say(self.tr("Interrupted run: the results cover only what was measured "
                                    "before it stopped (%n point(s)).", "", n), "warning")
        elif bad:
            self.banner.say(self.tr("%n point(s) invalid; hover over a shaded row for why.", "",
                                    bad), "warning")
        else:
            self.banner.say(self.tr("Session {0}: %n point(s), all valid.", "", n)
                            .format(data.name), "ok")
        self.logged.emit("info", self.tr("Opened session {0}").format(self.folder))
        self.witness.show_session(self.folder)
        self._update_buttons()
        self.loaded.emit(str(self.folder))

    def _failed(self, message: str) -> None:
        self._busy(False)
        text = self.tr("The session could not be read: {0}").format(message)
        self.clear_view(self.folder, text, "error")
        self.logged.emit("error", text)

    # --- export and folder -----------------------------------------------------------------

    def export(self) -> None:
        """Rebuild the session's outputs from its journal, off the GUI thread."""
        if self.folder is None or self.busy:
            return
        if str(self.folder) == self.live_folder():
            self.banner.say(self.tr("A run is still writing this session; export it when the "
                                    "run has ended."), "warning")
            return
        self._reading = self.folder
        self._busy(True, self.tr("Exporting…"))
        workers.submit(sessions.export_outputs, self.folder,
                       done=partial(self._exported, self.folder),
                       failed=partial(self._failed_for, self.folder))

    def _exported(self, folder: Path, data: SessionData) -> None:
        if folder != self._reading:
            return
        self._shown(data)
        text = self.tr("Exported results.xlsx, summary.csv, the plots and manifest.json to {0}.") \
            .format(self.folder)
        self.banner.say(text, "ok")
        self.logged.emit("info", text)

    def open_folder(self) -> None:
        """Show the folder in the file manager; where there is none, say where it is."""
        if self.folder is None:
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder))):
            text = self.tr("No file manager could be opened. The session is in {0} (the path "
                           "above can be selected and copied).").format(self.folder)
            self.banner.say(text, "warning")
            self.logged.emit("warning", text)
