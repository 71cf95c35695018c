"""Readers for what vendor benchmark programs print.

A parser takes the program's whole output (stdout and stderr, merged, as text) and a context
dict, and returns a :class:`ParsedOutput` or raises :class:`ParseError` with a short reason. The
context holds ``argv`` (the command as run), ``cwd`` (its working folder or None),
``started_epoch_s`` (wall-clock start, to find report files the program wrote) and, for the
``regex`` parser, ``regex`` (field name -> expression).

Positions (``window_start_at``, ``window_end_at``) are character offsets into the output; the
caller knows when each piece of output arrived and turns them into times. A parser reports a
window in one of two ways: a measured duration ``window_s`` that ended where the report was
printed (``window_end_at``), or the places where measuring started and ended. Where a program
reports neither, ``window_*`` stay None.

Registry: :data:`PARSERS` maps a plan's ``target.parser`` name to its function.
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

REGEX_FIELDS = ("throughput", "latency_ms", "latency_p99_ms", "power_w", "inferences", "window_s")
_NUM = r"([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"


class ParseError(Exception):
    """The output does not hold what the parser needs; the message says what is missing."""


@dataclass
class ParsedOutput:
    """What a parser read. Units: per second, milliseconds, watts, seconds."""

    throughput_per_s: float | None = None
    latency_ms_mean: float | None = None
    latency_ms_p99: float | None = None
    power_w: float | None = None
    inferences: float | None = None
    window_s: float | None = None
    window_start_at: int | None = None
    window_end_at: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _last(pattern: str, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    stop = len(text) if end is None else end
    matches = list(re.compile(pattern, re.MULTILINE).finditer(text, start, stop))
    return matches[-1] if matches else None


def _p99(values: list[float]) -> float | None:
    return float(np.percentile(values, 99)) if len(values) >= 2 else None


def _watts(value: str, unit: str) -> float:
    return float(value) / 1000.0 if unit.lower() == "mw" else float(value)


def _option(argv: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in argv, else None."""
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg[len(name) + 1:]
    return None


def _resolve(path: str, cwd: str | None) -> Path:
    p = Path(path)
    return p if p.is_absolute() or cwd is None else Path(cwd) / p


def parse_dxbenchmark(output: str, context: dict) -> ParsedOutput:
    """DEEPX ``dxbenchmark`` (DX-RT ``cli/dxbenchmark``).

    dxbenchmark prints versions and device choices, then writes its results to files in
    ``--result-path`` (default ``.``) named ``DXBENCHMARK_<time>.json`` / ``.csv`` (``Reporter::
    makeData`` in ``cli/dxbenchmark/core/src/render.cpp``). The JSON holds ``results``, each with
    ``"Model Name"``, ``"FPS"``, ``"NPU Inference Time": {mean, sd, cv}`` and ``"Latency": {mean,
    sd, cv}``, times in milliseconds (``Runner::Run`` divides DX-RT's microseconds by 1000). The CSV
    header reads ``Runtime Version,...,Model Name,FPS,NPU Inference Time Mean,...,Latency Mean,...``.
    A report path (``DXBENCHMARK_*``) printed in the output is read first; otherwise the newest
    report written in ``--result-path`` since the program started. One model per run: point
    ``--dir`` at a folder holding only the model under test. dxbenchmark reports no measuring
    interval.
    """
    row, path = _dxbenchmark_row(output, context)
    npu = row.get("npu_ms")
    extra: dict[str, Any] = {"report_file": str(path), "model": row["model"]}
    if npu is not None:
        extra["npu_time_ms_mean"] = npu
    return ParsedOutput(throughput_per_s=row["fps"], latency_ms_mean=row.get("latency_ms"), extra=extra)


