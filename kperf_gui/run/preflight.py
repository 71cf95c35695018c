"""Preflight: everything is checked before anything is measured.

The session folder is new or empty and writable, no meter's calibration has expired (unless
allowed), a precision switch can be asked of someone, every endpoint or device answers, every
meter opens, identifies itself and takes its configuration, and prompt lengths are ready. Any
failure is a :class:`~kperf_gui.run.runners.SetupError` (one plain line, exit 2) and what was
opened is let go again.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.targets.base import Target, TargetUnavailable
from kperf_gui.session.plan import Plan, expired_meters

from .loop import LoopThread
from .meters import Channel, MeterSetupError, open_meter
from .runners import Endpoint, SetupError, TargetRunner


class TargetPool:
    """One target driver per endpoint the run uses, made when first needed."""

    def __init__(self, runner: TargetRunner, now: Callable[[], int]):
        self.runner = runner
        self.now = now
        self.targets: dict[Endpoint, Target] = {}

    def get(self, endpoint: Endpoint) -> Target:
        if endpoint not in self.targets:
            self.targets[endpoint] = self.runner.make_target(endpoint, self.now)
        return self.targets[endpoint]

    def capabilities(self) -> dict[str, Any]:
        """What each target says of itself, by ``"base_url model"``."""
        return {f"{e.base_url} {e.model}": t.describe() for e, t in self.targets.items()}


@dataclass
class Setup:
    """What preflight opened and learned."""

    loop: LoopThread | None = None
    channels: list[Channel] = field(default_factory=list)
    target_info: dict[str, Any] = field(default_factory=dict)
    made_folder: bool = False

    def close(self) -> None:
        """Let go of the meters and the load loop."""
        for ch in self.channels:
            try:
                ch.meter.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        if self.loop is not None:
            self.loop.close()


def probe(loop: LoopThread, target: Target, timeout_s: float) -> dict[str, Any]:
    """Whether ``target`` answers: its probe, then one real request of the plan's kind (a
    one-token request for an endpoint), so a rejected key, a wrong model name or a missing API
    stops the run before measuring. Returns what the target says of itself; raises
    :class:`~drivers.targets.base.TargetUnavailable`."""
    info = loop.run(target.probe(), timeout=60)
    loop.run(target.check_request(), timeout=timeout_s + 60)
    return info


def unrouted_switches(plan: Plan) -> list[str]:
    """Precisions after the first that the plan does not route: the operator switches the
    server before each."""
    return [p for p in plan.sweep.precision[1:] if plan.route(p) is None]


def preflight(plan: Plan, folder: Path, runner: TargetRunner, pool: TargetPool, setup: Setup,
              can_ask: bool, sim_url: str | None) -> None:
    """Check and open everything into ``setup``; :class:`SetupError` when the plan cannot run
    (``setup`` then holds what must be let go, see :meth:`Setup.close`). ``can_ask``: someone
    can be asked to switch the server between precisions."""
    if folder.exists() and not folder.is_dir():
        raise SetupError(f"--out: {folder} is a file; give a new or empty folder.")
    if folder.exists() and any(folder.iterdir()):
        raise SetupError(f"--out: {folder} already holds files; give a new or empty "
                         "folder so no earlier session is overwritten.")
    try:
        setup.made_folder = not folder.exists()
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"--out: the session folder {folder} cannot be created "
                         f"({exc.strerror}); choose a folder you can write to.") from None
    expired = expired_meters(plan, _dt.date.today())
    if expired and not plan.session.allow_expired_calibration:
        raise SetupError(f"{expired[0]}; recalibrate the meter, or set "
                         "session.allow_expired_calibration = true to run anyway (recorded).")
    unrouted = unrouted_switches(plan)
    if unrouted and not can_ask:
        raise SetupError(f"sweep.precision: the run must pause before '{unrouted[0]}' for the "
                         "server to be switched, but there is no terminal to ask; add "
                         f"[target.precisions.{unrouted[0]}] with base_url/model, or run it "
                         "from a terminal or the app.")
    runner.check()
    setup.loop = loop = LoopThread()
    seen: set[Endpoint] = set()
    first = plan.sweep.precision[0]
    for prec in plan.sweep.precision:
        ep = runner.endpoint(prec)
        if ep in seen:
            continue
        seen.add(ep)
        if plan.route(prec) is None and prec != first:
            continue  # served after the operator switches the server
        try:
            setup.target_info = probe(loop, pool.get(ep), plan.target.timeout_s)
        except TargetUnavailable as exc:
            raise SetupError(f"target: {exc}") from None
    for i, spec in enumerate(plan.meters):
        resource = spec.resource or (sim_url if spec.driver == "simulated" else None)
        if spec.driver == "simulated" and not resource:
            raise SetupError(f"meters[{i}].resource: the simulated meter reads the "
                             "simulated endpoint; use target.kind = 'simulated'.")
        try:
            setup.channels.append(open_meter(spec, i, resource))
        except MeterSetupError as exc:
            raise SetupError(str(exc)) from None
    runner.prepare(loop, pool.get(runner.endpoint(first)))
