"""Find the VISA resources and serial ports on this machine, bounded in time.

Each search runs in a daemon thread with a shared deadline, so a hanging interface (a network
broadcast, a stuck USB driver) cannot hold up the caller. Nothing here raises: a search that
fails or runs late becomes an entry with a ``note``.

On Linux a meter can be plugged in and still missing from the VISA search, because only root may
open it until a udev rule says otherwise (``packaging/linux/70-kperf-lab.rules``). So the USB
devices in sysfs are looked at too: a USB-TMC instrument, or a device of a power-meter maker,
whose ``/dev/bus/usb`` node this user cannot open, and a serial port this user cannot open,
each add a note that says how to fix it.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator

_INTERFACES = (
    ("TCPIP", "network instrument"),
    ("USB", "USB instrument"),
    ("ASRL", "serial instrument"),
    ("GPIB", "GPIB instrument"),
)
_LABELS = {"visa": "VISA", "serial": "serial port"}

#: USB vendor ids of the power-meter makers whose meters have USB ports, from the USB ID
#: Repository (usb.ids, as in Debian's usb.ids package 2025.07.26). Hioki has no entry there;
#: any maker's USB-TMC meter is recognised by its interface class instead (below).
METER_VENDORS = {
    0x0B21: "Yokogawa",
    0x0699: "Tektronix",
    0x0AAD: "Rohde & Schwarz",
    0x0A69: "Chroma",
}
#: A USB-TMC interface: class 0xFE (application specific), subclass 0x03 (USBTMC 1.0, 4.2.1).
_TMC_CLASS = ("fe", "03")
SYSFS_USB = Path("/sys/bus/usb/devices")
DEV_USB = Path("/dev/bus/usb")


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


def _can_open(path: Path) -> bool:
    return os.access(path, os.R_OK | os.W_OK)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""


def access_script() -> Path | None:
    """``instrument-access.sh`` where this installation has it: the checkout's packaging/linux,
    ``<prefix>/share/kperf-lab/linux`` after a wheel install, or ``linux/`` in a bundle."""
    candidates = [Path(__file__).resolve().parents[2] / "packaging" / "linux",
                  Path(sys.prefix) / "share" / "kperf-lab" / "linux"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "linux")
    return next((c / "instrument-access.sh" for c in candidates
                 if (c / "instrument-access.sh").is_file()), None)


def _fix(extra: str = "") -> str:
    script = access_script()
    how = f"sudo bash '{script}'" if script else (
        "install 70-kperf-lab.rules from K-Perf Lab's packaging/linux folder as root")
    return f"To fix: {how}{extra}, then log out and back in"


def usb_access_problems(sysfs: Path | None = None, devfs: Path | None = None,
                        can_open: Callable[[Path], bool] | None = None) -> Iterator[dict[str, str]]:
    """A note for each USB meter that is connected but that this user may not open (Linux:
    ``sysfs`` and ``devfs`` default to :data:`SYSFS_USB` and :data:`DEV_USB`)."""
    sysfs = SYSFS_USB if sysfs is None else sysfs
    devfs = DEV_USB if devfs is None else devfs
    can_open = can_open or _can_open
    if not sysfs.is_dir():
        return
    for dev in sorted(sysfs.iterdir()):
        if ":" in dev.name or not (dev / "idVendor").is_file():
            continue  # an interface, or a root hub's odd entry
        try:
            vendor = int(_read(dev / "idVendor"), 16)
            bus, number = int(_read(dev / "busnum")), int(_read(dev / "devnum"))
        except ValueError:
            continue
        tmc = any((_read(i / "bInterfaceClass"), _read(i / "bInterfaceSubClass")) == _TMC_CLASS
                  for i in dev.glob(f"{dev.name}:*"))
        maker = METER_VENDORS.get(vendor)
        if not (tmc or maker):
            continue
        node = devfs / f"{bus:03d}" / f"{number:03d}"
        if not node.exists() or can_open(node):
            continue
        product = _read(dev / "product") or _read(dev / "idProduct")
        what = " ".join(t for t in (_read(dev / "manufacturer") or maker or "", product) if t)
        kind = "USB-TMC instrument" if tmc else "USB device"
        yield _note("visa", f"A {kind} is connected but this user may not open it: {what} "
                    f"({vendor:04x}:{_read(dev / 'idProduct')}, {node}). "
                    f"{_fix(', unplug and replug the meter')}.")


def serial_access_problems(ports: list[dict[str, str]],
                           can_open: Callable[[Path], bool] | None = None) -> Iterator[dict[str, str]]:
    """A note for each listed serial port that this user may not open (POSIX)."""
    can_open = can_open or _can_open
    for port in ports:
        path = Path(port["resource"])
        if port.get("kind") != "serial" or not path.is_absolute() or not path.exists():
            continue
        if can_open(path):
            continue
        group = _group_of(path)
        join = f" (or: sudo usermod -aG {group} $USER)" if group else ""
        yield _note("serial", f"Serial port {path} is present but this user may not open it"
                    f"{f'; it belongs to the group {group}' if group else ''}. {_fix(join)}.")


def _group_of(path: Path) -> str:
    try:
        import grp

        return grp.getgrgid(path.stat().st_gid).gr_name
    except (ImportError, KeyError, OSError):
        return ""


def _access_notes(found: list[dict[str, str]]) -> list[dict[str, str]]:
    """Notes on meters and ports this user may not open (POSIX only: elsewhere the operating
    system's driver decides, and a meter it cannot open is not listed at all)."""
    if os.name != "posix":
        return []
    try:
        return [*usb_access_problems(), *serial_access_problems(found)]
    except Exception as exc:  # any failure becomes a note, as for the searches
        return [_note("visa", f"The check for meters this user may not open failed: {exc}.")]


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
    return found + _access_notes(found)
