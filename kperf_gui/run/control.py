"""Pause, stop and abort of a run, settable from any thread (the operator's commands)."""
from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable


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

    def ended(self) -> bool:
        """Whether the operator stopped or aborted the run."""
        return self.stop.is_set() or self.abort.is_set()

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
