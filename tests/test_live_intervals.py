"""The live intervals in process: one per update of the fastest wall channel, held until every
figure in it is final, then equal to what the export's functions give for the same data."""
import math

import numpy as np

from kperf_gui.measure.power import PowerSeries, chunk_weight, tokens_per_interval, wall_sum
from kperf_gui.run.live import HOLD_S, IntervalBuilder
from kperf_gui.session.records import InstrumentRecord, ReadingRow, RequestRecord

MS = 1_000_000


def instrument(iid, rate, role="wall"):
    return InstrumentRecord(iid, f"m#{iid}", "m", "", role, "1", rate, "", "", "", "", "", "", "")


def reading(iid, t_ms, watts):
    return ReadingRow(iid, 1, t_ms * MS, t_ms * MS - 50 * MS, t_ms * MS + 50 * MS, watts)


def request(seq, chunks_ms, tokens):
    return RequestRecord(seq, 1, seq, 0, chunks_ms[0] * MS - MS, None, None, None, 1, None, 200,
                         8, 8, tokens, tokens, "usage", len(chunks_ms), None)


class Harness:
    def __init__(self, now_s=0.0):
        self.sent = []
        self.now = now_s
        self.b = IntervalBuilder([instrument(1, 10.0), instrument(2, 4.0),
                                  instrument(3, 50.0, role="auxiliary")],
                                 {1: [1], 2: [1], 3: [1]}, self.sent.append, lambda: self.now)


def test_an_interval_waits_for_the_slower_meter_and_the_requests_in_it():
    h = Harness()
    h.b.sending(1, 0, 100 * MS)
    h.b.readings([reading(2, 50, 40.0)], point=1)
    h.b.readings([reading(1, 150, 100.0)], point=1)
    assert h.sent == []  # the 4 Hz meter has not read past 150 ms yet
    h.b.readings([reading(2, 300, 60.0)], point=1)
    assert h.sent == []  # a request sent at 100 ms may still bring text into [100, 200)
    h.b.request_done(request(0, [120, 160, 260], 9), [120 * MS, 160 * MS, 260 * MS])
    (ev,) = h.sent
    t = 0.15
    base = PowerSeries("m#1 element 1", np.array([t]), np.array([100.0]), ({},), 10.0)
    slow = PowerSeries("m#2 element 1", np.array([0.05, 0.3]), np.array([40.0, 60.0]), ({},) * 2,
                       4.0)
    times, watts = wall_sum([base, slow])
    assert (ev["t_s"], ev["watts"]) == (float(times[0]), float(watts[0]))
    expected = tokens_per_interval(np.array([t]), 0.1, np.array([0.12, 0.16, 0.26]),
                                   np.full(3, chunk_weight(9, 3)))
    assert ev["tokens_per_s"] == expected[0] == 60.0  # two chunks of three tokens in 0.1 s
    assert ev["channels"] == {"m#1 element 1": 100.0, "m#2 element 1": 40.0 + 20.0 * 0.4}
    assert ev["final"] and ev["point"] == 1 and math.isclose(ev["t1_s"] - ev["t0_s"], 0.1)


def test_a_point_over_releases_requests_that_were_cancelled():
    h = Harness()
    h.b.sending(2, 7, 0)
    h.b.readings([reading(2, 300, 60.0)], point=2)
    h.b.readings([reading(1, 150, 100.0)], point=2)
    assert h.sent == []
    h.b.point_over(2)
    assert [e["tokens_per_s"] for e in h.sent] == [0.0]


def test_an_interval_held_too_long_is_sent_not_final_and_close_sends_the_rest():
    h = Harness()
    h.b.readings([reading(1, 150, 100.0)], point=0)
    h.b.readings([reading(1, 250, 110.0)], point=0)
    assert h.sent == []  # the 4 Hz meter never answered
    h.now = 0.25 + HOLD_S
    h.b.readings([reading(1, 350, 120.0)], point=0)
    assert [(e["t_s"], e["final"]) for e in h.sent] == [(0.15, False), (0.25, False)]
    h.b.close()
    assert [(e["t_s"], e["final"], e["watts"]) for e in h.sent][2:] == [(0.35, True, 120.0)]


def test_a_meter_update_is_handed_over_at_once_while_intervals_are_being_built():
    """The meter poller gives the live feed its readings and goes on to its next poll: building
    the intervals (slow when hundreds of long requests end together) happens on the feed's own
    thread, in the order things were handed over, and close() waits for all of it."""
    import threading

    from kperf_gui.clock import Clock
    from kperf_gui.run.live import LiveFeed

    events = []

    class Sink:
        def emit(self, event):
            events.append(event)

    feed = LiveFeed(Clock(), Sink(), None)
    feed.start([instrument(1, 10.0)], {1: [1]})
    builder = feed.intervals
    release, busy = threading.Event(), threading.Event()
    done = builder.request_done

    def slow_request_done(record, chunk_ns):
        busy.set()
        release.wait(10)
        done(record, chunk_ns)

    builder.request_done = slow_request_done
    feed.point_now = 1
    feed.sending(1, 0, 100 * MS)
    feed.request_done(request(0, [120, 160], 6), [120 * MS, 160 * MS])
    assert busy.wait(5)
    poller = threading.Thread(target=feed.readings, args=([reading(1, 150, 100.0)],))
    poller.start()
    poller.join(5)
    assert not poller.is_alive() and release.is_set() is False  # handed over, not built yet
    assert [e for e in events if e["event"] == "interval"] == []
    release.set()
    feed.close()
    (ev,) = [e for e in events if e["event"] == "interval"]
    assert ev["final"] and ev["point"] == 1 and ev["tokens_per_s"] == 60.0
