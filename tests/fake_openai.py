"""A scripted OpenAI-compatible HTTP/1.1 server on loopback, for tests.

Each route answers with the replies queued for it, in order; the last one keeps answering. A
reply's body is a list of steps: bytes (sent as one HTTP chunk and flushed), :class:`Delay`,
:data:`RESET` (abort the connection with a TCP reset) or :data:`CLOSE` (close it mid-body). A
route may also be given a function of the :class:`Request` that returns a reply.
"""
from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Callable, Union


@dataclass(frozen=True)
class Delay:
    """Pause the reply."""

    seconds: float


class _Cut:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


RESET = _Cut("RESET")
CLOSE = _Cut("CLOSE")

Step = Union[bytes, Delay, _Cut]


@dataclass
class Reply:
    """One scripted response."""

    status: int = 200
    body: list[Step] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/event-stream"})
    chunked: bool = True


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Handler = Union[Reply, Callable[[Request], Reply]]


def json_reply(status: int, obj: Any) -> Reply:
    """A plain JSON response."""
    return Reply(status, [json.dumps(obj).encode()], {"content-type": "application/json"}, False)


def models_reply(*ids: str) -> Reply:
    """The answer of ``GET /v1/models``."""
    return json_reply(200, {"object": "list", "data": [{"id": i, "object": "model"} for i in ids]})


def completion(text: str) -> dict[str, Any]:
    choice = {"index": 0, "text": text, "finish_reason": None}
    return {"object": "text_completion", "choices": [choice]}


def chat(**delta: Any) -> dict[str, Any]:
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta}]}


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
    counts = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    return {"choices": [], "usage": counts}


def sse(*payloads: Any, end: str = "\n") -> bytes:
    """Payloads (objects as JSON, strings as they are) framed as SSE events."""
    out = []
    for p in payloads:
        data = p if isinstance(p, str) else json.dumps(p, ensure_ascii=False)
        out.append(f"data: {data}{end}{end}")
    return "".join(out).encode()


def events(*payloads: Any, end: str = "\n") -> list[Step]:
    """One body step per payload."""
    return [sse(p, end=end) for p in payloads]


class FakeOpenAI:
    """The server; use as a context manager. ``base_url`` ends in ``/v1``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._routes: dict[tuple[str, str], list[Handler]] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-openai", daemon=True)
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def script(self, method: str, path: str, *replies: Handler) -> None:
        """Queue replies for ``method path``."""
        with self._lock:
            self._routes.setdefault((method, path), []).extend(replies)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _next(self, method: str, path: str) -> Handler:
        with self._lock:
            queue = self._routes.get((method, path))
            if not queue:
                return json_reply(404, {"error": {"message": f"no route {method} {path}"}})
            return queue.pop(0) if len(queue) > 1 else queue[0]

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        line = await reader.readline()
        if not line.strip():
            return False
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        request = Request(method, path, headers, body)
        self.requests.append(request)
        handler = self._next(method, path)
        reply = handler(request) if callable(handler) else handler
        return await self._send(writer, reply)

    async def _send(self, writer: asyncio.StreamWriter, reply: Reply) -> bool:
        head = [f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}"]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        if reply.chunked:
            head.append("transfer-encoding: chunked")
        else:
            size = sum(len(s) for s in reply.body if isinstance(s, bytes))
            head.append(f"content-length: {size}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        for step in reply.body:
            if isinstance(step, Delay):
                await asyncio.sleep(step.seconds)
            elif step is RESET:
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return False
            elif step is CLOSE:
                return False
            elif isinstance(step, bytes) and step:
                writer.write(b"%x\r\n%s\r\n" % (len(step), step) if reply.chunked else step)
                await writer.drain()
        if reply.chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        return True
