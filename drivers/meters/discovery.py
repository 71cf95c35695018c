"""Find the VISA resources and serial ports on this machine, bounded in time.

Each search runs in a daemon thread with a shared deadline, so a hanging interface (a network
broadcast, a stuck USB driver) cannot hold up the caller. Nothing here raises: a search that
fails or runs late becomes an entry with a ``note``.
"""
from __future__ import annotations

import threading
import time
import warnings
from typing import Any, Callable

_INTERFACES = (
    ("TCPIP", "network instrument"),
    ("USB", "USB instrument"),
    ("ASRL", "serial instrument"),
    ("GPIB", "GPIB instrument"),
)
_LABELS = {"visa": "VISA", "serial": "serial port"}


def _describe(name: str) -> str:
    for prefix, text in _INTERFACES:
        if name.upper().startswith(prefix):
            return text
    return "instrument"


def _visa_resources() -> list[dict[str, str]]:
    """VISA instruments pyvisa-py can see."""
    import pyvisa

    manager = pyvisa.ResourceManager("@py")
    try:
        names = manager.list_resources("?*::INSTR")
    finally:
        manager.close()
    return [
        {"resource": name, "kind": "visa", "description": _describe(name)} for name in sorted(names)
    ]


def _serial_ports() -> list[dict[str, str]]:
    """Serial ports pyserial can see."""
    from serial.tools import list_ports

    found = []
    for port in sorted(list_ports.comports(), key=lambda port: port.device):
        parts = [text for text in (port.description, port.hwid) if text and text != "n/a"]
        description = ", ".join(parts) or "serial port"
        found.append({"resource": port.device, "kind": "serial", "description": description})
    return found


def _note(kind: str, text: str) -> dict[str, str]:
    return {"resource": "", "kind": kind, "description": "", "note": text}


def _start(lister: Callable[[], list[dict[str, str]]]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                outcome["found"] = lister()
        except Exception as exc:  # any failure becomes a note
            outcome["error"] = exc

    thread = threading.Thread(target=work, name="kperf-resource-search", daemon=True)
    thread.start()
    return thread, outcome


def list_resources(timeout_s: float = 3.0) -> list[dict[str, str]]:
    """VISA resources and serial ports, each ``{"resource", "kind" ("visa"|"serial"),
    "description"}``; a search that fails or does not finish within ``timeout_s`` adds an entry
    with an empty resource and a ``note``. Never raises."""
    deadline = time.monotonic() + timeout_s
    listers = (("visa", _visa_resources), ("serial", _serial_ports))
    searches = [(kind, *_start(lister)) for kind, lister in listers]
    found: list[dict[str, str]] = []
    for kind, thread, outcome in searches:
        thread.join(max(0.0, deadline - time.monotonic()))
        label = _LABELS[kind]
        if thread.is_alive():
            found.append(
                _note(
                    kind,
                    f"The {label} search did not finish within {timeout_s:g} s; its resources "
                    f"are not listed.",
                )
            )
        elif "error" in outcome:
            error = outcome["error"]
            text = str(error).strip()
            reason = text.splitlines()[0] if text else type(error).__name__
            found.append(_note(kind, f"The {label} search failed: {reason.rstrip('.')}."))
        else:
            found.extend(outcome["found"])
    return found
