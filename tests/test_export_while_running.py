"""``kperf export`` on a session a run is still writing, and points a kill cut off."""
import json
import os
import signal
import sqlite3
import time

import openpyxl

from runhelp import kperf, tiny_plan
from test_run_cli import _start, _until


def test_export_of_a_session_being_measured_says_a_run_is_writing_it(tmp_path):
    proc = _start(tmp_path, tiny_plan(tmp_path, seconds_per_point=30))
    try:
        _until(proc, lambda e: e["event"] == "phase" and e.get("phase") == "measuring")
        r = kperf("export", tmp_path / "o")
        assert r.returncode == 2, r.stdout + r.stderr
        line = r.stderr.strip()
        assert line.count("\n") == 0 and "Traceback" not in line
        assert "a run is still writing this session" in line
        assert "wait until the run finishes, or stop it" in line
        assert "damaged" not in line and "locked" not in line
        assert not (tmp_path / "o" / "results.xlsx").exists()
    finally:
        proc.stdin.write("abort\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    # the refused export left the run alone: it finished and sealed its folder
    assert json.loads(out.splitlines()[-1])["status"] == "aborted", err
    assert kperf("verify", tmp_path / "o").returncode == 0


def test_a_point_cut_off_by_a_kill_is_interrupted_not_running(tmp_path):
    proc = _start(tmp_path, tiny_plan(tmp_path, concurrency="[1, 2]", seconds_per_point=3))
    _until(proc, lambda e: e["event"] == "point_started" and e["point"] == 2)
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    folder = tmp_path / "o"
    r = kperf("export", folder)
    assert r.returncode == 0, r.stderr
    conn = sqlite3.connect(f"file:{folder / 'session.sqlite'}?mode=ro", uri=True)
    try:
        status = dict(conn.execute("SELECT id, status FROM points").fetchall())
        event = conn.execute("SELECT data FROM events WHERE kind = 'interrupted'").fetchone()
    finally:
        conn.close()
    assert status == {1: "finished", 2: "interrupted"}
    assert json.loads(event[0]) == {"points_interrupted": [2]}
    wb = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
    rows = list(wb["Summary"].iter_rows(values_only=True))
    reason = rows[2][rows[0].index("invalid_reason")]
    assert "point interrupted (the run ended before this point finished)" in reason
    assert "running" not in reason
    csv_text = (folder / "summary.csv").read_text(encoding="utf-8")
    assert "point interrupted" in csv_text and "point running" not in csv_text
    assert kperf("verify", folder).returncode == 0
