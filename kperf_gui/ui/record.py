"""The Session record's sections and item names in the app's language (the workbook's Session
sheet keeps them in English). Channel names, event kinds and every value stay as recorded."""
from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_NAMES = {
    "Session": QT_TRANSLATE_NOOP("Record", "Session"),
    "Target": QT_TRANSLATE_NOOP("Record", "Target"),
    "System": QT_TRANSLATE_NOOP("Record", "System"),
    "Instruments": QT_TRANSLATE_NOOP("Record", "Instruments"),
    "Vendor figures": QT_TRANSLATE_NOOP("Record", "Vendor figures"),
    "Uncertainty": QT_TRANSLATE_NOOP("Record", "Uncertainty"),
    "Limit": QT_TRANSLATE_NOOP("Record", "Limit"),
    "Not computed": QT_TRANSLATE_NOOP("Record", "Not computed"),
    "Event log": QT_TRANSLATE_NOOP("Record", "Event log"),
    "Export": QT_TRANSLATE_NOOP("Record", "Export"),
    "Name": QT_TRANSLATE_NOOP("Record", "Name"),
    "Operator": QT_TRANSLATE_NOOP("Record", "Operator"),
    "Witness": QT_TRANSLATE_NOOP("Record", "Witness"),
    "Notes": QT_TRANSLATE_NOOP("Record", "Notes"),
    "Ambient temperature (C)": QT_TRANSLATE_NOOP("Record", "Ambient temperature (C)"),
    "Expired calibration allowed": QT_TRANSLATE_NOOP("Record", "Expired calibration allowed"),
    "Run status": QT_TRANSLATE_NOOP("Record", "Run status"),
    "Started (UTC)": QT_TRANSLATE_NOOP("Record", "Started (UTC)"),
    "Finished (UTC)": QT_TRANSLATE_NOOP("Record", "Finished (UTC)"),
    "Interrupted": QT_TRANSLATE_NOOP("Record", "Interrupted"),
    "Kind": QT_TRANSLATE_NOOP("Record", "Kind"),
    "Endpoint": QT_TRANSLATE_NOOP("Record", "Endpoint"),
    "Model": QT_TRANSLATE_NOOP("Record", "Model"),
    "API": QT_TRANSLATE_NOOP("Record", "API"),
    "Detected": QT_TRANSLATE_NOOP("Record", "Detected"),
    "Capabilities": QT_TRANSLATE_NOOP("Record", "Capabilities"),
    "Prompt lengths": QT_TRANSLATE_NOOP("Record", "Prompt lengths"),
    "Software": QT_TRANSLATE_NOOP("Record", "Software"),
    "Host": QT_TRANSLATE_NOOP("Record", "Host"),
    "Python": QT_TRANSLATE_NOOP("Record", "Python"),
    "Clock": QT_TRANSLATE_NOOP("Record", "Clock"),
    "Clock anchor (UTC)": QT_TRANSLATE_NOOP("Record", "Clock anchor (UTC)"),
    "Idle baseline (s)": QT_TRANSLATE_NOOP("Record", "Idle baseline (s)"),
    "Wall power": QT_TRANSLATE_NOOP("Record", "Wall power"),
    "Rows left out": QT_TRANSLATE_NOOP("Record", "Rows left out"),
    "System under test": QT_TRANSLATE_NOOP("Record", "System under test"),
    "Server counters": QT_TRANSLATE_NOOP("Record", "Server counters"),
    "Client machine": QT_TRANSLATE_NOOP("Record", "Client machine"),
    "Load client": QT_TRANSLATE_NOOP("Record", "Load client"),
    "Saturation limit": QT_TRANSLATE_NOOP("Record", "Saturation limit"),
    "Tool": QT_TRANSLATE_NOOP("Record", "Tool"),
    "Operating system": QT_TRANSLATE_NOOP("Record", "Operating system"),
    "Host name": QT_TRANSLATE_NOOP("Record", "Host name"),
    "Architecture": QT_TRANSLATE_NOOP("Record", "Architecture"),
    "CPU": QT_TRANSLATE_NOOP("Record", "CPU"),
    "Logical CPUs": QT_TRANSLATE_NOOP("Record", "Logical CPUs"),
    "Memory (GiB)": QT_TRANSLATE_NOOP("Record", "Memory (GiB)"),
    "Packages": QT_TRANSLATE_NOOP("Record", "Packages"),
}


def name(text: str) -> str:
    """A section or item name in the app's language; names it does not know stay as they are."""
    source = _NAMES.get(text)
    return QCoreApplication.translate("Record", source) if source else text


def record_rows(info: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The session's record rows with section and item names translated."""
    return [(name(section), name(item), value) for section, item, value in info]
