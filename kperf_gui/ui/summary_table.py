"""A read-only table of Summary rows: the live table of finished points, and the Results table."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from . import columns

INVALID = QColor(255, 225, 220)


REASON_WIDTH = 260
"""Pixels given to the "Why invalid" column; the whole reason is its tooltip."""


class SummaryTable(QTableWidget):
    """One row per sweep point; ``keys`` are Summary column names, those in ``inference_only``
    shown only for points per inference (:meth:`set_unit`). ``frozen_first``: the point number
    stands in the row header, which does not scroll away sideways, instead of a column."""

    def __init__(self, keys: Iterable[str], inference_only: Iterable[str] = (),
                 parent: QWidget | None = None, frozen_first: bool = False):
        self.keys = tuple(keys)
        self.inference_only = tuple(inference_only)
        self.frozen_first = frozen_first and bool(self.keys) and self.keys[0] == "point"
        self.unit = columns.TOKEN
        super().__init__(0, len(self.keys), parent)
        self.set_unit(columns.TOKEN)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(self.frozen_first)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        if "invalid_reason" in self.keys:
            i = self.keys.index("invalid_reason")
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(i, REASON_WIDTH)

    def set_unit(self, unit: str) -> None:
        """Titles and columns for points per ``unit`` (token or inference)."""
        self.unit = unit
        self.setHorizontalHeaderLabels([columns.title(k, unit) for k in self.keys])
        hidden = columns.NOT_FOR_INFERENCE if unit == columns.INFERENCE else self.inference_only
        for i, k in enumerate(self.keys):
            self.horizontalHeaderItem(i).setToolTip(k)
            self.setColumnHidden(i, k in hidden or (self.frozen_first and i == 0))

    def set_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.setRowCount(0)
        for row in rows:
            self.add_row(row)
        if "invalid_reason" in self.keys:  # as wide as its reasons, up to REASON_WIDTH
            i = self.keys.index("invalid_reason")
            header = self.horizontalHeader().sectionSizeFromContents(i).width()
            self.setColumnWidth(i, max(header, min(self.sizeHintForColumn(i), REASON_WIDTH)))

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
            elif k == "invalid_reason" and reason:
                item.setToolTip(reason)
            self.setItem(r, c, item)
        if self.frozen_first:
            head = QTableWidgetItem(columns.text("point", row.get("point")))
            head.setToolTip(reason if not valid else "")
            if not valid:
                head.setBackground(QBrush(INVALID))
                head.setText(head.text() + " ✗")
            self.setVerticalHeaderItem(r, head)
        if reason and self.keys[-1] == "invalid_reason":  # the last column: the whole reason
            self.setRowHeight(r, max(self.rowHeight(r), self.sizeHintForRow(r)))
        self.scrollToBottom()

    def cell_text(self, row: int, key: str) -> str:
        item = self.item(row, self.keys.index(key))
        return item.text() if item is not None else ""
