"""Load generation for one point: warm-up, then the measured requests.

Closed loop (K-Perf's concurrent users): ``concurrency`` workers each send a request, wait for
it, and send the next. Open loop (``sweep.rate``): Poisson arrivals at the given rate, with
``concurrency`` capping the requests in flight; the arrival times are a pure function of the
rate and the seed (:func:`poisson_arrivals`). Warm-up requests all finish before the first
measured request is sent. Runs on an asyncio loop; pause, stop and abort come from
:class:`~kperf_gui.run.control.Control`. The clock and the sleep are given, so the schedules can
be tested with a fake clock.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import numpy as np

from drivers.targets.base import RequestResult, RequestSpec, Target

from .control import Control


@dataclass(frozen=True)
class Schedule:
    concurrency: int
    warmup: int
    requests: int | None  # measured requests, or
    seconds: float | None  # measured duration
    rate: float | None = None  # Poisson arrivals per second (open loop)
    seed: int = 0


Make = Callable[[int], RequestSpec]
"""The request of sequence number ``seq``."""
Done = Callable[[RequestSpec, RequestResult, bool], None]
"""Told each finished request and whether it was a warm-up."""


@dataclass
class Load:
    """What one point's load drives and tells."""

    target: Target
    make: Make
    done: Done
    ctl: Control
    now: Callable[[], int]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    sending: Callable[[int], None] | None = None
    """Told the sequence number of each request just before it is sent."""
    on_measuring: Callable[[], None] | None = None
    """Told when the warm-up is over and the measured requests begin."""

    async def send(self, seq: int, warmup: bool) -> None:
        spec = self.make(seq)
        if self.sending is not None:
            self.sending(seq)
        result = await self.target.send(spec)
        self.done(spec, result, warmup)


def poisson_arrivals(rate: float, seed: int, first_seq: int) -> Iterator[int]:
    """Nanoseconds from the start of the measured requests to each arrival, Poisson at
    ``rate`` per second; the same rate, seed and first sequence number give the same times."""
    rng = np.random.default_rng([seed, first_seq])
    at = 0
    while True:
        at += int(rng.exponential(1.0 / rate) * 1e9)
        yield at


async def _closed(load: Load, first_seq: int, count: int | None, deadline_ns: int | None,
                  workers: int, warmup: bool) -> int:
    """Run closed-loop requests; returns how many were sent."""
    next_seq = first_seq
    sent = 0

    def take() -> int | None:
        nonlocal next_seq, sent
        if not load.ctl.sending():
            return None
        if count is not None and sent >= count:
            return None
        if deadline_ns is not None and load.now() >= deadline_ns:
            return None
        seq = next_seq
        next_seq += 1
        sent += 1
        return seq

    async def worker() -> None:
        while True:
            await load.ctl.wait_if_paused()
            seq = take()
            if seq is None:
                return
            await load.send(seq, warmup)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return sent


async def _open(load: Load, first_seq: int, count: int | None, deadline_ns: int | None, cap: int,
                rate: float, seed: int) -> int:
    """Poisson arrivals; at most ``cap`` in flight (an arrival waits for a free slot)."""
    arrivals = poisson_arrivals(rate, seed, first_seq)
    slots = asyncio.Semaphore(cap)
    tasks: set[asyncio.Task[None]] = set()
    sent = 0
    start = load.now()

    async def one(seq: int) -> None:
        try:
            await load.send(seq, False)
        finally:
            slots.release()

    while load.ctl.sending():
        if count is not None and sent >= count:
            break
        if deadline_ns is not None and load.now() >= deadline_ns:
            break
        await load.ctl.wait_if_paused()
        if not load.ctl.sending():
            break
        delay = (start + next(arrivals) - load.now()) / 1e9
        if delay > 0:
            await load.sleep(delay)
        await slots.acquire()
        task = asyncio.create_task(one(first_seq + sent))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        sent += 1
    if tasks:
        await asyncio.gather(*tasks)
    return sent


async def run_point(load: Load, sched: Schedule) -> None:
    """Warm-up (finished before measuring), then the measured requests."""
    if sched.warmup:
        await _closed(load, 0, sched.warmup, None, min(sched.concurrency, sched.warmup), True)
    if load.ctl.abort.is_set():
        return
    if load.on_measuring is not None:
        load.on_measuring()
    deadline = load.now() + int(sched.seconds * 1e9) if sched.seconds is not None else None
    first = sched.warmup
    if sched.rate:
        await _open(load, first, sched.requests, deadline, sched.concurrency, sched.rate,
                    sched.seed)
    else:
        await _closed(load, first, sched.requests, deadline, sched.concurrency, False)
