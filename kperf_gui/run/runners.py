"""One runner per target kind, behind one small protocol (:class:`TargetRunner`): where each
precision is served, the target driver that serves it, how one point's load is driven and its
window found, and what the kind adds to a point's record.

- ``openai``: an OpenAI-compatible endpoint, streamed requests with prompts of exact lengths;
- ``simulated``: the same against the built-in simulator, which also gives the exact energy of
  each window (recorded as the point's ``truth``);
- ``deepx``: inferences on DEEPX NPUs through DX-RT, plus the runtime's own benchmark figure;
- ``command``: a vendor benchmark program, run once per point, whose output gives the figures.

:data:`RUNNERS` maps ``target.kind`` to its runner; :func:`runner_for` builds it.
"""
from __future__ import annotations

import concurrent.futures
import json
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from drivers.targets.base import RequestResult, RequestSpec, Target, TargetUnavailable
from kperf_gui.clock import Clock
from kperf_gui.session.plan import Plan, SweepPoint, SweepSpec
from kperf_gui.session.records import PointRecord, PointStatus, RequestRecord

from .control import Control
from .health import LoopHealth
from .live import LiveFeed
from .loadgen import Load, Schedule, run_point
from .loop import LoopThread
from .prompts import (CALIBRATED, PREPARED, Calibration, PromptGenerator, ServerCountFailed,
                      TokenizerCounter, calibrate)
from .recorder import SessionRecorder
from .workers import Job, run_workers, split, workers_for


@dataclass(frozen=True)
class Endpoint:
    """Where a precision is served: an endpoint's base URL and model name; on a device, no URL
    and the model file or program."""

    base_url: str
    model: str


class SetupError(Exception):
    """Nothing was measured: the plan cannot run as given. The message is one plain line."""


@dataclass(frozen=True)
class RunnerEnv:
    """What a runner is built from."""

    plan: Plan
    on_tick: Callable[[PointRun], None]
    """Called about once a second while a point runs (progress)."""
    sim_url: str = ""
    """The simulated endpoint's root URL (kind ``simulated``)."""
    anchor_ns: int = 0
    """The session clock's anchor in raw ``perf_counter_ns``."""


@dataclass
class RunContext:
    """What every point of a run shares."""

    plan: Plan
    clock: Clock
    loop: LoopThread
    ctl: Control
    recorder: SessionRecorder
    live: LiveFeed

    def log(self, level: str, message: str) -> None:
        """A line for the operator (events, console) that the journal keeps too."""
        self.live.log(level, message)
        self.recorder.event(level, message)


@dataclass
class PointRun:
    """One point as it runs: which it is, what serves it, and how far it has got."""

    point: SweepPoint
    pid: int  # journal id: the point's index, negative for a ranging point
    target: Target
    model: str
    ranging: bool
    started_ns: int
    done_requests: int = 0
    measuring_since: int | None = None
    notes: list[str] = field(default_factory=list)
    window: tuple[int | None, int | None] = (None, None)
    vendor: str | None = None
    attempt: int = 0
    """Earlier attempts of this point measured again (after a pause inside their window)."""
    prompts: PromptGenerator | None = None
    """The point's prompts (request targets)."""
    prompt_lengths: Counter[str] = field(default_factory=Counter)
    """How many of the point's requests had their prompt's length set each way."""


class PointHook(Protocol):
    """Told of each sweep point around its measurement (ranging points too, with negative
    ids), with the point's target, the load loop (``ctx.loop``) and the recorder
    (``ctx.recorder``): a record of the system under test before and after each point, say."""

    def before_point(self, ctx: RunContext, run: PointRun) -> None:
        """The point is journaled as started; its warm-up has not begun."""
        ...

    def after_point(self, ctx: RunContext, run: PointRun, record: PointRecord) -> PointRecord:
        """The point's load is over; returns the record to journal (``record``, or a copy with
        more filled in)."""
        ...


