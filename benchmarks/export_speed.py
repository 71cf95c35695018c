"""How long the export of a large session takes, and its peak memory.

Builds a session folder whose journal holds 100,000 requests (each with its chunk arrivals) and
36,000 power readings (an hour of one meter at 10 Hz) over a 40-point sweep, written through the
run's own :class:`Journal` with synthetic but realistic values, then exports it with
:func:`kperf_gui.session.export.export` in a child process and prints the time of each part
(reading the journal, results.xlsx, summary.csv, the PNG plots, report.pdf, manifest.json) and the
child's peak resident memory (``ru_maxrss``). Targets: results.xlsx + CSV + PNGs + manifest under
15 s, peak memory under 1 GB.

Usage: python benchmarks/export_speed.py [--quick] [--requests 100000] [--readings 36000]
       [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

NS = 1_000_000_000
INPUTS = (128, 512, 1024, 2048)
OUTPUTS = (64, 128)
CONCURRENCY = (1, 4, 16, 64, 256)

PLAN = f"""[session]
name = "export-speed"
operator = "bench"

[target]
kind = "openai"
base_url = "http://127.0.0.1:8000/v1"
model = "sim-llm"

[[meters]]
driver = "yokogawa-wt300e"
resource = "TCPIP0::10.0.0.2::inst0::INSTR"
calibration_due = 2027-03-31