def _dxbenchmark_row(output: str, context: dict) -> tuple[dict[str, Any], Path]:
    cwd = context.get("cwd")
    printed = [_resolve(m.group(1), cwd)
               for m in re.finditer(r"(\S*DXBENCHMARK_\S*\.(?:json|csv))\b", output)]
    candidates = [p for p in printed if p.is_file()]
    if not candidates:
        folder = _resolve(_option(list(context.get("argv", ())), "--result-path") or ".", cwd)
        since = float(context.get("started_epoch_s", 0.0)) - 1.0
        found = [p for p in folder.glob("DXBENCHMARK_*") if p.suffix in (".json", ".csv")
                 and p.stat().st_mtime >= since] if folder.is_dir() else []
        found.sort(key=lambda p: (p.stat().st_mtime, p.suffix == ".json"))
        candidates = found[-1:]
        if not candidates:
            raise ParseError(f"no DXBENCHMARK_*.json or .csv report was written in {folder}")
    path = candidates[-1]
    rows = _dxbenchmark_json(path) if path.suffix == ".json" else None
    if rows is None:
        csv_path = path.with_suffix(".csv")
        if not csv_path.is_file():
            raise ParseError(f"the report {path} could not be read")
        path, rows = csv_path, _dxbenchmark_csv(csv_path)
    if len(rows) != 1:
        raise ParseError(f"the report {path} holds {len(rows)} models; one point measures one model")
    return rows[0], path


def _dxbenchmark_json(path: Path) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        return [{"model": r["Model Name"], "fps": float(r["FPS"]),
                 "latency_ms": float(r["Latency"]["mean"]),
                 "npu_ms": float(r["NPU Inference Time"]["mean"])} for r in data["results"]]
    except (ValueError, KeyError, TypeError):
        return None


