"""The sessions in the sessions folder: name, date, status, chip/model and valid points. The Open
session dialog picks one; the Compare view ticks several."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFileDialog,
                               QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from . import event_text, workers
from .sessions import SessionEntry, describe, list_sessions
from .settings import sessions_root

FOLDER_ROLE = Qt.ItemDataRole.UserRole


def started_text(utc: str) -> str:
    """``2026-03-14 18:30`` in local time, from the journal's UTC start."""
    try:
        when = _dt.datetime.fromisoformat(utc.replace("Z", "+00:00"))
    except ValueError:
        return utc
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


class SessionList(QTableWidget):
    """Sessions, newest first; ``checkable`` puts a tick box before each name.
    ``activated_folder(Path)`` on a double click."""

    activated_folder = Signal(Path)

    def __init__(self, checkable: bool = False, parent: QWidget | None = None):
        super().__init__(0, 5, parent)
        self.checkable = checkable
        self.entries: list[SessionEntry] = []
        self.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Started"), self.tr("Status"),
                                        self.tr("Chip / model"), self.tr("Valid points")])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.cellDoubleClicked.connect(self._double_clicked)

    def set_entries(self, entries: Sequence[SessionEntry], ticked: Sequence[Path] = ()) -> None:
        """List ``entries``; ticked sessions stay ticked, and stay listed when they are not
        among ``entries`` (added from another folder)."""
        keep = {Path(p) for p in ticked} | set(self.ticked())
        listed = {e.folder for e in entries}
        added = [e for e in self.entries if e.folder in keep and e.folder not in listed]
        self.entries = list(entries) + added
        self.setRowCount(0)
        for e in self.entries:
            self._add(e, e.folder in keep)

    def add_entry(self, entry: SessionEntry, ticked: bool = True) -> None:
        """Add (or tick) one session, e.g. from a folder outside the sessions folder."""
        for r, e in enumerate(self.entries):
            if e.folder == entry.folder:
                if self.checkable:
                    self.item(r, 0).setCheckState(Qt.CheckState.Checked if ticked
                                                  else Qt.CheckState.Unchecked)
                self.selectRow(r)
                return
        self.entries.append(entry)
        self._add(entry, ticked)
        self.selectRow(self.rowCount() - 1)

    def _add(self, e: SessionEntry, ticked: bool) -> None:
        r = self.rowCount()
        self.insertRow(r)
        model = " · ".join(p for p in (e.model, kind_text(e.kind)) if p)
        if e.points is None:
            valid = "—"
        elif e.valid is None:
            valid = self.tr("— of {0}").format(e.points)
        else:
            valid = self.tr("{0} of {1}").format(e.valid, e.points)
        texts = (e.name, started_text(e.started_utc), status_text(e.status), model, valid)
        for c, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setData(FOLDER_ROLE, str(e.folder))
            item.setToolTip(str(e.folder))
            if c == 4:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(r, c, item)
        if self.checkable:
            first = self.item(r, 0)
            first.setFlags(first.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            first.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def ticked(self) -> list[Path]:
        """The ticked sessions' folders, in list order."""
        out = []
        for r in range(self.rowCount()):
            item = self.item(r, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(Path(item.data(FOLDER_ROLE)))
        return out

    def current_folder(self) -> Path | None:
        item = self.item(self.currentRow(), 0) if self.currentRow() >= 0 else None
        return Path(item.data(FOLDER_ROLE)) if item is not None else None

    def _double_clicked(self, row: int, _column: int) -> None:
        item = self.item(row, 0)
        if item is not None:
            self.activated_folder.emit(Path(item.data(FOLDER_ROLE)))


def status_text(status: str) -> str:
    return event_text.status_text(status)


def kind_text(kind: str) -> str:
    from PySide6.QtCore import QCoreApplication

    texts = {"simulated": QCoreApplication.translate("SessionList", "simulator"),
             "openai": QCoreApplication.translate("SessionList", "endpoint"),
             "deepx": QCoreApplication.translate("SessionList", "DEEPX NPU"),
             "command": QCoreApplication.translate("SessionList", "vendor program")}
    return texts.get(kind, kind)


class SessionPicker(QDialog):
    """Open session: the sessions folder's sessions, or any folder through Browse."""

    def __init__(self, parent: QWidget | None = None, root: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open a session"))
        self.root = Path(root) if root is not None else sessions_root()
        self.chosen: Path | None = None
        self.where = QLabel(self.tr("Sessions in {0}").format(self.root))
        self.where.setWordWrap(True)
        self.list = SessionList()
        self.list.activated_folder.connect(self._choose)
        self.note = QLabel(self.tr("Looking for sessions…"))
        self.note.setWordWrap(True)
        browse = QPushButton(self.tr("Another folder…"))
        browse.clicked.connect(self._browse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(browse, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(lambda: self._choose(self.list.current_folder()))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.resize(760, 420)
        workers.submit(list_sessions, self.root, done=self._listed, failed=self._not_listed)

    def _listed(self, entries: list[SessionEntry]) -> None:
        self.list.set_entries(entries)
        if entries:
            self.list.selectRow(0)
            self.note.setText(self.tr("%n session(s). Double-click one to open it.", "",
                                      len(entries)))
        else:
            self.note.setText(self.tr("No sessions in this folder yet. Use “Another folder…” to "
                                      "open one saved elsewhere."))

    def _not_listed(self, message: str) -> None:
        self.note.setText(self.tr("The sessions folder could not be read: {0}").format(message))

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a session folder"),
                                                str(self.root))
        if path:
            self._choose(Path(path))

    def _choose(self, folder: Path | None) -> None:
        if folder is None:
            return
        self.chosen = Path(folder)
        self.accept()


def pick_session(parent: QWidget | None = None) -> Path | None:
    """Show the Open session dialog; the chosen folder, or None."""
    dialog = SessionPicker(parent)
    dialog.exec()
    return dialog.chosen


def entry_for(folder: Path) -> SessionEntry:
    """A folder chosen outside the list, described as the list describes its own."""
    return describe(Path(folder))
