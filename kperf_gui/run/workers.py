"""A point's users spread over worker processes, when one process cannot keep up.

One event loop drives every user of a point in the run's own process; past a few hundred users
it cannot read every stream as its bytes arrive (the text chunks of a batch of streams arrive
together, and the last of them is read, and stamped, late). Then the point's users are spread
evenly over :func:`workers_for` processes, started with ``spawn``, each with its own asyncio
loop, its own target connections and its own health probe (:mod:`.health`). They stamp times on
the session clock (``perf_counter_ns`` is system-wide; each gets the anchor), share the point's
sequence numbers (:class:`~.loadgen.SharedSequence`: each number is sent once, and its prompt
is the seeded prompt of that number, whichever process sends it) and send each finished request
through a pipe to the run's process, which journals it through the one journal writer exactly
as it journals its own. Between warm-up and measuring they wait for each other (every warm-up
request is over before the first measured one is sent).

Pause, abort and a point's redo reach them through shared events; a worker that dies (killed, crashed) ends the
point: the others are stopped, what every worker finished before is journaled, and the point is
invalid with the reason.
"""
from __future__ import annotations

import asyncio
import math
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait as wait_any
from typing import Any

from drivers.targets.base import RequestResult, RequestSpec
from kperf_gui.clock import Clock
from kperf_gui.session.plan import Plan, SweepPoint
from kperf_gui.session.records import ClientHealthRecord

from .control import Control
from .health import LoopHealth
from .loadgen import Load, Schedule, Share, SharedSequence, run_point
from .prompts import PromptGenerator

USERS_PER_WORKER = 64
"""Users one load process drives by default: a point gets one process per this many users, up to
the cores, and up to this many stay in the run's own process. Measured on a 2-core machine
against the built-in simulator (128 in, 128 out): the run's own process, which also writes the
journal and polls the meters, had an event-loop lag p99 of 3-7 ms at 8 and 64 users but 41 ms
at 128 and 256; two worker processes of 64 or 128 users each stayed at 6-15 ms."""

START_S = 60.0
"""How long a worker may take to start (import, connect) before the point is given up."""


def workers_for(plan: Plan, pt: SweepPoint) -> int:
    """How many load processes drive point ``pt``: ``sweep.workers`` as the plan sets it (never
    more than the point's users), else one per :data:`USERS_PER_WORKER` users up to the
    machine's cores; 1 for targets that are not endpoints (a device is driven by one process)."""
    if plan.target.kind not in ("openai", "simulated"):
        return 1
    if plan.sweep.workers is not None:
        return max(1, min(plan.sweep.workers, pt.concurrency))
    return max(1, min(os.cpu_count() or 1, math.ceil(pt.concurrency / USERS_PER_WORKER)))


def split(total: int, parts: int) -> list[int]:
    """``total`` users over ``parts`` processes, as evenly as whole users go (the first ones
    get one more)."""
    return [total // parts + (1 if k < total % parts else 0) for k in range(parts)]


@dataclass(frozen=True)
class Job:
    """What one worker process is given."""

    worker: int  # 1-based
    point: int
    plan: Plan
    base_url: str
    model: str
    sim_url: str
    anchor_ns: int
    sched: Schedule  # this worker's users and Poisson rate; the point's warm-up and requests
    prompts: PromptGenerator
    input_tokens: int
    output_tokens: int


@dataclass
class Shared:
    """What the point's worker processes share with the run's."""

    paused: Any
    abort: Any
    warmup: Any
    measured: Any
    barrier: Any
    redo: Any


def _main(job: Job, out: Connection, shared: Shared) -> None:
    """A worker process: drive ``job``'s users, send each finished request to ``out``."""
    from .runners import Endpoint, RunnerEnv, runner_for

    clock = Clock(anchor_ns=job.anchor_ns)
    runner = runner_for(RunnerEnv(job.plan, lambda run: None, job.sim_url, job.anchor_ns))
    target = runner.make_target(Endpoint(job.base_url, job.model), clock.now)
    ctl = Control()
    ctl.paused, ctl.abort, ctl.redo = shared.paused, shared.abort, shared.redo  # the run's
    health = LoopHealth()
    sched = job.sched
    send_lock = threading.Lock()

    def tell(*msg: Any) -> None:
        with send_lock:
            out.send(msg)

    def make(seq: int) -> RequestSpec:
        text, n = job.prompts.prompt(seq, job.input_tokens or 1)
        counted[seq] = n
        return RequestSpec(seq=seq, prompt=text, input_tokens=job.input_tokens,
                           max_tokens=job.output_tokens or 1, model=job.model)

    counted: dict[int, int | None] = {}

    def done(spec: RequestSpec, res: RequestResult, warmup: bool) -> None:
        tell("request", spec.seq, counted.pop(spec.seq, None), warmup, res)

    def measuring() -> None:
        tell("measuring", clock.now())
        health.start()

    async def between() -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, shared.barrier.wait)

    share = Share(SharedSequence(0, sched.warmup, shared.warmup),
                  SharedSequence(sched.warmup, sched.requests, shared.measured), between,
                  job.worker)
    load = Load(target, make, done, ctl, clock.now,
                sending=lambda seq: tell("sending", seq, clock.now()), on_measuring=measuring)

    async def main() -> None:
        await target.open(sched.concurrency)
        task = asyncio.ensure_future(run_point(load, sched, share))
        try:
            while not task.done():
                if shared.abort.is_set():
                    task.cancel()
                await asyncio.wait({task}, timeout=0.1)
            task.result()
        except (asyncio.CancelledError, threading.BrokenBarrierError):
            pass
        finally:
            health.stop()
            await target.close()

    note = ""
    try:
        asyncio.run(main())
    except BaseException as exc:  # noqa: BLE001 - said to the run, which ends the point
        note = f"the load failed: {exc!r}"
    tell("health", health.record(job.point, job.worker, sched.concurrency,
                                 job.plan.sweep.max_client_lag_ms, note))
    tell("end", note)
    out.close()


