"""A one-line message at the top of a panel: what happened and what to do."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

_STYLES = {
    "info": "background: #e8f1fb; border: 1px solid #9dbfe3; padding: 6px;",
    "ok": "background: #e7f4e8; border: 1px solid #8cc593; padding: 6px;",
    "warning": "background: #fff4dc; border: 1px solid #e0b85c; padding: 6px;",
    "error": "background: #fde8e8; border: 1px solid #e39a9a; padding: 6px; color: #7a0010;",
}


class Banner(QLabel):
    """Hidden until :meth:`say`; the level sets its colour."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.level = ""
        self.hide()

    def say(self, text: str, level: str = "info") -> None:
        self.level = level
        self.setStyleSheet(_STYLES.get(level, _STYLES["info"]))
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.level = ""
        self.clear()
        self.hide()
