"""On-device targets in the app: the fields each kind shows, deepx and command plans through the
panels and back, their "Test connection", a real run of a vendor benchmark program with its
results in inferences/s, and the same screens in Korean."""
import os
import sys
import tomllib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from drivers.targets.parsers import PARSERS, REGEX_FIELDS
from kperf_gui.session.plan import parse
from kperf_gui.session.plan_toml import dump_plan
from kperf_gui.ui import run_panel as rp, translation
from kperf_gui.ui.main_window import MainWindow
from .test_ui_translation import TS, messages, visible_texts
from .uihelpers import ROOT

FAKE_VENDOR = ROOT / "tests" / "data" / "command_outputs" / "fake_vendor.py"
RUN_TIMEOUT_MS = 90_000

DEEPX_PLAN = {
    "session": {"name": "dxm1-yolov8n", "operator": "J. Kim"},
    "target": {"kind": "deepx", "model_path": "/models/yolov8n.dxnn", "devices": [0, 2]},
    "meters": [{"driver": "yokogawa-wt300e", "resource": "TCPIP0::192.168.1.20::inst0::INSTR"},
               {"driver": "deepx-status", "role": "auxiliary"}],
    "sweep": {"concurrency": [1, 2, 4], "seconds_per_point": 30, "idle_baseline_s": 10},
}

COMMAND_PLAN = {
    "session": {"name": "vendor-regex"},
    "target": {"kind": "command",
               "command": ["my tool", "--model", "/models/a b.hef", "-t", "{seconds}",
                           "--jobs={concurrency}"],
               "parser": "regex", "settle_s": 2.5, "cwd": "/opt/vendor",
               "regex": {"throughput": r"FPS\s*[:=]\s*([\d.]+)",
                         "latency_ms": r"^Latency = (\d+(?:\.\d+)?) ms"}},
    "sweep": {"concurrency": [1, 2], "precision": ["int8"], "seconds_per_point": 20,
              "idle_baseline_s": 5},
}


def command_run_plan(name: str = "vendor-run") -> dict:
    """One point of the fake vendor program, read by the run_model parser."""
    return {"session": {"name": name, "operator": "tester"},
            "target": {"kind": "command",
                       "command": [sys.executable, str(FAKE_VENDOR), "run_model.txt"],
                       "parser": "run_model"},
            "sweep": {"concurrency": [1], "requests_per_point": 1, "idle_baseline_s": 0}}


def shown(panel, *widgets):
    return [w.isVisibleTo(panel) for w in widgets]


def choose(window, kind):
    s = window.session
    s.kind.setCurrentIndex(s.kind.findData(kind))


def test_each_kind_shows_its_own_fields(window):
    s, od, sw = window.session, window.session.on_device, window.sweep
    window.tabs.setCurrentWidget(s)
    endpoint = (s.base_url, s.model, s.api, s.api_key_env, s.tokenizer)
    deepx = (od.model_path, od.devices)
    command = (od.command, od.parser, od.settle, od.cwd)
    names = [s.kind.itemText(i) for i in range(s.kind.count())]
    assert "DEEPX NPU (DX-RT)" in names and "Vendor benchmark program" in names
    assert [od.parser.itemData(i) for i in range(od.parser.count())] == list(PARSERS)

    choose(window, "deepx")
    assert shown(s, *deepx) == [True, True]
    assert not any(shown(s, *endpoint, *command, od.regex))
    assert od.model_path.button.text() == "Browse…"
    assert not sw.input_tokens.isEnabled() and not sw.output_tokens.isEnabled()
    assert "on-device" in sw.input_tokens.toolTip()
    assert sw.concurrency_label.text() == "Parallel jobs"

    choose(window, "command")
    assert all(shown(s, *command)) and not any(shown(s, *endpoint, *deepx))
    od.parser.setCurrentIndex(od.parser.findData("run_model"))
    assert not od.regex.isVisibleTo(s)
    od.parser.setCurrentIndex(od.parser.findData("regex"))
    assert od.regex.isVisibleTo(s)
    assert [od.regex.item(r, 0).text() for r in range(od.regex.rowCount())] == list(REGEX_FIELDS)
    assert not sw.input_tokens.isEnabled()

    choose(window, "openai")
    assert all(shown(s, *endpoint)) and not any(shown(s, *deepx, *command, od.regex))
    assert sw.input_tokens.isEnabled() and sw.input_tokens.toolTip() == ""
    assert sw.concurrency_label.text() == "Concurrent users"

    choose(window, "simulated")
    assert shown(s, *endpoint) == [False, True, True, False, True]
    assert not any(shown(s, *deepx, *command))


