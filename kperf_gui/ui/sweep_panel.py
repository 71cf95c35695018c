"""The sweep editor: lengths, concurrent users, precision labels and how much to measure per
point, with the K-Perf presets. For on-device targets (whole inferences, no prompts) the lengths
are not used: they are switched off and left out of the plan, and users read as parallel jobs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from kperf_gui.session import plan_schema
from kperf_gui.session.plan import PlanError
from kperf_gui.session.plan import value as plan_value
from kperf_gui.session.plan_schema import TOKEN_KINDS

from . import presets
from .event_text import duration
from .forms import FieldError, FieldErrors, int_list, join, label_list

IDLE = plan_schema.key("sweep.idle_baseline_s")


class SweepPanel(QWidget):
    """Fields of ``[sweep]``. ``preset_chosen(path)`` when a preset is picked;
    ``open_plan``/``save_plan`` for the plan file buttons."""

    preset_chosen = Signal(Path)
    open_plan = Signal()
    save_plan = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.errors = FieldErrors()
        self.preset = QComboBox()
        self.preset.addItem(self.tr("Choose a K-Perf preset…"), None)
        for title, path in presets.available():
            self.preset.addItem(title, path)
        self.preset.setToolTip(self.tr("A preset sets the session name, the model and the whole "
                                       "sweep; people, endpoint and instruments stay."))
        self.preset.activated.connect(self._preset)
        open_button = QPushButton(self.tr("Open plan…"))
        open_button.clicked.connect(self.open_plan)
        save_button = QPushButton(self.tr("Save plan…"))
        save_button.clicked.connect(self.save_plan)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Preset")))
        top.addWidget(self.preset, 1)
        top.addWidget(open_button)
        top.addWidget(save_button)

        self.input_tokens = QLineEdit()
        self.input_tokens.setPlaceholderText("128, 1024, 4096")
        self.output_tokens = QLineEdit()
        self.output_tokens.setPlaceholderText("128, 1024")
        self.concurrency = QLineEdit()
        self.concurrency.setPlaceholderText("1, 8, 32, 64")
        self.precision = QLineEdit()
        self.precision.setPlaceholderText(self.tr("e.g. bf16, fp8 (empty: default)"))
        self.uses_tokens = True
        self.concurrency_label = QLabel()
        grid = QGroupBox(self.tr("Input/output variable range"))
        form = QFormLayout(grid)
        form.addRow(self.tr("Input lengths (tokens)"),
                    self.errors.field("sweep.input_tokens", self.input_tokens))
        form.addRow(self.tr("Output lengths (tokens)"),
                    self.errors.field("sweep.output_tokens", self.output_tokens))
        form.addRow(self.concurrency_label,
                    self.errors.field("sweep.concurrency", self.concurrency))
        form.addRow(self.tr("Precision labels"),
                    self.errors.field("sweep.precision", self.precision))

        self.by_requests = QRadioButton()
        self.by_seconds = QRadioButton(self.tr("Seconds per point"))
        group = QButtonGroup(self)
        group.addButton(self.by_requests)
        group.addButton(self.by_seconds)
        self.requests = QSpinBox()
        self.requests.setRange(1, int(plan_schema.key("sweep.requests_per_point").high or 1))
        self.requests.setValue(64)
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.1, plan_schema.key("sweep.seconds_per_point").high or 0.1)
        self.seconds.setDecimals(1)
        self.seconds.setValue(30.0)
        self.seconds.setSuffix(" s")
        self.warmup_default = QCheckBox()
        self.warmup = QSpinBox()
        self.warmup.setRange(0, int(plan_schema.key("sweep.warmup_requests").high or 0))
        warm_row = QWidget()
        wl = QHBoxLayout(warm_row)
        wl.setContentsMargins(0, 0, 0, 0)
        wl.addWidget(self.warmup_default)
        wl.addWidget(self.warmup, 1)
        self.idle = QDoubleSpinBox()
        self.idle.setRange(0.0, IDLE.high or 0.0)
        self.idle.setDecimals(1)
        self.idle.setSuffix(" s")
        amount = QGroupBox(self.tr("How much is measured"))
        aform = QFormLayout(amount)
        aform.addRow(self.by_requests, self.errors.field("sweep.requests_per_point", self.requests))
        aform.addRow(self.by_seconds, self.errors.field("sweep.seconds_per_point", self.seconds))
        self.warmup_label = QLabel()
        aform.addRow(self.warmup_label, self.errors.field("sweep.warmup_requests", warm_row))
        aform.addRow(self.tr("Idle baseline before the sweep"),
                     self.errors.field("sweep.idle_baseline_s", self.idle))

        self.count = QLabel()
        self.count.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        body = QHBoxLayout()
        body.addWidget(grid, 1)
        body.addWidget(amount, 1)
        layout.addLayout(body)
        layout.addWidget(self.count)
        layout.addStretch(1)

        self.by_requests.toggled.connect(self._amount_changed)
        self.warmup_default.toggled.connect(self._amount_changed)
        for w in (self.input_tokens, self.output_tokens, self.concurrency, self.precision):
            w.textChanged.connect(self._update_count)
        for key, w in self._lists():
            w.textChanged.connect(lambda _text, key=key: self.check_field(key))
        self.seconds.valueChanged.connect(self._update_count)
        self.by_requests.setChecked(True)
        self.warmup_default.setChecked(True)
        self.set_target_kind("simulated")

    def set_target_kind(self, kind: str) -> None:
        """Lengths and users for a language model; none and parallel jobs on a device."""
        self.uses_tokens = kind in TOKEN_KINDS
        why = "" if self.uses_tokens else self.tr(
            "Not used: an on-device target runs whole inferences, with no prompt or answer "
            "lengths. The plan leaves them out.")
        for w in (self.input_tokens, self.output_tokens):
            w.setEnabled(self.uses_tokens)
            w.setToolTip(why)
        if self.uses_tokens:
            self.concurrency_label.setText(self.tr("Concurrent users"))
            self.by_requests.setText(self.tr("Requests per point"))
            self.warmup_label.setText(self.tr("Warm-up requests per point"))
            self.warmup_default.setText(self.tr("as many as concurrent users"))
        else:
            self.concurrency_label.setText(self.tr("Parallel jobs"))
            self.by_requests.setText(self.tr("Inferences per point"))
            self.warmup_label.setText(self.tr("Warm-up inferences per point"))
            self.warmup_default.setText(self.tr("as many as parallel jobs"))
        self._amount_changed()
        for key, w in self._lists():
            if self.errors.message(key) or not w.isEnabled():
                self.check_field(key)

    def _lists(self) -> tuple[tuple[str, QLineEdit], ...]:
        return (("sweep.input_tokens", self.input_tokens),
                ("sweep.output_tokens", self.output_tokens),
                ("sweep.concurrency", self.concurrency), ("sweep.precision", self.precision))

    def field_problem(self, key: str) -> str:
        """What is wrong with the list field of plan key ``key``, by the plan's own rules
        (:func:`kperf_gui.session.plan.value` with the key's schema line), in the app's
        language; empty when the plan would take it."""
        k = plan_schema.key(key)
        w = dict(self._lists())[key]
        if not w.isEnabled():
            return ""
        parts = label_list(w.text())
        if not parts:
            needed = ("simulated" if self.uses_tokens else "deepx") in k.required
            return self.tr("Give at least one value.") if needed else ""
        if k.type == "wholes":
            numbers = []
            for part in parts:
                try:
                    numbers.append(int(part))
                except ValueError:
                    return self.tr("“{0}” is not a whole number. Give whole numbers separated by "
                                   "commas, like 1, 8, 32.").format(part)
                if k.check_number(numbers[-1]) is not None:
                    return self.tr("{0} is out of range: each value must be {1} to {2}.").format(
                        part, f"{k.low:,.0f}", f"{k.high:,.0f}")
            given: list[object] = numbers
        else:
            given = list(parts)
        if len(set(given)) != len(given):
            return self.tr("A value is given twice; give each once.")
        if len(given) > k.most:
            return self.tr("At most {0} values.").format(k.most)
        try:
            plan_value(k, given, key)
        except PlanError as exc:  # a rule of the plan's not said above: in the plan's words
            return exc.message
        return ""

    def check_field(self, key: str) -> bool:
        """Show what is wrong with ``key``'s field under it, or take away a message that no
        longer holds; True when the plan would take the field."""
        problem = self.field_problem(key)
        if problem:
            self.errors.show(key, problem)
        else:
            self.errors.clear_one(key)
        return not problem

    def check_fields(self) -> bool:
        """Check every list field (as typing does); True when the plan would take them all."""
        return all([self.check_field(key) for key, _ in self._lists()])

    def _preset(self, index: int) -> None:
        path = self.preset.itemData(index)
        if path is not None:
            self.preset_chosen.emit(path)
        self.preset.setCurrentIndex(0)

    def _amount_changed(self) -> None:
        self.requests.setEnabled(self.by_requests.isChecked())
        self.seconds.setEnabled(self.by_seconds.isChecked())
        self.warmup.setEnabled(not self.warmup_default.isChecked())
        self._update_count()

    def _update_count(self) -> None:
        try:
            n = 1
            lists = [self.concurrency] + ([self.input_tokens, self.output_tokens]
                                          if self.uses_tokens else [])
            for w in lists:
                n *= max(1, len(int_list(w.text())))
            n *= max(1, len(label_list(self.precision.text())))
        except ValueError:
            self.count.setText("")
            return
        text = self.tr("%n sweep point(s)", "", n)
        if self.by_seconds.isChecked():
            text += " · " + self.tr("about {0} of measuring, plus warm-up").format(
                duration(n * self.seconds.value()))
        self.count.setText(text)

    # --- plan ------------------------------------------------------------------------------

    def read_plan(self, d: dict[str, Any]) -> None:
        s = d.get("sweep", {})
        self.input_tokens.setText(join(s.get("input_tokens", "")))
        self.output_tokens.setText(join(s.get("output_tokens", "")))
        self.concurrency.setText(join(s.get("concurrency", "")))
        prec = s.get("precision", [])
        self.precision.setText(join(prec if prec != ["default"] else []))
        if "seconds_per_point" in s:
            self.by_seconds.setChecked(True)
            self.seconds.setValue(float(s["seconds_per_point"]))
        else:
            self.by_requests.setChecked(True)
            if isinstance(s.get("requests_per_point"), int):
                self.requests.setValue(s["requests_per_point"])
        warm = s.get("warmup_requests")
        self.warmup_default.setChecked(not isinstance(warm, int))
        if isinstance(warm, int):
            self.warmup.setValue(warm)
        self.idle.setValue(float(s.get("idle_baseline_s", IDLE.default)))
        self._amount_changed()

    def write_plan(self, d: dict[str, Any]) -> None:
        """Put the fields into ``d["sweep"]``; :class:`FieldError` for a list that cannot be
        read."""
        s = d.setdefault("sweep", {})
        for key, w in (("input_tokens", self.input_tokens), ("output_tokens", self.output_tokens),
                       ("concurrency", self.concurrency)):
            if key != "concurrency" and not self.uses_tokens:
                s.pop(key, None)
                continue
            problem = self.field_problem(f"sweep.{key}") if w.text().strip() else ""
            if problem:
                raise FieldError(f"sweep.{key}", problem)
            values = int_list(w.text())
            if values:
                s[key] = values
            else:
                s.pop(key, None)
        problem = self.field_problem("sweep.precision")
        if problem:
            raise FieldError("sweep.precision", problem)
        labels = label_list(self.precision.text())
        if labels:
            s["precision"] = labels
        else:
            s.pop("precision", None)
        if self.by_requests.isChecked():
            s["requests_per_point"] = self.requests.value()
            s.pop("seconds_per_point", None)
        else:
            secs = round(self.seconds.value(), 1)
            s["seconds_per_point"] = int(secs) if secs.is_integer() else secs
            s.pop("requests_per_point", None)
        if self.warmup_default.isChecked():
            s.pop("warmup_requests", None)
        else:
            s["warmup_requests"] = self.warmup.value()
        idle = round(self.idle.value(), 1)
        s["idle_baseline_s"] = int(idle) if idle.is_integer() else idle

    def show_error(self, key: str, message: str) -> QWidget | None:
        return self.errors.show(key, message)
