"""A wall meter that drops off mid-run: the window is marked invalid and the run goes on, or
stops, as ``meters[].on_loss`` says. The meter is a WT310E over a loopback socket."""
import json
import threading
import time

import pytest

from runhelp import tiny_plan
from fake_instrument import FakeInstrument
from test_run_cli import _start, _until


class TimedWT310E:
    """Answers like a WT310E updating every 250 ms on its own clock: the update bit (latched in
    the event register) reads set once after each update."""

    PERIOD_S = 0.25

    def __init__(self):
        self.start = time.monotonic()
        self.seen = 0
        self.lock = threading.Lock()

    def __call__(self, line):
        if line == "*IDN?":
            return "YOKOGAWA,WT310E,C3TCP0001,F1.03"
        if line == ":STATus:EESR?":
            with self.lock:
                done = int((time.monotonic() - self.start) / self.PERIOD_S)
                if done > self.seen:
                    self.seen = done
                    return "1"
            return "0"
        if line == ":STATus:ERRor?":
            return '0,"No error"'
        if line == ":RATE?":
            return "250.0E-03"
        if line == ":INPut:CFACtor?":
            return "3"
        if line == ":STATus:CONDition?":
            return "0"
        if line == ":NUMeric:NORMal:VALue?":
            return "250.5,230.1,1.12,0.97,0.0,50.0"
        return None


def plan_with_meter(tmp_path, resource, on_loss):
    p = tiny_plan(tmp_path, meters=False, concurrency="[1, 2]", seconds_per_point=2)
    p.write_text(p.read_text().replace(
        "[sweep]", f'[[meters]]\ndriver = "yokogawa-wt300e"\nresource = "{resource}"\nrate_hz = 4\n'
        f'on_loss = "{on_loss}"\noptions = {{ timeout_ms = 300 }}\n\n[sweep]'))
    return p


@pytest.mark.parametrize("on_loss", ["continue", "stop"])
def test_meter_lost_mid_point(tmp_path, on_loss):
    with FakeInstrument(TimedWT310E()) as meter:
        proc = _start(tmp_path, plan_with_meter(tmp_path, meter.resource, on_loss))
        seen = _until(proc, lambda e: e["event"] == "phase" and e.get("phase") == "measuring")
        _until(proc, lambda e: e["event"] == "interval" and e["watts"] is not None)
        meter.drop(refuse_new=True)
        out, err = proc.communicate(timeout=90)
    events = seen + [json.loads(l) for l in out.splitlines()]
    assert proc.returncode == 1, err
    finished = [e for e in events if e["event"] == "point_finished"]
    logs = [e["message"] for e in events if e["event"] == "log" and e["level"] == "error"]
    assert any("stopped answering" in m for m in logs)
    first = finished[0]["summary"]
    assert first["valid"] is False and "lost" in first["invalid_reason"]
    if on_loss == "continue":
        assert len(finished) == 2 and events[-1]["status"] == "finished"
        assert finished[1]["summary"]["valid"] is False
    else:
        assert len(finished) == 1 and events[-1]["status"] == "aborted"


def test_a_wt310e_at_a_visa_address_gives_the_whole_folder(tmp_path, check_shape):
    from runhelp import kperf

    with FakeInstrument(TimedWT310E()) as meter:
        r = kperf("run", plan_with_meter(tmp_path, meter.resource, "continue"), "--out",
                  tmp_path / "o", timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    check_shape(tmp_path / "o")
    import csv
    with open(tmp_path / "o" / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    assert [row["valid"] for row in rows] == ["True", "True"], [r["invalid_reason"] for r in rows]
    assert all(abs(float(row["power_w_mean"]) - 250.5) < 1e-6 for row in rows)
