"""The load client's cost and accuracy against the simulated endpoint.

Prints, at concurrency 1, 64 and 256: the client's CPU seconds per 1,000 streamed tokens (the
whole client process: event loop, SSE parsing, bookkeeping), and its TTFT error: the TTFT the
client measures minus the simulator's own server-side TTFT (first token emitted - request
arrived) for the same request, as mean, p50 and p99 in milliseconds.

The TTFT error includes the simulator's own delivery delay (a Python server stamps a token when
its decode step ends, and its event loop writes the bytes later when busy), so the client's own
share is shown separately: the lateness of a 10 ms timer on the client's event loop (loop lag),
which is how late the client can be in stamping a chunk that has arrived.

Usage: python benchmarks/client_overhead.py [--tokens 64] [--requests-per-user 3]
"""
from __future__ import annotations

import argparse
import asyncio
import time

import numpy as np

from drivers.targets.base import RequestSpec
from drivers.targets.openai import OpenAITarget
from kperf_gui.run.prompts import PromptGenerator
from kperf_gui.sim.process import start_sim_server


async def one_level(base_url: str, concurrency: int, n_requests: int, out_tokens: int):
    target = OpenAITarget(time.perf_counter_ns, base_url, "sim-llm")
    await target.open(concurrency)
    gen = PromptGenerator(seed=concurrency)
    # every request gets its own input length, so the server's trace can be matched to it
    specs = [RequestSpec(seq=i, prompt=gen.words_text(i, 100 + i), input_tokens=100 + i,
                         max_tokens=out_tokens) for i in range(n_requests)]
    queue = list(reversed(specs))
    results = []

    async def worker():
        while queue:
            results.append(await target.send(queue.pop()))

    lags: list[float] = []
    running = True

    async def lag_probe():
        while running:
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - t - 0.01) * 1e3)

    probe = asyncio.create_task(lag_probe())
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    running = False
    await probe
    await target.close()
    return results, cpu, wall, np.array(lags)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--requests-per-user", type=int, default=3)
    args = ap.parse_args()
    print(f"{'users':>6} {'requests':>8} {'tokens':>8} {'wall s':>7} {'CPU s/1k tok':>12} "
          f"{'TTFT err mean':>13} {'p50':>7} {'p99':>7} {'loop lag p50':>12} {'p99':>7}  (ms)")
    for c in (1, 64, 256):
        with start_sim_server() as sim:
            n = max(30, c * args.requests_per_user)
            results, cpu, wall, lag = asyncio.run(one_level(sim.base_url, c, n, args.tokens))
            trace = {r["prompt_tokens"]: r for r in sim.trace()}
        ok = [r for r in results if r.ok]
        tokens = sum(r.completion_tokens or len(r.chunk_ns) for r in ok)
        errs = []
        for r in ok:
            s = trace.get(r.prompt_tokens)
            if s and s.get("first_token_ns"):
                client = r.first_ns - r.sent_ns
                server = s["first_token_ns"] - s["arrival_ns"]
                errs.append((client - server) / 1e6)
        e = np.array(errs)
        print(f"{c:>6} {len(ok):>8} {tokens:>8} {wall:>7.1f} {cpu / tokens * 1000:>12.3f} "
              f"{e.mean():>13.3f} {np.percentile(e, 50):>7.3f} {np.percentile(e, 99):>7.3f} "
              f"{np.percentile(lag, 50):>12.3f} {np.percentile(lag, 99):>7.3f}"
              + (f"   ({len(results) - len(ok)} failed)" if len(ok) < len(results) else ""))


if __name__ == "__main__":
    main()
