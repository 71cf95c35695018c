"""The load client's own health and its worker processes, end to end against the simulator:
a starved load loop makes its point invalid with the reason, a normal one does not; a point
spread over two worker processes sends the same requests (numbers and prompts) as one process
and gives valid figures; a worker killed mid-point ends the point invalid with the reason, and
every request finished before stays in the journal."""
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from contextlib import closing

import pytest

from kperf_gui.run.loadgen import Sequence, SharedSequence
from kperf_gui.run.sweep import Hooks, SweepRun
from kperf_gui.run.workers import USERS_PER_WORKER, split, workers_for
from kperf_gui.session.journal_reader import load, open_session
from kperf_gui.session.plan import parse, points
from kperf_gui.sim.model import SimParams
from kperf_gui.sim.process import start_sim_server


def plan_text(sweep):
    return f"""
[session]
name = "client"

[target]
kind = "simulated"

[[meters]]
driver = "simulated"
rate_hz = 10

[sweep]
input_tokens = [32]
output_tokens = [16]
idle_baseline_s = 0
{sweep}
"""


def run_plan(tmp_path, sweep, name="o", hooks=(), sim=None, during=None):
    plan = parse(plan_text(sweep), tmp_path)
    folder = tmp_path / name

    def go(url):
        run = SweepRun(plan, folder, Hooks(console=lambda line: None), sim_url=url)
        run.point_hooks.extend(hooks)
        try:
            run.preflight()
        except Exception:
            run.shutdown()
            raise
        watcher = None
        if during is not None:
            watcher = threading.Thread(target=during, args=(folder,), daemon=True)
            watcher.start()
        code = run.run()
        if watcher is not None:
            watcher.join(timeout=60)
        return code

    if sim is not None:
        code = go(sim.root_url)
    else:
        with start_sim_server(SimParams()) as s:
            code = go(s.root_url)
    with closing(open_session(folder)) as conn:
        data = load(conn)
    return code, folder, data


def journal(folder, sql):
    with closing(sqlite3.connect(folder / "session.sqlite")) as conn:
        return conn.execute(sql).fetchall()


class Hog:
    """A point hook that starves the load loop: a callback that keeps the CPU busy for 60 ms
    in every 80 ms of the point, on the load's own event loop."""

    def __init__(self):
        self.on = False

    def _burn(self, loop):
        if not self.on:
            return
        end = time.perf_counter() + 0.060
        while time.perf_counter() < end:
            pass
        loop.call_later(0.020, self._burn, loop)

    def before_point(self, ctx, run):
        self.on = True
        loop = ctx.loop.loop
        loop.call_soon_threadsafe(self._burn, loop)

    def after_point(self, ctx, run, record):
        self.on = False
        return record


def test_a_starved_client_makes_its_point_invalid_a_normal_one_does_not(tmp_path):
    with start_sim_server(SimParams()) as sim:
        sweep = "concurrency = [2]\nrequests_per_point = 30\nworkers = 1"
        code, folder, data = run_plan(tmp_path, sweep, "normal", sim=sim)
        code_hog, folder_hog, data_hog = run_plan(tmp_path, sweep, "hog", hooks=[Hog()], sim=sim)
    row = data.summary.iloc[0]
    assert code == 0 and row["valid"], row["invalid_reason"]
    (worker, samples, p99, cpu_s, limit), = journal(
        folder, "SELECT worker, samples, lag_p99_ms, cpu_s, lag_limit_ms FROM client_health")
    assert worker == 0 and samples > 0 and 0 <= p99 <= limit == 20 and cpu_s > 0
    hogged = data_hog.summary.iloc[0]
    assert code_hog == 1 and not hogged["valid"]
    assert "client saturated: event-loop lag p99" in hogged["invalid_reason"]
    assert "> 20 ms; the figures would be the client's, not the chip's" in \
        hogged["invalid_reason"]
    (p99_hog,), = journal(folder_hog, "SELECT lag_p99_ms FROM client_health")
    assert p99_hog > 20
    # the Session sheet states the limit and each point's load processes
    info = {(s, k): v for s, k, v in data_hog.info}
    assert "20 ms at p99 (sweep.max_client_lag_ms)" in info[("Load client", "Saturation limit")]
    assert info[("Load client", "point 1")].startswith("the run process; run process (pid ")


