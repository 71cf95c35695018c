"""The load schedules in process, with a fake target on a fake clock (in the manner of
GuideLLM's scheduler tests): closed loop and Poisson arrivals send exactly when they should,
warm-up finishes before measuring, the cap on requests in flight holds, abort stops."""
import asyncio
import heapq
import itertools

import numpy as np
import pytest

from drivers.targets.base import RequestResult, RequestSpec, Target
from kperf_gui.run.control import Control
from kperf_gui.run.loadgen import Load, Schedule, poisson_arrivals, run_point

S = 1_000_000_000


class FakeClock:
    """Virtual nanoseconds: ``sleep`` waits until the clock reaches its wake time; :meth:`drive`
    advances the clock to the next wake time whenever every task is waiting on it."""

    def __init__(self):
        self.t = 0
        self._timers = []
        self._n = itertools.count()

    def now(self):
        return self.t

    async def sleep(self, seconds):
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.t + round(seconds * S), next(self._n), fut))
        await fut

    async def drive(self, coro):
        task = asyncio.ensure_future(coro)
        while not task.done():
            for _ in range(20):  # let every runnable task run until it waits on the clock
                await asyncio.sleep(0)
            if task.done() or not self._timers:
                continue
            wake, _, fut = heapq.heappop(self._timers)
            self.t = max(self.t, wake)
            fut.set_result(None)
        return task.result()


class FakeTarget(Target):
    """Takes ``service_s`` of virtual time per request; records what it was sent and when."""

    def __init__(self, clock, service_s=1.0):
        super().__init__(clock.now)
        self.clock = clock
        self.service_s = service_s
        self.sent = []  # (seq, sent_ns)
        self.in_flight = 0
        self.most_in_flight = 0

    async def send(self, spec):
        sent = self.clock.now()
        self.sent.append((spec.seq, sent))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await self.clock.sleep(self.service_s)
        self.in_flight -= 1
        return RequestResult(spec.seq, sent, self.clock.now(), True, chunk_ns=[self.clock.now()])


def drive(sched, service_s=1.0, ctl=None, on_done=None):
    clock = FakeClock()
    target = FakeTarget(clock, service_s)
    done, measuring, sending = [], [], []
    ctl = ctl or Control()

    def finished(spec, result, warmup):
        done.append((spec.seq, warmup, result.sent_ns, result.done_ns))
        if on_done is not None:
            on_done(ctl, done)

    load = Load(target, lambda seq: RequestSpec(seq, "", 0, 1), finished, ctl, clock.now,
                sleep=clock.sleep, sending=sending.append,
                on_measuring=lambda: measuring.append(clock.now()))
    asyncio.run(clock.drive(run_point(load, sched)))
    return target, done, measuring, sending


def test_closed_loop_keeps_every_user_busy_and_warms_up_first():
    target, done, measuring, sending = drive(Schedule(concurrency=3, warmup=3, requests=9,
                                                      seconds=None))
    assert target.sent == [(0, 0), (1, 0), (2, 0), (3, S), (4, S), (5, S), (6, 2 * S),
                           (7, 2 * S), (8, 2 * S), (9, 3 * S), (10, 3 * S), (11, 3 * S)]
    assert measuring == [S]  # after the last warm-up request finished, before the first measured
    assert [d[1] for d in done] == [True] * 3 + [False] * 9
    assert sending == list(range(12)) and target.most_in_flight == 3


def test_closed_loop_by_seconds_stops_sending_at_the_deadline():
    target, done, measuring, _ = drive(Schedule(concurrency=2, warmup=0, requests=None,
                                                seconds=2.5))
    assert measuring == [0]
    assert target.sent == [(0, 0), (1, 0), (2, S), (3, S), (4, 2 * S), (5, 2 * S)]
    assert max(d[3] for d in done) == 3 * S  # requests in flight at the deadline finish


def test_poisson_arrivals_are_a_pure_function_of_rate_seed_and_sequence():
    a = list(itertools.islice(poisson_arrivals(5.0, 7, 3), 2000))
    assert a == list(itertools.islice(poisson_arrivals(5.0, 7, 3), 2000))
    assert a != list(itertools.islice(poisson_arrivals(5.0, 8, 3), 2000))
    gaps = np.diff([0, *a]) / S
    assert gaps.mean() == pytest.approx(0.2, rel=0.06)
    assert gaps.std() == pytest.approx(0.2, rel=0.1)  # exponential: std = mean


def test_open_loop_sends_at_the_poisson_arrival_times():
    sched = Schedule(concurrency=1000, warmup=0, requests=40, seconds=None, rate=5.0, seed=11)
    target, done, _, _ = drive(sched, service_s=0.01)
    expected = list(itertools.islice(poisson_arrivals(5.0, 11, 0), 40))
    assert [t for _, t in target.sent] == expected
    assert [seq for seq, _ in target.sent] == list(range(40))


def test_open_loop_caps_the_requests_in_flight():
    sched = Schedule(concurrency=2, warmup=0, requests=10, seconds=None, rate=1000.0, seed=1)
    target, done, _, _ = drive(sched, service_s=1.0)
    assert target.most_in_flight == 2 and len(done) == 10
    assert sorted(t for _, t in target.sent)[-1] >= 4 * S  # the tenth waited for a free slot


def test_abort_stops_sending():
    def abort_after_four(ctl, done):
        if len(done) == 4:
            ctl.abort.set()

    target, done, _, _ = drive(Schedule(concurrency=2, warmup=2, requests=100, seconds=None),
                               on_done=abort_after_four)
    # at 2 s request 2 ends (a user sends request 4), then request 3 ends and the run aborts:
    # nothing more is sent, and the request in flight is waited for
    assert target.sent[-1] == (4, 2 * S) and len(target.sent) == 5 and len(done) == 5


@pytest.mark.parametrize("rate", [None, 1000.0])
def test_a_point_paused_to_be_measured_again_sends_no_more_while_paused(rate):
    def pause_after_four(ctl, done):
        if len(done) == 4:
            ctl.pause()
            ctl.redo.set()  # as the coordinator does for a pause inside the window

    ctl = Control()
    target, done, _, _ = drive(Schedule(concurrency=2, warmup=2, requests=100, seconds=None,
                                        rate=rate), ctl=ctl, on_done=pause_after_four)
    # the load ended while the run stays paused: the requests in flight were waited for,
    # nothing more was sent, and nothing waits for a Resume
    assert ctl.paused.is_set()
    assert len(target.sent) == len(done) and len(done) <= 6
    assert target.sent[-1][1] <= done[3][3]
