"""The ranging pass's choice of fixed ranges (MLPerf power: voltage at the highest seen, current
at 1.1 x the highest seen), each the smallest range of the meter's own table that holds it, and
every way it cannot be done."""
import pytest

from drivers.meters.base import (ElementReading, Identity, Meter, MeterConfig, MeterProtocolError,
                                 Reading)
from kperf_gui.run.meters import Channel, RangeChoiceError, Update, fix_ranges, fixed_ranges
from kperf_gui.run.ranging import RangingPass
from kperf_gui.session.plan import MeterSpec


class TableMeter(Meter):
    """A meter with a range table per element that refuses what ``refuse`` names."""

    name = "table"

    def __init__(self, volts=(15, 30, 60, 150, 300, 600), amps=(0.5, 1, 2, 5, 10, 20),
                 refuse=False):
        super().__init__("")
        self.volts, self.amps, self.refuse = volts, amps, refuse
        self.configured: list[MeterConfig] = []

    def voltage_ranges(self, element=1):
        return tuple(self.volts)

    def current_ranges(self, element=1):
        return tuple(a * element for a in self.amps)  # element 2 has twice the current ranges

    def open(self):
        pass

    def identify(self):
        return Identity("Maker", "T-1")

    def configure(self, config):
        if self.refuse and config.voltage_range is not None:
            raise MeterProtocolError("error 221: settings conflict")
        self.configured.append(config)
        self.config = config

    def read(self):
        raise NotImplementedError

    def close(self):
        pass


def channel(meter, elements=(1,)):
    meter.config = MeterConfig(elements=elements)
    spec = MeterSpec(driver="table", resource="", elements=elements, rate_hz=10, role="wall",
                     calibration_due=None, on_loss="continue", voltage_range=None,
                     current_range=None, ranging="pass", options={}, max_uncertainty_pct=1.0)
    return Channel(id=1, spec=spec, meter=meter, identity=meter.identify())


@pytest.mark.parametrize(("volts", "amps", "expected"), [
    (230.1, 0.646, (300, 1)),      # between ranges: 230.1 V -> 300 V, 0.7106 A -> 1 A
    (300.0, 0.4545, (300, 0.5)),   # on a range: it holds it; 1.1 x 0.4545 = 0.49995 A
    (12.0, 9.1, (15, 20)),         # 1.1 x 9.1 = 10.01 A is above the 10 A range
])
def test_the_smallest_table_range_that_holds_the_value(volts, amps, expected):
    assert fixed_ranges(channel(TableMeter()), volts, amps) == expected


def test_several_elements_get_the_largest_of_their_choices():
    # element 2's current ranges are twice element 1's: 0.7106 A is held by 1 A and by 1 A
    # (0.5 x 2) -> 1 A; 3 A: 5 A on element 1, 4 A on element 2 -> 5 A for both
    assert fixed_ranges(channel(TableMeter(), (1, 2)), 230.1, 3 / 1.1) == (300, 5)


@pytest.mark.parametrize(("meter", "volts", "amps", "why"), [
    (TableMeter(), 650.0, 1.0, "no voltage range of the T-1 holds 650 V, the highest seen (its "
                               "largest is 600 V)"),
    (TableMeter(), 230.0, 19.0, "no current range of the T-1 holds 1.1 x 19 A = 20.9 A (its "
                                "largest is 20 A)"),
    (TableMeter(amps=()), 230.0, 1.0, "the table driver has no current range table for the T-1"),
    (TableMeter(), 230.0, None, "table#1 read no current during the ranging pass"),
])
def test_what_cannot_be_chosen_says_why(meter, volts, amps, why):
    with pytest.raises(RangeChoiceError) as caught:
        fixed_ranges(channel(meter), volts, amps)
    assert str(caught.value).startswith(why)
    assert meter.configured == []


def test_a_meter_that_refuses_the_ranges_says_so():
    meter = TableMeter(refuse=True)
    with pytest.raises(RangeChoiceError, match=r"the T-1 refused the fixed ranges U=300 V, "
                                               r"I=1 A \(error 221: settings conflict\)"):
        fix_ranges(channel(meter), 230.1, 0.646)


def test_the_pass_keeps_the_highest_values_and_fixes_each_meter_or_says_why():
    ok, refusing = channel(TableMeter()), channel(TableMeter(refuse=True))
    refusing.id = 2
    ranging = RangingPass([ok, refusing])
    ranging.active = True
    for ch in (ok, refusing):
        for volts, amps in ((229.0, 0.5), (230.1, 0.646), (228.0, None)):
            er = ElementReading(1, watts=100.0, volts=volts, amps=amps)
            ranging.observe(Update(ch, 0, 0, 0, Reading((er,))))
    ranging.active = False
    first, second = ranging.fix()
    assert (first.volts, first.amps, first.config.voltage_range, first.config.current_range) == (
        230.1, 0.646, 300, 1)
    assert second.config is None and "refused" in second.error
