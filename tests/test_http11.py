"""The lean HTTP/1.1 client: framing, keep-alive, reconnects, failures, TLS."""
from __future__ import annotations

import asyncio
import itertools
import shutil
import socket
import ssl
import struct
import subprocess
from collections.abc import Awaitable, Callable
from typing import Self

import pytest
from fake_openai import completion, sse
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.targets import http11, rxstamp
from drivers.targets import openai as openai_module
from drivers.targets.base import RequestSpec
from drivers.targets.http11 import Connection
from drivers.targets.openai import OpenAITarget

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

BODY = b'data: {"text": "h\xc3\xa9llo"}\n\n' * 3 + b"data: [DONE]\n\n"


def chunked(body: bytes, sizes: tuple[int, ...] = (7, 1, 30), trailer: bytes = b"") -> bytes:
    """``body`` in chunks of the given sizes (cycled), one with an extension, then ``trailer``."""
    out, pos, i = [], 0, 0
    while pos < len(body):
        n = sizes[i % len(sizes)]
        ext = b";name=value" if i == 1 else b""
        out.append(b"%X%s\r\n%s\r\n" % (len(body[pos : pos + n]), ext, body[pos : pos + n]))
        pos, i = pos + n, i + 1
    return b"".join(out) + b"0\r\n" + trailer + b"\r\n"


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
RESPONSE = HEAD + chunked(BODY, trailer=b"X-Trailer: 1\r\n")


async def read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    """One request: its request line, lower-case headers and body."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return head[0], headers, body


class Server:
    """A loopback server; each connection is served by ``handler``. Counts connections."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str], bytes]] = []

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     response: bytes) -> None:
        self.requests.append(await read_request(reader))
        writer.write(response)
        await writer.drain()

    def connection(self, read_timeout_s: float = 5.0) -> Connection:
        return Connection("127.0.0.1", self.port, None, 5.0, read_timeout_s)


def keep_answering(response: bytes) -> Callable[[Server], Handler]:
    def make(server: Server) -> Handler:
        async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while True:
                await server.answer(reader, writer, response)
        return handler
    return make


async def serve(make: Callable[[Server], Handler]) -> Server:
    server = Server(lambda r, w: asyncio.sleep(0))
    server.handler = make(server)
    return await server.__aenter__()


async def body_of(response: http11.Response) -> list[bytes]:
    return [block async for block in response.body_blocks()]


async def get(conn: Connection, path: str = "/x") -> tuple[http11.Response, bytes]:
    response = await conn.request("GET", path, {"accept": "*/*"}, b"")
    return response, b"".join(await body_of(response))


# --- framing over scripted reads -------------------------------------------------------------


class _ScriptedReader:
    """Hands out the given pieces one read at a time, then the end of the stream."""

    def __init__(self, pieces: list[bytes]):
        self.pieces = pieces

    async def read(self, n: int) -> bytes:
        return self.pieces.pop(0) if self.pieces else b""

    def at_eof(self) -> bool:
        return False

    def exception(self) -> None:
        return None


class _Transport:
    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0


class _Writer:
    def __init__(self) -> None:
        self.sent = bytearray()
        self.transport = _Transport()

    def write(self, data: bytes) -> None:
        self.sent += data

    def get_extra_info(self, name: str) -> None:
        return None

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        pass


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(set(cuts)), len(data)]
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


def scripted(monkeypatch: pytest.MonkeyPatch, pieces: list[bytes]) -> _Writer:
    writer = _Writer()

    async def open_link(*args: object, **kw: object):
        return rxstamp.StreamLink(_ScriptedReader(list(pieces)), writer)  # type: ignore[arg-type]

    monkeypatch.setattr(http11, "_open_link", open_link)
    return writer


async def scripted_body() -> tuple[http11.Response, list[bytes], Connection]:
    conn = Connection("example.test", 8000, None, 1.0, 1.0)
    response = await conn.request("POST", "/v1/completions", {"x-a": "1"}, b"{}")
    return response, await body_of(response), conn


