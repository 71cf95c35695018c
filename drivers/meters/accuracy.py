"""Makers' accuracy specifications for active power, as data.

A maker states the accuracy of a power reading as a bound: plus or minus (a % of the reading +
b % of the range), per band of input frequency, where the power range is the voltage range times
the current range the reading was taken on. Some makers add terms; the ones kept here are those
a lab can check against the printed table:

- ``cf6_range_factor``: Yokogawa doubles the range error when the crest factor is set to 6
  ("Accuracy obtained by doubling the measurement range error", IM WT310E-02EN 7.3.2, p. 7-8);
- ``Band.pf_pct_of_s``: the influence of a power factor below 1, as a % of the apparent power
  S = U x I, applied as ``pf_pct_of_s % x sqrt(S^2 - P^2)`` (Yokogawa's "(power reading) x
  tan(phi) x (influence when lambda = 0) %", IM WT310E-02EN p. 7-8, which is that same amount);
- ``Band.at_half_range_pct``: Hioki states, for an input at or above 50 % of full scale, the
  accuracy as a % of reading alone (PW3336/PW3337 specifications, "Active power").

This module holds only data and the choice of band; :mod:`kperf_gui.measure.uncertainty` turns
it into an uncertainty per reading and per window.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence


@dataclass(frozen=True)
class Band:
    """The accuracy for input frequencies from ``low_hz`` to ``high_hz`` (``0``, ``0`` for DC).
    ``high_inclusive`` says whether ``high_hz`` itself belongs to the band (``<=`` in the
    maker's table) or to the next (``<``)."""

    low_hz: float
    high_hz: float
    reading_pct: float
    range_pct: float
    high_inclusive: bool = True
    pf_pct_of_s: float = 0.0
    at_half_range_pct: float | None = None

    def holds(self, frequency_hz: float) -> bool:
        """Whether a signal of ``frequency_hz`` (0: DC) is in this band."""
        if frequency_hz < self.low_hz:
            return False
        if frequency_hz < self.high_hz:
            return True
        return self.high_inclusive and frequency_hz == self.high_hz


@dataclass(frozen=True)
class AccuracySpec:
    """A maker's accuracy table for active power, with the document it is taken from."""

    source: str
    bands: tuple[Band, ...]
    cf6_range_factor: float = 1.0

    def band(self, frequency_hz: float) -> Band | None:
        """The band holding ``frequency_hz`` (0 for DC), ``None`` when the table has none."""
        if not math.isfinite(frequency_hz) or frequency_hz < 0:
            return None
        for band in self.bands:
            if band.holds(frequency_hz):
                return band
        return None

    def describe(self) -> str:
        """One line for the Session sheet: the source and each band."""
        parts = []
        for band in self.bands:
            where = ("DC" if band.high_hz == 0 else
                     f"{band.low_hz:g} Hz to {band.high_hz:g} Hz")
            text = f"{where}: {band.reading_pct:g} % of reading + {band.range_pct:g} % of range"
            if band.at_half_range_pct is not None:
                text += f" ({band.at_half_range_pct:g} % of reading at or above half the range)"
            if band.pf_pct_of_s:
                text += f", + {band.pf_pct_of_s:g} % of S x sin(phi)"
            parts.append(text)
        if self.cf6_range_factor != 1.0:
            parts.append(f"range error x {self.cf6_range_factor:g} at crest factor 6")
        return f"{self.source}: " + "; ".join(parts)


def spec_from_option(given: Any, where: str) -> AccuracySpec:
    """An :class:`AccuracySpec` from a plan table, e.g. ``{ reading_pct = 0.1, range_pct = 0.05,
    source = "calibration certificate 1234" }`` (one band for every frequency) or ``{ source =
    "...", bands = [{ low_hz = 45, high_hz = 66, reading_pct = 0.1, range_pct = 0.05 }, ...] }``.
    ``ValueError`` naming ``where`` when it is not of that form."""
    if not isinstance(given, Mapping):
        raise ValueError(f"{where} must be a table with reading_pct, range_pct and source.")
    source = given.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{where}.source must name the document the figures come from.")
    rows: Sequence[Any] = given.get("bands") or [
        {"low_hz": 0.0, "high_hz": math.inf, "reading_pct": given.get("reading_pct"),
         "range_pct": given.get("range_pct")}]
    bands = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise ValueError(f"{where}.bands[{index}] must be a table.")
        try:
            values = {key: float(row[key]) for key in ("low_hz", "high_hz", "reading_pct",
                                                        "range_pct")}
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{where}: each band needs numbers low_hz, high_hz, reading_pct "
                             f"and range_pct.") from None
        if min(values.values()) < 0 or values["high_hz"] < values["low_hz"]:
            raise ValueError(f"{where}: band {index + 1} has a negative figure or an empty "
                             f"frequency span.")
        bands.append(Band(values["low_hz"], values["high_hz"], values["reading_pct"],
                          values["range_pct"]))
    return AccuracySpec(source=source.strip(), bands=tuple(bands))


