"""Pause, stop and abort of a run, and the operator's notes, settable from any thread (the
operator's commands)."""
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
        self.redo = threading.Event()
        """The point in progress was paused while measured and is to be measured again: its
        load sends no more requests (set by the coordinator, cleared as each point starts)."""
        self.pauses: list[tuple[int, int | None]] = []  # (from, to) in raw perf_counter_ns
        self.on_change: Callable[[str], None] | None = None  # told "paused" / "resumed"
        self.on_note: Callable[[str, str], None] | None = None  # told (text, author)

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

    def note(self, text: str, author: str = "") -> None:
        """The operator's note, for the run's journal."""
        if self.on_note is not None:
            self.on_note(text, author)

    def sending(self) -> bool:
        """Whether the point's load may send another request (not aborted, not to be measured
        again)."""
        return not (self.abort.is_set() or self.redo.is_set())

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
        """Wait while paused; not for a point that is to be measured again (:attr:`redo`): its
        load ends at once, while the run stays paused."""
        while self.paused.is_set() and self.sending():
            await asyncio.sleep(0.05)
