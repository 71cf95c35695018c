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


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_screens(app, qtbot, lang, tmp_path, finished_session):
    folder = Path(os.environ.get("KPERF_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    translation.install(lang)
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1280, 860)
    w.show()
    for name, panel in (("session", w.session), ("instruments", w.instruments),
                        ("sweep", w.sweep)):
        w.tabs.setCurrentWidget(panel)
        save(w, folder, f"{lang}-{name}")

    w.tabs.setCurrentWidget(w.instruments)
    w.instruments.live.connect_button.click()
    qtbot.waitUntil(lambda: w.instruments.live.readings.item(0, 1) is not None, timeout=30_000)
    save(w, folder, f"{lang}-instruments-live")
    w.instruments.release()
    qtbot.waitUntil(lambda: w.instruments.connected() == 0, timeout=30_000)

    w.sweep.concurrency.setText("1, x")
    w.check_plan()
    save(w, folder, f"{lang}-sweep-error")
    w.sweep.concurrency.setText("1, 8, 32")
    assert w.check_plan() is not None

    w.tabs.setCurrentWidget(w.run)
    w.run._set_state("starting")
    for ev in recorded_events():
        w.run.handle_event(ev)
    w.run.plots.refresh()
    w.log.flush()
    save(w, folder, f"{lang}-run-live")
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

    w.tabs.setCurrentWidget(w.results)
    w.results.open_session(finished_session)
    qtbot.waitUntil(lambda: w.results.data is not None, timeout=30_000)
    for i, name in enumerate(("summary", "curves", "record")):
        w.results.tabs.setCurrentIndex(i)
        save(w, folder, f"{lang}-results-{name}")
