"""The panels fill a plan: the TOML they write, plan files, presets, mistakes shown at their
field, the first start, and what the app remembers."""
import datetime as dt
import tomllib

from PySide6.QtCore import QDate

from kperf_gui.session.plan import parse
from kperf_gui.session.plan_toml import dump_plan
from kperf_gui.ui import presets
from kperf_gui.ui.main_window import MainWindow

EXPECTED = """\
[session]
name = "rngd-llama31-8b"
operator = "J. Kim"
witness = "S. Park"
notes = "PSU A and B on elements 1 and 2"
ambient_c = 23.1

[target]
kind = "openai"
base_url = "http://127.0.0.1:8000/v1"
model = "meta-llama/Llama-3.1-8B-Instruct"
api = "chat"
api_key_env = "KPERF_API_KEY"

[[meters]]
driver = "yokogawa-wt300e"
resource = "TCPIP0::192.168.1.20::inst0::INSTR"
element = [1, 2]
calibration_due = 2031-03-31

[[meters]]
driver = "nvml"
role = "wall"

[sweep]
input_tokens = [128, 1024]
output_tokens = [128]
concurrency = [1, 8, 32]
precision = ["bf16", "fp8"]
requests_per_point = 64
warmup_requests = 4
idle_baseline_s = 10
seed = 0
"""


def fill(w: MainWindow) -> None:
    s = w.session
    s.name.setText("rngd-llama31-8b")
    s.operator.setText("J. Kim")
    s.witness.setText("S. Park")
    s.ambient.setText("23,1")
    s.notes.setPlainText("PSU A and B on elements 1 and 2")
    s.kind.setCurrentIndex(s.kind.findData("openai"))
    s.base_url.setText("http://127.0.0.1:8000/v1")
    s.model.setText("meta-llama/Llama-3.1-8B-Instruct")
    s.api.setCurrentIndex(s.api.findData("chat"))
    s.api_key_env.setText("KPERF_API_KEY")
    ins = w.instruments
    ins.list.setCurrentRow(0)
    ins.driver.setCurrentText("yokogawa-wt300e")
    ins.resource.setCurrentText("TCPIP0::192.168.1.20::inst0::INSTR")
    ins.elements.setText("1, 2")
    ins.has_due.setChecked(True)
    ins.due.setDate(QDate(2031, 3, 31))
    ins.add_meter()
    ins.driver.setCurrentText("nvml")
    ins.role.setCurrentIndex(ins.role.findData("wall"))
    sw = w.sweep
    sw.input_tokens.setText("128, 1024")
    sw.output_tokens.setText("128")
    sw.concurrency.setText("1 8 32")
    sw.precision.setText("bf16, fp8")
    sw.by_requests.setChecked(True)
    sw.requests.setValue(64)
    sw.warmup_default.setChecked(False)
    sw.warmup.setValue(4)
    sw.idle.setValue(10)


def test_first_start_is_the_demo_on_the_simulator(window):
    d = window.plan_dict()
    assert window.windowTitle() == "demo — K-Perf Lab"
    assert d["target"]["kind"] == "simulated"
    assert d["meters"] == [{"driver": "simulated", "element": 1, "rate_hz": 10}]
    assert window.check_plan() is not None
    assert window.session.sessions_root.text().endswith("K-Perf Lab")


def test_filled_panels_write_the_plan(window):
    fill(window)
    text = window.plan_text()
    assert text == EXPECTED
    plan = parse(text)
    assert plan.meters[0].elements == (1, 2) and plan.meters[1].role == "wall"
    assert plan.meters[0].calibration_due == dt.date(2031, 3, 31)
    assert window.windowTitle() == "rngd-llama31-8b — K-Perf Lab"
    assert window.check_plan().source == text


def test_plan_file_round_trip_keeps_keys_the_panels_do_not_edit(window, tmp_path):
    src = tmp_path / "in.toml"
    d = tomllib.loads(EXPECTED)
    d["sweep"]["seed"] = 7
    d["sweep"]["rate"] = 2.5
    d["target"]["precisions"] = {"fp8": {"model": "m-fp8"}}
    d["meters"][0]["on_loss"] = "stop"
    (tmp_path / "tok").mkdir()
    (tmp_path / "tok" / "tokenizer.json").write_text("{}")
    d["target"]["tokenizer"] = "tok/tokenizer.json"
    src.write_text(dump_plan(d))
    assert window.open_plan_file(src)
    assert window.session.tokenizer.text() == str(tmp_path / "tok" / "tokenizer.json")
    out = tmp_path / "out.toml"
    assert window.save_plan_file(out)
    again = tomllib.loads(out.read_text())
    d["target"]["tokenizer"] = str(tmp_path / "tok" / "tokenizer.json")
    assert again == d
    parse(out.read_text())


def test_a_bad_plan_file_changes_nothing(window, tmp_path, answered):
    bad = tmp_path / "bad.toml"
    bad.write_text('[session]\nname = "x"\n[target]\nkind = "nope"\n[sweep]\nconcurrency=[1]\n')
    before = window.plan_text()
    assert not window.open_plan_file(bad)
    assert window.plan_text() == before
    assert "target.kind" in answered[-1][2]


