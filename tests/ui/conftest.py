"""GUI test set-up: Qt offscreen, settings and session folders in the test's own temp folder,
message boxes answered without a person, and a main window that is cleaned up."""
import os
import signal

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Settings and Documents inside the test's temp folder."""
    config = tmp_path / "config"
    config.mkdir()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(config))
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(tmp_path / "Documents"))
    return tmp_path


@pytest.fixture(autouse=True)
def answered(monkeypatch):
    """Every message box answers Yes/OK at once; the questions asked are kept."""
    asked = []

    def question(parent, title, text, *a, **k):
        asked.append(("question", title, text))
        return QMessageBox.StandardButton.Yes

    def note(kind):
        def show(parent, title, text, *a, **k):
            asked.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return show

    monkeypatch.setattr(QMessageBox, "question", question)
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, kind, note(kind))
    monkeypatch.setattr(QMessageBox, "about", note("about"))
    return asked


@pytest.fixture
def app(qapp):
    """The QApplication with K-Perf Lab's names and plot options, in English."""
    from kperf_gui.ui import plotting, translation
    from kperf_gui.ui.settings import APPLICATION, ORGANISATION

    QApplication.setOrganizationName(ORGANISATION)
    QApplication.setApplicationName(APPLICATION)
    plotting.configure()
    translation.install("en")
    yield qapp
    translation.install("en")


@pytest.fixture
def window(app, qtbot):
    """A shown main window; a run still going at the end is killed. (A run outlives its window
    by design, and pytest-qt may have deleted the window already.)"""
    from shiboken6 import isValid

    from kperf_gui.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    yield w
    proc = w.run.process
    popen = getattr(proc, "_proc", None)
    if popen is not None and popen.poll() is None:
        os.kill(popen.pid, signal.SIGKILL)
        popen.wait(timeout=30)
        if isValid(w):
            qtbot.waitUntil(lambda: not w.run.busy(), timeout=20_000)
    if isValid(w):
        w.instruments.release()
        qtbot.waitUntil(lambda: w.instruments.connected() == 0, timeout=20_000)


@pytest.fixture(scope="session")
def finished_session(tmp_path_factory):
    """A finished three-point session, written by ``kperf run`` once for all tests."""
    from kperf_gui.session.plan_toml import dump_plan
    from .uihelpers import run_headless, tiny_plan

    tmp = tmp_path_factory.mktemp("finished")
    out = tmp / "session"
    plan = tiny_plan("finished", concurrency=(1, 4, 16), seconds=1)
    r = run_headless(dump_plan(plan), out, tmp)
    assert r.returncode == 0, r.stderr
    return out
