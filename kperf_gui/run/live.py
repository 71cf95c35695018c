"""The live feed: every event a run sends (``kperf run --events``), and the console's lines.

Live intervals are computed as the workbook computes them. Each update of the wall meters' time
base (the fastest wall meter) is one interval: the wall channels' watts on that time base and
the output tokens arriving in it, by :func:`~kperf_gui.measure.power.wall_parts` and
:func:`~kperf_gui.measure.power.tokens_per_interval` over the same readings and chunks the
journal holds. An interval is sent once its figures are final: every other wall channel has
read past it (its value there is interpolated between two readings), and no request that could
still bring text into it is in flight (a request's tokens are known only when it ends, and
spread evenly over its chunks). The live plots therefore run behind by up to one request's
duration. An interval that waits longer than :data:`HOLD_S` (a meter that stopped answering, a
request that hangs) is sent with what is known then and ``final`` false; the workbook's figure
may differ for it.
"""
from __future__ import annotations

import bisect
import functools
import heapq
import itertools
import math
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kperf_gui.clock import Clock
from kperf_gui.measure.power import (PowerSeries, chunk_weight, interval_period, sum_parts,
                                     tokens_per_interval, wall_parts)
from kperf_gui.session.data import SummaryRow
from kperf_gui.session.journal_reader import series_name
from kperf_gui.session.plan import SweepPoint, SweepSpec
from kperf_gui.session.records import InstrumentRecord, ReadingRow, RequestRecord

from .events import (Event, EventSink, FinishedEvent, IntervalEvent, LogEvent, MeterInfo,
                     OperatorActionEvent, PhaseEvent, PointFinishedEvent, PointStartedEvent,
                     ProgressEvent, SessionEvent)

NS = 1e9
HOLD_S = 120.0
"""The longest an interval waits for its figures to be final (seconds of session time)."""


@dataclass
class _Series:
    """A wall channel's element as the intervals need it: its finite readings (times in
    seconds, ascending) and whether it has any reading at all."""

    name: str
    rate_hz: float
    t: list[float] = field(default_factory=list)
    w: list[float] = field(default_factory=list)
    rows: int = 0

    def as_series(self, lo: float) -> PowerSeries:
        """The readings that can matter at or after ``lo``: from the last one before it."""
        start = max(0, bisect.bisect_left(self.t, lo) - 1)
        if self.t:
            t, w = np.array(self.t[start:]), np.array(self.w[start:])
        else:  # readings, none of them a number: the channel counts, as NaN
            t, w = np.array([lo]), np.array([np.nan])
        return PowerSeries(self.name, t, w, (), self.rate_hz)

    def past(self, t: float) -> bool:
        return bool(self.t) and self.t[-1] >= t

    def prune(self, lo: float) -> None:
        start = bisect.bisect_left(self.t, lo) - 1
        if start > 0:
            del self.t[:start], self.w[:start]


@dataclass
class _Pending:
    t_ns: int
    watts: float
    point: int


@dataclass
class _Request:
    chunk_t: np.ndarray  # seconds, ascending
    weight: float


