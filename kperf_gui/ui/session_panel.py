"""Session and target: who measures what, and where the load goes."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from . import settings as app_settings
from . import workers
from .connection import probe, probe_simulator
from .forms import FieldError, FieldErrors

SIMULATED, OPENAI = "simulated", "openai"


class SessionPanel(QWidget):
    """Fields of ``[session]`` and ``[target]``; ``name_changed`` follows the session name."""

    name_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors = FieldErrors()
        self.name = QLineEdit()
        self.name.setValidator(QRegularExpressionValidator(r"[A-Za-z0-9._-]{0,64}", self.name))
        self.name.setPlaceholderText(self.tr("letters, digits, . _ - (the folder name)"))
        self.operator = QLineEdit()
        self.witness = QLineEdit()
        self.ambient = QLineEdit()
        self.ambient.setPlaceholderText(self.tr("e.g. 23.1 (empty: not recorded)"))
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(64)
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
        tform.addRow(self.tr("What is measured"), self.errors.field("target.kind", self.kind))
        tform.addRow(self.tr("Endpoint URL"), self.errors.field("target.base_url", self.base_url))
        tform.addRow(self.tr("Model"), self.errors.field("target.model", self.model))
        tform.addRow(self.tr("API"), self.errors.field("target.api", self.api))
        tform.addRow(self.tr("API key variable"),
                     self.errors.field("target.api_key_env", self.api_key_env))
        tform.addRow(self.tr("Tokenizer file"), self.errors.field("target.tokenizer", tok_row))
        tform.addRow(self.test_button, self.test_result)

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
        self.name.textChanged.connect(self.name_changed)
        self._kind_changed()

    # --- plan ------------------------------------------------------------------------------

    def target_kind(self) -> str:
        return str(self.kind.currentData())

    def _kind_changed(self) -> None:
        endpoint = self.target_kind() == OPENAI
        for w in (self.base_url, self.api_key_env):
            w.setEnabled(endpoint)
        self.test_result.clear()

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
        self.test_result.clear()

    def write_plan(self, d: dict[str, Any]) -> None:
        """Put the fields into plan dict ``d``; raises :class:`FieldError` for a field that
        cannot be read."""
        s = d.setdefault("session", {})
        s["name"] = self.name.text().strip()
        for key, w in (("operator", self.operator), ("witness", self.witness)):
            _put(s, key, w.text().strip())
        _put(s, "notes", self.notes.toPlainText().strip())
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
        _put(t, "model", self.model.text().strip())
        t["api"] = str(self.api.currentData())
        _put(t, "tokenizer", self.tokenizer.text().strip())
        if kind == OPENAI:
            _put(t, "base_url", self.base_url.text().strip())
            _put(t, "api_key_env", self.api_key_env.text().strip())
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
        """Ask the endpoint (or a fresh simulator) which models it serves, off the GUI thread."""
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText(self.tr("Connecting…"))
        api = str(self.api.currentData())
        model = self.model.text().strip()
        if self.target_kind() == SIMULATED:
            workers.submit(probe_simulator, model, api, done=self._tested, failed=self._untested)
        elif self.target_kind() == OPENAI:
            url = self.base_url.text().strip()
            if not url:
                self._untested(self.tr("Give the endpoint URL first, like "
                                       "http://127.0.0.1:8000/v1."))
                return
            workers.submit(probe, url, model, api, self.api_key_env.text().strip(),
                           done=self._tested, failed=self._untested)
        else:
            self._untested(self.tr("This kind of target cannot be tested from here."))

    def _tested(self, models: list[str]) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet("color: #1b5e20;")
        self.test_result.setText(self.tr("Connected. The server serves: {0}")
                                 .format(", ".join(models) or self.tr("no models")))

    def _untested(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setStyleSheet("color: #b00020;")
        self.test_result.setText(message)


def _put(table: dict[str, Any], key: str, value: str) -> None:
    if value:
        table[key] = value
    else:
        table.pop(key, None)

