"""The "Test connection" check, run in a worker thread: ask the endpoint which models it serves."""
from __future__ import annotations

import asyncio
import time

from drivers.targets.openai import OpenAITarget


def probe(base_url: str, model: str, api: str, api_key_env: str) -> list[str]:
    """The models an OpenAI-compatible endpoint serves; raises ``TargetUnavailable`` with a
    plain sentence when it cannot be used (not running, wrong URL, model not served, key)."""
    target = OpenAITarget(time.perf_counter_ns, base_url, model, api=api,  # type: ignore[arg-type]
                          api_key_env=api_key_env or None, timeout_s=10)
    info = asyncio.run(target.probe())
    return [str(m) for m in info.get("models", [])]


def probe_simulator(model: str, api: str) -> list[str]:
    """Start the built-in simulated endpoint, ask it, and stop it again."""
    from kperf_gui.sim.process import start_sim_server

    sim = start_sim_server(model=model or "sim-llm")
    try:
        return probe(sim.base_url, model or "sim-llm", api, "")
    finally:
        sim.stop()