class TargetRunner(Protocol):
    """What a target kind does in a run."""

    unit: str
    """``token``, or ``inference`` where a request is one inference."""

    def check(self) -> None:
        """Check what the kind needs locally before anything answers; :class:`SetupError`."""
        ...

    def prepare(self, loop: LoopThread, target: Target) -> None:
        """Make ready to measure once the target answers (prompt lengths, say);
        :class:`SetupError`."""
        ...

    def describe(self) -> dict[str, str]:
        """What the session's record says of how the kind measures (meta keys)."""
        ...

    def endpoint(self, precision: str) -> Endpoint:
        """Where ``precision`` is served."""
        ...

    def make_target(self, endpoint: Endpoint, now: Callable[[], int]) -> Target:
        """The target driver for ``endpoint``."""
        ...

    def measure(self, ctx: RunContext, run: PointRun) -> None:
        """Drive one point (warm-up, then the measured load) and set ``run.window``."""
        ...

    def finish(self, ctx: RunContext, run: PointRun, record: PointRecord) -> PointRecord:
        """What the kind adds to the point's record once the point is over."""
        ...


def wait(ctx: RunContext, fut: concurrent.futures.Future[Any], on_tick: Callable[[], None],
         what: str) -> None:
    """Wait for work on the load loop, ticking progress every second; cancel it on abort. A
    failure is logged as the point's, not the run's."""
    last = 0.0
    cancelled = False
    while True:
        try:
            fut.result(timeout=0.2)
            return
        except TimeoutError:
            pass
        except concurrent.futures.CancelledError:
            return
        except Exception as exc:  # noqa: BLE001 - a load failure ends the point, not the run
            ctx.log("error", f"{what} failed: {exc!r}")
            return
        if ctx.ctl.abort.is_set() and not cancelled:
            fut.cancel()
            cancelled = True
        if time.monotonic() - last >= 1.0:
            last = time.monotonic()
            on_tick()


class BaseRunner:
    """What most kinds leave as it is: nothing to check or prepare, no prompts, nothing added
    to a point's record."""

    unit = "inference"

    def __init__(self, env: RunnerEnv):
        self.plan = env.plan
        self.on_tick = env.on_tick

    def check(self) -> None:
        pass

    def prepare(self, loop: LoopThread, target: Target) -> None:
        pass

    def describe(self) -> dict[str, str]:
        return {"prompt_lengths": "not applicable (on-device target)"}

    def finish(self, ctx: RunContext, run: PointRun, record: PointRecord) -> PointRecord:
        return record


# --- requests (endpoints and devices) -------------------------------------------------------


def warmup_requests(sw: SweepSpec, pt: SweepPoint) -> int:
    """The point's warm-up requests: the plan's, else one per user."""
    return sw.warmup_requests if sw.warmup_requests is not None else pt.concurrency


RANGING_SEED = 1 << 40
"""Added to a ranging point's prompt seed (far from any testing point's)."""
REPEAT_SEED = 1 << 41
"""Added, per earlier attempt, to the prompt seed of a point measured again: the attempt before
sent the same prompts otherwise, whose prefills a server's prefix cache would answer for free."""
PREPARE_PER_USER_S = 4.0
"""For a timed point in closed loop, the requests per user and second its prompts are prepared
for; what it sends beyond them is calibrated (and the Requests sheet says so)."""
MAX_PREPARED = 4096
"""The most measured prompts counted by the server ahead of a timed point."""


def prompts_to_prepare(sw: SweepSpec, pt: SweepPoint) -> tuple[int, bool]:
    """How many prompts (sequence numbers from 0: warm-up, then measured) to count with the
    server before the point, and whether that is an estimate (a timed point)."""
    warm = warmup_requests(sw, pt)
    if sw.requests_per_point is not None:
        return warm + sw.requests_per_point, False
    seconds = sw.seconds_per_point or 0.0
    if sw.rate:
        mean = sw.rate * seconds  # Poisson arrivals: the mean and four standard deviations
        likely = mean + 4 * math.sqrt(mean) + pt.concurrency
    else:
        likely = pt.concurrency * (PREPARE_PER_USER_S * seconds + 1)
    return warm + min(MAX_PREPARED, math.ceil(likely)), True


