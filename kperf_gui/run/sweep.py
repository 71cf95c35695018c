"""A sweep from start to finish: preflight, idle baseline, points, pauses, validity, exports.

``SweepRun`` is what ``kperf run`` and ``kperf demo`` execute. Preflight problems (a meter or
endpoint that does not answer, an expired calibration, a session folder in the way) raise
:class:`SetupError` before anything is measured (exit 2). Once measuring, every failure is
journaled and the run ends cleanly: the journal is finalised and exported whatever happens.
"""
from __future__ import annotations

import collections
import concurrent.futures
import datetime as _dt
import json
import platform
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from drivers.meters.base import Reading
from drivers.targets.base import RequestResult, RequestSpec, Target, TargetUnavailable
from kperf_gui import __version__
from kperf_gui.clock import Clock
from kperf_gui.session import export as exporter
from kperf_gui.session.journal import Journal
from kperf_gui.session.load import point_row
from kperf_gui.session.plan import Plan, SweepPoint, expired_meters, points

from .events import EventSink
from .load import Control, Schedule, run_point
from .loop import LoopThread
from .meters import Channel, MeterSetupError, Poller, fix_ranges, open_meter
from .targets import make_target
from .prompts import Calibration, PromptGenerator, TokenizerCounter, calibrate


class SetupError(Exception):
    """Nothing was measured: the plan cannot run as given. The message is one plain line."""


@dataclass
class Hooks:
    """How the run talks to whoever started it."""

    events: EventSink | None = None  # --events: JSON lines
    console: Callable[[str], None] | None = None  # human progress lines
    ask_operator: Callable[[str], bool] | None = None  # terminal prompt; False = abort


