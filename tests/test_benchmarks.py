"""Each benchmark runs in its --quick mode and prints its figures. No time is asserted: speed is
what the benchmarks print (docs/performance.md), not what a test on a shared machine can judge.
benchmarks/bundle_start.py times the built bundle, which test_offline.py builds and starts."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from runhelp import ROOT

NUMBER = r"-?\d+(?:\.\d+)?"


def run(name: str, *args: str, timeout: int = 600, goal_exit: bool = False) -> str:
    """The benchmark's output; ``goal_exit``: it exits 1 when its goal is missed, which is a
    figure, not a failure here."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / name), "--quick", *args],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    assert proc.returncode in ((0, 1) if goal_exit else (0,)), proc.stdout[-2000:] + proc.stderr[-3000:]
    assert re.search(rf"load average: {NUMBER} {NUMBER} {NUMBER}", proc.stdout), proc.stdout
    return proc.stdout


@pytest.mark.slow
def test_client_overhead() -> None:
    out = run("client_overhead.py", "--no-install")
    assert re.search(rf"^ours\s+{NUMBER}\s+", out, re.M), out
    assert "aiperf" in out  # measured, or said why not
    for users in (1, 64, 256):
        assert re.search(rf"^ours\s+{users}\s+{users}\s+{NUMBER}", out, re.M), out


@pytest.mark.slow
def test_meters_under_load() -> None:
    out = run("meters_under_load.py")
    assert re.search(r"updates read [1-9]\d*, missed \d+", out), out
    assert re.search(rf"poll schedule lateness ms: p50 {NUMBER}\s+p99 {NUMBER}", out), out
    assert re.search(rf"load: {NUMBER} tokens/s, 0 failed", out), out


@pytest.mark.slow
def test_export_speed() -> None:
    out = run("export_speed.py")
    assert "journal: 10000 requests, 3600 readings" in out, out
    for part in ("read journal", "results.xlsx", "summary.csv", "PNG plots", "manifest.json"):
        assert re.search(rf"^{re.escape(part)}\s+{NUMBER} s$", out, re.M), out
    assert re.search(rf"peak memory\s+{NUMBER} MB", out), out


@pytest.mark.slow
def test_event_loop_lag() -> None:
    out = run("event_loop_lag.py", goal_exit=True)
    assert re.search(rf"event-loop lag over \d+ ticks of 10 ms: p50 {NUMBER} ms", out), out


@pytest.mark.slow
def test_meter_preview_lag() -> None:
    out = run("meter_preview_lag.py", goal_exit=True)
    assert re.search(rf"yokogawa-wt300e\s+\d+ reads", out), out


@pytest.mark.slow
def test_worker_scaling() -> None:
    out = run("worker_scaling.py")
    for workers in (1, 2):
        assert re.search(rf"^\s+{workers}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}", out, re.M), out


@pytest.mark.slow
def test_sim_server_http() -> None:
    out = run("sim_server_http.py", "--no-install")
    assert re.search(rf"^sim\.http \(ours\)\s+{NUMBER}", out, re.M), out
    # aiohttp.web measured beside it, or said why not
    assert re.search(rf"^aiohttp\.web\s+{NUMBER}", out, re.M) or \
        "aiohttp.web not measured" in out, out


@pytest.mark.slow
def test_preset_on_simulator() -> None:
    out = run("preset_on_simulator.py")
    assert re.search(rf"^\s+128\s+128\s+256\s+\d+\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}", out, re.M), out
    assert re.search(r"1 points in \d+ s; the client marked itself saturated on \d+", out), out
