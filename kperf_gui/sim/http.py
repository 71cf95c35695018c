"""A minimal HTTP/1.1 server on the event loop's sockets.

Enough for an OpenAI-compatible endpoint on loopback: keep-alive, ``Content-Length`` request
bodies, ``Expect: 100-continue``, and responses with a fixed body or streamed (chunked for
HTTP/1.1, close-delimited for HTTP/1.0). Each connection reads in the background, so a client that
goes away while its response is still being prepared or streamed is noticed at once: the handler's
task is cancelled, and its ``finally`` clauses clean up. Connections are the client's own links
(:mod:`drivers.targets.rxstamp`): on Linux each request's arrival is the kernel's receive time of
its last bytes, so the server's view of a request's TTFT (first text written - request arrived)
does not contain its own event loop's lateness in reading it.
"""
from __future__ import annotations

import asyncio
import contextlib
import http
import json
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl, urlsplit

from drivers.targets import rxstamp

MAX_HEAD = 64 * 1024
MAX_BODY = 64 * 1024 * 1024
BACKLOG = 4096
"""Connections waiting to be accepted (capped by the system's somaxconn): a thousand users
connecting at once must not wait for SYN retries."""

log = logging.getLogger(__name__)


@dataclass
class Request:
    """One parsed request. Header names are lower case."""

    method: str
    path: str
    query: dict[str, str]
    version: str
    headers: dict[str, str]
    body: bytes = b""
    received_ns: int | None = None
    """When the bytes that completed the request (head and body) arrived, on the server's
    clock: the kernel's receive time where the link has it, else when the read returned."""

    def json(self) -> Any:
        """The body parsed as JSON; ``ValueError`` if it is not."""
        return json.loads(self.body)


@dataclass
class Response:
    """A response: ``body`` is bytes, or an async iterator of byte chunks to stream.
    ``written``, where given, is called once each streamed part is handed to the socket, with
    the server clock's time taken right before that write."""

    status: int = 200
    body: bytes | AsyncIterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    written: Callable[[int], None] | None = None

    @classmethod
    def json(cls, obj: Any, status: int = 200) -> "Response":
        data = json.dumps(obj, separators=(",", ":")).encode()
        return cls(status, data, {"content-type": "application/json"})


Handler = Callable[[Request], Awaitable[Response]]


