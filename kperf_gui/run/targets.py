"""Which target driver serves a plan's target, built for one endpoint (or device) of the run."""
from __future__ import annotations

from typing import Callable

from drivers.targets.base import Target
from kperf_gui.session.plan import TargetSpec


def make_target(spec: TargetSpec, now: Callable[[], int], base_url: str, model: str) -> Target:
    """The driver for ``spec``; ``base_url``/``model`` are the endpoint of the current precision
    (OpenAI-compatible targets only)."""
    if spec.kind == "deepx":
        from drivers.targets.deepx import DeepxTarget

        return DeepxTarget(now, spec.model_path, spec.devices, spec.timeout_s)
    if spec.kind == "command":
        from drivers.targets.command import CommandTarget

        return CommandTarget(now, spec.command, spec.parser, settle_s=spec.settle_s,
                             timeout_s=spec.timeout_s, regex=spec.regex or None,
                             cwd=spec.cwd or None)
    from drivers.targets.openai import OpenAITarget

    return OpenAITarget(now, base_url, model, api=spec.api,
                        api_key_env=spec.api_key_env or None, timeout_s=spec.timeout_s)
