"""The log pane: every event of a run and every line the run writes to its error stream."""
from __future__ import annotations

import html
from collections import deque

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

_COLOURS = {"info": "#202020", "warning": "#8a5a00", "error": "#b00020"}
MAX_LINES = 50_000


class LogPane(QWidget):
    """Lines are queued and written a few times a second, so a fast event stream costs little.
    Meter readings can be hidden to keep the messages readable."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setMaximumBlockCount(MAX_LINES)
        self.view.setCenterOnScroll(False)
        self.show_readings = QCheckBox(self.tr("Show power and token readings"))
        self.show_readings.setChecked(True)
        clear = QPushButton(self.tr("Clear"))
        clear.clicked.connect(self.clear)
        bar = QHBoxLayout()
        bar.addWidget(self.show_readings)
        bar.addStretch(1)
        bar.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._queue: list[tuple[str, str]] = []
        self.entries: deque[tuple[str, str]] = deque(maxlen=MAX_LINES)
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    def add(self, text: str, level: str = "info", reading: bool = False) -> None:
        """Queue one line; ``reading`` marks a meter reading (hidden when unticked)."""
        if reading and not self.show_readings.isChecked():
            return
        self._queue.append((level, text))
        self.entries.append((level, text))

    def restore(self, entries) -> None:  # type: ignore[no-untyped-def]
        """Show ``(level, text)`` lines kept from another log pane (a change of language)."""
        for level, text in entries:
            self.add(text, level)
        self.flush()

    def clear(self) -> None:
        self._queue.clear()
        self.entries.clear()
        self.view.clear()

    def flush(self) -> None:
        if not self._queue:
            return
        lines, self._queue = self._queue, []
        for level, text in lines:
            colour = _COLOURS.get(level, _COLOURS["info"])
            self.view.appendHtml(f'<span style="color:{colour}">{html.escape(text)}</span>')
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def text(self) -> str:
        self.flush()
        return self.view.toPlainText()
