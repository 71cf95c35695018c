"""Command-line options for tests against a real power meter (skipped unless given)."""
from __future__ import annotations


def add_meter_option(parser) -> None:
    """Add ``--meter-resource`` and ``--meter-driver`` to pytest's command line."""
    group = parser.getgroup("meter", "tests against a real power meter")
    group.addoption(
        "--meter-resource",
        default=None,
        help="VISA resource or serial port of a connected meter, e.g. TCPIP::192.168.0.10::INSTR",
    )
    group.addoption(
        "--meter-driver",
        default="yokogawa-wt300e",
        help="meter driver name for --meter-resource (default: yokogawa-wt300e)",
    )