def _dxbenchmark_csv(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as f:
            return [{"model": r["Model Name"], "fps": float(r["FPS"]),
                     "latency_ms": float(r["Latency Mean"]),
                     "npu_ms": float(r["NPU Inference Time Mean"])} for r in csv.DictReader(f)]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError(f"the report {path} lacks a readable column ({exc})") from None


def parse_run_model(output: str, context: dict) -> ParsedOutput:
    """DEEPX ``run_model`` (DX-RT ``cli/run_model.cpp``).

    ``PrintInfResult`` prints a block framed by ``=`` lines: ``* Benchmark Result (N inputs)``
    (older releases: ``* Benchmark Result(3 Cores)``), then ``  - FPS : 411.50`` or, with
    ``--verbose``, ``  - NPU Processing Time Average : 1.234 ms``, ``  - Latency Average : 5.678
    ms`` and ``  - FPS : 411.50`` (older: ``Total Latency``). With ``-t`` it first prints
    ``Inference by time: total-inference-time=30.0012(s) total-loops=12345``: the measured
    duration and count, ending where that line appears. ``--single`` prints one block per
    inference; then throughput is the count over the summed per-inference times.
    """
    fps = [(float(m.group(1)), m) for m in
           re.finditer(r"^\s*-\s*FPS\s*:\s*" + _NUM, output, re.MULTILINE)]
    if not fps:
        raise ParseError("no '- FPS :' line was printed")
    lat = [float(m.group(1)) for m in re.finditer(
        r"^\s*-\s*(?:Total\s+)?Latency(?:\s+Average)?\s*:\s*" + _NUM + r"\s*ms", output, re.MULTILINE)]
    npu = [float(m.group(1)) for m in re.finditer(
        r"^\s*-\s*NPU Processing Time(?:\s+Average)?\s*:\s*" + _NUM + r"\s*ms", output, re.MULTILINE)]
    result = ParsedOutput(latency_ms_mean=float(np.mean(lat)) if lat else None,
                          latency_ms_p99=_p99(lat))
    if npu:
        result.extra["npu_time_ms_mean"] = float(np.mean(npu))
    by_time = _last(r"total-inference-time=" + _NUM + r"\(s\)\s+total-loops=(\d+)", output)
    if len(fps) > 1 and "Single Mode" in output:
        seconds = sum(1.0 / f for f, _ in fps if f > 0)
        result.inferences = float(len(fps))
        result.window_s = seconds
        result.window_end_at = fps[-1][1].start()
        result.throughput_per_s = len(fps) / seconds if seconds > 0 else None
        return result
    result.throughput_per_s = fps[-1][0]
    if by_time:
        result.window_s = float(by_time.group(1))
        result.inferences = float(by_time.group(2))
        result.window_end_at = by_time.start()
    else:
        count = _last(r"\* Benchmark Result \((\d+) inputs\)", output)
        if count:
            result.inferences = float(count.group(1))
    return result


def parse_hailortcli(output: str, context: dict) -> ParsedOutput:
    """Hailo ``hailortcli benchmark`` and ``hailortcli run`` (HailoRT ``hailort/hailortcli``).

    ``benchmark`` (``benchmark_command.cpp``) measures hw_only, then streaming (with power), then
    latency, announcing each: ``Measuring FPS and Power in streaming mode`` (older: ``Measuring
    FPS (and Power on supported platforms) in streaming mode``), ``Measuring HW Latency``. Its
    summary reads ``FPS (hw_only) = ...``, ``(streaming) = ...``, ``Latency (hw) = 2.93 ms`` and
    ``Power in streaming mode (average) = 3.19 W``. The streaming phase is the window and its FPS
    the throughput. The 2025 sources run it through run2 instead and print ``<net>: FPS:
    1327.91`` and ``  power: mean=3.18 min=3.10 max=3.25`` under ``Summary``, with no phases (no
    window). ``run`` (``infer_stats_printer.cpp``) prints ``> Inference result:`` then per network
    group ``Frames count: N``, ``FPS: X``, ``HW Latency: X ms`` / ``Overall Latency: X ms`` and,
    when measured, ``Average power consumption: X W``; frames over FPS is the measured duration,
    ending where the result was printed. Where ``run --csv`` names its file (``> Writing inference
    results to 'PATH'``), FPS, frames and average power are read from it.
    """
    if re.search(r"^\s*\(streaming\)\s*=", output, re.MULTILINE):
        return _hailo_benchmark_phases(output)
    summary = _last(r"^=+\s*\nSummary\s*\n=+\s*$", output)
    if summary:
        return _hailo_benchmark_run2(output, summary.end())
    result = _last(r"^.*> Inference result:", output)
    if result:
        return _hailo_run(output, result, context)
    raise ParseError("neither a benchmark 'Summary' nor a '> Inference result:' was printed")


def _hailo_benchmark_phases(output: str) -> ParsedOutput:
    fps = _last(r"^\s*\(streaming\)\s*=\s*" + _NUM, output)
    if fps is None:
        raise ParseError("the benchmark printed no '(streaming) =' FPS line")
    start = _last(r"^Measuring FPS\b[^\n]*\bin streaming mode", output)
    end = (_last(r"^Measuring HW Latency", output) or _last(r"^=+\s*\nSummary", output))
    result = ParsedOutput(throughput_per_s=float(fps.group(1)))
    hw_only = _last(r"^FPS\s+\(hw_only\)\s*=\s*" + _NUM, output)
    if hw_only:
        result.extra["hw_only_fps"] = float(hw_only.group(1))
    latency = _last(r"^Latency \(hw\)\s*=\s*" + _NUM + r"\s*ms", output)
    if latency:
        result.latency_ms_mean = float(latency.group(1))
    power = _last(r"Power in streaming mode \(average\)\s*=\s*" + _NUM + r"\s*(m?W)\b", output)
    if power:
        result.power_w = _watts(power.group(1), power.group(2))
    if start and end and end.start() > start.start():
        result.window_start_at, result.window_end_at = start.end(), end.start()
        frames = _last(r"\|\s*(\d+)\s*\|\s*FPS:", output, start.end(), end.start())
        if frames:
            result.inferences = float(frames.group(1))
    return result


def _hailo_benchmark_run2(output: str, at: int) -> ParsedOutput:
    fps = [float(m.group(1)) for m in re.finditer(r"^\S.*?: FPS: " + _NUM, output[at:], re.MULTILINE)]
    if not fps:
        raise ParseError("the benchmark 'Summary' holds no '<network>: FPS:' line")
    result = ParsedOutput(throughput_per_s=sum(fps))
    power = [float(m.group(1))
             for m in re.finditer(r"^\s+power: mean=" + _NUM, output[at:], re.MULTILINE)]
    if power:
        result.power_w = sum(power)
    return result


def _hailo_run(output: str, marker: re.Match[str], context: dict) -> ParsedOutput:
    at = marker.end()
    tail = output[at:]
    frames = [float(m.group(1)) for m in re.finditer(r"^\s*Frames count:\s*(\d+)", tail, re.MULTILINE)]
    fps = [float(m.group(1)) for m in re.finditer(r"^\s*FPS:\s*" + _NUM, tail, re.MULTILINE)]
    if not fps:
        raise ParseError("the '> Inference result:' holds no 'FPS:' line")
    result = ParsedOutput(throughput_per_s=sum(fps))
    latency = (_last(r"^\s*Overall Latency:\s*" + _NUM + r"\s*ms", tail)
               or _last(r"^\s*HW Latency:\s*" + _NUM + r"\s*ms", tail))
    if latency:
        result.latency_ms_mean = float(latency.group(1))
    power = [_watts(m.group(1), m.group(2)) for m in re.finditer(
        r"^\s*Average power consumption:\s*" + _NUM + r"\s*(m?W)\b", tail, re.MULTILINE)]
    if power:
        result.power_w = sum(power)
    written = _last(r"> Writing inference results to '([^']+)'", output)
    report = _hailo_run_csv(_resolve(written.group(1), context.get("cwd"))) if written else None
    if report:
        path, fps, frames, powers = report
        result.throughput_per_s = sum(fps)
        result.power_w = sum(powers) if powers else result.power_w
        result.extra["report_file"] = str(path)
    if len(frames) == len(fps) and frames:
        result.inferences = sum(frames)
        result.window_s = max(f / r for f, r in zip(frames, fps) if r > 0)
        result.window_end_at = marker.start()
    return result


def _hailo_run_csv(path: Path) -> tuple[Path, list[float], list[float], list[float]] | None:
    """FPS, frames and average power per network group from ``run --csv``, or None."""
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8", errors="replace") as f:
        rows = [r for r in csv.DictReader(f) if r.get("fps")]
    try:
        fps = [float(r["fps"]) for r in rows]
        frames = [float(r["num_of_frames"]) for r in rows if r.get("num_of_frames")]
        powers = [float(r["average_power"]) for r in rows if r.get("average_power")]
    except (ValueError, KeyError):
        return None
    return (path, fps, frames, powers) if fps else None


def parse_rknn_benchmark(output: str, context: dict) -> ParsedOutput:
    """Rockchip ``rknn_benchmark`` (rknn-toolkit2 ``rknpu2/examples/rknn_benchmark``).

    After five warm-up runs it prints ``Begin perf ...``, one ``   0: Elapse Time = 2.79ms, FPS =
    358.42`` line per loop, then ``Avg Time 2.80ms, Avg FPS = 357.143``. Latency statistics come
    from the per-loop times after ``Begin perf``; the measured duration is their sum, ending where
    the ``Avg Time`` line appears. Being a C program, it may hold its output until it exits when
    writing to a pipe; the window is then placed just before the exit.
    """
    begin = _last(r"^Begin perf", output)
    avg = _last(r"^Avg Time\s*" + _NUM + r"\s*ms,\s*Avg FPS\s*=\s*" + _NUM, output)
    if not avg:
        raise ParseError("no 'Avg Time ..., Avg FPS = ...' line was printed")
    start = begin.end() if begin else 0
    times = [float(m.group(1)) for m in re.finditer(
        r"^\s*\d+:\s*Elapse Time\s*=\s*" + _NUM + r"\s*ms", output[start:avg.start()], re.MULTILINE)]
    result = ParsedOutput(throughput_per_s=float(avg.group(2)), latency_ms_mean=float(avg.group(1)),
                          window_end_at=avg.start())
    if begin and times:
        result.latency_ms_mean = float(np.mean(times))
        result.latency_ms_p99 = _p99(times)
        result.inferences = float(len(times))
        result.window_s = sum(times) / 1000.0
    return result


def compile_regex_fields(fields: dict[str, str] | None) -> dict[str, re.Pattern[str]]:
    """Check and compile the plan's expressions for the ``regex`` parser.

    Raises ``ValueError`` with a plain sentence for an unknown field, an expression that does not
    compile, one without exactly one capture group, or a set that can yield no throughput.
    """
    fields = dict(fields or {})
    unknown = sorted(set(fields) - set(REGEX_FIELDS))
    if unknown:
        raise ValueError(f"Unknown regex field {unknown[0]!r}; "
                         f"the fields are {', '.join(REGEX_FIELDS)}.")
    if "throughput" not in fields and "inferences" not in fields:
        raise ValueError("The regex parser needs an expression for 'throughput' or 'inferences'.")
    compiled = {}
    for name, expr in fields.items():
        try:
            pattern = re.compile(expr, re.MULTILINE)
        except re.error as exc:
            raise ValueError(f"The regex for {name!r} does not compile: {exc}.") from None
        if pattern.groups != 1:
            raise ValueError(f"The regex for {name!r} must have exactly one capture group, "
                             f"not {pattern.groups}.")
        compiled[name] = pattern
    return compiled


def parse_regex(output: str, context: dict) -> ParsedOutput:
    """Fields read by the plan's own expressions (``context["regex"]``), each with one capture group.

    ``throughput`` (per second), ``latency_ms``, ``latency_p99_ms``, ``power_w``, ``inferences`` and
    ``window_s`` (the measured duration, taken to end where its match appears). The last match of
    each expression counts.
    """
    patterns = compile_regex_fields(context.get("regex"))
    values: dict[str, float] = {}
    window_at = None
    for name, pattern in patterns.items():
        matches = list(pattern.finditer(output))
        if not matches:
            continue
        try:
            values[name] = float(matches[-1].group(1))
        except (TypeError, ValueError):
            raise ParseError(f"the {name} expression matched {matches[-1].group(1)!r}, "
                             "which is not a number") from None
        if name == "window_s":
            window_at = matches[-1].start()
    if "throughput" not in values and "inferences" not in values:
        raise ParseError("neither the throughput nor the inferences expression matched")
    return ParsedOutput(
        throughput_per_s=values.get("throughput"), latency_ms_mean=values.get("latency_ms"),
        latency_ms_p99=values.get("latency_p99_ms"), power_w=values.get("power_w"),
        inferences=values.get("inferences"), window_s=values.get("window_s"),
        window_end_at=window_at)


PARSERS: dict[str, Callable[[str, dict], ParsedOutput]] = {
    "dxbenchmark": parse_dxbenchmark,
    "run_model": parse_run_model,
    "hailortcli": parse_hailortcli,
    "rknn_benchmark": parse_rknn_benchmark,
    "regex": parse_regex,
}
"""Parser name (``target.parser``) -> parser."""


def check_values(parsed: ParsedOutput) -> None:
    """Refuse values no program can mean (negative or not finite)."""
    for name in ("throughput_per_s", "latency_ms_mean", "latency_ms_p99", "power_w", "inferences",
                 "window_s"):
        value = getattr(parsed, name)
        if value is not None and (not math.isfinite(value) or value < 0):
            raise ParseError(f"{name} read as {value}, which cannot be right")

