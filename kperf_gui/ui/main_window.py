"""The main window: the panels in tabs, the log pane, the menus, and the plan they share."""
from __future__ import annotations

import copy
import datetime as _dt
import re
import tomllib
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QCoreApplication, QRect, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QFrame, QMainWindow, QMessageBox,
                               QScrollArea, QTabWidget, QWidget)

from drivers.meters import registry
from kperf_gui import __version__
from kperf_gui.session.demo import DEMO_PLAN
from kperf_gui.session.plan import Plan, PlanError, expired_meters, from_dict
from kperf_gui.session.plan_toml import dump_plan

from . import presets, settings as app_settings
from .forms import FieldError
from .help import GuideDialog
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
PREFERRED_SIZE = QSize(1280, 860)
MIN_SIZE = QSize(640, 480)
KEEP_GOING, ABORT_AND_CLOSE, CANCEL = "keep", "abort", "cancel"


def fitted(preferred: QSize, available: QRect) -> QSize:
    """``preferred`` shrunk to fit a screen's ``available`` area (with room for the frame)."""
    return QSize(min(preferred.width(), max(MIN_SIZE.width(), available.width() - 16)),
                 min(preferred.height(), max(MIN_SIZE.height(), available.height() - 48)))


class PanelTabs(QTabWidget):
    """The window's tabs. Form pages sit in a scroll area, so that a small screen scrolls them
    instead of cutting them off; the tab functions take and give the panels themselves."""

    def add_panel(self, panel: QWidget, title: str, scroll: bool = False) -> int:
        if not scroll:
            return self.addTab(panel, title)
        area = QScrollArea()
        area.setWidget(panel)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        return self.addTab(area, title)

    def page(self, index: int) -> QWidget | None:
        """The panel on tab ``index``."""
        w = self.widget(index)
        return w.widget() if isinstance(w, QScrollArea) else w

    def indexOf(self, panel: QWidget) -> int:  # noqa: N802 - Qt's name
        for i in range(self.count()):
            if self.page(i) is panel:
                return i
        return super().indexOf(panel)

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - Qt's name
        return self.page(self.currentIndex())

    def setCurrentWidget(self, panel: QWidget) -> None:  # noqa: N802 - Qt's name
        i = self.indexOf(panel)
        if i >= 0:
            self.setCurrentIndex(i)


