"""The system under test on record during a run: what the server says about itself before the
run (every endpoint, in preflight), when it is switched to another precision, and its
``/metrics`` before and after each point, journaled as hash-chained ``server_state`` events
(:mod:`kperf_gui.session.sut_record`). From the scrapes around a point the export sets the
server's own prompt and generated token counts beside ours; a point where they differ by more
than 1 % is invalid (:func:`kperf_gui.session.sut_record.point_agreement`).

Only a target that can say something about itself (``server_state``: the OpenAI-compatible
endpoints and the simulator) is asked; a route that fails is recorded with its error, never
skipped silently.
"""
from __future__ import annotations

import time
from typing import Any

from drivers.redact import redact_url
from drivers.targets.base import Target
from drivers.targets.server_state import IDENTITY_ROUTES, METRICS_ROUTE
from kperf_gui.session.records import PointRecord

from .loop import LoopThread
from .runners import PointRun, RunContext

STATE_TIMEOUT_S = 30.0
SETTLE_TRIES = 4
"""Scrapes after a point, at most, while the server's counters disagree with ours: a server may
count a request's tokens a moment after its last chunk (furiosa-llm when the request is
released, say). Every scrape is journaled; the last one is compared."""
SETTLE_S = 0.5


def tells_state(target: Target) -> bool:
    """Whether ``target`` can say what it is and what it did (``server_state``)."""
    return callable(getattr(target, "server_state", None))


def fetch_state(loop: LoopThread, target: Target, identity: bool = True) -> dict[str, Any]:
    """What ``target`` says about itself now (identity routes and ``/metrics``, or only
    ``/metrics``); a failure to ask at all is recorded as every route's error."""
    try:
        state: dict[str, Any] = loop.run(target.server_state(identity=identity),  # type: ignore[attr-defined]
                                         timeout=STATE_TIMEOUT_S)
        return state
    except Exception as exc:  # noqa: BLE001 - recorded, not raised: a record, not a measurement
        reason = str(exc) or type(exc).__name__
        routes = (*IDENTITY_ROUTES, METRICS_ROUTE) if identity else (METRICS_ROUTE,)
        return {"base_url": redact_url(str(getattr(target, "base_url", ""))),
                "answers": {r: {"error": f"not asked: {reason}"} for r in routes}}


class ServerRecord:
    """A :class:`~kperf_gui.run.runners.PointHook`: the server's ``/metrics`` before each
    measured point's warm-up and after its last request."""

    def before_point(self, ctx: RunContext, run: PointRun) -> None:
        if run.pid > 0 and tells_state(run.target):
            ctx.recorder.server_state("before_point", fetch_state(ctx.loop, run.target, False),
                                      point=run.pid)

    def after_point(self, ctx: RunContext, run: PointRun, record: PointRecord) -> PointRecord:
        if run.pid <= 0 or not tells_state(run.target):
            return record
        for attempt in range(SETTLE_TRIES):
            if attempt:
                time.sleep(SETTLE_S)
            ctx.recorder.server_state("after_point", fetch_state(ctx.loop, run.target, False),
                                      point=run.pid)
            agreement = ctx.recorder.point_agreement(run.pid)
            if agreement is None or agreement.agrees is not False or ctx.ctl.abort.is_set():
                break
        return record
