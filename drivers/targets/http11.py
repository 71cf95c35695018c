"""A lean HTTP/1.1 client on asyncio streams: one persistent connection, one request at a time.

A load client sends hundreds of streamed requests at once, and what it spends per request and per
received block delays the time stamps it takes. This client builds each request with one join,
writes it at once, and reads the response as raw blocks, decoding ``Transfer-Encoding: chunked``
incrementally (a chunk boundary may fall anywhere in a block), a ``Content-Length`` body, or a
body delimited by the server closing the connection. One timer per connection enforces the read
timeout: a read only records when it started, and the timer checks that when it fires, so a block
costs no timer of its own.

The connection is kept alive when a response was read to its end and the server did not ask to
close it. A kept-alive connection found closed before any byte of the response arrived (a server
that closed it while idle) is reopened and the request sent again, once; a request that may have
been processed is never sent again. Proxy settings from the environment are never used.

Over plain TCP on Linux the connection is a :class:`.rxstamp.SocketLink`: every block comes with
the kernel's receive time, so its stamp does not wait for a busy event loop
(:attr:`Response.rx_ns`). Over TLS, and where the system gives no such stamps, it reads through
asyncio streams and :attr:`Connection.stamps` says that blocks are stamped on arrival in the loop.
"""
from __future__ import annotations

import asyncio
import errno
import re
import socket
import ssl
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from http import HTTPStatus

from . import rxstamp

MAX_HEAD = 64 * 1024
"""The longest response head accepted."""

_BREAK = re.compile(r"[\r\n]")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class HTTPError(Exception):
    """A request failed; the message says how, in plain words."""


class ConnectFailed(HTTPError):
    """The connection could not be opened; ``reason`` is e.g. ``connection refused``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ConnectTimeout(HTTPError):
    """The connection was not open within the connect timeout."""


class ReadTimeout(HTTPError):
    """Nothing arrived within the read timeout."""


class WriteTimeout(HTTPError):
    """The request could not be written within the write timeout."""


class ConnectionLost(HTTPError):
    """The server closed or reset the connection before the response ended."""


class ProtocolError(HTTPError):
    """The server's answer is not valid HTTP/1.1."""


class Response:
    """A response whose head has been read; its body is read with :meth:`body_blocks` or
    :meth:`read_all`, once."""

    def __init__(self, conn: Connection, status: int, reason: str, headers: dict[str, str],
                 framing: _Framing):
        self.status = status
        self.reason = reason
        self.headers = headers
        self._conn = conn
        self._framing = framing
        self.rx_ns = 0
        """The kernel's receive time (``CLOCK_REALTIME`` ns) of the block last yielded by
        :meth:`body_blocks`; 0 where the kernel gave none."""
        self.kernel_stamps = conn.stamps == rxstamp.KERNEL
        """Whether the connection asks the kernel for receive times."""

    async def body_blocks(self) -> AsyncGenerator[bytes, None]:
        """Yield the body's bytes (transfer framing removed) as they arrive."""
        conn, framing = self._conn, self._framing
        while not framing.done:
            data = await conn._read()
            self.rx_ns = conn.rx_ns
            if not data:
                if framing.until_close:
                    framing.done = True
                    break
                raise ConnectionLost("the server closed the connection before the response ended")
            block = framing.feed(data)
            if block:
                yield block
        conn._finished(framing)

    async def read_all(self, limit: int) -> bytes:
        """The body's first ``limit`` bytes; the rest, if any, is not read."""
        body = bytearray()
        async with aclosing(self.body_blocks()) as blocks:
            async for block in blocks:
                body += block
                if len(body) >= limit:
                    break
        return bytes(body[:limit])


