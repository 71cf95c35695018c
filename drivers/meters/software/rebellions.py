"""Rebellions ATOM and REBEL NPU power from ``rbln-smi`` (or the older ``rbln-stat``).

Sources:

- RBLN SDK documentation, "Device Monitoring (rbln-smi)"
  (docs.rbln.ai/latest/software/system_management/management_tools/rbln_smi.html): ``rbln-smi``
  comes with the RBLN driver package and shows per NPU (``rbln0``, ``rbln1``, ...) temperature and
  power; ``rbln-stat`` is deprecated in its favour and may still work. The management-tools
  overview of the same documentation says it prints JSON and CSV as well as tables; the page does
  not spell out the JSON option or fields.
- The JSON option and fields come from a verbatim capture of ``rbln-stat --json`` (RBLN driver
  3.0.0) kept in lablup/all-smi as tests/fixtures/rbln-stat-loaded.json, read by its
  src/device/readers/rebellions.rs with ``--json`` for both tools: an object with
  ``KMD_version`` and ``devices``, one object per NPU holding ``npu``, ``name`` (``RBLN-CA22``),
  ``sid`` (serial), ``uuid``, ``device`` (``rbln0``), ``status``, ``fw_ver``, ``temperature``
  (``"29C"``), ``card_power`` (``"18109794uW"``), ``pstate``, ``memory`` and ``util``. Devices
  are not listed in ``rbln<n>`` order, so elements follow the ``rbln<n>`` name, not the position.

On a multi-die card (ATOM Max) every die repeats its card's ``card_power`` and shares its ``sid``;
pick one die per card with ``meters[].element`` to see each card once.
"""
from __future__ import annotations

from typing import Any

from ..base import Identity, MeterProtocolError, MeterUnavailable
from .tool import Devices, ToolChannel, element_of, parse_json


class RblnSmi(ToolChannel):
    """Rebellions NPU card power (``watts``) from ``rbln-smi --json``, one element per NPU
    (``rbln<n>`` is element n + 1); the temperature goes in ``extra["temp_c"]``.

    Options: ``command`` (``rbln-smi``, else ``rbln-stat``), ``timeout_s`` (5.0).
    """

    name = "rbln-smi"
    models = ("Rebellions ATOM / REBEL",)
    COMMANDS = ("rbln-smi", "rbln-stat")
    INSTALL_HINT = "both come with Rebellions' RBLN driver package, so install or repair that"

    def query(self) -> bytes:
        return self.run("--json")

    def probe(self) -> None:
        if not self.parse(self.query()):
            raise MeterUnavailable(f"{self.tool} lists no NPU; install the RBLN driver and check "
                                   f"with '{self.tool}'.")

    def _document(self, raw: bytes) -> dict[str, Any]:
        data = parse_json(raw, self.tool)
        devices = data.get("devices") if isinstance(data, dict) else None
        if not isinstance(devices, list) or not all(isinstance(entry, dict) for entry in devices):
            raise MeterProtocolError(f"{self.tool} --json printed no list of devices.", raw)
        return data

    def parse(self, raw: bytes) -> Devices:
        return self.devices_from(self._document(raw)["devices"], raw, "device", "rbln", "card_power", "card power")

    def identify(self) -> Identity:
        raw = self.query()
        document = self._document(raw)
        devices = sorted(document["devices"],
                         key=lambda entry: element_of(entry.get("device"), "rbln") or 0)
        firmware = ", ".join(dict.fromkeys(str(d.get("fw_ver", "")) for d in devices))
        return Identity(
            "Rebellions",
            ", ".join(dict.fromkeys(str(d.get("name", "")) for d in devices)),
            ", ".join(str(d.get("sid", "")) or "-" for d in devices),
            f"FW {firmware}, KMD {document.get('KMD_version', '')}",
            raw.decode(errors="replace"),
        )
