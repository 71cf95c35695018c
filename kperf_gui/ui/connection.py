"""The "Test connection" checks, run in a worker thread: ask the endpoint which models it serves,
load the model on a DEEPX NPU, or find a vendor benchmark program."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from drivers.targets.command import CommandTarget
from drivers.targets.deepx import DeepxTarget
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


def probe_deepx(model_path: str, devices: list[int]) -> dict[str, Any]:
    """Load the model on the NPUs through DX-RT and let it go again; DX-RT's identity. Raises
    ``TargetUnavailable`` saying what is missing (dx_engine, the model file, a device)."""
    target = DeepxTarget(time.perf_counter_ns, model_path, devices)

    async def check() -> dict[str, Any]:
        try:
            return await target.probe()
        finally:
            await target.close()

    return asyncio.run(check())


def probe_command(command: list[str], parser: str, regex: dict[str, str], cwd: str) -> str:
    """The program's full path; raises ``TargetUnavailable`` when it is not there, or
    ``ValueError`` for a parser or expressions it cannot use."""
    target = CommandTarget(time.perf_counter_ns, command, parser, regex=regex, cwd=cwd or None)
    return str(asyncio.run(target.probe())["program"])
