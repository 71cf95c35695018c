"""The wall meter's polling while the load runs: missed updates and the poll schedule's jitter.

A simulated Yokogawa WT310E (the ``yokogawa-wt300e`` driver on its pyvisa-sim instrument, whose
update bit the meter's own clock sets every period) is read at 10 Hz by the run's own meter
poller thread, while the run's load client streams from the simulated endpoint at 256 users in
the same process, as in a run. Prints:

* updates read and updates missed (target: 0 missed);
* the poll schedule's jitter: how late each of the driver's polls of the update bit comes after
  the time it was scheduled for (p50, p99, max; target p99 under 5 ms);
* the spacing of the journaled update stamps against the meter's period (p50, p99, max of
  ``|spacing - period|``), which also holds the quantisation of polling a status bit;
* the load's tokens/s and the client event loop's lag.

Usage: python benchmarks/meters_under_load.py [--quick] [--minutes 10] [--users 256]
       [--load-in-worker] [--switch-interval MS]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import types

from benchhelp import ROOT, machine_line

import numpy as np  # noqa: E402

import drivers.meters.scpi as scpi  # noqa: E402
from drivers.targets.base import RequestSpec  # noqa: E402
from drivers.targets.openai import OpenAITarget  # noqa: E402
from kperf_gui.clock import Clock  # noqa: E402
from kperf_gui.run.meters import Poller, Update, open_meter  # noqa: E402
from kperf_gui.run.prompts import PromptGenerator  # noqa: E402
from kperf_gui.session.plan import parse  # noqa: E402
from kperf_gui.sim.model import SimParams  # noqa: E402
from kperf_gui.sim.process import start_sim_server  # noqa: E402

PLAN = """[session]
name = "meters-under-load"
operator = "bench"

[target]
kind = "simulated"
model = "sim-llm"

[[meters]]
driver = "yokogawa-wt300e"
rate_hz = {rate}
options = {{ simulate = true }}

[sweep]
input_tokens = [128]
output_tokens = [128]
concurrency = [256]
seconds_per_point = 60
"""


class PollWatch:
    """Stands in for the ``time`` module where the SCPI drivers wait between polls, and records
    how late each wait ends (the poll it was scheduled for comes that much late). Only the meter
    thread sleeps there."""

    def __init__(self) -> None:
        self.late_ms: list[float] = []
        self._module = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time)
                                                if not k.startswith("__")})
        self._module.sleep = self.sleep

    def sleep(self, seconds: float) -> None:
        due = time.perf_counter() + seconds
        time.sleep(seconds)
        self.late_ms.append((time.perf_counter() - due) * 1e3)

    def install(self) -> None:
        scpi.time = self._module  # type: ignore[assignment]

    def remove(self) -> None:
        scpi.time = time


async def load(url: str, users: int, seconds: float, stop: threading.Event) -> dict[str, float]:
    target = OpenAITarget(time.perf_counter_ns, url, "sim-llm")
    await target.open(users)
    gen = PromptGenerator(seed=1)
    deadline = time.perf_counter() + seconds
    tokens = 0
    failed = 0
    lags: list[float] = []

    async def user(u: int) -> None:
        nonlocal tokens, failed
        seq = u
        while time.perf_counter() < deadline and not stop.is_set():
            res = await target.send(RequestSpec(seq=seq, prompt=gen.words_text(seq, 128),
                                                input_tokens=128, max_tokens=128))
            seq += users
            if res.ok:
                tokens += res.completion_tokens or len(res.chunk_ns)
            else:
                failed += 1

    async def probe() -> None:
        while time.perf_counter() < deadline and not stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - t - 0.01) * 1e3)

    t0 = time.perf_counter()
    await asyncio.gather(probe(), *(user(u) for u in range(users)))
    wall = time.perf_counter() - t0
    await target.close()
    return {"tokens_per_s": tokens / wall, "failed": failed,
            "lag_p50": float(np.percentile(lags, 50)), "lag_p99": float(np.percentile(lags, 99))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--quick", action="store_true", help="half a minute at 64 users")
    ap.add_argument("--users", type=int, default=256)
    ap.add_argument("--rate", type=float, default=10.0, help="meter updates per second")
    ap.add_argument("--switch-interval", type=float,
                    help="the interpreter's thread switch interval in ms (default: as the run has it)")
    ap.add_argument("--load-in-worker", action="store_true",
                    help="run the load in a worker process of its own, as sweep.workers does")
    ap.add_argument("--load-child", nargs=3, metavar=("URL", "USERS", "SECONDS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.load_child:
        url, users, secs = args.load_child
        print(json.dumps(asyncio.run(load(url, int(users), float(secs), threading.Event()))))
        return
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval / 1000)
    if args.quick:
        args.minutes, args.users = 0.5, 64
    seconds = args.minutes * 60
    print(machine_line())
    plan = parse(PLAN.format(rate=args.rate))
    channel = open_meter(plan.meters[0], 0)
    period_ms = channel.meter.update_period_s * 1e3
    updates: list[Update] = []
    lost: list[str] = []
    watch = PollWatch()
    watch.install()
    poller = Poller(channel, Clock(), updates.append, lambda ch, msg: lost.append(msg))
    stop = threading.Event()
    try:
        with start_sim_server(SimParams(max_batch=max(256, args.users))) as sim:
            poller.start()
            time.sleep(1.0)  # the first update, before the load
            if args.load_in_worker:
                child = subprocess.run(
                    [sys.executable, __file__, "--load-child", sim.base_url, str(args.users),
                     str(seconds)], capture_output=True, text=True,
                    env=dict(os.environ, PYTHONPATH=str(ROOT)))
                if child.returncode:
                    sys.exit(f"the load worker failed: {child.stderr[-1500:]}")
                result = json.loads(child.stdout.strip().splitlines()[-1])
            else:
                result = asyncio.run(load(sim.base_url, args.users, seconds, stop))
    finally:
        stop.set()
        poller.stop()
        poller.join(timeout=5)
        watch.remove()
        channel.meter.close()
    read = [u for u in updates if u.reading is not None]
    missed = [u for u in updates if u.reading is None]
    late = np.array(watch.late_ms)
    spacing = np.abs(np.diff([u.t1_ns for u in updates]) / 1e6 - period_ms)
    print(f"{args.minutes:g} min at {args.rate:g} Hz on the simulated WT310E, {args.users} users "
          f"of 128 in / 128 out against the simulator; thread switch interval "
          f"{sys.getswitchinterval() * 1000:g} ms; the load "
          f"{'in a worker process' if args.load_in_worker else 'in the meter poller process'}")
    print(f"updates read {len(read)}, missed {len(missed)} (target 0)"
          + (f"; meter lost: {lost[0]}" if lost else ""))
    print(f"poll schedule lateness ms: p50 {np.percentile(late, 50):.2f}  "
          f"p99 {np.percentile(late, 99):.2f}  max {late.max():.2f}  ({len(late)} polls; "
          f"target p99 < 5 ms)")
    print(f"update stamp spacing |Δt - {period_ms:g} ms|: p50 {np.percentile(spacing, 50):.2f}  "
          f"p99 {np.percentile(spacing, 99):.2f}  max {spacing.max():.2f}")
    print(f"load: {result['tokens_per_s']:.0f} tokens/s, {result['failed']} failed; client loop "
          f"lag p50 {result['lag_p50']:.2f} ms, p99 {result['lag_p99']:.2f} ms")


if __name__ == "__main__":
    main()
