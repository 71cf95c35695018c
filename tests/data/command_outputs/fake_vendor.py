"""A fake vendor benchmark program: prints a recorded output, line by line, flushed.

fake_vendor.py FIXTURE [--pause-before TEXT=SECONDS]... [--sleep-after SECONDS] [--exit CODE]
               [--result-path DIR] [--echo-argv] [anything else, ignored]

``--result-path`` copies FIXTURE's ``.json``/``.csv`` siblings into DIR as dxbenchmark names its
reports (``DXBENCHMARK_<time>``). ``--echo-argv`` first prints ``argv: <args>``.
"""
import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("fixture")
    ap.add_argument("--pause-before", action="append", default=[])
    ap.add_argument("--sleep-after", type=float, default=0.0)
    ap.add_argument("--exit", type=int, default=0)
    ap.add_argument("--result-path")
    ap.add_argument("--echo-argv", action="store_true")
    args, _ = ap.parse_known_args()
    pauses = [(text, float(s)) for text, _, s in (p.rpartition("=") for p in args.pause_before)]
    if args.echo_argv:
        print("argv: " + " ".join(sys.argv[1:]), flush=True)
    fixture = HERE / args.fixture
    for line in fixture.read_text().splitlines():
        for text, seconds in pauses:
            if text in line:
                time.sleep(seconds)
        print(line, flush=True)
    if args.result_path:
        stamp = time.strftime("%Y_%m_%d_%H%M%S")
        for suffix in (".json", ".csv"):
            report = fixture.with_suffix(suffix)
            if report.is_file():
                shutil.copy(report, Path(args.result_path) / f"DXBENCHMARK_{stamp}{suffix}")
    time.sleep(args.sleep_after)
    return args.exit


if __name__ == "__main__":
    sys.exit(main())
