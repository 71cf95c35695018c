"""Event-loop lag of the desktop app while the Instruments page previews an instrument that answers
every read at once (a pyvisa-sim instrument, or a faulty one).

For each simulated make, the Instruments page connects to it with every read answered at once
for ``--seconds`` (10 by default); a QTimer asks to fire every 10 ms and records how late each
tick comes. Prints, per make: reads asked of the instrument, readings shown, and the lateness
p50, p99 and max (goal: max under 100 ms).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/meter_preview_lag.py [--seconds 10] [--quick]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402

from drivers.meters import registry  # noqa: E402
from drivers.resources import sim_resources  # noqa: E402
from kperf_gui.ui.app import make_application  # noqa: E402
from kperf_gui.ui.main_window import MainWindow  # noqa: E402

TICK_MS = 10
GOAL_MS = 100.0


def instant(cls):  # type: ignore[no-untyped-def]
    """Make the driver answer each read at once with its first real reading."""
    original = cls.read
    calls = {"n": 0, "first": None}

    def read(self):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["first"] is None:
            calls["first"] = original(self)
        return calls["first"]

    cls.read = read
    return calls, original


def wait(app, ms: int) -> None:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def measure(window: MainWindow, name: str, seconds: float) -> tuple[int, int, np.ndarray] | str:
    cls = registry.get(name)
    calls, original = instant(cls)
    panel = window.instruments
    shown = {"n": 0}
    show = panel.live.show_reading

    def counted(reading):  # type: ignore[no-untyped-def]
        shown["n"] += 1
        show(reading)

    panel.live.show_reading = counted
    lateness: list[float] = []
    clock = QElapsedTimer()
    last = {"t": 0}

    def tick() -> None:
        now = clock.nsecsElapsed()
        if last["t"]:
            lateness.append(max(0.0, (now - last["t"]) / 1e6 - TICK_MS))
        last["t"] = now

    try:
        panel.read_plan({"meters": [{"driver": name, "options": {"simulate": True},
                                     "rate_hz": 100}]})
        panel.connect_meter(0)
        deadline = time.monotonic() + 30
        while calls["n"] == 0 and time.monotonic() < deadline and panel.connected():
            wait(None, 20)
        if calls["n"] == 0:
            return f"did not connect: {panel.live.status.text()}"
        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        clock.start()
        timer.start()
        wait(None, round(seconds * 1000))
        timer.stop()
        reads = calls["n"]
        panel.release()
        while panel.connected():
            wait(None, 20)
        return reads, shown["n"], np.array(lateness)
    finally:
        cls.read = original
        panel.live.show_reading = show


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per make")
    parser.add_argument("--quick", action="store_true", help="2 s per make")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 2.0
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = make_application()
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    window.tabs.setCurrentWidget(window.instruments)
    makes = [n for n in registry.names() if sim_resources(n) and n != "scpi-generic"]
    worst = 0.0
    for name in makes:
        result = measure(window, name, args.seconds)
        if isinstance(result, str):
            print(f"{name:18s} {result}")
            worst = float("inf")
            continue
        reads, shown, lag = result
        p50, p99 = np.percentile(lag, [50, 99])
        worst = max(worst, float(lag.max()))
        print(f"{name:18s} {reads:5d} reads, {shown:5d} table updates in {args.seconds:g} s; lag over "
              f"{len(lag)} ticks of {TICK_MS} ms: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"max {lag.max():.1f} ms")
    print(f"goal max < {GOAL_MS:g} ms for every make: {'met' if worst < GOAL_MS else 'NOT met'}")
    window.close()
    del app
    return 0 if worst < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
