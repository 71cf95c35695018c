"""A note during a run, from the Run panel: the run journals it in the session's event log."""
from contextlib import closing

from kperf_gui.session.journal import open_readonly
from kperf_gui.ui import run_panel as rp
from kperf_gui.ui.signing import RunNoteDialog, ask_run_note
from .uihelpers import tiny_plan

RUN_TIMEOUT_MS = 90_000


def test_a_note_given_during_the_run_is_in_its_event_log(window, qtbot, monkeypatch):
    asked = []

    def ask(parent, author):
        asked.append(author)
        return "Rack door opened\nfor a minute", "S. Park"

    monkeypatch.setattr(rp, "ask_run_note", ask)
    assert not window.run.note_button.isEnabled()
    window.apply_plan(tiny_plan("ui-note", seconds=2))
    window.start()
    qtbot.waitUntil(lambda: window.run._phase == "measuring", timeout=RUN_TIMEOUT_MS)
    assert window.run.note_button.isEnabled()
    window.run.note_button.click()
    qtbot.waitUntil(lambda: "Note recorded: Rack door opened" in window.log.text(),
                    timeout=30_000)
    window.run.note_button.click()  # the author given last is offered again
    qtbot.waitUntil(lambda: window.run.state == rp.IDLE, timeout=RUN_TIMEOUT_MS)
    assert asked == ["", "S. Park"] and "Note sent" in window.log.text()
    assert not window.run.note_button.isEnabled()
    with closing(open_readonly(window.run.folder + "/session.sqlite")) as conn:
        notes = conn.execute("SELECT message, data FROM events WHERE kind = 'note'").fetchall()
    assert notes == [("Rack door opened\nfor a minute", '{"author": "S. Park"}')] * 2


def test_the_note_dialog_gives_text_and_author(app, qtbot, monkeypatch):
    def answer(dialog):
        dialog.text.setPlainText("  fan replaced  ")
        dialog.author.setText(" J. Kim ")
        return RunNoteDialog.DialogCode.Accepted

    monkeypatch.setattr(RunNoteDialog, "exec", answer)
    assert ask_run_note(None, "") == ("fan replaced", "J. Kim")
    monkeypatch.setattr(RunNoteDialog, "exec", lambda d: RunNoteDialog.DialogCode.Rejected)
    assert ask_run_note(None, "") is None
