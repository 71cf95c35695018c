"""K-Perf presets: plan files in ``resources/presets`` for the K-Perf models."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from .paths import PRESETS

_PREFIX = "# K-Perf preset:"


def available() -> list[tuple[str, Path]]:
    """``(title, path)`` of every preset, titles from each file's first line."""
    out = []
    for path in sorted(PRESETS.glob("*.toml")):
        first = path.read_text(encoding="utf-8").splitlines()[:1]
        title = first[0][len(_PREFIX):].strip() if first and first[0].startswith(_PREFIX) \
            else path.stem
        out.append((title, path))
    return out


def read(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def apply(plan: dict[str, Any], preset: dict[str, Any]) -> dict[str, Any]:
    """``plan`` with the preset's session name, model, API and whole sweep; the people, the
    endpoint URL, the target kind and the instruments stay as they were."""
    out = copy.deepcopy(plan)
    name = preset.get("session", {}).get("name")
    if name:
        out.setdefault("session", {})["name"] = name
    target = out.setdefault("target", {})
    for key in ("model", "api"):
        if key in preset.get("target", {}):
            target[key] = preset["target"][key]
    out["sweep"] = copy.deepcopy(preset.get("sweep", {}))
    return out
