"""The app as a whole: ``kperf-gui --demo`` starts the demo and Abort ends it; a run outlives a
window that is killed; the connection test; instruments found, connected and let go of."""
import os
import subprocess
import sys
from pathlib import Path

from kperf_gui.session.plan import parse
from kperf_gui.session.journal import is_finalised
from kperf_gui.ui import app as app_module
from kperf_gui.ui import instruments_panel
from kperf_gui.ui import run_panel as rp
from kperf_gui.session.plan_toml import dump_plan
from .uihelpers import ROOT, tiny_plan

RUN_TIMEOUT_MS = 90_000


def test_demo_flag_starts_the_demo_and_abort_ends_it(app, qtbot):
    controller = app_module.start(["--demo"])
    w = controller.window
    qtbot.addWidget(w)
    assert w.windowTitle() == "demo — K-Perf Lab"  # Qt adds no second "K-Perf Lab"
    qtbot.waitUntil(lambda: w.run._phase in ("warmup", "measuring"), timeout=RUN_TIMEOUT_MS)
    assert w.plan_dict()["target"]["kind"] == "simulated"
    assert w.tabs.currentWidget() is w.run
    w.run.abort_button.click()
    qtbot.waitUntil(lambda: not w.run.busy(), timeout=RUN_TIMEOUT_MS)
    assert w.run.status == "aborted"
    assert "aborted" in w.run.banner.text()


def test_the_gui_command_answers_help():
    r = subprocess.run([sys.executable, "-m", "kperf_gui", "--help"], cwd=ROOT, text=True,
                       capture_output=True, timeout=60,
                       env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert r.returncode == 0 and "--demo" in r.stdout


def test_closing_the_window_during_a_run_can_abort_it_first(window, qtbot, monkeypatch):
    from kperf_gui.ui import main_window

    asked = []
    monkeypatch.setattr(main_window, "ask_close_during_run",
                        lambda parent, folder: asked.append(folder) or main_window.ABORT_AND_CLOSE)
    window.apply_plan(tiny_plan("ui-close", seconds=2))
    window.start()
    qtbot.waitUntil(lambda: window.run.state == rp.RUNNING, timeout=RUN_TIMEOUT_MS)
    window.close()
    assert window.isVisible() and window.run.state == rp.ABORTING
    assert asked == [window.run.folder]
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=RUN_TIMEOUT_MS)
    assert window.run.status == "aborted"


def test_closing_the_window_can_keep_the_run_going(window, qtbot, monkeypatch):
    from kperf_gui.session.journal_reader import open_session
    from kperf_gui.ui import main_window, sessions

    monkeypatch.setattr(main_window, "ask_close_during_run",
                        lambda parent, folder: main_window.KEEP_GOING)
    window.apply_plan(tiny_plan("ui-keep", concurrency=(2, 4), seconds=1))
    window.start()
    qtbot.waitUntil(lambda: window.run._phase == "measuring", timeout=RUN_TIMEOUT_MS)
    folder = window.run.folder
    proc = window.run.process._proc
    ended = []
    window.run.run_ended.connect(lambda *a: ended.append(a))
    window.close()
    assert not window.isVisible()
    assert proc.poll() is None  # the run goes on without the window
    assert proc.wait(timeout=RUN_TIMEOUT_MS / 1000) in (0, 1)  # 1: a point invalid (load)
    qtbot.wait(200)
    assert ended == []  # the closed window heard nothing more
    assert sessions.state(Path(folder)) == sessions.FINISHED
    conn = open_session(Path(folder))
    status = dict(conn.execute("SELECT key, value FROM meta").fetchall())["status"]
    conn.close()
    assert status == "finished"


def test_cancelling_the_close_question_keeps_the_window_and_the_run(window, qtbot, monkeypatch):
    from kperf_gui.ui import main_window

    sent = []
    monkeypatch.setattr(main_window, "ask_close_during_run",
                        lambda parent, folder: sent.append(list(commands)) or main_window.CANCEL)
    plan = tiny_plan("ui-cancel", seconds=2)
    plan["sweep"]["idle_baseline_s"] = 3
    window.apply_plan(plan)
    window.start()
    qtbot.waitUntil(lambda: window.run._phase == "idle_baseline", timeout=RUN_TIMEOUT_MS)
    commands = []
    real_send = window.run.send
    monkeypatch.setattr(window.run, "send", lambda c: (commands.append(c), real_send(c))[-1])
    window.close()
    assert window.isVisible() and window.run.state == rp.RUNNING
    assert sent == [["pause"]]  # held while asked, outside a measurement window
    assert commands == ["pause", "resume"]
    qtbot.waitUntil(lambda: window.run._phase == "measuring", timeout=RUN_TIMEOUT_MS)
    commands.clear()
    window.close()
    assert commands == []  # inside the window a pause would cost the point: not held
    window.run.abort()
    qtbot.waitUntil(lambda: not window.run.busy(), timeout=RUN_TIMEOUT_MS)


GUI_SCRIPT = """
import sys, tomllib
from kperf_gui.ui.app import make_application, App
app = make_application()
c = App()
c.window.show()
c.window.apply_plan(tomllib.loads(open(sys.argv[1]).read()))
c.window.start()
app.exec()
"""


