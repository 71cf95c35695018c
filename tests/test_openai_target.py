"""The OpenAI-compatible target against a scripted server on loopback."""
from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time

import pytest

from drivers.targets import openai as openai_module
from drivers.targets import rxstamp
from drivers.targets.base import RequestResult, RequestSpec, TargetUnavailable
from drivers.targets.openai import OpenAITarget
from kperf_gui.clock import Clock
from fake_openai import (
    CLOSE,
    RESET,
    Delay,
    FakeOpenAI,
    Reply,
    Request,
    chat,
    completion,
    events,
    json_reply,
    models_reply,
    sse,
    usage,
)

SPEC = RequestSpec(seq=3, prompt="Tell me", input_tokens=2, max_tokens=16)
STAMPS = rxstamp.KERNEL if rxstamp.supported() else rxstamp.LOOP
DONE = "[DONE]"


@pytest.fixture
def server():
    with FakeOpenAI() as s:
        yield s


def target(base_url: str, **kw) -> OpenAITarget:
    return OpenAITarget(Clock().now, base_url, kw.pop("model", "m1"), **kw)


async def send(t: OpenAITarget, *specs: RequestSpec, concurrency: int = 1) -> list[RequestResult]:
    await t.open(concurrency)
    try:
        return [await t.send(spec) for spec in specs or (SPEC,)]
    finally:
        await t.close()


def send_one(t: OpenAITarget, spec: RequestSpec = SPEC) -> RequestResult:
    return asyncio.run(send(t, spec))[0]


def stream(*steps) -> Reply:
    return Reply(body=list(steps))


def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


# --- happy paths -------------------------------------------------------------------------------


def test_completions_stream(server):
    server.script("POST", "/v1/completions", stream(
        *events(completion("Hel")), Delay(0.03), *events(completion("lo")), Delay(0.03),
        *events(completion(" wörld"), usage(5, 3), DONE),
    ))
    t = target(server.base_url)
    r = send_one(t)
    assert r.ok and r.error == "" and r.http_status == 200 and r.seq == 3
    assert r.text == "Hello wörld"
    assert r.chunk_chars == [3, 2, 6]
    assert len(r.chunk_ns) == 3
    assert r.sent_ns <= r.chunk_ns[0] < r.chunk_ns[1] < r.chunk_ns[2] <= r.done_ns
    assert r.chunk_ns[2] - r.chunk_ns[0] >= 50_000_000
    assert (r.prompt_tokens, r.completion_tokens) == (5, 3)
    body = server.requests[0].json()
    assert body == {
        "model": "m1", "prompt": "Tell me", "max_tokens": 16, "temperature": 0, "stream": True,
        "stream_options": {"include_usage": True}, "min_tokens": 16, "ignore_eos": True,
    }
    assert t.describe() == {
        "exact_output_length": "min_tokens+ignore_eos", "api": "completions",
        "base_url": server.base_url, "model": "m1", "stream_usage": True,
        "time_stamps": STAMPS,
    }


def test_chat_stream_counts_reasoning_but_not_role_or_empty_chunks(server):
    server.script("POST", "/v1/chat/completions", stream(*events(
        chat(role="assistant"), chat(reasoning_content="think"), chat(content=""),
        chat(content="Hi"), chat(reasoning="!"), usage(4, 3), DONE,
    )))
    t = target(server.base_url, api="chat", exact_output=False)
    r = send_one(t)
    assert r.ok and r.text == "thinkHi!" and r.chunk_chars == [5, 2, 1] and len(r.chunk_ns) == 3
    body = server.requests[0].json()
    assert body["messages"] == [{"role": "user", "content": "Tell me"}]
    assert "min_tokens" not in body and "ignore_eos" not in body and "prompt" not in body
    assert t.describe()["exact_output_length"] == "off"


def test_spec_model_overrides_the_target_model(server):
    server.script("POST", "/v1/completions", stream(*events(completion("a"), DONE)))
    spec = RequestSpec(seq=0, prompt="p", input_tokens=1, max_tokens=1, model="m1-fp8")
    assert send_one(target(server.base_url), spec).ok
    assert server.requests[0].json()["model"] == "m1-fp8"


