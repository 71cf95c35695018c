"""A run whose journal stops taking data: the run says why in one line and keeps what was
committed. (With a simulated WT310E answering 17,000 reads a second the journal fell behind, its
flush's result was ignored, and the run ended "The run failed: KeyError(1)" then "Run failed: 1
point(s), 1 valid".)"""
import sqlite3

from kperf_gui import cli
from kperf_gui.session.journal import Journal
from runhelp import tiny_plan


def test_a_journal_that_fails_mid_run_ends_it_with_the_reason(tmp_path, monkeypatch, capsys):
    apply = Journal._apply

    def failing(self, conn, kind, item):
        if kind == "request":
            raise sqlite3.OperationalError("database or disk is full")
        apply(self, conn, kind, item)

    monkeypatch.setattr(Journal, "_apply", failing)
    code = cli.main(["run", str(tiny_plan(tmp_path)), "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert code == 1
    reason = ("The run failed: the journal could not be written (database or disk is full). "
              "What was measured is kept.")
    assert reason in out and "KeyError" not in out
    last = out[out.rindex(reason):].splitlines()
    assert last[1] == ("summary.csv holds the 1 point(s) journaled before the failure, with "
                       "what they say of themselves.")
    for line in out.splitlines():  # "failed" and "valid" are never said together
        assert not ("failed" in line and "valid" in line), line
    assert (tmp_path / "o" / "summary.csv").is_file()