def test_a_run_outlives_a_killed_window(qtbot, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(dump_plan(tiny_plan("outlives", concurrency=(2, 4), seconds=1)))
    docs = tmp_path / "Documents"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DOCUMENTS_DIR=str(docs),
               XDG_CONFIG_HOME=str(tmp_path / "cfg"), PYTHONPATH=str(ROOT))
    gui = subprocess.Popen([sys.executable, "-c", GUI_SCRIPT, str(plan)], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def journal():
            found = list(docs.glob("K-Perf Lab/outlives-*/session.sqlite"))
            return found[0] if found else None

        qtbot.waitUntil(lambda: journal() is not None, timeout=RUN_TIMEOUT_MS)
        gui.kill()
        gui.wait(timeout=30)
        db = journal()
        qtbot.waitUntil(lambda: (db.parent / "manifest.json").is_file(), timeout=RUN_TIMEOUT_MS)
        assert is_finalised(db)
        assert (db.parent / "summary.csv").read_text().count("\n") == 3  # header and two points
    finally:
        if gui.poll() is None:
            gui.kill()


def test_test_connection_lists_the_simulators_models(window, qtbot):
    s = window.session
    s.test_button.click()
    assert not s.test_button.isEnabled()
    qtbot.waitUntil(lambda: s.test_button.isEnabled(), timeout=30_000)
    assert "sim-llm" in s.test_result.text() and "Connected" in s.test_result.text()


def test_test_connection_says_why_not(window, qtbot):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    s = window.session
    s.kind.setCurrentIndex(s.kind.findData("openai"))
    s.base_url.setText(f"http://127.0.0.1:{port}/v1")
    s.model.setText("m")
    s.test_button.click()
    qtbot.waitUntil(lambda: s.test_button.isEnabled(), timeout=30_000)
    assert "Cannot reach the endpoint" in s.test_result.text()
    s.base_url.setText("")
    s.test_button.click()
    assert "Give the endpoint URL first" in s.test_result.text()


def test_instruments_are_found_connected_read_and_let_go(window, qtbot, monkeypatch):
    found = [{"resource": "TCPIP0::10.0.0.7::inst0::INSTR", "kind": "visa",
              "description": "network instrument"},
             {"resource": "", "kind": "serial", "description": "",
              "note": "The serial port search failed: no permission."}]
    monkeypatch.setattr(instruments_panel, "list_resources", lambda timeout_s: found)
    ins = window.instruments
    ins.find_button.click()
    qtbot.waitUntil(lambda: ins.find_button.isEnabled(), timeout=10_000)
    assert "TCPIP0::10.0.0.7::inst0::INSTR" in ins.found.text()
    assert "no permission" in ins.found.text()
    assert ins.resource.findText("TCPIP0::10.0.0.7::inst0::INSTR") >= 0
    assert ins.resource.currentText() == ""

    ins.list.setCurrentRow(0)
    ins.live.connect_button.click()
    assert ins.connected() == 1 and ins.live.connect_button.text() == "Disconnect"
    qtbot.waitUntil(lambda: ins.live.readings.rowCount() == 1 and ins.live.readings.item(0, 1) is not None,
                    timeout=30_000)
    assert ins.live.identity["maker"].text() == "K-Perf Lab"
    assert ins.live.identity["model"].text() == "SIM-1" and ins.live.identity["serial"].text() == "SIM-0001"
    watts = float(ins.live.readings.item(0, 1).text())
    assert 100 < watts < 1000
    assert float(ins.live.readings.item(0, 4).text()) > 0.9

    released = []
    ins.release(lambda: released.append(True))
    qtbot.waitUntil(lambda: released == [True], timeout=30_000)
    assert ins.connected() == 0 and ins.live.status.text() == "Disconnected."


def test_a_meter_that_does_not_answer_is_said_plainly(window, qtbot):
    ins = window.instruments
    ins.driver.setCurrentText("yokogawa-wt300e")
    ins.resource.setCurrentText("TCPIP0::127.0.0.1::1::SOCKET")
    ins.live.connect_button.click()
    qtbot.waitUntil(lambda: ins.connected() == 0, timeout=60_000)
    assert ins.live.status.text() and "Traceback" not in ins.live.status.text()
    assert ins.live.status.styleSheet()


def test_closing_the_window_lets_go_of_the_instruments_first(window, qtbot):
    ins = window.instruments
    ins.connect_meter(0)
    qtbot.waitUntil(lambda: ins.live.readings.rowCount() == 1, timeout=30_000)
    window.close()
    assert window.isVisible()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=30_000)
    assert ins.connected() == 0


def test_a_simulated_instrument_of_a_make_connects_without_hardware(window, qtbot):
    ins = window.instruments
    ins.list.setCurrentRow(0)
    ins.driver.setCurrentText("simulated")
    assert not ins.simulate.isEnabled()  # the built-in meter has no make to simulate
    ins.driver.setCurrentText("hioki-pw3335")
    assert ins.simulate.isEnabled()
    ins.simulate.setChecked(True)
    plan = parse(window.plan_text())
    assert plan.meters[0].driver == "hioki-pw3335" and plan.meters[0].options == {"simulate": True}
    ins.live.connect_button.click()
    qtbot.waitUntil(lambda: ins.live.readings.rowCount() == 1 and ins.live.readings.item(0, 1) is not None,
                    timeout=30_000)
    assert ins.live.identity["maker"].text() == "HIOKI" and ins.live.identity["model"].text() == "PW3335"
    released = []
    ins.release(lambda: released.append(True))
    qtbot.waitUntil(lambda: released == [True], timeout=30_000)
