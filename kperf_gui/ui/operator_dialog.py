"""The dialog that tells the operator what to change on the server, and waits."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class OperatorDialog(QDialog):
    """Non-blocking: ``proceed`` when the operator is ready, ``abort_run`` to end the run."""

    proceed = Signal()
    abort_run = Signal()

    def __init__(self, precision: str, message: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Switch the server"))
        self.setModal(False)
        head = QLabel(self.tr("The next points use precision “{0}”. Switch the server to it now; "
                              "the run waits until you press Continue.").format(precision))
        head.setWordWrap(True)
        detail = QLabel(message)
        detail.setWordWrap(True)
        detail.setStyleSheet("color: #444;")
        self.continue_button = QPushButton(self.tr("Continue"))
        self.continue_button.setDefault(True)
        self.abort_button = QPushButton(self.tr("Abort the run"))
        self.continue_button.clicked.connect(self._continue)
        self.abort_button.clicked.connect(self._abort)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.abort_button)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(detail)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)

    def _continue(self) -> None:
        self.proceed.emit()
        self.accept()

    def _abort(self) -> None:
        self.abort_run.emit()
        self.reject()