def _utc(dt: _dt.datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


class SweepRun:
    """One run of a plan into one session folder."""

    def __init__(self, plan: Plan, folder: Path, hooks: Hooks, control: Control | None = None,
                 sim_url: str | None = None):
        self.plan = plan
        self.folder = Path(folder)
        self.hooks = hooks
        self.ctl = control or Control()
        self.ctl.on_change = self._on_pause_change
        self.sim_url = sim_url  # root URL of the simulated endpoint for kind "simulated"
        self.clock = Clock()
        self.loop: LoopThread | None = None
        self.channels: list[Channel] = []
        self.pollers: list[Poller] = []
        self.journal: Journal | None = None
        self.targets: dict[tuple[str, str], Target] = {}
        self.points = points(plan)
        self._chunks: collections.deque[int] = collections.deque()
        self._latest: dict[int, tuple[int, float | None]] = {}
        self._last_end: dict[int, int] = {}  # end of each channel's latest update interval
        self._point_now = 0
        self._done_requests = 0
        self._lost_stop = threading.Event()
        self._loss_notes: dict[int, list[str]] = collections.defaultdict(list)
        self._range_seen: dict[int, list[float]] = {}
        self.counter: TokenizerCounter | None = None
        self.calibration = Calibration()
        self.status = "running"

    # --- output ------------------------------------------------------------------------------

    def emit(self, kind: str, **fields: Any) -> None:
        if self.hooks.events is not None:
            self.hooks.events.emit(kind, t=round(self.clock.now() / 1e9, 6), **fields)

    def _on_pause_change(self, state: str) -> None:
        self.emit("phase", phase=state, point=self._point_now)
        if self.journal is not None:
            self.journal.put_event(self.clock.now(), state, f"{state} by the operator")

    def say(self, line: str) -> None:
        if self.hooks.console is not None:
            self.hooks.console(line)

    def log(self, level: str, message: str) -> None:
        self.emit("log", level=level, message=message)
        if self.journal is not None:
            self.journal.put_event(self.clock.now(), level, message)
        if level != "info":
            self.say(f"{level}: {message}")

    # --- preflight ---------------------------------------------------------------------------

    def _target_for(self, base_url: str, model: str) -> Target:
        key = (base_url, model)
        if key not in self.targets:
            self.targets[key] = make_target(self.plan.target, self.clock.now, base_url, model)
        return self.targets[key]

    def _endpoint(self, precision: str) -> tuple[str, str]:
        """(base URL, model) serving ``precision``; on-device: ("", model file or program)."""
        t = self.plan.target
        if t.kind == "deepx":
            return "", t.model_path
        if t.kind == "command":
            return "", " ".join(t.command)
        base, model = (f"{self.sim_url}/v1", t.model or "sim-llm") if t.kind == "simulated" else (
            t.base_url, t.model)
        route = self.plan.route(precision)
        if route is not None:
            base = (route.base_url or base).rstrip("/")
            model = route.model or model
        return base, model

    def preflight(self) -> None:
        """Check everything answers before measuring; raises :class:`SetupError`."""
        plan = self.plan
        if self.folder.exists() and not self.folder.is_dir():
            raise SetupError(f"--out: {self.folder} is a file; give a new or empty folder.")
        if self.folder.exists() and any(self.folder.iterdir()):
            raise SetupError(f"--out: {self.folder} already holds files; give a new or empty "
                             "folder so no earlier session is overwritten.")
        try:
            self._made_folder = not self.folder.exists()
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SetupError(f"--out: the session folder {self.folder} cannot be created "
                             f"({exc.strerror}); choose a folder you can write to.") from None
        expired = expired_meters(plan, _dt.date.today())
        if expired and not plan.session.allow_expired_calibration:
            raise SetupError(f"{expired[0]}; recalibrate the meter, or set "
                             "session.allow_expired_calibration = true to run anyway (recorded).")
        unrouted = self._unrouted_switches()
        if unrouted and self.hooks.events is None and self.hooks.ask_operator is None:
            raise SetupError(f"sweep.precision: the run must pause before '{unrouted[0]}' for the "
                             "server to be switched, but there is no terminal to ask; add "
                             f"[target.precisions.{unrouted[0]}] with base_url/model, or run it "
                             "from a terminal or the app.")
        if plan.target.tokenizer:
            try:
                self.counter = TokenizerCounter(plan.target.tokenizer)
            except Exception as exc:  # noqa: BLE001 - any load failure is a plan problem
                raise SetupError(f"target.tokenizer: {plan.target.tokenizer} cannot be loaded "
                                 f"as a tokenizer.json ({exc}).") from None
        self.loop = LoopThread()
        seen: set[tuple[str, str]] = set()
        for prec in plan.sweep.precision:
            ep = self._endpoint(prec)
            if ep in seen:
                continue
            seen.add(ep)
            if plan.route(prec) is None and prec != plan.sweep.precision[0]:
                continue  # served after the operator switches the server
            target = self._target_for(*ep)
            try:
                info = self.loop.run(target.probe(), timeout=60)
                self.loop.run(target.check_request(), timeout=self.plan.target.timeout_s + 60)
            except TargetUnavailable as exc:
                raise SetupError(f"target: {exc}") from None
            self.target_info = info
        for i, spec in enumerate(plan.meters):
            resource = spec.resource or (self.sim_url if spec.driver == "simulated" else None)
            if spec.driver == "simulated" and not resource:
                raise SetupError(f"meters[{i}].resource: the simulated meter reads the "
                                 "simulated endpoint; use target.kind = 'simulated'.")
            try:
                self.channels.append(open_meter(spec, i, resource))
            except MeterSetupError as exc:
                self._close_meters()
                raise SetupError(str(exc)) from None
        if self.counter is None and plan.uses_tokens:
            base, model = self._endpoint(plan.sweep.precision[0])
            try:
                self.calibration = self.loop.run(
                    calibrate(self._server_count(self._target_for(base, model))), timeout=120)
            except TargetUnavailable as exc:
                raise SetupError(f"target: {exc}") from None

    def _server_count(self, target: Target) -> Callable[[str], Any]:
        """How the server counts a prompt's tokens: vLLM's ``/tokenize`` for completions, else
        (chat, whose template adds tokens, or no ``/tokenize``) a one-token request's
        ``usage.prompt_tokens``."""
        async def count(text: str) -> int | None:
            if self.plan.target.api == "completions":
                n = await target.tokenize(text)  # type: ignore[attr-defined]
                if n is not None:
                    return n
            res = await target.send(RequestSpec(seq=-1, prompt=text, input_tokens=0, max_tokens=1))
            return res.prompt_tokens if res.ok else None

        return count

    def _unrouted_switches(self) -> list[str]:
        precs = self.plan.sweep.precision
        return [p for p in precs[1:] if self.plan.route(p) is None]

    # --- journal -----------------------------------------------------------------------------

    def _open_journal(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.journal = j = Journal(self.folder / "session.sqlite")
        s, t, sw = self.plan.session, self.plan.target, self.plan.sweep
        j.put_meta({
            "format": "kperf-session/1", "name": s.name, "operator": s.operator,
            "witness": s.witness, "notes": s.notes,
            "ambient_c": "" if s.ambient_c is None else f"{s.ambient_c:g}",
            "allow_expired_calibration": "yes" if s.allow_expired_calibration else "no",
            "status": "running", "started_utc": _utc(self.clock.anchor_utc),
            "anchor_utc": self.clock.anchor_utc.isoformat(),
            "anchor_raw_ns": str(self.clock.anchor_ns),
            "clock": "time.perf_counter_ns, integer ns since the anchor",
            "software": f"K-Perf Lab {__version__}", "host": socket.gethostname(),
            "python": platform.python_version(), "plan": self.plan.source,
            "target_kind": t.kind, "target_base_url": t.base_url or (self.sim_url or ""),
            "target_model": self._endpoint(sw.precision[0])[1], "target_api": t.api,
            "target_info": json.dumps(getattr(self, "target_info", {}), sort_keys=True),
            "prompt_lengths": ("tokenizer " + t.tokenizer) if self.counter else
            f"calibrated against the server ({self.calibration.source}: "
            f"{self.calibration.per_word:.4f} tokens per word + {self.calibration.offset:.1f})"
            if self.plan.uses_tokens else "not applicable (on-device target)",
            "unit": self.unit, "idle_baseline_s": f"{sw.idle_baseline_s:g}",
        })
        for ch in self.channels:
            ident = ch.identity
            j.put_instrument({
                "id": ch.id, "channel": f"{ch.spec.driver}#{ch.id}", "driver": ch.spec.driver,
                "resource": ch.meter.resource, "role": ch.spec.role,
                "elements": ",".join(map(str, ch.spec.elements)), "rate_hz": ch.spec.rate_hz,
                "maker": ident.maker if ident else "", "model": ident.model if ident else "",
                "serial": ident.serial if ident else "", "firmware": ident.firmware if ident else "",
                "calibration_due": ch.spec.calibration_due.isoformat() if ch.spec.calibration_due else "",
                "identity_raw": ident.raw if ident else "",
                "config": json.dumps({"voltage_range": ch.meter.config.voltage_range,
                                      "current_range": ch.meter.config.current_range,
                                      "rate_hz": ch.meter.config.rate_hz,
                                      "ranging": ch.spec.ranging, "options": ch.spec.options},
                                     sort_keys=True, default=str),
            })
        j.put_event(0, "session", f"session {s.name} started", {"operator": s.operator,
                                                                "witness": s.witness})

    # --- meters ------------------------------------------------------------------------------

    def _on_reading(self, ch: Channel, t_ns: int, t0: int, t1: int, reading: Reading | None,
                    note: str, raw: bytes) -> None:
        rows = []
        watts_sum: float | None = 0.0
        if reading is None:
            for el in ch.spec.elements:
                rows.append((ch.id, el, t_ns, t0, t1, None, None, None, None, None, note, "", raw,
                             None))
            watts_sum = None
        else:
            for er in reading.elements:
                flags = ",".join(er.flags)
                extra = json.dumps(er.extra, sort_keys=True) if er.extra else None
                rows.append((ch.id, er.element, t_ns, t0, t1, er.watts, er.volts, er.amps, er.pf,
                             er.wh, flags, reading.ranges, raw, extra))
                watts_sum = None if (watts_sum is None or er.watts is None) else watts_sum + er.watts
                if self._point_now < 0:  # ranging pass: the highest volts and amps seen
                    seen = self._range_seen.setdefault(ch.id, [0.0, 0.0])
                    seen[0] = max(seen[0], abs(er.volts or 0.0))
                    seen[1] = max(seen[1], abs(er.amps or 0.0))
        if self.journal is not None:
            self.journal.put_readings(rows)
        self._last_end[ch.id] = t1
        if ch.spec.role != "wall":
            return
        self._latest[ch.id] = (t_ns, watts_sum)
        walls = [c for c in self.channels if c.spec.role == "wall"]
        if walls and ch is walls[0]:
            values = [self._latest.get(c.id, (0, None))[1] for c in walls]
            total = None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]
            while self._chunks and self._chunks[0] < t0:
                self._chunks.popleft()
            n = sum(1 for t in list(self._chunks) if t < t1)
            span = (t1 - t0) / 1e9
            self.emit("power", w=total, t0=t0 / 1e9, t1=t1 / 1e9, point=self._point_now,
                      channels={c.label: self._latest.get(c.id, (0, None))[1] for c in walls})
            self.emit("tokens", t0=t0 / 1e9, t1=t1 / 1e9, tokens=n, per_s=n / span if span else 0,
                      point=self._point_now)

    def _on_lost(self, ch: Channel, message: str) -> None:
        self._loss_notes[self._point_now].append(f"{ch.label} lost: {message}")
        self.log("error", f"Meter {ch.spec.driver} at {ch.meter.resource or '-'} stopped "
                 f"answering: {message}. "
                 + ("The run stops, as the plan asks (meters.on_loss = 'stop')."
                    if ch.spec.on_loss == "stop" else
                    "Readings are missing until it answers again; the affected points are "
                    "marked invalid. Check its cable and power."))
        if ch.spec.on_loss == "stop":
            self._lost_stop.set()
            self.ctl.abort.set()

    def _start_meters(self) -> None:
        for ch in self.channels:
            p = Poller(ch, self.clock, self._on_reading, self._on_lost)
            self.pollers.append(p)
            p.start()

    def _close_meters(self) -> None:
        for p in self.pollers:
            p.stop()
        for p in self.pollers:
            p.join(timeout=5)
        for ch in self.channels:
            try:
                ch.meter.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    # --- points ------------------------------------------------------------------------------

    def _wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.ctl.abort.is_set():
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))

    def _idle_baseline(self) -> None:
        secs = self.plan.sweep.idle_baseline_s
        if secs <= 0 or not self.channels:
            return
        self.emit("phase", phase="idle_baseline")
        self.say(f"Idle baseline: {secs:g} s with no load")
        a = self.clock.now()
        self._wait(secs)
        b = self.clock.now()
        assert self.journal is not None
        self.journal.put_meta({"idle_start_ns": str(a), "idle_end_ns": str(b)})
        self.journal.put_event(b, "idle_baseline", f"idle baseline {(b - a) / 1e9:.2f} s")

    def _switch_server(self, precision: str) -> bool:
        """Ask the operator to switch the server to ``precision``; False if they abort."""
        msg = (f"Switch the server to precision '{precision}' (model "
               f"{self._endpoint(precision)[1]}), then continue.")
        assert self.journal is not None
        self.journal.put_event(self.clock.now(), "operator_action", msg)
        self.emit("phase", phase="waiting")
        if self.hooks.events is not None:
            self.ctl.proceed.clear()  # before asking: the answer may come at once
            self.emit("operator_action", precision=precision, message=msg)
            while not self.ctl.proceed.wait(0.1):
                if self.ctl.abort.is_set() or self.ctl.stop.is_set():
                    return False
            ok = True
        else:
            assert self.hooks.ask_operator is not None
            ok = self.hooks.ask_operator(msg)
        if ok:
            assert self.loop is not None
            target = self._target_for(*self._endpoint(precision))
            try:
                self.loop.run(target.probe(), timeout=60)
                self.loop.run(target.check_request(), timeout=self.plan.target.timeout_s + 60)
            except TargetUnavailable as exc:
                self.log("error", f"After the switch the endpoint does not answer: {exc}")
                return False
        return ok

    @property
    def unit(self) -> str:
        return "token" if self.plan.uses_tokens else "inference"

    def _make(self, pt: SweepPoint, model: str) -> Callable[[int], RequestSpec]:
        if not self.plan.uses_tokens:
            self._counted = {}
            return lambda seq: RequestSpec(seq=seq, prompt="", input_tokens=0, max_tokens=1,
                                           model=model)
        gen = PromptGenerator(seed=self.plan.sweep.seed * 1_000_003 + pt.index, counter=self.counter,
                              calibration=self.calibration)
        cache: dict[int, int | None] = {}

        def make(seq: int) -> RequestSpec:
            text, counted = gen.prompt(seq, pt.input_tokens or 1)
            cache[seq] = counted
            return RequestSpec(seq=seq, prompt=text, input_tokens=pt.input_tokens or 0,
                               max_tokens=pt.output_tokens or 1, model=model)

        self._counted = cache
        return make

    def _done(self, pt: SweepPoint, pid: int) -> Callable[[RequestSpec, RequestResult, bool], None]:
        def done(spec: RequestSpec, res: RequestResult, warmup: bool) -> None:
            if res.completion_tokens is not None:
                out, source = res.completion_tokens, "usage"
            elif self.counter is not None and res.text:
                out, source = self.counter.count(res.text), "tokenizer"
            else:
                out, source = len(res.chunk_ns), "chunks"
            actual = res.prompt_tokens if res.prompt_tokens is not None else self._counted.get(spec.seq)
            row = {
                "point": pid, "seq": spec.seq, "warmup": int(warmup), "sent_ns": res.sent_ns,
                "first_ns": res.first_ns, "last_ns": res.last_ns, "done_ns": res.done_ns,
                "ok": int(res.ok), "error": res.error, "http_status": res.http_status,
                "input_tokens_requested": spec.input_tokens, "input_tokens_actual": actual,
                "output_tokens_requested": spec.max_tokens, "output_tokens": out if res.ok else None,
                "output_tokens_source": source, "chunks": len(res.chunk_ns),
                "extra": json.dumps(res.extra, sort_keys=True) if res.extra else None,
            }
            assert self.journal is not None
            self.journal.put_request(row, zip(res.chunk_ns, res.chunk_chars or [0] * len(res.chunk_ns)))
            if not warmup:
                self._done_requests += 1

        return done

    def _await(self, fut: Any, on_tick: Callable[[], None]) -> None:
        """Wait for work on the load loop, ticking progress; cancel it on abort."""
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
                self.log("error", f"Point {self._point_now} failed: {exc!r}")
                return
            if self.ctl.abort.is_set() and not cancelled:
                fut.cancel()
                cancelled = True
            if time.monotonic() - last >= 1.0:
                last = time.monotonic()
                on_tick()

    def _point(self, pt: SweepPoint, conn: sqlite3.Connection, ranging: bool = False
               ) -> dict[str, Any] | None:
        """Run one point; ``ranging`` points are journaled under negative ids (the ranging pass
        of meters.ranging = 'pass') and left out of the Summary."""
        assert self.journal is not None and self.loop is not None
        pid = -pt.index if ranging else pt.index
        base, model = self._endpoint(pt.precision)
        target = self._target_for(base, model)
        target.on_chunk = self._chunks.append
        sw = self.plan.sweep
        n = len(self.points)
        started = self.clock.now()
        prow: dict[str, Any] = {
            "id": pid, "precision": pt.precision, "input_tokens": pt.input_tokens,
            "output_tokens": pt.output_tokens, "concurrency": pt.concurrency, "model": model,
            "unit": target.unit, "started_ns": started, "status": "running"}
        self.journal.put_point(prow)
        self._point_now = pid
        self._done_requests = 0
        self.emit("point_started", point=pt.index, of=n, precision=pt.precision,
                  input_tokens=pt.input_tokens, output_tokens=pt.output_tokens,
                  concurrency=pt.concurrency, model=model, ranging=ranging)
        total = sw.requests_per_point or sw.seconds_per_point or 0
        measuring_at: list[int] = []
        tick = lambda: self._progress(pt, started, total, measuring_at)  # noqa: E731
        self.loop.run(target.open(pt.concurrency), timeout=120)
        if self.plan.target.kind == "command":
            self.emit("phase", phase="measuring", point=pt.index)
            measuring_at.append(started)
            fut = self.loop.submit(target.run_point(pt.concurrency, sw.seconds_per_point))  # type: ignore[attr-defined]
            self._await(fut, tick)
            self._journal_program(pt, prow, fut)
        else:
            self.emit("phase", phase="warmup", point=pt.index)
            warm = sw.warmup_requests if sw.warmup_requests is not None else pt.concurrency

            def on_measuring() -> None:
                measuring_at.append(self.clock.now())
                self.emit("phase", phase="measuring", point=pt.index)

            sched = Schedule(pt.concurrency, warm, sw.requests_per_point, sw.seconds_per_point,
                             sw.rate, sw.seed + pt.index)
            fut = self.loop.submit(run_point(target, sched, self._make(pt, model),
                                             self._done(pt, pid), self.ctl, self.clock.now,
                                             on_measuring))
            self._await(fut, tick)
        self.loop.run(target.close(), timeout=30)
        status = "aborted" if self.ctl.abort.is_set() else "finished"
        notes = self._loss_notes.pop(pid, [])
        prow.update({"finished_ns": self.clock.now(), "status": status,
                     "note": "; ".join(notes) if notes else ("aborted by the operator"
                                                              if status == "aborted" else "")})
        self.journal.put_point(prow)
        self.journal.flush()
        if self.plan.target.kind != "command":
            w = conn.execute("SELECT MIN(sent_ns), MAX(done_ns) FROM requests WHERE point = ? "
                             "AND warmup = 0", (pid,)).fetchone()
            prow.update({"window_start_ns": w[0], "window_end_ns": w[1]})
        if prow.get("window_end_ns") is not None:
            self._await_readings_past(prow["window_end_ns"])
        if prow.get("window_start_ns") is not None:
            paused = self.ctl.paused_s(prow["window_start_ns"] + self.clock.anchor_ns,
                                       prow["window_end_ns"] + self.clock.anchor_ns)
            if paused > 0:
                note = f"paused for {paused:.1f} s inside the measurement window"
                prow["note"] = "; ".join(x for x in (prow.get("note"), note) if x)
        truth = self._truth(prow)
        if truth is not None:
            prow["truth"] = json.dumps(truth, sort_keys=True)
        if self.plan.target.kind == "deepx" and status == "finished" and not ranging:
            prow["vendor"] = json.dumps(self._vendor_benchmark(target), sort_keys=True, default=str)
        self.journal.put_point(prow)
        self.journal.flush()
        self._progress(pt, started, total, measuring_at, final=True)
        if ranging:
            return None
        row = point_row(conn, pid)
        self.emit("point_finished", point=pt.index, summary=row)
        return row

    def _await_readings_past(self, end_ns: int) -> None:
        """Wait until every working meter has reported an update centred after ``end_ns``, so
        the point's energy can be interpolated at the window's end (a meter reports an interval
        only once it is over)."""
        def behind() -> list[Channel]:
            return [c for c in self.channels if not c.lost and self._last_end.get(c.id, 0)
                    - c.meter.update_period_s * 0.5e9 < end_ns]

        longest = max((c.meter.update_period_s for c in self.channels), default=0.0)
        deadline = time.monotonic() + 3 * longest + 1.0
        while behind() and time.monotonic() < deadline and not self.ctl.abort.is_set():
            time.sleep(0.01)

    def _journal_program(self, pt: SweepPoint, prow: dict[str, Any], fut: Any) -> None:
        """Journal a vendor program's run: its window, its figures and its raw output."""
        assert self.journal is not None
        try:
            cp = fut.result(timeout=0)
        except BaseException as exc:  # noqa: BLE001 - aborted or failed: the point says so
            self._loss_notes[prow["id"]].append(f"the program did not finish ({exc!r})")
            return
        figures = {k: getattr(cp, k) for k in (
            "ok", "error", "returncode", "window_source", "inferences", "throughput_per_s",
            "latency_ms_mean", "latency_ms_p99", "vendor_power_w", "argv", "extra")}
        prow.update({"window_start_ns": cp.window_start_ns, "window_end_ns": cp.window_end_ns,
                     "vendor": json.dumps(figures, sort_keys=True, default=str)})
        self.journal.put_event(cp.ended_ns, "program_output",
                               f"point {pt.index}: {' '.join(cp.argv)} exited {cp.returncode}",
                               {"output": cp.raw_output})
        if not cp.ok:
            self.log("error", f"Point {pt.index}: {cp.error}")

    def _vendor_benchmark(self, target: Target) -> dict[str, Any]:
        """The runtime's own benchmark figure, recorded beside ours (outside the window)."""
        assert self.loop is not None
        try:
            return self.loop.run(target.vendor_benchmark(100), timeout=600)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - a record, not a measurement
            return {"error": f"{exc!r}"}

    def _truth(self, prow: dict[str, Any]) -> dict[str, float] | None:
        """For the simulated endpoint: its exact energy over the point's window."""
        if self.plan.target.kind != "simulated" or not self.sim_url:
            return None
        if prow.get("window_start_ns") is None:
            return None
        import httpx

        a = prow["window_start_ns"] + self.clock.anchor_ns
        b = prow["window_end_ns"] + self.clock.anchor_ns
        try:
            r = httpx.get(f"{self.sim_url}/sim/energy", params={"t0": a, "t1": b}, timeout=5,
                          trust_env=False)
            return {"sim_energy_j": float(r.json()["energy_j"])}
        except Exception:  # noqa: BLE001 - the truth is a check, not a measurement
            return None

    def _progress(self, pt: SweepPoint, started: int, total: float, measuring_at: list[int],
                  final: bool = False) -> None:
        now = self.clock.now()
        elapsed = (now - started) / 1e9
        n = len(self.points)
        if self.plan.sweep.seconds_per_point:
            done = (now - measuring_at[0]) / 1e9 if measuring_at else 0.0
            done = min(done, total)
        else:
            done = self._done_requests
        frac = min(1.0, done / total) if total else 1.0
        sweep_elapsed = (now - self._sweep_started) / 1e9
        finished_points = pt.index - 1 + (1.0 if final else frac)
        left = sweep_elapsed / finished_points * (n - finished_points) if finished_points > 0 else None
        self.emit("progress", point=pt.index, of=n, done=done, total=total,
                  elapsed_s=round(elapsed, 3), left_s=None if left is None else round(left, 1))
        if final:
            unit = "s" if self.plan.sweep.seconds_per_point else "requests"
            left_txt = "-" if left is None else f"{left:.0f} s"
            self.say(f"point {pt.index} of {n}: {pt.precision} in={pt.input_tokens} "
                     f"out={pt.output_tokens} users={pt.concurrency}: {done:g}/{total:g} {unit} "
                     f"done, {elapsed:.1f} s elapsed, about {left_txt} left")

    # --- the whole run -----------------------------------------------------------------------

    def run(self) -> int:
        """Preflight must have passed. Returns the exit code (0 all valid, 1 otherwise)."""
        rows: list[dict[str, Any]] = []
        self._open_journal()
        assert self.journal is not None
        self._sweep_started = self.clock.now()
        self.emit("session", dir=str(self.folder), name=self.plan.session.name,
                  points=len(self.points), unit=self.unit,
                  meters=[{"name": c.label, "driver": c.spec.driver, "role": c.spec.role,
                           "identity": vars(c.identity) if c.identity else None}
                          for c in self.channels])
        conn = sqlite3.connect(self.folder / "session.sqlite", check_same_thread=False)
        failed = False
        try:
            self._start_meters()
            self._idle_baseline()
            if any(c.spec.ranging == "pass" for c in self.channels):
                self._ranging_pass(conn)
            current = self.plan.sweep.precision[0]
            for pt in self.points:
                if self.ctl.stop.is_set() or self.ctl.abort.is_set():
                    break
                if pt.precision != current:
                    current = pt.precision
                    if self.plan.route(pt.precision) is None and not self._switch_server(pt.precision):
                        self.ctl.stop.set()
                        break
                while self.ctl.paused.is_set() and not self.ctl.abort.is_set():
                    time.sleep(0.05)
                row = self._point(pt, conn)
                if row is not None:
                    rows.append(row)
        except Exception as exc:  # noqa: BLE001 - journal it, finish the session cleanly
            failed = True
            self.log("error", f"The run failed: {exc!r}. What was measured is kept.")
        finally:
            self._close_meters()
            conn.close()
            if self.loop is not None:
                self.loop.close()
        complete = len(rows) == len(self.points)
        if failed:
            self.status = "failed"
        elif self.ctl.abort.is_set():
            self.status = "aborted"
        elif not complete:
            self.status = "stopped"
        else:
            self.status = "finished"
        end = self.clock.now()
        self.journal.put_meta({"target_capabilities": json.dumps(
            {f"{base} {model}": t.describe() for (base, model), t in self.targets.items()},
            sort_keys=True)})
        self.journal.put_meta({"status": self.status,
                               "finished_utc": _utc(self.clock.utc(end))})
        self.journal.put_event(end, "finished", f"run {self.status}: {len(rows)} of "
                               f"{len(self.points)} points")
        self.journal.close()
        exporter.export(self.folder)
        ok = complete and all(r["valid"] for r in rows) and not failed
        code = 0 if ok else 1
        self.emit("finished", status=self.status, exit_code=code, dir=str(self.folder))
        return code

    def _ranging_pass(self, conn: sqlite3.Connection) -> None:
        """Run the sweep once with the meters at auto range, then fix each ranging meter's
        ranges (voltage at the highest seen, current at 1.1 x the highest seen), as MLPerf Power
        does. The ranging points are journaled under negative ids and not summarised."""
        assert self.journal is not None
        self.emit("phase", phase="ranging")
        self.say("Ranging pass: the whole sweep once at auto range")
        self.journal.put_event(self.clock.now(), "ranging", "ranging pass started")
        for pt in self.points:
            if self.ctl.stop.is_set() or self.ctl.abort.is_set():
                return
            if pt.precision != self.plan.sweep.precision[0]:
                break  # switching the server twice per precision is not asked of the operator
            self._point(pt, conn, ranging=True)
        self._point_now = 0
        for ch in self.channels:
            if ch.spec.ranging != "pass":
                continue
            volts, amps = self._range_seen.get(ch.id, (0.0, 0.0))
            try:
                cfg = fix_ranges(ch, volts or None, amps or None)
            except Exception as exc:  # noqa: BLE001 - the testing pass cannot be trusted then
                self.log("error", f"{ch.label}: fixed ranges could not be set ({exc}); the "
                         "testing pass runs at auto range.")
                continue
            msg = (f"{ch.label}: highest seen {volts:g} V, {amps:g} A; testing pass at fixed "
                   f"ranges U={cfg.voltage_range} V, I={cfg.current_range} A")
            self.journal.put_event(self.clock.now(), "ranging", msg)
            self.say(msg)

    def shutdown(self) -> None:
        """Release what preflight opened when the run does not go ahead, and remove the session
        folder it made if nothing was written there."""
        self._close_meters()
        if self.loop is not None:
            self.loop.close()
        if getattr(self, "_made_folder", False) and self.folder.is_dir() and not any(
                self.folder.iterdir()):
            self.folder.rmdir()
