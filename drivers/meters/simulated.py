"""The built-in simulated meter: reads the simulated endpoint's exact power record.

The resource is the simulator's root URL (``http://127.0.0.1:PORT``). Updates fall on a fixed
schedule from :meth:`SimulatedMeter.configure`: boundary ``k`` is ``start + k * period``, never
drifting. :meth:`~SimulatedMeter.read` waits for the next boundary not yet passed and returns the
mean power over the period that ends there; a boundary passed while nobody was reading is skipped,
never caught up. Watts are split evenly over the configured elements, so their sum is the
simulator's power; each element's ``wh`` integrates from ``configure`` on, missed periods included,
as a real meter's integrator does.

Ranges: the simulated meter has a range table of its own (:data:`VOLTAGE_RANGES`,
:data:`CURRENT_RANGES`, in the steps of a bench analyzer), so that a ranging pass can be
rehearsed on it; a fixed range is resolved against that table and reported with every reading,
as a real analyzer's is. Its values do not depend on the range (it has no accuracy table of its
own: give one with ``options.accuracy`` to rehearse the uncertainty columns).
"""
from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

import httpx

from .base import (
    ElementRange,
    ElementReading,
    Identity,
    Meter,
    MeterConfig,
    MeterDisconnected,
    MeterProtocolError,
    MeterTimeout,
    MeterUnavailable,
    Reading,
    Status,
    describe_element_ranges,
)

NOMINAL_V = 230.0
PF = 0.97
VOLTAGE_RANGES = (15.0, 30.0, 60.0, 150.0, 300.0, 600.0)
CURRENT_RANGES = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0)
_OK = {q: Status.OK for q in ("watts", "volts", "amps", "pf", "wh")}


class SimulatedMeter(Meter):
    """The K-Perf Lab simulated meter. Options: ``timeout_s`` (2.0), ``seed`` (0) for the
    voltage noise."""

    name = "simulated"
    models = ("K-Perf Lab simulated meter",)
    default_role = "wall"
    needs_resource = False  # the run gives it the simulated endpoint's URL

    def __init__(self, resource: str = "", **options: Any):
        super().__init__(resource, **options)
        self._http: httpx.Client | None = None
        self._rng = random.Random(options.get("seed", 0))
        self._start_ns = 0
        self._period_ns = 0
        self._k = 0  # index of the last boundary returned
        self._total_j = 0.0
        self._ranges: tuple[ElementRange, ...] = ()

    def _client(self) -> httpx.Client:
        if self._http is None:
            self.open()
        assert self._http is not None
        return self._http

    def _get(self, path: str, **params: int) -> httpx.Response:
        try:
            reply = self._client().get(path, params=params)
        except httpx.TimeoutException as exc:
            raise MeterTimeout(f"the simulated meter at {self.resource} did not answer in time; "
                               "check that the simulator is running") from exc
        except httpx.TransportError as exc:
            raise MeterDisconnected(f"the simulated meter at {self.resource} is gone; "
                                    "restart the simulator") from exc
        if reply.status_code != 200:
            raise MeterProtocolError(f"the simulated meter answered HTTP {reply.status_code} on "
                                     f"{path}", reply.content)
        return reply

    def _json(self, path: str, **params: int) -> tuple[dict[str, Any], bytes]:
        reply = self._get(path, **params)
        try:
            data = reply.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise MeterProtocolError(f"the simulated meter's answer on {path} is not a JSON object",
                                     reply.content)
        return data, reply.content

    def open(self) -> None:
        if not self.resource.startswith(("http://", "https://")):
            raise MeterUnavailable(f"the simulated meter needs the simulator's URL as its resource "
                                   f"(like http://127.0.0.1:8000), not {self.resource!r}")
        if self._http is None:
            timeout = float(self.options.get("timeout_s", 2.0))
            self._http = httpx.Client(base_url=self.resource.rstrip("/"), trust_env=False,
                                      timeout=timeout)

    def _sim_params(self) -> dict[str, Any]:
        try:
            return self._json("/sim/params")[0]
        except (MeterDisconnected, MeterTimeout, MeterProtocolError) as exc:
            raise MeterUnavailable(f"no simulator answers at {self.resource}; start it (kperf demo "
                                   "starts one) or correct the resource", exc.raw) from exc

    def identify(self) -> Identity:
        params = self._sim_params()
        return Identity("K-Perf Lab", "SIM-1", "SIM-0001", str(params.get("version", "")),
                        raw=f"simulator {params.get('model', '')} at {self.resource}")

    def voltage_ranges(self, element: int = 1) -> tuple[float, ...]:
        return VOLTAGE_RANGES

    def current_ranges(self, element: int = 1) -> tuple[float, ...]:
        return CURRENT_RANGES

    def configure(self, config: MeterConfig) -> None:
        if not config.rate_hz > 0:
            raise MeterProtocolError(f"the update rate must be above 0 Hz, not {config.rate_hz}")
        if not config.elements or any(e < 1 for e in config.elements):
            raise MeterProtocolError("give at least one element, numbered from 1")
        voltage = self.resolve_range("voltage", config.voltage_range, config.elements)
        current = self.resolve_range("current", config.current_range, config.elements)
        self._sim_params()
        self.config = replace(config, voltage_range=voltage, current_range=current)
        self._ranges = tuple(ElementRange(e, voltage, current) for e in config.elements)
        self._period_ns = round(1e9 / config.rate_hz)
        self._start_ns = time.perf_counter_ns()
        self._k = 0
        self._total_j = 0.0

    @property
    def update_period_s(self) -> float:
        return self._period_ns / 1e9 if self._period_ns else super().update_period_s

    def _energy(self, t0_ns: int, t1_ns: int) -> tuple[float, bytes]:
        data, raw = self._json("/sim/energy", t0=t0_ns, t1=t1_ns)
        try:
            return float(data["energy_j"]), raw
        except (KeyError, TypeError, ValueError):
            raise MeterProtocolError("the simulated meter's answer has no energy", raw) from None

    def read(self) -> Reading:
        if not self._period_ns:
            self.configure(self.config)
        start, period = self._start_ns, self._period_ns
        now = time.perf_counter_ns()
        k = max(self._k + 1, -(-(now - start) // period))
        t1 = start + k * period
        while (now := time.perf_counter_ns()) < t1:
            time.sleep((t1 - now) / 1e9)
        t0 = t1 - period
        energy, raw = self._energy(t0, t1)
        missed = self._energy(start + self._k * period, t0)[0] if k > self._k + 1 else 0.0
        self._k = k
        self._total_j += missed + energy
        n = len(self.config.elements)
        watts = energy / (period / 1e9) / n
        wh = self._total_j / 3600.0 / n
        elements = []
        for element in self.config.elements:
            volts = NOMINAL_V + self._rng.gauss(0.0, 0.2)
            elements.append(ElementReading(element, watts, volts, watts / (volts * PF), PF, wh,
                                           dict(_OK)))
        return Reading(tuple(elements), raw=raw, ranges=describe_element_ranges(self._ranges),
                       end_raw_ns=t1, element_ranges=self._ranges)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
