"""The run view against recorded event lines: progress, live plots, the table of finished
points, the log, the operator's dialog; and a soak of the live plots."""
import numpy as np
import pytest

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


def test_the_headline_tells_sixty_points_apart_and_names_them(qtbot):
    from kperf_gui.ui import plotting

    plots = LivePlots()
    qtbot.addWidget(plots)
    looks = [(plotting.point_colour(p).name(), plotting.point_symbol(p)) for p in range(1, 61)]
    assert len({colour for colour, _ in looks}) == 60  # no colour comes back in 60 points
    assert looks[10][0] != looks[0][0] and looks[10][1] != looks[0][1]  # point 11 vs point 1
    grey = plotting.IDLE_COLOUR.name()
    assert grey not in {colour for colour, _ in looks}
    for p in range(1, 61):
        users = 2 ** (p % 7)
        plots.mark_point(float(p), p, f"Point {p}: bf16 · 128 in / 64 out · {users} users")
        plots.add_interval(p + 0.2, 300.0, 50.0, p, p + 0.15, p + 0.25)  # warm-up: grey
        plots.window_opened(p, p + 0.3)
        plots.add_interval(p + 0.5, 400.0, 900.0, p, p + 0.45, p + 0.55)
        plots.window_closed(p, p + 0.9)
    plots.refresh()
    assert plots.point_name(11) == "Point 11: bf16 · 128 in / 64 out · 16 users"
    assert plots.point_name(1) == "Point 1: bf16 · 128 in / 64 out · 2 users"
    names = plots.legend_names()
    assert names[-2] == plots.point_name(60) and names[-1] == "idle, warm-up or changeover"
    spot = plots._scatter[11].points()[0]
    assert plots._tip(spot.pos().x(), spot.pos().y(), spot.data()).startswith("Point 11: bf16")
    # in-window samples in the point's colour; warm-up and changeover in grey
    assert len(plots._pairs[11]) == 1 and len(plots._pairs[0]) == 60
    assert plots._scatter[0].opts["brush"].color().name() == grey
    assert plots._scatter[11].opts["brush"].color().name() == looks[10][0]


def test_the_tokens_trace_carries_each_points_running_rate(qtbot):
    from kperf_gui.measure.metrics import per_second

    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.mark_point(0.0, 1, "Point 1")
    plots.add_interval(0.05, 200.0, 5000.0, 1, 0.0, 0.1)  # warm-up: not in the point's rate
    plots.window_opened(1, 0.1)
    for i, rate in enumerate((0.0, 6500.0, 100.0, 3400.0)):  # swings as at high concurrency
        plots.add_interval(0.15 + 0.1 * i, 250.0, rate, 1, 0.1 + 0.1 * i, 0.2 + 0.1 * i)
    plots.refresh()
    t, mean = plots.rate_curve.getOriginalDataset()
    assert mean[-1] == pytest.approx(2500.0)  # the tokens so far over the window so far
    assert mean[-1] == pytest.approx(per_second(0.1 * (6500.0 + 100.0 + 3400.0), 0.4))
    assert list(mean[1:]) == pytest.approx([0.0, 3250.0, 2200.0, 2500.0])
    # point 2 starts its own rate; point 1 measured again starts afresh too
    plots.mark_point(1.0, 2, "Point 2")
    plots.window_opened(2, 1.0)
    plots.add_interval(1.05, 250.0, 800.0, 2, 1.0, 1.1)
    plots.refresh()
    t, mean = plots.rate_curve.getOriginalDataset()
    assert np.isnan(mean[-2]) and mean[-1] == pytest.approx(800.0)