def test_chunked_response_split_at_every_byte_position(monkeypatch):
    async def go() -> None:
        for cut in range(1, len(RESPONSE)):
            scripted(monkeypatch, [RESPONSE[:cut], RESPONSE[cut:]])
            response, blocks, conn = await scripted_body()
            assert b"".join(blocks) == BODY and all(blocks), cut
            assert response.status == 200 and conn._reusable, cut

    asyncio.run(go())


@settings(deadline=None, max_examples=150)
@given(cuts=st.lists(st.integers(1, len(RESPONSE) - 1), max_size=40),
       sizes=st.tuples(st.integers(1, 40), st.integers(1, 40)))
def test_chunked_response_split_anywhere(cuts, sizes):
    response_bytes = HEAD + chunked(BODY, sizes, b"X-A: 1\r\nX-B: 2\r\n")
    cuts = [c for c in cuts if c < len(response_bytes)]
    with pytest.MonkeyPatch.context() as mp:
        scripted(mp, split_at(response_bytes, cuts))
        _, blocks, conn = asyncio.run(scripted_body())
    assert b"".join(blocks) == BODY and conn._reusable


def test_request_bytes_are_built_once(monkeypatch):
    writer = scripted(monkeypatch, [RESPONSE])
    asyncio.run(scripted_body())
    assert bytes(writer.sent) == (
        b"POST /v1/completions HTTP/1.1\r\nHost: example.test:8000\r\nx-a: 1\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )


def test_interim_responses_are_skipped(monkeypatch):
    scripted(monkeypatch, [b"HTTP/1.1 100 Continue\r\n\r\n" + RESPONSE])
    response, blocks, _ = asyncio.run(scripted_body())
    assert response.status == 200 and b"".join(blocks) == BODY


@pytest.mark.parametrize("bad", [
    b"HTTP/2 200 OK\r\n\r\n",
    b"SSH-2.0-OpenSSH\r\n\r\n",
    HEAD + b"zz\r\nabc\r\n0\r\n\r\n",
    HEAD + b"3\r\nabcdef\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabc",
])
def test_malformed_responses_are_protocol_errors(monkeypatch, bad):
    scripted(monkeypatch, [bad])
    with pytest.raises(http11.ProtocolError):
        asyncio.run(scripted_body())


def test_a_header_with_a_line_break_is_refused(monkeypatch):
    scripted(monkeypatch, [RESPONSE])
    conn = Connection("example.test", 80, None, 1.0, 1.0)
    with pytest.raises(ValueError, match="line break"):
        asyncio.run(conn.request("GET", "/", {"authorization": "Bearer a\r\nX-Evil: 1"}, b""))


# --- over loopback ---------------------------------------------------------------------------


def run(coro: Awaitable[None]) -> None:
    asyncio.run(asyncio.wait_for(coro, 20))  # type: ignore[arg-type]


def test_content_length_body_and_keep_alive_on_one_socket():
    payload = b'{"ok": true}'
    response = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)

    async def go() -> None:
        server = await serve(keep_answering(response))
        conn = server.connection()
        for _ in range(3):
            resp, body = await get(conn)
            assert resp.status == 200 and body == payload
        assert server.connections == 1 and conn.opened == 1
        assert [r[0] for r in server.requests] == ["GET /x HTTP/1.1"] * 3
        assert server.requests[0][1]["host"] == f"127.0.0.1:{server.port}"
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_chunked_stream_arrives_block_by_block():
    async def handler_for(server: Server) -> Handler:
        async def handler(reader, writer):
            server.requests.append(await read_request(reader))
            writer.write(HEAD)
            for i in range(3):
                data = sse(completion(str(i)))
                writer.write(b"%x\r\n%s\r\n" % (len(data), data))
                await writer.drain()
                await asyncio.sleep(0.02)
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            await reader.read()
        return handler

    async def go() -> None:
        server = Server(lambda r, w: asyncio.sleep(0))
        server.handler = await handler_for(server)
        await server.__aenter__()
        conn = server.connection()
        resp = await conn.request("POST", "/v1/completions", {}, b"{}")
        blocks = await body_of(resp)
        assert blocks == [sse(completion(str(i))) for i in range(3)]
        assert resp.headers["content-type"] == "text/event-stream" and conn._reusable
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_close_delimited_body_then_a_new_connection():
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"

    async def go() -> None:
        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                await server.answer(reader, writer, response)
            return handler

        server = await serve(make)
        conn = server.connection()
        for _ in range(2):
            _, body = await get(conn)
            assert body == b"until the end"
        assert server.connections == 2 and conn.opened == 2
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_connection_close_header_is_obeyed():
    response = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"

    async def go() -> None:
        server = await serve(keep_answering(response))
        conn = server.connection()
        await get(conn)
        await get(conn)
        assert conn.opened == 2
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_idle_connection_closed_by_the_server_is_reopened():
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    async def go() -> None:
        closed = asyncio.Event()

        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                await server.answer(reader, writer, response)
                if server.connections == 1:
                    writer.close()
                    await writer.wait_closed()
                    closed.set()
                    return
                while True:
                    await server.answer(reader, writer, response)
            return handler

        server = await serve(make)
        conn = server.connection()
        await get(conn)
        await asyncio.wait_for(closed.wait(), 5)
        while conn._link is not None and conn._link.usable():
            await asyncio.sleep(0.005)
        stamps: list[int] = []
        resp = await conn.request("GET", "/x", {}, b"", lambda: stamps.append(1))
        assert b"".join(await body_of(resp)) == b"ok"
        assert conn.opened == 2 and server.connections == 2 and len(stamps) == 1
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_kept_alive_connection_dropped_without_an_answer_is_retried_once():
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    async def go() -> None:
        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                if server.connections == 1:
                    await server.answer(reader, writer, response)
                    server.requests.append(await read_request(reader))  # dropped unanswered
                    return
                while True:
                    await server.answer(reader, writer, response)
            return handler

        server = await serve(make)
        conn = server.connection()
        await get(conn)
        stamps: list[int] = []
        resp = await conn.request("GET", "/y", {}, b"", lambda: stamps.append(1))
        assert b"".join(await body_of(resp)) == b"ok" and len(stamps) == 2
        assert [r[0] for r in server.requests] == [
            "GET /x HTTP/1.1", "GET /y HTTP/1.1", "GET /y HTTP/1.1"
        ]
        assert server.connections == 2
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_a_fresh_connection_dropped_without_an_answer_is_not_retried():
    async def go() -> None:
        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                server.requests.append(await read_request(reader))
            return handler

        server = await serve(make)
        conn = server.connection()
        with pytest.raises(http11.ConnectionLost):
            await get(conn)
        assert len(server.requests) == 1 and server.connections == 1
        await server.__aexit__()

    run(go())


