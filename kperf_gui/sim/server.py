"""The simulated OpenAI-compatible endpoint: routes over :mod:`.model` and :mod:`.http`.

OpenAI routes: ``GET /v1/models``, ``POST /v1/completions``, ``POST /v1/chat/completions``
(streamed as Server-Sent Events or in one body), and vLLM's ``POST /tokenize``, ``GET /version``,
``GET /health`` and ``GET /metrics`` (its prompt and generation token counters, under vLLM's
names, counted as vLLM V1 counts them: a prompt once its prefill is done, each token as it is
generated). Simulator routes,
all times raw ``perf_counter_ns``: ``GET /sim/energy?t0=&t1=`` (the exact energy and mean power over
an interval), ``GET /sim/segments?t0=&t1=`` (the power segments covering it), ``GET /sim/trace``
(every request as the server saw it, steps run, requests in flight) and ``GET /sim/params``.

A token is a whitespace-separated word, in prompts and in generated text (``" w0 w1 ..."``).
"""
from __future__ import annotations

import asyncio
import json
import time
import zlib
from dataclasses import asdict
from typing import Any, AsyncIterator, Awaitable, Callable

from kperf_gui import __version__

from .http import HttpServer, Request, Response
from .model import Engine, SimParams, SimRequest

MAX_MODEL_LEN = 131072
DEFAULT_MAX_TOKENS = 16


class ApiError(Exception):
    """An error answered as ``{"error": {...}}`` with an HTTP status."""

    def __init__(self, status: int, message: str, kind: str = "BadRequestError"):
        super().__init__(message)
        self.status = status
        self.kind = kind

    def response(self) -> Response:
        return Response.json({"error": {"message": str(self), "type": self.kind}}, self.status)


def count_words(text: str) -> int:
    """Tokens in ``text``: its whitespace-separated words."""
    return len(text.split())


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        if all(isinstance(p, str) for p in parts):
            return " ".join(parts)
    raise ApiError(400, "a message content must be a string or a list of text parts")


def _prompt_text(body: dict[str, Any], chat: bool) -> str:
    """The prompt as text: the completion prompt, or the chat messages' contents joined."""
    if chat:
        messages = body.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise ApiError(400, "messages must be a list of objects")
        return " ".join(_content_text(m.get("content")) for m in messages)
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if isinstance(prompt, list) and all(isinstance(t, int) for t in prompt):
        return " ".join(f"t{t}" for t in prompt)
    if not isinstance(prompt, str):
        raise ApiError(400, "prompt must be a string, or a list of token ids")
    return prompt


def _int_field(body: dict[str, Any], name: str, default: int | None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, f"{name} must be an integer")
    return value


def _sse(obj: Any) -> bytes:
    return b"data: " + json.dumps(obj, separators=(",", ":")).encode() + b"\n\n"