class Connection:
    """One persistent HTTP/1.1 connection to ``host:port`` (TLS when ``tls`` is given), opened on
    the first request and reopened when it cannot be reused."""

    _loop: asyncio.AbstractEventLoop

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None,
                 connect_timeout_s: float, read_timeout_s: float, write_timeout_s: float = 30.0):
        self.host = host
        self.port = port
        self.tls = tls
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.write_timeout_s = write_timeout_s
        name = f"[{host}]" if ":" in host else host
        default = 443 if tls is not None else 80
        self._host_line = f"Host: {name}\r\n" if port == default else f"Host: {name}:{port}\r\n"
        self._link: rxstamp.SocketLink | rxstamp.StreamLink | None = None
        self._reusable = False
        self._timer: asyncio.TimerHandle | None = None
        self._read_since = 0.0
        self._reading: asyncio.Task[object] | None = None
        self._expired = False
        self._got_bytes = False
        self._pending = b""
        self._pending_rx = 0
        self.rx_ns = 0
        """The kernel's receive time of the bytes last read (0 where there is none)."""
        self.stamps = ""
        """Which time a block's stamp is, once opened: the kernel's receive time
        (:data:`.rxstamp.KERNEL`), or its arrival in the loop (:data:`.rxstamp.LOOP`)."""
        self.opened = 0
        """How many times the connection has been opened."""

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes,
                      before_write: Callable[[], None] | None = None) -> Response:
        """Send one request and read the response's head. ``before_write`` is called right before
        the request's bytes are written (again if the request is sent again)."""
        data = self._encode(method, path, headers, body)
        reused = self._usable()
        if not reused:
            await self._open()
        while True:
            if before_write is not None:
                before_write()
            try:
                await self._write(data)
                return await self._read_head(method)
            except ConnectionLost:
                if not reused or self._got_bytes:
                    raise
            reused = False
            await self._open()

    def _encode(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        lines = [f"{method} {path} HTTP/1.1\r\n", self._host_line]
        for name, value in headers.items():
            if _BREAK.search(name) or _BREAK.search(value):
                raise ValueError(f"the request header {name!r} contains a line break")
            lines.append(f"{name}: {value}\r\n")
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        return b"".join(("".join(lines).encode("latin-1"), body))

    def _usable(self) -> bool:
        """Whether the open connection can carry the next request."""
        link = self._link
        if link is None:
            return False
        if self._reusable and link.usable():
            return True
        self.close()
        return False

    async def _open(self) -> None:
        self.close()
        try:
            link = await asyncio.wait_for(
                _open_link(self.host, self.port, self.tls), self.connect_timeout_s)
        except TimeoutError:
            raise ConnectTimeout(f"connect timeout after {self.connect_timeout_s:g} s") from None
        except ssl.SSLError as exc:
            raise ConnectFailed(f"TLS handshake failed: {exc.reason or exc}") from None
        except OSError as exc:
            raise ConnectFailed(_connect_reason(exc)) from None
        self.stamps = link.kind
        self._link = link
        self._loop = asyncio.get_running_loop()
        self._pending = b""
        self.opened += 1

    async def _write(self, data: bytes) -> None:
        link = self._link
        assert link is not None
        self._reusable = False
        self._got_bytes = False
        try:
            link.write(data)
            if link.pending():
                await asyncio.wait_for(link.drain(), self.write_timeout_s)
        except TimeoutError:
            self.close()
            raise WriteTimeout(f"write timeout after {self.write_timeout_s:g} s") from None
        except OSError as exc:
            self.close()
            raise ConnectionLost(f"the connection broke while sending: {exc}") from None

    async def _read_head(self, method: str) -> Response:
        while True:
            head = await self._read_until_blank()
            status, reason, headers, version = _parse_head(head)
            if not 100 <= status < 200 or status == 101:
                break
        keep = (
            headers.get("connection", "").lower() != "close"
            if version == "HTTP/1.1"
            else headers.get("connection", "").lower() == "keep-alive"
        )
        framing = _framing(method, status, headers)
        framing.keep_alive = keep and not framing.until_close
        return Response(self, status, reason, headers, framing)

    async def _read_until_blank(self) -> bytes:
        buf = bytearray()
        while True:
            data = await self._read()
            if not data:
                if buf:
                    raise ConnectionLost("the server closed the connection in the response head")
                raise ConnectionLost("the server closed the connection without answering")
            self._got_bytes = True
            start = max(0, len(buf) - 3)
            buf += data
            end = buf.find(b"\r\n\r\n", start)
            if end >= 0:
                self._pending = bytes(buf[end + 4:])
                self._pending_rx = self.rx_ns
                return bytes(buf[:end])
            if len(buf) > MAX_HEAD:
                raise ProtocolError(f"the response head is longer than {MAX_HEAD} bytes")

    async def _read(self) -> bytes:
        """The next bytes from the server (``b""`` at its end), bounded by the read timeout."""
        if self._pending:
            data, self._pending = self._pending, b""
            self.rx_ns = self._pending_rx
            return data
        link = self._link
        assert link is not None
        loop = self._loop
        self._read_since = loop.time()
        self._reading = asyncio.current_task()
        if self._timer is None:
            self._timer = loop.call_at(self._read_since + self.read_timeout_s, self._on_timer)
        try:
            data, self.rx_ns = await link.read()
            return data
        except asyncio.CancelledError:
            if self._expired:
                self._expired = False
                task = self._reading
                if task is not None and task.uncancel() == 0:
                    self.close()
                    raise ReadTimeout(
                        f"read timeout after {self.read_timeout_s:g} s"
                    ) from None
            self.close()
            raise
        except OSError as exc:
            self.close()
            raise ConnectionLost(f"the connection broke: {exc}") from None
        finally:
            self._reading = None

    def _on_timer(self) -> None:
        task = self._reading
        if task is None:
            self._timer = None
            return
        loop = self._loop
        due = self._read_since + self.read_timeout_s
        if loop.time() < due:
            self._timer = loop.call_at(due, self._on_timer)
            return
        self._timer = None
        self._expired = True
        task.cancel()

    def _finished(self, framing: _Framing) -> None:
        self._reusable = framing.keep_alive and not framing.extra
        if not self._reusable:
            self.close()

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        self._reusable = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        link, self._link = self._link, None
        if link is not None:
            link.close()

    async def aclose(self) -> None:
        """Close the connection and wait briefly for it to be closed."""
        link = self._link
        self.close()
        if link is not None:
            try:
                await asyncio.wait_for(link.wait_closed(), 1.0)
            except (TimeoutError, OSError, ssl.SSLError):
                pass


async def _open_link(host: str, port: int,
                     tls: ssl.SSLContext | None) -> rxstamp.SocketLink | rxstamp.StreamLink:
    """Connect, with TCP_NODELAY: a :class:`.rxstamp.SocketLink` where receive stamps can be
    had, else asyncio streams (always for TLS)."""
    if tls is None:
        sock = await rxstamp.connect(host, port)
        _nodelay(sock)
        return await rxstamp.link_for(sock)
    reader, writer = await asyncio.open_connection(
        host, port, ssl=tls, limit=rxstamp.READ_LIMIT, server_hostname=host)
    sock = writer.get_extra_info("socket")
    if sock is not None:
        _nodelay(sock)
    return rxstamp.StreamLink(reader, writer)


def _nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Framing:
    """How the body ends; ``feed`` takes received bytes and returns the body bytes among them."""

    done = False
    until_close = False
    keep_alive = False
    extra = False

    def feed(self, data: bytes) -> bytes:
        raise NotImplementedError


class _Empty(_Framing):
    done = True


class _UntilClose(_Framing):
    until_close = True

    def feed(self, data: bytes) -> bytes:
        return data


class _Length(_Framing):
    def __init__(self, length: int):
        self.left = length
        self.done = length == 0

    def feed(self, data: bytes) -> bytes:
        if len(data) >= self.left:
            self.extra = len(data) > self.left
            data = data[: self.left]
            self.left = 0
            self.done = True
            return data
        self.left -= len(data)
        return data


class _Chunked(_Framing):
    """Incremental ``Transfer-Encoding: chunked`` decoding."""

    _SIZE, _DATA, _DATA_END, _TRAILER = range(4)

    def __init__(self) -> None:
        self._state = self._SIZE
        self._left = 0
        self._line = b""

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        pos, end = 0, len(data)
        while pos < end and not self.done:
            state = self._state
            if state == self._DATA:
                take = min(self._left, end - pos)
                out.append(data[pos : pos + take])
                pos += take
                self._left -= take
                if not self._left:
                    self._state = self._DATA_END
                continue
            nl = data.find(b"\n", pos)
            if nl < 0:
                self._line += data[pos:]
                if len(self._line) > MAX_HEAD:
                    raise ProtocolError("a chunk header or trailer line is too long")
                break
            line = data[pos:nl]
            if self._line:
                line, self._line = self._line + line, b""
            line = line.rstrip(b"\r")
            pos = nl + 1
            if state == self._SIZE:
                size = _chunk_size(line)
                if size:
                    self._left, self._state = size, self._DATA
                else:
                    self._state = self._TRAILER
            elif state == self._DATA_END:
                if line:
                    raise ProtocolError("a chunk is longer than its stated size")
                self._state = self._SIZE
            elif not line:
                self.done = True
        self.extra = self.done and pos < end
        return out[0] if len(out) == 1 else b"".join(out)


def _chunk_size(line: bytes) -> int:
    text = line.split(b";", 1)[0].strip()
    if not _HEX.fullmatch(text):
        raise ProtocolError(f"bad chunk size line {line[:40]!r}")
    return int(text, 16)


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str], str]:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    if version not in ("HTTP/1.1", "HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise ProtocolError(f"the server did not answer in HTTP/1.1: {lines[0][:80]!r}")
    status = int(code)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise ProtocolError(f"bad header line {line[:80]!r}")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if not reason.strip():
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return status, reason.strip(), headers, version


def _framing(method: str, status: int, headers: dict[str, str]) -> _Framing:
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return _Empty()
    coding = headers.get("transfer-encoding")
    if coding is not None:
        if coding.lower().rsplit(",", 1)[-1].strip() == "chunked":
            return _Chunked()
        return _UntilClose()
    length = headers.get("content-length")
    if length is not None:
        values = {v.strip() for v in length.split(",")}
        if len(values) != 1 or not next(iter(values)).isdigit():
            raise ProtocolError(f"bad Content-Length {length[:40]!r}")
        return _Length(int(values.pop()))
    return _UntilClose()


def _connect_reason(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError) or f"[Errno {errno.ECONNREFUSED}]" in str(exc):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    return exc.strerror or str(exc) or type(exc).__name__
