"""Receive time stamps from the kernel: when the bytes of a response reached this machine.

A load client that stamps a block when its event loop gets to it stamps it late by however long
the loop was busy with other users' blocks: at 64 and more users on a few cores, milliseconds,
which would be reported as the chip's TTFT and inter-token gaps (benchmarks/client_overhead.py).
On Linux a TCP socket with ``SO_TIMESTAMPNS`` set hands, with every ``recvmsg``, the time the
kernel received the newest packet among the bytes read (``CLOCK_REALTIME``, nanoseconds; see
socket(7) and the kernel's Documentation/networking/timestamping.rst, "SO_TIMESTAMPNS"). That
time does not depend on when the loop reads, so a block is stamped when it arrived, not when it
was read. Bytes that piled up while the loop was busy arrive as one block with the newest
packet's time, so a stamp is never earlier than the bytes' arrival.

:class:`SocketLink` is a connected, non-blocking TCP socket read and written straight from the
event loop's selector (``add_reader``), so every read can ask for the stamp. Where stamps are not
available (another system, or a loop without ``add_reader`` such as Windows' proactor),
:func:`link_for` reads through asyncio streams instead (:class:`StreamLink`), and the link's
``kind`` says which stamps it gives. The simulated endpoint serves through the same links, so it
knows when each request reached it.
"""
from __future__ import annotations

import asyncio
import collections
import platform
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = 35
"""``SO_TIMESTAMPNS`` (= ``SCM_TIMESTAMPNS``) in include/uapi/asm-generic/socket.h, which x86-64,
arm64 and riscv64 use; Python's socket module does not name it."""
_TIMESPEC = struct.Struct("@qq")
"""``struct timespec`` on a 64-bit Linux: seconds and nanoseconds, both 64-bit."""
_ANC_SIZE = socket.CMSG_SPACE(_TIMESPEC.size) if hasattr(socket, "CMSG_SPACE") else 0
_MACHINES = {"x86_64", "amd64", "aarch64", "arm64", "riscv64"}

RECV_SIZE = 256 * 1024
"""Bytes asked of the socket per read (what asyncio's own transports ask)."""
READ_LIMIT = 1 << 20
"""Bytes asked of an asyncio stream per read, and its buffer limit (:class:`StreamLink`)."""
MAX_BUFFERED = 1 << 20
"""Bytes read ahead of the reader before the socket stops being read until it catches up."""

KERNEL = "kernel receive time (SO_TIMESTAMPNS)"
LOOP = "arrival in the client's event loop"


def supported() -> bool:
    """Whether this system hands receive time stamps the way :class:`SocketLink` reads them."""
    return (sys.platform == "linux" and struct.calcsize("P") == 8 and _ANC_SIZE > 0
            and platform.machine().lower() in _MACHINES)


def enable(sock: socket.socket) -> bool:
    """Ask the kernel to stamp what ``sock`` receives; ``False`` where it cannot."""
    if not supported():
        return False
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        return False
    return True


def stamp_of(ancdata: list[tuple[int, int, bytes]]) -> int:
    """The ``CLOCK_REALTIME`` nanoseconds in a ``recvmsg``'s ancillary data; 0 when none."""
    for level, kind, raw in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(raw) >= _TIMESPEC.size:
            sec, nsec = _TIMESPEC.unpack_from(raw)
            return sec * 1_000_000_000 + nsec
    return 0


def arrived(now_ns: int, rx_ns: int, limit_ns: int) -> int | None:
    """When bytes with the kernel receive stamp ``rx_ns`` arrived, on the clock that read
    ``now_ns`` just now: ``now_ns`` less how long ago the stamp was. ``None`` when there is no
    stamp (0), or it lies in the future or ``limit_ns`` or more back (the wall clock was stepped
    while the bytes waited): the caller then keeps ``now_ns`` and says so."""
    late = time.time_ns() - rx_ns
    return now_ns - late if rx_ns and 0 <= late < limit_ns else None