class SimApp:
    """The endpoint's routes over one :class:`Engine`."""

    def __init__(
        self,
        params: SimParams | None = None,
        model: str = "sim-llm",
        seed: int = 0,
        reject_extras: bool = False,
        clock: Callable[[], int] = time.perf_counter_ns,
    ):
        self.params = params or SimParams()
        self.model = model
        self.seed = seed
        self.reject_extras = reject_extras
        self.clock = clock
        self.engine = Engine(self.params, clock, seed=seed)
        self._routes: dict[tuple[str, str], Callable[[Request], Awaitable[Response]]] = {
            ("GET", "/v1/models"): self._models,
            ("POST", "/v1/completions"): self._completions,
            ("POST", "/v1/chat/completions"): self._chat,
            ("POST", "/tokenize"): self._tokenize,
            ("GET", "/version"): self._version,
            ("GET", "/health"): self._health,
            ("GET", "/metrics"): self._metrics,
            ("GET", "/sim/energy"): self._energy,
            ("GET", "/sim/segments"): self._segments,
            ("GET", "/sim/trace"): self._trace,
            ("GET", "/sim/params"): self._params,
        }

    async def handle(self, request: Request) -> Response:
        """Answer one request."""
        route = self._routes.get((request.method, request.path))
        try:
            if route is None:
                if any(path == request.path for _, path in self._routes):
                    raise ApiError(405, f"{request.method} is not allowed on {request.path}",
                                   "MethodNotAllowed")
                raise ApiError(404, f"no route {request.path}", "NotFoundError")
            return await route(request)
        except ApiError as exc:
            return exc.response()

    def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError:
            raise ApiError(400, "the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "the request body must be a JSON object")
        return body

    def _check_model(self, body: dict[str, Any], required: bool = True) -> None:
        name = body.get("model")
        if name is None and not required:
            return
        if name != self.model:
            raise ApiError(404, f"The model `{name}` does not exist.", "NotFoundError")

    async def _models(self, request: Request) -> Response:
        created = int(time.time())
        data = [{"id": self.model, "object": "model", "created": created, "owned_by": "kperf-sim",
                 "max_model_len": MAX_MODEL_LEN}]
        return Response.json({"object": "list", "data": data})

    async def _completions(self, request: Request) -> Response:
        return await self._generate(request, chat=False)

    async def _chat(self, request: Request) -> Response:
        return await self._generate(request, chat=True)

    async def _generate(self, request: Request, chat: bool) -> Response:
        body = self._body(request)
        self._check_model(body)
        if self.reject_extras:
            for extra in ("min_tokens", "ignore_eos"):
                if extra in body:
                    raise ApiError(400, f"{extra} is not supported")
        prompt_tokens = count_words(_prompt_text(body, chat))
        max_tokens = _int_field(body, "max_tokens", None)
        if chat and max_tokens is None:
            max_tokens = _int_field(body, "max_completion_tokens", None)
        max_tokens = DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens
        min_tokens = _int_field(body, "min_tokens", None)
        if max_tokens < 1:
            raise ApiError(400, "max_tokens must be at least 1")
        if prompt_tokens + max_tokens > MAX_MODEL_LEN:
            raise ApiError(400, f"This model's maximum context length is {MAX_MODEL_LEN} tokens; "
                                f"the prompt ({prompt_tokens}) plus max_tokens ({max_tokens}) is longer.")
        exact = body.get("ignore_eos") is True or min_tokens is not None
        options = body.get("stream_options") or {}
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        req = self.engine.submit(prompt_tokens, max_tokens, exact, request.received_ns)
        if body.get("stream") is True:
            headers = {"content-type": "text/event-stream", "cache-control": "no-cache"}
            stamps = _WriteStamps(req)
            return Response(200, self._stream(req, chat, include_usage, stamps.parts), headers,
                            stamps.written)
        try:
            async for _ in req.tokens():
                pass
        finally:
            self.engine.cancel(req)
        return Response.json(self._full(req, chat))

    def _envelope(self, req: SimRequest, chat: bool, chunk: bool) -> dict[str, Any]:
        prefix = "chatcmpl" if chat else "cmpl"
        kind = "chat.completion" if chat else "text_completion"
        if chat and chunk:
            kind += ".chunk"
        return {"id": f"{prefix}-{req.record.id}", "object": kind, "created": int(time.time()),
                "model": self.model}

    def _finish(self, req: SimRequest) -> str:
        return "length" if req.record.completion_tokens >= req.record.max_tokens else "stop"

    def _usage(self, req: SimRequest) -> dict[str, int]:
        rec = req.record
        return {"prompt_tokens": rec.prompt_tokens, "completion_tokens": rec.completion_tokens,
                "total_tokens": rec.prompt_tokens + rec.completion_tokens}

    def _full(self, req: SimRequest, chat: bool) -> dict[str, Any]:
        text = "".join(f" w{i}" for i in range(req.record.completion_tokens))
        choice: dict[str, Any] = {"index": 0, "finish_reason": self._finish(req), "logprobs": None}
        if chat:
            choice["message"] = {"role": "assistant", "content": text}
        else:
            choice["text"] = text
        return {**self._envelope(req, chat, False), "choices": [choice], "usage": self._usage(req)}

    async def _stream(self, req: SimRequest, chat: bool, include_usage: bool,
                      parts: list[bool]) -> AsyncIterator[bytes]:
        """The SSE stream; ``parts`` gets, for each part yielded, whether it carries text."""
        head = self._envelope(req, chat, True)
        try:
            if chat:
                choice = {"index": 0, "delta": {"role": "assistant"}, "logprobs": None,
                          "finish_reason": None}
                parts.append(False)
                yield _sse({**head, "choices": [choice]})
            i = 0
            words = ""
            every = self.engine.params.stream_interval
            async for _ in req.tokens():
                words += f" w{i}"
                i += 1
                if i % every and not req.done:
                    continue  # several tokens per chunk: sent together
                finish = self._finish(req) if req.done else None
                if chat:
                    choice = {"index": 0, "delta": {"content": words}, "logprobs": None,
                              "finish_reason": finish}
                else:
                    choice = {"index": 0, "text": words, "logprobs": None, "finish_reason": finish}
                parts.append(True)
                yield _sse({**head, "choices": [choice]})
                words = ""
            if include_usage:
                parts.append(False)
                yield _sse({**head, "choices": [], "usage": self._usage(req)})
            parts.append(False)
            yield b"data: [DONE]\n\n"
        finally:
            self.engine.cancel(req)

    async def _tokenize(self, request: Request) -> Response:
        body = self._body(request)
        self._check_model(body, required=False)
        words = _prompt_text(body, chat="messages" in body).split()
        tokens = [zlib.crc32(w.encode()) % 100_000 for w in words]
        return Response.json({"count": len(tokens), "max_model_len": MAX_MODEL_LEN, "tokens": tokens})

    async def _version(self, request: Request) -> Response:
        return Response.json({"version": f"kperf-sim {__version__}"})

    async def _health(self, request: Request) -> Response:
        return Response(200, b"")

    async def _metrics(self, request: Request) -> Response:
        prompt = sum(r.prompt_tokens for r in self.engine.records if r.first_token_ns is not None)
        generation = sum(r.completion_tokens for r in self.engine.records)
        labels = f'{{engine="0",model_name="{self.model}"}}'
        lines = []
        for name, value, help_ in (("vllm:prompt_tokens_total", prompt, "Number of prefill "
                                    "tokens processed."),
                                   ("vllm:generation_tokens_total", generation, "Number of "
                                    "generation tokens processed.")):
            lines += [f"# HELP {name} {help_}", f"# TYPE {name} counter",
                      f"{name}{labels} {float(value)}"]
        lines += ["# HELP vllm:num_requests_running Number of requests in model execution "
                  "batches.", "# TYPE vllm:num_requests_running gauge",
                  f"vllm:num_requests_running{labels} {float(self.engine.in_flight)}"]
        return Response(200, ("\n".join(lines) + "\n").encode(),
                        {"content-type": "text/plain; version=0.0.4; charset=utf-8"})

    def _interval(self, request: Request) -> tuple[int, int]:
        try:
            return int(request.query["t0"]), int(request.query["t1"])
        except (KeyError, ValueError):
            raise ApiError(400, "give t0 and t1 as integer perf_counter_ns values") from None

    async def _energy(self, request: Request) -> Response:
        t0, t1 = self._interval(request)
        trace = self.engine.trace
        return Response.json({"energy_j": trace.energy_j(t0, t1), "mean_w": trace.mean_w(t0, t1)})

    async def _segments(self, request: Request) -> Response:
        t0, t1 = self._interval(request)
        return Response.json({"segments": self.engine.trace.segments(t0, t1)})

    async def _trace(self, request: Request) -> Response:
        return Response.json({"requests": [r.to_dict() for r in self.engine.records],
                              "steps": dict(self.engine.steps),
                              "in_flight": self.engine.in_flight})

    async def _params(self, request: Request) -> Response:
        return Response.json({**asdict(self.params), "model": self.model, "seed": self.seed,
                              "reject_extras": self.reject_extras, "version": __version__,
                              "start_ns": self.engine.trace.start_ns})


class _WriteStamps:
    """Keeps the write time of each streamed part that carries text in the request's record."""

    def __init__(self, req: SimRequest):
        self.record = req.record
        self.parts: list[bool] = []
        self._n = 0

    def written(self, t_ns: int) -> None:
        n = self._n
        self._n = n + 1
        if n < len(self.parts) and self.parts[n]:
            self.record.chunk_sent_ns.append(t_ns)


async def serve(app: SimApp, host: str, port: int, ready: Callable[[int], None],
                stop: asyncio.Event) -> None:
    """Serve ``app`` until ``stop`` is set; ``ready`` gets the bound port once listening."""
    server = HttpServer(app.handle, host, port, app.clock)
    await server.start()
    engine = asyncio.create_task(app.engine.run())
    try:
        ready(server.port)
        await stop.wait()
    finally:
        engine.cancel()
        await asyncio.gather(engine, return_exceptions=True)
        await server.close()
