"""The simulated endpoint and its power model: the embedded default.

A real OpenAI-compatible server on loopback, in a process of its own, whose latency follows a
continuous-batching model and whose power follows its load, keeping the exact energy integral.
The process helpers are imported on first use, so the server process itself stays light.
"""
from typing import Any

from .model import PowerTrace, SimParams

__all__ = ["PowerTrace", "SimParams", "SimServer", "SimServerError", "start_sim_server"]


def __getattr__(name: str) -> Any:
    if name in ("SimServer", "SimServerError", "start_sim_server"):
        from . import process

        return getattr(process, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
