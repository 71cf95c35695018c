"""The simulated endpoint: its power and batching model alone, then the server process."""
from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kperf_gui.sim import SimParams, SimServerError, start_sim_server
from kperf_gui.sim.model import NS, Engine, PowerTrace

# ---------------------------------------------------------------- the model, on a fake clock


class FakeClock:
    """Time that moves only when a step sleeps."""

    def __init__(self, t_ns: int = 1_000):
        self.t = t_ns

    def __call__(self) -> int:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += round(seconds * NS)
        await asyncio.sleep(0)


def test_energy_of_known_segments_is_exact() -> None:
    clock = FakeClock(0)
    trace = PowerTrace(0, 100.0, clock)
    trace.set(1 * NS, 200.0)
    trace.set(3 * NS, 100.0)
    clock.t = 5 * NS
    assert trace.energy_j(0, 4 * NS) == 100 + 400 + 100
    assert trace.energy_j(NS // 2, 2 * NS) == 50 + 200  # clipped at both edges
    assert trace.energy_j(3 * NS, 10 * NS) == 200  # the open segment runs to "now"
    assert trace.energy_j(-5 * NS, NS) == 100  # nothing before the start
    assert trace.mean_w(NS // 2, 2 * NS) == pytest.approx(250 / 1.5, rel=1e-15)
    assert trace.mean_w(2 * NS, 2 * NS) == 200.0
    assert trace.segments(NS // 2, 4 * NS) == [
        (NS // 2, NS, 100.0), (NS, 3 * NS, 200.0), (3 * NS, 4 * NS, 100.0)]


def test_equal_power_neighbours_merge() -> None:
    clock = FakeClock(0)
    trace = PowerTrace(0, 100.0, clock)
    trace.set(10, 100.0)
    assert len(trace) == 1
    trace.set(20, 150.0)
    trace.set(20, 100.0)  # a change of no length, undone at once
    assert len(trace) == 1
    trace.set(30, 150.0)
    trace.set(40, 150.0)
    assert len(trace) == 2
    with pytest.raises(ValueError):
        trace.set(35, 100.0)


def test_trace_grows_past_its_first_block() -> None:
    clock = FakeClock(0)
    trace = PowerTrace(0, 180.0, clock)
    expected = 0.0
    for i in range(5000):
        watts = 180.0 if i % 2 else 300.0 + i % 7
        trace.set(i * 1_000_000, watts)
        expected += watts * 1e-3
    clock.t = 5000 * 1_000_000
    assert len(trace) == 5000
    assert trace.energy_j(0, clock.t) == pytest.approx(expected, rel=1e-12)


@settings(deadline=None, max_examples=200)
@given(
    steps=st.lists(st.tuples(st.integers(1, 10**9), st.sampled_from([180.0, 272.5, 400.0, 0.0])),
                   min_size=1, max_size=40),
    a=st.integers(-10**9, 5 * 10**10),
    b=st.integers(-10**9, 5 * 10**10),
)
def test_energy_matches_a_brute_force_integral(steps, a, b) -> None:
    clock = FakeClock(0)
    trace = PowerTrace(0, 180.0, clock)
    edges, watts, t = [0], [180.0], 0
    for dt, w in steps:
        t += dt
        trace.set(t, w)
        edges.append(t)
        watts.append(w)
    clock.t = t + 12345
    edges.append(clock.t)
    lo, hi = max(min(a, b), 0), min(max(a, b), clock.t)
    expected = math.fsum(
        w * max(0, min(e1, hi) - max(e0, lo)) / NS for e0, e1, w in zip(edges, edges[1:], watts))
    got = trace.energy_j(min(a, b), max(a, b))
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    parts = trace.segments(min(a, b), max(a, b))
    assert math.fsum((s1 - s0) * w / NS for s0, s1, w in parts) == pytest.approx(got, rel=1e-12,
                                                                                 abs=1e-12)


async def _run(engine: Engine, *streams) -> list[list[int]]:
    task = asyncio.create_task(engine.run())

    async def collect(req) -> list[int]:
        return [t async for t in req.tokens()]

    try:
        return await asyncio.wait_for(asyncio.gather(*(collect(r) for r in streams)), 10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_prefill_then_decode_energy_exact() -> None:
    p = SimParams()
    clock = FakeClock(0)
    engine = Engine(p, clock, clock.sleep)
    req = engine.submit(prompt_tokens=100, max_tokens=3, exact=True)
    (stamps,) = asyncio.run(_run(engine, req))
    prefill_ns = round(p.prefill_s(100) * NS)
    decode_ns = round(p.decode_s(1) * NS)
    assert stamps == [prefill_ns, prefill_ns + decode_ns, prefill_ns + 2 * decode_ns]
    assert engine.steps == {"prefill": 1, "decode": 2}
    assert engine.trace.segments(0, clock.t) == [
        (0, prefill_ns, p.idle_w + p.prefill_w),
        (prefill_ns, clock.t, p.decode_power_w(1)),
    ]
    expected = prefill_ns / NS * 400.0 + 2 * decode_ns / NS * 272.5
    assert engine.trace.energy_j(0, clock.t) == pytest.approx(expected, rel=1e-14)
    rec = engine.records[0]
    assert (rec.arrival_ns, rec.first_token_ns, rec.last_token_ns) == (0, stamps[0], stamps[-1])
    assert (rec.prompt_tokens, rec.completion_tokens, rec.cancelled) == (100, 3, False)


def test_new_arrivals_prefill_before_the_batch_decodes_again() -> None:
    p = SimParams()
    clock = FakeClock(0)
    engine = Engine(p, clock, clock.sleep)

    async def scenario():
        first = engine.submit(10, 4, exact=True)
        task = asyncio.create_task(engine.run())
        stamps = first.tokens()
        await stamps.__anext__()  # prefilled; its first decode step has begun
        second = engine.submit(30, 2, exact=True)
        rest = [t async for t in stamps]
        late = [t async for t in second.tokens()]
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return rest, late

    rest, late = asyncio.run(scenario())
    decode_1 = round(p.prefill_s(10) * NS) + round(p.decode_s(1) * NS)
    assert rest[0] == decode_1
    assert late[0] == decode_1 + round(p.prefill_s(30) * NS)  # the newcomer's prefill goes first
    assert rest[1] == late[1] == late[0] + round(p.decode_s(2) * NS)  # then both decode together
    assert engine.steps == {"prefill": 2, "decode": 3}


def test_output_lengths() -> None:
    clock = FakeClock(0)
    engine = Engine(SimParams(), clock, clock.sleep, seed=7)
    exact = [engine.submit(5, 40, exact=True) for _ in range(5)]
    early = [engine.submit(5, 40, exact=False) for _ in range(30)]
    asyncio.run(_run(engine, *exact, *early))
    assert all(r.record.completion_tokens == 40 for r in exact)
    lengths = [r.record.completion_tokens for r in early]
    assert all(20 <= n <= 40 for n in lengths) and len(set(lengths)) > 1
    again = Engine(SimParams(), clock, clock.sleep, seed=7)
    [again.submit(5, 40, exact=True) for _ in range(5)]
    repeat = [again.submit(5, 40, exact=False) for _ in range(30)]
    assert [r.target_tokens for r in repeat] == lengths


def test_max_batch_and_cancel() -> None:
    clock = FakeClock(0)
    engine = Engine(SimParams(max_batch=2), clock, clock.sleep)

    async def scenario():
        a, b, c = (engine.submit(1, 5, exact=True) for _ in range(3))
        task = asyncio.create_task(engine.run())
        it = b.tokens()
        await it.__anext__()
        engine.cancel(b)  # its slot frees; c is admitted
        got_a = [t async for t in a.tokens()]
        got_c = [t async for t in c.tokens()]
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return got_a, got_c

    got_a, got_c = asyncio.run(scenario())
    assert len(got_a) == len(got_c) == 5
    assert got_c[0] > got_a[0]
    b = engine.records[1]
    assert b.cancelled and b.completion_tokens < 5
    assert engine.in_flight == 0


def test_params_refuse_negative_values() -> None:
    with pytest.raises(ValueError, match="idle_w"):
        SimParams(idle_w=-1)
    assert SimParams().cli_args()[:2] == ["--idle-w", "180.0"]


# ---------------------------------------------------------------- the server process


@pytest.fixture(scope="module")
def sim():
    with start_sim_server(seed=3) as server:
        yield server


@pytest.fixture(scope="module")
def strict_sim():
    with start_sim_server(reject_extras=True) as server:
        yield server


@pytest.fixture()
def http():
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def _events(lines) -> list:
    out = []
    for line in lines:
        if line.startswith("data: "):
            data = line[len("data: "):]
            out.append(data if data == "[DONE]" else json.loads(data))
    return out


def _wait_until(check, timeout_s: float = 5.0):
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.01)


def test_models(sim, http) -> None:
    body = http.get(f"{sim.base_url}/models").json()
    assert body["object"] == "list"
    assert body["data"][0]["id"] == "sim-llm" and body["data"][0]["object"] == "model"


def test_streamed_completion_with_usage(sim, http) -> None:
    payload = {"model": "sim-llm", "prompt": "one two  three\nfour", "max_tokens": 12,
               "ignore_eos": True, "stream": True, "stream_options": {"include_usage": True}}
    with http.stream("POST", f"{sim.base_url}/completions", json=payload) as r:
        assert r.status_code == 200
        assert r.headers["content-type"] == "text/event-stream"
        events = _events(r.iter_lines())
    assert events[-1] == "[DONE]"
    usage_chunk = events[-2]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"] == {"prompt_tokens": 4, "completion_tokens": 12, "total_tokens": 16}
    texts = [e["choices"][0]["text"] for e in events[:-2]]
    assert len(texts) == 12 and all(t.startswith(" ") and len(t.split()) == 1 for t in texts)
    assert events[-3]["choices"][0]["finish_reason"] == "length"


def test_streamed_chat_starts_with_a_role_chunk(sim, http) -> None:
    payload = {"model": "sim-llm", "max_tokens": 5, "min_tokens": 5, "stream": True,
               "messages": [{"role": "system", "content": "be brief"},
                            {"role": "user", "content": [{"type": "text", "text": "hello you"}]}]}
    with http.stream("POST", f"{sim.base_url}/chat/completions", json=payload) as r:
        events = _events(r.iter_lines())
    assert events[-1] == "[DONE]"
    assert events[0]["object"] == "chat.completion.chunk"
    assert events[0]["choices"][0]["delta"] == {"role": "assistant"}
    contents = [e["choices"][0]["delta"]["content"] for e in events[1:-1]]
    assert len(contents) == 5
    assert all("usage" not in e for e in events[:-1])
    trace = sim.trace()
    assert trace[-1]["prompt_tokens"] == 4 and trace[-1]["completion_tokens"] == 5


def test_non_streamed(sim, http) -> None:
    r = http.post(f"{sim.base_url}/completions",
                  json={"model": "sim-llm", "prompt": "a b c", "max_tokens": 30})
    body = r.json()
    usage = body["usage"]
    assert usage["prompt_tokens"] == 3 and 15 <= usage["completion_tokens"] <= 30
    assert len(body["choices"][0]["text"].split()) == usage["completion_tokens"]
    r = http.post(f"{sim.base_url}/chat/completions",
                  json={"model": "sim-llm", "max_tokens": 8, "ignore_eos": True,
                        "messages": [{"role": "user", "content": "x y"}]})
    body = r.json()
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert len(body["choices"][0]["message"]["content"].split()) == 8 == body["usage"]["completion_tokens"]


def test_tokenize_counts_words(sim, http) -> None:
    prompt = "the  quick\tbrown fox\n jumps"
    body = http.post(f"{sim.root_url}/tokenize", json={"model": "sim-llm", "prompt": prompt}).json()
    assert body["count"] == len(prompt.split()) == len(body["tokens"])
    assert body["max_model_len"] == 131072


def test_errors(sim, http) -> None:
    r = http.post(f"{sim.base_url}/completions", json={"model": "other", "prompt": "x"})
    assert r.status_code == 404
    assert r.json()["error"]["type"] == "NotFoundError" and "other" in r.json()["error"]["message"]
    r = http.post(f"{sim.base_url}/completions", content=b"{not json",
                  headers={"content-type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    assert http.get(f"{sim.root_url}/nowhere").status_code == 404
    assert http.get(f"{sim.base_url}/completions").status_code == 405
    assert http.get(f"{sim.root_url}/sim/energy?t0=x").status_code == 400


def test_reject_extras(strict_sim, http) -> None:
    for extra in ({"min_tokens": 4}, {"ignore_eos": True}):
        r = http.post(f"{strict_sim.base_url}/completions",
                      json={"model": "sim-llm", "prompt": "x", "max_tokens": 4, **extra})
        assert r.status_code == 400
        assert r.json()["error"]["message"] == f"{next(iter(extra))} is not supported"
    r = http.post(f"{strict_sim.base_url}/completions",
                  json={"model": "sim-llm", "prompt": "x", "max_tokens": 4})
    assert r.status_code == 200


def test_client_gone_mid_stream(sim, http) -> None:
    payload = {"model": "sim-llm", "prompt": "go", "max_tokens": 5000, "ignore_eos": True,
               "stream": True}
    with httpx.Client(trust_env=False, timeout=10) as gone:
        with gone.stream("POST", f"{sim.base_url}/completions", json=payload) as r:
            lines = r.iter_lines()
            assert next(lines).startswith("data: ")
    rid = max(t["id"] for t in sim.trace())

    def dropped() -> dict | None:
        rec = next(t for t in sim.trace() if t["id"] == rid)
        return rec if rec["cancelled"] else None

    rec = _wait_until(dropped)
    assert rec and rec["completion_tokens"] < 5000
    assert _wait_until(lambda: http.get(f"{sim.root_url}/sim/trace").json()["in_flight"] == 0)
    r = http.post(f"{sim.base_url}/completions",
                  json={"model": "sim-llm", "prompt": "still here", "max_tokens": 3})
    assert r.status_code == 200
    assert sim.log_text() == ""


def test_keep_alive_pipelined_and_http10(sim) -> None:
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as s:
        s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n" * 2)
        data = b""
        while data.count(b"HTTP/1.1 200 OK") < 2 or not data.endswith(b"}]}"):
            data += s.recv(65536)
        body = b'{"model":"sim-llm","prompt":"a","max_tokens":2,"ignore_eos":true,"stream":true}'
        s.sendall(b"POST /v1/completions HTTP/1.0\r\nContent-Length: %d\r\n\r\n%s"
                  % (len(body), body))
        data = b""
        while chunk := s.recv(65536):  # close-delimited: ends when the server closes
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower() and b"connection: close" in head.lower()
    assert rest.endswith(b"data: [DONE]\n\n") and rest.count(b"data: {") == 2


def test_energy_over_an_idle_interval(strict_sim) -> None:
    t0 = time.perf_counter_ns()
    time.sleep(0.05)
    t1 = time.perf_counter_ns()
    idle_w = strict_sim.params()["idle_w"]
    assert strict_sim.energy_j(t0, t1) == pytest.approx(idle_w * (t1 - t0) / NS, rel=1e-9)
    assert strict_sim.mean_w(t0, t1) == pytest.approx(idle_w, rel=1e-9)


def test_energy_over_a_loaded_interval(sim) -> None:
    async def load() -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            async def one(i: int) -> None:
                payload = {"model": "sim-llm", "prompt": "w " * (50 + i), "max_tokens": 20,
                           "ignore_eos": True, "stream": True}
                async with client.stream("POST", f"{sim.base_url}/completions", json=payload) as r:
                    async for _ in r.aiter_lines():
                        pass
            await asyncio.gather(*(one(i) for i in range(16)))

    t0 = time.perf_counter_ns()
    asyncio.run(load())
    t1 = time.perf_counter_ns()
    energy = sim.energy_j(t0, t1)
    segments = sim.segments(t0, t1)
    assert segments[0][0] == t0 and segments[-1][1] == t1
    assert all(a[1] == b[0] for a, b in zip(segments, segments[1:]))  # contiguous
    assert energy == pytest.approx(math.fsum((b - a) * w / NS for a, b, w in segments), rel=1e-9)
    p = SimParams()
    assert {w for *_, w in segments} >= {p.idle_w + p.prefill_w}
    assert energy > p.idle_w * (t1 - t0) / NS
    recent = [r for r in sim.trace() if r["arrival_ns"] >= t0]
    assert len(recent) == 16
    assert all(r["arrival_ns"] <= r["first_token_ns"] <= r["last_token_ns"] <= t1 for r in recent)


def test_start_failure_is_a_plain_error() -> None:
    with pytest.raises(SimServerError, match="did not start"):
        start_sim_server(SimParams(), model="x", timeout_s=0.001)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc")
def test_the_server_exits_when_its_parent_dies() -> None:
    script = ("import os; from kperf_gui.sim import start_sim_server; "
              "s = start_sim_server(); print(s.proc.pid, flush=True); os._exit(0)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    pid = int(out.stdout)
    assert _wait_until(lambda: not _alive(pid), 10)


def test_trace_keeps_when_each_text_chunk_was_written(sim) -> None:
    """The server stamps each text chunk where it writes it; the client receives each later,
    on the same clock, and in the same order (chat: the role chunk carries no text)."""
    from drivers.targets.base import RequestSpec
    from drivers.targets.openai import OpenAITarget

    async def go():
        target = OpenAITarget(time.perf_counter_ns, sim.base_url, "sim-llm", api="chat")
        await target.open(1)
        try:
            return await target.send(RequestSpec(seq=0, prompt="one two three four five six",
                                                 input_tokens=6, max_tokens=9))
        finally:
            await target.close()

    res = asyncio.run(go())
    assert res.ok, res.error
    rec = next(t for t in sim.trace() if t["prompt_tokens"] == 6 and t["max_tokens"] == 9)
    sent = rec["chunk_sent_ns"]
    assert len(sent) == len(res.chunk_ns) == 9
    assert sent == sorted(sent) and rec["last_token_ns"] <= sent[-1]
    assert all(s <= c for s, c in zip(sent, res.chunk_ns))
    assert res.sent_ns <= rec["received_ns"] <= rec["arrival_ns"] <= sent[0]