[sweep]
input_tokens = {list(INPUTS)}
output_tokens = {list(OUTPUTS)}
concurrency = {list(CONCURRENCY)}
"""


def build(folder: Path, n_requests: int, n_readings: int, seed: int = 0) -> None:
    """Write the journal of a finished 40-point session into ``folder``."""
    from kperf_gui.session.journal import Journal
    from kperf_gui.session.records import InstrumentRecord, PointRecord, ReadingRow, RequestRecord
    from kperf_gui.session.sysinfo import record_meta

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    j = Journal(folder / "session.sqlite", flush_s=0.05)
    meta = {"format": "kperf-session/1", "name": "export-speed", "operator": "bench",
            "notes": "", "allow_expired_calibration": "no", "status": "finished",
            "started_utc": "2026-03-14T09:30:00Z", "finished_utc": "2026-03-14T10:30:00Z",
            "anchor_utc": "2026-03-14T09:30:00+00:00", "software": "K-Perf Lab",
            "plan": PLAN, "target_kind": "openai", "target_base_url": "http://127.0.0.1:8000/v1",
            "target_model": "sim-llm", "target_api": "completions", "unit": "token",
            "idle_baseline_s": "10", "prompt_lengths": "exact through the server's /tokenize",
            **record_meta()}
    j.put_meta(meta)
    j.put_instrument(InstrumentRecord(
        id=1, channel="yokogawa-wt300e#1", driver="yokogawa-wt300e",
        resource="TCPIP0::10.0.0.2::inst0::INSTR", role="wall", elements="1", rate_hz=10.0,
        maker="YOKOGAWA", model="WT310E", serial="91K000001", firmware="F1.04",
        calibration_due="2027-03-31", identity_raw="YOKOGAWA,WT310E,91K000001,F1.04",
        config="{}"))
    j.put_event(0, "session", "session export-speed started")
    points = [(i, o, c) for i in INPUTS for o in OUTPUTS for c in CONCURRENCY]
    span_ns = n_readings * NS // 10  # the readings cover the run at 10 Hz
    idle_ns = 10 * NS
    per_point_ns = (span_ns - idle_ns) // len(points)
    per_point = n_requests // len(points)
    rid = 0
    for p, (inp, out, conc) in enumerate(points, start=1):
        start = idle_ns + (p - 1) * per_point_ns
        end = start + per_point_ns
        j.put_point(PointRecord(id=p, precision="default", input_tokens=inp, output_tokens=out,
                                concurrency=conc, model="sim-llm", unit="token", started_ns=start,
                                window_start_ns=start, window_end_ns=end, finished_ns=end,
                                status="finished", note=""))
        count = per_point + (1 if p <= n_requests - per_point * len(points) else 0)
        sent = np.sort(rng.uniform(start, end - 2 * NS, count)).astype(np.int64)
        ttft = rng.gamma(4.0, 0.005 + inp * 2e-5, count)
        itl = 0.006 + conc * 4e-5
        for k in range(count):
            rid += 1
            fail = rng.random() < 0.002
            first = int(sent[k] + ttft[k] * NS)
            gaps = rng.normal(itl, itl * 0.1, out - 1).clip(itl * 0.3) * NS
            times = np.concatenate(([first], first + np.cumsum(gaps))).astype(np.int64)
            chunks = [] if fail else [(int(t), 5) for t in times]
            j.put_request(RequestRecord(
                id=None, point=p, seq=k, warmup=int(k < 2), sent_ns=int(sent[k]),
                first_ns=None if fail else first, last_ns=None if fail else int(times[-1]),
                done_ns=int(times[-1]) + 200_000, ok=int(not fail),
                error="HTTP 503: overloaded" if fail else "", http_status=503 if fail else 200,
                input_tokens_requested=inp, input_tokens_actual=None if fail else inp,
                output_tokens_requested=out, output_tokens=None if fail else out,
                output_tokens_source="usage", chunks=len(chunks), extra="{}",
                prompt_length="exact"), chunks)
        if p % 4 == 0:
            j.flush(120)
    t = np.arange(n_readings, dtype=np.int64) * (NS // 10) + NS // 20
    watts = 180 + 120 * rng.random(n_readings)
    rows = [ReadingRow(1, 1, int(tc), int(tc) - NS // 20, int(tc) + NS // 20, float(w), 230.0,
                       float(w) / 230.0, 0.99, None, ranges="", raw=b"",
                       voltage_range_v=300.0, current_range_a=2.0, crest_factor=3.0, freq_hz=60.0)
            for tc, w in zip(t, watts)]
    for i in range(0, len(rows), 1000):
        j.put_readings(rows[i:i + 1000])
    j.put_event(span_ns, "finished", f"run finished: {len(points)} of {len(points)} points")
    j.close()


def child(folder: Path) -> None:
    """Export ``folder`` with every part timed; prints JSON."""
    from kperf_gui.session import csvout, export as ex, manifest, plots, report, xlsx

    times: dict[str, float] = {}

    def timed(name, fn):
        def run(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - t0
        return run

    ex.load = timed("read journal", ex.load)
    xlsx.write_workbook = timed("results.xlsx", xlsx.write_workbook)
    csvout.write_summary_csv = timed("summary.csv", csvout.write_summary_csv)
    plots.write_plots = timed("PNG plots", plots.write_plots)
    report.write_report = timed("report.pdf", report.write_report)
    manifest.write_manifest = timed("manifest.json", manifest.write_manifest)
    t0 = time.perf_counter()
    ex.export(folder)
    times["whole export"] = time.perf_counter() - t0
    print(json.dumps(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="10,000 requests, 3,600 readings")
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--readings", type=int, default=36_000)
    ap.add_argument("--keep", type=Path, help="build the session here and keep it")
    ap.add_argument("--child", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    if args.quick:
        args.requests, args.readings = 10_000, 3_600
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "session"
        t0 = time.perf_counter()
        if not (folder / "session.sqlite").exists():
            build(folder, args.requests, args.readings)
        size = (folder / "session.sqlite").stat().st_size / 1e6
        print(f"journal: {args.requests} requests, {args.readings} readings, {size:.0f} MB "
              f"(built in {time.perf_counter() - t0:.1f} s)")
        env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
        proc = subprocess.run([sys.executable, __file__, "--child", str(folder)],
                              capture_output=True, text=True, env=env)
        if proc.returncode:
            sys.exit(f"the export failed:\n{proc.stderr[-2000:]}")
        times = json.loads(proc.stdout.strip().splitlines()[-1])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for name, s in times.items():
        print(f"{name:<16}{s:>8.2f} s")
    target = sum(times.get(k, 0.0) for k in ("read journal", "results.xlsx", "summary.csv",
                                              "PNG plots", "manifest.json"))
    print(f"{'journal+xlsx+CSV+PNG+manifest':<30}{target:>6.2f} s (target < 15 s)")
    print(f"{'peak memory':<30}{peak_mb:>6.0f} MB (target < 1024 MB)")


if __name__ == "__main__":
    main()
