"""``kperf run``: preflight refusals (exit 2), the event stream and its commands, a killed run
exported afterwards."""
import json
import os
import signal
import sqlite3
import socket
import subprocess
import sys
import time



from runhelp import ROOT, assert_rows_are_the_summary, events_of, kperf, tiny_plan


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_bad_plan_exits_2_with_one_line(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text('[session]\nname = "x"\n[target]\nkind = "simulated"\n[sweep]\nconcurrency = [0]\n'
                 "input_tokens = [8]\noutput_tokens = [8]\nrequests_per_point = 1\n")
    r = kperf("run", p, "--out", tmp_path / "o")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "sweep.concurrency" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_endpoint_that_does_not_answer_exits_2(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text(f'[session]\nname = "x"\n[target]\nkind = "openai"\n'
                 f'base_url = "http://127.0.0.1:{closed_port()}/v1"\nmodel = "m"\n'
                 "[sweep]\nconcurrency = [1]\ninput_tokens = [8]\noutput_tokens = [8]\n"
                 "requests_per_point = 1\n")
    r = kperf("run", p, "--out", tmp_path / "o")
    assert r.returncode == 2, r.stderr
    assert "target:" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o").exists()


def test_meter_that_does_not_answer_exits_2(tmp_path):
    p = tiny_plan(tmp_path, meters=False)
    p.write_text(p.read_text().replace(
        "[sweep]", f'[[meters]]\ndriver = "yokogawa-wt300e"\n'
        f'resource = "TCPIP::127.0.0.1::{closed_port()}::SOCKET"\n\n[sweep]'))
    r = kperf("run", p, "--out", tmp_path / "o", timeout=120)
    assert r.returncode == 2, r.stderr
    assert "meters[0]" in r.stderr and "Traceback" not in r.stderr


def test_expired_calibration_refused_unless_allowed(tmp_path):
    p = tiny_plan(tmp_path, meters=False)
    p.write_text(p.read_text().replace(
        "[sweep]", '[[meters]]\ndriver = "simulated"\ncalibration_due = 2020-01-01\n\n[sweep]'))
    r = kperf("run", p, "--out", tmp_path / "o")
    assert r.returncode == 2 and "calibration" in r.stderr and "2020-01-01" in r.stderr


def test_unrouted_precision_without_terminal_is_refused(tmp_path):
    p = tiny_plan(tmp_path, precision='["bf16", "fp8"]')
    r = kperf("run", p, "--out", tmp_path / "o", input="")
    assert r.returncode == 2 and "fp8" in r.stderr


def test_events_stream_and_summary(tmp_path):
    p = tiny_plan(tmp_path, concurrency="[1, 4]")
    r = kperf("run", p, "--out", tmp_path / "o", "--events", input="")
    assert r.returncode == 0, r.stderr
    ev = events_of(r.stdout)
    kinds = [e["event"] for e in ev]
    assert kinds[0] == "session" and kinds[-1] == "finished"
    assert kinds.count("point_started") == 2 and kinds.count("point_finished") == 2
    assert "interval" in kinds and "progress" in kinds
    fin = [e for e in ev if e["event"] == "point_finished"]
    assert fin[0]["summary"]["valid"] is True and fin[0]["summary"]["concurrency"] == 1
    live = [e for e in ev if e["event"] == "interval"]
    assert all(e["watts"] is None or e["watts"] > 0 for e in live)
    assert ev[-1]["exit_code"] == 0 and ev[-1]["status"] == "finished"
    # the live table shows the very rows the workbook holds
    assert_rows_are_the_summary([e["summary"] for e in fin], tmp_path / "o")


def _start(tmp_path, plan, *extra):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "kperf_gui.cli", "run", str(plan), "--out",
                             str(tmp_path / "o"), "--events", *extra], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _until(proc, pred, timeout=60):
    """Read events until ``pred(event)``; returns the events read."""
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            break
        ev = json.loads(line)
        seen.append(ev)
        if pred(ev):
            return seen
    raise AssertionError(f"event not seen; last: {seen[-3:]}")


def test_stop_finishes_the_point_then_stops(tmp_path):
    p = tiny_plan(tmp_path, concurrency="[1, 2, 4]")
    proc = _start(tmp_path, p)
    _until(proc, lambda e: e["event"] == "phase" and e.get("phase") == "measuring")
    proc.stdin.write("stop\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    ev = [json.loads(l) for l in out.splitlines()]
    assert proc.returncode == 1, err
    assert ev[-1]["status"] == "stopped"
    finished = [e for e in ev if e["event"] == "point_finished"]
    assert len(finished) == 1 and finished[0]["summary"]["valid"] is True


def test_pause_holds_the_load_and_abort_marks_the_point(tmp_path):
    p = tiny_plan(tmp_path, seconds_per_point=30)
    proc = _start(tmp_path, p)
    _until(proc, lambda e: e["event"] == "phase" and e.get("phase") == "measuring")
    proc.stdin.write("pause\n")
    proc.stdin.flush()
    _until(proc, lambda e: e["event"] == "phase" and e.get("phase") == "paused")
    proc.stdin.write("abort\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    ev = [json.loads(l) for l in out.splitlines()]
    assert proc.returncode == 1, err
    assert ev[-1]["status"] == "aborted"
    summary = [e for e in ev if e["event"] == "point_finished"][0]["summary"]
    assert summary["valid"] is False and "aborted" in summary["invalid_reason"]
    # aborted while paused, before it could be measured again: the Summary keeps the point
    assert "while paused" in summary["invalid_reason"] and summary["point"] == 1
    assert kperf("verify", tmp_path / "o").returncode == 0


def test_kill_9_then_export_marks_the_run_interrupted(tmp_path, check_shape):
    import openpyxl

    p = tiny_plan(tmp_path, concurrency="[1, 2]", seconds_per_point=3)
    proc = _start(tmp_path, p)
    _until(proc, lambda e: e["event"] == "point_started" and e["point"] == 2)
    time.sleep(1.0)  # let the second point journal some requests
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    folder = tmp_path / "o"
    assert not (folder / "results.xlsx").exists()
    r = kperf("export", folder)
    assert r.returncode == 0, r.stderr
    assert "interrupted" in r.stdout
    check_shape(folder)
    wb = openpyxl.load_workbook(folder / "results.xlsx", read_only=True)
    rows = list(wb["Summary"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [1, 2]
    assert rows[1][rows[0].index("valid")] is True
    assert rows[2][rows[0].index("valid")] is False  # the point that was cut short
    session = [" ".join(str(c) for c in r if c is not None) for r in wb["Session"].iter_rows(values_only=True)]
    assert any("INTERRUPTED" in s.upper() for s in session)
    assert kperf("verify", folder).returncode == 0


def test_ranging_pass_then_fixed_ranges(tmp_path):
    import sqlite3

    p = tiny_plan(tmp_path, concurrency="[1, 2]")
    p.write_text(p.read_text().replace('rate_hz = 20\n', 'rate_hz = 20\nranging = "pass"\n'))
    r = kperf("run", p, "--out", tmp_path / "o", "--events", input="")
    assert r.returncode == 0, r.stderr
    ev = events_of(r.stdout)
    assert [e["ranging"] for e in ev if e["event"] == "point_started"] == [True, True, False, False]
    assert len([e for e in ev if e["event"] == "point_finished"]) == 2
    conn = sqlite3.connect(f"file:{tmp_path / 'o' / 'session.sqlite'}?mode=ro", uri=True)
    assert sorted(i for (i,) in conn.execute("SELECT id FROM points")) == [-2, -1, 1, 2]
    msgs = [m for (m,) in conn.execute("SELECT message FROM events WHERE kind = 'ranging'")]
    assert any("testing pass at fixed ranges U=300 V" in m for m in msgs)
    # the testing pass's readings were taken on the fixed ranges, the ranging pass's at auto
    start = conn.execute("SELECT MIN(started_ns) FROM points WHERE id > 0").fetchone()[0]
    assert conn.execute("SELECT DISTINCT voltage_range_v FROM readings WHERE t_ns > ? + 1e9",
                        (start,)).fetchall() == [(300.0,)]
    assert conn.execute("SELECT DISTINCT voltage_range_v FROM readings r JOIN points p ON "
                        "r.t_ns BETWEEN p.window_start_ns AND p.window_end_ns WHERE p.id < 0"
                        ).fetchall() == [(None,)]
    with open(tmp_path / "o" / "summary.csv") as f:
        assert len(f.read().strip().splitlines()) == 3


def test_operator_switches_the_server_between_precisions(tmp_path):
    p = tiny_plan(tmp_path, precision='["bf16", "fp8"]')
    proc = _start(tmp_path, p)
    seen = _until(proc, lambda e: e["event"] == "operator_action")
    assert "fp8" in seen[-1]["message"]
    assert [e["precision"] for e in seen if e["event"] == "point_started"] == ["bf16"]
    proc.stdin.write("continue\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    ev = seen + [json.loads(l) for l in out.splitlines()]
    assert proc.returncode == 0, err
    assert [e["summary"]["precision"] for e in ev if e["event"] == "point_finished"] == ["bf16", "fp8"]


def test_open_loop_rate_mode(tmp_path):
    p = tiny_plan(tmp_path, concurrency="[8]", seconds_per_point=3, rate=20)
    r = kperf("run", p, "--out", tmp_path / "o", "--events", input="")
    assert r.returncode == 0, r.stderr
    row = [e for e in events_of(r.stdout) if e["event"] == "point_finished"][0]["summary"]
    # Poisson arrivals at 20/s for 3 s: about 60 requests (a wide band: the count is random)
    assert 35 <= row["requests_ok"] <= 90
    assert 12 <= row["requests_per_s"] <= 28


def test_a_point_paused_inside_its_window_is_measured_again(tmp_path):
    p = tiny_plan(tmp_path, seconds_per_point=2, concurrency="[2, 3]")
    proc = _start(tmp_path, p)
    seen = _until(proc, lambda e: e["event"] == "phase" and e.get("phase") == "measuring")
    # pause once the measured requests are going (the first tick after measuring began): a pause
    # the instant measuring begins may come before the first measured request is sent, and so
    # before the window opens
    seen += _until(proc, lambda e: e["event"] == "progress" and e["done"] > 0)
    proc.stdin.write("pause\n")
    proc.stdin.flush()
    seen += _until(proc, lambda e: e["event"] == "phase" and e.get("phase") == "paused")
    proc.stdin.write("resume\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    ev = seen + [json.loads(l) for l in out.splitlines()]
    assert proc.returncode == 0, err
    # the Run table's rows: each point once, the first one's from its second, whole attempt
    rows = [e["summary"] for e in ev if e["event"] == "point_finished"]
    assert [r["point"] for r in rows] == [1, 2]
    assert all(r["valid"] is True and not r["invalid_reason"] for r in rows)
    assert [e["point"] for e in ev if e["event"] == "point_started"] == [1, 1, 2]
    assert any(e["event"] == "log" and "measured again after Resume" in e["message"] for e in ev)
    conn = sqlite3.connect(tmp_path / "o" / "session.sqlite")
    pts = dict(conn.execute("SELECT id, status FROM points"))
    assert pts == {1: "finished", 2: "finished", -1_000_001: "repeated"}
    note = conn.execute("SELECT note FROM points WHERE id = -1000001").fetchone()[0]
    assert "paused for" in note and "measured again" in note
    # nothing the interrupted attempt measured is lost: its requests stay with it
    kept = conn.execute("SELECT COUNT(*) FROM requests WHERE point = -1000001").fetchone()[0]
    assert kept > 0
    # once paused, the interrupted attempt sent nothing more (its requests in flight ended)
    resumed_at = conn.execute("SELECT t_ns FROM events WHERE kind = 'resumed'").fetchone()[0]
    last_sent = conn.execute("SELECT MAX(sent_ns) FROM requests WHERE point = -1000001"
                             ).fetchone()[0]
    assert last_sent < resumed_at
    assert conn.execute("SELECT MIN(sent_ns) FROM requests WHERE point = 1").fetchone()[0] \
        > resumed_at
    assert any("measured again" in m for (m,) in conn.execute(
        "SELECT message FROM events WHERE kind = 'warning'"))
    # the Summary holds the attempt that counts, the Requests sheet its requests only
    assert_rows_are_the_summary(rows, tmp_path / "o")
    ours = conn.execute("SELECT COUNT(*) FROM requests WHERE point = 1").fetchone()[0]
    assert rows[0]["requests_ok"] <= ours
    import openpyxl
    ws = openpyxl.load_workbook(tmp_path / "o" / "results.xlsx", read_only=True)["Requests"]
    points = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(set(points)) == [1, 2] and points.count(1) == ours
