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
import tempfile
from contextlib import closing
from pathlib import Path

from benchhelp import machine_line, run_session

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
    print(machine_line())
    print(f"{args.users} users, 128 in / 128 out, {args.seconds:g} s point against the simulator")
    print(f"{'workers':>7}{'tok/s':>9}{'TTFT p50':>10}{'p99 ms':>8}{'lag p99 ms':>11}"
          f"{'client CPU %':>13}  valid")
    with tempfile.TemporaryDirectory() as tmp:
        for workers in range(1, args.max_workers + 1):
            out = Path(tmp) / f"w{workers}"
            run_session(PLAN.format(workers=workers, users=args.users, seconds=args.seconds),
                        Path(tmp) / f"w{workers}.toml", out)
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