def test_reset_mid_body_then_the_next_request_reconnects():
    async def go() -> None:
        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                if server.connections == 1:
                    await server.answer(reader, writer, HEAD + b"10\r\n0123456789abcdef\r\n")
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                while True:
                    await server.answer(reader, writer, RESPONSE)
            return handler

        server = await serve(make)
        conn = server.connection()
        resp = await conn.request("GET", "/x", {}, b"")
        got = []
        with pytest.raises(http11.ConnectionLost):
            async for block in resp.body_blocks():
                got.append(block)
        assert b"".join(got) == b"0123456789abcdef"
        assert (await get(conn))[1] == BODY and conn.opened == 2
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_read_timeout_and_no_stray_cancel_afterwards():
    async def go() -> None:
        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                await server.answer(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await server.answer(reader, writer, HEAD + b"1\r\na\r\n")
                await asyncio.sleep(10)
            return handler

        server = await serve(make)
        conn = server.connection(read_timeout_s=0.2)
        await get(conn)
        await asyncio.sleep(0.5)  # the connection's timer must not cancel an idle caller
        loop = asyncio.get_running_loop()
        resp = await conn.request("GET", "/slow", {}, b"")
        start = loop.time()
        got = []
        with pytest.raises(http11.ReadTimeout, match="read timeout after 0.2 s"):
            async for block in resp.body_blocks():
                got.append(block)
        assert got == [b"a"] and 0.15 < loop.time() - start < 2
        await asyncio.sleep(0.5)
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_a_slow_stream_within_the_read_timeout_per_block_completes():
    async def go() -> None:
        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                await server.answer(reader, writer, HEAD)
                for i in range(6):
                    await asyncio.sleep(0.08)
                    writer.write(b"1\r\n%d\r\n" % i)
                    await writer.drain()
                writer.write(b"0\r\n\r\n")
                await writer.drain()
                await reader.read()
            return handler

        server = await serve(make)
        conn = server.connection(read_timeout_s=0.2)
        _, body = await get(conn)
        assert body == b"012345"
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_cancelling_a_read_is_a_cancellation_not_a_timeout():
    async def go() -> None:
        def make(server: Server) -> Handler:
            async def handler(reader, writer):
                await server.answer(reader, writer, HEAD)
                await asyncio.sleep(10)
            return handler

        server = await serve(make)
        conn = server.connection(read_timeout_s=5)
        task = asyncio.create_task(get(conn))
        while not server.requests:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert conn._link is None
        await server.__aexit__()

    run(go())


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conn = Connection("127.0.0.1", port, None, 5.0, 5.0)
    with pytest.raises(http11.ConnectFailed) as info:
        asyncio.run(conn.request("GET", "/", {}, b""))
    assert info.value.reason == "connection refused"


def test_http_error_with_json_body_keeps_the_connection():
    payload = b'{"error": {"message": "engine dead"}}'
    error = (b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))

    async def go() -> None:
        server = await serve(keep_answering(error))
        conn = server.connection()
        resp = await conn.request("POST", "/v1/completions", {}, b"{}")
        assert (resp.status, resp.reason) == (500, "Internal Server Error")
        assert resp.headers["content-type"] == "application/json"
        assert await resp.read_all(1 << 16) == payload
        resp = await conn.request("POST", "/v1/completions", {}, b"{}")
        assert await resp.read_all(5) == payload[:5]
        resp = await conn.request("POST", "/v1/completions", {}, b"{}")
        await resp.read_all(1 << 16)
        assert conn.opened == 2  # a body left unread is not reused
        await conn.aclose()
        await server.__aexit__()

    run(go())