def test_no_usage_reported(server):
    server.script("POST", "/v1/completions", stream(*events(completion("a"), DONE)))
    t = target(server.base_url)
    r = send_one(t)
    assert r.ok and r.prompt_tokens is None and r.completion_tokens is None
    assert t.describe()["stream_usage"] is False


# --- framing -----------------------------------------------------------------------------------


def test_chunks_split_mid_line_and_mid_character(server):
    blob = sse(completion("é€"), completion("😀"), usage(1, 2), DONE)
    pieces = [blob[i : i + 3] for i in range(0, len(blob), 3)]
    server.script("POST", "/v1/completions", stream(*pieces))
    r = send_one(target(server.base_url))
    assert r.ok and r.text == "é€😀" and r.chunk_chars == [2, 1] and r.completion_tokens == 2


def test_crlf_and_cr_line_ends_with_keep_alive_comments(server):
    server.script("POST", "/v1/completions", stream(
        b": keep-alive\r\n\r\n", sse(completion("a"), end="\r\n"), b":\r\n\r\n",
        sse(completion("b"), end="\r"), b": ping\r", sse(DONE, end="\r\n"),
    ))
    r = send_one(target(server.base_url))
    assert r.ok and r.text == "ab" and len(r.chunk_ns) == 2 and "malformed_lines" not in r.extra


def test_clean_end_without_done_is_ok_with_text(server):
    server.script("POST", "/v1/completions", stream(*events(completion("a"))))
    assert send_one(target(server.base_url)).ok


def test_clean_end_without_text_or_done_fails(server):
    server.script("POST", "/v1/completions", stream(b": nothing\n\n"))
    r = send_one(target(server.base_url))
    assert not r.ok and r.error == "empty stream: the server sent no text"


def test_a_malformed_line_is_counted_not_fatal(server):
    server.script("POST", "/v1/completions", stream(
        *events(completion("a")), b"data: {oops\n\n", *events(completion("b"), DONE)
    ))
    r = send_one(target(server.base_url))
    assert r.ok and r.text == "ab" and r.extra["malformed_lines"] == 1


def test_only_malformed_lines_fail(server):
    server.script("POST", "/v1/completions", stream(b"data: {oops\n\n", b"data: <html>\n\n"))
    r = send_one(target(server.base_url))
    assert not r.ok and r.error == "malformed stream: 2 unparseable lines"


def test_error_object_in_stream(server):
    server.script("POST", "/v1/completions", stream(
        *events(completion("a"), {"error": {"message": "out of memory", "code": 500}}, DONE)
    ))
    r = send_one(target(server.base_url))
    assert not r.ok and r.error == "stream error: out of memory" and r.text == "a"


def test_error_event_type_in_stream(server):
    server.script("POST", "/v1/completions", stream(b"event: error\ndata: engine stopped\n\n"))
    r = send_one(target(server.base_url))
    assert not r.ok and r.error == "stream error: engine stopped"


def test_json_answer_instead_of_a_stream(server):
    server.script("POST", "/v1/completions", json_reply(200, {"choices": [{"text": "all"}]}))
    r = send_one(target(server.base_url))
    assert not r.ok and "without streaming" in r.error


# --- failures ----------------------------------------------------------------------------------


def test_connection_closed_mid_stream(server):
    body = stream(*events(completion("a"), completion("b")), CLOSE)
    server.script("POST", "/v1/completions", body)
    r = send_one(target(server.base_url))
    assert not r.ok and r.error == "connection reset after 2 chunks"
    assert r.text == "ab" and len(r.chunk_ns) == 2 and r.done_ns >= r.chunk_ns[-1]


def test_connection_reset_mid_stream(server):
    server.script("POST", "/v1/completions", stream(*events(completion("a")), RESET))
    r = send_one(target(server.base_url))
    assert not r.ok and r.error.startswith("connection reset after ")
    assert r.done_ns >= r.sent_ns


def test_http_500_with_json_error_body(server):
    server.script("POST", "/v1/completions", json_reply(
        500, {"error": {"message": "engine dead", "type": "InternalServerError", "code": 500}}
    ))
    r = send_one(target(server.base_url))
    assert not r.ok and r.error == "HTTP 500: engine dead" and r.http_status == 500
    assert len(server.requests) == 1


