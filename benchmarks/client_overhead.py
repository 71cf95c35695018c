"""The load client's cost and the accuracy of its time stamps, against the simulated endpoint.

Part 1, cost, side by side in one run against one simulated server (64 users, 128 tokens in and
128 out, chat API, exact output lengths):

* ``ours``: :class:`OpenAITarget` on our own HTTP/1.1 client (what a run uses);
* ``ours+uvloop``: the same on uvloop's event loop;
* ``aiohttp-target``: :class:`OpenAITarget` with aiohttp's client as its transport, behind the
  same small interface (the same SSE reader and bookkeeping, one keep-alive connection per user);
* ``aiohttp-target+uvloop``: the same on uvloop;
* ``bare-aiohttp``: an aiohttp loop that reads the streams and keeps nothing (the floor);
* ``aiperf``: NVIDIA AIPerf (``pip install aiperf``), in a virtual environment of its own.

Each client runs as a child process, twice: once with one request per user and once with more;
the difference in the child's CPU time (user + system, its own children included, as the kernel
counts them) over the difference in streamed tokens (from the server's own trace) is the
*marginal* CPU per 1,000 tokens, free of start-up costs; ``tok/s/core`` is 1,000 over it (the
tokens one fully busy client core would carry). AIPerf is compared this way too: it runs several
processes, and all of them are counted.

Part 2, time stamps: our client at 1, 64, 256 and 1,024 users against a simulator that stamps
each chunk where it writes it to the socket (same machine, same ``perf_counter_ns`` clock). The
client's TTFT (first chunk arrival - request sent) is compared with the server's (first chunk
written - request read from the socket), each inter-token gap with the server's gap between the same two
writes, and each chunk's arrival stamp with its write stamp (delivery delay). Median and p99 of
the absolute errors in ms; also the client's loop lag and the server process's own CPU share,
which says when the server, not the client, is the bottleneck.

aiohttp and uvloop are installed with pip into ``~/.cache/kperf-bench/extra`` and AIPerf into
``~/.cache/kperf-bench/aiperf`` when missing; a client that cannot be installed is reported as
such, never silently dropped.

Usage: python benchmarks/client_overhead.py [--quick] [--no-aiperf] [--users 64]
       [--rounds 4] [--repeat 1] [--levels 1,64,256,1024] [--part both|cost|accuracy]
       [--accuracy-clients ours,aiohttp-target]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from drivers.targets.base import RequestSpec  # noqa: E402
from drivers.targets.openai import CONNECT_TIMEOUT_S, OpenAITarget  # noqa: E402
from kperf_gui.sim.model import SimParams  # noqa: E402
from kperf_gui.sim.process import start_sim_server  # noqa: E402

CACHE = Path(os.environ.get("KPERF_BENCH_CACHE", Path.home() / ".cache" / "kperf-bench"))
EXTRA = CACHE / "extra"
AIPERF = CACHE / "aiperf"
WORDTOK = CACHE / "wordtok"
KINDS = ("ours", "ours+uvloop", "aiohttp-target", "aiohttp-target+uvloop", "bare-aiohttp")


# ------------------------------------------------------------------ aiohttp as OpenAITarget's transport


class _AioResponse:
    """aiohttp's response behind the interface :class:`OpenAITarget` reads (http11.Response)."""

    rx_ns = 0
    kernel_stamps = False  # aiohttp reads through asyncio's transports: no receive stamps

    def __init__(self, resp: Any):
        self._resp = resp
        self.status = resp.status
        self.reason = resp.reason or ""
        self.headers = {k.lower(): v for k, v in resp.headers.items()}

    async def body_blocks(self):
        try:
            async for block in self._resp.content.iter_any():
                yield block
        finally:
            self._resp.release()

    async def read_all(self, limit: int) -> bytes:
        try:
            return (await self._resp.read())[:limit]
        finally:
            self._resp.release()


class _AioConnection:
    """One user's slot on an aiohttp session (the connector keeps one connection per user)."""

    stamps = "arrival in the client's event loop (aiohttp)"
    opened = 1

    def __init__(self, session: Any):
        self._session = session

    async def request(self, method, path, headers, body, before_write=None):
        import aiohttp

        if before_write is not None:
            before_write()
        try:
            resp = await self._session.request(method, path, data=body, headers=headers)
        except aiohttp.ClientError as exc:
            from drivers.targets import http11

            raise http11.ConnectionLost(str(exc)) from None
        return _AioResponse(resp)

    async def aclose(self) -> None:
        pass