def test_on_device_plans_leave_out_the_lengths(window):
    window.sweep.input_tokens.setText("128, 1024")
    window.sweep.output_tokens.setText("128")
    window.sweep.concurrency.setText("1, 2, 4")
    choose(window, "deepx")
    window.session.on_device.model_path.set_text("/models/yolov8n.dxnn")
    d = window.plan_dict()
    assert "input_tokens" not in d["sweep"] and "output_tokens" not in d["sweep"]
    assert d["target"] == {"kind": "deepx", "model_path": "/models/yolov8n.dxnn"}
    assert "3 sweep point(s)" in window.sweep.count.text()
    plan = parse(dump_plan(d))
    assert plan.target.devices == (0,) and plan.sweep.input_tokens == ()
    choose(window, "openai")
    assert window.plan_dict()["sweep"]["input_tokens"] == [128, 1024]


@pytest.mark.parametrize("plan", [DEEPX_PLAN, COMMAND_PLAN], ids=["deepx", "command"])
def test_plan_files_round_trip(window, tmp_path, plan):
    src = tmp_path / "in.toml"
    src.write_text(dump_plan(plan), encoding="utf-8")
    assert window.open_plan_file(src), window.log.text()
    out = tmp_path / "out.toml"
    assert window.save_plan_file(out)
    assert tomllib.loads(out.read_text(encoding="utf-8")) == plan
    assert out.read_text(encoding="utf-8") == src.read_text(encoding="utf-8")
    parse(out.read_text(encoding="utf-8"))


def test_command_panel_shows_and_writes_each_field(window, tmp_path):
    src = tmp_path / "in.toml"
    src.write_text(dump_plan(COMMAND_PLAN), encoding="utf-8")
    assert window.open_plan_file(src)
    od = window.session.on_device
    assert od.command.text() == ("'my tool' --model '/models/a b.hef' -t {seconds} "
                                 "--jobs={concurrency}")
    assert od.parser_name() == "regex" and od.settle.value() == 2.5
    assert od.cwd.text() == "/opt/vendor"
    assert od.regex.fields() == COMMAND_PLAN["target"]["regex"]
    od.command.setText("hailortcli benchmark 'net with space.hef' --time-to-run {seconds}")
    od.parser.setCurrentIndex(od.parser.findData("hailortcli"))
    t = window.plan_dict()["target"]
    assert t["command"] == ["hailortcli", "benchmark", "net with space.hef", "--time-to-run",
                            "{seconds}"]
    assert t["parser"] == "hailortcli" and "regex" not in t
    od.command.setText("tool 'open quote")
    assert window.check_plan() is None
    assert "quotation mark" in window.session.errors.message("target.command")


def test_a_command_given_as_a_string_is_saved_as_a_list(window, tmp_path):
    src = tmp_path / "in.toml"
    src.write_text('[session]\nname = "s"\n[target]\nkind = "command"\n'
                   'command = "rknn_benchmark model.rknn \\"a b\\""\nparser = "rknn_benchmark"\n'
                   "[sweep]\nconcurrency = [1]\nrequests_per_point = 1\n", encoding="utf-8")
    assert window.open_plan_file(src)
    assert window.plan_dict()["target"]["command"] == ["rknn_benchmark", "model.rknn", "a b"]


