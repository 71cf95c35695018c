"""The load client's own health while it measures: how late its event loop runs and how much
CPU its process spends.

A client short of CPU answers late: it sends each user's next request late (the chip then serves
fewer users than the point says), bytes that piled up while it was busy are read as one block
stamped with the newest bytes' arrival, and where the kernel gives no receive stamps (TLS,
Windows: :mod:`drivers.targets.rxstamp`) a chunk is stamped when the loop gets to it. The chip
would get the blame. So each load loop runs a probe while a point is measured: a timer of
:data:`PROBE_S` whose lateness (how long after it was due it ran) is how late that loop answers.
With the process's CPU seconds over the same span, the figures go
into the journal with the point (:class:`~kperf_gui.session.records.ClientHealthRecord`), one
row per load process, and a point whose lag p99 exceeds the plan's ``sweep.max_client_lag_ms``
is invalid (:func:`~kperf_gui.session.journal_reader.point_row`).
"""
from __future__ import annotations

import asyncio
import os
import time

import numpy as np

from kperf_gui.session.records import ClientHealthRecord

PROBE_S = 0.010
"""The probe's timer: short enough to sample a point of a few seconds hundreds of times, long
enough that the probe itself costs nothing measurable (100 wake-ups a second)."""


class LoopHealth:
    """Probes the running event loop from :meth:`start` to :meth:`stop` (both called on it)."""

    def __init__(self) -> None:
        self.late_ns: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._cpu0 = 0.0
        self._t0 = 0
        self._t1 = 0
        self._cpu1 = 0.0

    async def _probe(self) -> None:
        period = int(PROBE_S * 1e9)
        clock = time.perf_counter_ns
        late = self.late_ns
        while True:
            due = clock() + period
            await asyncio.sleep(PROBE_S)
            late.append(max(0, clock() - due))

    def start(self) -> None:
        """Begin probing (on the loop): the measured load begins."""
        if self._task is not None:
            return
        self._cpu0 = time.process_time()
        self._t0 = time.perf_counter_ns()
        self._task = asyncio.get_running_loop().create_task(self._probe())

    def stop(self) -> None:
        """End probing (on the loop): the measured load is over."""
        if self._task is None or self._t1:
            return
        self._task.cancel()
        self._t1 = time.perf_counter_ns()
        self._cpu1 = time.process_time()

    def record(self, point: int, worker: int, users: int, limit_ms: float,
               note: str = "") -> ClientHealthRecord:
        """The figures as the journal keeps them (empty lag figures when nothing was probed)."""
        wall_s = (self._t1 - self._t0) / 1e9 if self._t1 else 0.0
        cpu_s = self._cpu1 - self._cpu0 if self._t1 else 0.0
        late = np.asarray(self.late_ns, dtype=float) / 1e6
        has = late.size > 0
        return ClientHealthRecord(
            point=point, worker=worker, process=os.getpid(), users=users, probe_ms=PROBE_S * 1e3,
            samples=int(late.size),
            lag_p50_ms=float(np.percentile(late, 50)) if has else None,
            lag_p99_ms=float(np.percentile(late, 99)) if has else None,
            lag_max_ms=float(late.max()) if has else None,
            window_s=wall_s, cpu_s=cpu_s,
            cpu_pct=100.0 * cpu_s / wall_s if wall_s > 0 else None,
            lag_limit_ms=limit_ms, note=note or None)
