"""DEEPX NPUs through DX-RT's Python package ``dx_engine`` as a target: one request, one inference.

``DeepxTarget(now, model_path, devices=(0,), timeout_s=600.0, module=None)``. ``dx_engine`` is
not on PyPI; it is imported on first use (``probe``/``open``), and ``module`` lets a caller hand
in a stand-in with the same names. Calls used, as in DX-RT's ``python_package/src/dx_engine``:
``InferenceOption()`` with ``set_devices([ids])``; ``InferenceEngine(model_path, option)`` with
``get_input_tensors_info()`` (``name``, ``shape``, ``dtype``, ``elem_size`` per input),
``run_async(inputs) -> job id``, ``wait(job_id)``, ``get_latency()`` and
``get_npu_inference_time()`` (microseconds, the engine's most recent inference),
``get_model_version()``, ``run_benchmark(num_loops) -> fps`` and ``dispose()``;
``Configuration()`` with ``get_version()``, ``get_driver_version()``,
``get_pcie_driver_version()`` and, where bound, ``get_firmware_versions()``;
``DeviceStatus.get_device_count()``; the package's ``__version__``. Identity calls are optional:
one that this DX-RT version lacks is recorded as "not available in this DX-RT version", one that
fails as "could not be read: ...", and the run goes on.

- ``await probe()`` imports the package, checks the model file, loads the model and returns the
  identity: ``dx_engine_version``, ``dxrt_version``, ``driver_version``, ``pcie_driver_version``,
  ``firmware_version``, ``model_version``, ``model_sha256``, ``model_path``, ``devices``,
  ``device_count``. Raises :class:`TargetUnavailable` with one plain sentence.
- ``await open(concurrency)`` loads the model if needed, builds inputs from the model's input
  tensor info (seeded random values of each input's shape and dtype) and a pool of
  ``concurrency`` worker threads: parallel jobs are concurrent ``send`` calls.
- ``await send(spec)`` runs one inference (``run_async`` then ``wait``, in a worker thread, so
  the event loop keeps running) and returns a ``RequestResult``: ``sent_ns`` just before
  ``run_async``, ``done_ns`` when ``wait`` returned, one result ``chunk_ns = [done_ns]`` with
  ``completion_tokens = 1`` (one inference), and ``extra = {"latency_us", "npu_time_us"}``
  where this DX-RT version offers them. With several jobs in flight these two are the engine's
  most recent figures, so they may belong to a neighbouring job; ``sent_ns``/``done_ns`` are
  exact per job. Never raises for a failed inference.
- ``await vendor_benchmark(num_loops) -> dict`` runs DX-RT's own ``run_benchmark`` and returns
  ``{"num_loops", "fps", "started_ns", "ended_ns"}`` (``fps`` None with a ``note`` or
  ``error`` where it is missing or fails), for the record beside our own figures.
- ``describe()`` returns the identity and ``not_available``: the calls this DX-RT version lacks.
"""
from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

import numpy as np

from .base import RequestResult, RequestSpec, Target, TargetUnavailable

NOT_AVAILABLE = "not available in this DX-RT version"
INPUT_SEED = 0
_MISSING = object()
_DTYPE_NAMES = {"float": "float32", "float32": "float32", "uint8": "uint8", "int8": "int8",
                "uint16": "uint16", "int16": "int16", "int32": "int32", "int64": "int64",
                "uint32": "uint32", "uint64": "uint64"}