def test_regex_mistakes_show_at_the_table(window):
    choose(window, "command")
    od = window.session.on_device
    od.command.setText("tool")
    od.parser.setCurrentIndex(od.parser.findData("regex"))
    assert window.check_plan() is None
    assert "regex" in window.session.errors.message("target.regex")
    od.regex.item(REGEX_FIELDS.index("throughput"), 1).setText(r"FPS (\d+) (\d+)")
    assert window.check_plan() is None
    assert "exactly one capture group" in window.session.errors.message("target.regex")
    od.regex.item(REGEX_FIELDS.index("throughput"), 1).setText(r"FPS (\d+)")
    assert window.check_plan() is not None


def test_test_connection_for_deepx_says_dx_engine_is_missing(window, qtbot, monkeypatch):
    monkeypatch.setitem(sys.modules, "dx_engine", None)  # not importable, whatever is installed
    s = window.session
    choose(window, "deepx")
    s.test_button.click()
    assert "model file" in s.test_result.text()
    s.on_device.model_path.set_text("/models/yolov8n.dxnn")
    s.test_button.click()
    qtbot.waitUntil(lambda: s.test_button.isEnabled(), timeout=20_000)
    assert "dx_engine is not installed" in s.test_result.text()


def test_test_connection_for_deepx_loads_the_model(window, qtbot, monkeypatch, tmp_path):
    from fake_dx_engine import make_dx_engine

    monkeypatch.setitem(sys.modules, "dx_engine", make_dx_engine(device_count=2))
    model = tmp_path / "yolov8n.dxnn"
    model.write_bytes(b"model")
    s = window.session
    choose(window, "deepx")
    s.on_device.model_path.set_text(str(model))
    s.on_device.devices.setText("1")
    s.test_button.click()
    qtbot.waitUntil(lambda: s.test_button.isEnabled(), timeout=20_000)
    assert s.test_result.text() == "The model loaded on NPU 1. DX-RT 3.1.0; 2 device(s) found."


def test_test_connection_for_a_program(window, qtbot):
    s = window.session
    choose(window, "command")
    s.on_device.command.setText("no-such-vendor-tool --run")
    s.test_button.click()
    qtbot.waitUntil(lambda: s.test_button.isEnabled(), timeout=20_000)
    assert "'no-such-vendor-tool'" in s.test_result.text()
    assert "not found" in s.test_result.text()
    s.on_device.command.setText(f"'{sys.executable}' -V")
    s.test_button.click()
    qtbot.waitUntil(lambda: s.test_button.isEnabled(), timeout=20_000)
    assert s.test_result.text() == f"Found the program: {sys.executable}"


def run_command_plan(window, qtbot, name):
    window.apply_plan(command_run_plan(name))
    window.start()
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    assert window.run.status == "finished", window.log.text()
    qtbot.waitUntil(lambda: window.results.data is not None, timeout=30_000)
    window.run.plots.refresh()


def header(table, key):
    return table.horizontalHeaderItem(table.keys.index(key)).text()


def test_a_vendor_program_runs_and_reads_in_inferences(window, qtbot):
    run_command_plan(window, qtbot, "ui-vendor")
    run = window.run
    assert run.unit == "inference" and run.table.rowCount() == 1
    assert run.table.cell_text(0, "valid") == "yes"
    assert header(run.table, "output_tokens_per_s") == "Inferences/s"
    assert header(run.table, "joules_per_output_token") == "J/inference"
    assert header(run.table, "e2e_ms_mean") == "Latency mean (ms)"
    assert run.table.cell_text(0, "e2e_ms_mean") == "7.4"
    for key in ("ttft_ms_p50", "ttft_ms_p99", "input_tokens", "output_tokens"):
        assert run.table.isColumnHidden(run.table.keys.index(key)), key
    plots = run.plots
    assert plots.tokens_plot.getPlotItem().titleLabel.text == "Inferences/s"
    assert plots.headline_plot.getPlotItem().titleLabel.text == "Power against inferences/s"
    assert plots.headline_plot.getPlotItem().getAxis("bottom").labelText == "inferences/s"
    assert "inferences/s" in window.log.text() and "J/inference" in window.log.text()

    res = window.results
    assert res.summary.unit == "inference"
    assert header(res.summary, "output_tokens_per_s_per_w") == "Inferences/s per W"
    assert res.summary.isColumnHidden(res.summary.keys.index("ttft_ms_mean"))
    assert not res.summary.isColumnHidden(res.summary.keys.index("e2e_ms_mean"))
    curves = res.curves
    assert curves.unit == "inference" and curves.series == 1
    assert curves.throughput.getPlotItem().getAxis("left").labelText == "inferences/s"
    assert curves.per_user.getPlotItem().titleLabel.text == "Power against inferences/s"
    assert len(curves.ttft.getPlotItem().listDataItems()) == 1  # mean; run_model prints no p99
    assert curves.throughput.getPlotItem().listDataItems()[0].name() == "default"
    assert "default" in curves.legend.text()
    assert curves.per_user.getPlotItem().listDataItems() == []  # no wall meter: no power

    window.apply_plan(command_run_plan("again"))
    assert window.plan_dict()["target"]["command"][1] == str(FAKE_VENDOR)