def test_mistakes_show_next_to_their_field(window, qtbot):
    window.sweep.concurrency.setText("1, x")
    assert window.check_plan() is None
    assert window.tabs.currentWidget() is window.sweep
    assert "whole numbers" in window.sweep.errors.message("sweep.concurrency")
    assert window.run.banner.level == "error"

    window.sweep.concurrency.setText("1")
    window.session.name.setText("bad name")
    assert window.check_plan() is None
    assert window.tabs.currentWidget() is window.session
    assert "A-Z a-z 0-9" in window.session.errors.message("session.name")
    assert window.sweep.errors.message("sweep.concurrency") == ""

    window.session.name.setText("ok")
    window.instruments.driver.setCurrentText("yokogawa-wt300e")
    assert window.check_plan() is None
    assert window.tabs.currentWidget() is window.instruments
    assert "resource" in window.instruments.errors.message("resource")

    window.instruments.resource.setCurrentText("TCPIP0::10.0.0.1::inst0::INSTR")
    window.instruments.has_due.setChecked(True)
    window.instruments.due.setDate(QDate(2020, 1, 31))
    assert "expired" in window.instruments.due_note.text()
    assert window.check_plan() is None
    assert "expired on 2020-01-31" in window.instruments.errors.message("calibration_due")
    window.instruments.allow_expired.setChecked(True)
    assert window.check_plan() is not None


def test_the_sweep_fields_are_checked_as_they_are_typed(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    sweep = window.sweep
    errors = sweep.errors
    sweep.input_tokens.setText("128, abc, -5")
    assert "“abc” is not a whole number" in errors.message("sweep.input_tokens")
    sweep.input_tokens.setText("128, -5")
    assert "-5 is out of range" in errors.message("sweep.input_tokens")
    sweep.concurrency.setText("0")
    assert "0 is out of range" in errors.message("sweep.concurrency")
    sweep.output_tokens.setText("64, 64")
    assert "twice" in errors.message("sweep.output_tokens")
    sweep.precision.setText("bf16, bf16")
    assert "twice" in errors.message("sweep.precision")
    # the save dialog does not open, and nothing is written, while the plan would be refused
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: asked.append(a) or (str(tmp_path / "p.toml"), ""))
    window.choose_plan_to_save()
    assert asked == [] and not (tmp_path / "p.toml").exists()
    assert window.run.banner.level == "error" and "not saved" in window.run.banner.text()
    assert not window.save_plan_file(tmp_path / "q.toml") and not (tmp_path / "q.toml").exists()
    # a field put right loses its message at once
    for w, text in ((sweep.input_tokens, "128, 1024"), (sweep.output_tokens, "64"),
                    (sweep.concurrency, "1, 8"), (sweep.precision, "bf16, fp8")):
        w.setText(text)
    assert all(errors.message(k) == "" for k in ("sweep.input_tokens", "sweep.output_tokens",
                                                   "sweep.concurrency", "sweep.precision"))
    window.choose_plan_to_save()
    assert len(asked) == 1
    saved = parse((tmp_path / "p.toml").read_text())
    assert saved.sweep.concurrency == (1, 8) and saved.sweep.input_tokens == (128, 1024)
    assert window.run.banner.level != "error"


def test_presets_apply_and_each_preset_is_a_valid_plan(window):
    found = presets.available()
    titles = " ".join(t for t, _ in found)
    for model in ("Llama 3.1 8B", "Llama 3.1 405B", "Llama 3.3 70B", "EXAONE"):
        assert model in titles
    for _, path in found:
        parse(path.read_text(), path.parent)
        window.apply_plan(tomllib.loads(path.read_text()))
        assert window.check_plan() is not None
    window.apply_plan(tomllib.loads(found[0][1].read_text()))
    window.session.operator.setText("J. Kim")
    window.session.kind.setCurrentIndex(window.session.kind.findData("simulated"))
    path = dict((p.stem, p) for _, p in found)["llama-3.3-70b"]
    window.apply_preset(path)
    d = window.plan_dict()
    assert d["session"]["name"] == "llama33-70b" and d["session"]["operator"] == "J. Kim"
    assert d["target"]["kind"] == "simulated"
    assert d["target"]["model"] == "meta-llama/Llama-3.3-70B-Instruct"
    assert d["sweep"]["concurrency"] == [1, 8, 16, 32, 64]
    assert "60 sweep point" in window.sweep.count.text()


def test_settings_remember_layout_plan_and_sessions_folder(app, qtbot, tmp_path):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 700)  # within the offscreen screen: a size that fits is kept
    first.session.name.setText("remembered")
    first.sweep.concurrency.setText("3, 5")
    first.session.set_sessions_root(tmp_path / "elsewhere")
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert (second.size().width(), second.size().height()) == (760, 700)
    assert second.session.name.text() == "remembered"
    assert second.plan_dict()["sweep"]["concurrency"] == [3, 5]
    assert second.windowTitle() == "remembered — K-Perf Lab"
    assert second.session.sessions_root.text() == str(tmp_path / "elsewhere")
    from kperf_gui.ui.settings import new_session_dir

    assert new_session_dir("remembered").parent == tmp_path / "elsewhere"
