"""Where the app's shipped files are: presets, translations and icons under ``resources/``."""
from __future__ import annotations

from drivers.resources import resources_dir

RESOURCES = resources_dir()
PRESETS = RESOURCES / "presets"
TRANSLATIONS = RESOURCES / "translations"
ICONS = RESOURCES / "icons"
