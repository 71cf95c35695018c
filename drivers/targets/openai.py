"""An OpenAI-compatible endpoint (vLLM, SGLang, TGI, llama.cpp server, ...) as a target.

One HTTP/1.1 keep-alive connection per request in flight (a concurrent user owns its connection),
on our own lean client (:mod:`.http11`), with the plan's read timeout and no proxy settings from
the environment. A general-purpose client costs about a millisecond of CPU per request; when
hundreds of users send their next request at once, that stalls the event loop and delays every
time stamp taken meanwhile (benchmarks/client_overhead.py). ``GET /models`` before a run goes
through httpx, as do the server's own records (:mod:`.server_state`). Each request is streamed;
its send time is taken right before its bytes are written, and every raw block is stamped with
the time its bytes came in (the kernel's receive time over plain TCP on Linux, else its arrival in
the event loop; ``describe()["time_stamps"]`` says which) and fed to our own SSE reader, so each
text chunk keeps that time. To make every request produce exactly ``max_tokens``, the vLLM
and SGLang extras ``min_tokens`` and ``ignore_eos`` are sent; a server that refuses them is asked
again without them for the rest of the run, and :meth:`OpenAITarget.describe` says so.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
import base64
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from ..redact import redact_text, redact_url
from . import http11
from .rxstamp import arrived
from .base import RequestResult, RequestSpec, Target, TargetUnavailable
from .server_state import fetch_state
from .sse import SSEEvent, SSEParser, StreamChunk, parse_chunk

PROBE_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 10.0
WRITE_TIMEOUT_S = 30.0
_BODY_LIMIT = 64 * 1024
_EXTRAS = ("min_tokens", "ignore_eos")


class OpenAITarget(Target):
    """Streams completions or chat completions from an OpenAI-compatible server."""

    kind = "openai"

    def __init__(
        self,
        now: Callable[[], int],
        base_url: str,
        model: str,
        api: Literal["completions", "chat"] = "completions",
        api_key_env: str | None = None,
        timeout_s: float = 600.0,
        exact_output: bool = True,
    ):
        super().__init__(now)
        if api not in ("completions", "chat"):
            raise ValueError(f"api must be 'completions' or 'chat', not {api!r}")
        self.base_url = base_url.rstrip("/")
        self.shown_url = redact_url(self.base_url)
        """The base URL as every message and record shows it: credentials masked."""
        self.model = model
        self.api = api
        self.api_key_env = api_key_env
        self.timeout_s = float(timeout_s)
        self.exact_output = exact_output
        self._extras = exact_output
        self._extras_accepted = False
        self._extras_refusal: str | None = None
        self._usage_seen = False
        self._pool: asyncio.LifoQueue[http11.Connection] | None = None
        self._conns: list[http11.Connection] = []
        self._stamp_kinds: set[str] = set()
        """How the closed connections stamped what they received (:attr:`.http11.Connection.stamps`)."""
        self._tls: ssl.SSLContext | None = None
        self._request_headers: dict[str, str] = {}
        self._prefix = ""
        self._tokenize_form: tuple[str, str] | None = None
        self._suffix = ""

    def _url(self, route: str) -> str:
        """The full URL of ``route`` under the base URL, its query kept."""
        u = urlsplit(self.base_url)
        return urlunsplit((u.scheme, u.netloc, f"{u.path.rstrip('/')}/{route}", u.query, ""))

    @property
    def _route(self) -> str:
        return "chat/completions" if self.api == "chat" else "completions"

    def _headers(self) -> dict[str, str]:
        headers = {"accept-encoding": "identity"}
        if self.api_key_env:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise TargetUnavailable(
                    f"The environment variable {self.api_key_env} named by target.api_key_env is "
                    "not set. Set it to the endpoint's API key before the run."
                )
            headers["authorization"] = f"Bearer {key}"
        return headers

    async def probe(self) -> dict[str, Any]:
        """``GET /models``; returns ``{"models": [ids]}`` or raises :class:`TargetUnavailable`."""
        url = self._url("models")
        async with httpx.AsyncClient(
            timeout=PROBE_TIMEOUT_S, trust_env=False, headers=self._headers()
        ) as client:
            try:
                resp = await client.get(url)
            except httpx.TimeoutException:
                raise TargetUnavailable(
                    f"The endpoint at {self.shown_url} did not answer within "
                    f"{PROBE_TIMEOUT_S:g} s. Check that the server is running and has finished "
                    "loading the model."
                ) from None
            except httpx.ConnectError as exc:
                raise TargetUnavailable(
                    f"Cannot reach the endpoint at {self.shown_url}: {_connect_reason(exc)}. "
                    "Check that the server is running and the base_url in the plan."
                ) from None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise TargetUnavailable(
                    f"Cannot use the base_url {self.shown_url!r}: {redact_text(str(exc))} "
                    "Write it like http://host:8000/v1."
                ) from None
            except httpx.HTTPError as exc:
                raise TargetUnavailable(
                    f"The endpoint at {self.shown_url} broke off its answer to GET /models "
                    f"({type(exc).__name__}: {redact_text(str(exc))}). Check the server's log."
                ) from None
        self._check_probe_status(resp, url)
        try:
            models = [m["id"] for m in resp.json()["data"]]
        except (ValueError, KeyError, TypeError):
            raise TargetUnavailable(
                f"The endpoint at {redact_url(url)} did not answer with a model list. Check "
                "that base_url points at an OpenAI-compatible server."
            ) from None
        if self.model not in models:
            served = ", ".join(map(str, models)) or "no models"
            raise TargetUnavailable(
                f"The endpoint at {self.shown_url} does not serve the model {self.model!r}; it "
                f"serves {served}. Set target.model to one of them."
            )
        return {"models": models}

    async def check_request(self) -> dict[str, Any]:
        """One real one-token request of the plan's API and model, before anything is measured.

        ``GET /models`` is often left open by servers that want a key for completions, and says
        nothing about whether the server has the plan's API. So a key the server refuses, a model
        it will not serve under that API, or an API it lacks raises :class:`TargetUnavailable`
        here with one plain line, instead of failing every request of the sweep. Returns what the
        request showed (``{"http_status", "output_chunks"}``)."""
        spec = RequestSpec(seq=-1, prompt="Hello", input_tokens=1, max_tokens=1, model=self.model)
        try:
            res = await self.send(spec)
        finally:
            await self.close()
        if res.ok:
            return {"http_status": res.http_status, "output_chunks": len(res.chunk_ns)}
        what = f"a one-token {self.api} request (POST .../{self._route}) for model {self.model!r}"
        code = res.http_status
        if code in (401, 403):
            fix = (f"check that {self.api_key_env} holds a valid key for it" if self.api_key_env
                   else "put the key in an environment variable and name it in "
                   "target.api_key_env")
            raise TargetUnavailable(
                f"The endpoint at {self.shown_url} refused {what} ({res.error}): the API key was "
                f"not accepted; {fix}.")
        if code in (400, 404, 405, 422, 501):
            other = "completions" if self.api == "chat" else "chat"
            raise TargetUnavailable(
                f"The endpoint at {self.shown_url} refused {what} ({res.error}). Check "
                f"target.model, and target.api: set it to '{other}' if the server has only that API.")
        raise TargetUnavailable(
            f"The endpoint at {self.shown_url} did not complete {what}: {res.error}. Check the "
            "server's log.")

    def _check_probe_status(self, resp: httpx.Response, url: str) -> None:
        code = resp.status_code
        if code in (401, 403):
            if self.api_key_env:
                raise TargetUnavailable(
                    f"The endpoint at {self.shown_url} refused the API key from {self.api_key_env} "
                    f"(HTTP {code}). Check that {self.api_key_env} holds a valid key for it."
                )
            raise TargetUnavailable(
                f"The endpoint at {self.shown_url} needs an API key (HTTP {code}). Put the key in "
                "an environment variable and name it in target.api_key_env."
            )
        if code == 404:
            hint = (
                "check the base_url in the plan"
                if urlsplit(self.base_url).path.rstrip("/").endswith("/v1")
                else "the base_url probably lacks /v1 (write it like http://host:8000/v1)"
            )
            raise TargetUnavailable(
                f"The endpoint answered HTTP 404 for {redact_url(url)}; {hint}.")
        if code != 200:
            raise TargetUnavailable(
                f"The endpoint at {redact_url(url)} answered HTTP {code}: "
                f"{_error_text(resp.content, resp.reason_phrase)}. Check the server's log."
            )

    async def open(self, concurrency: int) -> None:
        """Make the connections for up to ``concurrency`` requests in flight (each is opened by
        its first request)."""
        await self.close()
        self._make_pool(concurrency)

    def _make_pool(self, concurrency: int) -> asyncio.LifoQueue[http11.Connection]:
        headers = self._headers()
        url = urlsplit(self.base_url)
        try:
            port = url.port
        except ValueError:
            port = -1
        if url.scheme not in ("http", "https") or not url.hostname or port == -1:
            raise TargetUnavailable(
                f"Cannot use the base_url {self.shown_url!r}. Write it like http://host:8000/v1."
            )
        if url.scheme == "https" and self._tls is None:
            self._tls = ssl.create_default_context()
        tls = self._tls if url.scheme == "https" else None
        self._prefix = url.path.rstrip("/")
        self._suffix = f"?{url.query}" if url.query else ""
        if url.username is not None and "authorization" not in headers:
            pair = f"{unquote(url.username)}:{unquote(url.password or '')}".encode()
            headers["authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        self._request_headers = _Headers(headers, **{"content-type": "application/json"})
        self._conns = [
            http11.Connection(
                url.hostname, port or (443 if tls else 80), tls, CONNECT_TIMEOUT_S, self.timeout_s,
                WRITE_TIMEOUT_S,
            )
            for _ in range(max(1, concurrency))
        ]
        self._pool = asyncio.LifoQueue()
        for c in self._conns:
            self._pool.put_nowait(c)
        return self._pool

    def _pool_or_new(self) -> asyncio.LifoQueue[http11.Connection]:
        return self._pool if self._pool is not None else self._make_pool(1)

    async def close(self) -> None:
        conns, self._conns, self._pool = self._conns, [], None
        self._stamp_kinds.update(c.stamps for c in conns if c.opened)
        await asyncio.gather(*(c.aclose() for c in conns))

    def describe(self) -> dict[str, Any]:
        """Whether exact output lengths are enforced, the API, the endpoint, and whether the
        server reports usage in its streams."""
        if not self.exact_output:
            exact = "off"
        elif self._extras_refusal:
            exact = f"not accepted by server: {self._extras_refusal}"
        else:
            exact = "+".join(_EXTRAS)
        return {
            "exact_output_length": exact,
            "api": self.api,
            "base_url": self.shown_url,
            "model": self.model,
            "stream_usage": self._usage_seen,
            "time_stamps": ", ".join(sorted(
                self._stamp_kinds.union(c.stamps for c in self._conns if c.opened)))
                or "no request sent",
        }

    def _body(self, spec: RequestSpec, extras: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": spec.model or self.model}
        if self.api == "chat":
            body["messages"] = [{"role": "user", "content": spec.prompt}]
        else:
            body["prompt"] = spec.prompt
        body |= {
            "max_tokens": spec.max_tokens,
            "temperature": 0,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if extras:
            body |= {"min_tokens": spec.max_tokens, "ignore_eos": True}
        return body

    async def send(self, spec: RequestSpec) -> RequestResult:
        """Stream one request; every failure comes back as ``ok=False`` with a plain reason."""
        result = RequestResult(seq=spec.seq, sent_ns=self.now())
        try:
            await self._send(spec, result)
        except Exception as exc:  # the edge: a failed request is a result, never an exception
            result.ok = False
            result.error = self._failure(exc, result)
        finally:
            result.done_ns = self.now()
        return result

    async def _send(self, spec: RequestSpec, result: RequestResult) -> None:
        pool = self._pool_or_new()
        conn = await pool.get()
        try:
            await self._send_on(conn, spec, result)
        finally:
            pool.put_nowait(conn)

    async def _send_on(self, conn: http11.Connection, spec: RequestSpec,
                       result: RequestResult) -> None:
        extras = self._extras
        refused = await self._stream(conn, self._body(spec, extras), result)
        if refused is None:
            self._extras_accepted |= extras
        elif extras and self._may_be_extras(*refused):
            first = refused
            refused = await self._stream(conn, self._body(spec, False), result)
            if refused is None or _mentions_extras(first[1]):
                self._drop_extras(f"HTTP {first[0]}: {first[1]}")
        if refused:
            result.error = f"HTTP {refused[0]}: {refused[1]}"

    def _may_be_extras(self, code: int, message: str) -> bool:
        return code in (400, 422) and (_mentions_extras(message) or not self._extras_accepted)

    def _drop_extras(self, reason: str) -> None:
        self._extras = False
        if self._extras_refusal is None:
            self._extras_refusal = reason

    async def _stream(
        self, conn: http11.Connection, body: dict[str, Any], result: RequestResult
    ) -> tuple[int, str] | None:
        """Send ``body`` and read its stream into ``result``; an HTTP error comes back as
        ``(status, message)`` with nothing read."""

        def stamp() -> None:
            result.sent_ns = self.now()

        resp = await conn.request(
            "POST", f"{self._prefix}/{self._route}{self._suffix}", self._request_headers,
            json.dumps(body).encode(), stamp,
        )
        result.http_status = resp.status
        if not 200 <= resp.status < 300:
            return resp.status, _error_text(await resp.read_all(_BODY_LIMIT), resp.reason)
        if "json" in resp.headers.get("content-type", ""):
            chunk = parse_chunk((await resp.read_all(_BODY_LIMIT)).decode("utf-8", "replace"))
            result.error = (
                f"stream error: {chunk.error}"
                if chunk.error
                else "the server answered without streaming (content-type JSON)"
            )
            return None
        await self._read_events(resp, result)
        return None

    async def _read_events(self, resp: http11.Response, result: RequestResult) -> None:
        parser = SSEParser()
        stream = _Stream()
        now = self.now
        sent_ns = result.sent_ns
        kernel = resp.kernel_stamps
        try:
            try:
                async for block in resp.body_blocks():
                    t = now()
                    if kernel:  # when the bytes came in, by the kernel's receive time
                        came = arrived(t, resp.rx_ns, t - sent_ns)  # not before the request
                        if came is None:
                            stream.unstamped += 1
                        else:
                            t = came
                    events = parser.feed(block)
                    if not events:
                        continue
                    seen = len(result.chunk_ns)
                    stream.take(events, t, result)
                    if self.on_chunk is not None and len(result.chunk_ns) > seen:
                        for chunk_ns in result.chunk_ns[seen:]:
                            self.on_chunk(chunk_ns)
            except http11.ReadTimeout:
                if not stream.done:
                    raise
            stream.take(parser.close(), now(), result)
        finally:
            stream.finish(result)
        self._usage_seen |= stream.usage_seen

    def _failure(self, exc: Exception, result: RequestResult) -> str:
        if isinstance(exc, (http11.ReadTimeout, http11.ConnectTimeout, http11.WriteTimeout)):
            return str(exc)
        if isinstance(exc, http11.ConnectFailed):
            reason = exc.reason
            return reason if reason == "connection refused" else f"cannot connect: {reason}"
        if isinstance(exc, http11.ConnectionLost):
            return f"connection reset after {len(result.chunk_ns)} chunks"
        if isinstance(exc, http11.ProtocolError):
            return f"bad response: {exc}"
        if isinstance(exc, TargetUnavailable):
            return str(exc)
        return f"internal error: {type(exc).__name__}: {exc}"

    async def tokenize(self, text: str) -> int | None:
        """The server's token count for ``text`` as a completion prompt (special tokens such as
        a beginning-of-sequence token included, as the server counts ``prompt_tokens``):
        ``POST /tokenize`` beside ``/v1`` with ``{"prompt"}`` (vLLM, SGLang: ``count``) or
        ``{"content", "add_special"}`` (llama.cpp: ``tokens``), then SGLang's
        ``/v1/tokenize``. The first form that answers is kept for the rest of the run; ``None``
        where the server has none. Raises :class:`TargetUnavailable` when the server cannot be
        reached."""
        forms = _TOKENIZE_FORMS if self._tokenize_form is None else (
            (self._tokenize_form,) if self._tokenize_form else ())  # (): the server has none
        if not forms:
            return None
        for form in forms:
            count = await self._tokenize_with(form, text)
            if count is not None:
                self._tokenize_form = form
                return count
        if self._tokenize_form is None:
            self._tokenize_form = ()  # type: ignore[assignment]  # none of them: ask no more
        return None

    async def _tokenize_with(self, form: tuple[str, str], text: str) -> int | None:
        route, style = form
        pool = self._pool_or_new()
        root = self._prefix.removesuffix("/v1")
        path = f"{root}{route}{self._suffix}"
        if style == "llamacpp":
            payload: dict[str, Any] = {"content": text, "add_special": True}
        else:
            payload = {"model": self.model, "prompt": text}  # special tokens: on by default
        conn = await pool.get()
        try:
            resp = await conn.request("POST", path, self._request_headers,
                                      json.dumps(payload).encode())
            content = await resp.read_all(_TOKENIZE_LIMIT)
        except http11.HTTPError as exc:
            raise TargetUnavailable(
                f"Cannot reach the endpoint at {self.shown_url} to count tokens: "
                f"{self._failure(exc, RequestResult(0, 0))}. Check that the server is running."
            ) from None
        finally:
            pool.put_nowait(conn)
        if resp.status != 200:
            return None
        try:
            answer = json.loads(content)
        except ValueError:
            return None
        if not isinstance(answer, dict):
            return None
        if style == "llamacpp":
            tokens = answer.get("tokens")
            return len(tokens) if isinstance(tokens, list) and tokens else None
        count = answer.get("count")
        return count if isinstance(count, int) and not isinstance(count, bool) else None

    async def server_state(self, metrics: bool = True, identity: bool = True) -> dict[str, Any]:
        """What the server says about itself now (:func:`.server_state.fetch_state`): its
        models, version, health and a ``/metrics`` scrape, each as it answered."""
        return await fetch_state(self.base_url, self._headers(), metrics=metrics,
                                 identity=identity)


_TOKENIZE_FORMS: tuple[tuple[str, str], ...] = (
    ("/tokenize", "prompt"), ("/tokenize", "llamacpp"), ("/v1/tokenize", "prompt"))
_TOKENIZE_LIMIT = 16 << 20


class _Headers(dict[str, str]):
    """Request headers whose printed form hides the API key."""

    def __repr__(self) -> str:
        return repr({k: "<hidden>" if k == "authorization" else v for k, v in self.items()})


@dataclass
class _Stream:
    """What one response's events said so far."""

    parts: list[str] = field(default_factory=list)
    malformed: int = 0
    done: bool = False
    error: str | None = None
    finish_reason: str | None = None
    usage_seen: bool = False
    timings: dict[str, float] | None = None
    unstamped: int = 0
    """Blocks whose kernel receive time was missing (the first packets after a process first
    asks for stamps may come without) or unusable (the wall clock was stepped while they
    waited): stamped on arrival in the loop instead."""

    def take(self, events: list[SSEEvent], t_ns: int, result: RequestResult) -> None:
        for event in events:
            if event.error:
                self.malformed += 1
                continue
            chunk = parse_chunk(event.data)
            if event.event == "error" and not chunk.error:
                chunk = StreamChunk(error=event.data[:300] or "error")
            elif chunk.malformed:
                self.malformed += 1
            self.done |= chunk.done
            if chunk.error and self.error is None:
                self.error = chunk.error
            if chunk.text:
                result.chunk_ns.append(t_ns)
                result.chunk_chars.append(len(chunk.text))
                self.parts.append(chunk.text)
            if chunk.usage:
                self.usage_seen = True
                if chunk.usage.prompt_tokens is not None:
                    result.prompt_tokens = chunk.usage.prompt_tokens
                if chunk.usage.completion_tokens is not None:
                    result.completion_tokens = chunk.usage.completion_tokens
            if chunk.finish_reason:
                self.finish_reason = chunk.finish_reason
            if chunk.timings:
                self.timings = chunk.timings

    def finish(self, result: RequestResult) -> None:
        result.text = "".join(self.parts)
        if self.malformed:
            result.extra["malformed_lines"] = self.malformed
        if self.finish_reason:
            result.extra["finish_reason"] = self.finish_reason
        if self.timings:
            result.extra["server_timings"] = self.timings
        if self.unstamped:
            result.extra["blocks_stamped_in_loop"] = self.unstamped
        if self.error:
            result.error = f"stream error: {self.error}"
        elif self.done or result.chunk_ns:
            result.ok = True
        elif self.malformed:
            result.error = f"malformed stream: {self.malformed} unparseable lines"
        else:
            result.error = "empty stream: the server sent no text"


def _error_text(body: bytes, fallback: str) -> str:
    """The message of a JSON error body (OpenAI, vLLM, FastAPI shapes), else the body's start."""
    try:
        obj = json.loads(body)
    except ValueError:
        obj = None
    message: Any = None
    if isinstance(obj, dict):
        error = obj.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        message = message or obj.get("message") or obj.get("detail")
    if message is not None and not isinstance(message, str):
        message = json.dumps(message, ensure_ascii=False)
    text = message or body.decode("utf-8", "replace").strip() or fallback
    return " ".join(text.split())[:300]


def _mentions_extras(message: str) -> bool:
    return any(name in message for name in _EXTRAS)


def _connect_reason(exc: BaseException) -> str:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "host name not found"
        seen = seen.__cause__ or seen.__context__
    return redact_text(str(exc)) or type(exc).__name__