class AiohttpTarget(OpenAITarget):
    """:class:`OpenAITarget` whose requests go through aiohttp's client; everything else (SSE
    reader, stamps, bookkeeping) is the same code."""

    _session: Any = None

    def _make_pool(self, concurrency: int):
        import aiohttp

        pool = super()._make_pool(concurrency)
        url = urlsplit(self.base_url)
        self._session = aiohttp.ClientSession(
            f"{url.scheme}://{url.netloc}",
            connector=aiohttp.TCPConnector(limit=max(1, concurrency), force_close=False),
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT_S,
                                          sock_read=self.timeout_s),
            trust_env=False, auto_decompress=False)
        conns = [_AioConnection(self._session) for _ in range(max(1, concurrency))]
        while not pool.empty():
            pool.get_nowait()
        for c in conns:
            pool.put_nowait(c)  # type: ignore[arg-type]
        self._conns = conns  # type: ignore[assignment]
        return pool

    async def close(self) -> None:
        await super().close()
        if self._session is not None:
            await self._session.close()
            self._session = None


# ------------------------------------------------------------------ the child: one client, one run


def _specs(n: int, in_tokens: int, out: int, unique: bool, first: int = 0) -> list[RequestSpec]:
    from kperf_gui.run.prompts import PromptGenerator

    gen = PromptGenerator(seed=7)
    specs = []
    for i in range(first, first + n):
        length = in_tokens + i if unique else in_tokens
        specs.append(RequestSpec(seq=i, prompt=gen.words_text(i, length), input_tokens=length,
                                 max_tokens=out))
    return specs


async def _target_run(kind: str, url: str, users: int, specs: list[RequestSpec], keep: bool):
    cls = AiohttpTarget if kind.startswith("aiohttp-target") else OpenAITarget
    target = cls(time.perf_counter_ns, url, "sim-llm", api="chat")
    await target.open(users)
    # warm-up: every user's connection opened by one short request, as a run's warm-up does
    warm = _specs(users, 8, 1, unique=False, first=10_000_000)
    await asyncio.gather(*(target.send(s) for s in warm))
    queue = list(reversed(specs))
    results = []

    async def user():
        while queue:
            results.append(await target.send(queue.pop()))

    lags: list[float] = []
    running = True

    async def probe():
        while running:
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append((time.perf_counter() - t - 0.01) * 1e3)

    p = asyncio.create_task(probe())
    t0 = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(users)))
    wall = time.perf_counter() - t0
    running = False
    await p
    await target.close()
    out: dict[str, Any] = {"wall_s": wall, "ok": sum(r.ok for r in results),
                           "failed": [r.error for r in results if not r.ok][:3],
                           "lag_p50": float(np.percentile(lags, 50)) if lags else 0.0,
                           "lag_p99": float(np.percentile(lags, 99)) if lags else 0.0}
    if keep:
        out["requests"] = [{"in": s.input_tokens, "sent": r.sent_ns, "chunks": r.chunk_ns}
                           for s, r in zip(specs, sorted(results, key=lambda r: r.seq))]
    return out


async def _bare_run(url: str, users: int, specs: list[RequestSpec]):
    import aiohttp

    root = urlsplit(url)
    session = aiohttp.ClientSession(
        f"{root.scheme}://{root.netloc}", connector=aiohttp.TCPConnector(limit=users),
        timeout=aiohttp.ClientTimeout(total=None), trust_env=False, auto_decompress=False)
    path = f"{root.path.rstrip('/')}/chat/completions"

    def body(s: RequestSpec) -> bytes:
        return json.dumps({"model": "sim-llm", "messages": [{"role": "user", "content": s.prompt}],
                           "max_tokens": s.max_tokens, "min_tokens": s.max_tokens,
                           "ignore_eos": True, "stream": True}).encode()

    async def one(s: RequestSpec) -> bool:
        async with session.post(path, data=body(s),
                                headers={"content-type": "application/json"}) as resp:
            async for _ in resp.content.iter_any():
                pass
            return resp.status == 200

    await asyncio.gather(*(one(s) for s in _specs(users, 8, 1, unique=False, first=10_000_000)))
    queue = list(reversed(specs))
    ok = 0

    async def user():
        nonlocal ok
        while queue:
            done = await one(queue.pop())
            ok += done

    t0 = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(users)))
    wall = time.perf_counter() - t0
    await session.close()
    return {"wall_s": wall, "ok": ok, "failed": [], "lag_p50": None, "lag_p99": None}


