"""Form helpers: a field with its error line beneath, and the parsing of list fields."""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QDateEdit, QLabel, QVBoxLayout, QWidget

from kperf_gui.session import plan_schema

ERROR_STYLE = "color: #b00020;"


class FieldErrors:
    """Plan keys mapped to their fields, so a plan error shows next to the field it is about."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}

    def field(self, key: str, widget: QWidget) -> QWidget:
        """``widget`` with a hidden error line under it, registered for plan key ``key``
        (a meter's keys by their own name); the row's tooltip is the key's line of the plan
        schema, shown where the widget has no tooltip of its own."""
        box = QWidget()
        box.setToolTip(key_tip(key))
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        label = QLabel()
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        layout.addWidget(label)
        self._fields[key] = (widget, label)
        return box

    def show(self, key: str, message: str) -> QWidget | None:
        """Show ``message`` under the field for ``key`` (or the nearest enclosing key); returns
        the field, or None when no field here holds that key."""
        probe = key
        while probe:
            if probe in self._fields:
                widget, label = self._fields[probe]
                label.setText(message)
                label.show()
                return widget
            probe = probe.rpartition(".")[0]
        return None

    def clear_one(self, key: str) -> None:
        """Take away the error shown under ``key``'s field (it was put right)."""
        pair = self._fields.get(key)
        if pair is not None:
            pair[1].clear()
            pair[1].hide()

    def clear(self) -> None:
        for _, label in self._fields.values():
            label.clear()
            label.hide()

    def message(self, key: str) -> str:
        """The error shown for ``key`` (empty when none)."""
        pair = self._fields.get(key)
        return pair[1].text() if pair else ""


class DateEdit(QDateEdit):
    """A date field where a click selects the part clicked (year, month or day), so that what
    is typed replaces it: Qt's own field ignores digits typed into a full year."""

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mousePressEvent(event)
        section = self.currentSection()
        if section != QDateEdit.Section.NoSection:
            self.setSelectedSection(section)


def key_tip(key: str) -> str:
    """The plan schema's line for ``key`` (``meters[].key`` for a meter's ``key``): meaning,
    allowed values and default; empty for a key the schema does not hold."""
    k = plan_schema.BY_PATH.get(key) or plan_schema.BY_PATH.get(f"meters[].{key}")
    if k is None:
        return ""
    doc = QCoreApplication.translate("PlanKeys", k.doc).replace("`", "")
    default = k.default_doc().replace("`", "")
    return f"{doc}\n{k.path}: {k.bounds_text().replace('`', '')}" + (
        f" ({default})" if default else "")


class FieldError(ValueError):
    """A field's text is not what the plan takes; ``key`` is the plan key."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


def int_list(text: str) -> list[int]:
    """``"128, 1024 4096"`` as ``[128, 1024, 4096]``; ValueError when a part is not a whole
    number."""
    parts = [p for p in re.split(r"[,\s;]+", text.strip()) if p]
    return [int(p) for p in parts]


def label_list(text: str) -> list[str]:
    """``"bf16, fp8"`` as ``["bf16", "fp8"]``."""
    return [p for p in re.split(r"[,\s;]+", text.strip()) if p]


def put(table: dict[str, Any], key: str, value: str) -> None:
    """``table[key] = value``, or the key taken out when ``value`` is empty."""
    if value:
        table[key] = value
    else:
        table.pop(key, None)


def join(values: object) -> str:
    if isinstance(values, (list, tuple)):
        return ", ".join(str(v) for v in values)
    return "" if values is None else str(values)
