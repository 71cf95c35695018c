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


def test_declining_an_interrupted_session_shows_nothing_of_the_one_before(app, qtbot,
                                                                          finished_session,
                                                                          tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    res = panel(qtbot)
    res.open_session(finished_session)
    qtbot.waitUntil(lambda: res.data is not None, timeout=30_000)
    assert res.summary.rowCount() == 3 and res.info.rowCount() > 5
    folder = make_interrupted(finished_session, tmp_path / "declined-after")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    res.open_session(folder)
    assert res.where.text() == str(folder) and res.folder == folder
    assert res.data is None
    assert res.summary.rowCount() == 0 and res.info.rowCount() == 0 and res.curves.series == 0
    assert res.banner.level == "warning" and "nothing of it is shown" in res.banner.text()
    assert not res.export_button.isEnabled()


def test_a_reading_that_comes_back_for_another_folder_is_dropped(app, qtbot, finished_session):
    res = panel(qtbot)
    res.open_session(finished_session)
    qtbot.waitUntil(lambda: res.data is not None, timeout=30_000)
    shown = res.data
    other = sessions.read(finished_session)
    other.summary = other.summary.iloc[:1]
    res._shown_for(finished_session.parent / "elsewhere", other)
    res._failed_for(finished_session.parent / "elsewhere", "late failure")
    assert res.data is shown and res.summary.rowCount() == 3
    assert res.banner.level == "ok"


def test_the_results_table_keeps_the_point_and_shows_validity_first(app, qtbot, finished_session):
    res = panel(qtbot)
    res.open_session(finished_session)
    qtbot.waitUntil(lambda: res.data is not None, timeout=30_000)
    table = res.summary
    assert table.keys[:11] == ("point", "precision", "input_tokens", "output_tokens",
                               "concurrency", "valid", "invalid_reason", "output_tokens_per_s",
                               "power_w_mean", "joules_per_output_token",
                               "output_tokens_per_s_per_w")
    assert sorted(table.keys) == sorted(res.data.summary.columns)
    assert table.isColumnHidden(0)  # the point stands in the row header, which never scrolls
    assert table.verticalHeader().isVisible()
    assert [table.verticalHeaderItem(r).text() for r in range(3)] == ["1", "2", "3"]


def test_open_session_lists_the_sessions_folder(app, qtbot, finished_session, isolated):
    import shutil

    from kperf_gui.ui.session_list import SessionPicker
    from kperf_gui.ui.settings import sessions_root

    root = sessions_root()
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(finished_session, root / "finished-copy")
    make_interrupted(finished_session, root / "cut-off")
    dialog = SessionPicker()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.list.rowCount() == 2, timeout=30_000)
    rows = {dialog.list.item(r, 0).toolTip(): [dialog.list.item(r, c).text() for c in range(5)]
            for r in range(2)}
    name, started, status, model, valid = rows[str(root / "finished-copy")]
    assert name == "finished" and status == "finished" and valid == "3 of 3"
    assert model == "sim-llm · simulator" and started[:2] == "20"
    assert rows[str(root / "cut-off")][2] == "interrupted"
    assert rows[str(root / "cut-off")][4] == "— of 3"
    assert "2 session(s)" in dialog.note.text()
    dialog.list.selectRow(0)
    dialog.buttons.accepted.emit()
    assert dialog.chosen is not None and dialog.result() == dialog.DialogCode.Accepted


def test_open_folder_without_a_file_manager_says_where_it_is(app, qtbot, finished_session,
                                                            monkeypatch):
    from PySide6.QtGui import QDesktopServices

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    res = panel(qtbot)
    res.open_session(finished_session)
    qtbot.waitUntil(lambda: res.data is not None, timeout=30_000)
    res.folder_button.click()
    assert res.banner.level == "warning" and str(finished_session) in res.banner.text()


def test_compare_view_overlays_sessions_and_exports(app, qtbot, finished_session, tmp_path):
    import shutil

    from kperf_gui.session.compare import FIGURES, WORKBOOK

    other = tmp_path / "other"
    shutil.copytree(finished_session, other)
    res = panel(qtbot)
    view = res.compare
    view.compare([finished_session])
    assert "two or more" in view.note.text()
    view.add(finished_session)
    view.add(other)
    assert view.list.ticked() == [finished_session, other]
    view.list.set_entries([])  # the sessions folder listed again: added folders stay
    assert view.list.ticked() == [finished_session, other]
    view.compare()
    qtbot.waitUntil(lambda: len(view.sessions) == 2, timeout=60_000)
    for plot in view.plots.values():
        assert len(plot.getPlotItem().listDataItems()) >= 2
    x, y = view.plots["output_tokens_per_s"].getPlotItem().listDataItems()[0].getData()
    assert list(x) == [0.0, 0.6020599913279624, 1.2041199826559248]  # log10 of 1, 4, 16
    assert view.table.rowCount() == 3
    assert "3 sweep point(s) measured in two or more" in view.note.text()
    assert "finished" in view.legend.text()
    view.export(tmp_path / "cmp")
    qtbot.waitUntil(lambda: not view.busy, timeout=60_000)
    assert sorted(p.name for p in (tmp_path / "cmp").iterdir()) == sorted([WORKBOOK, *FIGURES])
    assert "Comparison written" in view.note.text()
