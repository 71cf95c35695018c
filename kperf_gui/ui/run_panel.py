"""The run: start, pause, stop and abort the engine in a child process, and watch it live.

The panel owns one :class:`RunProcess` at a time. Events update the progress, the live plots'
buffers and the table of finished points; the plots redraw on their own timer.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QMessageBox, QProgressBar,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from kperf_gui.run.events import Event

from . import event_text, plotting
from .banner import Banner
from .columns import LIVE_COLUMNS, LIVE_INFERENCE_ONLY, TOKEN
from .live_plots import LivePlots
from .operator_dialog import OperatorDialog
from .run_process import RunProcess
from .signing import ask_run_note
from .summary_table import SummaryTable

IDLE, STARTING, RUNNING, PAUSED, STOPPING, ABORTING = (
    "idle", "starting", "running", "paused", "stopping", "aborting")


class RunPanel(QWidget):
    """Signals: ``start_requested`` (Start pressed; the window checks the plan and calls
    :meth:`start_run`), ``logged(level, text, reading)`` for the log pane, ``state_changed(str)``,
    and ``run_ended(folder, status)`` when the child has exited."""

    start_requested = Signal()
    logged = Signal(str, str, bool)
    state_changed = Signal(str)
    run_ended = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = IDLE
        self.process: RunProcess | None = None
        self.folder = ""
        self.status = ""
        self.points = 0
        self._plan_dir: Path | None = None
        self._dialog: OperatorDialog | None = None
        self._phase = ""
        self._invalid = 0
        self.unit = TOKEN
        self.history: list[Event] = []
        self.end: tuple[int, str] | None = None
        self._replaying = False
        self.in_field_words: Callable[[str], str] = lambda text: text
        """The engine's words for a plan file (``base_url in the plan``) as the app's fields
        name them; the window sets it."""
        self._time_left_before: str | None = None
        """The time left shown before a pause froze it (None when not paused)."""

        self.banner = Banner()
        self.start_button = QPushButton(self.tr("Start"))
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setToolTip(self.tr(
            "Pause: the current point will be measured again after Resume (its warm-up and "
            "measurement window, whole); the interrupted attempt is kept in the session."))
        self.stop_button = QPushButton(self.tr("Stop after this point"))
        self.abort_button = QPushButton(self.tr("Abort"))
        self.abort_button.setStyleSheet("QPushButton { color: #b00020; } "
                                        "QPushButton:disabled { color: #a0a0a0; }")
        self.start_button.clicked.connect(self.start_requested)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.abort_button.clicked.connect(self.confirm_abort)
        self.note_button = QPushButton(self.tr("Add note…"))
        self.note_button.clicked.connect(self.add_note)
        self._note_author = ""
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.stop_button, self.abort_button,
                  self.note_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        self.phase = QLabel(self.tr("Ready. Press Start to run the sweep."))
        self.point_label = QLabel(self.tr("Point"))
        self.point_bar = QProgressBar()
        self.sweep_label = QLabel(self.tr("Sweep"))
        self.sweep_bar = QProgressBar()
        self.time_left = QLabel()
        for bar in (self.point_bar, self.sweep_bar):
            bar.setRange(0, 1000)
            bar.setValue(0)
            bar.setTextVisible(True)
            bar.setFormat("%p%")
        self.time_left.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status = QHBoxLayout()
        status.addWidget(self.phase, 1)
        status.addWidget(self.time_left)
        progress = QGridLayout()
        progress.addWidget(self.point_label, 0, 0)
        progress.addWidget(self.point_bar, 0, 1)
        progress.addWidget(self.sweep_label, 1, 0)
        progress.addWidget(self.sweep_bar, 1, 1)
        progress.setColumnStretch(1, 1)

        self.plots = LivePlots()
        self.table = SummaryTable(LIVE_COLUMNS, LIVE_INFERENCE_ONLY)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plots)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([460, 160])

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)
        layout.addLayout(status)
        layout.addLayout(progress)
        layout.addWidget(split, 1)
        self._set_state(IDLE)

    # --- state -----------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.state != IDLE

    def _set_state(self, state: str) -> None:
        self.state = state
        idle = state == IDLE
        self.start_button.setEnabled(idle)
        self.pause_button.setEnabled(state in (RUNNING, PAUSED))
        self.pause_button.setText(self.tr("Resume") if state == PAUSED else self.tr("Pause"))
        self.stop_button.setEnabled(state in (RUNNING, PAUSED))
        self.abort_button.setEnabled(state in (STARTING, RUNNING, PAUSED, STOPPING))
        self.note_button.setEnabled(not idle)
        self.state_changed.emit(state)

    # --- commands --------------------------------------------------------------------------

    def start_run(self, plan_text: str, out: Path) -> None:
        """Write the plan to a file of its own and start ``kperf run`` on it."""
        self.banner.clear_message()
        self.table.setRowCount(0)
        self.history = []
        self.end = None
        self._invalid = 0
        self.plots.reset()
        self.set_unit(TOKEN)
        self.point_bar.setValue(0)
        self.sweep_bar.setValue(0)
        self.time_left.clear()
        self._time_left_before = None
        self.folder = str(out)
        self.status = ""
        self._plan_dir = Path(tempfile.mkdtemp(prefix="kperf-plan-"))
        plan = self._plan_dir / "plan.toml"
        plan.write_text(plan_text, encoding="utf-8")
        self.process = RunProcess(self)
        self.process.event.connect(self.handle_event)
        self.process.log_line.connect(lambda line: self.logged.emit("info", line, False))
        self.process.ended.connect(self._ended)
        self.phase.setText(self.tr("Starting: checking the target and the instruments…"))
        self._set_state(STARTING)
        self.logged.emit("info", self.tr("Run started; session folder {0}").format(out), False)
        self.process.start(plan, out)

    def send(self, command: str) -> None:
        if self.process is not None:
            self.process.send(command)

    def toggle_pause(self) -> None:
        if self.state == RUNNING:
            self.send("pause")
            self._set_state(PAUSED)
            self.phase.setText(self._paused_text())
            self._freeze_progress()
            self.logged.emit("info", self.tr("Pause sent"), False)
        elif self.state == PAUSED:
            self.send("resume")
            self._set_state(RUNNING)
            self.phase.setText(event_text.phase_text(self._phase) if self._phase else "")
            self._thaw_progress()
            self.logged.emit("info", self.tr("Resume sent"), False)

    def _paused_text(self) -> str:
        """What the pause does to the point in progress, for the status line."""
        if self._phase in ("measuring", "warmup"):
            return self.tr("Paused: the current point will be measured again after Resume "
                           "(warm-up and measurement window). Requests in flight finish.")
        return self.tr("Paused. Requests in flight finish; press Resume to go on.")

    def _freeze_progress(self) -> None:
        """While paused the progress stands still and the time left says so."""
        if self._time_left_before is None:
            self._time_left_before = self.time_left.text()
        self.time_left.setText(self.tr("Time left: paused"))

    def _thaw_progress(self) -> None:
        if self._time_left_before is not None:
            self.time_left.setText(self._time_left_before)
            self._time_left_before = None

    def stop(self) -> None:
        """Finish the point in progress, then stop."""
        if self.state in (RUNNING, PAUSED):
            if self.state == PAUSED:
                self.send("resume")
            self.send("stop")
            self._set_state(STOPPING)
            self.phase.setText(self.tr("Stopping after this point…"))
            self.logged.emit("info", self.tr("Stop sent: the point in progress finishes first"),
                             False)

    def add_note(self) -> None:
        """A note for the session's event log, given while the run goes on."""
        note = ask_run_note(self, self._note_author)
        if note is not None and self.process is not None and self.process.running():
            self._note_author = note[1]
            self.process.send_note(*note)
            self.logged.emit("info", self.tr("Note sent"), False)
        elif note is not None:
            self.logged.emit("warning", self.tr("The run has ended: add the note under Results, "
                                                "where it becomes an amendment."), False)

    def hold(self, outside_window_only: bool = False) -> bool:
        """Pause the run while a question is open, so that it cannot move on to another point
        meanwhile; True when this paused it (:meth:`release_hold` resumes it).
        ``outside_window_only``: not while a point is being measured (a pause there has the
        point measured again), for questions whose likely answer lets the run go on."""
        if self.state not in (RUNNING, STOPPING):
            return False
        if outside_window_only and self._phase == "measuring":
            return False
        self.send("pause")
        self.phase.setText(self.tr("Held while you answer: no new point starts."))
        self.logged.emit("info", self.tr("Run held while a question is open"), False)
        return True

    def release_hold(self, held: bool) -> None:
        """Resume a run :meth:`hold` paused, unless it ended or was aborted meanwhile."""
        if held and self.state in (RUNNING, STOPPING):
            self.send("resume")
            self.phase.setText(self.tr("Stopping after this point…") if self.state == STOPPING
                               else event_text.phase_text(self._phase) if self._phase else "")
            self.logged.emit("info", self.tr("Run resumed"), False)

    def confirm_abort(self) -> None:
        """Ask before aborting; the run is held (paused) while the question is open, so the
        point aborted is the one in progress when Abort was pressed."""
        if self.state not in (STARTING, RUNNING, PAUSED, STOPPING):
            return
        held = self.hold()
        answer = QMessageBox.question(
            self, self.tr("Abort the run"),
            self.tr("Abort the run now? The run is held while you decide. The point in progress "
                    "is marked invalid; everything measured so far is kept. If you go on, a "
                    "point that was being measured is measured again."))
        if answer == QMessageBox.StandardButton.Yes:
            self.abort()
        else:
            self.release_hold(held)

    def abort(self) -> None:
        """Stop now; the point in progress is marked invalid."""
        if self.state in (STARTING, RUNNING, PAUSED, STOPPING):
            self.send("abort")
            self._set_state(ABORTING)
            self.phase.setText(self.tr("Aborting…"))
            self.logged.emit("warning", self.tr("Abort sent"), False)
            if self._dialog is not None:
                self._dialog.close()

    def detach(self) -> None:
        """The window is closing and the run goes on alone."""
        if self.process is not None:
            self.process.detach()
            self.logged.emit("info", self.tr("The run goes on without the window; its session "
                                             "folder is {0}").format(self.folder), False)

    # --- events ----------------------------------------------------------------------------

    def set_unit(self, unit: str) -> None:
        """What the run counts: ``token``, or ``inference`` for an on-device target."""
        self.unit = unit
        self.plots.set_unit(unit)
        self.table.set_unit(unit)

    def replay(self, history: list[Event], end: tuple[int, str] | None) -> None:
        """Show a finished run's events again (after a change of language): plots, table,
        progress and the final message, without logging them twice."""
        self._replaying = True
        try:
            for ev in history:
                self.handle_event(ev)
        finally:
            self._replaying = False
        if end is not None:
            self.end = end
            self._show_end(*end)

    def handle_event(self, ev: Event) -> None:
        """Take one event of the run (:mod:`kperf_gui.run.events` defines each kind)."""
        kind = ev.get("event")
        self.history.append(ev)
        if kind == "session":
            self.set_unit(str(ev.get("unit") or TOKEN))
        if not self._replaying:
            level, text = event_text.describe(ev, self.unit)
            self.logged.emit(level, text, kind in event_text.READINGS)
        if kind == "interval":
            t0, t1 = ev.get("t0_s"), ev.get("t1_s")
            self.plots.add_interval(float(ev.get("t_s", 0.0)), ev.get("watts"),
                                    float(ev.get("tokens_per_s") or 0.0), int(ev.get("point") or 0),
                                    None if t0 is None else float(t0),
                                    None if t1 is None else float(t1))
        elif kind == "progress":
            self._progress(ev)
        elif kind == "phase":
            phase = str(ev.get("phase"))
            if self.state == STARTING:
                self._set_state(RUNNING)
            if phase == "paused":  # the pause, not a phase of the run: the run's phase stands
                self._freeze_progress()
                if self.state == PAUSED:
                    self.phase.setText(self._paused_text())
                return
            if phase == "resumed":
                self._thaw_progress()
                phase = self._phase
            self._phase = phase
            if phase == "measuring" and ev.get("point"):
                self.plots.window_opened(int(ev.get("point") or 0), float(ev.get("t", 0.0)))
            if self.state not in (STOPPING, ABORTING) and phase:
                self.phase.setText(event_text.phase_text(self._phase, ev.get("point")))
        elif kind == "point_started":
            self.plots.mark_point(float(ev.get("t", 0.0)), int(ev.get("point") or 0),
                                  self.tr("Point {0}: {1}").format(
                                      ev.get("point"), event_text.point_text(ev, self.unit)))
            self.point_bar.setValue(0)
            self.point_label.setText(self.tr("Point {0} of {1}").format(ev.get("point"),
                                                                        ev.get("of")))
            self.point_bar.setToolTip(event_text.point_text(ev, self.unit))
            of = int(ev.get("of") or 0)
            point = int(ev.get("point") or 0)
            if of and point:
                self.sweep_label.setText(self.tr("Sweep: point {0} of {1}").format(point, of))
                self.sweep_bar.setValue(round(min(1.0, (point - 1) / of) * 1000))
            if self.state == STARTING:
                self._set_state(RUNNING)
        elif kind == "point_finished":
            row = ev.get("summary") or {}
            self.plots.window_closed(int(ev.get("point") or 0), float(ev.get("t", 0.0)))
            self.table.add_row(row)
            colour = QColor(plotting.point_colour(int(row.get("point") or 0)))
            colour.setAlpha(90)
            self.table.item(self.table.rowCount() - 1, 0).setBackground(colour)
            if row.get("valid") not in (True, "true", "True", 1):
                self._invalid += 1
            self.point_bar.setValue(1000)
        elif kind == "session":
            self.folder = str(ev.get("dir") or self.folder)
            self.points = int(ev.get("points") or 0)
            if self.state == STARTING:
                self._set_state(RUNNING)
        elif kind == "operator_action" and not self._replaying:
            self._ask_operator(str(ev.get("precision", "")), str(ev.get("message", "")))
        elif kind == "finished":
            self.status = str(ev.get("status", ""))
            self.folder = str(ev.get("dir") or self.folder)
            if self.status == "finished":
                self.sweep_bar.setValue(1000)

    def _progress(self, ev: dict[str, Any]) -> None:
        if self._time_left_before is not None:  # paused: the progress stands still
            return
        total = float(ev.get("total") or 0.0)
        done = float(ev.get("done") or 0.0)
        frac = min(1.0, done / total) if total > 0 else 0.0
        self.point_bar.setValue(round(frac * 1000))
        of = int(ev.get("of") or 0)
        point = int(ev.get("point") or 0)
        if of:
            self.sweep_bar.setValue(round(min(1.0, (point - 1 + frac) / of) * 1000))
            self.sweep_label.setText(self.tr("Sweep: point {0} of {1}").format(point, of))
        left = ev.get("left_s")
        self.time_left.setText(
            self.tr("Time left: {0}").format(event_text.duration(left)) if left is not None
            else self.tr("Time left: estimating…"))

    def _ask_operator(self, precision: str, message: str) -> None:
        if self._dialog is not None:
            self._dialog.close()
        dialog = OperatorDialog(precision, message, self)
        dialog.proceed.connect(lambda: self._operator_done(True))
        dialog.abort_run.connect(lambda: self._operator_done(False))
        self._dialog = dialog
        self.phase.setText(self.tr("Waiting for the operator to switch the server to “{0}”.")
                           .format(precision))
        dialog.open()

    def _operator_done(self, proceed: bool) -> None:
        self._dialog = None
        if proceed:
            self.send("continue")
            self.logged.emit("info", self.tr("Continue sent: the server is switched"), False)
        else:
            self.abort()

    def _show_end(self, code: int, message: str) -> None:
        """The run's final message in the banner and the phase line."""
        if message:
            self.banner.say(message, "error")
            self.phase.setText(self.tr("The run did not complete."))
        else:
            rows = self.table.rowCount()
            bad = self._invalid
            status = event_text.status_text(self.status or "finished")
            text = self.tr("Run {0}: %n point(s) measured", "", rows).format(status)
            if bad:
                text += " · " + self.tr("%n invalid; see the table for why", "", bad)
            level = "ok" if code == 0 else "warning"
            self.banner.say(text, level)
            self.phase.setText(text)
        self._time_left_before = None
        self.time_left.clear()

    def _ended(self, code: int, message: str) -> None:
        message = self.in_field_words(message)
        if self._dialog is not None:
            self._dialog.close()
            self._dialog = None
        self.end = (code, message)
        self._show_end(code, message)
        if message:
            self.logged.emit("error", message, False)
        if self._plan_dir is not None:
            shutil.rmtree(self._plan_dir, ignore_errors=True)
            self._plan_dir = None
        self._set_state(IDLE)
        process, self.process = self.process, None
        if process is not None:
            process.deleteLater()
        self.run_ended.emit(self.folder, self.status or ("failed" if message else ""))
