"""The Tektronix PA1000/PA3000 driver's own protocol: exact bytes over USB and Ethernet,
data-ready polling, overload bits, ranges by number, auto-zero held off over a two-minute window,
a real socket and the pyvisa-sim file. Shared shapes are in test_driver_contract.py."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from drivers.meters.base import (
    ElementRange,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Status,
)
from drivers.meters.tektronix import PA1000
from fake_instrument import FakeInstrument
from protocol import FakeClock, FakeResourceManager, HandlerResourceManager, expected_protocol

SIM_FILE = Path(__file__).resolve().parents[1] / "resources" / "sim" / "tektronix-pa1000.yaml"
USB = "USB0::0x0699::0x0C00::C000TEST::INSTR"
SOCKET = "TCPIP::fake.invalid::5025::SOCKET"
VALUES = b"1.1820E+02,2.2980E+02,5.3010E-01,9.7030E-01\n"
SELECTIONS = (b":SEL:WAT", b":SEL:VLT", b":SEL:AMP", b":SEL:PWF")


def idn(model: str = "PA1000") -> tuple[bytes, bytes]:
    return (b"*IDN?\n", f"Tektronix,{model},C000TEST,1.003.001\n".encode())


def setup_commands(
    voltage=b":RNG:VLT:AUT", current=b":RNG:AMP:AUT", integrate=False, stop_first=False
):
    commands = [b":INT:MAN:STOP"] if stop_first else []
    commands += [b"*CLS", b":BLK:DIS", b":SEL:CLR", *SELECTIONS]
    if integrate:
        commands.append(b":SEL:WHR")
    commands += [voltage, current]
    if integrate:
        commands += [b":MOD:INT", b":INT:START 0", b":INT:RESET", b":INT:MAN:RUN"]
    else:
        commands.append(b":MOD:NOR")
    commands.append(b":DSE 26")
    return commands


def setup_pairs(acknowledged=False, esr=b"0\n", range_replies=(), **kwargs):
    """The bytes configure() sends after identifying, through the ranges read back."""
    reply = b"\n" if acknowledged else None
    pairs = [(command + b"\n", reply) for command in setup_commands(**kwargs)]
    return pairs + [(b":DSR?\n", b"0\n"), (b"*ESR?\n", esr), *range_replies]


def read_pairs(*registers: bytes, values: bytes = VALUES):
    return [(b":DSR?\n", register + b"\n") for register in registers] + [(b":FRD?\n", values)]


def usb(pairs, **options):
    options.setdefault("command_delay_s", 0)
    return expected_protocol(PA1000, pairs, resource=USB, **options)


def configured(extra_pairs, model="PA1000", **options):
    return usb([idn(model), *setup_pairs(), *extra_pairs], **options)


def test_configure_over_usb_sends_exactly_these_bytes():
    with usb([idn(), *setup_pairs()]) as meter:
        meter.configure(MeterConfig(rate_hz=10))
    assert meter.config.rate_hz == 2.0
    assert meter.acknowledged is False


def test_configure_over_ethernet_reads_each_acknowledgement():
    pairs = [idn(), *setup_pairs(acknowledged=True)]
    with expected_protocol(PA1000, pairs, resource=SOCKET) as meter:
        meter.configure(MeterConfig())
    assert meter.acknowledged is True
    assert meter.command_delay_s == 0


def test_usb_waits_between_configuring_commands_by_default():
    meter = PA1000(USB, resource_manager=FakeResourceManager([]))
    assert meter.command_delay_s == 0.5


def test_an_acknowledgement_with_text_is_a_protocol_error():
    pairs = [idn(), (b"*CLS\n", b"ERR\n")]
    with expected_protocol(PA1000, pairs, resource=SOCKET) as meter:
        with pytest.raises(MeterProtocolError, match="empty acknowledgement") as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b"ERR"


def test_fixed_ranges_are_sent_as_range_numbers_and_read_back():
    replies = [(b":RNG:VLT?\n", b"3\n"), (b":RNG:AMP?\n", b"2\n")]
    pairs = [idn(), *setup_pairs(voltage=b":RNG:VLT:FIX 3", current=b":RNG:AMP:FIX 2",
                                 range_replies=replies), *read_pairs(b"2")]
    with usb(pairs, voltage_ranges=[15, 30, 300, 600], current_ranges=[0.5, 2, 20]) as meter:
        meter.configure(MeterConfig(voltage_range=230, current_range=1.2))
        reading = meter.read()
    assert reading.ranges == "U=300V I=2A"
    assert reading.range_of(1) == ElementRange(1, 300.0, 2.0)


def test_a_range_number_outside_the_list_is_a_protocol_error():
    replies = [(b":RNG:VLT?\n", b"7\n")]
    pairs = [idn(), *setup_pairs(voltage=b":RNG:VLT:FIX 3", range_replies=replies)]
    with usb(pairs, voltage_ranges=[15, 30, 300, 600]) as meter:
        with pytest.raises(MeterProtocolError, match="reports voltage range 7"):
            meter.configure(MeterConfig(voltage_range=300))


def test_a_fixed_range_without_the_range_list_names_the_option():
    with usb([idn()]) as meter:
        with pytest.raises(MeterUnavailable, match="set the driver option voltage_ranges"):
            meter.configure(MeterConfig(voltage_range=300))


def test_a_value_no_range_of_the_list_holds_is_refused():
    with usb([idn()], current_ranges=[0.5, 2, 20]) as meter:
        with pytest.raises(MeterUnavailable, match="No current range of the PA1000 holds 25 A"):
            meter.configure(MeterConfig(current_range=25))


@pytest.mark.parametrize("given", ["300", [0, 1], ["a"]])
def test_a_bad_range_list_is_refused(given):
    with pytest.raises(MeterUnavailable, match="voltage_ranges"):
        PA1000(USB, resource_manager=FakeResourceManager([]), voltage_ranges=given)


def test_integration_selects_watt_hours_and_stops_on_close():
    pairs = [idn(), *setup_pairs(integrate=True), (b":INT:MAN:STOP\n", None)]
    with usb(pairs, integrate=True) as meter:
        meter.configure(MeterConfig())
    values = VALUES.strip() + b",1.2500E-02\n"
    pairs = [idn(), *setup_pairs(integrate=True), *read_pairs(b"2", values=values)]
    pairs.append((b":INT:MAN:STOP\n", None))
    with usb(pairs) as meter:
        meter.configure(MeterConfig(options={"integrate": True}))
        (element,) = meter.read().elements
    assert element.wh == 0.0125
    assert element.status["wh"] is Status.OK


def test_configuring_again_stops_the_running_integration_first():
    again = setup_pairs(integrate=True, stop_first=True)
    pairs = [idn(), *setup_pairs(integrate=True), *again, (b":INT:MAN:STOP\n", None)]
    with usb(pairs, integrate=True) as meter:
        meter.configure(MeterConfig())
        meter.configure(MeterConfig())


def test_pa3000_reads_the_values_of_its_channels():
    two = b"1.0E+02,2.3E+02,5.0E-01,9.0E-01,2.0E+02,2.2E+02,1.0E+00,8.0E-01\n"
    pairs = [idn("PA 3000"), *setup_pairs(), *read_pairs(b"2", values=two)]
    with usb(pairs) as meter:
        meter.configure(MeterConfig(elements=(2, 1)))
        reading = meter.read()
    assert [element.element for element in reading.elements] == [2, 1]
    assert [element.watts for element in reading.elements] == [200.0, 100.0]


def test_pa3000_reply_with_too_few_channels_is_a_protocol_error():
    pairs = [idn("PA3000"), *setup_pairs(), *read_pairs(b"2")]
    with usb(pairs) as meter:
        meter.configure(MeterConfig(elements=(3,)))
        with pytest.raises(MeterProtocolError, match="4 per channel for channel 3"):
            meter.read()


def test_pa1000_has_one_channel():
    with usb([idn()]) as meter:
        with pytest.raises(MeterUnavailable, match="The PA1000 has channels 1; channel 2"):
            meter.configure(MeterConfig(elements=(1, 2)))


def test_unknown_model_is_refused():
    with usb([(b"*IDN?\n", b"Tektronix,PA4000,X,1\n")]) as meter:
        with pytest.raises(MeterProtocolError, match="identifies as Tektronix PA4000"):
            meter.configure(MeterConfig())


def test_read_polls_until_new_data():
    with configured(read_pairs(b"0", b"1", b"2")) as meter:
        meter.configure(MeterConfig())
        reading = meter.read()
    (element,) = reading.elements
    values = (element.watts, element.volts, element.amps, element.pf, element.wh)
    assert values == (118.2, 229.8, 0.5301, 0.9703, None)
    assert set(element.status.values()) == {Status.OK}
    assert "wh" not in element.status
    assert reading.raw == VALUES.strip()
    assert reading.ranges == "U=auto I=auto"
    assert reading.end_raw_ns is not None


@pytest.mark.parametrize(
    ("registers", "spoiled"),
    [
        ((b"18",), {"watts", "volts", "pf"}),  # NDV + OVV
        ((b"10",), {"watts", "amps", "pf"}),  # NDV + OVA
        ((b"8", b"2"), {"watts", "amps", "pf"}),  # overload seen before the update
        ((b"16", b"0", b"26"), {"watts", "volts", "amps", "pf"}),
    ],
)
def test_overload_bits_mark_values_over_range(registers, spoiled):
    with configured(read_pairs(*registers)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    for quantity in ("watts", "volts", "amps", "pf"):
        if quantity in spoiled:
            assert element.status[quantity] is Status.OVER_RANGE
            assert getattr(element, quantity) is None
        else:
            assert element.status[quantity] is Status.OK


def test_overload_does_not_outlive_its_update():
    with configured([*read_pairs(b"10"), *read_pairs(b"2")]) as meter:
        meter.configure(MeterConfig())
        assert meter.read().elements[0].flags == [
            "amps:over_range", "pf:over_range", "watts:over_range"
        ]
        assert meter.read().elements[0].flags == []


@pytest.mark.parametrize(
    ("token", "status"),
    [(b"9.91E+37", Status.NO_DATA), (b"NAN", Status.NO_DATA), (b"9.9E+37", Status.OVER_RANGE)],
)
def test_special_values(token, status):
    values = b"1.0E+02,2.3E+02,5.0E-01," + token + b"\n"
    with configured(read_pairs(b"2", values=values)) as meter:
        meter.configure(MeterConfig())
        (element,) = meter.read().elements
    assert element.status["pf"] is status and element.pf is None
    assert element.watts == 100.0


def test_error_bits_after_configure_are_named():
    pairs = [idn(), *setup_pairs(esr=b"48\n")]
    with usb(pairs) as meter:
        with pytest.raises(MeterProtocolError,
                           match=r"command error \(CME\), execution error") as caught:
            meter.configure(MeterConfig())
    assert caught.value.raw == b"48"


def test_power_on_bit_alone_is_not_an_error():
    with usb([idn(), *setup_pairs(esr=b"128\n")]) as meter:
        meter.configure(MeterConfig())


def test_status_register_garbage_is_a_protocol_error():
    with configured([(b":DSR?\n", b"NDV\n")]) as meter:
        meter.configure(MeterConfig())
        with pytest.raises(MeterProtocolError, match="data status register"):
            meter.read()


class AnalyzerModel:
    """A PA1000 on Ethernet: empty acknowledgements, new data on every second poll."""

    def __init__(self, updates: bool = True):
        self.updates = updates
        self.polls = 0

    def __call__(self, line: str) -> str | None:
        if line == "*IDN?":
            return "Tektronix,PA1000,C000TCP1,1.003.001"
        if line == ":DSR?":
            self.polls += 1
            return "2" if self.updates and self.polls % 2 == 1 and self.polls > 1 else "0"
        if line == "*ESR?":
            return "0"
        if line == ":FRD?":
            return VALUES.decode().strip()
        return ""


def test_over_tcp_identify_configure_and_read():
    with FakeInstrument(AnalyzerModel()) as instrument:
        meter = PA1000(instrument.resource, timeout_ms=500)
        with meter:
            identity = meter.identify()
            meter.configure(MeterConfig())
            readings = [meter.read() for _ in range(2)]
    assert (identity.maker, identity.model, identity.serial) == ("Tektronix", "PA1000", "C000TCP1")
    assert [reading.elements[0].watts for reading in readings] == [118.2] * 2
    assert instrument.received.count(":FRD?") == 2
    assert ":DSE 26" in instrument.received


def test_over_tcp_a_stalled_reply_reopens_then_times_out():
    with FakeInstrument(AnalyzerModel()) as instrument:
        meter = PA1000(instrument.resource, timeout_ms=300)
        with meter:
            meter.configure(MeterConfig())
            instrument.stall(1)
            assert meter.read().elements[0].volts == 229.8
            assert instrument.connections == 2
            instrument.stall()
            with pytest.raises(MeterTimeout):
                meter.read()


def test_over_tcp_a_dropped_connection_is_disconnected():
    with FakeInstrument(AnalyzerModel()) as instrument:
        meter = PA1000(instrument.resource, timeout_ms=300)
        with meter:
            meter.configure(MeterConfig())
            instrument.drop(refuse_new=True)
            with pytest.raises(MeterDisconnected):
                meter.read()


def test_pyvisa_sim_file_loads_and_the_driver_reads_through_it():
    meter = PA1000(
        "USB0::0x0699::0x0C00::C000SIM1::INSTR",
        backend=f"{SIM_FILE}@sim",
        command_delay_s=0,
        voltage_ranges=[15, 30, 300, 600],
    )
    with meter:
        identity = meter.identify()
        meter.configure(MeterConfig(voltage_range=300))
        reading = meter.read()
        assert meter.transport.query(":RNG:VLT?") == "3"
    assert (identity.maker, identity.model, identity.serial) == ("Tektronix", "PA1000", "C000SIM1")
    (element,) = reading.elements
    assert (element.watts, element.volts, element.amps, element.pf) == (
        118.2, 229.8, 0.5301, 0.9703
    )
    assert reading.ranges == "U=300V I=auto"


# --- auto-zero held off inside the window ------------------------------------------------------


class AutoZeroPA3000:
    """A PA3000 on a fake clock: new data every 0.5 s, except that with auto-zero on it zeroes
    at every whole minute and gives no new results for the next second (PM1000+ command list,
    "Returning Results Repeatedly")."""

    def __init__(self, clock):
        self.clock = clock
        self.origin = clock.now
        self.auto_zero = True
        self.zero_changes = []
        self.reported = 0

    def _updates_until_now(self) -> int:
        elapsed = self.clock.now - self.origin
        count = int(elapsed // 0.5)
        if self.auto_zero:  # updates that fell in a zeroing second never came
            count -= sum(2 for minute in range(1, int(elapsed // 60) + 1)
                         if elapsed >= minute * 60 + 1.0)
        return count

    def __call__(self, line: str) -> str | None:
        if line == "*IDN?":
            return "Tektronix,PA3000,C000TEST,2.0"
        if line == "*ESR?":
            return "0"
        if line.startswith(":SYST:ZERO"):
            self.auto_zero = line.endswith("1")
            self.zero_changes.append(line)
            return None
        if line == ":DSR?":
            now = self._updates_until_now()
            new = now > self.reported
            self.reported = max(self.reported, now)
            return "2" if new else "0"
        if line == ":FRD?":
            return "1.1820E+02,2.2980E+02,5.3010E-01,9.7030E-01"
        return None


def two_minute_window(monkeypatch, hold: bool):
    clock = FakeClock(0.0).install(monkeypatch)
    model = AutoZeroPA3000(clock)
    meter = PA1000(USB, resource_manager=HandlerResourceManager(model), command_delay_s=0,
                   hold_auto_zero=hold)
    meter.open()
    meter.configure(MeterConfig())
    notes = [meter.before_window()]
    start, ends = clock.now, []
    while clock.now - start < 130:
        ends.append(meter.read().end_raw_ns)
    notes.append(meter.after_window())
    meter.close()
    gaps = np.diff(np.array(ends, dtype=float)) / 1e9
    return gaps, notes, model


def test_a_pa3000_window_over_two_minutes_has_no_auto_zero_gap(monkeypatch):
    gaps, notes, model = two_minute_window(monkeypatch, hold=True)
    assert gaps.max() <= 2 * 0.5  # never two update periods without new data
    assert model.zero_changes == [":SYST:ZERO 0", ":SYST:ZERO 1"]
    assert "auto-zero off for the window (:SYST:ZERO 0)" in notes[0]
    assert notes[1] == "auto-zero on again after the window (:SYST:ZERO 1)"


def test_without_the_hold_the_auto_zero_gaps_show(monkeypatch):
    gaps, notes, model = two_minute_window(monkeypatch, hold=False)
    assert (gaps > 2 * 0.5).sum() == 2  # one gap at each minute
    assert notes == ["", ""] and model.zero_changes == []
