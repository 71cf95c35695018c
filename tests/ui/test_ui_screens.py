"""Every screen, in English and Korean, drawn offscreen and saved as PNG (to $KPERF_SHOTS when
set, for looking at them), and checked not to be blank."""
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from kperf_gui.ui import translation
from kperf_gui.ui.main_window import MainWindow
from kperf_gui.ui.operator_dialog import OperatorDialog
from .uihelpers import recorded_events


def save(widget, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    QApplication.processEvents()
    assert widget.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() > 300 and image.height() > 100
    colours = {image.pixel(x, y) for x in range(0, image.width(), 23)
               for y in range(0, image.height(), 23)}
    assert len(colours) > 3, f"{name} looks blank"
    return path


SIZES = {"1366x768": (1366, 728), "1920x1080": (1920, 1040)}  # less the desktop's panel


@pytest.mark.parametrize("lang, size", [("en", "1366x768"), ("ko", "1366x768"),
                                        ("en", "1920x1080")])
def test_screens(app, qtbot, lang, size, tmp_path, finished_session, monkeypatch):
    folder = Path(os.environ.get("KPERF_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    if size != "1366x768":
        lang = f"{lang}-{size}"
    translation.install(lang[:2])
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(*SIZES[size])
    w.show()
    for name, panel in (("session", w.session), ("instruments", w.instruments),
                        ("sweep", w.sweep)):
        w.tabs.setCurrentWidget(panel)
        save(w, folder, f"{lang}-{name}")

    w.tabs.setCurrentWidget(w.instruments)
    w.instruments.read_plan({"meters": [{"driver": "yokogawa-wt300e"}, {"driver": "simulated"}]})
    w.instruments.list.setCurrentRow(0)
    w.instruments.connect_meter(0)
    save(w, folder, f"{lang}-instruments-no-resource")
    w.instruments.simulate.setChecked(True)
    save(w, folder, f"{lang}-instruments-simulated")
    w.instruments.list.setCurrentRow(1)
    w.instruments.live.connect_button.click()
    qtbot.waitUntil(lambda: w.instruments.live.readings.item(0, 1) is not None, timeout=30_000)
    save(w, folder, f"{lang}-instruments-live")
    w.instruments.release()
    qtbot.waitUntil(lambda: w.instruments.connected() == 0, timeout=30_000)

    w.sweep.concurrency.setText("1, x")
    w.check_plan()
    save(w, folder, f"{lang}-sweep-error")
    w.sweep.concurrency.setText("0")
    w.sweep.input_tokens.setText("128, abc, -5")
    save(w, folder, f"{lang}-sweep-typing")
    w.sweep.input_tokens.setText("128")
    w.sweep.concurrency.setText("1, 8, 32")
    assert w.check_plan() is not None

    w.tabs.setCurrentWidget(w.run)
    w.run._set_state("starting")
    for ev in recorded_events():
        w.run.handle_event(ev)
    w.run.plots.refresh()
    w.log.flush()
    save(w, folder, f"{lang}-run-live")
    finished = [e for e in recorded_events() if e["event"] == "point_finished"]
    row = dict(finished[-1]["summary"], point=3, valid=False, invalid_reason=(
        "1 of 64 requests failed; yokogawa-wt300e#1 lost: no answer within 500 ms"))
    w.run.handle_event({"event": "point_finished", "t": 29.0, "point": 3, "summary": row})
    w.run.handle_event({"event": "point_started", "t": 30.0, "point": 4, "of": 6,
                        "precision": "default", "input_tokens": 128, "output_tokens": 32,
                        "concurrency": 8, "model": "sim-llm", "ranging": False})
    w.run.handle_event({"event": "progress", "t": 30.5, "point": 4, "of": 6, "done": 1.0,
                        "total": 4.0, "elapsed_s": 0.5, "left_s": 30.0})
    w.run._set_state("running")
    w.run.handle_event({"event": "phase", "t": 31.0, "phase": "measuring", "point": 4})
    w.run.toggle_pause()
    w.run.handle_event({"event": "phase", "t": 31.5, "phase": "paused", "point": 4})
    w.log.flush()
    save(w, folder, f"{lang}-run-paused")
    w.run.toggle_pause()
    w.run.handle_event({"event": "operator_action", "t": 20.0, "precision": "fp8",
                        "message": "Switch the server to precision 'fp8' (model sim-llm), "
                                   "then continue."})
    dialog = w.run.findChild(OperatorDialog)
    save(dialog, folder, f"{lang}-operator-dialog")
    dialog.reject()
    w.run.folder = ""
    w.run._ended(2, "target: Cannot reach the endpoint at http://127.0.0.1:8000/v1: connection "
                    "refused. Check that the server is running and the base_url in the plan.")
    save(w, folder, f"{lang}-run-error")
    assert "base_url" not in w.run.banner.text() and "URL" in w.run.banner.text()

    w.tabs.setCurrentWidget(w.results)
    w.results.open_session(finished_session)
    qtbot.waitUntil(lambda: w.results.data is not None, timeout=30_000)
    for i, name in enumerate(("summary", "curves", "record")):
        w.results.tabs.setCurrentIndex(i)
        save(w, folder, f"{lang}-results-{name}")
    w.results.tabs.setCurrentWidget(w.results.compare)
    other = tmp_path / "other-chip"
    if not other.exists():
        import shutil
        shutil.copytree(finished_session, other)
    w.results.compare.add(finished_session)
    w.results.compare.add(other)
    w.results.compare.compare()
    qtbot.waitUntil(lambda: len(w.results.compare.sessions) == 2, timeout=60_000)
    save(w, folder, f"{lang}-results-compare")
    w.results.compare.views.setCurrentIndex(1)
    save(w, folder, f"{lang}-results-compare-table")

    from kperf_gui.ui.session_list import SessionPicker
    picker = SessionPicker(w, root=finished_session.parent)
    qtbot.waitUntil(lambda: picker.list.rowCount() >= 1, timeout=30_000)
    save(picker, folder, f"{lang}-open-session")
    picker.reject()
    w.show_guide()
    save(w._guide, folder, f"{lang}-guide")
    w._guide.close()
