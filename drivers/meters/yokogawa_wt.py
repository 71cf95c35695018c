"""Yokogawa WT500, WT1800E and WT5000 power analyzers, read through numeric items.

These models speak the numeric-item family of :mod:`drivers.meters.yokogawa` (``:NUMeric:FORMat
ASCii``, ``:NUMeric:NORMal:ITEM<x>``, ``:NUMeric:NORMal:VALue?``, ``:RATE``, the UPD bit 0 of the
extended event register read with ``:STATus:EESR?``, the error queue ``:STATus:ERRor?``); they
differ from the WT300E in their elements, update intervals and ranges, and in setting ranges per
element (``:INPut:VOLTage:RANGe:ELEMent<x>``), so that the elements a run does not read keep
their own ranges.

Resources (each a VISA resource string): Ethernet as VXI-11 ``TCPIP::192.168.0.10::INSTR``;
USB-TMC as ``USB0::0x0B21::<product id>::<serial>::INSTR``; GP-IB as ``GPIB0::1::INSTR``;
RS-232, on meters fitted with the serial interface, as ``ASRL/dev/ttyUSB0::INSTR``, ``COM3`` or a
bare ``/dev/ttyUSB0``, with the driver options ``baud_rate`` (and ``parity``, ``stop_bits``,
``flow_control``) set as on the meter.

Command sources (Yokogawa communication interface user's manuals): IM 760201-17E (WT500),
IM WT1801E-17EN (WT1800E), IM WT5000-17EN (WT5000), cited by command group; ranges and update
intervals from the specifications in the user's manuals of the same models (IM 760201-01E,
IM WT1801E-01EN, IM WT5000-01EN). The tables are not confirmed page by page against these
manuals: the command forms follow the family's shared command set as printed in IM WT310E-17EN;
check every table on a meter with tests/test_real_meter.py.

Over-range: the numeric output's INF (9.9E+37) is over range on every model (family format, IM
WT3001E-17EN p. 6-97). The extended event register of the WT500 and WT1800E is read with the
layout of the sister manuals (element n "measured data over" at bit 7 + n, a peak over on any
element at bit 15: IM 760101-11E p. 6-5, IM WT3001E-17EN 7.4 p. 7-7), which is not confirmed
against these models' own manuals: it is read only with the driver option
``status_over_range = true``. The WT5000's layout is not in the stored manuals at all, so its
status bits are not read.
"""
from __future__ import annotations

from typing import Any, ClassVar, Mapping

from .base import number_text
from .yokogawa import YokogawaNumericMeter

_PER_ELEMENT_COMMANDS = {
    **YokogawaNumericMeter.COMMANDS,
    # INPut group, "[:ALL]|:ELEMent<x>" forms: IM 760201-17E INPut group;
    # IM WT1801E-17EN INPut group; IM WT5000-17EN INPut group.
    "voltage_auto": ":INPut:VOLTage:AUTO:ELEMent{element} ON",
    "voltage_range": ":INPut:VOLTage:RANGe:ELEMent{element} {range}V",
    "voltage_range_query": ":INPut:VOLTage:RANGe:ELEMent{element}?",
    "current_auto": ":INPut:CURRent:AUTO:ELEMent{element} ON",
    "current_range": ":INPut:CURRent:RANGe:ELEMent{element} {range}A",
    "current_range_query": ":INPut:CURRent:RANGe:ELEMent{element}?",
}


