"""A K-Perf preset's sweep against the simulated endpoint, with a simulated wall meter: does the
load client ever mark itself saturated?

The preset's input and output lengths and its concurrencies (those chosen with ``--users``; by
default all of them from 64 up) are measured by ``kperf run`` as one session, one precision, each
point ``--seconds`` long, with the simulated WT310E read at 10 Hz as on a bench. Printed per
point, from the session's journal: output tokens/s, TTFT p50, the worst load process's event-loop
lag p99 and the load processes' CPU, and whether the point is valid (a saturated client makes it
invalid, ``sweep.max_client_lag_ms``); then how many points the client saturated.

Usage: python benchmarks/preset_on_simulator.py [--preset llama-3.1-8b] [--users 64,128,256]
       [--seconds 15] [--keep DIR] [--quick]
"""
from __future__ import annotations

import argparse
import tempfile
import tomllib
from contextlib import closing
from pathlib import Path

from benchhelp import ROOT, machine_line, run_session

from kperf_gui.session.journal import open_readonly  # noqa: E402
from kperf_gui.session.journal_reader import load  # noqa: E402

PLAN = """[session]
name = "{name}-on-simulator"
operator = "bench"

[target]
kind = "simulated"
model = "sim-llm"

[[meters]]
driver = "yokogawa-wt300e"
rate_hz = 10
options = {{ simulate = true }}

[sweep]
input_tokens = {inputs}
output_tokens = {outputs}
concurrency = {users}
seconds_per_point = {seconds}
idle_baseline_s = 2
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="llama-3.1-8b", help="a file name in resources/presets")
    ap.add_argument("--users", default="", help="concurrencies of the preset to measure "
                    "(comma-separated); default: the preset's from 64 up")
    ap.add_argument("--seconds", type=float, default=15.0, help="measured seconds per point")
    ap.add_argument("--keep", type=Path, help="write the session to this folder and keep it")
    ap.add_argument("--quick", action="store_true",
                    help="the preset's largest concurrency only, 128 in, 3 s points")
    args = ap.parse_args()
    preset = tomllib.loads((ROOT / "resources" / "presets" / f"{args.preset}.toml").read_text())
    sweep = preset["sweep"]
    users = ([int(u) for u in args.users.split(",")] if args.users
             else [u for u in sweep["concurrency"] if u >= 64])
    inputs, outputs = sweep["input_tokens"], sweep["output_tokens"]
    if args.quick:
        users, inputs, outputs, args.seconds = [max(sweep["concurrency"])], [128], [128], 3.0
    print(machine_line())
    print(f"preset {args.preset}: inputs {inputs}, outputs {outputs}, users {users}, "
          f"{args.seconds:g} s points, simulated WT310E at 10 Hz")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp) / "session"
        proc, took = run_session(PLAN.format(name=args.preset, inputs=inputs, outputs=outputs,
                                             users=users, seconds=args.seconds),
                                 Path(tmp) / "plan.toml", out)
        with closing(open_readonly(out / "session.sqlite")) as conn:
            summary = load(conn).summary
            health = {point: (lag, cpu, n) for point, lag, cpu, n in conn.execute(
                "SELECT point, MAX(lag_p99_ms), SUM(cpu_pct), COUNT(*) FROM client_health "
                "GROUP BY point")}
    print(f"{'in':>5}{'out':>6}{'users':>6}{'procs':>6}{'tok/s':>8}{'TTFT p50 ms':>12}"
          f"{'lag p99 ms':>11}{'client CPU %':>13}  valid")
    saturated = 0
    for _, row in summary.iterrows():
        lag, cpu, procs = health.get(int(row["point"]), (None, None, 0))
        reason = str(row["invalid_reason"] or "")
        saturated += "client saturated" in reason
        print(f"{row['input_tokens']:>5}{row['output_tokens']:>6}{row['concurrency']:>6}"
              f"{procs:>6}{row['output_tokens_per_s']:>8.0f}{row['ttft_ms_p50']:>12.1f}"
              f"{lag if lag is None else round(lag, 2)!s:>11}"
              f"{cpu if cpu is None else round(cpu)!s:>13}  "
              f"{'yes' if row['valid'] else 'no: ' + reason}")
    print(f"{len(summary)} points in {took:.0f} s; the client marked itself saturated on "
          f"{saturated} (exit code {proc.returncode})")


if __name__ == "__main__":
    main()