def spec_as_dict(spec: AccuracySpec) -> dict[str, Any]:
    """``spec`` as plain data for a journal (JSON): :func:`spec_from_dict` reads it back. An
    unbounded band's ``high_hz`` is written as ``None``."""
    return {
        "source": spec.source,
        "cf6_range_factor": spec.cf6_range_factor,
        "bands": [{"low_hz": b.low_hz, "high_hz": b.high_hz if math.isfinite(b.high_hz) else None,
                   "reading_pct": b.reading_pct, "range_pct": b.range_pct,
                   "high_inclusive": b.high_inclusive, "pf_pct_of_s": b.pf_pct_of_s,
                   "at_half_range_pct": b.at_half_range_pct} for b in spec.bands],
    }


def spec_from_dict(data: Mapping[str, Any]) -> AccuracySpec:
    """The :class:`AccuracySpec` :func:`spec_as_dict` wrote; ``ValueError`` (or ``KeyError``,
    ``TypeError``) when ``data`` is not of that form."""
    bands = []
    for b in data["bands"]:
        high = b["high_hz"]
        half = b.get("at_half_range_pct")
        bands.append(Band(float(b["low_hz"]), math.inf if high is None else float(high),
                          float(b["reading_pct"]), float(b["range_pct"]),
                          high_inclusive=bool(b.get("high_inclusive", True)),
                          pf_pct_of_s=float(b.get("pf_pct_of_s", 0.0)),
                          at_half_range_pct=None if half is None else float(half)))
    return AccuracySpec(source=str(data["source"]), bands=tuple(bands),
                        cf6_range_factor=float(data.get("cf6_range_factor", 1.0)))


# --- tables taken from makers' documents ---------------------------------------------------

#: Yokogawa WT310E, WT332E, WT333E: IM WT310E-02EN, 7.3.2 Active Power Accuracy (p. 7-7,
#: accuracy at 12 months, power factor 1, crest factor 3) and p. 7-8 (power factor influence:
#: 0.1 % of S at 45 Hz to 66 Hz; crest factor 6: range error doubled). The bands above 1 kHz
#: have frequency-dependent terms and are left out: a reading there gets no figure.
YOKOGAWA_WT300E = AccuracySpec(
    source="Yokogawa IM WT310E-02EN 7.3.2, p. 7-7 and 7-8 (WT310E/WT332E/WT333E, 12 months)",
    bands=(
        Band(0.0, 0.0, 0.1, 0.2),
        Band(0.1, 45.0, 0.3, 0.2, high_inclusive=False),
        Band(45.0, 66.0, 0.1, 0.05, pf_pct_of_s=0.1),
        Band(66.0, 1000.0, 0.2, 0.2),
    ),
    cf6_range_factor=2.0,
)

#: Hioki PW3336, PW3337, direct current input: "Power Meter PW3336/PW3337" specifications,
#: Active power accuracy table (p. 8 of the Hioki PW3336 brochure): below 50 % f.s. a % of
#: reading + b % f.s., from 50 % f.s. on a % of reading alone (DC: the sum up to full scale). f.s. of power is the voltage
#: range times the current range.
HIOKI_PW3336 = AccuracySpec(
    source="Hioki PW3336/PW3337 specifications, Active power accuracy (brochure p. 8)",
    bands=(
        Band(0.0, 0.0, 0.1, 0.1),  # DC: a % of reading + b % f.s. up to full scale
        Band(0.1, 16.0, 0.1, 0.2, high_inclusive=False, at_half_range_pct=0.3),
        Band(16.0, 45.0, 0.1, 0.1, high_inclusive=False, at_half_range_pct=0.2),
        Band(45.0, 66.0, 0.1, 0.05, at_half_range_pct=0.15),
        Band(66.0, 500.0, 0.1, 0.1, at_half_range_pct=0.2),
        Band(500.0, 1000.0, 0.1, 0.2, at_half_range_pct=0.3),
    ),
)
