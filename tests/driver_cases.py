"""Scripted protocol tables of every SCPI meter driver, written from each maker's manual (see each
driver's module), shared by the driver contract suite (test_driver_contract.py) and each make's
own tests. A case builds the exact (sent, reply) pairs of identify, configure and one read."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from drivers.meters.chroma import Chroma66202
from drivers.meters.generic import GenericScpi
from drivers.meters.hioki import PW3335, PW8001
from drivers.meters.rohde_schwarz import HMC8015
from drivers.meters.tektronix import PA1000
from drivers.meters.yokogawa import WT300E
from drivers.meters.yokogawa_wt import WT500, WT1800E, WT5000

Pair = tuple[bytes, Any]


@dataclass
class Case:
    """One make's scripted session. ``configure_pairs`` and ``read_pairs`` take the reply of
    the values query; ``values`` is a good reply with watts first or named by ``watts_at``."""

    name: str
    factory: Callable[..., Any]
    resource: str
    idn: Pair
    configure_pairs: Callable[..., list[Pair]]
    read_pairs: Callable[[bytes], list[Pair]]
    values: Callable[[Sequence[str]], bytes]
    fields: int
    watts_at: int
    good: Sequence[str]
    over_range: str
    no_data: str
    error_pairs: Callable[[], list[Pair]]
    options: dict[str, Any] = field(default_factory=dict)
    identifies_in_configure: bool = True

    def session(self, *extra: Pair, configure: list[Pair] | None = None) -> list[Pair]:
        """identify + configure (+ extra pairs)."""
        pairs = [self.idn] if self.identifies_in_configure else []
        return [*pairs, *(self.configure_pairs() if configure is None else configure), *extra]

    def with_watts(self, token: str) -> bytes:
        tokens = list(self.good)
        tokens[self.watts_at] = token
        return self.values(tokens)


def _lines(commands: Sequence[bytes], term: bytes) -> list[Pair]:
    return [(command + term, None) for command in commands]


# --- Yokogawa -----------------------------------------------------------------------------------

YOKO_FUNCTIONS = (b"P", b"U", b"I", b"LAMBda", b"WH")
YOKO_VALUES = ("12.345E+00", "230.12E+00", "53.600E-03", "0.9876E+00", "1.2345E+00")
"""The sister models' items (WT500, WT1800E, WT5000) and a good reply to them."""
WT300E_FUNCTIONS = YOKO_FUNCTIONS + (b"FU",)
WT300E_VALUES = YOKO_VALUES + ("50.000E+00",)
"""The WT300E's items (the voltage frequency last) and a good reply to them."""


def yokogawa_idn(model: str = "WT310E") -> Pair:
    return (b"*IDN?\n", f"YOKOGAWA,{model},C3XX00001,F1.03\n".encode())


def yokogawa_configure(
    elements=(1,),
    rate=b"100MS",
    ranges=(b":INPut:VOLTage:AUTO ON", b":INPut:CURRent:AUTO ON"),
    integrate=False,
    filters=(7, 8, 9),
    mode=(),
    rate_reply=b"100.0E-03",
    crest=b"3",
    range_replies=(),
    error_reply=b'0,"No error"',
    stop_first=False,
    functions=YOKO_FUNCTIONS,
) -> list[Pair]:
    """The bytes a Yokogawa configure sends after identifying, through its read-backs."""
    commands = [b"*CLS"] + ([b":INTEGrate:STOP"] if stop_first else []) + [
        b":COMMunicate:HEADer OFF",
        b":COMMunicate:VERBose OFF",
        b":NUMeric:FORMat ASCii",
        b":NUMeric:NORMal:NUMber %d" % (len(functions) * len(elements)),
    ]
    index = itertools.count(1)
    for element in elements:
        for function in functions:
            commands.append(b":NUMeric:NORMal:ITEM%d %s,%d" % (next(index), function, element))
    commands += [*mode, b":RATE " + rate, *ranges]
    if integrate:
        commands += [b":INTEGrate:MODE NORMal", b":INTEGrate:RESet", b":INTEGrate:STARt"]
    commands.append(b":STATus:FILTer1 FALL")
    commands += [b":STATus:FILTer%d RISE" % number for number in filters]
    pairs = _lines(commands, b"\n")
    pairs += [(b":STATus:EESR?\n", b"0\n"), (b":STATus:ERRor?\n", error_reply + b"\n")]
    if error_reply.startswith(b"0,"):
        pairs += [(b":RATE?\n", rate_reply + b"\n"), (b":INPut:CFACtor?\n", crest + b"\n")]
        pairs += [(query, reply) for query, reply in range_replies]
    return pairs


def yokogawa_read(values: bytes, registers=(b"1",), condition: bytes | None = b"0") -> list[Pair]:
    pairs = [(b":STATus:EESR?\n", register + b"\n") for register in registers]
    if condition is not None:
        pairs.append((b":STATus:CONDition?\n", condition + b"\n"))
    return pairs + [(b":NUMeric:NORMal:VALue?\n", values)]


