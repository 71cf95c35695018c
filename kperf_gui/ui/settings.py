"""What the app remembers between starts (QSettings, organisation and application "K-Perf Lab")."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from kperf_gui.session.location import default_session_dir

ORGANISATION = "K-Perf Lab"
APPLICATION = "K-Perf Lab"

GEOMETRY = "window/geometry"
STATE = "window/state"
LAST_PLAN = "plan/last"
SESSIONS_ROOT = "sessions/root"
LANGUAGE = "ui/language"
LAST_SESSION = "sessions/last_opened"


def settings() -> QSettings:
    """The app's settings store."""
    return QSettings(ORGANISATION, APPLICATION)


def sessions_root() -> Path:
    """The folder new sessions go in: the user's choice, else ``K-Perf Lab`` in Documents."""
    chosen = settings().value(SESSIONS_ROOT, "", type=str)
    return Path(chosen) if chosen else default_session_dir("x").parent


def new_session_dir(name: str) -> Path:
    """A new folder for a session called ``name`` under :func:`sessions_root`."""
    return sessions_root() / default_session_dir(name).name
