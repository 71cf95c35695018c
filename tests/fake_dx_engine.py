"""A stand-in for DEEPX DX-RT's Python package ``dx_engine``, for tests only.

Same public names and signatures as DX-RT's ``python_package/src/dx_engine`` (``__version__``,
``InferenceEngine``, ``InferenceOption``, ``Configuration``, ``DeviceStatus``); inference is a
sleep in a background thread. ``make_dx_engine(...)`` builds a fresh module each call; ``without``
removes calls (``"Configuration.get_pcie_driver_version"``, ``"DeviceStatus"``) to play an older
DX-RT. Test hooks: ``module.engines`` (every engine made), ``engine.max_in_flight``,
``engine.jobs_run``, ``engine.option``, ``engine.inputs_seen``, ``engine.disposed``.
"""
from __future__ import annotations

import threading
import time
import types
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np

DEFAULT_INPUTS = ({"name": "images", "shape": [1, 3, 8, 8], "dtype": np.uint8, "elem_size": 1},)


def make_dx_engine(
    *,
    version: str = "3.1.0",
    runtime_version: str = "3.1.0",
    driver_version: str = "1.7.1",
    pcie_driver_version: str = "1.5.0",
    model_version: str = "7",
    device_count: int = 1,
    latency_s: float = 0.02,
    npu_time_us: int = 850,
    benchmark_fps: float = 412.5,
    inputs: Sequence[Dict[str, Any]] = DEFAULT_INPUTS,
    fail_load: str = "",
    fail_run: str = "",
    without: Sequence[str] = (),
) -> types.ModuleType:
    """A fresh fake ``dx_engine`` module."""
    module = types.ModuleType("dx_engine")
    module.__version__ = version
    module.engines = []

    class InferenceOption:
        class BOUND_OPTION(Enum):
            NPU_ALL = 0
            NPU_0 = 1
            NPU_1 = 2
            NPU_2 = 3
            NPU_01 = 4
            NPU_12 = 5
            NPU_02 = 6

        def __init__(self) -> None:
            self._devices: List[int] = []
            self._bound = self.BOUND_OPTION.NPU_ALL
            self._use_ort = False
            self._buffer_count = 6

        @property
        def devices(self) -> List[int]:
            return list(self._devices)

        @devices.setter
        def devices(self, value: List[int]) -> None:
            self.set_devices(value)

        def set_devices(self, devices):
            if not isinstance(devices, list) or not all(isinstance(i, int) for i in devices):
                raise TypeError("devices must be a list of integers.")
            self._devices = list(devices)

        def get_devices(self):
            return list(self._devices)

        def set_bound_option(self, boundOption):
            self._bound = boundOption

        def get_bound_option(self):
            return self._bound

        def set_use_ort(self, use_ort):
            self._use_ort = use_ort

        def get_use_ort(self):
            return self._use_ort

        def set_buffer_count(self, buffer_count):
            self._buffer_count = buffer_count

        def get_buffer_count(self):
            return self._buffer_count

    class InferenceEngine:
        def __init__(self, model_path: str, inference_option: Optional[InferenceOption] = None) -> None:
            if not isinstance(model_path, str):
                raise TypeError("model_path must be a string.")
            if fail_load:
                raise RuntimeError(f"Failed to create InferenceEngine for model '{model_path}': {fail_load}")
            self.option = inference_option if inference_option is not None else InferenceOption()
            self.model_path = model_path
            self.max_in_flight = 0
            self.jobs_run = 0
            self.inputs_seen: List[Any] = []
            self.disposed = False
            self._lock = threading.Lock()
            self._in_flight = 0
            self._next_job = 0
            self._jobs: Dict[int, threading.Event] = {}
            self._latency_us = 0
            self._npu_us = 0
            self._callback: Optional[Callable[[List[np.ndarray], Any], int]] = None
            module.engines.append(self)

        def _outputs(self) -> List[np.ndarray]:
            return [np.zeros((1, 10), dtype=np.float32)]

        def _job(self, job_id: int, done: threading.Event, user_arg: Any) -> None:
            start = time.perf_counter()
            time.sleep(latency_s)
            with self._lock:
                self._in_flight -= 1
                self.jobs_run += 1
                self._latency_us = int((time.perf_counter() - start) * 1e6)
                self._npu_us = npu_time_us
            if self._callback is not None:
                self._callback(self._outputs(), user_arg)
            done.set()

        def run(self, input_data: Union[np.ndarray, List[np.ndarray], List[List[np.ndarray]]],
                output_buffers: Optional[Union[List[np.ndarray], List[List[np.ndarray]]]] = None,
                user_args: Optional[Union[Any, List[Any]]] = None,
                ) -> Union[List[np.ndarray], List[List[np.ndarray]]]:
            return self.wait(self.run_async(input_data, user_args))

        def run_async(self, input_data: Union[np.ndarray, List[np.ndarray]], user_arg: Any = None,
                      output_buffer: Optional[Union[np.ndarray, List[np.ndarray]]] = None) -> int:
            if fail_run:
                raise RuntimeError(fail_run)
            with self._lock:
                self._next_job += 1
                job_id = self._next_job
                done = self._jobs[job_id] = threading.Event()
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
                self.inputs_seen.append(input_data)
            threading.Thread(target=self._job, args=(job_id, done, user_arg), daemon=True).start()
            return job_id

        def register_callback(self, callback: Optional[Callable[[List[np.ndarray], Any], int]]) -> None:
            if callback is not None and not callable(callback):
                raise TypeError("Callback must be a callable function or None.")
            self._callback = callback

        def wait(self, job_id: int) -> List[np.ndarray]:
            if not isinstance(job_id, int):
                raise TypeError("job_id must be an integer.")
            self._jobs.pop(job_id).wait()
            return self._outputs()

        def run_benchmark(self, num_loops: int, input_data: Optional[List[np.ndarray]] = None) -> float:
            if not isinstance(num_loops, int) or num_loops <= 0:
                raise ValueError("num_loops must be a positive integer.")
            return benchmark_fps

        def get_input_tensors_info(self) -> List[Dict[str, Any]]:
            return [dict(t) for t in inputs]

        def get_output_tensors_info(self) -> List[Dict[str, Any]]:
            return [{"name": "output", "shape": [1, 10], "dtype": np.float32, "elem_size": 4}]

        def get_input_size(self) -> int:
            return int(sum(np.prod(t["shape"]) * t["elem_size"] for t in inputs))

        def get_latency(self) -> int:
            return self._latency_us

        def get_npu_inference_time(self) -> int:
            return self._npu_us

        def get_model_version(self) -> str:
            return model_version

        def get_compile_type(self) -> str:
            return "release"

        def dispose(self) -> None:
            self.disposed = True

    class Configuration:
        def __init__(self):
            self._instance = object()

        def get_version(self) -> str:
            return runtime_version

        def get_driver_version(self) -> str:
            return driver_version

        def get_pcie_driver_version(self) -> str:
            return pcie_driver_version

    class DeviceStatus:
        _instance = None

        def __init__(self):
            pass

        @classmethod
        def get_current_status(cls, deviceId: int) -> object:
            status = DeviceStatus()
            status._instance = deviceId
            return status

        @classmethod
        def get_device_count(cls) -> int:
            return device_count

        def get_temperature(self, ch: int) -> int:
            return 45

        def get_id(self) -> int:
            return self._instance

        def get_npu_voltage(self, ch: int) -> int:
            return 750

        def get_npu_clock(self, ch: int) -> int:
            return 1000

    for cls in (InferenceOption, InferenceEngine, Configuration, DeviceStatus):
        cls.__module__ = "dx_engine"
        setattr(module, cls.__name__, cls)
    for name in without:
        owner, _, attr = name.rpartition(".")
        delattr(getattr(module, owner) if owner else module, attr)
    return module