def test_http_error_with_plain_or_fastapi_body(server):
    server.script(
        "POST", "/v1/completions",
        Reply(503, [b"Service Unavailable: warming up"], {"content-type": "text/plain"}, False),
        json_reply(429, {"detail": "Too many requests"}),
        Reply(502, [], {}, False),
    )
    results = asyncio.run(send(target(server.base_url, exact_output=False), SPEC, SPEC, SPEC))
    assert [r.error for r in results] == [
        "HTTP 503: Service Unavailable: warming up",
        "HTTP 429: Too many requests",
        "HTTP 502: Bad Gateway",
    ]


def _rejects_extras(status: int, message: str):
    def handler(request: Request) -> Reply:
        if "min_tokens" in request.json():
            return json_reply(status, {"error": {"message": message}})
        return stream(*events(completion("ok"), DONE))

    return handler


def test_rejected_extras_are_dropped_for_the_rest_of_the_run(server):
    server.script("POST", "/v1/completions", _rejects_extras(400, "Unrecognized field: min_tokens"))
    t = target(server.base_url)
    first, second = asyncio.run(send(t, SPEC, SPEC))
    assert first.ok and second.ok and first.text == "ok" and first.http_status == 200
    assert ["min_tokens" in r.json() for r in server.requests] == [True, False, False]
    assert t.describe()["exact_output_length"] == (
        "not accepted by server: HTTP 400: Unrecognized field: min_tokens"
    )


def test_first_request_422_that_passes_without_extras_drops_them(server):
    server.script("POST", "/v1/completions", _rejects_extras(422, "extra fields not permitted"))
    t = target(server.base_url)
    assert send_one(t).ok
    assert t.describe()["exact_output_length"].startswith("not accepted by server: HTTP 422")


def test_a_400_unrelated_to_the_extras_keeps_them(server):
    too_long = json_reply(400, {"error": {"message": "prompt too long"}})
    server.script("POST", "/v1/completions", too_long)
    t = target(server.base_url)
    r = send_one(t)
    assert not r.ok and r.error == "HTTP 400: prompt too long"
    assert len(server.requests) == 2
    assert t.describe()["exact_output_length"] == "min_tokens+ignore_eos"


def test_no_retry_once_the_extras_were_accepted(server):
    server.script(
        "POST", "/v1/completions", stream(*events(completion("a"), DONE)),
        json_reply(400, {"error": {"message": "prompt too long"}}),
    )
    first, second = asyncio.run(send(target(server.base_url), SPEC, SPEC))
    assert first.ok and not second.ok and len(server.requests) == 2


def test_read_timeout(server):
    server.script("POST", "/v1/completions", stream(*events(completion("a")), Delay(5), sse(DONE)))
    r = send_one(target(server.base_url, timeout_s=0.3))
    assert not r.ok and r.error == "read timeout after 0.3 s" and len(r.chunk_ns) == 1
    assert r.done_ns - r.sent_ns < 4_000_000_000


def test_silence_after_done_is_not_a_failure(server):
    server.script("POST", "/v1/completions", stream(*events(completion("a"), DONE), Delay(5)))
    assert send_one(target(server.base_url, timeout_s=0.3)).ok


def test_connection_refused():
    r = send_one(target(refused_url()))
    assert not r.ok and r.error == "connection refused" and r.done_ns >= r.sent_ns