def test_missing_reason_phrase_uses_the_standard_one():
    response = b"HTTP/1.1 502 \r\nContent-Length: 0\r\n\r\n"

    async def go() -> None:
        server = await serve(keep_answering(response))
        conn = server.connection()
        resp, body = await get(conn)
        assert (resp.status, resp.reason, body) == (502, "Bad Gateway", b"")
        await conn.aclose()
        await server.__aexit__()

    run(go())


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


def test_tls_target_makes_one_context_for_all_its_connections(monkeypatch, certificate):
    cert, key = certificate
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counting() -> ssl.SSLContext:
        context = real(cafile=cert)
        made.append(context)
        return context

    monkeypatch.setattr(openai_module.ssl, "create_default_context", counting)
    stream = sse(completion("a"), completion("b"), "[DONE]")

    async def go() -> None:
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert, key)

        async def handler(reader, writer):
            try:
                while True:
                    await read_request(reader)
                    writer.write(HEAD + chunked(stream))
                    await writer.drain()
            except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        target = OpenAITarget(lambda: 0, f"https://127.0.0.1:{port}/v1", "m1")
        spec = RequestSpec(seq=0, prompt="p", input_tokens=1, max_tokens=2)
        await target.open(3)
        results = await asyncio.gather(*(target.send(spec) for _ in range(6)))
        assert all(r.ok and r.text == "ab" for r in results), [r.error for r in results]
        await target.close()
        await target.open(2)
        assert (await target.send(spec)).ok
        await target.close()
        server.close()

    run(go())
    assert len(made) == 1


def test_tls_certificate_failure_is_a_connect_failure(certificate):
    cert, key = certificate

    async def go() -> None:
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert, key)

        async def handler(reader, writer):
            writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        conn = Connection("127.0.0.1", port, ssl.create_default_context(), 5.0, 5.0)
        with pytest.raises(http11.ConnectFailed, match="TLS handshake failed"):
            await conn.request("GET", "/", {}, b"")
        server.close()

    run(go())
