"""The headless face: ``kperf demo | run | export | compare | resources`` and the witness commands
of :mod:`kperf_gui.cli_witness` (CONTRACT.md)."""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Sequence

from drivers.redact import redact_text
from kperf_gui import __version__
from kperf_gui.session.demo import DEMO_PLAN
from kperf_gui.session.location import default_session_dir
from kperf_gui.cli_witness import add_commands as add_witness_commands
from kperf_gui.cli_witness import signatures_note

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"kperf: {redact_text(message)}", file=sys.stderr)
    return code


def _stdin_commands(ctl) -> None:  # type: ignore[no-untyped-def]
    """Obey pause/resume/stop/abort/continue/note lines on standard input (--events)."""
    from kperf_gui.run.events import NOTE, parse_note

    def reader() -> None:
        for line in sys.stdin:
            cmd, _, rest = line.strip().partition(" ")
            cmd = cmd.lower()
            if cmd == NOTE:
                try:
                    ctl.note(*parse_note(rest))
                except Exception as exc:  # noqa: BLE001 - the commands after it must still work
                    print(f"kperf: the note could not be recorded ({exc})", file=sys.stderr)
            elif cmd == "pause":
                ctl.pause()
            elif cmd == "resume":
                ctl.resume()
            elif cmd == "stop":
                ctl.stop.set()
            elif cmd == "abort":
                ctl.abort.set()
            elif cmd == "continue":
                ctl.proceed.set()

    threading.Thread(target=reader, name="stdin-commands", daemon=True).start()


def _ask_terminal(message: str) -> bool:
    print(f"\n>>> {message}")
    try:
        answer = input("Press Enter when the server is ready, or type 'abort': ")
    except EOFError:
        return False
    return answer.strip().lower() != "abort"


def _run_plan(plan_text: str, plan_path: Path | None, out: Path | None, events: bool) -> int:
    from drivers.meters import registry
    from kperf_gui.run.events import EventSink
    from kperf_gui.run.control import Control
    from kperf_gui.run.sweep import Hooks, SetupError, SweepRun
    from kperf_gui.session.export import ExportError
    from kperf_gui.session.plan import PlanError, parse

    try:
        plan = parse(plan_text, plan_path.resolve().parent if plan_path else None, registry.names())
    except PlanError as exc:
        where = f"{plan_path}: " if plan_path else ""
        return _fail(f"{where}{exc}")
    folder = out if out is not None else default_session_dir(plan.session.name)
    ctl = Control()
    if events:
        hooks = Hooks(events=EventSink(sys.stdout))
    else:
        hooks = Hooks(console=lambda s: print(redact_text(s), flush=True),
                      ask_operator=_ask_terminal if sys.stdin.isatty() else None)
    sim = None
    sim_url = None
    if plan.target.kind == "simulated":
        from kperf_gui.sim.process import start_sim_server

        try:
            sim = start_sim_server(model=plan.target.model or "sim-llm", seed=plan.sweep.seed)
        except Exception as exc:  # noqa: BLE001 - reported as one line
            return _fail(str(exc))
        sim_url = sim.root_url
    runner = SweepRun(plan, folder, hooks, ctl, sim_url=sim_url)
    if events:
        _stdin_commands(ctl)  # once the run can take a note

    def on_signal(signum, frame):  # type: ignore[no-untyped-def]
        ctl.abort.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            runner.preflight()
        except SetupError as exc:
            runner.shutdown()
            return _fail(str(exc))
        if not events:
            print(f"K-Perf Lab {__version__}: session {plan.session.name}, "
                  f"{len(runner.points)} points, writing to {folder}", flush=True)
        try:
            code = runner.run()
        except ExportError as exc:
            return _fail(str(exc), EXIT_INVALID)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        if sim is not None:
            sim.stop()
    if not events:
        _print_result(folder, code, runner.status, runner.ended_because)
    return code


