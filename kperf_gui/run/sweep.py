"""A sweep from start to finish, as ``kperf run`` and ``kperf demo`` execute it.

:class:`SweepRun` coordinates the parts, each in a module of its own: preflight
(:mod:`.preflight`: nothing is measured until everything answers; a problem is a
:class:`SetupError`, exit 2), the session recorder (:mod:`.recorder`: the journal), the live feed
(:mod:`.live`: events and console lines, live intervals computed as the workbook computes them),
the meters (:mod:`.meters`), the ranging pass (:mod:`.ranging`) and one runner per target kind
(:mod:`.runners`). Once measuring, every failure is journaled and the run ends cleanly: the
journal is finalised and exported whatever happens.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from drivers.targets.base import TargetUnavailable
from kperf_gui.clock import Clock
from kperf_gui.session import export as exporter
from kperf_gui.session.data import SummaryRow
from kperf_gui.session.journal import JournalError
from kperf_gui.session.plan import Plan, SweepPoint, points
from kperf_gui.session import sysinfo
from kperf_gui.session.amendments import AmendmentError
from kperf_gui.session.records import PointRecord, PointStatus, attempt_id

from .control import Control
from .events import EventSink, MeterInfo, RunStatus
from .live import LiveFeed, Progress
from .meters import Channel, MeterBank, Update
from .preflight import Setup, TargetPool, preflight, probe
from .ranging import RangingPass
from .recorder import SessionRecorder
from .runners import PointHook, PointRun, RunContext, RunnerEnv, SetupError, runner_for
from .sut import ServerRecord, fetch_state, tells_state

__all__ = ["Hooks", "SetupError", "SweepRun"]


@dataclass
class Hooks:
    """How the run talks to whoever started it."""

    events: EventSink | None = None  # --events: JSON lines
    console: Callable[[str], None] | None = None  # human progress lines
    ask_operator: Callable[[str], bool] | None = None  # terminal prompt; False = abort


class SweepRun:
    """One run of a plan into one session folder: :meth:`preflight`, then :meth:`run` (or
    :meth:`shutdown` when it does not go ahead)."""

    def __init__(self, plan: Plan, folder: Path, hooks: Hooks, control: Control | None = None,
                 sim_url: str | None = None):
        self.plan = plan
        self.folder = Path(folder)
        self.hooks = hooks
        self.ctl = control or Control()
        self.ctl.on_change = self._on_pause_change
        self.ctl.on_note = self.note
        self.clock = Clock()
        self.points: list[SweepPoint] = points(plan)
        self.runner = runner_for(RunnerEnv(plan, self._tick, sim_url or "", self.clock.anchor_ns))
        self.targets = TargetPool(self.runner, self.clock.now)
        self.setup = Setup()
        self.sim_url = sim_url
        self.live = LiveFeed(self.clock, hooks.events, hooks.console)
        self.progress = Progress(self.live, plan.sweep, len(self.points))
        self.recorder = SessionRecorder(self.folder, self.clock)
        self.ranging = RangingPass([])
        self.meters = MeterBank([], self.clock, self._on_update, self.log, self.ctl.abort)
        self.meters.note = self._meter_note
        self.point_hooks: list[PointHook] = [ServerRecord()]
        """Told of each point around its measurement (see :class:`.runners.PointHook`); the
        first records the server's counters around it (:mod:`.sut`)."""
        self._running: PointRun | None = None
        """The point being measured (None between points)."""
        self._attempts: dict[int, int] = {}
        """Per point index, how many of its attempts were paused inside their window."""
        self.status = RunStatus.RUNNING
        self.ended_because = ""
        """Why the run ended before its last point (one line), or failed; ``""`` otherwise."""

    @property
    def channels(self) -> list[Channel]:
        return self.setup.channels

    @property
    def unit(self) -> str:
        return self.runner.unit

    # --- talking ------------------------------------------------------------------------------

    def log(self, level: str, message: str) -> None:
        self.live.log(level, message)
        if self.recorder.journal is not None:
            self.recorder.event(level, message)

    def _on_pause_change(self, state: str) -> None:
        self.live.phase(state, self.live.point_now)
        if self.recorder.journal is not None:
            self.recorder.event(state, f"{state} by the operator")
        run = self._running
        if state == "paused" and run is not None and not run.ranging and \
                run.measuring_since is not None:
            self.ctl.redo.set()  # no more of this attempt: it is measured again after Resume
            self.live.log("warning", f"Paused inside point {run.point.index}'s measurement "
                          "window: it sends no more requests, and after Resume the point is "
                          "measured again, whole.")

    def note(self, text: str, author: str = "") -> None:
        """The operator's note during the run (``note TEXT`` on standard input): into the
        journal's event log, or, once the run is finalised, refused with what to do."""
        try:
            kept = self.recorder.note(text, author)
        except AmendmentError as exc:
            self.live.log("warning", f"Note not recorded: {exc}")
            return
        if kept:
            self.live.log("info", f"Note recorded: {text.strip()}")
        else:
            self.live.log("warning", "Note not recorded: the run is finalised; add it as an "
                          f"amendment with: kperf note \"{self.folder}\" \"...\"")

    # --- preflight -----------------------------------------------------------------------------

    def preflight(self) -> None:
        """Check everything answers before measuring; raises :class:`SetupError`."""
        can_ask = self.hooks.events is not None or self.hooks.ask_operator is not None
        preflight(self.plan, self.folder, self.runner, self.targets, self.setup, can_ask,
                  self.sim_url)
        self.ranging = RangingPass(self.setup.channels)
        self.meters.channels = self.setup.channels

    def shutdown(self) -> None:
        """Release what preflight opened when the run does not go ahead, and remove the session
        folder it made if nothing was written there."""
        self.meters.stop()
        self.setup.close()
        if self.setup.made_folder and self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()

    # --- meters --------------------------------------------------------------------------------

    def _meter_note(self, ch: Channel, text: str, level: str = "info") -> None:
        """Journal what a meter did beyond what was asked (configure's setup notes, its window
        hooks), and say it; ``warning`` also on the console."""
        message = f"{ch.label}: {text}"
        if self.recorder.journal is not None:
            self.recorder.event("meter", message)
        self.live.log(level, message)

    def _on_update(self, update: Update) -> None:
        rows = update.rows()
        self.recorder.readings(rows)
        self.ranging.observe(update)
        self.live.readings(rows)

    # --- points --------------------------------------------------------------------------------

    def _context(self) -> RunContext:
        assert self.setup.loop is not None
        return RunContext(self.plan, self.clock, self.setup.loop, self.ctl, self.recorder,
                          self.live)

    def _point(self, pt: SweepPoint, ranging: bool = False) -> SummaryRow | None:
        """Run one point and return its Summary row; ``ranging`` points are journaled under
        negative ids (the ranging pass of meters.ranging = 'pass') and left out of the
        Summary."""
        ctx = self._context()
        pid = -pt.index if ranging else pt.index
        endpoint = self.runner.endpoint(pt.precision)
        target = self.targets.get(endpoint)
        run = PointRun(pt, pid, target, endpoint.model, ranging, self.clock.now(),
                       attempt=0 if ranging else self._attempts.get(pt.index, 0))
        record = PointRecord(id=pid, precision=pt.precision, input_tokens=pt.input_tokens,
                             output_tokens=pt.output_tokens, concurrency=pt.concurrency,
                             model=endpoint.model, unit=target.unit, started_ns=run.started_ns,
                             status=PointStatus.RUNNING.value)
        self.recorder.point_started(record)
        self.live.point_now = self.meters.point = pid
        for hook in self.point_hooks:
            hook.before_point(ctx, run)
        self.live.point_started(pt.index, len(self.points), pt.precision, pt.input_tokens,
                                pt.output_tokens, pt.concurrency, endpoint.model, ranging)
        ctx.loop.run(target.open(pt.concurrency), timeout=120)
        # the meters' window hooks (a PA1000's auto-zero held off, say) run here, in the
        # coordinator's thread: waiting for a meter's lock must not stall the load's loop
        self.meters.before_window()
        self.ctl.redo.clear()
        self._running = run
        try:
            self.runner.measure(ctx, run)
        finally:
            self._running = None
            self.meters.after_window()
        ctx.loop.run(target.close(), timeout=30)
        status = PointStatus.ABORTED if self.ctl.abort.is_set() else PointStatus.FINISHED
        notes = run.notes + self.meters.losses(pid)
        record = replace(record, finished_ns=self.clock.now(), status=status.value,
                         note="; ".join(notes) if notes else (
                             "aborted by the operator" if status is PointStatus.ABORTED else ""),
                         vendor=run.vendor)
        self.recorder.point_update(record)
        start, end = run.window
        record = replace(record, window_start_ns=start, window_end_ns=end)
        if end is not None:
            self.meters.await_past(end)
        paused = 0.0
        if start is not None and end is not None:
            paused = self.ctl.paused_s(start + self.clock.anchor_ns, end + self.clock.anchor_ns)
            if paused > 0:
                note = f"paused for {paused:.1f} s inside the measurement window"
                record = replace(record, note="; ".join(x for x in (record.note, note) if x))
        record = self.runner.finish(ctx, run, record)
        for hook in self.point_hooks:
            record = hook.after_point(ctx, run, record)
        if (paused > 0 or self.ctl.redo.is_set()) and not ranging:
            while self.ctl.paused.is_set() and not self.ctl.abort.is_set():
                time.sleep(0.05)  # the point is measured again once the operator resumes
            if not self.ctl.abort.is_set():
                return self._measure_again(pt, record, paused)
            record = replace(record, status=PointStatus.ABORTED.value, note="; ".join(
                x for x in (record.note, "aborted by the operator while paused, before it was "
                            "measured again") if x))
        self.recorder.point_finished(record)
        self._tick(run, final=True)
        if ranging:
            return None
        row = self.recorder.summary_row(pid)
        self.live.point_finished(pt.index, row)
        return row

    def _measure_again(self, pt: SweepPoint, record: PointRecord, paused: float
                       ) -> SummaryRow | None:
        """A pause inside the point's measurement window (the operator has resumed): its
        figures would mix the load with the pause, so the attempt is kept in the journal
        (status ``repeated``, under an id of its own, every request with it) and the point is
        measured again, whole; its Summary row is the new attempt's."""
        self._attempts[pt.index] = attempt = self._attempts.get(pt.index, 0) + 1
        kept = attempt_id(pt.index, attempt)
        why = (f"paused for {paused:.1f} s inside its measurement window" if paused > 0 else
               "paused as its measurement began")
        record = replace(record, status=PointStatus.REPEATED.value, note="; ".join(
            x for x in (record.note, "paused while measured" if paused <= 0 else "",
                        "measured again after Resume") if x))
        self.recorder.point_finished(record)
        self.recorder.point_set_aside(pt.index, kept)
        message = (f"Point {pt.index} was {why}: it is measured again after Resume (warm-up "
                   f"and window); the interrupted attempt is kept in the journal as point id "
                   f"{kept}.")
        self.log("warning", message)
        return self._point(pt)

    def _tick(self, run: PointRun, final: bool = False) -> None:
        if self.ctl.paused.is_set() and not final:
            return  # paused: the progress stands still until Resume
        self.progress.tick(run.point, run.started_ns, run.measuring_since, run.done_requests, final)

    def _wait(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self.ctl.abort.is_set():
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))

    def _idle_baseline(self) -> None:
        secs = self.plan.sweep.idle_baseline_s
        if secs <= 0 or not self.channels:
            return
        self.live.phase("idle_baseline")
        self.live.say(f"Idle baseline: {secs:g} s with no load")
        a = self.clock.now()
        self._wait(secs)
        b = self.clock.now()
        self.recorder.meta({"idle_start_ns": str(a), "idle_end_ns": str(b)})
        self.recorder.event("idle_baseline", f"idle baseline {(b - a) / 1e9:.2f} s", t_ns=b)

    def _switch_server(self, precision: str) -> bool:
        """Ask the operator to switch the server to ``precision``; False if they abort."""
        endpoint = self.runner.endpoint(precision)
        msg = (f"Switch the server to precision '{precision}' (model {endpoint.model}), then "
               "continue.")
        self.recorder.event("operator_action", msg)
        self.live.phase("waiting")
        if self.hooks.events is not None:
            self.ctl.proceed.clear()  # before asking: the answer may come at once
            self.live.operator_action(precision, msg)
            while not self.ctl.proceed.wait(0.1):
                if self.ctl.ended():
                    return False
            ok = True
        else:
            assert self.hooks.ask_operator is not None
            ok = self.hooks.ask_operator(msg)
        if ok:
            assert self.setup.loop is not None
            target = self.targets.get(endpoint)
            try:
                probe(self.setup.loop, target, self.plan.target.timeout_s)
            except TargetUnavailable as exc:
                self.log("error", f"After the switch the endpoint does not answer: {exc}")
                return False
            if tells_state(target):
                state = fetch_state(self.setup.loop, target)
                self.recorder.server_state("after_switch", {**state, "precision": precision})
        return ok

    def _ranging_pass(self) -> None:
        """Run the sweep once with the meters at auto range, then fix each ranging meter's
        ranges from what it read. The ranging points are journaled under negative ids and not
        summarised."""
        self.live.phase("ranging")
        self.live.say("Ranging pass: the whole sweep once at auto range")
        self.recorder.event("ranging", "ranging pass started")
        done = self.ranging.sweep(self.points, lambda pt: self._point(pt, ranging=True),
                                  self.ctl.ended)
        self.live.point_now = self.meters.point = 0
        if not done:
            return
        failed = []
        for o in self.ranging.fix():
            ch = o.channel
            if o.config is None:
                failed.append(f"{ch.label}: {o.error}")
                continue
            msg = (f"{ch.label}: highest seen {o.volts:g} V, {o.amps:g} A; testing pass at "
                   f"fixed ranges U={o.config.voltage_range:g} V, I={o.config.current_range:g} A "
                   f"(voltage at the highest seen, current at 1.1 x the highest seen, each the "
                   f"smallest range of the {ch.model} that holds it)")
            self.recorder.event("ranging", msg, {
                "channel": ch.label, "highest_v": o.volts, "highest_a": o.amps,
                "voltage_range_v": o.config.voltage_range,
                "current_range_a": o.config.current_range})
            self.recorder.instrument(ch)
            self.live.say(msg)
            for note in ch.meter.setup_notes:
                self._meter_note(ch, note, "warning")
        if failed:
            # Measuring the sweep at auto range would give figures that pass for figures on
            # fixed ranges, which is what the ranging pass exists to prevent: stop here.
            self.ended_because = (
                f"Ranging pass: fixed ranges could not be set ({'; '.join(failed)}), so the "
                "testing pass was not run; set meters[].voltage_range and current_range by hand, "
                "or use ranging = 'auto'.")
            self.log("error", self.ended_because)
            self.ctl.stop.set()

    # --- the whole run -------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        """Say why the run failed, in one line (journaled where the journal still takes it)."""
        detail = str(exc) if isinstance(exc, JournalError) else f"{type(exc).__name__}: {exc}"
        self.ended_because = f"The run failed: {detail}. What was measured is kept."
        self.live.log("error", self.ended_because)
        if self.recorder.journal is not None and not self.recorder.journal.failure:
            self.recorder.event("error", self.ended_because)

    def _session_meta(self) -> dict[str, str]:
        t, first = self.plan.target, self.plan.sweep.precision[0]
        return {"target_kind": t.kind, "target_base_url": t.base_url or (self.sim_url or ""),
                "target_model": self.runner.endpoint(first).model, "target_api": t.api,
                "target_info": json.dumps(self.setup.target_info, sort_keys=True),
                "unit": self.unit, **self.runner.describe(), **sysinfo.record_meta()}

    def run(self) -> int:
        """Preflight must have passed. Returns the exit code (0 all valid, 1 otherwise)."""
        measured = 0
        valid = True
        self.recorder.open(self.plan, self._session_meta(), self.channels)
        for t_ns, state in self.setup.server_states:
            self.recorder.server_state("before_run", state, t_ns=t_ns)
        for ch in self.channels:
            for note in ch.setup_notes:
                self._meter_note(ch, note, "warning")
        self.live.start(self.recorder.instruments,
                        {ch.id: ch.spec.elements for ch in self.channels})
        self.progress.start()
        self.live.session(str(self.folder), self.plan.session.name, len(self.points), self.unit,
                          [MeterInfo(name=c.label, driver=c.spec.driver, role=c.spec.role,
                                     identity=vars(c.identity) if c.identity else None)
                           for c in self.channels])
        for setting in self.plan.recorded_only():
            self.log("warning", f"{setting} is recorded in the session but does not act yet.")
        failed = False
        try:
            self.meters.start()
            self._idle_baseline()
            if self.ranging.wanted:
                self._ranging_pass()
            current = self.plan.sweep.precision[0]
            for pt in self.points:
                if self.ctl.ended():
                    break
                if pt.precision != current:
                    current = pt.precision
                    if self.plan.route(pt.precision) is None and not self._switch_server(pt.precision):
                        self.ctl.stop.set()
                        break
                while self.ctl.paused.is_set() and not self.ctl.abort.is_set():
                    time.sleep(0.05)
                row = self._point(pt)
                measured += 1
                valid = valid and row is not None and bool(row.valid)
        except Exception as exc:  # noqa: BLE001 - journal it, finish the session cleanly
            failed = True
            self._failed(exc)
        finally:
            self.meters.stop()
            self.setup.close()
            self.live.close()
        complete = measured == len(self.points)
        if failed:
            self.status = RunStatus.FAILED
        elif self.ctl.abort.is_set():
            self.status = RunStatus.ABORTED
        elif not complete:
            self.status = RunStatus.STOPPED
        else:
            self.status = RunStatus.FINISHED
        summary = f"{measured} of {len(self.points)} points"
        if self.ended_because:
            summary += f"; {self.ended_because}"
        try:
            self.recorder.meta({"target_capabilities": json.dumps(self.targets.capabilities(),
                                                                   sort_keys=True),
                                **self.runner.describe()})  # prompt lengths: how many were exact
            self.recorder.close(self.status, summary)
        except JournalError as exc:  # what was committed is kept, finalised, and exported
            failed = True
            self.status = RunStatus.FAILED
            if not self.ended_because:
                self._failed(exc)
        exporter.export(self.folder)
        code = 0 if complete and valid and not failed else 1
        self.live.finished(self.status.value, code, str(self.folder))
        return code
