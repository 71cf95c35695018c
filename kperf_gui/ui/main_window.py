"""The main window: the panels in tabs, the log pane, the menus, and the plan they share."""
from __future__ import annotations

import copy
import datetime as _dt
import re
import tomllib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QMainWindow, QMessageBox, QTabWidget,
                               QWidget)

from drivers.meters import registry
from kperf_gui import __version__
from kperf_gui.cli import DEMO_PLAN
from kperf_gui.session.plan import PlanError, expired_meters, parse
from kperf_gui.session.plan_toml import dump_plan

from . import presets, settings as app_settings
from .forms import FieldError
from .instruments_panel import InstrumentsPanel
from .log_pane import LogPane
from .paths import ICONS
from .results_panel import ResultsPanel
from .run_panel import RunPanel
from .session_panel import SessionPanel
from .signing import with_report_language
from .sweep_panel import SweepPanel
from .translation import chosen_language

TITLE = "K-Perf Lab"
_KEY_AT_START = re.compile(r"^((?:session|target|sweep|meters)(?:\[\d+\])?(?:\.[A-Za-z_]+)*)[:\s]")


class MainWindow(QMainWindow):
    """``language_chosen(code)`` when the user picks a language from the menu."""

    language_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("main_window")
        self.setWindowIcon(QIcon(str(ICONS / "kperf.svg")))
        self._base: dict[str, Any] = {}
        self._close_after_run = False
        self._starting = False

        self.session = SessionPanel()
        self.instruments = InstrumentsPanel()
        self.sweep = SweepPanel()
        self.run = RunPanel()
        self.results = ResultsPanel()
        self.results.live_folder = lambda: self.run.folder if self.run.busy() else ""
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.session, self.tr("Session"))
        self.tabs.addTab(self.instruments, self.tr("Instruments"))
        self.tabs.addTab(self.sweep, self.tr("Sweep"))
        self.tabs.addTab(self.run, self.tr("Run"))
        self.tabs.addTab(self.results, self.tr("Results"))
        self.setCentralWidget(self.tabs)

        self.log = LogPane()
        dock = QDockWidget(self.tr("Log"), self)
        dock.setObjectName("log_dock")
        dock.setWidget(self.log)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.resizeDocks([dock], [170], Qt.Orientation.Vertical)
        self.log_dock = dock

        self.session.name_changed.connect(self._update_title)
        self.session.kind_changed.connect(self.sweep.set_target_kind)
        self.sweep.set_target_kind(self.session.target_kind())
        self.sweep.preset_chosen.connect(self.apply_preset)
        self.sweep.open_plan.connect(self.choose_plan_to_open)
        self.sweep.save_plan.connect(self.choose_plan_to_save)
        self.run.start_requested.connect(self.start)
        self.run.logged.connect(lambda level, text, reading: self.log.add(_stamp(text), level,
                                                                          reading))
        self.run.state_changed.connect(self._run_state)
        self.run.run_ended.connect(self._run_ended)
        self.results.logged.connect(lambda level, text: self.log.add(_stamp(text), level))
        self._make_menus()
        self.resize(1280, 860)
        self._restore()

    # --- menus -----------------------------------------------------------------------------

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu(self.tr("&File"))
        self._action(file, self.tr("&Open plan…"), self.choose_plan_to_open, QKeySequence.StandardKey.Open)
        self._action(file, self.tr("&Save plan…"), self.choose_plan_to_save, QKeySequence.StandardKey.Save)
        file.addSeparator()
        self._action(file, self.tr("Open &session…"), self._open_session_dialog)
        file.addSeparator()
        self._action(file, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        run = bar.addMenu(self.tr("&Run"))
        self.start_action = self._action(run, self.tr("&Start"), self.start, QKeySequence("F5"))
        self.pause_action = self._action(run, self.tr("&Pause / resume"), self.run.toggle_pause)
        self.stop_action = self._action(run, self.tr("S&top after this point"), self.run.stop)
        self.abort_action = self._action(run, self.tr("&Abort"), self.run.confirm_abort)
        run.addSeparator()
        self.demo_action = self._action(run, self.tr("Run the &demo sweep"), self.start_demo)
        lang = bar.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code, name in (("en", "English"), ("ko", "한국어")):
            act = QAction(name, self, checkable=True)
            act.triggered.connect(lambda checked=False, c=code: self._choose_language(c))
            group.addAction(act)
            lang.addAction(act)
            self.language_actions[code] = act
        self.language_actions[chosen_language()].setChecked(True)
        help_menu = bar.addMenu(self.tr("&Help"))
        self._action(help_menu, self.tr("&About K-Perf Lab"), self._about)
        self._run_state(self.run.state)

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:  # type: ignore[no-untyped-def]
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(shortcut)
        act.triggered.connect(lambda checked=False: slot())
        menu.addAction(act)
        return act

    def _open_session_dialog(self) -> None:
        self.tabs.setCurrentWidget(self.results)
        self.results.choose_session()

    def _choose_language(self, code: str) -> None:
        if self.run.busy():
            QMessageBox.information(self, self.tr("Language"),
                                    self.tr("Change the language when the run has ended."))
            self.language_actions[chosen_language()].setChecked(True)
            return
        self.instruments.release(lambda: self.language_chosen.emit(code))

    def _about(self) -> None:
        QMessageBox.about(self, self.tr("About K-Perf Lab"),
                          self.tr("K-Perf Lab {0}\n\nMeasures how fast an AI chip serves a language "
                                  "model and how much wall-plug power it draws.").format(__version__))

    # --- the plan --------------------------------------------------------------------------

    def plan_dict(self) -> dict[str, Any]:
        """The plan as the panels show it, keeping keys they do not edit (seed, rate, routes).
        Raises :class:`FieldError` for a field that cannot be read."""
        d = copy.deepcopy(self._base)
        self.session.write_plan(d)
        self.instruments.write_plan(d)
        self.sweep.write_plan(d)
        return d

    def plan_text(self) -> str:
        return dump_plan(self.plan_dict())

    def apply_plan(self, d: dict[str, Any]) -> None:
        """Show plan ``d`` in the panels."""
        self._base = copy.deepcopy(d)
        self.session.read_plan(d)
        self.instruments.read_plan(d)
        self.sweep.read_plan(d)
        self._clear_errors()
        self._update_title(self.session.name.text())

    def apply_preset(self, path: Path) -> None:
        try:
            merged = presets.apply(self.plan_dict(), presets.read(path))
        except (FieldError, OSError, tomllib.TOMLDecodeError) as exc:
            self.log.add(_stamp(str(exc)), "error")
            return
        self.apply_plan(merged)
        self.log.add(_stamp(self.tr("Preset applied: {0}").format(path.stem)))

    def _clear_errors(self) -> None:
        for panel in (self.session, self.instruments, self.sweep):
            panel.errors.clear()

    def show_plan_error(self, key: str, message: str) -> None:
        """Put a plan mistake next to its field and bring that page forward."""
        for panel in (self.instruments, self.session, self.sweep):
            widget = panel.show_error(key, message)
            if widget is not None:
                self.tabs.setCurrentWidget(panel)
                widget.setFocus()
                return

    def check_plan(self) -> str | None:
        """The plan's text when it would run; otherwise show what is wrong and return None."""
        self._clear_errors()
        try:
            d = self.plan_dict()
            text = dump_plan(d)
            plan = parse(text, None, registry.names())
        except (FieldError, PlanError) as exc:
            key, message = exc.key, exc.message
            self.show_plan_error(key, message)
            self.run.banner.say(self.tr("The plan cannot run yet: {0}: {1}").format(key, message),
                                "error")
            self.log.add(_stamp(f"{key}: {message}"), "error")
            return None
        expired = expired_meters(plan, _dt.date.today())
        if expired and not plan.session.allow_expired_calibration:
            key, _, message = expired[0].partition(": ")
            self.show_plan_error(key, message)
            self.run.banner.say(self.tr("A meter's calibration has expired: {0}. Recalibrate it, "
                                        "or allow expired calibration on the Instruments page.")
                                .format(message), "error")
            return None
        if self.run.banner.level == "error":
            self.run.banner.clear_message()
        return text

    # --- plan files ------------------------------------------------------------------------

    def choose_plan_to_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a test plan"),
                                              str(app_settings.sessions_root()),
                                              self.tr("Test plans (*.toml)"))
        if path:
            self.open_plan_file(Path(path))

    def open_plan_file(self, path: Path) -> bool:
        """Load a plan file into the panels; a mistake in it is said in the log and the run
        page, and nothing changes."""
        try:
            text = path.read_text(encoding="utf-8")
            d = tomllib.loads(text)
            parse(text, path.resolve().parent, None)
        except (OSError, UnicodeDecodeError) as exc:
            self._plan_file_error(self.tr("{0} cannot be read ({1}).").format(path, exc))
            return False
        except tomllib.TOMLDecodeError as exc:
            self._plan_file_error(self.tr("{0} is not a valid TOML file: {1}").format(path, exc))
            return False
        except PlanError as exc:
            self._plan_file_error(f"{path.name}: {exc}")
            return False
        tok = d.get("target", {}).get("tokenizer")
        if isinstance(tok, str) and tok and not Path(tok).expanduser().is_absolute():
            d["target"]["tokenizer"] = str((path.resolve().parent / tok).resolve())
        self.apply_plan(d)
        self.log.add(_stamp(self.tr("Plan opened: {0}").format(path)))
        return True

    def _plan_file_error(self, text: str) -> None:
        self.log.add(_stamp(text), "error")
        QMessageBox.warning(self, self.tr("Test plan"), text)

    def choose_plan_to_save(self) -> None:
        name = self.session.name.text().strip() or "plan"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the test plan"),
                                              str(app_settings.sessions_root() / f"{name}.toml"),
                                              self.tr("Test plans (*.toml)"))
        if path:
            self.save_plan_file(Path(path))

    def save_plan_file(self, path: Path) -> bool:
        try:
            text = self.plan_text()
        except FieldError as exc:
            self.show_plan_error(exc.key, exc.message)
            return False
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self._plan_file_error(self.tr("{0} cannot be written ({1}).").format(path, exc))
            return False
        self.log.add(_stamp(self.tr("Plan saved: {0}").format(path)))
        return True

    # --- running ---------------------------------------------------------------------------

    def start(self) -> None:
        """Check the plan, let go of the instruments, and start the run in a child process."""
        if self.run.busy() or self._starting:
            return
        text = self.check_plan()
        if text is None:
            return
        text = with_report_language(text, chosen_language())
        name = self.session.name.text().strip()
        out = app_settings.new_session_dir(name)
        self._remember_plan(text)
        self.tabs.setCurrentWidget(self.run)
        if self.instruments.connected():
            self.log.add(_stamp(self.tr("Letting go of the instruments before the run…")))
        self._starting = True

        def go() -> None:
            self._starting = False
            self.run.start_run(text, out)

        self.instruments.release(go)

    def start_demo(self) -> None:
        """The built-in demo sweep: simulated endpoint and meter."""
        if self.run.busy():
            return
        self.apply_plan(tomllib.loads(DEMO_PLAN))
        self.start()

    def _run_state(self, state: str) -> None:
        busy = state != "idle"
        self.start_action.setEnabled(not busy)
        self.demo_action.setEnabled(not busy)
        self.pause_action.setEnabled(state in ("running", "paused"))
        self.stop_action.setEnabled(state in ("running", "paused"))
        self.abort_action.setEnabled(state in ("starting", "running", "paused", "stopping"))
        for panel in (self.session, self.instruments, self.sweep):
            panel.setEnabled(not busy)
        texts = {"idle": self.tr("Ready"), "starting": self.tr("Starting the run…"),
                 "running": self.tr("Running"), "paused": self.tr("Paused"),
                 "stopping": self.tr("Stopping after this point…"),
                 "aborting": self.tr("Aborting…")}
        self.statusBar().showMessage(texts.get(state, state))

    def _run_ended(self, folder: str, status: str) -> None:
        message = self.run.banner.text() if self.run.banner.level == "error" else ""
        if message:
            m = _KEY_AT_START.match(message)
            if m:
                self.show_plan_error(m.group(1), message[m.end():].strip(" :"))
                self.tabs.setCurrentWidget(self.run)
        if self._close_after_run:
            self.close()
            return
        if folder and Path(folder, "session.sqlite").is_file():
            self.results.open_session(Path(folder), writer_gone=True)

    # --- window ----------------------------------------------------------------------------

    def _update_title(self, name: str) -> None:
        self.setWindowTitle(f"{TITLE} — {name}" if name else TITLE)

    def _remember_plan(self, text: str) -> None:
        app_settings.settings().setValue(app_settings.LAST_PLAN, text)

    def _restore(self) -> None:
        s = app_settings.settings()
        geometry = s.value(app_settings.GEOMETRY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = s.value(app_settings.STATE)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        text = s.value(app_settings.LAST_PLAN, "", type=str)
        try:
            d = tomllib.loads(text) if text else tomllib.loads(DEMO_PLAN)
        except tomllib.TOMLDecodeError:
            d = tomllib.loads(DEMO_PLAN)
        self.apply_plan(d)

    def save_settings(self) -> None:
        s = app_settings.settings()
        s.setValue(app_settings.GEOMETRY, self.saveGeometry())
        s.setValue(app_settings.STATE, self.saveState())
        try:
            self._remember_plan(self.plan_text())
        except FieldError:
            pass
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.run.busy() and not self._close_after_run:
            answer = QMessageBox.question(
                self, self.tr("A run is in progress"),
                self.tr("Abort the run and close K-Perf Lab? Everything measured so far is kept "
                        "in the session folder."))
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self._close_after_run = True
            self.run.abort()
            event.ignore()
            return
        if self.run.busy():
            event.ignore()
            return
        if self.instruments.connected():
            event.ignore()
            self.instruments.release(self.close)
            return
        self.save_settings()
        event.accept()


def _stamp(text: str) -> str:
    return f"{_dt.datetime.now():%H:%M:%S}  {text}"