def _union(*groups: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(sorted(set().union(*groups)))


def _sister_status_bits(count: int) -> dict[int, tuple[int | None, int | None, int | None]]:
    """Element n's "measured data over" at bit 7 + n (IM 760101-11E p. 6-5, IM WT3001E-17EN
    p. 7-7); these registers have no per-element peak bits."""
    return {element: (7 + element, None, None) for element in range(1, count + 1)}


class _PerElementYokogawa(YokogawaNumericMeter):
    """A multi-element Yokogawa analyzer whose ranges are set element by element."""

    COMMANDS: ClassVar[Mapping[str, str]] = _PER_ELEMENT_COMMANDS

    def _range_commands(
        self, elements: tuple[int, ...], voltage: float | None, current: float | None
    ) -> list[str]:
        commands = []
        for element in elements:
            if voltage is None:
                commands.append(self.COMMANDS["voltage_auto"].format(element=element))
            else:
                commands.append(self.COMMANDS["voltage_range"].format(
                    element=element, range=number_text(voltage)))
            if current is None:
                commands.append(self.COMMANDS["current_auto"].format(element=element))
            else:
                commands.append(self.COMMANDS["current_range"].format(
                    element=element, range=number_text(current)))
        return commands


# WT500 (direct input, 40 A elements), crest factor 3 and 6 together: IM 760201-01E,
# Specifications, "Inputs".
_WT500_VOLTS = _union((15, 30, 60, 100, 150, 300, 600, 1000), (7.5, 15, 30, 50, 75, 150, 300, 500))
_WT500_AMPS = _union((0.5, 1, 2, 5, 10, 20, 40), (0.25, 0.5, 1, 2.5, 5, 10, 20))


class WT500(_PerElementYokogawa):
    """Yokogawa WT500 (760201: element 1; 760202: elements 1, 2; 760203: elements 1 to 3).

    The model code in the ``*IDN?`` reply tells how many elements the meter has; where the reply
    names only the WT500, elements 1 to 3 are allowed and the meter refuses one it lacks. Driver
    options:
    those of :class:`~drivers.meters.scpi.ScpiMeter` (``timeout_ms``, serial line settings, ...)
    and ``integrate=True`` to reset and start the meter's own integration at configure.
    """

    name = "yokogawa-wt500"
    models = ("WT500",)
    default_role = "wall"

    MODEL_ELEMENTS = {  # model codes as *IDN? reports them: IM 760201-17E, *IDN?
        "760201": (1,),
        "760202": (1, 2),
        "760203": (1, 2, 3),
        "WT500": (1, 2, 3),
    }
    UPDATE_INTERVALS = (  # IM 760201-17E, RATE group
        (0.1, "100MS"),
        (0.2, "200MS"),
        (0.5, "500MS"),
        (1.0, "1S"),
        (2.0, "2S"),
        (5.0, "5S"),
        (10.0, "10S"),
        (20.0, "20S"),
    )
    VOLTAGE_RANGES = _WT500_VOLTS
    CURRENT_RANGES = {model: _WT500_AMPS for model in MODEL_ELEMENTS}
    STATUS_BITS = _sister_status_bits(3)
    ANY_PEAK_BIT = 15


# WT1800E: one voltage input per element; each element is a 5 A or a 50 A input, which *IDN?
# does not tell, so both sets are allowed and the meter's error queue refuses the range an element
# lacks. Crest factor 3 and 6 together: IM WT1801E-01EN, Specifications, "Inputs".
_WT1800E_VOLTS = _union(
    (1.5, 3, 6, 10, 15, 30, 60, 100, 150, 300, 600, 1000),
    (0.75, 1.5, 3, 5, 7.5, 15, 30, 50, 75, 150, 300, 500),
)
_WT1800E_AMPS = _union(
    (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),  # 5 A element, CF3
    (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),  # 5 A element, CF6
    (1, 2, 5, 10, 20, 50),  # 50 A element, CF3
    (0.5, 1, 2.5, 5, 10, 25),  # 50 A element, CF6
)


class WT1800E(_PerElementYokogawa):
    """Yokogawa WT1801E to WT1806E (one to six elements, as the last digit of the model says;
    where ``*IDN?`` names only the WT1800E, elements 1 to 6 are allowed and the meter refuses one
    it lacks).

    Driver options: those of :class:`~drivers.meters.scpi.ScpiMeter` and ``integrate=True``.
    A current range is checked against the ranges of both input types (5 A and 50 A); the meter
    itself refuses one its element lacks, and configure then names its error.
    """

    name = "yokogawa-wt1800e"
    models = ("WT1801E", "WT1802E", "WT1803E", "WT1804E", "WT1805E", "WT1806E")
    default_role = "wall"

    MODEL_ELEMENTS = {  # the *IDN? model field starts with the model name: IM WT1801E-17EN, *IDN?
        **{model: tuple(range(1, int(model[5]) + 1)) for model in models},
        "WT1800E": (1, 2, 3, 4, 5, 6),  # a reply naming the series only
    }
    UPDATE_INTERVALS = (  # IM WT1801E-17EN, RATE group (its AUTO setting is not used)
        (0.05, "50MS"),
        (0.1, "100MS"),
        (0.2, "200MS"),
        (0.5, "500MS"),
        (1.0, "1S"),
        (2.0, "2S"),
        (5.0, "5S"),
        (10.0, "10S"),
        (20.0, "20S"),
    )
    VOLTAGE_RANGES = _WT1800E_VOLTS
    CURRENT_RANGES = {model: _WT1800E_AMPS for model in MODEL_ELEMENTS}
    STATUS_BITS = _sister_status_bits(6)
    ANY_PEAK_BIT = 15


# WT5000 input modules 760901 (30 A) and 760902 (5 A), crest factor 3 and 6 together:
# IM WT5000-01EN, Specifications, "Inputs".
_WT5000_VOLTS = _WT1800E_VOLTS
_WT5000_AMPS = _union(
    (0.5, 1, 2, 5, 10, 20, 30),  # 760901, CF3
    (0.25, 0.5, 1, 2.5, 5, 10, 15),  # 760901, CF6
    (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),  # 760902, CF3
    (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),  # 760902, CF6
)


class WT5000(_PerElementYokogawa):
    """Yokogawa WT5000 with up to seven input modules (elements 1 to 7).

    ``*IDN?`` names the WT5000 but not which slots hold an input module: an element without one
    is refused by the meter, and configure names the error from its queue. Driver options: those
    of :class:`~drivers.meters.scpi.ScpiMeter`, ``integrate=True`` and ``update_mode_command``.

    The WT5000 updates its numeric data either at every update interval (Constant) or once per
    waveform trigger (Trigger) (IM WT5000-01EN 6-6); the driver reads one reading per interval,
    so configure sets Constant with :attr:`UPDATE_MODE_COMMAND`. That command's form is not in the
    stored pages of IM WT5000-17EN: a meter that refuses it names the error at configure, and
    the driver option ``update_mode_command`` gives the form the meter's manual prints (``""``
    leaves the mode as it is).
    """

    name = "yokogawa-wt5000"
    models = ("WT5000",)
    default_role = "wall"

    MODEL_ELEMENTS = {"WT5000": (1, 2, 3, 4, 5, 6, 7)}  # IM WT5000-17EN, *IDN?; seven slots
    UPDATE_INTERVALS = (  # IM WT5000-17EN, RATE group (its AUTO setting is not used)
        (0.01, "10MS"),
        (0.05, "50MS"),
        (0.1, "100MS"),
        (0.2, "200MS"),
        (0.5, "500MS"),
        (1.0, "1S"),
        (2.0, "2S"),
        (5.0, "5S"),
        (10.0, "10S"),
        (20.0, "20S"),
    )
    VOLTAGE_RANGES = _WT5000_VOLTS
    CURRENT_RANGES = {"WT5000": _WT5000_AMPS}
    #: Not confirmed against IM WT5000-17EN (see the class docstring).
    UPDATE_MODE_COMMAND: ClassVar[str] = ":RATE:MODE CONStant"

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        given = options.get("update_mode_command", self.UPDATE_MODE_COMMAND)
        self.update_mode_command = str(given) if given is not None else ""

    def _mode_commands(self) -> list[str]:
        return [self.update_mode_command] if self.update_mode_command else []
