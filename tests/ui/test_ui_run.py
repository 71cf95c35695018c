"""A real run in a child process, started from the window: to the end with the results opened
and exported, and paused and resumed on the way."""
from contextlib import closing

from kperf_gui.session.journal import open_readonly
from kperf_gui.ui import run_panel as rp
from .uihelpers import tiny_plan

RUN_TIMEOUT_MS = 90_000


def test_start_runs_the_plan_and_results_open_and_export(window, qtbot, isolated):
    window.apply_plan(tiny_plan("ui-finish", seconds=1))
    window.start()
    assert window.run.state == rp.STARTING
    assert not window.session.isEnabled()
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    run = window.run
    assert run.status == "finished", window.log.text()
    assert run.banner.level == "ok" and "1 point" in run.banner.text()
    assert run.table.rowCount() == 1 and run.table.cell_text(0, "valid") == "yes"
    assert run.plots.sizes()["power"] > 5
    folder = run.folder
    assert folder.startswith(str(isolated / "Documents" / "K-Perf Lab" / "ui-finish-"))
    qtbot.waitUntil(lambda: window.results.data is not None, timeout=30_000)
    res = window.results
    assert str(res.folder) == folder and len(res.data.summary) == 1
    assert res.summary.rowCount() == 1 and res.curves.series == 1
    assert not res.data.interrupted
    res.export()
    qtbot.waitUntil(lambda: not res.busy, timeout=60_000)
    assert "Exported" in res.banner.text()
    for name in ("results.xlsx", "summary.csv", "manifest.json", "plan.toml"):
        assert (res.folder / name).is_file()
    assert list((res.folder / "plots").glob("*.png"))
    with closing(open_readonly(res.folder / "session.sqlite")) as conn:
        kinds = [k for (k,) in conn.execute("SELECT kind FROM events")]
    assert "export" in kinds
    log = window.log.text()
    assert "Run finished (exit code 0)" in log and "Point 1 of 1 started" in log
    assert window.start_action.isEnabled() and window.session.isEnabled()


def test_pause_and_resume_a_real_run(window, qtbot):
    window.apply_plan(tiny_plan("ui-pause", seconds=2))
    window.start()
    qtbot.waitUntil(lambda: window.run._phase == "measuring", timeout=RUN_TIMEOUT_MS)
    # once the measured requests are going (a progress tick after measuring began): a pause the
    # instant measuring begins may come before the window opens
    qtbot.waitUntil(lambda: window.run.point_bar.value() > 0, timeout=RUN_TIMEOUT_MS)
    window.run.pause_button.click()
    assert window.run.state == rp.PAUSED and window.statusBar().currentMessage() == "Paused"
    assert window.run.pause_button.text() == "Resume"
    assert "measured again after Resume" in window.run.phase.text()
    assert "measured again after Resume" in window.run.pause_button.toolTip()
    # the pause reaches the run: its progress stands still and says so
    qtbot.waitUntil(lambda: any(e.get("phase") == "paused" for e in window.run.history),
                    timeout=RUN_TIMEOUT_MS)
    assert window.run.time_left.text() == "Time left: paused"
    bar = window.run.point_bar.value()
    window.run.handle_event({"event": "progress", "t": 0.0, "point": 1, "of": 1, "done": 2.0,
                             "total": 2.0, "elapsed_s": 9.0, "left_s": 99.0})
    assert window.run.point_bar.value() == bar
    assert window.run.time_left.text() == "Time left: paused"
    window.run.pause_button.click()
    assert window.run.state == rp.RUNNING and window.run.time_left.text() != "Time left: paused"
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    assert window.run.status == "finished"
    # the point was measured again after Resume: one row, valid, from the attempt that counts
    assert window.run.table.rowCount() == 1
    assert window.run.table.cell_text(0, "valid") == "yes"
    assert window.run.banner.level == "ok"
    assert [e["point"] for e in window.run.history if e.get("event") == "point_started"] == [1, 1]
    log = window.log.text()
    assert "Pause sent" in log and "Resume sent" in log and "measured again after Resume" in log


def test_the_operator_switches_the_server_between_precisions(window, qtbot):
    """Instruments held for the preview are let go of first; between the two precisions the
    run waits for the operator's Continue."""
    from kperf_gui.ui.operator_dialog import OperatorDialog

    window.apply_plan(tiny_plan("ui-switch", seconds=1, precision=("bf16", "fp8")))
    window.instruments.connect_meter(0)
    qtbot.waitUntil(lambda: window.instruments.live.readings.rowCount() == 1, timeout=30_000)
    window.start()
    qtbot.waitUntil(lambda: window.run.state != rp.IDLE, timeout=30_000)
    assert window.instruments.connected() == 0
    qtbot.waitUntil(lambda: window.run.findChild(OperatorDialog) is not None
                    and window.run.findChild(OperatorDialog).isVisible(), timeout=RUN_TIMEOUT_MS)
    dialog = window.run.findChild(OperatorDialog)
    assert window.run.table.rowCount() == 1
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    assert window.run.status == "finished", window.log.text()
    assert [window.run.table.cell_text(r, "precision") for r in range(2)] == ["bf16", "fp8"]
    assert "Continue sent" in window.log.text()
