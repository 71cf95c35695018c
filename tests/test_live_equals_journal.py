"""One computation, two consumers: every live ``interval`` event equals the interval the
workbook derives from the journal (time, summed wall power, output tokens/s), and every live
point row equals the Summary row. On the demo, and on a session with two wall meters at
different rates against a server that sends several tokens per chunk."""
import io
import json
import math
import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest

from kperf_gui.run.events import EventSink
from kperf_gui.run.sweep import Hooks, SweepRun
from kperf_gui.session.journal_reader import load, open_session
from kperf_gui.session.plan import parse
from kperf_gui.sim.model import SimParams
from kperf_gui.sim.process import start_sim_server
from runhelp import assert_rows_are_the_summary, events_of, kperf


def journal_intervals(folder):
    with closing(open_session(folder)) as conn:
        data = load(conn)
    return [(t, None if math.isnan(w) else w, tps)
            for t, tps, w in data.tokens[["t_s", "tokens_per_s", "watts"]].itertuples(index=False)]


def assert_live_equals_journal(folder, events):
    live = [e for e in events if e["event"] == "interval"]
    assert live and all(e["final"] for e in live)
    assert [(e["t_s"], e["watts"], e["tokens_per_s"]) for e in live] == journal_intervals(folder)
    for e in live:
        assert e["t0_s"] < e["t_s"] < e["t1_s"]
        parts = [w for w in e["channels"].values()]
        if e["watts"] is not None:
            assert math.fsum(parts) == pytest.approx(e["watts"], rel=1e-12)
    assert_rows_are_the_summary([e["summary"] for e in events if e["event"] == "point_finished"],
                                folder)
    return live


def test_the_demos_live_intervals_are_the_journals(tmp_path):
    r = kperf("demo", "--out", tmp_path / "demo", "--events", input="", timeout=240)
    assert r.returncode == 0, r.stderr
    events = events_of(r.stdout)
    live = assert_live_equals_journal(tmp_path / "demo", events)
    assert max(e["tokens_per_s"] for e in live) > 0
    assert {e["point"] for e in live} >= {0, 1, 6}


PLAN = """
[session]
name = "two-meters"

[target]
kind = "simulated"

[[meters]]
driver = "simulated"
element = [1, 2]
rate_hz = 20

[[meters]]
driver = "simulated"
rate_hz = 7

[sweep]
input_tokens = [32]
output_tokens = [24]
concurrency = [1, 6]
seconds_per_point = 1.5
idle_baseline_s = 0.5
"""


class RecordingHook:
    """A per-point hook (the seam a record of the system under test uses): told of each point
    with its target, and adds to the point's record."""

    def __init__(self):
        self.calls = []

    def before_point(self, ctx, run):
        self.calls.append(("before", run.pid, type(run.target).__name__))

    def after_point(self, ctx, run, record):
        self.calls.append(("after", run.pid, record.window_end_ns is not None))
        return replace(record, vendor=json.dumps({"hook": run.pid}))


def test_two_meters_at_different_rates_and_several_tokens_per_chunk(tmp_path):
    plan = parse(PLAN, tmp_path)
    out = io.StringIO()
    folder = tmp_path / "o"
    hook = RecordingHook()
    with start_sim_server(SimParams(stream_interval=4)) as sim:
        run = SweepRun(plan, folder, Hooks(events=EventSink(out)), sim_url=sim.root_url)
        run.point_hooks.append(hook)
        try:
            run.preflight()
        except Exception:
            run.shutdown()
            raise
        assert run.run() == 0
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    live = assert_live_equals_journal(folder, events)
    assert set(live[0]["channels"]) == {"simulated#1 element 1", "simulated#1 element 2",
                                        "simulated#2 element 1"}
    # the 20 Hz meter is the time base; the 7 Hz one is interpolated onto it
    steps = {round(b["t_s"] - a["t_s"], 3) for a, b in zip(live, live[1:])}
    assert 0.05 in steps
    assert hook.calls == [("before", 1, "OpenAITarget"), ("after", 1, True),
                          ("before", 2, "OpenAITarget"), ("after", 2, True)]
    with closing(sqlite3.connect(folder / "session.sqlite")) as conn:
        tokens, chunks = conn.execute("SELECT SUM(output_tokens), SUM(chunks) FROM requests "
                                      "WHERE ok = 1").fetchone()
        vendor = conn.execute("SELECT vendor FROM points ORDER BY id").fetchall()
    assert vendor == [('{"hook": 1}',), ('{"hook": 2}',)]
    assert tokens >= 3.5 * chunks  # four tokens a chunk, the last chunk of each maybe fewer
    # tokens, not chunks, per second: the weighted figure is the output tokens' own rate
    measuring = [e for e in live if e["point"] == 2 and e["tokens_per_s"] > 0]
    assert measuring and max(e["tokens_per_s"] for e in measuring) > 100