def _print_result(folder: Path, code: int, status: str, why: str = "") -> None:
    """The run's last lines. A failed run names its failure and how many points it measured,
    never how many are valid: "failed" and "valid" are not said together."""
    import csv

    with open(folder / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    bad = [r for r in rows if r["valid"] not in ("True", "TRUE", "true", "1")]
    if status == "failed":
        print(f"\n{why or 'The run failed.'}\nsummary.csv holds the {len(rows)} point(s) "
              "journaled before the failure, with what they say of themselves.")
    else:
        if why:
            print(f"\n{why}")
        print(f"\nRun {status}: {len(rows)} point(s), {len(rows) - len(bad)} valid.")
        for r in bad:
            print(f"  point {r['point']} invalid: {r['invalid_reason']}")
    print(f"Session folder: {folder}\n  results.xlsx, summary.csv, plots/, report.pdf, manifest.json")


def cmd_demo(args: argparse.Namespace) -> int:
    return _run_plan(DEMO_PLAN, None, Path(args.out) if args.out else None, args.events)


def cmd_run(args: argparse.Namespace) -> int:
    from kperf_gui.session.plan_schema import MAX_PLAN_BYTES

    path = Path(args.plan)
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            return _fail(f"plan: {path} is {size:,} bytes; a plan file is at most "
                         f"{MAX_PLAN_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _fail(f"plan: file not found: {path}")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"plan: {path} cannot be read ({exc})")
    return _run_plan(text, path, Path(args.out) if args.out else None, args.events)


def cmd_export(args: argparse.Namespace) -> int:
    from kperf_gui.session.export import ExportError, export

    folder = Path(args.dir)
    try:
        data = export(folder, record=True)
    except ExportError as exc:
        return _fail(str(exc))
    state = " (interrupted run)" if data.interrupted else ""
    print(f"Exported {folder}{state}: {len(data.summary)} point(s); results.xlsx, summary.csv, "
          "plots/, report.pdf and manifest.json rebuilt from session.sqlite.")
    note = signatures_note(folder)
    if note:
        print(note)
    return EXIT_OK


def cmd_resources(args: argparse.Namespace) -> int:
    from drivers.meters import registry
    from drivers.meters.discovery import list_resources

    print("Instruments found (VISA and serial):")
    found = list_resources(timeout_s=args.timeout)
    if not found:
        print("  none")
    for r in found:
        if not r.get("resource"):
            print(f"  [{r['kind']}] {r.get('note', '')}")
            continue
        note = f"  ({r['description']})" if r.get("description") else ""
        print(f"  {r['resource']}  [{r['kind']}]{note}")
    from drivers.resources import sim_resources

    simulated = [(n, sim_resources(n)) for n in registry.names() if sim_resources(n)]
    if simulated:
        print("\nSimulated instruments (meters[].options = { simulate = true }, no hardware):")
        for name, names in simulated:
            print(f"  {name:18s} {', '.join(names)}")
    print("\nMeter drivers (meters[].driver):")
    for name in registry.names():
        try:
            cls = registry.get(name)
            models = ", ".join(cls.models)
        except Exception as exc:  # noqa: BLE001 - a broken plug-in is listed, not fatal
            models = f"cannot be loaded: {exc}"
        print(f"  {name:18s} {models}")
    print("\nTarget kinds (target.kind):")
    for kind, what in (("openai", "OpenAI-compatible endpoint (vLLM, SGLang, furiosa-llm, "
                        "vllm-rbln, llama.cpp server, Ollama)"),
                       ("simulated", "the built-in simulated endpoint"),
                       ("deepx", "DEEPX DX-RT through dx_engine"),
                       ("command", "a vendor benchmark program")):
        print(f"  {kind:10s} {what}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from kperf_gui.session.compare import CompareError, read_sessions, write_comparison

    try:
        sessions = read_sessions([Path(d) for d in args.dirs])
        written = write_comparison(sessions, Path(args.out))
    except CompareError as exc:
        return _fail(str(exc))
    for s in sessions:
        print(f"{s.label}: {len(s.summary)} point(s), {s.valid_points} valid ({s.folder})")
    print(f"Comparison written to {args.out}: " + ", ".join(p.name for p in written))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kperf", description="K-Perf Lab, headless: measure an AI "
                                "chip's serving speed and wall-plug power.")
    p.add_argument("--version", action="version", version=f"K-Perf Lab {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="a short sweep against the built-in simulated endpoint and meter")
    d.add_argument("--out", help="session folder to write (new or empty)")
    d.add_argument("--events", action="store_true", help="JSON event lines on stdout; commands on stdin")
    d.set_defaults(func=cmd_demo)
    r = sub.add_parser("run", help="run a test plan")
    r.add_argument("plan", help="the plan TOML file")
    r.add_argument("--out", help="session folder to write (new or empty)")
    r.add_argument("--events", action="store_true", help="JSON event lines on stdout; commands on stdin")
    r.set_defaults(func=cmd_run)
    e = sub.add_parser("export", help="rebuild the outputs of a session folder from its journal")
    e.add_argument("dir")
    e.set_defaults(func=cmd_export)
    add_witness_commands(sub)  # keys, sign, verify, seal, note, report
    c = sub.add_parser("compare", help="compare two or more sessions: aligned sweep points, a "
                       "workbook and PNGs")
    c.add_argument("dirs", nargs="+", metavar="DIR", help="session folders")
    c.add_argument("--out", required=True, help="folder for comparison.xlsx and the PNGs")
    c.set_defaults(func=cmd_compare)
    s = sub.add_parser("resources", help="list instruments, meter drivers and target kinds")
    s.add_argument("--timeout", type=float, default=3.0, help="seconds to look for instruments")
    s.set_defaults(func=cmd_resources)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INVALID)
    except BrokenPipeError:  # the reader of our output went away (``| head``)
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
