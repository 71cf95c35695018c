"""What the benchmarks share: the project on ``sys.path`` (imported first, before any project
module), the line that says what machine and load a figure came from, and a ``kperf run`` session
run headless from a plan's text."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine_line() -> str:
    """The load average, the CPUs and Python: printed first by every benchmark."""
    return (f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
            f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")


def run_session(plan_text: str, plan: Path, out: Path) -> tuple[subprocess.CompletedProcess[str],
                                                                 float]:
    """Write ``plan_text`` to ``plan`` and run ``kperf run`` on it into ``out``; the finished
    process and its wall seconds. Exits with kperf's last words when no session was written."""
    plan.write_text(plan_text)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "kperf_gui.cli", "run", str(plan),
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    took = time.monotonic() - start
    if not (out / "session.sqlite").exists():
        sys.exit(f"kperf run failed: {proc.stderr[-1500:]}")
    return proc, took
