"""The DEEPX DX-RT target against a fake dx_engine module with DX-RT's names and signatures."""
from __future__ import annotations

import asyncio
import hashlib
import sys

import numpy as np
import pytest

from drivers.targets.base import RequestSpec, TargetUnavailable
from drivers.targets.deepx import NOT_AVAILABLE, DeepxTarget
from fake_dx_engine import make_dx_engine
from kperf_gui.clock import Clock

MODEL_BYTES = b"DXNN" + bytes(range(256)) * 4


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "yolov8n.dxnn"
    path.write_bytes(MODEL_BYTES)
    return str(path)


def target(model_path, module=None, **kw):
    return DeepxTarget(Clock().now, model_path, module=module or make_dx_engine(), **kw)


def spec(seq=0):
    return RequestSpec(seq=seq, prompt="", input_tokens=0, max_tokens=0)


def test_identity_records_versions_and_model_hash(model):
    t = target(model, devices=[0])
    identity = asyncio.run(t.probe())
    assert identity["dx_engine_version"] == "3.1.0"
    assert identity["dxrt_version"] == "3.1.0"
    assert identity["driver_version"] == "1.7.1"
    assert identity["pcie_driver_version"] == "1.5.0"
    assert identity["model_version"] == "7"
    assert identity["model_sha256"] == hashlib.sha256(MODEL_BYTES).hexdigest()
    assert identity["device_count"] == 1
    assert identity["devices"] == [0]
    assert identity["firmware_version"] == NOT_AVAILABLE
    described = t.describe()
    assert described["model_sha256"] == identity["model_sha256"]
    assert described["not_available"] == ["Configuration.get_firmware_versions"]


def test_missing_calls_are_recorded_and_the_run_goes_on(model):
    module = make_dx_engine(without=("__version__", "Configuration.get_pcie_driver_version",
                                     "InferenceEngine.get_model_version", "DeviceStatus",
                                     "InferenceEngine.get_npu_inference_time"))
    t = target(model, module)

    async def go():
        identity = await t.probe()
        await t.open(1)
        result = await t.send(spec())
        await t.close()
        return identity, result

    identity, result = asyncio.run(go())
    assert identity["dx_engine_version"] == NOT_AVAILABLE
    assert identity["pcie_driver_version"] == NOT_AVAILABLE
    assert identity["model_version"] == NOT_AVAILABLE
    assert identity["device_count"] == NOT_AVAILABLE
    assert identity["driver_version"] == "1.7.1"
    assert set(t.describe()["not_available"]) == {
        "dx_engine.__version__", "Configuration.get_pcie_driver_version",
        "Configuration.get_firmware_versions", "InferenceEngine.get_model_version", "DeviceStatus"}
    assert result.ok
    assert "latency_us" in result.extra and "npu_time_us" not in result.extra


def test_parallel_jobs_are_concurrent_sends(model):
    module = make_dx_engine(latency_s=0.1)
    t = target(model, module, devices=[0])

    async def go():
        await t.open(4)
        results = await asyncio.gather(*(t.send(spec(i)) for i in range(8)))
        await t.close()
        return results

    results = asyncio.run(go())
    engine = module.engines[0]
    assert engine.max_in_flight == 4
    assert engine.jobs_run == 8
    assert engine.option.get_devices() == [0]
    assert engine.disposed
    assert [r.seq for r in results] == list(range(8))
    assert all(r.ok and r.done_ns > r.sent_ns for r in results)


def test_one_inference_gives_times_latency_and_npu_time(model):
    t = target(model, make_dx_engine(latency_s=0.02, npu_time_us=850))
    seen = []
    t.on_chunk = seen.append

    async def go():
        await t.open(1)
        result = await t.send(spec(5))
        await t.close()
        return result

    r = asyncio.run(go())
    assert r.ok and r.error == "" and r.seq == 5
    assert r.done_ns - r.sent_ns >= 20_000_000
    assert r.chunk_ns == [r.done_ns] and r.completion_tokens == 1
    assert seen == [r.done_ns]
    assert r.extra["npu_time_us"] == 850
    assert r.extra["latency_us"] >= 20_000


def test_inputs_follow_the_models_tensor_info(model):
    inputs = ({"name": "a", "shape": [1, 4, 4, 3], "dtype": np.uint8, "elem_size": 1},
              {"name": "b", "shape": [1, 16], "dtype": np.float32, "elem_size": 4})
    module = make_dx_engine(inputs=inputs)
    t = target(model, module)

    async def go():
        await t.open(1)
        await t.send(spec())
        await t.close()

    asyncio.run(go())
    a, b = module.engines[0].inputs_seen[0]
    assert a.shape == (1, 4, 4, 3) and a.dtype == np.uint8 and a.any()
    assert b.shape == (1, 16) and b.dtype == np.float32 and np.isfinite(b).all()


def test_vendor_benchmark_figure(model):
    t = target(model, make_dx_engine(benchmark_fps=412.5))
    record = asyncio.run(t.vendor_benchmark(100))
    assert record["fps"] == 412.5 and record["num_loops"] == 100
    assert record["ended_ns"] >= record["started_ns"]


def test_vendor_benchmark_missing_is_recorded(model):
    t = target(model, make_dx_engine(without=("InferenceEngine.run_benchmark",)))
    record = asyncio.run(t.vendor_benchmark(10))
    assert record["fps"] is None and record["note"] == NOT_AVAILABLE


def test_failed_inference_is_a_result_not_an_exception(model):
    t = target(model, make_dx_engine(fail_run="NPU timeout"))

    async def go():
        await t.open(1)
        r = await t.send(spec())
        await t.close()
        return r

    r = asyncio.run(go())
    assert not r.ok and "NPU timeout" in r.error


def test_inference_that_outlives_the_timeout(model):
    module = make_dx_engine(latency_s=0.5)
    t = target(model, module, timeout_s=0.1)

    async def go():
        await t.open(1)
        r = await t.send(spec())
        await t.close()
        return r

    r = asyncio.run(go())
    assert not r.ok and "did not finish within 0.1 s" in r.error
    assert not module.engines[0].disposed


def test_send_before_open_is_a_failed_result(model):
    r = asyncio.run(target(model).send(spec()))
    assert not r.ok and "not opened" in r.error


def test_missing_module_says_how_to_install(model, monkeypatch):
    monkeypatch.setitem(sys.modules, "dx_engine", None)
    with pytest.raises(TargetUnavailable) as err:
        asyncio.run(DeepxTarget(Clock().now, model).probe())
    message = str(err.value)
    assert "dx_engine is not installed" in message
    assert "python_package" in message and "pip install ." in message
    assert 'python -c "import dx_engine"' in message


def test_missing_model_file(tmp_path):
    missing = str(tmp_path / "nope.dxnn")
    with pytest.raises(TargetUnavailable) as err:
        asyncio.run(target(missing).probe())
    assert missing in str(err.value) and "target.model_path" in str(err.value)


def test_device_that_does_not_exist(model):
    with pytest.raises(TargetUnavailable) as err:
        asyncio.run(target(model, make_dx_engine(device_count=1), devices=[0, 2]).probe())
    assert "NPU device 2" in str(err.value)


def test_model_that_does_not_load(model):
    with pytest.raises(TargetUnavailable) as err:
        asyncio.run(target(model, make_dx_engine(fail_load="invalid model format")).probe())
    assert "invalid model format" in str(err.value) and model in str(err.value)
