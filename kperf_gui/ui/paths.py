"""Where the app's shipped files are: presets, translations and icons under ``resources/``."""
from __future__ import annotations

import sys
from pathlib import Path


def _resources() -> Path:
    """``resources/`` beside the packages (a checkout or editable install), else where a wheel
    installs it (``<prefix>/share/kperf-lab/resources``), else inside a frozen bundle."""
    candidates = [Path(__file__).resolve().parents[2] / "resources",
                  Path(sys.prefix) / "share" / "kperf-lab" / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources")
    return next((c for c in candidates if c.is_dir()), candidates[0])


RESOURCES = _resources()
PRESETS = RESOURCES / "presets"
TRANSLATIONS = RESOURCES / "translations"
ICONS = RESOURCES / "icons"