class IntervalBuilder:
    """Builds one :class:`IntervalEvent` per base update of the wall channels, each equal to
    the interval the journal gives (see the module's text). Thread-safe."""

    def __init__(self, instruments: Sequence[InstrumentRecord],
                 elements: dict[int, Sequence[int]], send: Callable[[Event], None],
                 now_s: Callable[[], float]):
        walls = [i for i in instruments if i.role == "wall"]
        self._series: dict[tuple[int, int], _Series] = {}
        for inst in sorted(walls, key=lambda i: i.id):
            for el in sorted(elements.get(inst.id, ())):
                self._series[(inst.id, el)] = _Series(series_name(inst.channel, el),
                                                      float(inst.rate_hz or 10.0))
        self._base: tuple[int, int] | None = None
        for k, s in self._series.items():
            if self._base is None or s.rate_hz > self._series[self._base].rate_hz:
                self._base = k
        self.period = interval_period([s.as_series(0.0) for s in self._series.values()])
        self._send = send
        self._now_s = now_s
        self._pending: list[_Pending] = []
        self._requests: list[_Request] = []
        self._in_flight: dict[tuple[int, int], int] = {}
        self._starts: list[tuple[int, tuple[int, int]]] = []  # heap of (sent_ns, key)
        self._last_base_t = 0.0
        self._lock = threading.Lock()
        self._closed = False

    @property
    def active(self) -> bool:
        return self._base is not None

    # --- inputs --------------------------------------------------------------------------

    def readings(self, rows: Sequence[ReadingRow], point: int) -> None:
        """One meter update's rows, as journaled."""
        if not self.active:
            return
        with self._lock:
            for row in rows:
                s = self._series.get((row.instrument, row.element))
                if s is None:
                    continue
                s.rows += 1
                t = row.t_ns / NS
                if row.watts is not None and math.isfinite(row.watts) and (
                        not s.t or t > s.t[-1]):
                    s.t.append(t)
                    s.w.append(row.watts)
                if (row.instrument, row.element) == self._base:
                    w = row.watts if row.watts is not None else math.nan
                    self._pending.append(_Pending(row.t_ns, w, point))
                    self._last_base_t = t
            self._settle()

    def sending(self, point: int, seq: int, at_ns: int) -> None:
        """A request is about to be sent: its text may fall in intervals from ``at_ns`` on."""
        with self._lock:
            self._in_flight[(point, seq)] = at_ns
            heapq.heappush(self._starts, (at_ns, (point, seq)))

    def request_done(self, record: RequestRecord, chunk_ns: Sequence[int]) -> None:
        """A request was journaled with its chunk arrivals."""
        with self._lock:
            self._in_flight.pop((record.point, record.seq), None)
            if chunk_ns:
                self._requests.append(_Request(np.asarray(chunk_ns, dtype=float) / NS,
                                               chunk_weight(record.output_tokens, record.chunks)))
            self._settle()

    def point_over(self, point: int) -> None:
        """No request of ``point`` is in flight any more (those cancelled were not journaled)."""
        with self._lock:
            for key in [k for k in self._in_flight if k[0] == point]:
                del self._in_flight[key]
            self._settle()

    def close(self) -> None:
        """Nothing more will come: send every interval still held, final."""
        with self._lock:
            self._closed = True
            self._in_flight.clear()
            self._settle()

    # --- building --------------------------------------------------------------------------

    def _oldest_start_s(self) -> float:
        while self._starts:
            at, key = self._starts[0]
            if self._in_flight.get(key) == at:
                return at / NS
            heapq.heappop(self._starts)
        return math.inf

    def _settle(self) -> None:
        while self._pending:
            p = self._pending[0]
            t = p.t_ns / NS
            hi = t + self.period / 2
            final = self._closed or (
                all(s.past(t) for k, s in self._series.items() if k != self._base)
                and self._oldest_start_s() >= hi)
            if not final and self._now_s() - t < HOLD_S:
                return
            self._pending.pop(0)
            self._send_interval(p, final)
        self._prune()

    def _send_interval(self, p: _Pending, final: bool) -> None:
        t = p.t_ns / NS
        lo, hi = t - self.period / 2, t + self.period / 2
        series = []
        for k, s in self._series.items():
            if k == self._base:
                series.append(PowerSeries(s.name, np.array([p.t_ns], dtype=float) / NS,
                                          np.array([p.watts]), (), s.rate_hz))
            elif s.rows:
                series.append(s.as_series(t))
        times, parts = wall_parts(series)
        total = sum_parts(times, parts)
        # a margin of one period each side: tokens_per_interval picks the chunks exactly
        chunk_t, weights = self._chunks(lo - self.period, hi + self.period)
        tps = tokens_per_interval(times, self.period, chunk_t, weights)
        watts = float(total[0])
        self._send(IntervalEvent(
            event="interval", t=self._now_s(), t_s=float(times[0]),
            t0_s=lo, t1_s=hi, watts=watts if math.isfinite(watts) else None,
            tokens_per_s=float(tps[0]),
            channels={name: (float(v[0]) if math.isfinite(v[0]) else None) for name, v in parts},
            point=p.point, final=final))

    def _chunks(self, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
        """Every known chunk in ``[lo, hi)`` with its weight."""
        times: list[np.ndarray] = []
        weights: list[float] = []
        for r in self._requests:
            if r.chunk_t[0] >= hi or r.chunk_t[-1] < lo:
                continue
            a, b = np.searchsorted(r.chunk_t, [lo, hi], side="left")
            if b > a:
                times.append(r.chunk_t[a:b])
                weights.extend(itertools.repeat(r.weight, int(b - a)))
        if not times:
            return np.empty(0), np.empty(0)
        return np.concatenate(times), np.array(weights, dtype=float)

    def _prune(self) -> None:
        """Forget readings and requests no held interval can need."""
        t = self._pending[0].t_ns / NS if self._pending else self._last_base_t
        lo = t - 2 * self.period
        for s in self._series.values():
            s.prune(lo)
        self._requests = [r for r in self._requests if r.chunk_t[-1] >= lo]


class Progress:
    """How far the sweep has got: ``progress`` events about once a second, and a console line
    as each point ends, with an estimate of the time left."""

    def __init__(self, live: LiveFeed, sweep: SweepSpec, points: int):
        self.live = live
        self.sweep = sweep
        self.points = points
        self.started_ns = 0

    def start(self) -> None:
        self.started_ns = self.live.clock.now()

    def tick(self, pt: SweepPoint, started_ns: int, measuring_since: int | None,
             done_requests: int, final: bool = False) -> None:
        sw, n = self.sweep, self.points
        now = self.live.clock.now()
        elapsed = (now - started_ns) / NS
        total = float(sw.requests_per_point or sw.seconds_per_point or 0)
        if sw.seconds_per_point:
            done = min((now - measuring_since) / NS if measuring_since is not None else 0.0, total)
        else:
            done = float(done_requests)
        frac = min(1.0, done / total) if total else 1.0
        finished_points = pt.index - 1 + (1.0 if final else frac)
        left = ((now - self.started_ns) / NS / finished_points * (n - finished_points)
                if finished_points > 0 else None)
        self.live.progress(pt.index, n, done, total, round(elapsed, 3),
                           None if left is None else round(left, 1))
        if final:
            unit = "s" if sw.seconds_per_point else "requests"
            left_txt = "-" if left is None else f"{left:.0f} s"
            self.live.say(f"point {pt.index} of {n}: {pt.precision} in={pt.input_tokens} "
                          f"out={pt.output_tokens} users={pt.concurrency}: {done:g}/{total:g} "
                          f"{unit} done, {elapsed:.1f} s elapsed, about {left_txt} left")


class LiveFeed:
    """Sends the run's events (when the run was started with ``--events``) and its console
    lines; builds the live intervals once the wall channels are known (:meth:`start`).

    The intervals are built on a thread of their own, fed in the order things happened: the
    meter pollers and the load hand over their readings and requests and go on at once. A
    poller that settled the intervals itself would wait for them (a few hundred requests of a
    thousand chunks each, ending together, take a good part of a second to settle) and miss
    its meter's updates meanwhile."""

    def __init__(self, clock: Clock, sink: EventSink | None,
                 console: Callable[[str], None] | None):
        self.clock = clock
        self.sink = sink
        self.console = console
        self.intervals: IntervalBuilder | None = None
        self.point_now = 0
        """The point in progress (negative: a ranging point; 0: between points)."""
        self._inputs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._builder: threading.Thread | None = None

    def now_s(self) -> float:
        return round(self.clock.now() / NS, 6)

    def send(self, event: Event) -> None:
        if self.sink is not None:
            self.sink.emit(event)

    def say(self, line: str) -> None:
        if self.console is not None:
            self.console(line)

    def start(self, instruments: Sequence[InstrumentRecord],
              elements: dict[int, Sequence[int]]) -> None:
        """The wall channels are known: build intervals from their readings."""
        self.intervals = IntervalBuilder(instruments, elements, self.send, self.now_s)
        if self.intervals.active and self._builder is None:
            self._builder = threading.Thread(target=self._build, name="live-intervals",
                                             daemon=True)
            self._builder.start()

    def _build(self) -> None:
        while (work := self._inputs.get()) is not None:
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - the live view must never end the run
                self.log("warning", f"live intervals: {exc!r}; the workbook is not affected")

    def _hand(self, name: str, *args: Any) -> None:
        """Have the intervals' ``name`` called with ``args`` on the builder's thread."""
        if self._builder is not None:
            self._inputs.put(functools.partial(getattr(self.intervals, name), *args))

    # --- inputs the intervals need -----------------------------------------------------------

    def readings(self, rows: Sequence[ReadingRow]) -> None:
        self._hand("readings", rows, self.point_now)

    def sending(self, point: int, seq: int, at_ns: int | None = None) -> None:
        """A request is about to be sent (at ``at_ns``, by a load worker; else now)."""
        self._hand("sending", point, seq, self.clock.now() if at_ns is None else at_ns)

    def request_done(self, record: RequestRecord, chunk_ns: Sequence[int]) -> None:
        self._hand("request_done", record, chunk_ns)

    def point_over(self, point: int) -> None:
        self._hand("point_over", point)

    def close(self) -> None:
        """Send every interval still held, once everything handed over is built."""
        builder = self._builder
        if builder is None:
            return
        self._hand("close")
        self._inputs.put(None)
        builder.join()
        self._builder = None

    # --- events ------------------------------------------------------------------------------

    def session(self, folder: str, name: str, points: int, unit: str,
                meters: list[MeterInfo]) -> None:
        self.send(SessionEvent(event="session", t=self.now_s(), dir=folder, name=name,
                               points=points, unit=unit, meters=meters))

    def phase(self, phase: str, point: int | None = None) -> None:
        ev = PhaseEvent(event="phase", t=self.now_s(), phase=phase)
        if point is not None:
            ev["point"] = point
        self.send(ev)

    def point_started(self, point: int, of: int, precision: str, input_tokens: int | None,
                      output_tokens: int | None, concurrency: int, model: str,
                      ranging: bool) -> None:
        self.send(PointStartedEvent(
            event="point_started", t=self.now_s(), point=point, of=of, precision=precision,
            input_tokens=input_tokens, output_tokens=output_tokens, concurrency=concurrency,
            model=model, ranging=ranging))

    def progress(self, point: int, of: int, done: float, total: float, elapsed_s: float,
                 left_s: float | None) -> None:
        self.send(ProgressEvent(event="progress", t=self.now_s(), point=point, of=of, done=done,
                                total=total, elapsed_s=elapsed_s, left_s=left_s))

    def point_finished(self, point: int, row: SummaryRow) -> None:
        self.send(PointFinishedEvent(event="point_finished", t=self.now_s(), point=point,
                                     summary=row.as_dict()))

    def operator_action(self, precision: str, message: str) -> None:
        self.send(OperatorActionEvent(event="operator_action", t=self.now_s(),
                                      precision=precision, message=message))

    def log(self, level: str, message: str) -> None:
        self.send(LogEvent(event="log", t=self.now_s(), level=level, message=message))
        if level != "info":
            self.say(f"{level}: {message}")

    def finished(self, status: str, exit_code: int, folder: str) -> None:
        self.send(FinishedEvent(event="finished", t=self.now_s(), status=status,
                                exit_code=exit_code, dir=folder))
