"""The instrument box of the Instruments page: connect, the instrument's own identity and its
live reading per element (W, V, A, PF)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QGridLayout, QGroupBox, QHeaderView, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QWidget)

from drivers.meters.base import Identity, Reading

FIELDS = ("maker", "model", "serial", "firmware")


class MeterLiveBox(QGroupBox):
    """Shows one meter's connection state; the Instruments page drives it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(self.tr("Instrument"))
        self.connect_button = QPushButton(self.tr("Connect"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.identity = {k: QLabel("—") for k in FIELDS}
        for label in self.identity.values():
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readings = QTableWidget(0, 5)
        self.readings.setHorizontalHeaderLabels([self.tr("Element"), "W", "V", "A", "PF"])
        self.readings.verticalHeader().setVisible(False)
        self.readings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.readings.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.readings.setMinimumHeight(90)
        grid = QGridLayout(self)
        grid.addWidget(self.connect_button, 0, 0)
        grid.addWidget(self.status, 0, 1, 1, 3)
        titles = (self.tr("Maker"), self.tr("Model"), self.tr("Serial"), self.tr("Firmware"))
        for i, (key, title) in enumerate(zip(FIELDS, titles)):
            grid.addWidget(QLabel(title), 1 + i // 2, (i % 2) * 2)
            grid.addWidget(self.identity[key], 1 + i // 2, (i % 2) * 2 + 1)
        grid.addWidget(self.readings, 3, 0, 1, 4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def show_state(self, connected: bool, status: str, error: bool,
                   identity: Identity | None, reading: Reading | None) -> None:
        """Show a meter's state: held or not, a status line (red for an error), its identity
        and its last reading."""
        self.connect_button.setText(self.tr("Disconnect") if connected else self.tr("Connect"))
        self.status.setText(status or self.tr("Not connected."))
        self.status.setStyleSheet("color: #b00020;" if error else "")
        for key, label in self.identity.items():
            label.setText((getattr(identity, key, "") or "—") if identity else "—")
        if reading is not None:
            self.show_reading(reading)
        else:
            self.readings.setRowCount(0)

    def show_reading(self, reading: Reading) -> None:
        self.readings.setRowCount(len(reading.elements))
        for r, el in enumerate(reading.elements):
            values = (str(el.element), _num(el.watts, 1), _num(el.volts, 1), _num(el.amps, 3),
                      _num(el.pf, 3))
            for c, v in enumerate(values):
                item = self.readings.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                    self.readings.setItem(r, c, item)
                item.setText(v)


def _num(v: float | None, digits: int) -> str:
    return "—" if v is None else f"{v:.{digits}f}"
