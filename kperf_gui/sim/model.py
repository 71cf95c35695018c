"""The simulated chip: a continuous-batching scheduler and the power it draws.

Pure: no sockets, no files. Time comes from an injected ``clock`` (raw ``perf_counter_ns`` in the
server, a fake clock in tests) and steps wait with an injected ``sleep``. The scheduler loop runs
one step at a time. Waiting requests join the batch up to ``max_batch``; if any member still needs
its prefill, one prefill step serves all of those and gives each its first token; otherwise one
decode step gives every member one token; with nothing to do the loop waits for a request. Every
step is recorded in a :class:`PowerTrace` with its actual start and end, and the time between steps
at idle power, so the trace's integral is exactly the energy of what happened.
"""
from __future__ import annotations

import asyncio
import random
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import AsyncIterator, Awaitable, Callable

import numpy as np

NS = 1_000_000_000


def flag(name: str) -> str:
    """The command-line flag of a :class:`SimParams` field."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class SimParams:
    """Power (watts) and step durations (seconds) of the simulated chip."""

    idle_w: float = 180.0
    prefill_w: float = 220.0
    decode_base_w: float = 90.0
    decode_per_seq_w: float = 2.5
    saturate: int = 64
    prefill_base_s: float = 0.004
    prefill_per_token_s: float = 0.00002
    decode_base_s: float = 0.006
    decode_per_seq_s: float = 0.00004
    max_batch: int = 256
    stream_interval: int = 1
    """Tokens per streamed chunk (vLLM's ``--stream-interval``; speculative decoding also
    sends several)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"{f.name} must not be negative; give a value of 0 or more")
        if self.saturate < 1 or self.max_batch < 1 or self.stream_interval < 1:
            raise ValueError("saturate, max_batch and stream_interval must be at least 1")

    def cli_args(self) -> list[str]:
        """These parameters as flags of ``python -m kperf_gui.sim`` (``--idle-w 180.0 ...``)."""
        return [a for f in fields(self) for a in (flag(f.name), repr(getattr(self, f.name)))]

    def prefill_s(self, tokens: int) -> float:
        """Duration of a prefill step over ``tokens`` input tokens."""
        return self.prefill_base_s + self.prefill_per_token_s * tokens

    def prefill_power_w(self) -> float:
        """Power during a prefill step."""
        return self.idle_w + self.prefill_w

    def decode_s(self, batch: int) -> float:
        """Duration of a decode step over ``batch`` sequences."""
        return self.decode_base_s + self.decode_per_seq_s * batch

    def decode_power_w(self, batch: int) -> float:
        """Power during a decode step over ``batch`` sequences."""
        return self.idle_w + self.decode_base_w + self.decode_per_seq_w * min(batch, self.saturate)


class PowerTrace:
    """Piecewise-constant power from ``start_ns`` on, stored as change points.

    Segment ``i`` runs from ``times[i]`` to ``times[i + 1]`` at ``watts[i]``; the last one is open
    and runs to "now". Equal-power neighbours are merged, so storage grows only with changes.
    """

    def __init__(self, start_ns: int, watts: float, clock: Callable[[], int]):
        self._clock = clock
        self._t = np.empty(1024, dtype=np.int64)
        self._w = np.empty(1024, dtype=np.float64)
        self._t[0], self._w[0] = start_ns, watts
        self._n = 1
        self._latest = start_ns

    @property
    def start_ns(self) -> int:
        return int(self._t[0])

    def __len__(self) -> int:
        """The number of segments, the open one included."""
        return self._n

    def set(self, t_ns: int, watts: float) -> None:
        """From ``t_ns`` on the power is ``watts``."""
        if t_ns < self._latest:
            raise ValueError(f"power change at {t_ns} ns is before the last one at {self._latest} ns")
        self._latest = t_ns
        n = self._n
        if t_ns == self._t[n - 1]:  # the open segment has no length yet: replace its power
            if n > 1 and self._w[n - 2] == watts:
                self._n = n - 1
            else:
                self._w[n - 1] = watts
            return
        if self._w[n - 1] == watts:
            return
        if n == len(self._t):
            self._t = np.concatenate([self._t, np.empty_like(self._t)])
            self._w = np.concatenate([self._w, np.empty_like(self._w)])
        self._t[n], self._w[n] = t_ns, watts
        self._n = n + 1

    def _pieces(self, t0_ns: int, t1_ns: int) -> tuple[np.ndarray, np.ndarray]:
        """Edges and watts of the segments over ``[t0_ns, t1_ns]``, clipped to it, to the start
        and to "now"; empty where nothing is left."""
        a, b = max(t0_ns, self.start_ns), min(t1_ns, self._clock())
        if b <= a:
            return np.empty(0, dtype=np.int64), np.empty(0)
        times = self._t[: self._n]
        i = int(np.searchsorted(times, a, side="right")) - 1
        j = int(np.searchsorted(times, b, side="left"))
        return np.concatenate(([a], times[i + 1 : j], [b])), self._w[i:j]

    def segments(self, t0_ns: int, t1_ns: int) -> list[tuple[int, int, float]]:
        """The segments ``(t0_ns, t1_ns, watts)`` covering ``[t0_ns, t1_ns]``, clipped to it and to
        the trace's start and "now"."""
        edges, watts = self._pieces(t0_ns, t1_ns)
        return [(int(a), int(b), float(w)) for a, b, w in zip(edges[:-1], edges[1:], watts)]

    def energy_j(self, t0_ns: int, t1_ns: int) -> float:
        """The exact integral of power over ``[t0_ns, t1_ns]`` in joules (clipped as above)."""
        edges, watts = self._pieces(t0_ns, t1_ns)
        return float(np.dot(np.diff(edges), watts)) / NS

    def power_w(self, t_ns: int) -> float:
        """The power at ``t_ns`` (the first segment's before the start)."""
        i = int(np.searchsorted(self._t[: self._n], t_ns, side="right")) - 1
        return float(self._w[max(i, 0)])

    def mean_w(self, t0_ns: int, t1_ns: int) -> float:
        """Mean power over ``[t0_ns, t1_ns]`` (clipped as above); for an empty interval, the power
        at its start."""
        a, b = max(t0_ns, self.start_ns), min(t1_ns, self._clock())
        if b <= a:
            return self.power_w(a)
        return self.energy_j(a, b) * NS / (b - a)


