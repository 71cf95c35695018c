"""A run as a child process: ``python -m kperf_gui.cli run PLAN --events --out DIR``.

Its standard output is read line by line as events, its standard error goes to the log, and
commands go to its standard input. Nothing here blocks: QProcess tells us when there is
something to read. The child keeps its journal on disk, so a crash on either side loses nothing
that was measured.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from kperf_gui.run.events import COMMANDS, decode, note_command

_ROOT = str(Path(__file__).resolve().parents[2])


class RunProcess(QObject):
    """One run of the engine. Signals: ``event(dict)`` per event line, ``log_line(str)`` per
    line of standard error, ``ended(int, str)``: the exit code and, when the run could not do
    its work, one sentence saying why (empty otherwise)."""

    event = Signal(dict)
    log_line = Signal(str)
    ended = Signal(int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._proc: QProcess | None = None
        self._last_err = ""
        self._start_failed = False

    @staticmethod
    def arguments(plan: Path, out: Path) -> list[str]:
        return ["-m", "kperf_gui.cli", "run", str(plan), "--events", "--out", str(out)]

    def start(self, plan: Path, out: Path) -> None:
        """Start the run; :attr:`ended` follows in every case."""
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        env.insert("PYTHONPATH", os.pathsep.join(p for p in (_ROOT, env.value("PYTHONPATH")) if p))
        proc.setProcessEnvironment(env)
        proc.readyReadStandardOutput.connect(self._read_stdout)
        proc.readyReadStandardError.connect(self._read_stderr)
        proc.finished.connect(self._finished)
        proc.errorOccurred.connect(self._error)
        self._proc = proc
        self._last_err = ""
        self._start_failed = False
        proc.start(sys.executable, self.arguments(plan, out))

    def running(self) -> bool:
        return self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning

    def pid(self) -> int:
        return int(self._proc.processId()) if self._proc is not None else 0

    def send(self, command: str) -> None:
        """Send ``pause``, ``resume``, ``stop``, ``abort`` or ``continue``."""
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}")
        if self.running():
            assert self._proc is not None
            self._proc.write((command + "\n").encode())

    def send_note(self, text: str, author: str) -> None:
        """Give the run a note for its journal (``note`` on standard input)."""
        if self.running():
            assert self._proc is not None
            self._proc.write((note_command(text, author) + "\n").encode())

    def _read_stdout(self) -> None:
        proc = self._proc
        if proc is None:
            return
        while proc.canReadLine():
            line = bytes(proc.readLine().data()).decode("utf-8", "replace").rstrip("\r\n")
            self._take(line)

    def _take(self, line: str) -> None:
        if not line.strip():
            return
        ev = decode(line)
        if ev is None:
            self.log_line.emit(line)
        else:
            self.event.emit(ev)

    def _read_stderr(self) -> None:
        proc = self._proc
        if proc is None:
            return
        text = bytes(proc.readAllStandardError().data()).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.strip():
                self._last_err = line.strip()
                self.log_line.emit(line)

    def _error(self, err: QProcess.ProcessError) -> None:
        if err == QProcess.ProcessError.FailedToStart:
            self._start_failed = True
            reason = self._proc.errorString() if self._proc is not None else ""
            self.ended.emit(-1, self.tr("The measurement process could not start ({0}). Check "
                                        "that K-Perf Lab is installed completely.").format(reason))

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stdout()
        self._read_stderr()
        proc = self._proc
        if proc is not None:
            rest = bytes(proc.readAllStandardOutput().data()).decode("utf-8", "replace")
            for line in rest.splitlines():
                self._take(line)
        if self._start_failed:
            return
        message = ""
        if status == QProcess.ExitStatus.CrashExit:
            message = self.tr("The measurement process stopped unexpectedly. What it measured is "
                              "kept in the session folder: open it under Results to export it.")
            code = -1
        elif code == 2:
            text = self._last_err.removeprefix("kperf: ")
            message = text or self.tr("The run could not start; see the log for the reason.")
        elif code not in (0, 1):
            message = self.tr("The measurement process ended with code {0}. What it measured is "
                              "kept in the session folder; see the log for the reason.").format(code)
        self.ended.emit(code, message)