def _csv(tokens: Sequence[str], term: bytes = b"\n") -> bytes:
    return ",".join(tokens).encode() + term


def _yoko_case(name, factory, model, filters, mode=(), condition=True, per_element=False,
               functions=YOKO_FUNCTIONS, good=YOKO_VALUES):
    auto = ((b":INPut:VOLTage:AUTO:ELEMent1 ON", b":INPut:CURRent:AUTO:ELEMent1 ON")
            if per_element else (b":INPut:VOLTage:AUTO ON", b":INPut:CURRent:AUTO ON"))
    return Case(
        name=name,
        factory=factory,
        resource="TCPIP::fake.invalid::INSTR",
        idn=yokogawa_idn(model),
        configure_pairs=lambda **kw: yokogawa_configure(
            filters=filters, mode=mode, ranges=auto, functions=functions, **kw),
        read_pairs=lambda values: yokogawa_read(values, condition=b"0" if condition else None),
        values=_csv,
        fields=len(functions),
        watts_at=0,
        good=good,
        over_range="9.9E+37",
        no_data="9.91E+37",
        error_pairs=lambda: [(b":STATus:ERRor?\n", b'0,"No error"\n')],
    )


# --- Hioki --------------------------------------------------------------------------------------

HIOKI_VALUES = ("+230.12E+0", "+53.600E-3", "+12.345E+0", "+0.9876E+0", "+1.23450E+0")


def hioki_idn(model: str = "PW3335", term: bytes = b"\r\n") -> Pair:
    return (b"*IDN?" + term, f"HIOKI,{model},140123456,V1.02".encode() + term)


def hioki_configure(
    ranges=(b":VOLTage:AUTO ON", b":CURRent:AUTO ON"),
    esr=b"0",
    state=b"RESET",
    reset=(),
    range_replies=(),
    write=b"\r\n",
    read=b"\r\n",
) -> list[Pair]:
    pairs = _lines([b"*CLS", b":HEADer OFF"], write)
    pairs.append((b":INTEGrate:STATe?" + write, state + read))
    pairs += _lines([*reset, *ranges], write)
    pairs.append((b"*ESR?" + write, esr + read))
    return pairs + [(query, reply) for query, reply in range_replies]


def _semi(tokens: Sequence[str], term: bytes = b"\r\n") -> bytes:
    return ";".join(tokens).encode() + term


# --- cases --------------------------------------------------------------------------------------

PA_VALUES = ("1.1820E+02", "2.2980E+02", "5.3010E-01", "9.7030E-01")
PA_SETUP = (b"*CLS", b":BLK:DIS", b":SEL:CLR", b":SEL:WAT", b":SEL:VLT", b":SEL:AMP", b":SEL:PWF")


def pa_configure(ranges=(b":RNG:VLT:AUT", b":RNG:AMP:AUT"), mode=(b":MOD:NOR",), esr=b"0",
                 range_replies=(), stop_first=False, items=()) -> list[Pair]:
    commands = ([b":INT:MAN:STOP"] if stop_first else []) + [*PA_SETUP, *items, *ranges, *mode,
                                                               b":DSE 26"]
    pairs = _lines(commands, b"\n")
    pairs += [(b":DSR?\n", b"0\n"), (b"*ESR?\n", esr + b"\n")]
    return pairs + list(range_replies)


def pa_read(values: bytes, registers=(b"2",)) -> list[Pair]:
    return [(b":DSR?\n", r + b"\n") for r in registers] + [(b":FRD?\n", values)]


HMC_VALUES = ("2.3012E+02", "5.3600E-02", "1.2345E+01", "1.0000E+00", "1.2345E+00",
              "3.0000E+02", "1.0000E-01")
HMC_FUNC = b"CHAN1:MEAS:FUNC URMS,IRMS,P,LAMB,WH,URAN,IRAN"


def hmc_configure(ranges=(b"CHAN1:ACQ:VOLT:RANG:AUTO ON", b"CHAN1:ACQ:CURR:RANG:AUTO ON"),
                  error=b'0,"No error"') -> list[Pair]:
    return _lines([b"*CLS", HMC_FUNC, *ranges], b"\n") + [(b"SYST:ERR?\n", error + b"\n")]


CHROMA_VALUES = ("230.10", "0.4872", "50.00", "108.60", "0.9688")


def chroma_configure(ranges=(b"CONFigure:VOLTage:AUTO ON", b"CONFigure:CURRent:AUTO ON"),
                     esr=b"0") -> list[Pair]:
    return _lines([b"*CLS", *ranges], b"\n") + [(b"*ESR?\n", esr + b"\n")]


GENERIC_OPTIONS = {"query": "MEAS:POW?;:MEAS:VOLT?", "fields": ["watts", "volts"]}