def ask_close_during_run(parent: QWidget, folder: str) -> str:
    """Ask what to do with a run when the window closes: :data:`KEEP_GOING`,
    :data:`ABORT_AND_CLOSE` or :data:`CANCEL`."""
    translate = QCoreApplication.translate
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(translate("MainWindow", "A run is in progress"))
    box.setText(translate("MainWindow", "A run is in progress. It does not need the window: it "
                                        "can go on and finish on its own, writing its session "
                                        "folder as usual."))
    box.setInformativeText(translate("MainWindow", "Session folder: {0}\nOpen it under Results "
                                                   "when the run has ended.").format(folder))
    keep = box.addButton(translate("MainWindow", "Keep the run going and close"),
                         QMessageBox.ButtonRole.AcceptRole)
    abort = box.addButton(translate("MainWindow", "Abort the run and close"),
                          QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    return KEEP_GOING if clicked is keep else ABORT_AND_CLOSE if clicked is abort else CANCEL
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
        self._run_message = ""
        self._guide: GuideDialog | None = None

        self.session = SessionPanel()
        self.instruments = InstrumentsPanel()
        self.sweep = SweepPanel()
        self.run = RunPanel()
        self.run.in_field_words = self.session.in_field_words  # a refused run names the field
        self.results = ResultsPanel()
        self.results.live_folder = lambda: self.run.folder if self.run.busy() else ""
        self.tabs = PanelTabs()
        self.tabs.setDocumentMode(True)
        self.tabs.add_panel(self.session, self.tr("Session"), scroll=True)
        self.tabs.add_panel(self.instruments, self.tr("Instruments"), scroll=True)
        self.tabs.add_panel(self.sweep, self.tr("Sweep"), scroll=True)
        self.tabs.add_panel(self.run, self.tr("Run"))
        self.tabs.add_panel(self.results, self.tr("Results"))
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
        self.results.loaded.connect(self._results_loaded)
        self.results.declined.connect(self._results_declined)
        self._make_menus()
        self.setMinimumSize(MIN_SIZE)
        self.resize(fitted(PREFERRED_SIZE, self._available()))
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
        self._action(help_menu, self.tr("&Guide and metric definitions"), self.show_guide,
                     QKeySequence.StandardKey.HelpContents)
        help_menu.addSeparator()
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

    def show_guide(self) -> None:
        """The short guide: connect a meter, run a preset, read the figures, sign a session."""
        if self._guide is None:
            self._guide = GuideDialog(self)
        self._guide.show()
        self._guide.raise_()
        self._guide.activateWindow()

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

    def check_plan(self) -> Plan | None:
        """The plan, validated, when it would run (its ``source`` is the text the run is given);
        otherwise show what is wrong and return None."""
        self._clear_errors()
        try:
            plan = from_dict(self.plan_dict(), None, registry.names())
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
        return plan

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
            from_dict(d, path.resolve().parent, None, source=text)
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

    def plan_to_save(self) -> str | None:
        """The plan's text when ``kperf run`` would take it, checked by the parser the run
        uses; otherwise each mistake is shown at its field, and None."""
        self._clear_errors()
        try:
            d = self.plan_dict()
            text = dump_plan(d)
            from_dict(d, None, registry.names())
        except (FieldError, PlanError) as exc:
            self.show_plan_error(exc.key, exc.message)
            self.sweep.check_fields()
            self.run.banner.say(self.tr("The plan is not saved: {0}: {1}").format(
                exc.key, exc.message), "error")
            self.log.add(_stamp(f"{exc.key}: {exc.message}"), "error")
            return None
        if self.run.banner.level == "error" and not self.run.busy():
            self.run.banner.clear_message()
        return text

    def choose_plan_to_save(self) -> None:
        if self.plan_to_save() is None:  # before the file dialog: nothing to choose a name for
            return
        name = self.session.name.text().strip() or "plan"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the test plan"),
                                              str(app_settings.sessions_root() / f"{name}.toml"),
                                              self.tr("Test plans (*.toml)"))
        if path:
            self.save_plan_file(Path(path))

    def save_plan_file(self, path: Path) -> bool:
        """Write the plan to ``path``; never a plan ``kperf run`` would refuse."""
        text = self.plan_to_save()
        if text is None:
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
        plan = self.check_plan()
        if plan is None:
            return
        text = with_report_language(plan.source, chosen_language())
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
            worded = self.session.in_field_words(message)
            if worded != message:
                self.run.banner.say(worded, "error")
                message = worded
            m = _KEY_AT_START.match(message)
            if m:
                self.show_plan_error(m.group(1), message[m.end():].strip(" :"))
                self.tabs.setCurrentWidget(self.run)
        self._run_message = message
        if self._close_after_run:
            self.close()
            return
        if folder and Path(folder, "session.sqlite").is_file():
            self.results.open_session(Path(folder), writer_gone=True)

    def _results_loaded(self, folder: str) -> None:
        """Once a crashed run's session is rebuilt and shown, the Run page says so."""
        if self._run_message and folder == self.run.folder and self.run.banner.level == "error":
            self.run.banner.say(self._run_message + " " + self.tr(
                "Its results were rebuilt from the journal and are shown under Results."),
                "warning")
            self._run_message = ""

    def _results_declined(self, folder: str) -> None:
        if self._run_message and folder == self.run.folder and self.run.banner.level == "error":
            self.run.banner.say(self._run_message + " " + self.tr(
                "Its results were not rebuilt: open the session under Results to rebuild them."),
                "error")

    # --- window ----------------------------------------------------------------------------

    def kept_state(self) -> dict[str, Any]:
        """What a new window in another language takes over (:meth:`take_state`): the page
        shown, the log, a finished run's live view and the session in Results."""
        results = self.results
        return {
            "tab": self.tabs.currentIndex(),
            "results_tab": results.tabs.currentIndex(),
            "results_folder": results.folder if results.data is not None else None,
            "log": list(self.log.entries),
            "show_readings": self.log.show_readings.isChecked(),
            "run": None if self.run.busy() else (list(self.run.history), self.run.end,
                                                 self.run.folder, self.run.status),
            "compare": (results.compare.list.ticked(),
                        [s.folder for s in results.compare.sessions]),
        }

    def take_state(self, state: dict[str, Any]) -> None:
        self.log.show_readings.setChecked(bool(state.get("show_readings", True)))
        self.log.restore(state.get("log") or [])
        run = state.get("run")
        if run is not None and run[0]:
            history, end, folder, status = run
            self.run.replay(history, end)
            self.run.folder, self.run.status = folder, status
        folder = state.get("results_folder")
        if folder is not None:
            self.results.open_session(folder)
        ticked, compared = state.get("compare") or ([], [])
        for f in ticked:
            self.results.compare.add(f)
        if len(compared) >= 2:
            self.results.compare.compare(compared)
        self.results.tabs.setCurrentIndex(int(state.get("results_tab", 0)))
        self.tabs.setCurrentIndex(int(state.get("tab", 0)))

    def _update_title(self, name: str) -> None:
        # ending with the application's name keeps Qt from adding it a second time
        self.setWindowTitle(f"{name} — {TITLE}" if name else TITLE)

    def _available(self) -> QRect:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)

    def fit_to_screen(self) -> None:
        """Shrink and move the window into the screen's available area (a size remembered
        from a larger screen must not put the log and status bar off the edge)."""
        area = self._available()
        size = fitted(self.size(), area)
        if size != self.size():
            self.resize(size)
        frame = self.frameGeometry()
        x = min(max(frame.x(), area.x()), area.right() - frame.width() + 1)
        y = min(max(frame.y(), area.y()), area.bottom() - frame.height() + 1)
        if (x, y) != (frame.x(), frame.y()):
            self.move(max(x, area.x()), max(y, area.y()))

    def _remember_plan(self, text: str) -> None:
        app_settings.settings().setValue(app_settings.LAST_PLAN, text)

    def _restore(self) -> None:
        s = app_settings.settings()
        geometry = s.value(app_settings.GEOMETRY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
            self.fit_to_screen()
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
            held = self.run.hold(outside_window_only=True)
            choice = ask_close_during_run(self, self.run.folder)
            if choice == KEEP_GOING and self.run.busy():
                self.run.release_hold(held)
                self.run.detach()
                self.save_settings()
                event.accept()
                return
            if choice != ABORT_AND_CLOSE or not self.run.busy():
                self.run.release_hold(held)
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
