"""``python -m kperf_gui.sim``: run the simulated endpoint.

Prints ``{"port": P}`` as the first line of standard output once listening. With
``--exit-on-stdin-eof`` it stops when its standard input closes, so a child process never outlives
the parent that started it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
from dataclasses import fields

from .model import SimParams, flag
from .server import SimApp, serve


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kperf_gui.sim",
                                     description="The simulated OpenAI-compatible endpoint.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0: any free port")
    parser.add_argument("--model", default="sim-llm", help="the served model name")
    parser.add_argument("--seed", type=int, default=0, help="seeds the simulated output lengths")
    parser.add_argument("--reject-extras", action="store_true",
                        help="answer 400 to requests that carry min_tokens or ignore_eos")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="stop when standard input closes")
    defaults = SimParams()
    for f in fields(SimParams):
        default = getattr(defaults, f.name)
        parser.add_argument(flag(f.name), dest=f.name, type=type(default), default=default,
                            help=f"({default})")
    return parser.parse_args(argv)


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    fd = sys.stdin.fileno()

    def wait_eof() -> None:
        while os.read(fd, 4096):
            pass
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_eof, name="stdin-eof", daemon=True).start()


async def _main(args: argparse.Namespace, params: SimParams) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    if args.exit_on_stdin_eof:
        _watch_stdin(loop, stop)
    app = SimApp(params, model=args.model, seed=args.seed, reject_extras=args.reject_extras)

    def ready(port: int) -> None:
        print(json.dumps({"port": port}), flush=True)

    await serve(app, args.host, args.port, ready, stop)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="kperf-sim: %(levelname)s %(message)s")
    try:
        params = SimParams(**{f.name: getattr(args, f.name) for f in fields(SimParams)})
    except ValueError as exc:
        print(f"kperf-sim: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_main(args, params))
    except OSError as exc:
        print(f"kperf-sim: cannot listen on {args.host}:{args.port} ({exc.strerror}); "
              "choose another port", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