def child(args: argparse.Namespace) -> None:
    specs = _specs(args.requests, args.in_tokens, args.out, unique=args.keep)
    if args.child == "bare-aiohttp":
        coro = _bare_run(args.url, args.users, specs)
    else:
        coro = _target_run(args.child, args.url, args.users, specs, args.keep)
    if args.child.endswith("+uvloop"):
        import uvloop

        result = uvloop.run(coro)
    else:
        result = asyncio.run(coro)
    json.dump(result, sys.stdout)


# ------------------------------------------------------------------ installing the peers


def _pip(args: list[str], python: str = sys.executable) -> str | None:
    """``None`` when pip succeeded, else its last line of output."""
    proc = subprocess.run([python, "-m", "pip", "install", "-q", *args], capture_output=True,
                          text=True)
    if proc.returncode == 0:
        return None
    lines = [ln for ln in (proc.stderr + proc.stdout).splitlines()
             if ln.strip() and not ln.startswith("WARNING: Location")]
    return lines[-1] if lines else f"pip exited with {proc.returncode}"


def ensure_extra(install: bool = True) -> str | None:
    """aiohttp and uvloop importable from :data:`EXTRA`; ``None`` or why not."""
    if (EXTRA / "aiohttp").is_dir() and (EXTRA / "uvloop").is_dir():
        return None
    if not install:
        return f"not installed in {EXTRA} (--no-install)"
    return _pip(["--target", str(EXTRA), "aiohttp", "uvloop"])


def ensure_aiperf(install: bool = True) -> str | None:
    """AIPerf in its own virtual environment, and a local word-level tokenizer for it (the
    simulator counts whitespace-separated words as tokens; AIPerf's built-in tokenizer would
    fetch its tables from the network); ``None`` or why not."""
    exe = AIPERF / "bin" / "aiperf"
    if not exe.exists() and not install:
        return f"not installed in {AIPERF} (--no-install)"
    if not exe.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(AIPERF)], capture_output=True,
                              text=True)
        if made.returncode:
            return f"cannot make its virtual environment: {made.stderr.strip()[-200:]}"
        why = _pip(["aiperf"], str(AIPERF / "bin" / "python"))
        if why:
            return f"pip install aiperf failed: {why}"
    if not (WORDTOK / "tokenizer.json").exists():
        code = ("from tokenizers import Tokenizer, models, pre_tokenizers\n"
                "from transformers import PreTrainedTokenizerFast\n"
                "vocab = {'[UNK]': 0, **{f'w{i}': i + 1 for i in range(4096)}}\n"
                "tok = Tokenizer(models.WordLevel(vocab, unk_token='[UNK]'))\n"
                "tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()\n"
                f"PreTrainedTokenizerFast(tokenizer_object=tok, unk_token='[UNK]')"
                f".save_pretrained({str(WORDTOK)!r})\n")
        made = subprocess.run([str(AIPERF / "bin" / "python"), "-c", code], capture_output=True,
                              text=True)
        if made.returncode:
            return f"cannot make its tokenizer: {made.stderr.strip()[-200:]}"
    return None


# ------------------------------------------------------------------ the parent


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tokens_since(sim: Any, first_id: int, out: int) -> int:
    return sum(r["completion_tokens"] for r in sim.trace()
               if r["id"] >= first_id and r["max_tokens"] == out)