class RequestRunner(BaseRunner):
    """A target that serves one request (or inference) at a time: the point's load is a
    schedule of requests (:mod:`.loadgen`), its window the measured requests' span."""

    unit = "token"

    def __init__(self, env: RunnerEnv):
        super().__init__(env)
        self.counter: TokenizerCounter | None = None
        self.calibration = Calibration()

    def endpoint(self, precision: str) -> Endpoint:
        """Where ``precision`` is served (each kind says)."""
        raise NotImplementedError

    def make_request(self, ctx: RunContext, run: PointRun
                     ) -> tuple[Callable[[int], RequestSpec], dict[int, int | None]]:
        """The request of each sequence number, and the input tokens counted for each prompt
        (None where only calibrated)."""
        seed = self.plan.sweep.seed * 1_000_003 + run.point.index
        if run.ranging:  # other prompts than the testing point's, whose prefills a server's
            seed += RANGING_SEED  # prefix cache would otherwise answer for free
        seed += run.attempt * REPEAT_SEED
        gen = run.prompts = PromptGenerator(seed=seed, counter=self.counter,
                                            calibration=self.calibration)
        counted: dict[int, int | None] = {}
        pt, model = run.point, run.model

        def make(seq: int) -> RequestSpec:
            text, n = gen.prompt(seq, pt.input_tokens or 1)
            counted[seq] = n
            return RequestSpec(seq=seq, prompt=text, input_tokens=pt.input_tokens or 0,
                               max_tokens=pt.output_tokens or 1, model=model)

        return make, counted

    def request_record(self, ctx: RunContext, run: PointRun, spec: RequestSpec,
                       res: RequestResult, warmup: bool, counted: dict[int, int | None]
                       ) -> RequestRecord:
        """A finished request as journaled; its output tokens from the server's usage, else
        the tokenizer's count, else its text chunks."""
        if res.completion_tokens is not None:
            out, source = res.completion_tokens, "usage"
        elif self.counter is not None and res.text:
            out, source = self.counter.count(res.text), "tokenizer"
        else:
            out, source = len(res.chunk_ns), "chunks"
        actual = res.prompt_tokens if res.prompt_tokens is not None else counted.get(spec.seq)
        length = None
        if run.prompts is not None:
            length = run.prompts.source(spec.seq, run.point.input_tokens or 1)
            run.prompt_lengths[length] += 1
        return RequestRecord(
            id=None, point=run.pid, seq=spec.seq, warmup=int(warmup), sent_ns=res.sent_ns,
            first_ns=res.first_ns, last_ns=res.last_ns, done_ns=res.done_ns, ok=int(res.ok),
            error=res.error, http_status=res.http_status, input_tokens_requested=spec.input_tokens,
            input_tokens_actual=actual, output_tokens_requested=spec.max_tokens,
            output_tokens=out if res.ok else None, output_tokens_source=source,
            chunks=len(res.chunk_ns),
            extra=json.dumps(res.extra, sort_keys=True) if res.extra else None,
            prompt_length=length)

    def measure(self, ctx: RunContext, run: PointRun) -> None:
        sw = self.plan.sweep
        pt = run.point
        make, counted = self.make_request(ctx, run)

        def done(spec: RequestSpec, res: RequestResult, warmup: bool) -> None:
            record = ctx.recorder.request(
                self.request_record(ctx, run, spec, res, warmup, counted),
                zip(res.chunk_ns, res.chunk_chars or [0] * len(res.chunk_ns)))
            ctx.live.request_done(record, res.chunk_ns)
            if not warmup:
                run.done_requests += 1

        def measuring(at_ns: int | None = None) -> None:
            run.measuring_since = ctx.clock.now() if at_ns is None else at_ns
            ctx.live.phase("measuring", pt.index)

        ctx.live.phase("warmup", pt.index)
        warm = warmup_requests(sw, pt)
        workers = workers_for(self.plan, pt)
        if workers > 1:
            self._spread(ctx, run, workers, warm, done, measuring, counted)
        else:
            self._one_process(ctx, run, warm, make, done, measuring)
        ctx.live.point_over(run.pid)
        ctx.recorder.flush()
        run.window = ctx.recorder.request_window(run.pid)

    def _one_process(self, ctx: RunContext, run: PointRun, warm: int,
                     make: Callable[[int], RequestSpec],
                     done: Callable[[RequestSpec, RequestResult, bool], None],
                     measuring: Callable[[], None]) -> None:
        """The point's load on the run's own load loop, probed for its health."""
        sw, pt = self.plan.sweep, run.point
        health = LoopHealth()

        def measuring_probed() -> None:
            measuring()
            health.start()

        sched = Schedule(pt.concurrency, warm, sw.requests_per_point, sw.seconds_per_point,
                         sw.rate, sw.seed + pt.index)
        load = Load(run.target, make, done, ctx.ctl, ctx.clock.now,
                    sending=lambda seq: ctx.live.sending(run.pid, seq),
                    on_measuring=measuring_probed)

        async def driven() -> None:
            try:
                await run_point(load, sched)
            finally:
                health.stop()

        fut = ctx.loop.submit(driven())
        wait(ctx, fut, lambda: self.on_tick(run), f"Point {pt.index}")
        ctx.recorder.client_health(health.record(run.pid, 0, pt.concurrency,
                                                 sw.max_client_lag_ms))

    def _spread(self, ctx: RunContext, run: PointRun, workers: int, warm: int,
                done: Callable[[RequestSpec, RequestResult, bool], None],
                measuring: Callable[[int], None], counted: dict[int, int | None]) -> None:
        """The point's users spread over ``workers`` processes (:mod:`.workers`); what they
        finish is journaled here as the run's own load is."""
        sw, pt = self.plan.sweep, run.point
        assert run.prompts is not None
        endpoint = self.endpoint(pt.precision)
        jobs = [Job(worker=k + 1, point=run.pid, plan=self.plan, base_url=endpoint.base_url,
                    model=run.model, sim_url=getattr(self, "sim_url", ""),
                    anchor_ns=ctx.clock.anchor_ns,
                    sched=Schedule(users, warm, sw.requests_per_point, sw.seconds_per_point,
                                   sw.rate / workers if sw.rate else None, sw.seed + pt.index),
                    prompts=run.prompts, input_tokens=pt.input_tokens or 0,
                    output_tokens=pt.output_tokens or 1)
                for k, users in enumerate(split(pt.concurrency, workers))]

        def finished(seq: int, n: int | None, warmup: bool, res: RequestResult) -> None:
            counted[seq] = n
            done(RequestSpec(seq=seq, prompt="", input_tokens=pt.input_tokens or 0,
                             max_tokens=pt.output_tokens or 1, model=run.model), res, warmup)

        ctx.live.say(f"Point {pt.index}: {pt.concurrency} users over {workers} load processes")
        outcome = run_workers(jobs, ctx.ctl, finished,
                              lambda seq, at: ctx.live.sending(run.pid, seq, at),
                              ctx.recorder.client_health, measuring,
                              lambda: self.on_tick(run))
        if outcome.died:
            ctx.log("error", f"Point {pt.index}: {outcome.died}")
            run.notes.append(outcome.died)


