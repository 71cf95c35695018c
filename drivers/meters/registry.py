"""Meter drivers by name, built-in and from the ``kperf.meters`` entry-point group."""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from .base import Meter

# name -> "module:Class"; entry points of other packages are added on top.
BUILTIN: dict[str, str] = {
    "yokogawa-wt300e": "drivers.meters.yokogawa:WT300E",
    "simulated": "drivers.meters.simulated:SimulatedMeter",
}


def _all() -> dict[str, str]:
    found = dict(BUILTIN)
    try:
        for ep in entry_points(group="kperf.meters"):
            found.setdefault(ep.name, ep.value)
    except Exception:  # a broken third-party distribution must not stop the tool
        pass
    return found


def names() -> list[str]:
    """Every registered driver name."""
    return sorted(_all())


def get(name: str) -> type[Meter]:
    """The driver class for ``name``; ``KeyError`` with the allowed names if unknown."""
    target = _all().get(name)
    if target is None:
        raise KeyError(f"unknown meter driver {name!r}; allowed: {', '.join(names())}")
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)
