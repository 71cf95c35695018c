"""Session and target: who measures what, and where the load goes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from . import settings as app_settings
from . import workers
from .connection import probe, probe_command, probe_deepx, probe_simulator
from .forms import FieldError, FieldErrors, int_list, put
from .target_fields import COMMAND, DEEPX, ON_DEVICE, OnDeviceFields, command_list

SIMULATED, OPENAI = "simulated", "openai"
LANGUAGE_MODEL = (SIMULATED, OPENAI)
_ENDPOINT_KEYS = ("base_url", "model", "api", "api_key_env", "tokenizer")


class SessionPanel(QWidget):
    """Fields of ``[session]`` and ``[target]``; ``name_changed`` follows the session name,
    ``kind_changed`` the target kind. Only the fields of the chosen kind are shown."""

    name_changed = Signal(str)
    kind_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors = FieldErrors()
        self._focus_back = False
        self.name = QLineEdit()
        self.name.setValidator(QRegularExpressionValidator(r"[A-Za-z0-9._-]{0,64}", self.name))
        self.name.setPlaceholderText(self.tr("letters, digits, . _ - (the folder name)"))
        self.operator = QLineEdit()
        self.witness = QLineEdit()
        self.ambient = QLineEdit()
        self.ambient.setPlaceholderText(self.tr("e.g. 23.1 (empty: not recorded)"))
        self.notes = QPlainTextEdit()
        self.notes.setMinimumHeight(64)
        people = QGroupBox(self.tr("Session"))
        form = QFormLayout(people)
        form.addRow(self.tr("Session name"), self.errors.field("session.name", self.name))
        form.addRow(self.tr("Operator"), self.errors.field("session.operator", self.operator))
        form.addRow(self.tr("Witness"), self.errors.field("session.witness", self.witness))
        form.addRow(self.tr("Ambient temperature (°C)"),
                    self.errors.field("session.ambient_c", self.ambient))
        form.addRow(self.tr("Notes"), self.errors.field("session.notes", self.notes))

        self.kind = QComboBox()
        self.kind.addItem(self.tr("Built-in simulator (no hardware)"), SIMULATED)
        self.kind.addItem(self.tr("OpenAI-compatible endpoint"), OPENAI)
        self.kind.addItem(self.tr("DEEPX NPU (DX-RT)"), DEEPX)
        self.kind.addItem(self.tr("Vendor benchmark program"), COMMAND)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("http://127.0.0.1:8000/v1")
        self.model = QLineEdit()
        self.model.setPlaceholderText("meta-llama/Llama-3.1-8B-Instruct")
        self.api = QComboBox()
        self.api.addItem(self.tr("Completions (/v1/completions)"), "completions")
        self.api.addItem(self.tr("Chat (/v1/chat/completions)"), "chat")
        self.api_key_env = QLineEdit()
        self.api_key_env.setValidator(QRegularExpressionValidator(r"[A-Za-z_][A-Za-z0-9_]*",
                                                                  self.api_key_env))
        self.api_key_env.setPlaceholderText(self.tr("name of the variable, e.g. KPERF_API_KEY"))
        self.tokenizer = QLineEdit()
        self.tokenizer.setPlaceholderText(self.tr("optional: a local tokenizer.json"))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse_tokenizer)
        tok_row = QWidget()
        tok_layout = QHBoxLayout(tok_row)
        tok_layout.setContentsMargins(0, 0, 0, 0)
        tok_layout.addWidget(self.tokenizer, 1)
        tok_layout.addWidget(browse)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        target = QGroupBox(self.tr("Target"))
        tform = QFormLayout(target)
        self.on_device = OnDeviceFields(self.errors, self)
        tform.addRow(self.tr("What is measured"), self.errors.field("target.kind", self.kind))
        rows: list[tuple[str, QWidget, tuple[str, ...]]] = [
            (self.tr("Endpoint URL"), self.errors.field("target.base_url", self.base_url),
             (OPENAI,)),
            (self.tr("Model"), self.errors.field("target.model", self.model), LANGUAGE_MODEL),
            (self.tr("API"), self.errors.field("target.api", self.api), LANGUAGE_MODEL),
            (self.tr("API key variable"),
             self.errors.field("target.api_key_env", self.api_key_env), (OPENAI,)),
            (self.tr("Tokenizer file"), self.errors.field("target.tokenizer", tok_row),
             LANGUAGE_MODEL),
        ]
        rows += [(label, box, (kind,)) for label, box, kind in self.on_device.rows()]
        self._rows: list[tuple[QWidget, tuple[str, ...]]] = []
        for label, box, kinds in rows:
            tform.addRow(label, box)
            self._rows.append((box, kinds))
        self._regex_row = self.on_device.regex_box
        tform.addRow(self.test_button, self.test_result)
        self._form = tform

        self.sessions_root = QLineEdit()
        self.sessions_root.setReadOnly(True)
        change = QPushButton(self.tr("Change…"))
        change.clicked.connect(self._choose_root)
        root_box = QGroupBox(self.tr("Where sessions are saved"))
        root_layout = QHBoxLayout(root_box)
        root_layout.addWidget(self.sessions_root, 1)
        root_layout.addWidget(change)
        self.sessions_root.setText(str(app_settings.sessions_root()))

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(people, 1)
        top.addWidget(target, 1)
        layout.addLayout(top)
        layout.addWidget(root_box)
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.on_device.parser.currentIndexChanged.connect(self._show_rows)
        self.name.textChanged.connect(self.name_changed)
        self._kind_changed()

    # --- plan ------------------------------------------------------------------------------

    def target_kind(self) -> str:
        return str(self.kind.currentData())

    def _kind_changed(self) -> None:
        self._show_rows()
        self.test_result.clear()
        self.kind_changed.emit(self.target_kind())

    def _show_rows(self) -> None:
        kind = self.target_kind()
        for box, kinds in self._rows:
            self._form.setRowVisible(box, kind in kinds)
        self._form.setRowVisible(self._regex_row, kind == COMMAND
                                 and self.on_device.parser_name() == "regex")

    def read_plan(self, d: dict[str, Any]) -> None:
        s = d.get("session", {})
        self.name.setText(str(s.get("name", "")))
        self.operator.setText(str(s.get("operator", "")))
        self.witness.setText(str(s.get("witness", "")))
        self.notes.setPlainText(str(s.get("notes", "")))
        amb = s.get("ambient_c")
        self.ambient.setText("" if amb is None else f"{amb:g}")
        t = d.get("target", {})
        kind = str(t.get("kind", SIMULATED))
        i = self.kind.findData(kind)
        if i < 0:
            self.kind.addItem(kind, kind)
            i = self.kind.count() - 1
        self.kind.setCurrentIndex(i)
        self.base_url.setText(str(t.get("base_url", "")))
        self.model.setText(str(t.get("model", "")))
        self.api.setCurrentIndex(max(0, self.api.findData(t.get("api", "completions"))))
        self.api_key_env.setText(str(t.get("api_key_env", "")))
        self.tokenizer.setText(str(t.get("tokenizer", "")))
        self.on_device.read(t)
        self.test_result.clear()

    def write_plan(self, d: dict[str, Any]) -> None:
        """Put the fields into plan dict ``d``; raises :class:`FieldError` for a field that
        cannot be read."""
        s = d.setdefault("session", {})
        s["name"] = self.name.text().strip()
        for key, w in (("operator", self.operator), ("witness", self.witness)):
            put(s, key, w.text().strip())
        put(s, "notes", self.notes.toPlainText().strip())
        amb = self.ambient.text().strip().replace(",", ".")
        if amb:
            try:
                s["ambient_c"] = float(amb)
            except ValueError:
                raise FieldError("session.ambient_c", self.tr("Give the temperature as a number "
                                                              "in °C, like 23.1.")) from None
        else:
            s.pop("ambient_c", None)
        t = d.setdefault("target", {})
        kind = self.target_kind()
        t["kind"] = kind
        self.on_device.write(t, kind)
        if kind in ON_DEVICE:
            for key in _ENDPOINT_KEYS:
                t.pop(key, None)
            return
        put(t, "model", self.model.text().strip())
        t["api"] = str(self.api.currentData())
        put(t, "tokenizer", self.tokenizer.text().strip())
        if kind == OPENAI:
            put(t, "base_url", self.base_url.text().strip())
            put(t, "api_key_env", self.api_key_env.text().strip())
        else:
            t.pop("base_url", None)
            t.pop("api_key_env", None)

    def show_error(self, key: str, message: str) -> QWidget | None:
        return self.errors.show(key, message)

    # --- actions ---------------------------------------------------------------------------

    def _browse_tokenizer(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose the tokenizer file"),
                                              self.tokenizer.text(),
                                              self.tr("Tokenizer (tokenizer.json *.json)"))
        if path:
            self.tokenizer.setText(path)

    def _choose_root(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Save sessions in"),
                                                self.sessions_root.text())
        if path:
            self.set_sessions_root(Path(path))

    def set_sessions_root(self, path: Path) -> None:
        app_settings.settings().setValue(app_settings.SESSIONS_ROOT, str(path))
        self.sessions_root.setText(str(path))

    def test_connection(self) -> None:
        """Ask the endpoint (or a fresh simulator) which models it serves, load the model on the
        NPU, or look for the benchmark program; off the GUI thread."""
        self._focus_back = QApplication.focusWidget() is self.test_button
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Connecting…"))
        api = str(self.api.currentData())
        model = self.model.text().strip()
        kind = self.target_kind()
        if kind == SIMULATED:
            workers.submit(probe_simulator, model, api, done=self._tested, failed=self._untested)
        elif kind == OPENAI:
            url = self.base_url.text().strip()
            if not url:
                self._untested(self.tr("Give the endpoint URL first, like "
                                       "http://127.0.0.1:8000/v1."))
                return
            workers.submit(probe, url, model, api, self.api_key_env.text().strip(),
                           done=self._tested, failed=self._untested)
        elif kind == DEEPX:
            self._test_deepx()
        elif kind == COMMAND:
            self._test_command()
        else:
            self._untested(self.tr("This kind of target cannot be tested from here."))

    def _test_deepx(self) -> None:
        path = self.on_device.model_path.text()
        if not path:
            self._untested(self.tr("Choose the compiled model file (.dxnn) first."))
            return
        try:
            devices = int_list(self.on_device.devices.text()) or [0]
        except ValueError:
            self._untested(self.tr("Give NPU ids as whole numbers separated by commas, like 0, 1."))
            return
        workers.submit(probe_deepx, path, devices, done=self._deepx_tested,
                       failed=self._untested)

    def _test_command(self) -> None:
        try:
            argv = command_list(self.on_device.command.text())
        except ValueError:
            argv = []
        if not argv:
            self._untested(self.tr("Give the program and its arguments first."))
            return
        workers.submit(probe_command, argv, self.on_device.parser_name(),
                       self.on_device.regex.fields(), self.on_device.cwd.text(),
                       done=self._command_tested, failed=self._untested)

    def _deepx_tested(self, identity: dict[str, Any]) -> None:
        self._tested_text(self.tr("The model loaded on NPU {0}. DX-RT {1}; {2} device(s) found.")
                          .format(", ".join(str(d) for d in identity.get("devices", [])),
                                  identity.get("dxrt_version", "?"),
                                  identity.get("device_count", "?")))

    def _command_tested(self, program: str) -> None:
        self._tested_text(self.tr("Found the program: {0}").format(program))

    def _tested(self, models: list[str]) -> None:
        self._tested_text(self.tr("Connected. The server serves: {0}")
                          .format(", ".join(models) or self.tr("no models")))

    def _test_done(self) -> None:
        """Enable the button again and give it back the focus it had (disabling it moved the
        focus to the next field)."""
        self.test_button.setEnabled(True)
        if self._focus_back:
            self.test_button.setFocus()
        self._focus_back = False

    def _tested_text(self, text: str) -> None:
        self._test_done()
        self.test_result.setStyleSheet("color: #1b5e20;")
        self.test_result.setText(text)

    def _untested(self, message: str) -> None:
        self._test_done()
        self.test_result.setStyleSheet("color: #b00020;")
        self.test_result.setText(self.in_field_words(message))

    def in_field_words(self, message: str) -> str:
        """An endpoint's answer as the engine words it for a plan file (in English), with the
        plan's keys named as the fields on this page, in the app's language."""
        url = f"the “{self.tr('Endpoint URL')}” field"
        model = f"the “{self.tr('Model')}” field"
        key_env = f"the “{self.tr('API key variable')}” field"
        for plan_words, field_words in (
                ("and the base_url in the plan.", f"and that {url} is right."),
                ("the base_url in the plan", url),
                ("Set target.model to one of them", f"Choose one of them in {model}"),
                ("name it in target.api_key_env", f"give its name in {key_env}"),
                ("the base_url probably lacks /v1", f"{url} probably lacks /v1"),
                ("Check that base_url points at", f"Check that {url} points at"),
                ("Cannot use the base_url", f"Cannot use {url}")):
            message = message.replace(plan_words, field_words)
        return message