class OpenAIRunner(RequestRunner):
    """An OpenAI-compatible endpoint; a precision may be served at its own URL or model.
    Prompt lengths are exact with a local tokenizer; else, for completions, exact through the
    server's own ``/tokenize`` (each point's prompts counted before its warm-up); else
    calibrated against the server."""

    def __init__(self, env: RunnerEnv):
        super().__init__(env)
        self.server_tokenize = False
        """The server's ``/tokenize`` counted the calibration's prompts: prompts are made exact
        through it."""
        self.prompt_lengths: Counter[str] = Counter()
        """How the run's requests had their prompt lengths set, over all points."""

    def make_request(self, ctx: RunContext, run: PointRun
                     ) -> tuple[Callable[[int], RequestSpec], dict[int, int | None]]:
        make, counted = super().make_request(ctx, run)
        if self.server_tokenize and self.counter is None:
            self._prepare(ctx, run)
        return make, counted

    def _prepare(self, ctx: RunContext, run: PointRun) -> None:
        """Count the point's prompts with the server's ``/tokenize`` before its warm-up, so
        they are sent exact without asking the server while measuring; a prompt it did not
        count stays calibrated, and the Requests sheet says which."""
        assert run.prompts is not None
        pt = run.point
        n, estimated = prompts_to_prepare(self.plan.sweep, pt)
        tokens = pt.input_tokens or 1
        ctx.live.say(f"Point {pt.index}: counting {n} prompts with the server's /tokenize")
        fut = ctx.loop.submit(run.prompts.prepare(range(n), tokens,
                                                  run.target.tokenize))  # type: ignore[attr-defined]
        while True:
            try:
                exact = fut.result(timeout=0.2)
                break
            except TimeoutError:
                if ctx.ctl.abort.is_set():
                    fut.cancel()
                    return
            except (ServerCountFailed, TargetUnavailable) as exc:
                ctx.log("warning", f"Point {pt.index}: the server's /tokenize stopped counting "
                        f"({exc}); {len(run.prompts.prepared)} of {n} prompts are exact, the "
                        "rest calibrated (the Requests sheet's prompt_length says which).")
                return
        more = (": as many as the point is likely to send in its "
                f"{self.plan.sweep.seconds_per_point:g} s; any further requests are calibrated"
                if estimated else "")
        ctx.log("info", f"Point {pt.index}: {exact} of {n} prompts made exactly {tokens} tokens "
                f"long through the server's /tokenize{more}.")

    def measure(self, ctx: RunContext, run: PointRun) -> None:
        super().measure(ctx, run)
        self.prompt_lengths.update(run.prompt_lengths)
        beyond = run.prompt_lengths.get(CALIBRATED, 0)
        if run.prompts is not None and run.prompts.prepared and beyond:
            sent = sum(run.prompt_lengths.values())
            ctx.log("warning", f"Point {run.point.index}: {beyond} of {sent} requests were sent "
                    f"with calibrated prompts, beyond the {len(run.prompts.prepared)} counted "
                    "by the server before the point (the Requests sheet's prompt_length says "
                    "which).")

    def check(self) -> None:
        tok = self.plan.target.tokenizer
        if tok:
            try:
                self.counter = TokenizerCounter(tok)
            except Exception as exc:  # noqa: BLE001 - any load failure is a plan problem
                raise SetupError(f"target.tokenizer: {tok} cannot be loaded as a "
                                 f"tokenizer.json ({exc}).") from None

    def prepare(self, loop: LoopThread, target: Target) -> None:
        if self.counter is not None:
            return
        try:
            self.calibration = loop.run(calibrate(self._server_count(target)), timeout=120)
        except TargetUnavailable as exc:
            raise SetupError(f"target: {exc}") from None

    def _server_count(self, target: Target) -> Callable[[str], Awaitable[int | None]]:
        """How the server counts a prompt's tokens: its ``/tokenize`` for completions (then
        :attr:`server_tokenize`), else (chat, whose template adds tokens, or no ``/tokenize``) a
        one-token request's ``usage.prompt_tokens``."""
        async def count(text: str) -> int | None:
            if self.plan.target.api == "completions":
                n = await target.tokenize(text)  # type: ignore[attr-defined]
                if n is not None:
                    self.server_tokenize = True
                    return int(n)
            res = await target.send(RequestSpec(seq=-1, prompt=text, input_tokens=0, max_tokens=1))
            return res.prompt_tokens if res.ok else None

        return count

    def describe(self) -> dict[str, str]:
        c = self.calibration
        calibrated = (f"calibrated against the server ({c.source}: {c.per_word:.4f} tokens per "
                      f"word + {c.offset:.1f})")
        if self.counter is not None:
            text = "tokenizer " + self.plan.target.tokenizer
        elif self.server_tokenize:
            text = "exact through the server's /tokenize"
            total = sum(self.prompt_lengths.values())
            if total:
                exact = self.prompt_lengths.get(PREPARED, 0)
                text += f" ({exact} of {total} prompts" + (
                    f"; the other {total - exact} {calibrated})" if exact < total else ")")
        else:
            text = calibrated
        return {"prompt_lengths": text}

    def endpoint(self, precision: str) -> Endpoint:
        t = self.plan.target
        return self._routed(precision, t.base_url, t.model)

    def _routed(self, precision: str, base: str, model: str) -> Endpoint:
        route = self.plan.route(precision)
        if route is not None:
            base = (route.base_url or base).rstrip("/")
            model = route.model or model
        return Endpoint(base, model)

    def make_target(self, endpoint: Endpoint, now: Callable[[], int]) -> Target:
        from drivers.targets.openai import OpenAITarget

        t = self.plan.target
        return OpenAITarget(now, endpoint.base_url, endpoint.model, api=t.api,
                            api_key_env=t.api_key_env or None, timeout_s=t.timeout_s)