def test_token_runs_keep_their_labels(window):
    run = window.run
    run.handle_event({"event": "session", "t": 0.0, "dir": "", "name": "x", "points": 1,
                      "unit": "token", "meters": []})
    assert header(run.table, "output_tokens_per_s") == "Tokens/s"
    assert not run.table.isColumnHidden(run.table.keys.index("ttft_ms_p50"))
    assert run.table.isColumnHidden(run.table.keys.index("e2e_ms_mean"))
    assert run.plots.tokens_plot.getPlotItem().titleLabel.text == "Output tokens/s"


def english_left(w):
    english = {src for (_, src), (forms, _) in messages(TS).items() if forms[0] != src}
    return [t for t in visible_texts(w) if t in english]


def test_on_device_screens_are_all_korean(app, qtbot):
    assert translation.install("ko")
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    names = [w.session.kind.itemText(i) for i in range(w.session.kind.count())]
    assert "DEEPX NPU (DX-RT)" in names and "벤더 벤치마크 프로그램" in names
    for kind in ("deepx", "command"):
        choose(w, kind)
        w.session.on_device.parser.setCurrentIndex(w.session.on_device.parser.findData("regex"))
        assert english_left(w) == []
    assert w.sweep.concurrency_label.text() == "병렬 작업 수"
    w.run.set_unit("inference")
    assert header(w.run.table, "output_tokens_per_s") == "추론/초"
    assert header(w.run.table, "joules_per_output_token") == "추론당 에너지 (J)"
    assert w.run.plots.tokens_plot.getPlotItem().titleLabel.text == "추론/초"


def save(widget, folder: Path, name: str) -> None:
    """The widget as a PNG, drawn twice so that plot axes have made room for their labels."""
    QApplication.processEvents()
    widget.grab()
    QApplication.processEvents()
    assert widget.grab().save(str(folder / f"{name}.png"))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_on_device_screens(app, qtbot, lang, tmp_path):
    """The session page for each on-device kind, the sweep page, and the run and results after
    a run of a vendor program, saved as PNG (to $KPERF_SHOTS when set, for looking at them)."""
    folder = Path(os.environ.get("KPERF_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    translation.install(lang)
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1280, 860)
    w.show()
    w.apply_plan(DEEPX_PLAN)
    w.tabs.setCurrentWidget(w.session)
    save(w, folder, f"{lang}-session-deepx")
    w.apply_plan(COMMAND_PLAN)
    save(w, folder, f"{lang}-session-command")
    w.tabs.setCurrentWidget(w.sweep)
    save(w, folder, f"{lang}-sweep-on-device")
    run_command_plan(w, qtbot, f"shots-{lang}")
    w.tabs.setCurrentWidget(w.run)
    w.log.flush()
    save(w, folder, f"{lang}-run-command")
    w.tabs.setCurrentWidget(w.results)
    save(w, folder, f"{lang}-results-command")
    w.results.tabs.setCurrentWidget(w.results.curves)
    save(w, folder, f"{lang}-results-command-curves")
