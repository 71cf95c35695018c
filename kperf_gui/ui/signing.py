"""The witness bar of an opened session: who signed it, "Sign as operator", "Sign as witness",
"Add note…", "Seal bundle…" and "Open sealed bundle…" (read-only).

The work is the engine's (:mod:`kperf_gui.session.witness`); signing, checking and sealing hash
every file, so they run off the GUI thread. A session opened from a bundle is read-only: nothing
can be signed, noted or exported there; the bar says so.
"""
from __future__ import annotations

import atexit
import os
import shutil
import stat
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QInputDialog, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from kperf_gui.session import keys, verification, witness

from . import workers

_FILE = "__file__"
_NEW = "__new__"
_UNSIGNED = "__unsigned__"
_STYLE = {"ok": "color: #1d6b2a;", "warning": "color: #8a5a00;", "error": "color: #7a0010;"}
_unpacked: list[Path] = []


def _remove_unpacked() -> None:
    """Remove the bundles unpacked for viewing (their files are read-only)."""
    def writable(fn: Any, path: str, _exc: Any) -> None:
        os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
        fn(path)

    for root in _unpacked:
        shutil.rmtree(root, onerror=writable)


atexit.register(_remove_unpacked)


def with_report_language(plan_text: str, lang: str) -> str:
    """The plan the app runs, with ``session.language`` set to the app's language so that the
    run's report.pdf is written in it."""
    import tomllib

    from kperf_gui.session.plan_toml import dump_plan

    d = tomllib.loads(plan_text)
    d.setdefault("session", {})["language"] = lang
    return dump_plan(d)


class KeyChooser(QWidget):
    """A key from the config folder, a key file (a USB stick), a new key, or none."""

    def __init__(self, allow_unsigned: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        self.file: str = ""
        self.allow_unsigned = allow_unsigned
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        self.combo.activated.connect(self._activated)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.combo.clear()
        for k in keys.list_keys():
            self.combo.addItem(f"{k.name}  ({keys.short_fingerprint(k.fingerprint)[:19]})", k.name)
        self.combo.addItem(self.tr("Key file (USB stick)…"), _FILE)
        self.combo.addItem(self.tr("Make a new key…"), _NEW)
        if self.allow_unsigned:
            self.combo.addItem(self.tr("Unsigned"), _UNSIGNED)
        if select is not None:
            self.combo.setCurrentIndex(max(0, self.combo.findData(select)))

    def _activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data == _FILE:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a private key file"),
                                                  "", self.tr("Keys (*.key *.pem);;All files (*)"))
            if path:
                self.file = path
                self.combo.setItemText(index, path)
        elif data == _NEW:
            name, ok = QInputDialog.getText(self, self.tr("New key"),
                                            self.tr("The signer's name for the new key:"))
            if ok and name.strip():
                try:
                    made = keys.new_key(name)
                except keys.KeyProblem as exc:
                    QMessageBox.warning(self, self.tr("New key"), str(exc))
                    return
                self.reload(made.name)

    def spec(self) -> str | None:
        """The key to load: a name, a file, or None (unsigned)."""
        data = self.combo.currentData()
        if data == _FILE:
            return self.file or None
        if data in (_NEW, _UNSIGNED):
            return None
        return str(data)


def _lay_out(dialog: QDialog, form: QFormLayout, explanation: str) -> None:
    """A dialog's form, a line that explains it, and OK / Cancel."""
    note = QLabel(explanation)
    note.setWordWrap(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(note)
    layout.addWidget(buttons)


class SignDialog(QDialog):
    """Which key signs, and the name it signs with."""

    def __init__(self, role: str, folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign as operator") if role == "operator"
                            else self.tr("Sign as witness"))
        self.keys = KeyChooser()
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("the key's name"))
        form = QFormLayout()
        form.addRow(self.tr("Session"), QLabel(str(folder)))
        form.addRow(self.tr("Key"), self.keys)
        form.addRow(self.tr("Signer's name"), self.name)
        _lay_out(self, form, self.tr("The signature covers manifest.json, and through it every "
                                     "file of the session. The private key never enters the "
                                     "session folder."))


