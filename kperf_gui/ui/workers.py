"""Work off the GUI thread: a function runs in Qt's thread pool and its result comes back as a
signal in the GUI thread. Failures come back as one plain sentence, never a traceback."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """One function call in the thread pool."""

    def __init__(self, fn: Callable[..., Any], *args: Any):
        super().__init__()
        self.fn = fn
        self.args = args
        self.signals = _Signals()

    def run(self) -> None:
        try:
            try:
                result = self.fn(*self.args)
            except Exception as exc:  # noqa: BLE001 - reported to the user as one sentence
                self.signals.failed.emit(plain_error(exc))
            else:
                self.signals.done.emit(result)
        except RuntimeError:
            pass  # the app closed while this ran: nobody is left to tell


_running: set[Task] = set()


def submit(fn: Callable[..., Any], *args: Any, done: Callable[[Any], None],
           failed: Callable[[str], None]) -> Task:
    """Run ``fn(*args)`` in the thread pool; ``done(result)`` or ``failed(message)`` follows in
    the GUI thread. Connect only slots of objects that live in the GUI thread."""
    task = Task(fn, *args)
    task.setAutoDelete(False)
    task.signals.done.connect(done)
    task.signals.failed.connect(failed)
    task.signals.done.connect(lambda _=None: _running.discard(task))
    task.signals.failed.connect(lambda _=None: _running.discard(task))
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task


def plain_error(exc: BaseException) -> str:
    """The exception's own message, or its kind when it has none."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
