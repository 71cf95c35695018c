"""Korean and English: the shipped catalogue is complete, matches the code, keeps every
placeholder, loads, and changes what the window shows; the Language menu is remembered."""
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabWidget

from kperf_gui.ui import translation
from kperf_gui.ui.main_window import MainWindow
from kperf_gui.ui.paths import TRANSLATIONS
from .uihelpers import ROOT

TS = TRANSLATIONS / "kperf_ko.ts"
QM = TRANSLATIONS / "kperf_ko.qm"
PLACEHOLDER = re.compile(r"\{[^}]*\}|%n")


def messages(path):
    out = {}
    for ctx in ET.parse(path).getroot().findall("context"):
        name = ctx.find("name").text
        for m in ctx.findall("message"):
            tr = m.find("translation")
            forms = [f.text for f in tr.findall("numerusform")] or [tr.text]
            out[(name, m.find("source").text)] = (forms, tr.get("type"))
    return out


def tool(name):
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed beside Python")
    return found


def test_catalogue_is_complete_and_keeps_placeholders():
    msgs = messages(TS)
    assert len(msgs) > 250
    for (ctx, src), (forms, kind) in msgs.items():
        assert kind is None, (ctx, src)
        for text in forms:
            assert text and text.strip(), (ctx, src)
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(src)), (ctx, src)


def test_catalogue_matches_the_code(tmp_path):
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "kperf_gui" / "ui").glob("*.py"))
    subprocess.run([tool("pyside6-lupdate"), *sources, "-ts", str(fresh), "-locations", "none"],
                   check=True, capture_output=True)
    assert set(messages(fresh)) == set(messages(TS))


def test_compiled_catalogue_is_up_to_date(tmp_path):
    qm = tmp_path / "kperf_ko.qm"
    subprocess.run([tool("pyside6-lrelease"), str(TS), "-qm", str(qm)], check=True,
                   capture_output=True)
    assert qm.read_bytes() == QM.read_bytes()


def visible_texts(widget):
    texts = []
    for w in widget.findChildren(QLabel):
        texts.append(w.text())
    for w in widget.findChildren(QAbstractButton):
        texts.append(w.text())
    for w in widget.findChildren(QGroupBox):
        texts.append(w.title())
    for tabs in widget.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    return [t for t in texts if t]


def test_korean_changes_what_the_window_shows(app, qtbot):
    assert translation.install("ko")
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    assert [w.tabs.tabText(i) for i in range(w.tabs.count())] == \
        ["세션", "측정기", "변수 범위 테스트", "측정", "결과"]
    assert w.run.start_button.text() == "시작"
    assert w.run.table.horizontalHeaderItem(2).text() == "입력 길이"
    assert w.windowTitle() == "demo — K-Perf Lab"
    assert w.statusBar().currentMessage() == "준비됨"
    english = {src for (_, src), (forms, _) in messages(TS).items() if forms[0] != src}
    left = [t for t in visible_texts(w) if t in english]
    assert left == []


def test_english_is_the_source_text(app, qtbot):
    assert translation.install("en")
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.run.start_button.text() == "Start"


def test_language_menu_rebuilds_the_window_and_is_remembered(app, qtbot):
    from kperf_gui.ui.app import App

    controller = App()
    old = controller.window
    qtbot.addWidget(old)
    old.show()
    old.session.name.setText("kept")
    old.language_actions["ko"].trigger()
    new = controller.window
    qtbot.addWidget(new)
    assert new is not old and new.isVisible() and not old.isVisible()
    assert new.run.start_button.text() == "시작"
    assert new.session.name.text() == "kept"
    assert translation.chosen_language() == "ko"
    assert new.language_actions["ko"].isChecked()
    new.language_actions["en"].trigger()
    assert controller.window.run.start_button.text() == "Start"
    qtbot.addWidget(controller.window)


@pytest.mark.parametrize("language, during, paused", [
    ("en", "Sweep: point 3 of 6", "Time left: paused"),
    ("ko", "전체: 포인트 3/6", "남은 시간: 일시 정지됨")])
def test_the_sweep_progress_reads_the_point_in_progress(app, qtbot, language, during, paused):
    from kperf_gui.ui import run_panel as rp
    from kperf_gui.ui.run_panel import RunPanel

    assert translation.install(language)
    try:
        panel = RunPanel()
        qtbot.addWidget(panel)
        panel._set_state(rp.RUNNING)
        panel.handle_event({"event": "point_started", "t": 1.0, "point": 3, "of": 6,
                            "precision": "bf16", "input_tokens": 128, "output_tokens": 64,
                            "concurrency": 8, "model": "m", "ranging": False})
        assert panel.sweep_label.text() == during
        panel.handle_event({"event": "progress", "t": 2.0, "point": 3, "of": 6, "done": 5.0,
                            "total": 10.0, "elapsed_s": 5.0, "left_s": 60.0})
        assert panel.sweep_label.text() == during
        assert panel.sweep_bar.value() == round((2 + 0.5) / 6 * 1000)
        panel.handle_event({"event": "phase", "t": 3.0, "phase": "paused", "point": 3})
        assert panel.time_left.text() == paused
    finally:
        translation.install("en")