def _run_child(kind: str, url: str, users: int, requests: int, in_tokens: int, out: int,
               keep: bool = False) -> tuple[dict[str, Any], float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(EXTRA)])
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--url", url,
           "--users", str(users), "--requests", str(requests), "--in", str(in_tokens),
           "--out", str(out)] + (["--keep"] if keep else [])
    cpu0 = _children_cpu()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    cpu = _children_cpu() - cpu0
    if proc.returncode:
        raise RuntimeError(f"{kind} failed: {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout), cpu


def _run_aiperf(url: str, users: int, requests: int, in_tokens: int, out: int,
                workdir: Path) -> tuple[dict[str, Any], float]:
    cmd = [str(AIPERF / "bin" / "aiperf"), "profile", "-m", "sim-llm",
           "--url", url.removesuffix("/v1"), "--endpoint-type", "chat", "--streaming",
           "--concurrency", str(users), "--request-count", str(requests),
           "--warmup-request-count", str(users), "--isl", str(in_tokens), "--osl", str(out),
           "--extra-inputs", "ignore_eos:true", "--extra-inputs", f"min_tokens:{out}",
           "--tokenizer", str(WORDTOK), "--ui-type", "none", "--artifact-dir", str(workdir),
           "--no-server-metrics", "--no-gpu-telemetry"]
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    cpu = _children_cpu() - cpu0
    if proc.returncode:
        raise RuntimeError(f"aiperf failed: {proc.stdout.strip()[-600:]}")
    return {"wall_s": wall, "ok": requests, "failed": [], "lag_p50": None, "lag_p99": None}, cpu


def cost(args: argparse.Namespace, no_extra: str | None, no_aiperf: str | None) -> None:
    users, out, in_tokens = args.users, args.out, args.in_tokens
    small, big = users, users * (1 + args.rounds)
    print(f"== Client cost: {users} users, {in_tokens} in / {out} out, chat API, one simulated "
          f"server; runs of {small} and {big} requests, marginal figures from their difference"
          + (f"; median of {args.repeat} trials (AIPerf: 1)" if args.repeat > 1 else ""))
    print(f"{'client':<24}{'CPU s/1k tok':>13}{'tok/s/core':>12}{'tok/s (wall)':>13}"
          f"{'loop lag p50':>13}{'p99 ms':>8}{'failed':>7}")
    rows: dict[str, float] = {}
    with start_sim_server(SimParams(max_batch=max(256, users))) as sim:
        url = sim.base_url
        kinds = [k for k in KINDS if not no_extra or k == "ours"]
        for kind in [*kinds, "aiperf"]:
            if kind == "aiperf" and no_aiperf:
                print(f"{'aiperf':<24}  not measured: {no_aiperf}")
                continue
            trials = []
            for _ in range(1 if kind == "aiperf" else args.repeat):
                runs = []
                for n in (small, big):
                    first = len(sim.trace())
                    if kind == "aiperf":
                        res, cpu = _run_aiperf(url, users, n, in_tokens, out,
                                               CACHE / "aiperf-runs" / f"{n}")
                    else:
                        res, cpu = _run_child(kind, url, users, n, in_tokens, out)
                    runs.append((res, cpu, _tokens_since(sim, first, out)))
                (r1, c1, t1), (r2, c2, t2) = runs
                trials.append(((c2 - c1) / max(1, t2 - t1) * 1000, r2, t2))
            trials.sort(key=lambda x: x[0])
            per_1k, r2, t2 = trials[len(trials) // 2]  # the median trial
            rows[kind] = per_1k
            failed = (r2["ok"] < big) or r2["failed"]
            lag = (f"{r2['lag_p50']:>13.2f}{r2['lag_p99']:>8.2f}" if r2["lag_p99"] is not None
                   else f"{'-':>13}{'-':>8}")
            print(f"{kind:<24}{per_1k:>13.4f}{1000 / per_1k if per_1k > 0 else float('inf'):>12.0f}"
                  f"{t2 / r2['wall_s']:>13.0f}{lag}{big - r2['ok'] if failed else 0:>7}")
        if no_extra:
            print(f"{'aiohttp, uvloop':<24}  not measured: {no_extra}")
        server_cpu = _proc_cpu(sim.proc.pid)
    print(f"(simulated server process: {server_cpu:.1f} CPU s over the whole part)")
    if "aiperf" in rows and "ours" in rows:
        ratio = rows["ours"] / rows["aiperf"]
        print(f"ours / AIPerf CPU per 1k tokens: {ratio:.2f} (target <= 0.30); tokens/s per core: "
              f"{1 / ratio:.1f} x AIPerf's (target >= 3)")
    if "aiohttp-target" in rows:
        print(f"OpenAITarget on aiohttp / on our client: "
              f"{rows['aiohttp-target'] / rows['ours']:.2f} x the CPU per 1k tokens")


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def accuracy(args: argparse.Namespace) -> None:
    print(f"\n== Time stamps against the server's socket writes: {args.out_acc} tokens out, "
          f"{args.per_user} request(s) per user; |error| in ms")
    print(f"{'client':<16}{'users':>6}{'requests':>9}{'TTFT p50':>9}{'p99':>9}{'gap p50':>9}"
          f"{'p99':>9}{'delay p50':>10}{'p99':>9}{'loop lag p99':>13}{'client CPU %':>13}"
          f"{'server CPU %':>13}{'tok/s':>8}")
    for kind, users in [(k, u) for k in args.accuracy_clients for u in args.levels]:
        # no per-token prefill cost: every request gets its own prompt length, to be matched
        # with the server's trace, and the lengths must not change the load
        params = SimParams(max_batch=max(256, users), prefill_per_token_s=0.0)
        n = users * args.per_user
        with start_sim_server(params) as sim:
            s0, w0 = _proc_cpu(sim.proc.pid), time.perf_counter()
            res, cpu = _run_child(kind, sim.base_url, users, n, 16, args.out_acc, keep=True)
            server_pct = (_proc_cpu(sim.proc.pid) - s0) / (time.perf_counter() - w0) * 100
            trace = {r["prompt_tokens"]: r for r in sim.trace() if r["max_tokens"] == args.out_acc}
        ttft, gaps, delay = [], [], []
        for r in res["requests"]:
            s = trace.get(r["in"])
            c = r["chunks"]
            if not s or not c or len(s["chunk_sent_ns"]) != len(c):
                continue
            w = s["chunk_sent_ns"]
            ttft.append(abs((c[0] - r["sent"]) - (w[0] - s["received_ns"])) / 1e6)
            cg, wg = np.diff(c), np.diff(w)
            gaps.extend((np.abs(cg - wg) / 1e6).tolist())
            delay.extend(((np.array(c) - np.array(w)) / 1e6).tolist())
        tokens = n * args.out_acc
        print(f"{kind:<16}{users:>6}{len(ttft):>9}{_pct(ttft, 50):>9.3f}{_pct(ttft, 99):>9.3f}"
              f"{_pct(gaps, 50):>9.3f}{_pct(gaps, 99):>9.3f}{_pct(delay, 50):>10.3f}"
              f"{_pct(delay, 99):>9.3f}{res['lag_p99']:>13.2f}"
              f"{cpu / res['wall_s'] * 100:>13.0f}{server_pct:>13.0f}{tokens / res['wall_s']:>8.0f}"
              + (f"   ({n - len(ttft)} unmatched or failed: {res['failed']})"
                 if len(ttft) < n else ""))
    print("(client CPU % counts its whole process, start-up included; a server at ~100 % of its "
          "one core is the bottleneck: its writes fall behind the decode steps)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small runs, no AIPerf, no 1,024 users")
    ap.add_argument("--no-aiperf", action="store_true")
    ap.add_argument("--no-install", action="store_true",
                    help="use aiohttp, uvloop and AIPerf only where already installed")
    ap.add_argument("--users", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=4, help="extra requests per user, 2nd run")
    ap.add_argument("--in", dest="in_tokens", type=int, default=128)
    ap.add_argument("--out", type=int, default=128)
    ap.add_argument("--levels", default="1,64,256,1024")
    ap.add_argument("--per-user", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="trials per client in part 1 (median)")
    ap.add_argument("--part", choices=("both", "cost", "accuracy"), default="both")
    ap.add_argument("--accuracy-clients", default="ours",
                    help="comma-separated clients for part 2, e.g. ours,aiohttp-target")
    ap.add_argument("--child", choices=KINDS)
    ap.add_argument("--url")
    ap.add_argument("--requests", type=int)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    args.out_acc = args.out
    args.levels = [int(x) for x in args.levels.split(",")]
    if args.quick:
        args.rounds, args.out, args.out_acc, args.per_user = 2, 32, 32, 1
        args.levels = [lv for lv in args.levels if lv <= 256]
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    no_extra = ensure_extra(not args.no_install)
    if no_extra:
        print(f"aiohttp and uvloop could not be installed ({no_extra}): their rows are left out")
    if args.quick or args.no_aiperf:
        no_aiperf = "left out (--quick or --no-aiperf)"
    else:
        no_aiperf = ensure_aiperf(not args.no_install)
        if no_aiperf:
            print(f"AIPerf could not be installed: {no_aiperf}")
    args.accuracy_clients = [k for k in args.accuracy_clients.split(",")
                             if not no_extra or k == "ours"]
    if args.part in ("both", "cost"):
        cost(args, no_extra, no_aiperf)
    if args.part in ("both", "accuracy"):
        accuracy(args)


if __name__ == "__main__":
    main()
