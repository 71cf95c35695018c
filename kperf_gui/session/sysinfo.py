"""The client machine on record: the tool's version, the OS, the CPU, Python and the versions of
the packages that measure and export.

The run records :func:`client_system` once, when it opens the journal (meta key
``client_system``, JSON); every export reads it back with :func:`system_rows`, so the Session
sheet and the report describe the machine that measured, not the one that exported.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from typing import Any

from kperf_gui import __version__

META_KEY = "client_system"
PACKAGES = ("kperf-lab", "numpy", "pandas", "openpyxl", "matplotlib", "httpx", "tokenizers",
            "pyvisa", "pyvisa-py", "pyvisa-sim", "pyserial", "cryptography", "reportlab",
            "prometheus_client", "PySide6-Essentials", "pyqtgraph", "nvidia-ml-py")
"""Distributions whose versions go on record (those not installed are said so)."""


def _cpu_model() -> str:
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key.strip() in ("model name", "Hardware", "Processor") and value.strip():
                        return value.strip()
        elif sys.platform == "darwin":
            out = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"],
                                 capture_output=True, text=True, timeout=5)
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.strip()
        elif sys.platform == "win32":
            import winreg

            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE,
                                r"HARDWARE\DESCRIPTION\System\CentralProcessor\0") as key:
                return str(winreg.QueryValueEx(key, "ProcessorNameString")[0]).strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return platform.processor() or platform.machine() or "unknown"


def _memory_bytes() -> int | None:
    try:
        if sys.platform == "win32":
            import ctypes

            class _Status(ctypes.Structure):
                _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                            ("ullTotalPhys", ctypes.c_ulonglong),
                            ("ullAvailPhys", ctypes.c_ulonglong),
                            ("ullTotalPageFile", ctypes.c_ulonglong),
                            ("ullAvailPageFile", ctypes.c_ulonglong),
                            ("ullTotalVirtual", ctypes.c_ulonglong),
                            ("ullAvailVirtual", ctypes.c_ulonglong),
                            ("sullAvailExtendedVirtual", ctypes.c_ulonglong)]

            status = _Status()
            status.dwLength = ctypes.sizeof(_Status)
            if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore[attr-defined]
                return int(status.ullTotalPhys)
            return None
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (OSError, ValueError, AttributeError):
        return None


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def client_system() -> dict[str, Any]:
    """The facts of this machine, as the run records them."""
    memory = _memory_bytes()
    return {
        "tool": f"K-Perf Lab {__version__}",
        "os": platform.platform(),
        "host": platform.node(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1) if memory else None,
        "python": f"{platform.python_implementation()} {platform.python_version()} "
                  f"({sys.executable})",
        "packages": package_versions(),
    }


def record_meta() -> dict[str, str]:
    """The journal meta entries the run writes when it opens the journal."""
    return {META_KEY: json.dumps(client_system(), sort_keys=True, ensure_ascii=False)}


SECTION = "Client machine"
_LABELS = (("tool", "Tool"), ("os", "Operating system"), ("host", "Host name"),
           ("machine", "Architecture"), ("cpu", "CPU"), ("cpu_count", "Logical CPUs"),
           ("memory_gib", "Memory (GiB)"), ("python", "Python"))


def system_rows(meta: dict[str, str]) -> list[tuple[str, str, str]]:
    """Session-sheet rows (section, item, value) for the client machine the session recorded;
    none when it recorded none (sessions from before this record existed)."""
    try:
        facts = json.loads(meta[META_KEY])
    except (KeyError, ValueError):
        return []
    if not isinstance(facts, dict):
        return []
    rows = [(SECTION, label, "" if facts.get(key) is None else str(facts.get(key)))
            for key, label in _LABELS if key in facts]
    packages = facts.get("packages")
    if isinstance(packages, dict) and packages:
        rows.append((SECTION, "Packages", ", ".join(f"{k} {v}" for k, v in sorted(
            packages.items(), key=lambda kv: kv[0].lower()))))
    return rows
