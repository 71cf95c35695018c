"""Helpers for tests that run the ``kperf`` command as a child process."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kperf(*args, timeout=180, input=None):
    """Run ``kperf`` in a child process; returns CompletedProcess (text)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "kperf_gui.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, input=input, env=env)


def assert_rows_are_the_summary(rows, folder):
    """The live point rows (``point_finished`` summaries) are summary.csv's rows: the same
    columns in the same order, the same values."""
    import csv

    import pytest

    with open(folder / "summary.csv", newline="") as f:
        exported = list(csv.DictReader(f))
    assert len(rows) == len(exported)
    for live, row in zip(rows, exported):
        assert list(live) == list(row)
        for key, value in live.items():
            if isinstance(value, float):
                assert float(row[key]) == pytest.approx(value, rel=1e-12), key
            elif value is None:
                assert row[key] == "", key
            else:
                assert str(value) == row[key], key


def events_of(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def tiny_plan(tmp_path, name="tiny", extra_sweep="", meters=True, **sweep):
    """A one-or-two point plan against the simulated endpoint."""
    s = {"input_tokens": "[32]", "output_tokens": "[8]", "concurrency": "[2]",
         "seconds_per_point": "1", "idle_baseline_s": "0.5"}
    s.update({k: str(v) for k, v in sweep.items()})
    lines = [f'[session]\nname = "{name}"\n', '[target]\nkind = "simulated"\n']
    if meters:
        lines.append('[[meters]]\ndriver = "simulated"\nrate_hz = 20\n')
    lines.append("[sweep]\n" + "".join(f"{k} = {v}\n" for k, v in s.items()) + extra_sweep)
    p = tmp_path / f"{name}.toml"
    p.write_text("\n".join(lines))
    return p