class NoteDialog(QDialog):
    """An amendment: its text, the point it is about, and the key that signs it."""

    def __init__(self, points: list[int], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add note"))
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(self.tr("What should be on record"))
        self.point = QSpinBox()
        self.point.setRange(0, max(points, default=0))
        self.point.setSpecialValueText(self.tr("the whole session"))
        self.keys = KeyChooser(allow_unsigned=True)
        self.author = QLineEdit()
        form = QFormLayout()
        form.addRow(self.tr("Note"), self.text)
        form.addRow(self.tr("About point"), self.point)
        form.addRow(self.tr("Key"), self.keys)
        form.addRow(self.tr("Written by"), self.author)
        _lay_out(self, form, self.tr("The run is finalised, so the note is an amendment: a new, "
                                     "chained record in amendments.jsonl. Nothing already "
                                     "recorded changes."))


class WitnessBar(QWidget):
    """``logged(level, text)`` for the log pane; ``bundle_opened(folder)`` when a bundle was
    unpacked for viewing (read-only); ``changed()`` after a signature or note was added."""

    logged = Signal(str, str)
    bundle_opened = Signal(str)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.folder: Path | None = None
        self.read_only = False
        self.bundle: Path | None = None
        self.bundle_folder: Path | None = None
        self.verdict: verification.Verdict | None = None
        self.busy = False
        self.state = QLabel(self.tr("No session open."))
        self.state.setWordWrap(True)
        self.sign_operator = QPushButton(self.tr("Sign as operator"))
        self.sign_witness = QPushButton(self.tr("Sign as witness"))
        self.note_button = QPushButton(self.tr("Add note…"))
        self.seal_button = QPushButton(self.tr("Seal bundle…"))
        self.open_bundle_button = QPushButton(self.tr("Open sealed bundle…"))
        self.sign_operator.clicked.connect(lambda: self.sign("operator"))
        self.sign_witness.clicked.connect(lambda: self.sign("witness"))
        self.note_button.clicked.connect(self.add_note)
        self.seal_button.clicked.connect(self.seal)
        self.open_bundle_button.clicked.connect(self.choose_bundle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state, 1)
        for b in (self.sign_operator, self.sign_witness, self.note_button, self.seal_button,
                  self.open_bundle_button):
            layout.addWidget(b)
        self._update()

    # --- state -----------------------------------------------------------------------------

    def _update(self) -> None:
        can = self.folder is not None and not self.read_only and not self.busy
        for b in (self.sign_operator, self.sign_witness, self.note_button, self.seal_button):
            b.setEnabled(can)
        self.open_bundle_button.setEnabled(not self.busy)

    def _say(self, text: str, level: str) -> None:
        self.state.setText(text)
        self.state.setStyleSheet(_STYLE.get(level, ""))

    def show_session(self, folder: Path | None) -> None:
        """Show the signatures of ``folder`` (checked off the GUI thread); a folder unpacked
        from a bundle is read-only."""
        self.folder = Path(folder) if folder is not None else None
        self.read_only = self.folder is not None and self.folder == self.bundle_folder
        self.verdict = None
        self._update()
        if self.folder is None:
            self._say(self.tr("No session open."), "")
            return
        self._say(self.tr("Checking the session's files and signatures…"), "")
        workers.submit(verification.check, self.folder, done=self._checked,
                       failed=lambda m: self._say(m, "error"))

    def _checked(self, verdict: verification.Verdict) -> None:
        self.verdict = verdict
        parts = []
        for c in verdict.signatures:
            role = self.tr("operator") if c.role == "operator" else self.tr("witness")
            if c.valid:
                parts.append(self.tr("{0}: {1} ({2})").format(
                    role, c.signer, keys.short_fingerprint(c.fingerprint)[:9]))
            elif c.present:
                parts.append(self.tr("{0}: INVALID").format(role))
            else:
                parts.append(self.tr("{0}: not signed").format(role))
        amended = sum(1 for f in verdict.findings if f.text.startswith("amendment "))
        if amended:
            parts.append(self.tr("%n amendment(s)", "", amended))
        head = self.tr("Intact") if verdict.intact else self.tr("NOT intact")
        where = self.tr(" (sealed bundle, read-only)") if self.read_only else ""
        self._say(f"{head}{where}. " + "; ".join(parts), "ok" if verdict.intact else "error")
        if not verdict.intact:
            for p in verdict.problems:
                self.logged.emit("error", p)

    # --- actions ---------------------------------------------------------------------------

    def _passphrase(self, what: str) -> bytes | None:
        text, ok = QInputDialog.getText(self, self.tr("Passphrase"),
                                        self.tr("Passphrase for {0}:").format(what),
                                        QLineEdit.EchoMode.Password)
        return text.encode("utf-8") if ok and text else None

    def _load(self, spec: str | None, name: str) -> keys.SigningKey | None:
        try:
            return keys.load_key(spec, self._passphrase, name=name or None)
        except keys.KeyProblem as exc:
            self._failed(str(exc))
            return None

    def sign(self, role: str) -> None:
        if self.folder is None or self.read_only:
            return
        dialog = SignDialog(role, self.folder, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        spec = dialog.keys.spec()
        if spec is None:
            self._failed(self.tr("Choose a key, a key file, or make a new key."))
            return
        key = self._load(spec, dialog.name.text().strip())
        if key is not None:
            said = self.tr("operator") if role == "operator" else self.tr("witness")
            self._run(witness.sign_session, self.folder, role, key,
                      done=lambda _: self._done(self.tr("Signed as {0} by {1}.").format(
                          said, key.name)))

    def add_note(self) -> None:
        if self.folder is None or self.read_only:
            return
        dialog = NoteDialog(witness.points_of(self.folder), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        spec = dialog.keys.spec()
        key = self._load(spec, dialog.author.text().strip()) if spec is not None else None
        if spec is not None and key is None:
            return
        point = dialog.point.value() or None
        self._run(witness.amend_session, self.folder, dialog.text.toPlainText(), key,
                  dialog.author.text().strip(), point,
                  done=lambda record: self._done(self.tr("Amendment {0} added.").format(
                      record["seq"])))

    def seal(self) -> None:
        if self.folder is None or self.read_only:
            return
        from kperf_gui.session.seal import bundle_path

        path, _ = QFileDialog.getSaveFileName(self, self.tr("Seal the session"),
                                              str(bundle_path(self.folder)),
                                              self.tr("Sealed bundles (*.kperf.zip)"))
        if path:
            self._run(witness.seal_session, self.folder, Path(path),
                      done=lambda sealed: self._done(self.tr("Sealed into {0}.").format(
                          sealed.bundle)))

    def choose_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a sealed bundle"), "",
                                              self.tr("Sealed bundles (*.kperf.zip)"))
        if path:
            self.open_bundle(Path(path))

    def open_bundle(self, path: Path) -> None:
        """Unpack a bundle for viewing (read-only) and show it."""
        self.bundle = Path(path)
        self._run(witness.open_bundle, self.bundle, done=self._bundle_ready)

    def _bundle_ready(self, result: tuple[Path, verification.Verdict]) -> None:
        folder, verdict = result
        _unpacked.append(folder.parent)
        self.bundle_folder = folder
        self.folder, self.read_only = folder, True
        self._update()
        self._checked(verdict)
        self.logged.emit("info", self.tr("Opened the sealed bundle {0} (read-only).").format(
            self.bundle))
        self.bundle_opened.emit(str(folder))

    # --- plumbing --------------------------------------------------------------------------

    def _run(self, fn: Any, *args: Any, done: Any) -> None:
        self.busy = True
        self._update()

        def finished(result: Any) -> None:
            self.busy = False
            self._update()
            done(result)

        workers.submit(fn, *args, done=finished, failed=self._failed)

    def _done(self, text: str) -> None:
        self.logged.emit("info", text)
        self.changed.emit()
        self.show_session(self.folder)

    def _failed(self, message: str) -> None:
        self.busy = False
        self._update()
        self._say(message, "error")
        self.logged.emit("error", message)
