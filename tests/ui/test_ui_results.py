"""Results: a finished session opened read-only, an interrupted one closed and rebuilt, one
still being written refused, and folders that hold no session."""
import hashlib

from kperf_gui.ui import sessions
from kperf_gui.ui.results_panel import ResultsPanel
from .uihelpers import make_interrupted


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def panel(qtbot):
    p = ResultsPanel()
    qtbot.addWidget(p)
    p.show()
    return p


def test_finished_session_opens_read_only(app, qtbot, finished_session):
    before = {p.name: digest(p) for p in finished_session.iterdir() if p.is_file()}
    res = panel(qtbot)
    res.open_session(finished_session)
    qtbot.waitUntil(lambda: res.data is not None, timeout=30_000)
    assert res.summary.rowCount() == 3
    assert [res.summary.cell_text(r, "concurrency") for r in range(3)] == ["1", "4", "16"]
    assert res.curves.series == 1
    x, y = res.curves.throughput.getPlotItem().listDataItems()[0].getData()
    assert list(x) == [0.0, 0.6020599913279624, 1.2041199826559248]  # log10 of 1, 4, 16
    assert all(v > 0 for v in y)
    assert len(res.curves.ttft.getPlotItem().listDataItems()) == 3  # p50, p90, p99
    assert res.info.rowCount() > 5
    assert res.banner.level == "ok" and "3 point(s), all valid" in res.banner.text()
    after = {p.name: digest(p) for p in finished_session.iterdir() if p.is_file()}
    assert after == before


def test_interrupted_session_is_closed_and_rebuilt_after_asking(app, qtbot, finished_session,
                                                                tmp_path, answered):
    folder = make_interrupted(finished_session, tmp_path / "interrupted")
    assert sessions.state(folder) == sessions.UNFINISHED
    res = panel(qtbot)
    res.open_session(folder)
    qtbot.waitUntil(lambda: res.data is not None, timeout=60_000)
    assert answered and answered[-1][0] == "question"
    assert res.data.interrupted and res.summary.rowCount() == 3
    assert res.banner.level == "warning" and "Interrupted run" in res.banner.text()
    assert sessions.state(folder) == sessions.FINISHED
    assert (folder / "results.xlsx").is_file()


def test_interrupted_session_left_alone_when_declined(app, qtbot, finished_session, tmp_path,
                                                      monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    folder = make_interrupted(finished_session, tmp_path / "declined")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    res = panel(qtbot)
    res.open_session(folder)
    assert res.data is None and res.banner.level == "warning"
    assert sessions.state(folder) == sessions.UNFINISHED


def test_a_session_being_written_is_refused(app, qtbot, finished_session, tmp_path):
    folder = make_interrupted(finished_session, tmp_path / "live")
    (folder / "session.sqlite").touch()
    assert sessions.state(folder) == sessions.LIVE
    res = panel(qtbot)
    res.open_session(folder)
    assert res.data is None and "still writing" in res.banner.text()


def test_a_folder_without_a_session_is_said_plainly(app, qtbot, tmp_path):
    res = panel(qtbot)
    res.open_session(tmp_path)
    assert res.banner.level == "error" and "holds no session.sqlite" in res.banner.text()
    (tmp_path / "session.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x01" * 200)
    res.open_session(tmp_path)
    qtbot.waitUntil(lambda: not res.busy, timeout=30_000)
    assert res.banner.level == "error" and "could not be read" in res.banner.text()
    assert "Traceback" not in res.banner.text()