class BadRequest(Exception):
    """The request cannot be parsed; answered with ``status`` and the connection closed."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class _Connection:
    """One client connection: a background reader fills a buffer the parser takes from."""

    def __init__(self, link: rxstamp.SocketLink | rxstamp.StreamLink,
                 clock: Callable[[], int] = time.perf_counter_ns):
        self.link = link
        self._clock = clock
        self.read_ns = 0
        """When the bytes of the latest read arrived (see :attr:`Request.received_ns`)."""
        self._buf = bytearray()
        self._more = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self.eof = False
        self.gone = asyncio.Event()
        self._task = asyncio.create_task(self._fill())

    async def _fill(self) -> None:
        clock = self._clock
        try:
            while True:
                await self._room.wait()
                data, rx_ns = await self.link.read()
                t = clock()
                came = rxstamp.arrived(t, rx_ns, 10_000_000_000)
                self.read_ns = t if came is None else came
                if not data:
                    break
                self._buf += data
                if len(self._buf) > MAX_HEAD + MAX_BODY:
                    self._room.clear()
                self._more.set()
        except (ConnectionError, OSError):
            pass
        finally:
            self.eof = True
            self.gone.set()
            self._more.set()

    async def _wait(self) -> None:
        if self.eof:
            raise ConnectionResetError("client closed the connection")
        self._more.clear()
        await self._more.wait()

    def _take(self, n: int) -> bytes:
        data = bytes(self._buf[:n])
        del self._buf[:n]
        self._room.set()
        return data

    async def read_head(self) -> bytes | None:
        """Bytes up to the blank line that ends a request head; ``None`` at a clean end."""
        while (i := self._buf.find(b"\r\n\r\n")) < 0:
            if len(self._buf) > MAX_HEAD:
                raise BadRequest(431, "request head too large")
            if self.eof and not self._buf:
                return None
            await self._wait()
        return self._take(i + 4)

    async def read_exact(self, n: int) -> bytes:
        while len(self._buf) < n:
            await self._wait()
        return self._take(n)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task
        self.link.close()
        with contextlib.suppress(Exception):
            await self.link.wait_closed()


def _parse_head(head: bytes) -> Request:
    try:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        raise BadRequest(400, "malformed request line") from None
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise BadRequest(505, "only HTTP/1.0 and HTTP/1.1 are served")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header line")
        headers[name.lower()] = value.strip()
    url = urlsplit(target)
    return Request(method.upper(), url.path, dict(parse_qsl(url.query)), version, headers)


def _keep_alive(request: Request) -> bool:
    conn = request.headers.get("connection", "").lower()
    if request.version == "HTTP/1.0":
        return conn == "keep-alive"
    return conn != "close"


def _head(status: int, headers: dict[str, str]) -> bytes:
    reason = http.HTTPStatus(status).phrase
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HttpServer:
    """Serves ``handler`` on ``host:port`` (port 0: any free port, see :attr:`port`); ``clock``
    stamps the writes of streamed parts (:attr:`Response.written`)."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], int] = time.perf_counter_ns):
        self._handler = handler
        self._clock = clock
        self._host = host
        self._port = port
        self._listener: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("the server is not started")
        return int(self._listener.getsockname()[1])

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        try:
            listener = socket.create_server((self._host, self._port), family=family,
                                            backlog=BACKLOG)
        except OSError as exc:  # its message names the address again; the caller does that
            raise OSError(exc.errno, os.strerror(exc.errno) if exc.errno else str(exc)) from None
        listener.setblocking(False)
        self._listener = listener
        self._accepting = asyncio.create_task(self._accept(listener))

    async def close(self) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accepting
        if self._listener is not None:
            self._listener.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                sock, _ = await loop.sock_accept(listener)
            except (ConnectionAbortedError, InterruptedError):
                continue
            except OSError as exc:  # out of descriptors: wait for some to be freed
                log.error("cannot accept a connection: %s", exc)
                await asyncio.sleep(0.1)
                continue
            task = asyncio.create_task(self._serve(sock))
            self._connections.add(task)
            task.add_done_callback(self._connections.discard)

    async def _serve(self, sock: socket.socket) -> None:
        conn: _Connection | None = None
        try:
            sock.setblocking(False)
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(await rxstamp.link_for(sock), self._clock)
            while await self._one(conn):
                pass
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # closing the server; ending quietly keeps asyncio from logging the cancellation
        finally:
            if conn is not None:
                await conn.close()
            else:
                sock.close()

    async def _one(self, conn: _Connection) -> bool:
        """Serve one request; ``True`` if the connection stays open for another."""
        try:
            head = await conn.read_head()
            if head is None:
                return False
            request = _parse_head(head)
            request.body = await self._read_body(conn, request)
            request.received_ns = conn.read_ns
        except BadRequest as exc:
            await self._write_error(conn, exc.status, str(exc))
            return False
        keep = _keep_alive(request)
        work = asyncio.create_task(self._respond(conn, request, keep))
        gone = asyncio.create_task(conn.gone.wait())
        try:
            await asyncio.wait({work, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
            if not work.done():
                work.cancel()
                await asyncio.wait({work})
        if work.cancelled():
            return False
        failure = work.exception()
        if failure is not None:
            if not isinstance(failure, (ConnectionError, OSError)):
                log.error("response to %s %s failed", request.method, request.path,
                          exc_info=failure)
            return False
        return keep and work.result()

    async def _read_body(self, conn: _Connection, request: Request) -> bytes:
        if "transfer-encoding" in request.headers:
            raise BadRequest(411, "send the request body with a Content-Length")
        try:
            length = int(request.headers.get("content-length", "0"))
        except ValueError:
            raise BadRequest(400, "Content-Length is not a number") from None
        if length < 0:
            raise BadRequest(400, "Content-Length is negative")
        if length > MAX_BODY:
            raise BadRequest(413, "request body too large")
        if length and request.headers.get("expect", "").lower() == "100-continue":
            conn.link.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await conn.link.drain()
        return await conn.read_exact(length)

    async def _respond(self, conn: _Connection, request: Request, keep: bool) -> bool:
        """Run the handler and write its response; ``True`` if the connection may be reused."""
        try:
            response = await self._handler(request)
        except Exception:
            log.exception("handler failed on %s %s", request.method, request.path)
            response = Response.json({"error": {"message": "internal error of the simulated server",
                                                "type": "InternalServerError"}}, 500)
        headers = {"server": "kperf-sim", **response.headers}
        w = conn.link
        if isinstance(response.body, bytes):
            headers["content-length"] = str(len(response.body))
            headers["connection"] = "keep-alive" if keep else "close"
            w.write(_head(response.status, headers) + response.body)
            await w.drain()
            return True
        chunked = request.version == "HTTP/1.1"
        if chunked:
            headers["transfer-encoding"] = "chunked"
        headers["connection"] = "keep-alive" if keep and chunked else "close"
        w.write(_head(response.status, headers))
        body = response.body
        written = response.written
        try:
            async for part in body:
                if part:
                    data = b"%x\r\n%s\r\n" % (len(part), part) if chunked else part
                    t = self._clock()
                    w.write(data)  # an idle socket takes the bytes within this call
                    if written is not None:
                        written(t)
                    await w.drain()
            if chunked:
                w.write(b"0\r\n\r\n")
                await w.drain()
        finally:
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                await aclose()
        return chunked

    async def _write_error(self, conn: _Connection, status: int, message: str) -> None:
        body = json.dumps({"error": {"message": message, "type": "BadRequestError"}}).encode()
        headers = {"content-type": "application/json", "content-length": str(len(body)),
                   "connection": "close"}
        with contextlib.suppress(ConnectionError, OSError):
            conn.link.write(_head(status, headers) + body)
            await conn.link.drain()