def test_cancellation_propagates(server):
    arrived = threading.Event()

    def slow(request: Request) -> Reply:
        arrived.set()
        return stream(Delay(5), *events(completion("late")))

    server.script("POST", "/v1/completions", slow)

    async def go() -> None:
        t = target(server.base_url)
        await t.open(1)
        task = asyncio.create_task(t.send(SPEC))
        assert await asyncio.get_running_loop().run_in_executor(None, arrived.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await t.close()

    asyncio.run(go())


def test_concurrent_requests_ignore_proxy_settings(server, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    server.script("POST", "/v1/completions", stream(Delay(0.05), *events(completion("x"), DONE)))

    async def go() -> list[RequestResult]:
        t = target(server.base_url)
        await t.open(4)
        try:
            return await asyncio.gather(*(t.send(SPEC) for _ in range(8)))
        finally:
            await t.close()

    assert all(r.ok and r.text == "x" for r in asyncio.run(go()))


# --- the API key -------------------------------------------------------------------------------


def test_api_key_is_sent_and_never_described(server, monkeypatch):
    monkeypatch.setenv("KPERF_TEST_KEY", "sk-secret-123")
    server.script("GET", "/v1/models", models_reply("m1"))
    server.script("POST", "/v1/completions", stream(*events(completion("a"), DONE)))
    t = target(server.base_url, api_key_env="KPERF_TEST_KEY")
    asyncio.run(t.probe())
    assert send_one(t).ok
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer sk-secret-123"] * 2
    assert "sk-secret" not in json.dumps(t.describe())
    assert "sk-secret" not in repr(vars(t))


def test_missing_key_variable(server, monkeypatch):
    monkeypatch.delenv("KPERF_TEST_KEY", raising=False)
    t = target(server.base_url, api_key_env="KPERF_TEST_KEY")
    with pytest.raises(TargetUnavailable, match="KPERF_TEST_KEY .* is not set"):
        asyncio.run(t.probe())
    with pytest.raises(TargetUnavailable, match="KPERF_TEST_KEY"):
        asyncio.run(t.open(1))


# --- probe -------------------------------------------------------------------------------------


def test_probe_lists_models(server):
    server.script("GET", "/v1/models", models_reply("m0", "m1"))
    assert asyncio.run(target(server.base_url).probe()) == {"models": ["m0", "m1"]}


def test_probe_model_missing_names_the_served_models(server):
    server.script("GET", "/v1/models", models_reply("llama-8b", "qwen-7b"))
    with pytest.raises(TargetUnavailable, match="serves llama-8b, qwen-7b. Set target.model"):
        asyncio.run(target(server.base_url, model="m1").probe())


def test_probe_connection_refused():
    url = refused_url()
    with pytest.raises(TargetUnavailable) as info:
        asyncio.run(target(url).probe())
    assert str(info.value) == (
        f"Cannot reach the endpoint at {url}: connection refused. "
        "Check that the server is running and the base_url in the plan."
    )


def test_probe_unauthorized(server, monkeypatch):
    server.script("GET", "/v1/models", json_reply(401, {"error": {"message": "bad key"}}))
    with pytest.raises(TargetUnavailable, match="needs an API key .*target.api_key_env"):
        asyncio.run(target(server.base_url).probe())
    monkeypatch.setenv("KPERF_TEST_KEY", "wrong")
    with pytest.raises(TargetUnavailable, match="refused the API key from KPERF_TEST_KEY"):
        asyncio.run(target(server.base_url, api_key_env="KPERF_TEST_KEY").probe())


def test_probe_404_without_v1(server):
    with pytest.raises(TargetUnavailable, match="lacks /v1"):
        asyncio.run(target(server.url).probe())


def test_probe_other_errors(server):
    server.script(
        "GET", "/v1/models",
        json_reply(500, {"error": {"message": "boom"}}),
        Reply(200, [b"hi"], {}, False),
    )
    with pytest.raises(TargetUnavailable, match="HTTP 500: boom"):
        asyncio.run(target(server.base_url).probe())
    with pytest.raises(TargetUnavailable, match="did not answer with a model list"):
        asyncio.run(target(server.base_url).probe())
    with pytest.raises(TargetUnavailable, match="Write it like http://host:8000/v1"):
        asyncio.run(target("localhost:8000/v1").probe())


def test_probe_timeout(server, monkeypatch):
    monkeypatch.setattr(openai_module, "PROBE_TIMEOUT_S", 0.2)
    server.script("GET", "/v1/models", Reply(200, [Delay(5)], {"content-type": "application/json"}))
    with pytest.raises(TargetUnavailable, match="did not answer within 0.2 s"):
        asyncio.run(target(server.base_url).probe())


# --- tokenize ----------------------------------------------------------------------------------


async def tokenize(t: OpenAITarget, text: str) -> int | None:
    try:
        return await t.tokenize(text)
    finally:
        await t.close()


def test_tokenize(server):
    server.script("POST", "/tokenize", json_reply(200, {"count": 7, "max_model_len": 8192}))
    assert asyncio.run(tokenize(target(server.base_url), "hello world")) == 7
    assert server.requests[0].json() == {"model": "m1", "prompt": "hello world"}


def test_tokenize_unsupported_is_none(server):
    assert asyncio.run(tokenize(target(server.base_url), "x")) is None
    server.script("POST", "/tokenize", json_reply(200, {"tokens": []}))
    assert asyncio.run(tokenize(target(server.base_url), "x")) is None


def test_tokenize_llamacpp_form(server):
    """llama.cpp answers a vLLM-style body with no tokens, and ``content`` with its tokens; the
    form that answered is kept."""
    def reply(req):
        body = req.json()
        return json_reply(200, {"tokens": [1, 22172, 3186] if "content" in body else []})

    server.script("POST", "/tokenize", reply)
    t = target(server.base_url)

    async def twice():
        try:
            return await t.tokenize("hello world"), await t.tokenize("hello world")
        finally:
            await t.close()

    assert asyncio.run(twice()) == (3, 3)
    bodies = [r.json() for r in server.requests]
    assert bodies == [{"model": "m1", "prompt": "hello world"},
                      {"content": "hello world", "add_special": True},
                      {"content": "hello world", "add_special": True}]


def test_tokenize_sglang_v1_route(server):
    server.script("POST", "/v1/tokenize", json_reply(200, {"tokens": [5, 6, 7, 8], "count": 4,
                                                           "max_model_len": 4096}))
    assert asyncio.run(tokenize(target(server.base_url), "abc")) == 4
    assert [r.path for r in server.requests] == ["/tokenize", "/tokenize", "/v1/tokenize"]


def test_tokenize_unreachable():
    with pytest.raises(TargetUnavailable, match="connection refused"):
        asyncio.run(tokenize(target(refused_url()), "x"))


def test_bad_api_name():
    with pytest.raises(ValueError):
        target("http://127.0.0.1:1/v1", api="responses")


# --- the one-token request before measuring ------------------------------------------------------


def test_check_request_sends_one_token_of_the_plans_api(server):
    server.script("POST", "/v1/chat/completions", stream(*events(chat(content="Hi"), DONE)))
    t = target(server.base_url, api="chat")
    assert asyncio.run(t.check_request()) == {"http_status": 200, "output_chunks": 1}
    (req,) = server.requests
    body = req.json()
    assert req.method == "POST" and req.path == "/v1/chat/completions"
    assert body["max_tokens"] == 1 and body["model"] == "m1" and body["stream"] is True


def test_check_request_refused_key(server, monkeypatch):
    monkeypatch.setenv("KPERF_TEST_KEY", "wrong")
    server.script("GET", "/v1/models", models_reply("m1"))  # left open, as many servers do
    server.script("POST", "/v1/completions", json_reply(401, {"error": {"message": "bad key"}}))
    t = target(server.base_url, api_key_env="KPERF_TEST_KEY")
    asyncio.run(t.probe())
    with pytest.raises(TargetUnavailable) as info:
        asyncio.run(t.check_request())
    assert str(info.value) == (
        f"The endpoint at {server.base_url} refused a one-token completions request (POST "
        ".../completions) for model 'm1' (HTTP 401: bad key): the API key was not accepted; "
        "check that KPERF_TEST_KEY holds a valid key for it.")


def test_check_request_wrong_model_or_missing_api(server):
    server.script("POST", "/v1/completions", json_reply(
        404, {"error": {"message": "The model `m1` does not exist."}}))
    with pytest.raises(TargetUnavailable, match=r"refused a one-token completions request .*"
                       r"HTTP 404: The model `m1` does not exist.*set it to 'chat'"):
        asyncio.run(target(server.base_url).check_request())
    # no /chat/completions route at all: the fake answers 404 like a server without the API
    with pytest.raises(TargetUnavailable, match=r"one-token chat request .*HTTP 404.*"
                       r"set it to 'completions'"):
        asyncio.run(target(server.base_url, api="chat").check_request())


def test_check_request_stream_error(server):
    server.script("POST", "/v1/completions", stream(*events({"error": {"message": "oom"}})))
    with pytest.raises(TargetUnavailable, match="did not complete a one-token completions "
                       "request .*stream error: oom. Check the server's log"):
        asyncio.run(target(server.base_url).check_request())


def test_url_query_and_user_info_reach_the_server_and_never_a_message(server):
    server.script("GET", "/v1/models?api-version=2&api_key=SECRETQ", models_reply("m1"))
    server.script("POST", "/v1/completions?api-version=2&api_key=SECRETQ",
                  stream(*events(completion("a"), DONE)), json_reply(403, {"error": {"message": "no"}}))
    url = f"http://lab:SECRETPW@127.0.0.1:{server.port}/v1?api-version=2&api_key=SECRETQ"
    t = target(url)
    asyncio.run(t.probe())
    assert send_one(t).ok
    auth = "Basic " + base64.b64encode(b"lab:SECRETPW").decode()
    assert [r.headers.get("authorization") for r in server.requests] == [auth, auth]
    assert t.shown_url == f"http://lab:***@127.0.0.1:{server.port}/v1?api-version=2&api_key=***"
    assert "SECRET" not in json.dumps(t.describe())
    with pytest.raises(TargetUnavailable) as info:
        asyncio.run(t.check_request())
    assert "SECRET" not in str(info.value) and "lab:***@" in str(info.value)


# --- time stamps --------------------------------------------------------------------------------


def _ttft_with_the_loop_blocked(server: FakeOpenAI) -> tuple[RequestResult, OpenAITarget]:
    """The server answers 50 ms after the request; the client's loop is blocked for 300 ms from
    when the request reached the server, so it reads the first chunk about 250 ms after it came."""
    server.script("POST", "/v1/completions", stream(
        Delay(0.05), *events(completion("a")), Delay(0.02), *events(completion("b"), DONE)))
    t = target(server.base_url)

    async def block_when_the_request_arrives() -> None:
        while not server.requests:
            await asyncio.sleep(0.001)
        time.sleep(0.3)  # the loop stands still, as under a load of hundreds of users

    async def go() -> RequestResult:
        await t.open(1)
        try:
            blocker = asyncio.create_task(block_when_the_request_arrives())
            result = await t.send(SPEC)
            await blocker
            return result
        finally:
            await t.close()

    return asyncio.run(go()), t


@pytest.mark.skipif(not rxstamp.supported(), reason="no kernel receive stamps on this system")
def test_a_chunk_is_stamped_when_it_arrived_not_when_a_busy_loop_read_it(server):
    r, t = _ttft_with_the_loop_blocked(server)
    assert r.ok and r.text == "ab", r.error
    ttft_ms = (r.chunk_ns[0] - r.sent_ns) / 1e6
    assert 45 <= ttft_ms < 200, ttft_ms  # the server's 50 ms, not the loop's 300
    assert t.describe()["time_stamps"] == rxstamp.KERNEL
    assert "blocks_stamped_in_loop" not in r.extra


def test_without_kernel_stamps_the_loop_stamps_and_says_so(server, monkeypatch):
    monkeypatch.setattr(rxstamp, "supported", lambda: False)
    r, t = _ttft_with_the_loop_blocked(server)
    assert r.ok and r.text == "ab", r.error
    assert (r.chunk_ns[0] - r.sent_ns) / 1e6 >= 250  # read when the loop got to it
    assert t.describe()["time_stamps"] == rxstamp.LOOP


@pytest.mark.skipif(not rxstamp.supported(), reason="no kernel receive stamps on this system")
def test_a_stamp_from_before_a_wall_clock_step_is_not_used(server, monkeypatch):
    """A kernel stamp later than now (the wall clock was set back) would put a chunk before it
    arrived: the block is stamped in the loop instead, and the request says how many were."""
    class Stepped:
        @staticmethod
        def time_ns() -> int:
            return time.time_ns() - 3_600_000_000_000

    server.script("POST", "/v1/completions", stream(
        *events(completion("a")), Delay(0.01), *events(completion("b"), DONE)))
    t = target(server.base_url)
    monkeypatch.setattr(rxstamp, "time", Stepped)
    r = send_one(t)
    assert r.ok and r.text == "ab"
    assert r.extra["blocks_stamped_in_loop"] >= 2
    assert r.sent_ns <= r.chunk_ns[0] <= r.chunk_ns[1] <= r.done_ns
