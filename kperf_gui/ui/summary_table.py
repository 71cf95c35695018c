"""A read-only table of Summary rows: the live table of finished points, and the Results table."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from . import columns

INVALID = QColor(255, 225, 220)


class SummaryTable(QTableWidget):
    """One row per sweep point; ``keys`` are Summary column names, those in ``inference_only``
    shown only for points per inference (:meth:`set_unit`)."""

    def __init__(self, keys: Iterable[str], inference_only: Iterable[str] = (),
                 parent: QWidget | None = None):
        self.keys = tuple(keys)
        self.inference_only = tuple(inference_only)
        self.unit = columns.TOKEN
        super().__init__(0, len(self.keys), parent)
        self.set_unit(columns.TOKEN)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    def set_unit(self, unit: str) -> None:
        """Titles and columns for points per ``unit`` (token or inference)."""
        self.unit = unit
        self.setHorizontalHeaderLabels([columns.title(k, unit) for k in self.keys])
        hidden = columns.NOT_FOR_INFERENCE if unit == columns.INFERENCE else self.inference_only
        for i, k in enumerate(self.keys):
            self.horizontalHeaderItem(i).setToolTip(k)
            self.setColumnHidden(i, k in hidden)

    def set_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.setRowCount(0)
        for row in rows:
            self.add_row(row)

    def add_row(self, row: Mapping[str, Any]) -> None:
        """Append one Summary row; invalid points are shaded, with the reason as tooltip."""
        r = self.rowCount()
        self.insertRow(r)
        valid = str(row.get("valid", True)).lower() in ("true", "1")
        reason = str(row.get("invalid_reason") or "")
        for c, k in enumerate(self.keys):
            item = QTableWidgetItem(columns.text(k, row.get(k)))
            value = row.get(k)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not valid:
                item.setBackground(QBrush(INVALID))
                item.setToolTip(reason)
            self.setItem(r, c, item)
        self.scrollToBottom()

    def cell_text(self, row: int, key: str) -> str:
        item = self.item(row, self.keys.index(key))
        return item.text() if item is not None else ""