def test_a_plan_may_set_the_lag_limit(tmp_path):
    sweep = ("concurrency = [2]\nrequests_per_point = 20\nworkers = 1\n"
             "max_client_lag_ms = 0.0001")
    code, folder, data = run_plan(tmp_path, sweep)
    row = data.summary.iloc[0]
    (p99,), = journal(folder, "SELECT lag_p99_ms FROM client_health")
    # a limit no loop meets: the point is judged by the plan's limit, whatever the machine
    assert p99 > 0.0001 and not row["valid"] and "> 0.0001 ms" in row["invalid_reason"]


def test_two_worker_processes_send_what_one_process_sends(tmp_path):
    sweep = "concurrency = [6]\nrequests_per_point = 40\nwarmup_requests = 6\nseed = 7"
    with start_sim_server(SimParams()) as sim:
        one = run_plan(tmp_path, sweep + "\nworkers = 1", "one", sim=sim)
        two = run_plan(tmp_path, sweep + "\nworkers = 2", "two", sim=sim)
    for code, folder, data in (one, two):
        assert code == 0
        row = data.summary.iloc[0]
        assert row["valid"], row["invalid_reason"]
        assert row["requests_ok"] == 40 and row["requests_failed"] == 0
    sql = ("SELECT seq, warmup, ok, input_tokens_requested, input_tokens_actual, "
           "output_tokens_requested, prompt_length FROM requests ORDER BY seq")
    rows_one, rows_two = journal(one[1], sql), journal(two[1], sql)
    assert [r[0] for r in rows_two] == list(range(46))  # each number once, none missing
    assert sum(r[1] for r in rows_two) == 6 and all(r[2] for r in rows_two)
    assert rows_one == rows_two  # same seed: the same prompts, whichever process sent them
    health = journal(two[1], "SELECT worker, users, samples, process FROM client_health "
                             "ORDER BY worker")
    assert [(w, u) for w, u, _, _ in health] == [(1, 3), (2, 3)]
    assert all(n > 0 for _, _, n, _ in health) and health[0][3] != health[1][3] != os.getpid()
    # every warm-up request ended before the first measured one was sent
    (last_warm,), = journal(two[1], "SELECT MAX(done_ns) FROM requests WHERE warmup = 1")
    (first,), = journal(two[1], "SELECT MIN(sent_ns) FROM requests WHERE warmup = 0")
    assert last_warm <= first
    info = {(s, k): v for s, k, v in two[2].info}
    assert info[("Load client", "point 1")].startswith("2 worker processes; worker 1 (pid ")


def test_a_killed_worker_ends_the_point_invalid_and_keeps_what_was_finished(tmp_path):
    seen = {}

    def kill_one(folder):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = [p for p in multiprocessing.active_children()
                       if p.name == "kperf-load-1"]
            try:
                done = journal(folder, "SELECT seq FROM requests WHERE warmup = 0")
            except sqlite3.Error:
                done = []
            if workers and len(done) >= 10:
                seen["before"] = {s for (s,) in done}
                seen["pid"] = workers[0].pid
                os.kill(workers[0].pid, signal.SIGKILL)
                return
            time.sleep(0.05)

    sweep = "concurrency = [4]\nseconds_per_point = 20\nworkers = 2"
    code, folder, data = run_plan(tmp_path, sweep, during=kill_one)
    assert "pid" in seen, "the worker was not seen running"
    row = data.summary.iloc[0]
    assert code == 1 and not row["valid"]
    assert (f"load worker 1 (pid {seen['pid']}) ended with exit code -9 before its load was "
            "over; the requests finished before are kept") in row["invalid_reason"]
    after = {s for (s,) in journal(folder, "SELECT seq FROM requests WHERE warmup = 0")}
    assert seen["before"] <= after
    # the point ended with the worker, far sooner than its 20 s
    (start, end), = journal(folder, "SELECT window_start_ns, window_end_ns FROM points")
    assert (end - start) / 1e9 < 15
    workers = journal(folder, "SELECT worker FROM client_health ORDER BY worker")
    assert workers == [(2,)]  # the killed one said nothing more