class SocketLink:
    """A connected non-blocking TCP socket, read and written from the event loop's selector.

    The socket is read whenever it is readable (also between requests, so a server closing an
    idle connection is seen at once); each read keeps the kernel's receive time. Reading stops
    while more than :data:`MAX_BUFFERED` bytes wait for the reader, and goes on when it has
    caught up. Writes go to the socket at once; what it does not take waits for it to be
    writable, and :meth:`drain` waits for that.
    """

    kind = KERNEL

    def __init__(self, sock: socket.socket, loop: asyncio.AbstractEventLoop):
        self._sock = sock
        self._loop = loop
        self._fd = sock.fileno()
        self._blocks: collections.deque[tuple[bytes, int]] = collections.deque()
        self._buffered = 0
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._out = bytearray()
        self._error: OSError | None = None
        self._eof = False
        self._closed = False
        self._reading = False
        self._resume_reading()

    # --- reading ---------------------------------------------------------------------------

    def _resume_reading(self) -> None:
        if not self._reading:
            self._loop.add_reader(self._fd, self._on_readable)
            self._reading = True

    def _pause_reading(self) -> None:
        if self._reading:
            self._loop.remove_reader(self._fd)
            self._reading = False

    def _on_readable(self) -> None:
        try:
            data, ancdata, _flags, _addr = self._sock.recvmsg(RECV_SIZE, _ANC_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._error = exc
            self._pause_reading()
        else:
            if data:
                self._blocks.append((data, stamp_of(ancdata)))
                self._buffered += len(data)
                if self._buffered > MAX_BUFFERED:
                    self._pause_reading()
            else:
                self._eof = True
                self._pause_reading()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def read(self) -> tuple[bytes, int]:
        """The next bytes received and the kernel's receive time of their newest packet
        (``CLOCK_REALTIME`` ns; 0 when the kernel gave none); ``(b"", 0)`` at the end."""
        while not self._blocks:
            if self._error is not None:
                raise self._error
            if self._eof or self._closed:
                return b"", 0
            waiter = self._loop.create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None
        data, stamp = self._blocks.popleft()
        self._buffered -= len(data)
        if (not self._reading and self._buffered <= MAX_BUFFERED // 2 and not self._eof
                and self._error is None and not self._closed):
            self._resume_reading()
        return data, stamp

    # --- writing ---------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Hand ``data`` to the socket; what it cannot take now is sent when it can."""
        if self._closed:
            raise ConnectionResetError("the connection is closed")
        if self._error is not None:
            raise self._error
        if not self._out:
            try:
                sent = self._sock.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            if sent == len(data):
                return
            data = data[sent:]
            self._loop.add_writer(self._fd, self._on_writable)
        self._out += data

    def pending(self) -> int:
        """Bytes written but not yet taken by the socket."""
        return len(self._out)

    def _on_writable(self) -> None:
        try:
            sent = self._sock.send(self._out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._error = exc
            self._out.clear()
        else:
            del self._out[:sent]
            if self._out:
                return
        self._loop.remove_writer(self._fd)
        drained = self._drained
        if drained is not None and not drained.done():
            drained.set_result(None)

    async def drain(self) -> None:
        """Wait until the socket has taken everything written."""
        while self._out and not self._closed and self._error is None:
            drained = self._loop.create_future()
            self._drained = drained
            try:
                await drained
            finally:
                self._drained = None
        if self._error is not None:
            raise self._error
        if self._closed and self._out:
            raise ConnectionResetError("the connection was closed while sending")

    # --- state -----------------------------------------------------------------------------

    def usable(self) -> bool:
        """Whether the connection is open and the server has neither closed nor broken it."""
        return not (self._closed or self._eof or self._error is not None or self._blocks)

    def socket(self) -> socket.socket:
        return self._sock

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pause_reading()
        if self._out:
            self._loop.remove_writer(self._fd)
        self._sock.close()
        for future in (self._waiter, self._drained):
            if future is not None and not future.done():
                future.set_result(None)

    async def wait_closed(self) -> None:
        """Closing is immediate; kept so both kinds of link close alike."""


class StreamLink:
    """A connection read and written through asyncio streams (TLS, or no kernel stamps): the
    same calls as :class:`SocketLink`, with no receive stamps."""

    kind = LOOP

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self._reader = reader
        self._writer = writer

    async def read(self) -> tuple[bytes, int]:
        return await self._reader.read(READ_LIMIT), 0

    def write(self, data: bytes) -> None:
        self._writer.write(data)

    def pending(self) -> int:
        return int(self._writer.transport.get_write_buffer_size())

    async def drain(self) -> None:
        await self._writer.drain()

    def usable(self) -> bool:
        reader = self._reader
        return (not self._writer.transport.is_closing() and not reader.at_eof()
                and reader.exception() is None)

    def close(self) -> None:
        self._writer.close()

    async def wait_closed(self) -> None:
        await self._writer.wait_closed()


async def link_for(sock: socket.socket) -> SocketLink | StreamLink:
    """A connected non-blocking socket as a :class:`SocketLink` where its receive stamps can be
    had, else through asyncio streams (:attr:`kind` says which)."""
    link = open_link(sock)
    if link is not None:
        return link
    reader, writer = await asyncio.open_connection(sock=sock, limit=READ_LIMIT)
    return StreamLink(reader, writer)


async def connect(host: str, port: int) -> socket.socket:
    """A connected non-blocking TCP socket to ``host:port``, trying each address in turn;
    raises the last address's :class:`OSError` (``socket.gaierror`` for an unknown name)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    error: OSError = OSError(f"no address for {host}")
    for family, kind, proto, _name, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    raise error


def open_link(sock: socket.socket) -> SocketLink | None:
    """A :class:`SocketLink` over a connected socket when receive stamps can be had for it and
    the running loop can watch it; ``None`` otherwise (the caller then uses asyncio streams)."""
    loop = asyncio.get_running_loop()
    if not enable(sock):
        return None
    try:
        return SocketLink(sock, loop)
    except NotImplementedError:  # a loop without add_reader (Windows' proactor)
        return None
