"""Meter drivers by name, built-in and from the ``kperf.meters`` entry-point group."""
from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from .base import Meter

# name -> "module:Class"; entry points of other packages are added on top.
BUILTIN: dict[str, str] = {
    "yokogawa-wt300e": "drivers.meters.yokogawa:WT300E",
    "yokogawa-wt500": "drivers.meters.yokogawa_wt:WT500",
    "yokogawa-wt1800e": "drivers.meters.yokogawa_wt:WT1800E",
    "yokogawa-wt5000": "drivers.meters.yokogawa_wt:WT5000",
    "hioki-pw3335": "drivers.meters.hioki:PW3335",
    "hioki-pw8001": "drivers.meters.hioki:PW8001",
    "rs-hmc8015": "drivers.meters.rohde_schwarz:HMC8015",
    "tektronix-pa1000": "drivers.meters.tektronix:PA1000",
    "chroma-66202": "drivers.meters.chroma:Chroma66202",
    "zes-lmg": "drivers.meters.zes_lmg:LMG",
    "scpi-generic": "drivers.meters.generic:GenericScpi",
    "ptdaemon": "drivers.meters.ptdaemon:PTDaemon",
    "nvml": "drivers.meters.software.nvml:NVML",
    "rapl": "drivers.meters.software.rapl:RAPL",
    "furiosa-smi": "drivers.meters.software.furiosa:FuriosaSmi",
    "rbln-smi": "drivers.meters.software.rebellions:RblnSmi",
    "deepx-status": "drivers.meters.software.deepx:DeepxStatus",
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