def test_the_default_rule_and_the_even_split(tmp_path):
    def plan(concurrency, workers=""):
        return parse(plan_text(f"concurrency = [{concurrency}]\nrequests_per_point = 1\n"
                               f"{workers}"), tmp_path)

    cores = os.cpu_count() or 1
    for users in (1, USERS_PER_WORKER, USERS_PER_WORKER + 1, 4 * USERS_PER_WORKER, 10_000):
        p = plan(users)
        expected = min(cores, -(-users // USERS_PER_WORKER))
        assert workers_for(p, points(p)[0]) == expected
    p = plan(3, "workers = 8")
    assert workers_for(p, points(p)[0]) == 3  # never more processes than users
    assert split(256, 2) == [128, 128] and split(7, 3) == [3, 2, 2] and sum(split(5, 5)) == 5


def test_a_shared_sequence_hands_each_number_out_once():
    ctx = multiprocessing.get_context("spawn")
    value = ctx.Value("q", 0)
    a, b = SharedSequence(10, 5, value), SharedSequence(10, 5, value)
    taken = [a.take(), b.take(), a.take(), b.take(), b.take(), a.take(), b.take()]
    assert taken == [10, 11, 12, 13, 14, None, None]
    assert a.exhausted() and b.exhausted()
    local = Sequence(3, 2)
    assert [local.take(), local.take(), local.take()] == [3, 4, None]


@pytest.mark.parametrize("kind", ["deepx", "command"])
def test_devices_and_programs_are_driven_by_one_process(tmp_path, kind):
    from dataclasses import replace

    p = parse(plan_text("concurrency = [512]\nrequests_per_point = 1"), tmp_path)
    q = replace(p, target=replace(p.target, kind=kind))
    assert workers_for(q, points(q)[0]) == 1


def test_a_point_paused_while_its_workers_measure_is_measured_again(tmp_path):
    """The worker processes are told that the point ends for its redo: once paused they send
    nothing more, and the point's attempt after Resume is the one that counts."""
    plan = parse(plan_text("concurrency = [4]\nseconds_per_point = 6\nworkers = 2"), tmp_path)
    folder = tmp_path / "o"
    with start_sim_server(SimParams()) as sim:
        run = SweepRun(plan, folder, Hooks(console=lambda line: None), sim_url=sim.root_url)
        run.preflight()

        def pause_then_resume():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    done = journal(folder, "SELECT COUNT(*) FROM requests WHERE warmup = 0")
                except sqlite3.Error:
                    done = [(0,)]
                if done[0][0] >= 10:
                    run.ctl.pause()
                    time.sleep(1.5)
                    run.ctl.resume()
                    return
                time.sleep(0.05)

        watcher = threading.Thread(target=pause_then_resume, daemon=True)
        watcher.start()
        code = run.run()
        watcher.join(timeout=60)
    assert code == 0
    with closing(sqlite3.connect(folder / "session.sqlite")) as conn:
        pts = dict(conn.execute("SELECT id, status FROM points"))
        assert pts == {1: "finished", -1_000_001: "repeated"}
        resumed_at, = conn.execute("SELECT t_ns FROM events WHERE kind = 'resumed'").fetchone()
        last_sent, kept = conn.execute("SELECT MAX(sent_ns), COUNT(*) FROM requests "
                                       "WHERE point = -1000001").fetchone()
        assert kept > 0 and last_sent < resumed_at
        # each attempt keeps its own record of the client, both worker processes' rows
        health = conn.execute("SELECT point, worker FROM client_health ORDER BY point, worker"
                              ).fetchall()
        assert health == [(-1_000_001, 1), (-1_000_001, 2), (1, 1), (1, 2)]
