"""The load schedule of one point: warm-up, then the measured requests.

Closed loop (K-Perf's concurrent users): ``concurrency`` workers each send a request, wait for
it, and send the next. Open loop (``sweep.rate``): Poisson arrivals at the given rate, with
``concurrency`` capping the requests in flight. Warm-up requests all finish before the first
measured request is sent. Runs on an asyncio loop; pause, stop and abort come from
:class:`Control`.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from drivers.targets.base import RequestResult, RequestSpec, Target


class Control:
    """Pause, stop and abort, settable from any thread."""

    def __init__(self) -> None:
        self.paused = threading.Event()
        self.stop = threading.Event()  # finish the point, then stop
        self.abort = threading.Event()  # stop now
        self.proceed = threading.Event()  # the operator switched the server
        self.pauses: list[tuple[int, int | None]] = []  # (from, to) in raw perf_counter_ns
        self.on_change: Callable[[str], None] | None = None  # told "paused" / "resumed"

    def pause(self) -> None:
        if not self.paused.is_set():
            self.pauses.append((time.perf_counter_ns(), None))
            self.paused.set()
            if self.on_change is not None:
                self.on_change("paused")

    def resume(self) -> None:
        if self.paused.is_set():
            start, _ = self.pauses[-1]
            self.pauses[-1] = (start, time.perf_counter_ns())
            self.paused.clear()
            if self.on_change is not None:
                self.on_change("resumed")

    def paused_s(self, start_raw: int, end_raw: int) -> float:
        """Seconds of pause inside ``[start_raw, end_raw]`` (raw perf_counter_ns)."""
        total = 0
        for a, b in list(self.pauses):
            b = b if b is not None else time.perf_counter_ns()
            total += max(0, min(b, end_raw) - max(a, start_raw))
        return total / 1e9

    async def wait_if_paused(self) -> None:
        while self.paused.is_set() and not self.abort.is_set():
            await asyncio.sleep(0.05)


@dataclass(frozen=True)
class Schedule:
    concurrency: int
    warmup: int
    requests: int | None  # measured requests, or
    seconds: float | None  # measured duration
    rate: float | None = None  # Poisson arrivals per second (open loop)
    seed: int = 0


Make = Callable[[int], RequestSpec]
Done = Callable[[RequestSpec, RequestResult, bool], None]


async def _closed(target: Target, make: Make, done: Done, first_seq: int, count: int | None,
                  deadline_ns: int | None, workers: int, warmup: bool, ctl: Control,
                  now: Callable[[], int]) -> int:
    """Run closed-loop requests; returns how many were sent."""
    next_seq = first_seq
    sent = 0

    def take() -> int | None:
        nonlocal next_seq, sent
        if ctl.abort.is_set():
            return None
        if count is not None and sent >= count:
            return None
        if deadline_ns is not None and now() >= deadline_ns:
            return None
        seq = next_seq
        next_seq += 1
        sent += 1
        return seq

    async def worker() -> None:
        while True:
            await ctl.wait_if_paused()
            seq = take()
            if seq is None:
                return
            spec = make(seq)
            result = await target.send(spec)
            done(spec, result, warmup)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return sent


async def _open(target: Target, make: Make, done: Done, first_seq: int, count: int | None,
                deadline_ns: int | None, cap: int, rate: float, seed: int, ctl: Control,
                now: Callable[[], int]) -> int:
    """Poisson arrivals; at most ``cap`` in flight (an arrival waits for a free slot)."""
    rng = np.random.default_rng([seed, first_seq])
    slots = asyncio.Semaphore(cap)
    tasks: set[asyncio.Task[None]] = set()
    sent = 0
    t_next = now()

    async def one(spec: RequestSpec) -> None:
        try:
            result = await target.send(spec)
            done(spec, result, False)
        finally:
            slots.release()

    while not ctl.abort.is_set():
        if count is not None and sent >= count:
            break
        if deadline_ns is not None and now() >= deadline_ns:
            break
        await ctl.wait_if_paused()
        t_next += int(rng.exponential(1.0 / rate) * 1e9)
        delay = (t_next - now()) / 1e9
        if delay > 0:
            await asyncio.sleep(delay)
        await slots.acquire()
        task = asyncio.create_task(one(make(first_seq + sent)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        sent += 1
    if tasks:
        await asyncio.gather(*tasks)
    return sent


async def run_point(target: Target, sched: Schedule, make: Make, done: Done, ctl: Control,
                    now: Callable[[], int], on_measuring: Callable[[], None] | None = None) -> None:
    """Warm-up (finished before measuring), then the measured requests."""
    if sched.warmup:
        await _closed(target, make, done, 0, sched.warmup, None, min(sched.concurrency,
                      sched.warmup), True, ctl, now)
    if ctl.abort.is_set():
        return
    if on_measuring is not None:
        on_measuring()
    deadline = now() + int(sched.seconds * 1e9) if sched.seconds is not None else None
    first = sched.warmup
    if sched.rate:
        await _open(target, make, done, first, sched.requests, deadline, sched.concurrency,
                    sched.rate, sched.seed, ctl, now)
    else:
        await _closed(target, make, done, first, sched.requests, deadline, sched.concurrency,
                      False, ctl, now)
