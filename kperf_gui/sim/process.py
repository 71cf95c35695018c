"""Start and stop the simulated endpoint as a child process."""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import httpx

from .model import SimParams

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class SimServerError(RuntimeError):
    """The simulated endpoint could not be started or did not answer; the message says why."""


class SimServer:
    """A running simulated endpoint. Use as a context manager, or call :meth:`stop`."""

    def __init__(self, proc: subprocess.Popen, port: int, stderr: Any):
        self.proc = proc
        self.port = port
        self.root_url = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.root_url}/v1"
        self._stderr = stderr
        self._http = httpx.Client(base_url=self.root_url, trust_env=False, timeout=10.0)

    def _get(self, path: str, **params: int) -> Any:
        try:
            reply = self._http.get(path, params=params)
            reply.raise_for_status()
            return reply.json()
        except httpx.HTTPError as exc:
            raise SimServerError(f"the simulated endpoint at {self.root_url} did not answer "
                                 f"{path} ({exc}); restart it") from None

    def energy_j(self, t0_raw_ns: int, t1_raw_ns: int) -> float:
        """The exact energy in joules between two raw ``perf_counter_ns`` times."""
        return float(self._get("/sim/energy", t0=t0_raw_ns, t1=t1_raw_ns)["energy_j"])

    def mean_w(self, t0_raw_ns: int, t1_raw_ns: int) -> float:
        """The mean power in watts between two raw ``perf_counter_ns`` times."""
        return float(self._get("/sim/energy", t0=t0_raw_ns, t1=t1_raw_ns)["mean_w"])

    def segments(self, t0_raw_ns: int, t1_raw_ns: int) -> list[tuple[int, int, float]]:
        """The power segments ``(t0_ns, t1_ns, watts)`` covering an interval, clipped to it."""
        return [(int(a), int(b), float(w))
                for a, b, w in self._get("/sim/segments", t0=t0_raw_ns, t1=t1_raw_ns)["segments"]]

    def trace(self) -> list[dict[str, Any]]:
        """Every request as the server saw it: id, arrival_ns, first_token_ns, last_token_ns,
        prompt_tokens, completion_tokens, max_tokens, cancelled, received_ns (when its bytes
        were read) and chunk_sent_ns (when each streamed chunk carrying text was written to the
        socket)."""
        return self._get("/sim/trace")["requests"]

    def params(self) -> dict[str, Any]:
        """The server's parameters, model name, seed, version and start time."""
        return self._get("/sim/params")

    def log_text(self) -> str:
        """What the server has written to its standard error so far (warnings and errors)."""
        if self._stderr.closed:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Stop the server: terminate it, and kill it if it lingers. Safe to call twice."""
        self._http.close()
        _end(self.proc)
        if not self._stderr.closed:
            self._stderr.close()

    def __enter__(self) -> "SimServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _end(proc: subprocess.Popen) -> None:
    """Terminate the child, kill it if it lingers, then close its pipes."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None and not pipe.closed:
            try:
                pipe.close()
            except OSError:
                pass


def _first_line(proc: subprocess.Popen, timeout_s: float) -> bytes | None:
    lines: queue.Queue[bytes] = queue.Queue()
    out = proc.stdout
    assert out is not None  # started with stdout=PIPE
    threading.Thread(target=lambda: lines.put(out.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout_s)
    except queue.Empty:
        return None


def start_sim_server(
    params: SimParams | None = None,
    model: str = "sim-llm",
    seed: int = 0,
    timeout_s: float = 10,
    reject_extras: bool = False,
) -> SimServer:
    """Start ``python -m kperf_gui.sim`` on a free loopback port and wait until it listens.

    The child stops when this process's end of its standard input closes, also when this process
    dies. Raises :class:`SimServerError` with a plain message if it does not start in time.
    """
    args = [sys.executable, "-m", "kperf_gui.sim", "--host", "127.0.0.1", "--port", "0",
            "--model", model, "--seed", str(seed), "--exit-on-stdin-eof",
            *(params or SimParams()).cli_args()]
    if reject_extras:
        args.append("--reject-extras")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    stderr = tempfile.TemporaryFile()
    try:
        proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                env=env)
    except OSError as exc:
        stderr.close()
        raise SimServerError(f"cannot start the simulated endpoint ({exc.strerror})") from None
    line = _first_line(proc, timeout_s)
    port = None
    try:
        port = int(json.loads(line)["port"]) if line else None
    except (ValueError, KeyError, TypeError):
        pass
    if port is None:
        exited = proc.poll() is not None
        _end(proc)
        stderr.seek(0)
        lines = stderr.read().decode(errors="replace").strip().splitlines()
        stderr.close()
        why = (lines[-1] if lines else "") if exited else f"it gave no port within {timeout_s:g} s"
        raise SimServerError(f"the simulated endpoint did not start: {why or 'it exited'}")
    if proc.stdout is not None:
        proc.stdout.close()
    return SimServer(proc, port, stderr)
