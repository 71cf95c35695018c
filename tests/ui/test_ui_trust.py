"""A window a technician can trust all day: a confirmation holds the run, the window fits a
1366x768 screen, a change of language keeps what is on screen, the simulated-instrument tick and
an empty resource, the calibration year typed, the guide, and the small things (title, focus,
field names, progress, legends, the Session record in Korean)."""
import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QMessageBox

from drivers.resources import sim_resources
from kperf_gui.measure.metrics import DEFINITIONS
from kperf_gui.ui import help as help_module
from kperf_gui.ui import main_window as mw
from kperf_gui.ui import run_panel as rp
from kperf_gui.ui import translation
from kperf_gui.ui.instruments_panel import InstrumentsPanel
from kperf_gui.ui.main_window import MainWindow
from kperf_gui.ui.run_panel import RunPanel
from .test_ui_events import FakeProcess
from .uihelpers import recorded_events


# --- 7: a confirmation holds the run -------------------------------------------------------------

@pytest.mark.parametrize("answer, sent, state", [
    (QMessageBox.StandardButton.No, ["pause", "resume"], rp.RUNNING),
    (QMessageBox.StandardButton.Yes, ["pause", "abort"], rp.ABORTING)])
def test_the_abort_question_holds_the_run_while_it_is_open(app, qtbot, monkeypatch, answer, sent,
                                                            state):
    panel = RunPanel()
    qtbot.addWidget(panel)
    panel.process = FakeProcess()
    panel._set_state(rp.RUNNING)
    during = []

    def question(parent, title, text, *a, **k):
        during.append((list(panel.process.sent), text))
        # the point in progress finishes while the question is open: nothing new may start
        panel.handle_event({"event": "point_finished", "point": 3, "summary": {"point": 3}})
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    panel.abort_button.click()
    assert during[0][0] == ["pause"] and "held" in during[0][1]
    assert panel.process.sent == sent and panel.state == state


def test_a_paused_run_is_not_resumed_by_declining_to_abort(app, qtbot, monkeypatch):
    panel = RunPanel()
    qtbot.addWidget(panel)
    panel.process = FakeProcess()
    panel._set_state(rp.PAUSED)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    panel.confirm_abort()
    assert panel.process.sent == [] and panel.state == rp.PAUSED


# --- 8: the window fits a 1366x768 screen --------------------------------------------------------

def test_the_first_size_fits_the_screen():
    assert mw.fitted(QSize(1280, 860), QRect(0, 0, 1366, 740)) == QSize(1280, 692)
    assert mw.fitted(QSize(1280, 860), QRect(0, 0, 1920, 1050)) == QSize(1280, 860)
    assert mw.fitted(QSize(1280, 860), QRect(0, 0, 600, 400)) == mw.MIN_SIZE


