"""A run as a child process: ``python -m kperf_gui.cli run PLAN --events --out DIR``.

Its standard output is read line by line as events, its standard error goes to the log, and
commands go to its standard input. Two reader threads hand each line to the window as a signal,
so nothing here blocks the window. The child keeps its journal on disk, so a crash on either side
loses nothing that was measured, and it runs in a process group of its own: the window can close
and leave it running (:meth:`detach`), and it finishes and writes its session folder alone.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from PySide6.QtCore import QObject, Signal

from kperf_gui.run.events import COMMANDS, decode

_ROOT = str(Path(__file__).resolve().parents[2])
READ_REST_S = 5.0
"""After the run has exited, how long its last lines are waited for."""


class RunProcess(QObject):
    """One run of the engine. Signals: ``event(dict)`` per event line, ``log_line(str)`` per
    line of standard error, ``ended(int, str)``: the exit code and, when the run could not do
    its work, one sentence saying why (empty otherwise)."""

    event = Signal(dict)
    log_line = Signal(str)
    ended = Signal(int, str)
    _exited = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._proc: subprocess.Popen[bytes] | None = None
        self._last_err = ""
        self._detached = False
        self._lock = threading.Lock()
        self._exited.connect(self._finished)

    @staticmethod
    def arguments(plan: Path, out: Path) -> list[str]:
        return ["-m", "kperf_gui.cli", "run", str(plan), "--events", "--out", str(out)]

    def start(self, plan: Path, out: Path) -> None:
        """Start the run; :attr:`ended` follows in every case."""
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
        options: dict = {"start_new_session": True} if os.name == "posix" else {
            "creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
        self._last_err = ""
        try:
            self._proc = subprocess.Popen(
                [sys.executable, *self.arguments(plan, out)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, **options)
        except OSError as exc:
            self.ended.emit(-1, self.tr("The measurement process could not start ({0}). Check "
                                        "that K-Perf Lab is installed completely.")
                            .format(exc.strerror or exc))
            return
        proc = self._proc
        readers = [threading.Thread(target=self._read_lines, args=(proc.stdout, self._take),
                                    name="run-stdout", daemon=True),
                   threading.Thread(target=self._read_lines, args=(proc.stderr, self._err_line),
                                    name="run-stderr", daemon=True)]
        for t in readers:
            t.start()

        def wait() -> None:
            code = proc.wait()
            for t in readers:
                # a process the run started (the simulator) may hold the pipes a little longer
                t.join(timeout=READ_REST_S)
            self._emit(self._exited, code)

        threading.Thread(target=wait, name="run-wait", daemon=True).start()

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def pid(self) -> int:
        return int(self._proc.pid) if self._proc is not None else 0

    def send(self, command: str) -> None:
        """Send ``pause``, ``resume``, ``stop``, ``abort`` or ``continue``."""
        if command not in COMMANDS:
            raise ValueError(f"unknown command {command!r}")
        proc = self._proc
        if proc is None or proc.stdin is None or not self.running():
            return
        try:
            proc.stdin.write((command + "\n").encode())
            proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the run has just ended: its own end is reported by ``ended``

    def detach(self) -> None:
        """Leave the run to finish alone: no more signals; it keeps writing its journal."""
        with self._lock:
            self._detached = True

    # --- reader threads ----------------------------------------------------------------------

    def _emit(self, signal, *args) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            if self._detached:
                return
            try:
                signal.emit(*args)
            except RuntimeError:
                pass  # the window is gone

    @staticmethod
    def _read_lines(stream: IO[bytes] | None, take) -> None:  # type: ignore[no-untyped-def]
        if stream is None:
            return
        try:
            for raw in stream:
                take(raw.decode("utf-8", "replace").rstrip("\r\n"))
        except (OSError, ValueError):
            pass

    def _take(self, line: str) -> None:
        if not line.strip():
            return
        ev = decode(line)
        if ev is None:
            self._emit(self.log_line, line)
        else:
            self._emit(self.event, ev)

    def _err_line(self, line: str) -> None:
        if line.strip():
            self._last_err = line.strip()
            self._emit(self.log_line, line)

    def _finished(self, code: int) -> None:
        if self._detached:
            return
        message = ""
        if code < 0:  # ended by a signal
            message = self.tr("The measurement process stopped unexpectedly. What it measured is "
                              "kept in the session folder.")
            code = -1
        elif code == 2:
            text = self._last_err.removeprefix("kperf: ")
            message = text or self.tr("The run could not start; see the log for the reason.")
        elif code not in (0, 1):
            message = self.tr("The measurement process ended with code {0}. What it measured is "
                              "kept in the session folder; see the log for the reason.").format(code)
        proc = self._proc
        if proc is not None and proc.stdin is not None:
            # only standard input: a reader thread may still be blocked on the others (held
            # open by a process the run started), and closing them would wait for it
            try:
                proc.stdin.close()
            except OSError:
                pass
        self.ended.emit(code, message)
