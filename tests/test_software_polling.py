"""The fixed polling schedule shared by the software power channels, on a fake clock."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from drivers.meters import registry
from drivers.meters.base import (
    ElementReading,
    Identity,
    MeterConfig,
    MeterProtocolError,
    MeterUnavailable,
    Reading,
)
from drivers.meters.software import polling
from drivers.meters.software.polling import PolledChannel, midpoint

MS = 1_000_000


class FakeClock:
    """``perf_counter_ns`` and ``sleep`` for the polling module; sleeping moves the clock."""

    def __init__(self) -> None:
        self.now = 1_000 * MS

    def perf_counter_ns(self) -> int:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += round(seconds * 1e9)


class Counter(PolledChannel):
    """A channel of two devices whose poll stamps the fake clock's time."""

    name = "counter"
    MAX_RATE_HZ = 50.0

    def __init__(self, clock: FakeClock):
        super().__init__()
        self.clock = clock

    def open(self) -> None:
        pass

    def identify(self) -> Identity:
        return Identity("test", "counter")

    def devices(self) -> tuple[int, ...]:
        return (1, 2)

    def poll(self) -> Reading:
        return Reading(tuple(ElementReading(e) for e in self.config.elements),
                       end_raw_ns=self.clock.now)

    def close(self) -> None:
        pass


@pytest.fixture()
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(polling, "time", SimpleNamespace(perf_counter_ns=fake.perf_counter_ns,
                                                         sleep=fake.sleep))
    return fake


def test_polls_fall_on_the_fixed_schedule(clock) -> None:
    channel = Counter(clock)
    start = clock.now
    channel.configure(MeterConfig(elements=(2, 1, 2), rate_hz=20))
    assert channel.config.elements == (2, 1)
    assert channel.update_period_s == pytest.approx(0.05)
    ends = []
    for _ in range(3):
        clock.now += 7 * MS  # the caller's own work between reads
        ends.append(channel.read().end_raw_ns)
    assert ends == [start + 50 * MS, start + 100 * MS, start + 150 * MS]


def test_a_missed_boundary_is_skipped_not_caught_up(clock) -> None:
    channel = Counter(clock)
    start = clock.now
    channel.configure(MeterConfig(elements=(1,), rate_hz=20))
    assert channel.read().end_raw_ns == start + 50 * MS
    clock.now += 175 * MS  # a slow poll or consumer: boundaries 100, 150, 200 ms pass unread
    assert channel.read().end_raw_ns == start + 250 * MS
    assert channel.read().end_raw_ns == start + 300 * MS


def test_a_rate_above_the_sources_is_lowered(clock) -> None:
    channel = Counter(clock)
    channel.configure(MeterConfig(elements=(1,), rate_hz=400))
    assert channel.config.rate_hz == 50.0
    assert channel.update_period_s == pytest.approx(0.02)


@pytest.mark.parametrize("config, words", [
    (MeterConfig(elements=(1, 3)), "element 3 cannot be read"),
    (MeterConfig(elements=()), "element (none) cannot be read"),
    (MeterConfig(rate_hz=0), "above 0 Hz"),
])
def test_bad_configurations_are_refused_plainly(clock, config, words) -> None:
    with pytest.raises(MeterUnavailable, match=words.replace("(", r"\(").replace(")", r"\)")):
        Counter(clock).configure(config)


def test_read_before_configure_is_refused(clock) -> None:
    with pytest.raises(MeterProtocolError, match="configured before"):
        Counter(clock).read()


def test_options_come_from_the_configuration_then_the_constructor(clock) -> None:
    channel = Counter(clock)
    channel.options = {"a": 1, "b": 2}
    channel.configure(MeterConfig(options={"b": 3}))
    assert (channel.option("a", 0), channel.option("b", 0), channel.option("c", 9)) == (1, 3, 9)


def test_midpoint() -> None:
    assert midpoint(10, 21) == 15


@pytest.mark.parametrize("name", ["nvml", "rapl", "furiosa-smi", "rbln-smi", "deepx-status"])
def test_software_channels_are_registered_auxiliary_and_resourceless(name) -> None:
    cls = registry.get(name)
    assert cls.name == name and cls.models
    assert cls.default_role == "auxiliary" and cls.needs_resource is False