class SimulatedRunner(OpenAIRunner):
    """The built-in simulated endpoint at ``sim_url``; each point's record keeps the
    simulator's exact energy over its window (``truth``), a check on the measured figure."""

    def __init__(self, env: RunnerEnv):
        super().__init__(env)
        self.sim_url = env.sim_url
        self.anchor_ns = env.anchor_ns

    def endpoint(self, precision: str) -> Endpoint:
        return self._routed(precision, f"{self.sim_url}/v1", self.plan.target.model or "sim-llm")

    def finish(self, ctx: RunContext, run: PointRun, record: PointRecord) -> PointRecord:
        if record.window_start_ns is None or record.window_end_ns is None:
            return record
        import httpx

        a = record.window_start_ns + self.anchor_ns
        b = record.window_end_ns + self.anchor_ns
        try:
            r = httpx.get(f"{self.sim_url}/sim/energy", params={"t0": a, "t1": b}, timeout=5,
                          trust_env=False)
            truth = {"sim_energy_j": float(r.json()["energy_j"])}
        except Exception:  # noqa: BLE001 - the truth is a check, not a measurement
            return record
        return replace(record, truth=json.dumps(truth, sort_keys=True))


class DeepxRunner(RequestRunner):
    """DEEPX NPUs through DX-RT: each request is one inference; the runtime's own benchmark
    figure is recorded beside each measured point (outside its window)."""

    unit = "inference"

    def endpoint(self, precision: str) -> Endpoint:
        return Endpoint("", self.plan.target.model_path)

    def make_target(self, endpoint: Endpoint, now: Callable[[], int]) -> Target:
        from drivers.targets.deepx import DeepxTarget

        t = self.plan.target
        return DeepxTarget(now, t.model_path, t.devices, t.timeout_s)

    def make_request(self, ctx: RunContext, run: PointRun
                     ) -> tuple[Callable[[int], RequestSpec], dict[int, int | None]]:
        model = run.model
        return (lambda seq: RequestSpec(seq=seq, prompt="", input_tokens=0, max_tokens=1,
                                        model=model)), {}

    def finish(self, ctx: RunContext, run: PointRun, record: PointRecord) -> PointRecord:
        if run.ranging or record.status != PointStatus.FINISHED:
            return record
        try:
            figures = ctx.loop.run(run.target.vendor_benchmark(100),  # type: ignore[attr-defined]
                                   timeout=600)
        except Exception as exc:  # noqa: BLE001 - a record, not a measurement
            figures = {"error": f"{exc!r}"}
        return replace(record, vendor=json.dumps(figures, sort_keys=True, default=str))


