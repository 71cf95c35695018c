"""Where the app's shipped files are: presets, translations and icons under ``resources/``."""
from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
PRESETS = RESOURCES / "presets"
TRANSLATIONS = RESOURCES / "translations"
ICONS = RESOURCES / "icons"