CASES: dict[str, Case] = {
    "yokogawa-wt300e": _yoko_case("yokogawa-wt300e", WT300E, "WT310E", (7, 8, 9),
                                  functions=WT300E_FUNCTIONS, good=WT300E_VALUES),
    "yokogawa-wt500": _yoko_case("yokogawa-wt500", WT500, "760201", (), condition=False,
                                 per_element=True),
    "yokogawa-wt1800e": _yoko_case("yokogawa-wt1800e", WT1800E, "WT1801E", (), condition=False,
                                   per_element=True),
    "yokogawa-wt5000": _yoko_case("yokogawa-wt5000", WT5000, "WT5000", (),
                                  mode=(b":RATE:MODE CONStant",), condition=False,
                                  per_element=True),
    "hioki-pw3335": Case(
        name="hioki-pw3335",
        factory=PW3335,
        resource="TCPIP::192.0.2.20::3300::SOCKET",
        idn=hioki_idn(),
        configure_pairs=lambda **kw: hioki_configure(**kw),
        read_pairs=lambda values: [(b":MEASure? U,I,P,PF,WP\r\n", values)],
        values=_semi,
        fields=5,
        watts_at=2,
        good=HIOKI_VALUES,
        over_range="+999.99E+9",
        no_data="+777.77E+9",
        error_pairs=lambda: [(b"*ESR?\r\n", b"0\r\n")],
    ),
    "hioki-pw8001": Case(
        name="hioki-pw8001",
        factory=PW8001,
        resource="TCPIP::192.0.2.21::23::SOCKET",
        idn=(b"*IDN?\r\n", b"HIOKI,PW8001,140123456,V1.02\n"),
        configure_pairs=lambda **kw: hioki_configure(
            **{"ranges": (b":VOLTage1:AUTO ON", b":CURRent1:AUTO ON"), "write": b"\r\n",
               "read": b"\n", **kw}),
        read_pairs=lambda values: [(b":MEASure? U1,I1,P1,PF1,WP1\r\n", values)],
        values=lambda tokens: _semi(tokens, b"\n"),
        fields=5,
        watts_at=2,
        good=HIOKI_VALUES,
        over_range="+999.99E+9",
        no_data="+777.77E+9",
        error_pairs=lambda: [(b"*ESR?\r\n", b"0\n")],
    ),
    "rs-hmc8015": Case(
        name="rs-hmc8015",
        factory=HMC8015,
        resource="TCPIP::192.0.2.30::5025::SOCKET",
        idn=(b"*IDN?\n", b"Rohde&Schwarz,HMC8015,012345678,01.400\n"),
        configure_pairs=lambda **kw: hmc_configure(**kw),
        read_pairs=lambda values: [(b"CHAN1:MEAS:DATA?\n", values)],
        values=_csv,
        fields=7,
        watts_at=2,
        good=HMC_VALUES,
        over_range="9.9E+37",
        no_data="9.91E+37",
        error_pairs=lambda: [(b"SYST:ERR?\n", b'0,"No error"\n')],
    ),
    "tektronix-pa1000": Case(
        name="tektronix-pa1000",
        factory=PA1000,
        resource="USB0::0x0699::0x0C00::C000123::INSTR",
        idn=(b"*IDN?\n", b"Tektronix,PA1000,C000123,1.003.001\n"),
        configure_pairs=lambda **kw: pa_configure(**kw),
        read_pairs=lambda values: pa_read(values),
        values=_csv,
        fields=4,
        watts_at=0,
        good=PA_VALUES,
        over_range="9.9E+37",
        no_data="9.91E+37",
        error_pairs=lambda: [(b"*ESR?\n", b"0\n")],
        options={"command_delay_s": 0},
    ),
    "chroma-66202": Case(
        name="chroma-66202",
        factory=Chroma66202,
        resource="USB0::0x1698::0x083D::000001::INSTR",
        idn=(b"*IDN?\n", b"Chroma ATE,66202,000001,1.00\n"),
        configure_pairs=lambda **kw: chroma_configure(**kw),
        read_pairs=lambda values: [(b"MEASure? V,I,FREQ,W,PF\n", values)],
        values=_csv,
        fields=5,
        watts_at=3,
        good=CHROMA_VALUES,
        over_range="-3",
        no_data="-1",
        error_pairs=lambda: [(b"*ESR?\n", b"0\n")],
    ),
    "scpi-generic": Case(
        name="scpi-generic",
        factory=GenericScpi,
        resource="TCPIP::192.0.2.40::5025::SOCKET",
        idn=(b"*IDN?\n", b"ACME,PM-1,1,1.0\n"),
        configure_pairs=lambda **kw: _lines([b"*CLS"], b"\n") + [
            (b"SYST:ERR?\n", b'0,"No error"\n')],
        read_pairs=lambda values: [(b"MEAS:POW?;:MEAS:VOLT?\n", values)],
        values=_csv,
        fields=2,
        watts_at=0,
        good=("1.2345E+01", "2.3012E+02"),
        over_range="9.9E+37",
        no_data="9.91E+37",
        error_pairs=lambda: [(b"SYST:ERR?\n", b'0,"No error"\n')],
        options=GENERIC_OPTIONS,
        identifies_in_configure=False,
    ),
}
