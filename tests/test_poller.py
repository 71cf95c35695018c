"""The meter poller in process, with a fake meter on a fake clock: each update stamped at the
centre of the interval it covers, missed updates journaled as missing (never caught up), a
timeout or garbage as one missing update, a lost meter reported and reopened."""
from drivers.meters.base import (ElementReading, Identity, Meter, MeterConfig, MeterDisconnected,
                                 MeterProtocolError, MeterTimeout, Reading, Status)
from kperf_gui.run.meters import Channel, Poller
from kperf_gui.session.plan import parse

ANCHOR = 1_000_000_000_000
MS = 1_000_000


class FakeClock:
    """A session clock whose raw time is set by the test."""

    def __init__(self):
        self.raw = ANCHOR

    def now(self):
        return self.raw - ANCHOR

    def from_raw(self, raw_ns):
        return raw_ns - ANCHOR


class FakeMeter(Meter):
    """Answers from a script: each item is a raw end time (a reading ending then, at 100 ms per
    update) or an exception to raise; the clock moves to each item's time as it is read. When
    the script is over the poller is stopped."""

    name = "fake"

    def __init__(self, clock, script, poller_box):
        super().__init__("FAKE::1")
        self.clock = clock
        self.script = list(script)
        self.box = poller_box
        self.config = MeterConfig(elements=(1, 2), rate_hz=10.0)
        self.opened = 0

    def open(self):
        self.opened += 1

    def identify(self):
        return Identity("Fake", "F1")

    def configure(self, config):
        self.config = config

    def close(self):
        pass

    def read(self):
        at, item = self.script.pop(0)
        self.clock.raw = ANCHOR + at
        if not self.script:
            self.box[0].stop()
        if isinstance(item, Exception):
            raise item
        return Reading(tuple(ElementReading(e, watts=100.0 + e, status={"watts": Status.OK})
                             for e in (1, 2)), raw=b"r", end_raw_ns=ANCHOR + at)


def poll(script):
    clock = FakeClock()
    box = []
    meter = FakeMeter(clock, script, box)
    spec = parse('[session]\nname = "p"\n[target]\nkind = "simulated"\n[[meters]]\n'
                 'driver = "simulated"\nelement = [1, 2]\n[sweep]\ninput_tokens = [1]\n'
                 "output_tokens = [1]\nconcurrency = [1]\nrequests_per_point = 1\n").meters[0]
    ch = Channel(1, spec, meter)
    updates, lost = [], []
    poller = Poller(ch, clock, updates.append, lambda c, m: lost.append(m), retry_s=0.001)
    box.append(poller)
    poller.run()  # in this thread: every step is the script's
    return updates, lost, meter


def test_each_update_is_stamped_at_the_centre_of_its_interval():
    updates, lost, _ = poll([(100 * MS, None), (200 * MS, None), (300 * MS, None)])
    assert [(u.t0_ns, u.t_ns, u.t1_ns) for u in updates] == [
        (0, 50 * MS, 100 * MS), (100 * MS, 150 * MS, 200 * MS), (200 * MS, 250 * MS, 300 * MS)]
    assert all(u.reading is not None for u in updates) and lost == []
    rows = updates[0].rows()
    assert [(r.instrument, r.element, r.watts, r.watts_status) for r in rows] == [
        (1, 1, 101.0, "ok"), (1, 2, 102.0, "ok")]


def test_missed_updates_are_journaled_as_missing_never_caught_up():
    updates, _, _ = poll([(100 * MS, None), (400 * MS, None)])
    assert [(u.t1_ns, u.reading is None, u.note) for u in updates] == [
        (100 * MS, False, ""), (200 * MS, True, "missing: update missed"),
        (300 * MS, True, "missing: update missed"), (400 * MS, False, "")]
    rows = updates[1].rows()
    assert [(r.element, r.watts, r.watts_status, r.note) for r in rows] == [
        (1, None, "missing", "missing: update missed"), (2, None, "missing", "missing: update missed")]


def test_a_timeout_or_garbage_is_one_missing_update():
    updates, lost, _ = poll([(100 * MS, None), (200 * MS, MeterTimeout("no reply in 500 ms")),
                             (300 * MS, MeterProtocolError("cannot parse", raw=b"\x00junk")),
                             (400 * MS, None)])
    assert [(u.t1_ns, u.note, u.raw) for u in updates] == [
        (100 * MS, "", b"r"), (200 * MS, "missing: no reply in 500 ms", b""),
        (300 * MS, "garbage: cannot parse", b"\x00junk"), (400 * MS, "", b"r")]
    assert updates[2].rows()[0].raw == b"\x00junk" and lost == []


def test_a_lost_meter_is_reported_and_reopened():
    updates, lost, meter = poll([(100 * MS, None), (150 * MS, MeterDisconnected("cable out")),
                                 (900 * MS, None), (1000 * MS, None)])
    assert lost == ["cable out"] and meter.opened == 1
    # after reopening, no missing updates are invented for the time it was gone
    assert [u.t1_ns for u in updates] == [100 * MS, 900 * MS, 1000 * MS]
    assert not updates[-1].channel.lost


def test_a_driver_bug_ends_the_meter_not_the_run():
    updates, lost, _ = poll([(100 * MS, None), (200 * MS, ZeroDivisionError("oops")),
                             (300 * MS, None)])
    assert [u.t1_ns for u in updates] == [100 * MS]
    assert lost == ["driver failure: ZeroDivisionError('oops')"]
    assert updates[0].channel.lost


def test_a_channel_is_named_as_the_journal_names_it():
    updates, _, _ = poll([(100 * MS, None)])
    assert updates[0].channel.label == "simulated#1"