@dataclass
class Outcome:
    """How a point spread over workers ended."""

    measuring_since: int | None = None
    died: str = ""
    """Why the point's load ended early (a worker died or failed), or ``""``."""


def run_workers(jobs: list[Job], ctl: Control,
                on_request: Callable[[int, int | None, bool, RequestResult], None],
                on_sending: Callable[[int, int], None],
                on_health: Callable[[ClientHealthRecord], None],
                on_measuring: Callable[[int], None], on_tick: Callable[[], None]) -> Outcome:
    """Start one process per job, journal what they send as it comes, pass on pause, abort and a
    point's ending to be measured again, and return once every worker has ended. A worker that ends without saying so (killed,
    crashed) stops the others; the requests every worker finished before are kept."""
    ctx = mp.get_context("spawn")
    shared = Shared(ctx.Event(), ctx.Event(), ctx.Value("q", 0), ctx.Value("q", 0),
                    ctx.Barrier(len(jobs)), ctx.Event())
    procs: dict[Connection, tuple[Job, Any]] = {}
    for job in jobs:
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_main, args=(job, send, shared), daemon=True,
                           name=f"kperf-load-{job.worker}")
        proc.start()
        send.close()
        procs[recv] = (job, proc)
    outcome = Outcome()
    ended: set[int] = set()
    open_conns = list(procs)
    last_tick = 0.0
    started = time.monotonic()
    measuring = False

    def stop_all(reason: str) -> None:
        if not outcome.died:
            outcome.died = reason
        shared.abort.set()
        shared.barrier.abort()

    while open_conns:
        if ctl.abort.is_set() and not shared.abort.is_set():
            shared.abort.set()
            shared.barrier.abort()
        if ctl.redo.is_set() and not shared.redo.is_set():
            shared.redo.set()  # the point is to be measured again: its load ends now
        if ctl.paused.is_set() != shared.paused.is_set():
            (shared.paused.set if ctl.paused.is_set() else shared.paused.clear)()
        for conn in wait_any(open_conns, timeout=0.1):
            assert isinstance(conn, Connection)
            job, proc = procs[conn]
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                open_conns.remove(conn)
                proc.join(timeout=10)
                if job.worker not in ended:
                    stop_all(f"load worker {job.worker} (pid {proc.pid}) ended with exit code "
                             f"{proc.exitcode} before its load was over; the requests finished "
                             "before are kept")
                continue
            kind = msg[0]
            if kind == "request":
                on_request(*msg[1:])
            elif kind == "sending":
                on_sending(msg[1], msg[2])
            elif kind == "measuring":
                if outcome.measuring_since is None:
                    outcome.measuring_since = msg[1]
                    on_measuring(msg[1])
                measuring = True
            elif kind == "health":
                on_health(msg[1])
            elif kind == "end":
                ended.add(job.worker)
                if msg[1]:
                    stop_all(f"load worker {job.worker} (pid {proc.pid}): {msg[1]}")
        if not measuring and time.monotonic() - started > START_S and \
                shared.warmup.value == 0 and not outcome.died:
            stop_all(f"the load workers did not start within {START_S:g} s")
        if time.monotonic() - last_tick >= 1.0:
            last_tick = time.monotonic()
            on_tick()
    for _, proc in procs.values():
        proc.join(timeout=10)
    return outcome
