"""The ``[target]`` fields of the on-device kinds: a DEEPX NPU through DX-RT (model file, NPU ids)
and a vendor benchmark program (program and arguments, parser, settle time, working folder, and
the expressions of the ``regex`` parser)."""
from __future__ import annotations

import re
import shlex
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QFileDialog,
                               QHBoxLayout, QHeaderView, QLineEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QWidget)

from drivers.targets.parsers import PARSERS, REGEX_FIELDS
from kperf_gui.session import plan_schema

from .forms import FieldError, FieldErrors, int_list, join, put

DEEPX, COMMAND = "deepx", "command"
ON_DEVICE = (DEEPX, COMMAND)
DEEPX_KEYS = ("model_path", "devices")
COMMAND_KEYS = ("command", "parser", "settle_s", "cwd", "regex")


_NEEDS_QUOTES = re.compile(r"[\s'\"\\]")


def command_text(value: Any) -> str:
    """A plan's ``target.command`` (a list, or a string as given) as one shell-like line; only
    arguments that :func:`command_list` would split or unquote are quoted."""
    if isinstance(value, (list, tuple)):
        return " ".join(a if a and not _NEEDS_QUOTES.search(a) else shlex.quote(a)
                        for a in (str(v) for v in value))
    return "" if value is None else str(value)


def command_list(text: str) -> list[str]:
    """One shell-like line as the program and its arguments; ValueError for an open quote."""
    return shlex.split(text)


class PathField(QWidget):
    """A path in a line edit with a Browse… button beside it."""

    def __init__(self, button_text: str, browse: Callable[[str], str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit()
        self.button = QPushButton(button_text)
        self.button.clicked.connect(lambda: self._browse(browse))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)

    def _browse(self, browse: Callable[[str], str]) -> None:
        path = browse(self.edit.text())
        if path:
            self.edit.setText(path)

    def text(self) -> str:
        return self.edit.text().strip()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)


