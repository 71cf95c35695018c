"""The journal: batched writes, finalising, the hash-chained event log, crash survival."""
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing

from kperf_gui.session.journal import (Journal, append_event, check_chain, finalise, is_finalised,
                                       open_readonly)
from kperf_gui.session.records import ReadingRow, RequestRecord


def test_write_finalise_and_read_only(tmp_path):
    db = tmp_path / "session.sqlite"
    j = Journal(db)
    j.put_meta({"name": "x", "status": "running"})
    rid = j.put_request(RequestRecord(None, 1, 0, 0, 5, 10, 20, 21, 1, None, 200, 8, 8, 2, 2,
                                      "usage", 2, None), [(10, 3), (20, 4)])
    j.put_readings([ReadingRow(1, 1, 100, 50, 150, 250.0, 230.0, 1.1, 0.99, None, "ok",
                               "over_range", raw=b"raw")])
    j.put_event(7, "info", "hello", {"a": 1})
    assert j.flush()
    assert not is_finalised(db)
    j.close()
    assert is_finalised(db)
    before = db.read_bytes()
    with closing(open_readonly(db)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM chunks WHERE request = ?", (rid,)).fetchone()[0] == 2
        assert conn.execute("SELECT raw, watts_status, volts_status, note FROM readings"
                            ).fetchone() == (b"raw", "ok", "over_range", None)
        assert conn.execute("SELECT id, output_tokens FROM requests").fetchone() == (rid, 2)
        assert check_chain(conn) == []
    assert db.read_bytes() == before


def test_chain_detects_a_changed_event(tmp_path):
    db = tmp_path / "session.sqlite"
    j = Journal(db)
    for i in range(3):
        j.put_event(i, "info", f"event {i}")
    j.close()
    append_event(db, "export", "again")
    with closing(sqlite3.connect(db)) as conn:
        assert check_chain(conn) == []
        with conn:
            conn.execute("UPDATE events SET message = 'edited' WHERE id = 2")
        problems = check_chain(conn)
    assert problems == ["event 2: content changed after it was written"]


def test_kill_loses_at_most_the_last_second(tmp_path):
    db = tmp_path / "session.sqlite"
    code = textwrap.dedent(f"""
        import sys, time
        from kperf_gui.session.journal import Journal
        j = Journal({str(db)!r})
        i = 0
        while True:
            j.put_event(i, "tick", repr(time.time()))
            i += 1
            if i == 50:
                print("ready", flush=True)
            time.sleep(0.01)
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    import time
    time.sleep(1.5)
    killed_at = time.time()
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    finalise(db)
    with closing(sqlite3.connect(db)) as conn:
        last = float(conn.execute("SELECT message FROM events ORDER BY id DESC LIMIT 1").fetchone()[0])
        assert check_chain(conn) == []
    # events are stamped with the wall time they were queued; only the last batch may be lost
    assert killed_at - last < 1.0


def test_a_writer_that_failed_is_said_at_once_and_what_it_committed_is_kept(tmp_path, monkeypatch):
    """The journal's flush used to wait its 10 s and return False, and the caller went on to read
    back a point the file did not hold (``KeyError(1)``). A failed writer is now seen at once,
    named, and close() still finalises what was committed before raising."""
    import time

    import pytest

    from kperf_gui.session.journal import JournalError

    db = tmp_path / "session.sqlite"
    j = Journal(db)
    j.put_meta({"name": "x"})
    assert j.flush() and j.failure == ""
    apply = Journal._apply

    def failing(self, conn, kind, item):
        if kind == "event":
            raise sqlite3.OperationalError("disk I/O error")
        apply(self, conn, kind, item)

    monkeypatch.setattr(Journal, "_apply", failing)
    j.put_event(1, "info", "lost")
    started = time.monotonic()
    assert j.flush(timeout=30) is False
    assert time.monotonic() - started < 5  # not the whole timeout
    assert j.failure == "the journal could not be written (disk I/O error)"
    with pytest.raises(JournalError, match="disk I/O error"):
        j.close()
    assert is_finalised(db)
    with closing(open_readonly(db)) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'name'").fetchone() == ("x",)
