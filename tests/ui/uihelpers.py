"""Helpers for the GUI tests: tiny plans, recorded events, sessions made by the engine."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVENTS = Path(__file__).with_name("demo_events.jsonl")


def recorded_events() -> list[dict[str, Any]]:
    """Events of a demo sweep as ``kperf demo --events`` printed them (trimmed to two points)."""
    return [json.loads(line) for line in EVENTS.read_text(encoding="utf-8").splitlines() if line]


def tiny_plan(name: str = "tiny", concurrency: tuple[int, ...] = (2,), seconds: float = 1,
              precision: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A plan of a few short points against the built-in simulator, no idle baseline."""
    sweep: dict[str, Any] = {"input_tokens": [32], "output_tokens": [8],
                             "concurrency": list(concurrency), "seconds_per_point": seconds,
                             "idle_baseline_s": 0}
    if precision:
        sweep["precision"] = list(precision)
    return {"session": {"name": name, "operator": "tester"},
            "target": {"kind": "simulated", "model": "sim-llm"},
            "meters": [{"driver": "simulated", "rate_hz": 20}],
            "sweep": sweep}


def run_headless(plan_text: str, out: Path, tmp: Path) -> subprocess.CompletedProcess:
    """``kperf run`` in a child process, as a lab script would."""
    plan = tmp / "plan.toml"
    plan.write_text(plan_text, encoding="utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "kperf_gui.cli", "run", str(plan), "--out",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env=env)


def make_interrupted(finished: Path, target: Path) -> Path:
    """A copy of a finished session whose journal looks like a run killed long ago: WAL mode,
    status ``running``, outputs not yet rebuilt."""
    target.mkdir(parents=True)
    db = target / "session.sqlite"
    db.write_bytes((finished / "session.sqlite").read_bytes())
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('status', 'running')")
        conn.execute("DELETE FROM meta WHERE key = 'finished_utc'")
    conn.close()
    old = time.time() - 3600
    for p in target.iterdir():
        os.utime(p, (old, old))
    return target
