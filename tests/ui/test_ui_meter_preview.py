"""The instrument preview paces itself by the meter's update period and hands the window only the
newest reading, whatever the instrument does: every simulated make, made to answer at once,
cannot flood or starve the window (issue: connecting a simulated WT300E froze the app).

The event loop's lag under such an instrument is measured by benchmarks/meter_preview_lag.py."""
import time

import pytest

from drivers.meters import registry
from drivers.meters.base import ElementReading, Reading
from drivers.resources import sim_resources
from kperf_gui.ui.instruments_panel import InstrumentsPanel
from kperf_gui.ui.meter_preview import MAX_RATE_HZ, LatestReading, MeterPreview, preview_period_s

SIMULATED = [n for n in registry.names() if sim_resources(n) and n != "scpi-generic"]
READ_FOR_S = 1.0


def instant(monkeypatch, name):
    """Make ``name``'s driver answer every read at once with its first real reading; the reads
    asked are counted."""
    cls = registry.get(name)
    original = cls.read
    calls = {"n": 0, "first": None}

    def read(self):
        calls["n"] += 1
        if calls["first"] is None:
            calls["first"] = original(self)
        return calls["first"]

    monkeypatch.setattr(cls, "read", read)
    return calls


@pytest.mark.parametrize("name", SIMULATED)
def test_an_instrument_answering_at_once_is_read_once_per_update(app, qtbot, monkeypatch, name):
    calls = instant(monkeypatch, name)
    panel = InstrumentsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.read_plan({"meters": [{"driver": name, "options": {"simulate": True},
                                 "rate_hz": 100}]})
    shown = []
    original_show = panel.live.show_reading
    panel.live.show_reading = lambda r: (shown.append(r), original_show(r))[-1]
    panel.connect_meter(0)
    preview = panel._previews[0]
    qtbot.waitUntil(lambda: calls["n"] >= 1, timeout=30_000)
    started = time.monotonic()
    qtbot.wait(round(READ_FOR_S * 1000))
    elapsed = time.monotonic() - started
    assert preview.isRunning(), panel.live.status.text()
    # paced: asked for 100 Hz, the preview reads once per update the meter was set to, and
    # no faster than a person can read
    assert preview.period_s >= 1 / MAX_RATE_HZ
    assert calls["n"] <= elapsed / preview.period_s + 3
    # the window saw readings, never more than were read, and never had two waiting
    assert 1 <= len(shown) <= calls["n"]
    assert preview.latest.put_count == calls["n"] or preview.latest.put_count == calls["n"] - 1
    assert panel.live.readings.item(0, 1).text() not in ("", "—")
    panel.release()
    qtbot.waitUntil(lambda: panel.connected() == 0, timeout=30_000)


def test_the_slot_keeps_only_the_newest_reading():
    slot = LatestReading()
    a = Reading(elements=(ElementReading(1, watts=1.0),))
    b = Reading(elements=(ElementReading(1, watts=2.0),))
    assert slot.put(a) is True  # empty: the window must be told
    assert slot.put(b) is False  # already told: replaced, not queued
    assert slot.dropped == 1
    assert slot.take() is b and slot.take() is None
    assert slot.put(a) is True


class _Meter:
    def __init__(self, period):
        self._period = period

    @property
    def update_period_s(self):
        if isinstance(self._period, Exception):
            raise self._period
        return self._period


@pytest.mark.parametrize("period, expected", [
    (0.5, 0.5), (0.01, 1 / MAX_RATE_HZ), (0.0, 1 / MAX_RATE_HZ), (float("nan"), 1 / MAX_RATE_HZ),
    (ZeroDivisionError("rate 0"), 1 / MAX_RATE_HZ), (-1.0, 1 / MAX_RATE_HZ)])
def test_the_preview_period_is_the_meters_but_never_faster_than_the_screen(period, expected):
    assert preview_period_s(_Meter(period)) == pytest.approx(expected)


def test_a_flood_of_readings_leaves_one_hand_over_waiting(app, qtbot):
    """Readings put faster than the window takes them: one signal waits, whatever the count."""
    preview = MeterPreview("simulated", "", (1,), 10.0)
    told = []
    preview.reading_ready.connect(lambda: told.append(1))
    r = Reading(elements=(ElementReading(1, watts=5.0),))
    for _ in range(10_000):
        if preview.latest.put(r):
            preview.reading_ready.emit()
    assert told == [1] and preview.latest.dropped == 9_999
    assert preview.take() is r