class DeepxTarget(Target):
    """Runs inferences on DEEPX NPUs through DX-RT's ``dx_engine``."""

    kind = "deepx"
    unit = "inference"

    def __init__(
        self,
        now: Callable[[], int],
        model_path: str,
        devices: Sequence[int] = (0,),
        timeout_s: float = 600.0,
        module: Any = None,
    ):
        super().__init__(now)
        self.model_path = str(model_path)
        self.devices = [int(d) for d in devices]
        self.timeout_s = float(timeout_s)
        self._module = module
        self._engine: Any = None
        self._inputs: list[np.ndarray] = []
        self._pool: ThreadPoolExecutor | None = None
        self._stuck = 0  # inferences that outlived timeout_s and still hold a worker thread
        self._identity: dict[str, Any] = {}
        self._not_available: list[str] = []

    def _dx(self) -> Any:
        if self._module is None:
            try:
                self._module = importlib.import_module("dx_engine")
            except ImportError:
                raise TargetUnavailable(
                    "DX-RT's Python package dx_engine is not installed; install it from DEEPX's "
                    "DX-RT SDK (its python_package folder, pip install .), then check with "
                    'python -c "import dx_engine".') from None
        return self._module

    def _check_model_file(self) -> None:
        if not os.path.isfile(self.model_path):
            raise TargetUnavailable(
                f"The model file {self.model_path} named by target.model_path does not exist; "
                "give the path of the compiled .dxnn model.")

    def _optional(self, label: str, obj: Any, name: str, *args: Any) -> Any:
        """Call ``obj.name(*args)``; a missing call or a failure is recorded, never raised."""
        call: Any = getattr(obj, name, _MISSING)
        if call is _MISSING:
            self._not_available.append(label)
            return NOT_AVAILABLE
        try:
            return call(*args)
        except Exception as exc:
            return f"could not be read: {exc}"

    async def probe(self) -> dict[str, Any]:
        """Import ``dx_engine``, check the model and devices, load the model; return the identity."""
        dx = self._dx()
        self._check_model_file()
        self._not_available = []
        identity: dict[str, Any] = {"model_path": self.model_path, "devices": list(self.devices)}
        identity["dx_engine_version"] = getattr(dx, "__version__", NOT_AVAILABLE)
        if identity["dx_engine_version"] == NOT_AVAILABLE:
            self._not_available.append("dx_engine.__version__")
        identity.update(await asyncio.to_thread(self._runtime_identity, dx))
        self._check_devices(identity["device_count"])
        identity["model_sha256"] = await asyncio.to_thread(_sha256, self.model_path)
        engine = await asyncio.to_thread(self._ensure_engine)
        identity["model_version"] = self._optional(
            "InferenceEngine.get_model_version", engine, "get_model_version")
        self._identity = identity
        return dict(identity)

    def _runtime_identity(self, dx: Any) -> dict[str, Any]:
        config_cls: Any = getattr(dx, "Configuration", _MISSING)
        if config_cls is _MISSING:
            config: Any = None
            self._not_available.append("Configuration")
        else:
            try:
                config = config_cls()
            except Exception as exc:
                config = exc
        found: dict[str, Any] = {}
        for key, call in (("dxrt_version", "get_version"), ("driver_version", "get_driver_version"),
                          ("pcie_driver_version", "get_pcie_driver_version"),
                          ("firmware_version", "get_firmware_versions")):
            if config is None:
                found[key] = NOT_AVAILABLE
            elif isinstance(config, Exception):
                found[key] = f"could not be read: {config}"
            else:
                found[key] = self._optional(f"Configuration.{call}", config, call)
        status = getattr(dx, "DeviceStatus", _MISSING)
        if status is _MISSING:
            self._not_available.append("DeviceStatus")
            found["device_count"] = NOT_AVAILABLE
        else:
            found["device_count"] = self._optional(
                "DeviceStatus.get_device_count", status, "get_device_count")
        return found

    def _check_devices(self, count: Any) -> None:
        if not isinstance(count, int):
            return
        wrong = [d for d in self.devices if not 0 <= d < count]
        if wrong:
            raise TargetUnavailable(
                f"NPU device {wrong[0]} in target.devices does not exist; DX-RT sees {count} "
                f"device(s), ids 0 to {count - 1}.")

    def _ensure_engine(self) -> Any:
        if self._engine is not None:
            return self._engine
        dx = self._dx()
        self._check_model_file()
        try:
            option = dx.InferenceOption()
            option.set_devices(list(self.devices))
            self._engine = dx.InferenceEngine(self.model_path, option)
        except Exception as exc:
            raise TargetUnavailable(
                f"DX-RT could not load the model {self.model_path} on NPU device(s) "
                f"{self.devices}: {exc}. Check the NPU with dxrt-cli -s and that the model was "
                "compiled for this DX-RT version.") from None
        return self._engine

    async def open(self, concurrency: int) -> None:
        """Load the model if needed, build its inputs and a pool for ``concurrency`` jobs."""
        engine = await asyncio.to_thread(self._ensure_engine)
        if not self._inputs:
            try:
                self._inputs = _make_inputs(engine)
            except Exception as exc:
                raise TargetUnavailable(
                    f"DX-RT did not describe the inputs of the model {self.model_path}: {exc}. "
                    "Check that the model was compiled for this DX-RT version.") from None
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        self._pool = ThreadPoolExecutor(max_workers=max(1, int(concurrency)),
                                        thread_name_prefix="dxrt-job")

    def _infer(self) -> tuple[int, int, dict[str, Any]]:
        engine = self._engine
        sent = self.now()
        job = engine.run_async(list(self._inputs))
        engine.wait(job)
        done = self.now()
        extra: dict[str, Any] = {}
        for key, call in (("latency_us", "get_latency"), ("npu_time_us", "get_npu_inference_time")):
            method = getattr(engine, call, None)
            if method is not None:
                try:
                    extra[key] = method()
                except Exception:
                    continue
        return sent, done, extra

    async def send(self, spec: RequestSpec) -> RequestResult:
        """Run one inference; failures come back as ``ok=False`` with a plain error."""
        queued = self.now()
        if self._engine is None or self._pool is None:
            return RequestResult(spec.seq, queued, queued, False,
                                 "The DEEPX target was not opened before sending.")
        loop = asyncio.get_running_loop()
        try:
            sent, done, extra = await asyncio.wait_for(
                loop.run_in_executor(self._pool, self._infer), self.timeout_s)
        except asyncio.TimeoutError:
            self._stuck += 1
            return RequestResult(spec.seq, queued, self.now(), False,
                                 f"The inference did not finish within {self.timeout_s:g} s.")
        except Exception as exc:
            return RequestResult(spec.seq, queued, self.now(), False,
                                 f"DX-RT inference failed: {type(exc).__name__}: {exc}")
        if self.on_chunk is not None:
            self.on_chunk(done)
        return RequestResult(spec.seq, sent, done, True, chunk_ns=[done], chunk_chars=[0],
                             completion_tokens=1, extra=extra)

    async def vendor_benchmark(self, num_loops: int) -> dict[str, Any]:
        """DX-RT's own ``run_benchmark(num_loops)`` figure (fps), for the record."""
        engine = await asyncio.to_thread(self._ensure_engine)
        record: dict[str, Any] = {"num_loops": int(num_loops), "fps": None}
        bench = getattr(engine, "run_benchmark", None)
        if bench is None:
            record["note"] = NOT_AVAILABLE
            return record
        record["started_ns"] = self.now()
        try:
            record["fps"] = float(await asyncio.to_thread(bench, int(num_loops)))
        except Exception as exc:
            record["error"] = f"run_benchmark failed: {type(exc).__name__}: {exc}"
        record["ended_ns"] = self.now()
        return record

    async def close(self) -> None:
        """Let the worker threads go and release the model. After an inference outlived
        ``timeout_s`` the model is left to DX-RT rather than released under a running job."""
        stuck, self._stuck = self._stuck > 0, 0
        if self._pool is not None:
            self._pool.shutdown(wait=not stuck, cancel_futures=stuck)
            self._pool = None
        engine, self._engine, self._inputs = self._engine, None, []
        dispose = None if stuck else getattr(engine, "dispose", None)
        if dispose is not None:
            try:
                await asyncio.to_thread(dispose)
            except Exception:
                pass

    def describe(self) -> dict[str, Any]:
        return {**self._identity, "not_available": list(self._not_available)}


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dtype(value: Any, elem_size: Any) -> np.dtype:
    """The numpy dtype of a tensor: DX-RT gives a numpy type (``NumpyDataTypeMapper``) or a name
    such as ``UINT8``/``FLOAT``; an unknown one becomes unsigned bytes of ``elem_size``."""
    if isinstance(value, str):
        value = _DTYPE_NAMES.get(value.strip().lower())
    if value is not None:
        try:
            return np.dtype(value)
        except TypeError:
            pass
    return np.dtype(f"u{elem_size}") if elem_size in (1, 2, 4, 8) else np.dtype(np.uint8)


def _make_inputs(engine: Any) -> list[np.ndarray]:
    """Seeded random inputs of each input tensor's shape and dtype (bytes where the model's
    DX-RT version reports only the total input size)."""
    rng = np.random.default_rng(INPUT_SEED)
    info = getattr(engine, "get_input_tensors_info", None)
    if info is None:
        return [rng.integers(0, 256, int(engine.get_input_size()), dtype=np.uint8)]
    arrays = []
    for tensor in info():
        dtype = _dtype(tensor.get("dtype"), tensor.get("elem_size"))
        shape = tuple(int(d) for d in tensor.get("shape", ()))
        if dtype.kind == "f":
            arrays.append(rng.random(shape).astype(dtype))
        else:
            count = int(np.prod(shape)) * dtype.itemsize
            arrays.append(rng.integers(0, 256, count, dtype=np.uint8).view(dtype).reshape(shape))
    return arrays
