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
from typing import Any

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


class Sequence:
    """Hands out a phase's sequence numbers: ``first``, ``first + 1``, ... and, given a
    ``count``, no more than that many. Load processes that share one phase share one
    :class:`SharedSequence` instead, so every number is sent once whichever process sends it."""

    def __init__(self, first: int, count: int | None):
        self.first = first
        self.count = count
        self.sent = 0

    def exhausted(self) -> bool:
        """Every number was handed out."""
        return self.count is not None and self.sent >= self.count

    def take(self) -> int | None:
        if self.exhausted():
            return None
        self.sent += 1
        return self.first + self.sent - 1


class SharedSequence(Sequence):
    """A :class:`Sequence` whose count of numbers handed out lives in shared memory
    (``multiprocessing.Value('q')``), taken under its lock."""

    def __init__(self, first: int, count: int | None, shared: Any):
        super().__init__(first, count)
        self.shared = shared

    def exhausted(self) -> bool:
        return self.count is not None and self.shared.value >= self.count

    def take(self) -> int | None:
        with self.shared.get_lock():
            n = self.shared.value
            if self.count is not None and n >= self.count:
                return None
            self.shared.value = n + 1
        self.sent += 1
        return self.first + n


def poisson_arrivals(rate: float, seed: int, first_seq: int, stream: int = 0) -> Iterator[int]:
    """Nanoseconds from the start of the measured requests to each arrival, Poisson at
    ``rate`` per second; the same rate, seed, first sequence number and ``stream`` (a load
    process's own arrivals; 0 for the only one) give the same times."""
    rng = np.random.default_rng([seed, first_seq] + ([stream] if stream else []))
    at = 0
    while True:
        at += int(rng.exponential(1.0 / rate) * 1e9)
        yield at


async def _closed(load: Load, seqs: Sequence, deadline_ns: int | None, workers: int,
                  warmup: bool) -> int:
    """Run closed-loop requests; returns how many were sent."""

    def take() -> int | None:
        if not load.ctl.sending():
            return None
        if deadline_ns is not None and load.now() >= deadline_ns:
            return None
        return seqs.take()

    async def worker() -> None:
        while True:
            await load.ctl.wait_if_paused()
            seq = take()
            if seq is None:
                return
            await load.send(seq, warmup)

    sent = seqs.sent
    await asyncio.gather(*(worker() for _ in range(workers)))
    return seqs.sent - sent


async def _open(load: Load, seqs: Sequence, deadline_ns: int | None, cap: int, rate: float,
                seed: int, stream: int = 0) -> int:
    """Poisson arrivals; at most ``cap`` in flight (an arrival waits for a free slot)."""
    arrivals = poisson_arrivals(rate, seed, seqs.first, stream)
    slots = asyncio.Semaphore(cap)
    tasks: set[asyncio.Task[None]] = set()
    sent = 0
    start = load.now()

    async def one(seq: int) -> None:
        try:
            await load.send(seq, False)
        finally:
            slots.release()

    while load.ctl.sending() and not seqs.exhausted():
        if deadline_ns is not None and load.now() >= deadline_ns:
            break
        await load.ctl.wait_if_paused()
        if not load.ctl.sending():
            break
        delay = (start + next(arrivals) - load.now()) / 1e9
        if delay > 0:
            await load.sleep(delay)
        await slots.acquire()
        seq = seqs.take()
        if seq is None:
            slots.release()
            break
        task = asyncio.create_task(one(seq))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        sent += 1
    if tasks:
        await asyncio.gather(*tasks)
    return sent


@dataclass
class Share:
    """One load process's part of a point spread over several: the phases' shared sequences,
    what it waits on between warm-up and measuring (every process's warm-up over), and its own
    Poisson stream (1-based)."""

    warmup: Sequence
    measured: Sequence
    between: Callable[[], Awaitable[None]]
    stream: int


async def run_point(load: Load, sched: Schedule, share: Share | None = None) -> None:
    """Warm-up (finished before measuring), then the measured requests. With a ``share``, this
    process's users send its part of the point's sequence numbers."""
    warm = share.warmup if share else Sequence(0, sched.warmup)
    if sched.warmup:
        await _closed(load, warm, None, min(sched.concurrency, sched.warmup), True)
    if share is not None:
        await share.between()
    if load.ctl.abort.is_set():
        return
    if load.on_measuring is not None:
        load.on_measuring()
    deadline = load.now() + int(sched.seconds * 1e9) if sched.seconds is not None else None
    measured = share.measured if share else Sequence(sched.warmup, sched.requests)
    if sched.rate:
        await _open(load, measured, deadline, sched.concurrency, sched.rate, sched.seed,
                    share.stream if share else 0)
    else:
        await _closed(load, measured, deadline, sched.concurrency, False)