class RegexTable(QTableWidget):
    """One row per field the ``regex`` parser reads; an empty expression leaves the field out."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(len(REGEX_FIELDS), 2, parent)
        self.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Regular expression")])
        self.verticalHeader().setVisible(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, name in enumerate(REGEX_FIELDS):
            item = QTableWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, 0, item)
            self.setItem(row, 1, QTableWidgetItem(""))
        self.resizeRowsToContents()
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(height)

    def set_fields(self, fields: Any) -> None:
        fields = fields if isinstance(fields, dict) else {}
        for row, name in enumerate(REGEX_FIELDS):
            self.item(row, 1).setText(str(fields.get(name, "")))

    def fields(self) -> dict[str, str]:
        """Field name -> expression, for the fields that have one."""
        out = {}
        for row, name in enumerate(REGEX_FIELDS):
            expr = self.item(row, 1).text()
            if expr.strip():
                out[name] = expr
        return out


class OnDeviceFields(QObject):
    """The widgets of the deepx and command kinds, registered with ``errors`` under their plan
    keys. :meth:`rows` gives them to a form; :meth:`read` and :meth:`write` move them to and from
    a plan's ``target`` table."""

    def __init__(self, errors: FieldErrors, parent: QWidget):
        super().__init__(parent)
        self._parent = parent
        self.model_path = PathField(self.tr("Browse…"), self._choose_model)
        self.model_path.edit.setPlaceholderText("/models/yolov8n.dxnn")
        self.devices = QLineEdit()
        self.devices.setPlaceholderText(self.tr("NPU ids, e.g. 0, 1 (empty: 0)"))
        self.command = QLineEdit()
        self.command.setPlaceholderText("run_model -m /models/yolov8n.dxnn -t {seconds}")
        self.command.setToolTip(self.tr("The program and its arguments, as on a command line; "
                                        "quote an argument that holds spaces. {concurrency} and "
                                        "{seconds} are filled in for each point."))
        self.parser = QComboBox()
        for name in PARSERS:
            self.parser.addItem(name, name)
        self.parser.setCurrentIndex(self.parser.findData("run_model"))
        self.parser.setToolTip(self.tr("How the program's output is read; “regex” reads it "
                                       "with your own expressions."))
        self.settle = QDoubleSpinBox()
        self.settle.setRange(0.0, plan_schema.key("target.settle_s").high or 0.0)
        self.settle.setDecimals(2)
        self.settle.setSuffix(" s")
        self.settle.setToolTip(self.tr("Seconds at the start of each run of the program that are "
                                       "not measured (model loading), where the program does not "
                                       "say itself when it measured."))
        self.cwd = PathField(self.tr("Browse…"), self._choose_folder)
        self.cwd.edit.setPlaceholderText(self.tr("optional: the folder the program runs in"))
        self.regex = RegexTable()
        self.regex.setToolTip(self.tr("Each expression has one (group) that captures a number; "
                                      "throughput or inferences is needed."))
        self.regex_box = errors.field("target.regex", self.regex)
        """The regex table's row, shown only for the ``regex`` parser."""
        self._rows = [
            (self.tr("Model file"), errors.field("target.model_path", self.model_path), DEEPX),
            (self.tr("NPU devices"), errors.field("target.devices", self.devices), DEEPX),
            (self.tr("Program and arguments"), errors.field("target.command", self.command),
             COMMAND),
            (self.tr("Output parser"), errors.field("target.parser", self.parser), COMMAND),
            (self.tr("Expressions"), self.regex_box, COMMAND),
            (self.tr("Settle time"), errors.field("target.settle_s", self.settle), COMMAND),
            (self.tr("Working folder"), errors.field("target.cwd", self.cwd), COMMAND),
        ]

    def rows(self) -> list[tuple[str, QWidget, str]]:
        """``(label, field, kind)`` for each row, the field wrapped with its error line."""
        return list(self._rows)

    def parser_name(self) -> str:
        return str(self.parser.currentData())

    def read(self, t: dict[str, Any]) -> None:
        """Show the on-device keys of plan table ``t``."""
        self.model_path.set_text(str(t.get("model_path", "")))
        self.devices.setText(join(t.get("devices", "")))
        self.command.setText(command_text(t.get("command")))
        parser = str(t.get("parser", ""))
        if parser and self.parser.findData(parser) < 0:
            self.parser.addItem(parser, parser)
        self.parser.setCurrentIndex(max(0, self.parser.findData(parser or "run_model")))
        settle = t.get("settle_s", 0.0)
        self.settle.setValue(float(settle) if isinstance(settle, (int, float)) else 0.0)
        self.cwd.set_text(str(t.get("cwd", "")))
        self.regex.set_fields(t.get("regex"))

    def write(self, t: dict[str, Any], kind: str) -> None:
        """Put the fields of ``kind`` into ``t`` and take out the keys of the other kinds;
        :class:`FieldError` for a field that cannot be read."""
        others = (DEEPX_KEYS if kind != DEEPX else ()) + (COMMAND_KEYS if kind != COMMAND else ())
        for key in others:
            t.pop(key, None)
        if kind == DEEPX:
            put(t, "model_path", self.model_path.text())
            try:
                devices = int_list(self.devices.text())
            except ValueError:
                raise FieldError("target.devices", self.tr(
                    "Give NPU ids as whole numbers separated by commas, like 0, 1.")) from None
            if devices:
                t["devices"] = devices
            else:
                t.pop("devices", None)
        elif kind == COMMAND:
            try:
                argv = command_list(self.command.text())
            except ValueError:
                raise FieldError("target.command", self.tr(
                    "A quotation mark is not closed in the program and arguments.")) from None
            if argv:
                t["command"] = argv
            else:
                t.pop("command", None)
            t["parser"] = self.parser_name()
            settle = round(self.settle.value(), 2)
            if settle or "settle_s" in t:
                t["settle_s"] = int(settle) if settle.is_integer() else settle
            put(t, "cwd", self.cwd.text())
            fields = self.regex.fields()
            if self.parser_name() == "regex" and fields:
                t["regex"] = fields
            else:
                t.pop("regex", None)

    def _choose_model(self, current: str) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self._parent, self.tr("Choose the compiled model"), current,
            self.tr("DEEPX models (*.dxnn);;All files (*)"))
        return path

    def _choose_folder(self, current: str) -> str:
        return QFileDialog.getExistingDirectory(self._parent,
                                                self.tr("Choose the program's working folder"),
                                                current)
