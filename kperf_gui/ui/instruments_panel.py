"""Instruments: find VISA and serial resources, set up each meter of the plan, and see its own
identity and a live reading before the run."""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Callable

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from drivers.meters import registry
from drivers.meters.base import Identity
from drivers.meters.discovery import list_resources
from drivers.resources import sim_resources
from kperf_gui.session import plan_schema
from kperf_gui.session.plan import driver_class

from . import workers
from .forms import DateEdit, FieldErrors, int_list, join
from .meter_live import MeterLiveBox
from .meter_preview import MeterPreview

_METER_KEY = re.compile(r"^meters\[(\d+)\]\.?(.*)$")


class InstrumentsPanel(QWidget):
    """The ``[[meters]]`` of the plan, one row per meter (or software channel)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors = FieldErrors()
        self._meters: list[dict[str, Any]] = []
        self._previews: dict[int, MeterPreview] = {}
        self._live: dict[int, dict[str, Any]] = {}
        self._waiting: list[Callable[[], None]] = []
        self._real_resource: dict[int, str] = {}
        self._loading = False

        self.find_button = QPushButton(self.tr("Find instruments"))
        self.find_button.clicked.connect(self.discover)
        self.found = QLabel(self.tr("Press “Find instruments” to list the VISA and serial "
                                    "instruments connected to this computer."))
        self.found.setWordWrap(True)
        find_row = QHBoxLayout()
        find_row.addWidget(self.find_button)
        find_row.addWidget(self.found, 1)

        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._select)
        add = QPushButton(self.tr("Add meter"))
        add.clicked.connect(self.add_meter)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_meter)
        list_box = QGroupBox(self.tr("Meters in this plan"))
        lb = QVBoxLayout(list_box)
        lb.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_button)
        lb.addLayout(buttons)
        hint = QLabel(self.tr("A server's power supplies on separate elements or meters are all "
                              "“wall” and are summed; other channels are auxiliary."))
        hint.setWordWrap(True)
        lb.addWidget(hint)

        self.driver = QComboBox()
        self.driver.addItems(registry.names())
        self.resource = QComboBox()
        self.resource.setEditable(True)
        self.resource.setMinimumContentsLength(28)
        self.elements = QLineEdit()
        self.elements.setPlaceholderText("1, 2")
        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.1, RATE.high or 1000.0)
        self.rate.setDecimals(1)
        self.rate.setSuffix(" Hz")
        self.role = QComboBox()
        self.role.addItem(self.tr("wall (summed into the measured power)"), "wall")
        self.role.addItem(self.tr("auxiliary (recorded, never summed)"), "auxiliary")
        self.has_due = QCheckBox(self.tr("due on"))
        self.due = DateEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        due_row = QWidget()
        dl = QHBoxLayout(due_row)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.has_due)
        dl.addWidget(self.due, 1)
        self.simulate = QCheckBox(self.tr("a simulated instrument of this make (no hardware)"))
        self.due_note = QLabel()
        self.due_note.setWordWrap(True)
        self.allow_expired = QCheckBox(self.tr("Run even if a calibration has expired "
                                               "(recorded in the session)"))
        self.detail = QGroupBox(self.tr("Meter"))
        form = QFormLayout(self.detail)
        form.addRow(self.tr("Driver"), self.errors.field("driver", self.driver))
        form.addRow(self.tr("Resource"), self.errors.field("resource", self.resource))
        form.addRow("", self.simulate)
        form.addRow(self.tr("Elements"), self.errors.field("element", self.elements))
        form.addRow(self.tr("Update rate"), self.errors.field("rate_hz", self.rate))
        form.addRow(self.tr("Role"), self.errors.field("role", self.role))
        form.addRow(self.tr("Calibration"), self.errors.field("calibration_due", due_row))
        form.addRow("", self.due_note)

        self.live = MeterLiveBox()
        self.live.connect_button.clicked.connect(self.toggle_connection)

        right = QVBoxLayout()
        right.addWidget(self.detail)
        right.addWidget(self.live, 1)
        body = QHBoxLayout()
        body.addWidget(list_box, 2)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(find_row)
        layout.addLayout(body, 1)
        layout.addWidget(self.allow_expired)

        self.driver.currentTextChanged.connect(self._driver_changed)
        self.resource.currentTextChanged.connect(self._commit)
        self.elements.textChanged.connect(self._commit)
        self.rate.valueChanged.connect(self._commit)
        self.role.currentIndexChanged.connect(self._commit)
        self.has_due.toggled.connect(self._commit)
        self.simulate.toggled.connect(self._simulate_toggled)
        self.due.dateChanged.connect(self._commit)
        self._refresh_list()

    # --- plan ------------------------------------------------------------------------------

    def read_plan(self, d: dict[str, Any]) -> None:
        self.release()
        self._meters = [dict(m) for m in d.get("meters", []) if isinstance(m, dict)]
        self._live.clear()
        self._real_resource.clear()
        self.allow_expired.setChecked(bool(d.get("session", {}).get("allow_expired_calibration")))
        self._refresh_list()

    def write_plan(self, d: dict[str, Any]) -> None:
        if self._meters:
            d["meters"] = [dict(m) for m in self._meters]
        else:
            d.pop("meters", None)
        s = d.setdefault("session", {})
        if self.allow_expired.isChecked():
            s["allow_expired_calibration"] = True
        else:
            s.pop("allow_expired_calibration", None)

    def show_error(self, key: str, message: str) -> QWidget | None:
        m = _METER_KEY.match(key)
        if key == "session.allow_expired_calibration":
            return self.allow_expired
        if m is None:
            return self.list if key == "meters" else None
        row = int(m.group(1))
        if row < len(self._meters):
            self.list.setCurrentRow(row)
        return self.errors.show(m.group(2) or "driver", message) or self.detail

    # --- list ------------------------------------------------------------------------------

    def _describe(self, i: int, m: dict[str, Any]) -> str:
        role = self.tr("wall") if m.get("role", _default_role(m.get("driver", ""))) == "wall" \
            else self.tr("auxiliary")
        where = m.get("resource") or (self.tr("the run's simulator")
                                      if m.get("driver") == "simulated" else "—")
        return f"{i + 1}. {m.get('driver', '?')} · {where} · {role}"

    def _refresh_list(self) -> None:
        current = max(0, self.list.currentRow())
        self._loading = True
        self.list.clear()
        for i, m in enumerate(self._meters):
            self.list.addItem(self._describe(i, m))
        self._loading = False
        has = bool(self._meters)
        self.detail.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.live.connect_button.setEnabled(has)
        if has:
            self.list.setCurrentRow(min(current, len(self._meters) - 1))
        self._select(self.list.currentRow())

    def add_meter(self) -> None:
        driver = "simulated" if not self._meters else self.driver.currentText()
        self._meters.append({"driver": driver})
        self._refresh_list()
        self.list.setCurrentRow(len(self._meters) - 1)

    def remove_meter(self) -> None:
        i = self.list.currentRow()
        if not 0 <= i < len(self._meters):
            return
        self._stop_preview(i)
        del self._meters[i]
        self._previews = {(k if k < i else k - 1): p for k, p in self._previews.items() if k != i}
        self._real_resource = {(k if k < i else k - 1): r for k, r in self._real_resource.items()
                               if k != i}
        self._live = {(k if k < i else k - 1): v for k, v in self._live.items() if k != i}
        self._refresh_list()

    def _select(self, i: int) -> None:
        self.errors.clear()
        if not 0 <= i < len(self._meters):
            self._show_live(None)
            return
        m = self._meters[i]
        self._loading = True
        self.driver.setCurrentText(str(m.get("driver", "simulated")))
        self.resource.setCurrentText(str(m.get("resource", "")))
        self.elements.setText(join(m.get("element", 1)))
        self.simulate.setChecked(bool((m.get("options") or {}).get("simulate")))
        self.rate.setValue(float(m.get("rate_hz", RATE.default)))
        self.role.setCurrentIndex(max(0, self.role.findData(
            m.get("role", _default_role(self.driver.currentText())))))
        due = m.get("calibration_due")
        self.has_due.setChecked(isinstance(due, _dt.date))
        self.due.setDate(QDate(due.year, due.month, due.day) if isinstance(due, _dt.date)
                         else QDate.currentDate().addYears(1))
        self._loading = False
        self._update_resource_hint()
        self._update_due_note()
        self._show_live(i)

    # --- editing ---------------------------------------------------------------------------

    def _driver_changed(self, name: str) -> None:
        if not self._loading:
            self._loading = True
            self.role.setCurrentIndex(self.role.findData(_default_role(name)))
            self._loading = False
        self._update_resource_hint()
        self._commit()

    def _update_resource_hint(self) -> None:
        name = self.driver.currentText()
        can_simulate = bool(sim_resources(name))
        self.simulate.setEnabled(can_simulate)
        if not can_simulate and self.simulate.isChecked():
            self.simulate.setChecked(False)
        self.resource.lineEdit().setPlaceholderText(
            self.tr("empty: the run's own simulator") if name == "simulated"
            else self.tr("not needed") if not driver_class(name).needs_resource
            else "TCPIP0::192.168.1.20::inst0::INSTR")

    def _simulate_toggled(self, on: bool) -> None:
        """Ticked: the resource becomes one the simulated instrument answers on (the real one is
        kept, and comes back when unticked)."""
        i = self.list.currentRow()
        if not self._loading and 0 <= i < len(self._meters):
            names = sim_resources(self.driver.currentText())
            current = self.resource.currentText().strip()
            self._loading = True
            if on and names and current not in names:
                self._real_resource[i] = current
                self.resource.setCurrentText(names[0])
            elif not on and current in names:
                self.resource.setCurrentText(self._real_resource.pop(i, ""))
            self._loading = False
        self._commit()

    def _commit(self) -> None:
        """Write the form into the selected meter's table."""
        if self._loading:
            return
        i = self.list.currentRow()
        if not 0 <= i < len(self._meters):
            return
        m = self._meters[i]
        driver = self.driver.currentText()
        m["driver"] = driver
        resource = self.resource.currentText().strip()
        if resource:
            m["resource"] = resource
        else:
            m.pop("resource", None)
        text = self.elements.text().strip()
        try:
            els = int_list(text)
        except ValueError:
            m["element"] = text
        else:
            if els == [1] or not els:
                m.pop("element", None)
            else:
                m["element"] = els[0] if len(els) == 1 else els
        rate = round(self.rate.value(), 1)
        if rate == RATE.default:
            m.pop("rate_hz", None)
        else:
            m["rate_hz"] = int(rate) if rate.is_integer() else rate
        role = str(self.role.currentData())
        if role == _default_role(driver):
            m.pop("role", None)
        else:
            m["role"] = role
        options = dict(m.get("options") or {})
        if self.simulate.isChecked() and self.simulate.isEnabled():
            options["simulate"] = True
        else:
            options.pop("simulate", None)
        if options:
            m["options"] = options
        else:
            m.pop("options", None)
        if self.has_due.isChecked():
            m["calibration_due"] = self.due.date().toPython()
        else:
            m.pop("calibration_due", None)
        self.due.setEnabled(self.has_due.isChecked())
        self._update_due_note()
        self._loading = True
        self.list.item(i).setText(self._describe(i, m))
        self._loading = False

    def _update_due_note(self) -> None:
        self.due.setEnabled(self.has_due.isChecked())
        if not self.has_due.isChecked():
            self.due_note.setText(self.tr("No calibration date recorded."))
            self.due_note.setStyleSheet("")
            return
        due = self.due.date().toPython()
        if due < _dt.date.today():
            self.due_note.setText(self.tr("Calibration expired on {0}: recalibrate the meter, or "
                                          "allow expired calibration below.").format(due.isoformat()))
            self.due_note.setStyleSheet("color: #b00020;")
        else:
            self.due_note.setText(self.tr("Calibration valid until {0}.").format(due.isoformat()))
            self.due_note.setStyleSheet("")

    # --- discovery -------------------------------------------------------------------------

    def discover(self) -> None:
        """List VISA and serial resources, off the GUI thread."""
        self.find_button.setEnabled(False)
        self.found.setText(self.tr("Searching…"))
        workers.submit(list_resources, 3.0, done=self._discovered, failed=self._not_discovered)

    def _discovered(self, found: list[dict[str, str]]) -> None:
        self.find_button.setEnabled(True)
        names = [r["resource"] for r in found if r.get("resource")]
        notes = [r["note"] for r in found if r.get("note")]
        keep = self.resource.currentText()
        self._loading = True
        self.resource.clear()
        self.resource.addItems(names)
        self.resource.setCurrentText(keep)
        self._loading = False
        if names:
            text = self.tr("Found: {0}").format(", ".join(names))
        else:
            text = self.tr("No instruments found. Check the cable and that the instrument is "
                           "switched on; a network instrument can be typed in as "
                           "TCPIP0::address::inst0::INSTR.")
        self.found.setText(" ".join([text, *notes]))

    def _not_discovered(self, message: str) -> None:
        self.find_button.setEnabled(True)
        self.found.setText(self.tr("The search for instruments failed: {0}").format(message))

    # --- live preview ----------------------------------------------------------------------

    def toggle_connection(self) -> None:
        i = self.list.currentRow()
        if i in self._previews:
            self._stop_preview(i)
        else:
            self.connect_meter(i)

    def connect_meter(self, i: int) -> None:
        """Open, identify and configure meter ``i`` and read it live until disconnected."""
        if not 0 <= i < len(self._meters):
            return
        m = self._meters[i]
        els = m.get("element", 1)
        try:
            elements = tuple(els) if isinstance(els, list) else (int(els),)
        except (TypeError, ValueError):
            self.errors.show("element", self.tr("Give element numbers like 1 or 1, 2."))
            return
        simulated = bool((m.get("options") or {}).get("simulate"))
        if not m.get("resource") and driver_class(str(m.get("driver"))).needs_resource \
                and not simulated:
            self.errors.show("resource", self.tr(
                "Give the instrument's resource, like TCPIP0::192.168.1.20::inst0::INSTR or a "
                "serial port; press Find instruments to list them, or tick “a simulated "
                "instrument of this make”."))
            return
        preview = MeterPreview(str(m["driver"]), str(m.get("resource", "")), elements,
                               float(m.get("rate_hz", 10.0)), self,
                               options=dict(m.get("options") or {}))
        self._previews[i] = preview
        self._live[i] = {"status": self.tr("Connecting…"), "identity": None, "reading": None,
                         "error": False}
        preview.identified.connect(lambda ident, p=preview: self._on_identity(p, ident))
        preview.reading_ready.connect(lambda p=preview: self._on_reading(p))
        preview.failed.connect(lambda msg, p=preview: self._on_failed(p, msg))
        preview.finished.connect(lambda p=preview: self._on_finished(p))
        preview.start()
        self._show_live(i)

    def _row_of(self, preview: MeterPreview) -> int | None:
        for k, p in self._previews.items():
            if p is preview:
                return k
        return None

    def _on_identity(self, preview: MeterPreview, ident: Identity) -> None:
        i = self._row_of(preview)
        if i is not None:
            self._live[i].update(identity=ident, status=self.tr("Connected; reading live."))
            self._show_live(i)

    def _on_reading(self, preview: MeterPreview) -> None:
        reading = preview.take()
        i = self._row_of(preview)
        if i is not None and reading is not None:
            self._live[i]["reading"] = reading
            if i == self.list.currentRow():
                self.live.show_reading(reading)

    def _on_failed(self, preview: MeterPreview, message: str) -> None:
        i = self._row_of(preview)
        if i is not None:
            self._live[i].update(status=message, error=True)
            self._show_live(i)

    def _on_finished(self, preview: MeterPreview) -> None:
        i = self._row_of(preview)
        if i is not None:
            del self._previews[i]
            live = self._live.get(i, {})
            if not live.get("error"):
                live["status"] = self.tr("Disconnected.")
            self._show_live(i)
        preview.deleteLater()
        self._maybe_released()

    def _stop_preview(self, i: int) -> None:
        p = self._previews.get(i)
        if p is not None:
            p.stop()
            self._live.setdefault(i, {})["status"] = self.tr("Letting go of the instrument…")
            self._show_live(i)

    def _show_live(self, i: int | None) -> None:
        if i is None:
            self.live.show_state(False, "", False, None, None)
        elif i == self.list.currentRow():
            live = self._live.get(i, {})
            self.live.show_state(i in self._previews, live.get("status", ""),
                                 bool(live.get("error")), live.get("identity"),
                                 live.get("reading"))

    def connected(self) -> int:
        """How many instruments the app holds now."""
        return len(self._previews)

    # --- letting go ------------------------------------------------------------------------

    def release(self, then: Callable[[], None] | None = None) -> None:
        """Let go of every instrument; ``then()`` follows once all are closed."""
        if then is not None:
            self._waiting.append(then)
        for i in list(self._previews):
            self._stop_preview(i)
        self._maybe_released()

    def _maybe_released(self) -> None:
        if self._previews:
            return
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then()


def _default_role(driver: str) -> str:
    return driver_class(driver).default_role


RATE = plan_schema.key("meters[].rate_hz")
