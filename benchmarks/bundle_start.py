"""The one-folder bundle's size and how long its window takes to appear.

Starts the bundle's executable under Xvfb (1366x768) with a fresh home folder, several times,
and measures from starting the process to its main window being mapped on the X server (polled
with xwininfo every 20 ms, so figures are that much coarse). Also prints the bundle's size on
disk and number of files, and the time of ``kperf-lab --selfcheck``. With ``--compare`` it measures
a ``kperf-gui`` from a virtual environment the same way.

Usage: python benchmarks/bundle_start.py [DIST/kperf-lab] [--runs 5] [--quick] [--compare .venv/bin/kperf-gui]
(needs the Debian packages xvfb and x11-utils; build the bundle with packaging/build_bundle.sh)
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start_xvfb() -> tuple[subprocess.Popen, str]:
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24",
                             "-nolisten", "tcp"], pass_fds=(write,), stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        return proc, ":" + f.readline().strip()


def window_shown(display: str) -> bool:
    tree = subprocess.run(["xwininfo", "-root", "-children", "-display", display],
                          capture_output=True, text=True).stdout
    return any(int(w) > 400 and int(h) > 300
               for w, h in re.findall(r'"K-Perf Lab[^"]*": \(.*\)\s+(\d+)x(\d+)\+', tree))


def time_to_window(command: list[str], display: str) -> float:
    with tempfile.TemporaryDirectory(prefix="kperf-start-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "LC_"))}
        env.update(HOME=home, DISPLAY=display, LANG="en_US.UTF-8")
        env.pop("QT_QPA_PLATFORM", None)
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while not window_shown(display):
                if proc.poll() is not None:
                    raise SystemExit(f"{command[0]} ended (exit {proc.returncode}) before its window showed")
                if time.perf_counter() - started > 120:
                    raise SystemExit(f"{command[0]}: no window within 120 s")
                time.sleep(0.02)
            return time.perf_counter() - started
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(15)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bundle", nargs="?", default="dist/kperf-lab", type=Path)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="one run each")
    p.add_argument("--compare", help="another executable to time the same way (e.g. .venv/bin/kperf-gui)")
    args = p.parse_args()
    if args.quick:
        args.runs = 1
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    exe = args.bundle / "kperf-lab"
    if not exe.is_file():
        raise SystemExit(f"no bundle at {args.bundle}: build it with bash packaging/build_bundle.sh")
    if not (shutil.which("Xvfb") and shutil.which("xwininfo")):
        raise SystemExit("needs Xvfb and xwininfo (Debian packages xvfb and x11-utils)")
    files = [f for f in args.bundle.rglob("*") if f.is_file() and not f.is_symlink()]
    size = sum(f.stat().st_size for f in files)
    print(f"bundle {args.bundle}: {size / 2**20:.0f} MiB in {len(files)} files")
    started = time.perf_counter()
    check = subprocess.run([str(exe), "--selfcheck"], capture_output=True, text=True)
    print(f"--selfcheck: exit {check.returncode} in {time.perf_counter() - started:.2f} s")
    xvfb, display = start_xvfb()
    try:
        for label, command in (("bundle", [str(exe)]),
                               *((("compare", [args.compare]),) if args.compare else ())):
            times = [time_to_window(command, display) for _ in range(args.runs)]
            print(f"{label}: start to window, s: first {times[0]:.2f}, median "
                  f"{statistics.median(times):.2f}, min {min(times):.2f}, max {max(times):.2f} "
                  f"({args.runs} runs)")
    finally:
        xvfb.terminate()
        xvfb.wait(10)


if __name__ == "__main__":
    main()
