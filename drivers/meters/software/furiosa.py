"""FuriosaAI RNGD and Warboy NPU power from the ``furiosa-smi`` tool.

Sources:

- FuriosaAI developer documentation, "Furiosa SMI CLI"
  (developer.furiosa.ai/latest/en/device_management/system_management_interface/
  furiosa_smi_cli.html): ``furiosa-smi info`` lists each NPU (``npu0``, ``npu1``, ...) with its
  temperature and power (e.g. ``38.40 W``); the tool is installed with
  ``sudo apt install furiosa-smi``. That page shows only the table.
- The JSON form is not in that page. It is ``furiosa-smi info --format json`` on RNGD and
  ``furiosa-smi info --output json`` on Warboy, as the open-source all-smi monitor probes them
  (lablup/all-smi, src/device/readers/furiosa.rs): a JSON array with one object per NPU holding
  ``dev_name`` (``npu0``), ``arch``, ``device_sn``, ``device_uuid``, ``firmware``,
  ``temperature`` (``"40.98°C"``), ``power`` (``"38.40 W"``), ``core_clock``, ``governor`` and
  ``pci_bdf``. The driver tries ``--format`` first, then ``--output``.
"""
from __future__ import annotations

from typing import Any

from ..base import Identity, MeterProtocolError, MeterUnavailable
from .tool import Devices, ToolChannel, element_of, parse_json

#: The JSON option of ``furiosa-smi info``: RNGD's, then Warboy's.
JSON_FLAGS = ("--format", "--output")


class FuriosaSmi(ToolChannel):
    """FuriosaAI NPU power (``watts``) from ``furiosa-smi info``, one element per NPU
    (``npu<n>`` is element n + 1); the temperature goes in ``extra["temp_c"]``.

    Options: ``command`` (``furiosa-smi``), ``timeout_s`` (5.0).
    """

    name = "furiosa-smi"
    models = ("FuriosaAI RNGD / Warboy",)
    COMMANDS = ("furiosa-smi",)
    INSTALL_HINT = ("install it from FuriosaAI's APT server with 'sudo apt install furiosa-smi' "
                    "after the NPU driver")

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._flag = JSON_FLAGS[0]

    def query(self) -> bytes:
        return self.run("info", self._flag, "json")

    def probe(self) -> None:
        failures = []
        for flag in JSON_FLAGS:
            self._flag = flag
            try:
                found = self.parse(self.query())
            except MeterProtocolError as exc:
                failures.append(exc)
                continue
            if not found:
                raise MeterUnavailable(f"{self.tool} lists no NPU; install the NPU kernel driver "
                                       f"and check with 'furiosa-smi info'.")
            return
        raise MeterProtocolError(
            f"{self.tool} gave no device list with 'info --format json' or 'info --output json' "
            f"({failures[-1]}); update furiosa-smi.", failures[-1].raw)

    def _entries(self, raw: bytes) -> list[dict[str, Any]]:
        data = parse_json(raw, f"{self.tool} info")
        if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
            raise MeterProtocolError(f"{self.tool} info did not print a list of devices.", raw)
        return data

    def parse(self, raw: bytes) -> Devices:
        return self.devices_from(self._entries(raw), raw, "dev_name", "npu", "power", "power")

    def identify(self) -> Identity:
        raw = self.query()
        entries = sorted(self._entries(raw),
                         key=lambda entry: element_of(entry.get("dev_name"), "npu") or 0)
        return Identity(
            "FuriosaAI",
            ", ".join(dict.fromkeys(str(e.get("arch", "")).upper() for e in entries)),
            ", ".join(str(e.get("device_sn", "")) or "-" for e in entries),
            ", ".join(dict.fromkeys(str(e.get("firmware", "")) for e in entries)),
            raw.decode(errors="replace"),
        )
