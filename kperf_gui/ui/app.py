"""``kperf-gui``: the desktop app. ``--demo`` starts the built-in demo sweep at once."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from . import plotting, translation
from .main_window import MainWindow
from .settings import APPLICATION, ORGANISATION


class App(QObject):
    """Holds the main window; a language change rebuilds it in the new language, keeping the
    plan, the layout, the page shown, the log, a finished run's live view and the open session."""

    def __init__(self) -> None:
        super().__init__()
        self.window = self._new_window()

    def _new_window(self) -> MainWindow:
        window = MainWindow()
        window.language_chosen.connect(self.set_language)
        return window

    def set_language(self, code: str) -> None:
        translation.remember_language(code)
        translation.install(code)
        old = self.window
        old.save_settings()
        state = old.kept_state()
        self.window = self._new_window()
        self.window.setGeometry(old.geometry())
        self.window.take_state(state)
        self.window.show()
        old.hide()
        old.deleteLater()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kperf-gui", description="K-Perf Lab, the desktop app.")
    p.add_argument("--demo", action="store_true",
                   help="start the built-in demo sweep (simulated endpoint and meter) at once")
    return p


def make_application(qt_args: Sequence[str] = ()) -> QApplication:
    """The QApplication with K-Perf Lab's names, plot options and language."""
    QApplication.setOrganizationName(ORGANISATION)
    QApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationDisplayName("K-Perf Lab")
    plotting.configure()
    translation.install(translation.chosen_language())
    return app  # type: ignore[return-value]


def start(argv: Sequence[str] | None = None) -> App:
    """Make the application and show the window; with ``--demo`` the demo sweep starts as soon
    as the event loop runs."""
    args, qt_args = build_parser().parse_known_args(argv)
    make_application(qt_args)
    controller = App()
    controller.window.show()
    if args.demo:
        QTimer.singleShot(0, controller.window.start_demo)
    return controller


def main(argv: Sequence[str] | None = None) -> int:
    controller = start(argv)
    code = QApplication.instance().exec()
    del controller
    return code
