"""The simulator's own HTTP/1.1 server against aiohttp.web serving the same routes.

The simulated endpoint's routes (:class:`kperf_gui.sim.server.SimApp`) are served once by the
simulator's hand-written server (:mod:`kperf_gui.sim.http`) and once by aiohttp.web through a
small adapter that stamps each streamed part where it writes it, as the hand-written server does.
The same client (ours, 64 users by default, 128 in / 128 out) streams from each, in turns; printed
per server: its process's CPU seconds per 1,000 streamed tokens (marginal: the difference between
a short and a long run), the tokens/s reached, and the delay from each chunk's write to the
client's stamp of its arrival (p50, p99 ms).

aiohttp comes from ``~/.cache/kperf-bench/extra``, where benchmarks/client_overhead.py installs it.

Usage: python benchmarks/sim_server_http.py [--quick] [--users 64] [--repeat 3]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from kperf_gui.sim.model import SimParams  # noqa: E402
from kperf_gui.sim.process import SimServer, start_sim_server  # noqa: E402

sys.path.insert(1, str(Path(__file__).resolve().parent))
import client_overhead as co  # noqa: E402


async def serve_aiohttp(params: SimParams) -> None:
    """The simulator's routes on aiohttp.web; prints ``{"port": N}`` once listening."""
    from aiohttp import web

    from kperf_gui.sim.http import Request
    from kperf_gui.sim.server import SimApp

    app = SimApp(params)
    clock = app.clock

    async def handle(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        received = clock()
        version = f"HTTP/{request.version.major}.{request.version.minor}"
        ours = Request(request.method, request.path, dict(request.query), version,
                       {k.lower(): v for k, v in request.headers.items()}, body, received)
        answer = await app.handle(ours)
        headers = {"server": "kperf-sim", **answer.headers}
        if isinstance(answer.body, bytes):
            return web.Response(status=answer.status, body=answer.body, headers=headers)
        stream = web.StreamResponse(status=answer.status, headers=headers)
        await stream.prepare(request)
        parts = answer.body
        try:
            async for part in parts:
                if part:
                    t = clock()
                    await stream.write(part)
                    if answer.written is not None:
                        answer.written(t)
            await stream.write_eof()
        finally:
            aclose = getattr(parts, "aclose", None)
            if aclose is not None:
                await aclose()
        return stream

    web_app = web.Application()
    web_app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    engine = asyncio.create_task(app.engine.run())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"port": port}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until stdin closes
    engine.cancel()
    await runner.cleanup()


def start_aiohttp_server(params: SimParams) -> SimServer:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(co.EXTRA)]))
    stderr = tempfile.TemporaryFile()
    args = [sys.executable, str(Path(__file__).resolve()), "--serve",
            json.dumps({"max_batch": params.max_batch})]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                            env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        stderr.seek(0)
        sys.exit(f"the aiohttp.web server did not start: {stderr.read().decode()[-1500:]}")
    return SimServer(proc, int(json.loads(line)["port"]), stderr)


def measure(server: SimServer, users: int, rounds: int, out: int) -> tuple[float, float, list]:
    """Marginal server CPU per 1k tokens, tokens/s and chunk delays (ms) of the longer run."""
    cpu, tokens, walls, delays = [], [], [], []
    for n in (users, users * (1 + rounds)):
        first = len(server.trace())
        c0 = co._proc_cpu(server.proc.pid)
        res, _ = co._run_child("ours", server.base_url, users, n, 16, out, keep=True)
        cpu.append(co._proc_cpu(server.proc.pid) - c0)
        trace = {r["prompt_tokens"]: r for r in server.trace()[first:] if r["max_tokens"] == out}
        tokens.append(sum(r["completion_tokens"] for r in trace.values()))
        walls.append(res["wall_s"])
        delays = []
        for r in res["requests"]:
            s = trace.get(r["in"])
            if s and len(s["chunk_sent_ns"]) == len(r["chunks"]):
                delays.extend(((np.array(r["chunks"]) - np.array(s["chunk_sent_ns"])) / 1e6)
                              .tolist())
    per_1k = (cpu[1] - cpu[0]) / max(1, tokens[1] - tokens[0]) * 1000
    return per_1k, tokens[1] / walls[1], delays


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--users", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--out", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--serve")
    ap.add_argument("--no-install", action="store_true",
                    help="measure aiohttp.web only where aiohttp is already installed")
    args = ap.parse_args()
    if args.serve:
        asyncio.run(serve_aiohttp(SimParams(**json.loads(args.serve),
                                            prefill_per_token_s=0.0)))
        return
    if args.quick:
        args.rounds, args.out, args.repeat = 1, 32, 1
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    why = co.ensure_extra(not args.no_install)
    if why:
        print(f"aiohttp.web not measured: aiohttp is {why}" if args.no_install else
              f"aiohttp.web not measured: aiohttp could not be installed ({why})")
    params = SimParams(max_batch=max(256, args.users), prefill_per_token_s=0.0)
    print(f"{args.users} users, {args.out} tokens out; median of {args.repeat} trials")
    print(f"{'server':<22}{'CPU s/1k tok':>13}{'tok/s':>8}{'delay p50':>10}{'p99 ms':>8}")
    for name, start in (("sim.http (ours)", lambda: start_sim_server(params)),
                        ("aiohttp.web", lambda: start_aiohttp_server(params))):
        if why and name == "aiohttp.web":
            continue
        trials = []
        for _ in range(args.repeat):
            with start() as server:
                trials.append(measure(server, args.users, args.rounds, args.out))
        trials.sort(key=lambda t: t[0])
        per_1k, rate, delays = trials[len(trials) // 2]
        print(f"{name:<22}{per_1k:>13.4f}{rate:>8.0f}{np.percentile(delays, 50):>10.3f}"
              f"{np.percentile(delays, 99):>8.3f}")


if __name__ == "__main__":
    main()
