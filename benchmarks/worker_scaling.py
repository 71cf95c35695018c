"""Tokens/s, TTFT and the load client's health from 1 to N worker processes (``sweep.workers``).

For each number of workers, ``kperf run`` measures one point against the simulated endpoint
(256 users by default, 128 tokens in and out, no meter) and the point's Summary row and the
journal's ``client_health`` rows are read back. The simulator's own TTFT does not depend on how
many processes send the load, so the TTFT falling as workers are added is the client's own
lateness going away; the event-loop lag p99 (worst worker) says when one process was saturated.

Usage: python benchmarks/worker_scaling.py [--quick] [--users 256] [--max-workers N]
       [--seconds 20]
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kperf_gui.session.journal import open_readonly  # noqa: E402
from kperf_gui.session.journal_reader import load  # noqa: E402

PLAN = """[session]
name = "workers-{workers}"
operator = "bench"

[target]
kind = "simulated"
model = "sim-llm"

[sweep]
input_tokens = [128]
output_tokens = [128]
concurrency = [{users}]
seconds_per_point = {seconds}
workers = {workers}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="64 users, 1 and 2 workers, 5 s points")
    ap.add_argument("--users", type=int, default=256)
    ap.add_argument("--max-workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    if args.quick:
        args.users, args.max_workers, args.seconds = 64, 2, 5.0
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    print(f"{args.users} users, 128 in / 128 out, {args.seconds:g} s point against the simulator")
    print(f"{'workers':>7}{'tok/s':>9}{'TTFT p50':>10}{'p99 ms':>8}{'lag p99 ms':>11}"
          f"{'client CPU %':>13}  valid")
    with tempfile.TemporaryDirectory() as tmp:
        for workers in range(1, args.max_workers + 1):
            plan = Path(tmp) / f"w{workers}.toml"
            plan.write_text(PLAN.format(workers=workers, users=args.users, seconds=args.seconds))
            out = Path(tmp) / f"w{workers}"
            proc = subprocess.run([sys.executable, "-m", "kperf_gui.cli", "run", str(plan),
                                   "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                                  env=dict(os.environ, PYTHONPATH=str(ROOT)))
            if not (out / "session.sqlite").exists():
                sys.exit(f"kperf run failed with {workers} workers: {proc.stderr[-1500:]}")
            with closing(open_readonly(out / "session.sqlite")) as conn:
                row = load(conn).summary.iloc[0]
                try:
                    health = conn.execute("SELECT MAX(lag_p99_ms), SUM(cpu_pct) FROM "
                                          "client_health").fetchone()
                except sqlite3.OperationalError:
                    health = (None, None)
            lag = f"{health[0]:>11.2f}" if health[0] is not None else f"{'-':>11}"
            cpu = f"{health[1]:>13.0f}" if health[1] is not None else f"{'-':>13}"
            valid = "yes" if row["valid"] else f"no: {row['invalid_reason']}"
            print(f"{workers:>7}{row['output_tokens_per_s']:>9.0f}{row['ttft_ms_p50']:>10.1f}"
                  f"{row['ttft_ms_p99']:>8.1f}{lag}{cpu}  {valid}")


if __name__ == "__main__":
    main()
