"""Where sessions go by default: a ``K-Perf Lab`` folder in the user's documents folder."""
from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path


def documents_dir() -> Path:
    """The user's documents folder (XDG on Linux, ~/Documents elsewhere)."""
    xdg = os.environ.get("XDG_DOCUMENTS_DIR")
    if xdg:
        return Path(os.path.expandvars(xdg)).expanduser()
    return Path.home() / "Documents"


def default_session_dir(name: str) -> Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return documents_dir() / "K-Perf Lab" / f"{name}-{stamp}"
