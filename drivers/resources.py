"""The project's shipped files (``resources/``): beside the packages in a checkout or editable
install, under ``<prefix>/share/kperf-lab`` after a wheel install, or inside a frozen bundle."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The first ``resources`` folder that exists (else the checkout's path)."""
    candidates = [Path(__file__).resolve().parents[1] / "resources",
                  Path(sys.prefix) / "share" / "kperf-lab" / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources")
    return next((c for c in candidates if c.is_dir()), candidates[0])


def sim_file(driver: str) -> Path | None:
    """The pyvisa-sim description shipped for a meter driver, if there is one."""
    path = resources_dir() / "sim" / f"{driver}.yaml"
    return path if path.is_file() else None


def sim_resources(driver: str) -> list[str]:
    """The resource names a shipped pyvisa-sim description answers on."""
    path = sim_file(driver)
    if path is None:
        return []
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    return [str(name) for name in (data.get("resources") or {})]
