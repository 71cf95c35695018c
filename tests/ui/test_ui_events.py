"""The run view against recorded event lines: progress, live plots, the table of finished
points, the log, the operator's dialog; and a soak of the live plots."""
import numpy as np

from kperf_gui.run.events import encode
from kperf_gui.ui import run_panel as rp
from kperf_gui.ui.live_plots import LivePlots
from kperf_gui.ui.operator_dialog import OperatorDialog
from kperf_gui.ui.run_panel import RunPanel
from .uihelpers import recorded_events


class FakeProcess:
    """Stands in for the child: keeps the commands sent."""

    def __init__(self):
        self.sent = []

    def send(self, command):
        self.sent.append(command)


def panel_with_events(qtbot):
    panel = RunPanel()
    qtbot.addWidget(panel)
    logged = []
    panel.logged.connect(lambda level, text, reading: logged.append((level, text, reading)))
    panel.process = FakeProcess()
    panel._set_state(rp.STARTING)
    return panel, logged


def test_recorded_demo_events_fill_the_run_view(qtbot):
    panel, logged = panel_with_events(qtbot)
    events = recorded_events()
    for ev in events:
        panel.handle_event(ev)
    panel.plots.refresh()
    assert panel.table.rowCount() == 2
    assert panel.table.cell_text(0, "concurrency") == "1"
    assert panel.table.cell_text(1, "valid") == "yes"
    assert float(panel.table.cell_text(0, "output_tokens_per_s").replace(",", "")) > 0
    sizes = panel.plots.sizes()
    assert sizes["power"] == sum(e["event"] == "interval" for e in events)
    assert sizes["tokens"] == sizes["power"] and sizes["pairs"] == sizes["power"]
    x, y = panel.plots.power_curve.getOriginalDataset()
    assert len(x) == sizes["power"] and np.nanmax(y) > 150
    assert len(panel.plots._markers) == 4  # two points, marked on both time plots
    assert set(panel.plots._scatter) == {0, 1, 2}
    assert panel.table.item(1, 0).background().color().alpha() == 90
    assert panel.state == rp.RUNNING
    assert panel.status == "finished" and panel.folder == events[-1]["dir"]
    assert "Point 2 of 6" in panel.point_label.text()
    assert "Time left" in panel.time_left.text()
    texts = [t for _, t, _ in logged]
    assert len(logged) == len(events)
    assert any("Point 1 of 6 started: default · 128 in / 32 out · 1 users" in t for t in texts)
    assert sum(r for _, _, r in logged) == sum(e["event"] == "interval" for e in events)
    assert np.nanmax(panel.plots.tokens_curve.getOriginalDataset()[1]) > 100


def test_point_failures_and_engine_errors_reach_the_log(qtbot):
    panel, logged = panel_with_events(qtbot)
    row = {"point": 1, "valid": False, "invalid_reason": "readings lost", "concurrency": 4}
    panel.handle_event({"event": "point_finished", "t": 1.0, "point": 1, "summary": row})
    panel.handle_event({"event": "log", "t": 1.1, "level": "error", "message": "meter lost"})
    assert logged[0][0] == "warning" and "INVALID: readings lost" in logged[0][1]
    assert logged[1] == ("error", "meter lost", False)
    assert panel.table.item(0, 0).toolTip() == "readings lost"
    # the reason is readable in the table itself, under its own column
    assert panel.table.cell_text(0, "invalid_reason") == "readings lost"
    column = panel.table.keys.index("invalid_reason")
    assert panel.table.horizontalHeaderItem(column).text() == "Why invalid"
    assert not panel.table.isColumnHidden(column)


def test_operator_action_opens_a_dialog_that_sends_continue(qtbot):
    panel, _ = panel_with_events(qtbot)
    panel.handle_event({"event": "operator_action", "t": 5.0, "precision": "fp8",
                        "message": "Switch the server to precision 'fp8' (model m), then continue."})
    dialog = panel.findChild(OperatorDialog)
    assert dialog is not None and dialog.isVisible()
    assert "fp8" in panel.phase.text()
    dialog.continue_button.click()
    assert panel.process.sent == ["continue"]
    assert not dialog.isVisible()


def test_operator_dialog_can_abort(qtbot):
    panel, _ = panel_with_events(qtbot)
    panel._set_state(rp.RUNNING)
    panel.handle_event({"event": "operator_action", "t": 5.0, "precision": "fp8", "message": "m"})
    panel.findChild(OperatorDialog).abort_button.click()
    assert panel.process.sent == ["abort"] and panel.state == rp.ABORTING


def test_pause_resume_stop_send_their_commands(qtbot):
    panel, _ = panel_with_events(qtbot)
    panel._set_state(rp.RUNNING)
    panel.pause_button.click()
    assert panel.state == rp.PAUSED and panel.pause_button.text() == "Resume"
    panel.pause_button.click()
    assert panel.state == rp.RUNNING
    panel.stop_button.click()
    assert panel.state == rp.STOPPING and not panel.stop_button.isEnabled()
    assert panel.process.sent == ["pause", "resume", "stop"]


def test_every_event_line_of_the_stream_is_read(qtbot):
    from kperf_gui.ui.run_process import RunProcess

    proc = RunProcess()
    got, lines = [], []
    proc.event.connect(got.append)
    proc.log_line.connect(lines.append)
    proc._take(encode({"event": "log", "t": 0.0, "level": "info", "message": "hello"}))
    proc._take("not json")
    proc._take("")
    assert got == [{"event": "log", "t": 0.0, "level": "info", "message": "hello"}]
    assert lines == ["not json"]


def test_live_plots_survive_a_thousand_updates(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.show()
    plots.mark_point(0.0, 1)
    t = 0.0
    for i in range(1000):
        plots.add_interval(t + 0.05, 200.0 + (i % 50), float(i % 90), 1 + i // 400)
        if i % 400 == 0:
            plots.mark_point(t, 1 + i // 400)
        t += 0.1
        plots.refresh()
        plots.repaint()
    assert plots.refreshes == 1000
    assert plots.sizes() == {"power": 1000, "tokens": 1000, "pairs": 1000}
    plots.reset()
    plots.refresh()
    assert plots.sizes() == {"power": 0, "tokens": 0, "pairs": 0}
    assert plots.power_curve.getData()[0] is None or len(plots.power_curve.getData()[0]) == 0