@dataclass(slots=True)
class RequestRecord:
    """The server-side trace of one request."""

    id: int
    arrival_ns: int
    prompt_tokens: int
    max_tokens: int
    first_token_ns: int | None = None
    last_token_ns: int | None = None
    completion_tokens: int = 0
    cancelled: bool = False
    received_ns: int | None = None
    """When the server read the request's last bytes from the socket (``arrival_ns`` is when
    the scheduler got it, after the request was parsed)."""
    chunk_sent_ns: list[int] = field(default_factory=list)
    """When each streamed chunk carrying text was written to the socket (raw ``perf_counter_ns``,
    taken right before the write call, which hands them to the kernel): what the client's chunk arrival times are checked against."""

    def to_dict(self) -> dict:
        return asdict(self)


class SimRequest:
    """One request inside the scheduler; :meth:`tokens` yields its token stamps as they come."""

    def __init__(self, record: RequestRecord, target_tokens: int):
        self.record = record
        self.target_tokens = target_tokens
        self.prefilled = False
        self._out: asyncio.Queue[int | None] = asyncio.Queue()

    @property
    def done(self) -> bool:
        return self.record.completion_tokens >= self.target_tokens

    def _emit(self, t_ns: int) -> None:
        rec = self.record
        rec.completion_tokens += 1
        if rec.first_token_ns is None:
            rec.first_token_ns = t_ns
        rec.last_token_ns = t_ns
        self._out.put_nowait(t_ns)
        if self.done:
            self._out.put_nowait(None)

    async def tokens(self) -> AsyncIterator[int]:
        """The time (raw ns) each generated token was produced, until the request is done."""
        while (t := await self._out.get()) is not None:
            yield t


def output_length(max_tokens: int, exact: bool, rng: random.Random) -> int:
    """Tokens to generate: ``max_tokens`` when ``exact``, else an early end of sequence drawn
    between ``max_tokens // 2`` and ``max_tokens``."""
    if exact:
        return max_tokens
    return rng.randint(max(1, max_tokens // 2), max_tokens)


class Engine:
    """The continuous-batching scheduler; run :meth:`run` as a task on the event loop."""

    def __init__(
        self,
        params: SimParams,
        clock: Callable[[], int],
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        seed: int = 0,
    ):
        self.params = params
        self._clock = clock
        self._sleep = sleep
        self._rng = random.Random(seed)
        self.trace = PowerTrace(clock(), params.idle_w, clock)
        self.records: list[RequestRecord] = []
        self.steps = {"prefill": 0, "decode": 0}
        self._waiting: deque[SimRequest] = deque()
        self._running: list[SimRequest] = []
        self._wake = asyncio.Event()

    @property
    def in_flight(self) -> int:
        """Requests waiting or in the batch."""
        return len(self._waiting) + len(self._running)

    def submit(self, prompt_tokens: int, max_tokens: int, exact: bool,
               received_ns: int | None = None) -> SimRequest:
        """Queue a request; it generates ``max_tokens`` tokens when ``exact``, else possibly fewer.
        ``received_ns``: when its bytes were read, where the server knows it."""
        if max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        record = RequestRecord(len(self.records), self._clock(), prompt_tokens, max_tokens,
                               received_ns=received_ns)
        self.records.append(record)
        request = SimRequest(record, output_length(max_tokens, exact, self._rng))
        self._waiting.append(request)
        self._wake.set()
        return request

    def cancel(self, request: SimRequest) -> None:
        """Drop a request that is no longer wanted (its client went away)."""
        if request.done:
            return
        request.record.cancelled = True
        if request in self._running:
            self._running.remove(request)
        elif request in self._waiting:
            self._waiting.remove(request)

    async def run(self) -> None:
        """Step forever."""
        p = self.params
        while True:
            while self._waiting and len(self._running) < p.max_batch:
                self._running.append(self._waiting.popleft())
            batch = [r for r in self._running if not r.prefilled]
            if batch:
                tokens = sum(r.record.prompt_tokens for r in batch)
                await self._step("prefill", p.prefill_s(tokens), p.prefill_power_w(), batch)
            elif self._running:
                batch = list(self._running)
                await self._step("decode", p.decode_s(len(batch)), p.decode_power_w(len(batch)), batch)
            else:
                self._wake.clear()
                await self._wake.wait()

    async def _step(self, kind: str, duration_s: float, watts: float, batch: list[SimRequest]) -> None:
        start = self._clock()
        self.trace.set(start, watts)
        try:
            await self._sleep(duration_s)
        finally:
            end = self._clock()
            self.trace.set(end, self.params.idle_w)
        self.steps[kind] += 1
        for r in batch:
            if r.record.cancelled:
                continue
            r.prefilled = True
            r._emit(end)
            if r.done:
                self._running.remove(r)
