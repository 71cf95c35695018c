"""Stopping a real run after its point, a run the engine refuses (exit 2), and a run process
that dies: the window says what happened and the session can still be opened."""
import os
import signal

from kperf_gui.ui import run_panel as rp
from kperf_gui.ui import settings as app_settings
from .uihelpers import tiny_plan

RUN_TIMEOUT_MS = 90_000


def test_stop_finishes_the_point_then_stops(window, qtbot):
    window.apply_plan(tiny_plan("ui-stop", concurrency=(2, 4), seconds=1))
    window.start()
    qtbot.waitUntil(lambda: window.run._phase == "measuring", timeout=RUN_TIMEOUT_MS)
    window.run.stop_button.click()
    assert window.run.state == rp.STOPPING
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    assert window.run.status == "stopped"
    assert window.run.table.rowCount() == 1
    assert "stopped" in window.run.banner.text()
    qtbot.waitUntil(lambda: window.results.data is not None, timeout=30_000)
    assert len(window.results.data.summary) == 1


def test_a_refused_run_shows_the_engines_sentence(window, qtbot, monkeypatch, isolated):
    taken = isolated / "taken"
    taken.mkdir()
    (taken / "something.txt").write_text("an earlier session")
    monkeypatch.setattr(app_settings, "new_session_dir", lambda name: taken)
    window.apply_plan(tiny_plan("ui-refused"))
    window.start()
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    assert window.run.banner.level == "error"
    assert "already holds files" in window.run.banner.text()
    assert "Traceback" not in window.log.text()
    assert window.results.data is None


def test_a_run_process_that_dies_leaves_an_interrupted_session(window, qtbot, answered):
    window.apply_plan(tiny_plan("ui-killed", concurrency=(2, 4), seconds=2))
    window.start()
    qtbot.waitUntil(lambda: window.run.table.rowCount() == 1, timeout=RUN_TIMEOUT_MS)
    os.kill(window.run.process.pid(), signal.SIGKILL)
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    assert window.run.banner.level == "error"
    assert "stopped unexpectedly" in window.run.banner.text()
    qtbot.waitUntil(lambda: window.results.data is not None, timeout=60_000)
    assert any(kind == "question" and "interrupted" in text for kind, _, text in answered)
    assert window.results.data.interrupted
    assert len(window.results.data.summary) >= 1
    assert "Interrupted run" in window.results.banner.text()
    # the Run page no longer tells to open it under Results: that is done
    assert "rebuilt from the journal and are shown under Results" in window.run.banner.text()
    assert "open it under Results" not in window.run.banner.text()