def test_every_page_fits_1366x768(app, qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    hint = w.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 700, hint
    w.resize(1366, 700)
    QApplication.processEvents()
    assert w.log_dock.geometry().bottom() < w.statusBar().geometry().top()
    assert w.statusBar().geometry().bottom() <= w.height()


def test_a_remembered_size_larger_than_the_screen_is_shrunk(app, qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    area = w.screen().availableGeometry()
    w.resize(area.width() + 400, area.height() + 400)
    w.fit_to_screen()
    assert w.width() <= area.width() and w.height() <= area.height()


# --- 9: a change of language keeps what is on screen ---------------------------------------------

def test_a_change_of_language_keeps_the_page_the_log_and_the_run(app, qtbot, finished_session):
    from kperf_gui.ui.app import App

    controller = App()
    old = controller.window  # the App deletes it after the change: not given to qtbot
    old.show()
    old.run._set_state(rp.STARTING)
    for ev in recorded_events():
        old.run.handle_event(ev)
    old.run._ended(0, "")
    old.run.plots.refresh()
    old.results.open_session(finished_session)
    qtbot.waitUntil(lambda: old.results.data is not None, timeout=30_000)
    old.tabs.setCurrentWidget(old.run)
    old.log.add("a line the technician was reading")
    sizes = old.run.plots.sizes()
    old.language_actions["ko"].trigger()
    new = controller.window
    assert new is not old
    assert new.tabs.currentWidget() is new.run
    assert "a line the technician was reading" in new.log.text()
    assert new.run.table.rowCount() == 2 and new.run.plots.sizes() == sizes
    assert "포인트 2개" in new.run.banner.text()  # the end of the run, in Korean
    assert new.run.state == rp.IDLE
    qtbot.waitUntil(lambda: new.results.data is not None, timeout=30_000)
    assert new.results.folder == finished_session
    new.language_actions["en"].trigger()
    qtbot.addWidget(controller.window)


# --- 10: instruments ---------------------------------------------------------------------------

def instruments(qtbot, meter):
    panel = InstrumentsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.read_plan({"meters": [meter]})
    return panel


def test_ticking_simulated_uses_the_simulations_resource_and_unticking_restores(app, qtbot):
    panel = instruments(qtbot, {"driver": "yokogawa-wt300e", "resource": "TCPIP0::10.0.0.9::INSTR"})
    panel.simulate.setChecked(True)
    simulated = sim_resources("yokogawa-wt300e")[0]
    assert panel.resource.currentText() == simulated
    d = {}
    panel.write_plan(d)
    assert d["meters"][0]["resource"] == simulated
    assert d["meters"][0]["options"] == {"simulate": True}
    panel.simulate.setChecked(False)
    assert panel.resource.currentText() == "TCPIP0::10.0.0.9::INSTR"


def test_connecting_without_a_resource_says_what_to_give(app, qtbot):
    panel = instruments(qtbot, {"driver": "yokogawa-wt300e"})
    panel.connect_meter(0)
    assert panel.connected() == 0
    message = panel.errors.message("resource")
    assert "Give the instrument's resource" in message and "simulated" in message
    assert "VISA resource string" not in message


def test_the_calibration_year_can_be_typed(app, qtbot):
    panel = instruments(qtbot, {"driver": "yokogawa-wt300e", "options": {"simulate": True}})
    panel.has_due.setChecked(True)
    qtbot.mouseClick(panel.due, Qt.MouseButton.LeftButton, pos=QPoint(12, panel.due.height() // 2))
    assert panel.due.currentSection() == QDateTimeEdit.Section.YearSection
    qtbot.keyClicks(panel.due, "2031")
    qtbot.keyClick(panel.due, Qt.Key.Key_Tab)
    assert panel.due.date().year() == 2031
    d = {}
    panel.write_plan(d)
    assert d["meters"][0]["calibration_due"].year == 2031


# --- 12: help ----------------------------------------------------------------------------------

def test_the_guide_carries_the_contracts_definitions():
    assert [(name, text) for name, _, text in help_module.DEFINITIONS] == list(DEFINITIONS)


@pytest.mark.parametrize("lang, heading, term", [
    ("en", "Metric definitions", "joules_per_output_token"),
    ("ko", "측정 지표 정의", "토큰당 에너지")])
def test_the_guide_in_both_languages(app, qtbot, lang, heading, term):
    translation.install(lang)
    w = MainWindow()
    qtbot.addWidget(w)
    w.show_guide()
    guide = w._guide
    assert guide.isVisible()
    text = guide.view.toPlainText()
    assert heading in text and term in text
    for section in ("Connect a power meter", "Run a preset", "Read the figures", "Sign a session"):
        assert (section in text) == (lang == "en")
    if lang == "ko":  # every definition in Korean, except the bare formulas
        same = [name for _, name, body in help_module.DEFINITIONS
                if QApplication.translate("Definitions", body) == body]
        assert same == ["power_w_mean", "output_tokens_per_s_per_w"]


# --- 13: the small things ----------------------------------------------------------------------

def test_the_title_names_the_app_once(app, qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.session.name.setText("rngd-8b")
    assert w.windowTitle() == "rngd-8b — K-Perf Lab"
    w.session.name.setText("")
    assert w.windowTitle() == "K-Perf Lab"


def test_test_connection_keeps_the_focus_and_names_the_field(app, qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    s = w.session
    s.kind.setCurrentIndex(s.kind.findData("openai"))
    s.base_url.setText("http://127.0.0.1:9/v1")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    s.test_button.setFocus()
    assert QApplication.focusWidget() is s.test_button
    s.test_button.click()
    qtbot.waitUntil(lambda: s.test_button.isEnabled(), timeout=30_000)
    assert QApplication.focusWidget() is s.test_button
    text = s.test_result.text()
    assert "that the “Endpoint URL” field is right" in text and "base_url in the plan" not in text


def test_the_sweep_line_names_the_point_as_soon_as_it_starts(app, qtbot):
    panel = RunPanel()
    qtbot.addWidget(panel)
    panel.process = FakeProcess()
    panel._set_state(rp.RUNNING)
    panel.handle_event({"event": "progress", "point": 2, "of": 6, "done": 10, "total": 10,
                        "left_s": 30})
    panel.handle_event({"event": "point_started", "point": 3, "of": 6, "precision": "bf16",
                        "input_tokens": 128, "output_tokens": 128, "concurrency": 8})
    assert panel.sweep_label.text() == "Sweep: point 3 of 6"
    assert panel.point_label.text() == "Point 3 of 6"
    assert panel.sweep_bar.value() == round(2 / 6 * 1000)


def test_no_legend_covers_the_result_curves(app, qtbot, finished_session):
    from kperf_gui.ui.results_panel import ResultsPanel

    res = ResultsPanel()
    qtbot.addWidget(res)
    res.open_session(finished_session)
    qtbot.waitUntil(lambda: res.data is not None, timeout=30_000)
    for plot in res.curves.plots():
        assert plot.getPlotItem().legend is None
    assert "p50" in res.curves.legend.text() and "p99" in res.curves.legend.text()


def test_the_session_record_speaks_korean(app, qtbot, finished_session):
    from kperf_gui.ui.results_panel import ResultsPanel

    translation.install("ko")
    res = ResultsPanel()
    qtbot.addWidget(res)
    res.open_session(finished_session)
    qtbot.waitUntil(lambda: res.data is not None, timeout=30_000)
    items = {res.info.item(r, 1).text() for r in range(res.info.rowCount())}
    sections = {res.info.item(r, 0).text() for r in range(res.info.rowCount())}
    assert {"시험자", "입회자", "유휴 전력 측정 시간 (s)"} <= items
    assert "세션" in sections and "Session" not in sections
    assert "Operator" not in items and "Witness" not in items