# --- a vendor program ------------------------------------------------------------------------


class ProgramRunner(BaseRunner):
    """A vendor benchmark program, run once per point; it reports its own window and figures."""

    def endpoint(self, precision: str) -> Endpoint:
        return Endpoint("", " ".join(self.plan.target.command))

    def make_target(self, endpoint: Endpoint, now: Callable[[], int]) -> Target:
        from drivers.targets.command import CommandTarget

        t = self.plan.target
        return CommandTarget(now, t.command, t.parser, settle_s=t.settle_s,
                             timeout_s=t.timeout_s, regex=t.regex or None, cwd=t.cwd or None)

    def measure(self, ctx: RunContext, run: PointRun) -> None:
        pt = run.point
        ctx.live.phase("measuring", pt.index)
        run.measuring_since = run.started_ns
        fut = ctx.loop.submit(run.target.run_point(  # type: ignore[attr-defined]
            pt.concurrency, self.plan.sweep.seconds_per_point))
        wait(ctx, fut, lambda: self.on_tick(run), f"Point {pt.index}")
        try:
            cp = fut.result(timeout=0)
        except BaseException as exc:  # noqa: BLE001 - aborted or failed: the point says so
            run.notes.append(f"the program did not finish ({exc!r})")
            return
        figures = {k: getattr(cp, k) for k in (
            "ok", "error", "returncode", "window_source", "inferences", "throughput_per_s",
            "latency_ms_mean", "latency_ms_p99", "vendor_power_w", "argv", "extra")}
        run.window = (cp.window_start_ns, cp.window_end_ns)
        run.vendor = json.dumps(figures, sort_keys=True, default=str)
        ctx.recorder.event("program_output",
                           f"point {pt.index}: {' '.join(cp.argv)} exited {cp.returncode}",
                           {"output": cp.raw_output}, t_ns=cp.ended_ns)
        if not cp.ok:
            ctx.log("error", f"Point {pt.index}: {cp.error}")


RUNNERS: dict[str, Callable[[RunnerEnv], TargetRunner]] = {
    "openai": OpenAIRunner, "simulated": SimulatedRunner, "deepx": DeepxRunner,
    "command": ProgramRunner}
"""Each ``target.kind``'s runner."""


def runner_for(env: RunnerEnv) -> TargetRunner:
    """The runner of the plan's target kind."""
    return RUNNERS[env.plan.target.kind](env)
