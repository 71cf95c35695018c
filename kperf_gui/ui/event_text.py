"""Each run event as a line for the log pane, in the app's language; throughput in tokens/s, or
in inferences/s where the run's unit is ``inference``."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication

READINGS = ("interval",)
translate = QCoreApplication.translate


def _n(v: Any, digits: int = 1) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def duration(seconds: float | None) -> str:
    """``1 h 02 min``, ``3 min 05 s``, ``42 s``; a dash when unknown."""
    if seconds is None:
        return "—"
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        return translate("Events", "{0} h {1:02d} min").format(h, m)
    if m:
        return translate("Events", "{0} min {1:02d} s").format(m, sec)
    return translate("Events", "{0} s").format(sec)


def point_text(ev: dict[str, Any], unit: str = "token") -> str:
    """``bf16 · 128 in / 32 out · 8 users`` for a point_started event (``default · 4 jobs`` for
    inferences)."""
    parts = [str(ev.get("precision", ""))]
    if ev.get("input_tokens") is not None:
        parts.append(translate("Events", "{0} in / {1} out")
                     .format(ev.get("input_tokens"), ev.get("output_tokens")))
    if unit == "inference":
        parts.append(translate("Events", "{0} parallel job(s)").format(ev.get("concurrency")))
    else:
        parts.append(translate("Events", "{0} users").format(ev.get("concurrency")))
    return " · ".join(p for p in parts if p)


def phase_text(phase: str, point: Any = None) -> str:
    texts = {
        "idle_baseline": translate("Events", "Measuring the idle baseline (no load)"),
        "warmup": translate("Events", "Warm-up"),
        "measuring": translate("Events", "Measuring"),
        "paused": translate("Events", "Paused"),
        "resumed": translate("Events", "Resumed"),
        "waiting": translate("Events", "Waiting for the operator"),
    }
    text = texts.get(phase, phase)
    if point:
        text = translate("Events", "Point {0}: {1}").format(point, text)
    return text


def status_text(status: str) -> str:
    texts = {"finished": translate("Events", "finished"),
             "stopped": translate("Events", "stopped"),
             "aborted": translate("Events", "aborted"),
             "failed": translate("Events", "failed"),
             "interrupted": translate("Events", "interrupted"),
             "running": translate("Events", "running")}
    return texts.get(status, status)


def describe(ev: dict[str, Any], unit: str = "token") -> tuple[str, str]:
    """``(level, text)`` for one event of a run whose unit is ``unit``; level is info, warning
    or error."""
    kind = ev.get("event")
    if kind == "session":
        meters = ", ".join(f"{m.get('name')} ({m.get('role')})" for m in ev.get("meters") or [])
        return "info", translate("Events", "Session {0}: {1} point(s), saved in {2}. Meters: {3}") \
            .format(ev.get("name"), ev.get("points"), ev.get("dir"),
                    meters or translate("Events", "none"))
    if kind == "phase":
        return "info", phase_text(str(ev.get("phase")), ev.get("point"))
    if kind == "point_started":
        return "info", translate("Events", "Point {0} of {1} started: {2}") \
            .format(ev.get("point"), ev.get("of"), point_text(ev, unit))
    if kind == "interval":
        rate = (translate("Events", "{0} inferences/s") if unit == "inference"
                else translate("Events", "{0} output tokens/s"))
        return "info", (translate("Events", "Wall power {0} W").format(_n(ev.get("watts")))
                        + " · " + rate.format(_n(ev.get("tokens_per_s"), 0)))
    if kind == "progress":
        return "info", translate("Events", "Point {0} of {1}: {2} of {3} done, about {4} left") \
            .format(ev.get("point"), ev.get("of"), _n(ev.get("done"), 0),
                    _n(ev.get("total"), 0), duration(ev.get("left_s")))
    if kind == "point_finished":
        row = ev.get("summary") or {}
        valid = row.get("valid") in (True, "true", "True", 1)
        per_inference = (row.get("unit") or unit) == "inference"
        text = (translate("Events", "Point {0} finished: {1} inferences/s, {2} W, {3} J/inference")
                if per_inference else
                translate("Events", "Point {0} finished: {1} tokens/s, {2} W, {3} J/token")).format(
            ev.get("point"), _n(row.get("output_tokens_per_s")), _n(row.get("power_w_mean")),
            _n(row.get("joules_per_output_token"), 3))
        if not valid:
            reason = translate("Events", "INVALID: {0}").format(row.get("invalid_reason"))
            return "warning", f"{text} · {reason}"
        return "info", text
    if kind == "operator_action":
        return "warning", translate("Events", "Operator: {0}").format(ev.get("message"))
    if kind == "log":
        level = str(ev.get("level", "info"))
        return (level if level in ("info", "warning", "error") else "info"), str(ev.get("message"))
    if kind == "finished":
        level = "info" if ev.get("status") == "finished" else "warning"
        return level, translate("Events", "Run {0} (exit code {1}). Session folder: {2}").format(
            status_text(str(ev.get("status"))), ev.get("exit_code"), ev.get("dir"))
    return "info", str(ev)
