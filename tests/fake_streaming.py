"""Fakes for drivers that talk in lines without VISA: a line-based instrument on a loopback TCP
port that, once told to, pushes a line every interval without being asked (continuous output), and
a scripted line link that checks every line a driver sends against a table.

Lines received go to a handler as in :mod:`fake_instrument`; its reply, when not ``None``, is sent
back. ``start_on`` / ``stop_on`` are the lines that start and stop the pushed output. The instrument
can stall its present connections (push and answer nothing on them; with ``new_too`` on later ones
as well) or drop every connection at once, optionally refusing new ones.
"""
from __future__ import annotations

import select
import socket
import threading
import time
from collections import deque
from typing import Any, Callable

from drivers.meters.base import MeterTimeout

Handler = Callable[[str], "str | None"]

TIMEOUT = object()
"""A line that never comes: ``read_line`` raises :class:`MeterTimeout`."""


class ScriptedLines:
    """A line link that follows a table: ``(sent, reply)`` for each line sent (reply ``None``:
    no answer), ``(None, line)`` for a line that arrives unasked (or as a further line of a
    reply), ``(None, TIMEOUT)`` for one that never comes, and ``("drain", None)`` where the driver
    flushes its input. ``check_done`` fails on entries left over."""

    def __init__(self, table: list[tuple[Any, Any]]):
        self.table = deque(table)
        self.replies: deque[bytes] = deque()
        self.events: list[str] = []
        self.timeout_s = 0.5
        self.is_open = False

    def open(self) -> None:
        self.events.append("open")
        self.is_open = True

    def close(self) -> None:
        self.events.append("close")
        self.is_open = False

    def send(self, line: str) -> None:
        expected, reply = self._next(f"sent {line!r}")
        assert line.encode() == expected, f"sent {line!r} where the table expects {expected!r}"
        if reply is not None:
            self.replies.append(reply)

    def read_line(self, timeout_s: float | None = None) -> bytes:
        if self.replies:
            return self.replies.popleft()
        expected, line = self._next("read a line")
        assert expected is None, f"read a line where the table expects {expected!r} to be sent"
        if line is TIMEOUT:
            raise MeterTimeout("no line in time")
        return line

    def read_newest(self, timeout_s: float | None = None) -> tuple[bytes, int]:
        return self.read_line(timeout_s), 0

    def drain(self, quiet_s: float = 0.2, limit_s: float = 2.0) -> None:
        expected, _ = self._next("drained")
        assert expected == "drain", f"drained where the table expects {expected!r}"
        self.replies.clear()

    def check_done(self) -> None:
        assert not self.table, f"lines never sent or read: {list(self.table)!r}"

    def _next(self, what: str) -> tuple[Any, Any]:
        assert self.table, f"{what} after the table was used up"
        return self.table.popleft()


class StreamingInstrument:
    """A threaded TCP server on 127.0.0.1 at a free port; use it as a context manager."""

    def __init__(
        self,
        handler: Handler,
        next_line: Callable[[], str],
        interval_s: float = 0.05,
        terminator: bytes = b"\n",
        start_on: str = "cont on",
        stop_on: str = "cont off",
    ):
        self.handler = handler
        self.next_line = next_line
        self.interval_s = interval_s
        self.terminator = terminator
        self.start_on = start_on
        self.stop_on = stop_on
        self.received: list[str] = []
        self.connections = 0
        self.pushed = 0
        self._lock = threading.Lock()
        self._stalled_upto = 0
        self._stall_new = False
        self._stop = threading.Event()
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]

    @property
    def address(self) -> str:
        """``host:port`` of this instrument."""
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> "StreamingInstrument":
        self._spawn(self._accept_loop)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stall(self, new_too: bool = False) -> None:
        """Push and answer nothing on the present connections (and, with ``new_too``, on later
        ones) until :meth:`resume`; lines received meanwhile are dropped."""
        with self._lock:
            self._stalled_upto = self.connections
            self._stall_new = new_too

    def resume(self) -> None:
        """End a stall."""
        with self._lock:
            self._stalled_upto = 0
            self._stall_new = False

    def _is_stalled(self, index: int) -> bool:
        with self._lock:
            return index <= self._stalled_upto or self._stall_new

    def drop(self, refuse_new: bool = False) -> None:
        """Close every connection now; with ``refuse_new``, stop accepting connections too."""
        if refuse_new:
            _close(self._listener)
        with self._lock:
            clients, self._clients = list(self._clients), []
        for client in clients:
            _close(client)

    def stop(self) -> None:
        """Close every socket and wait for the threads."""
        self._stop.set()
        self.drop(refuse_new=True)
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: Callable, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="fake-streaming")
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.05)
                if not ready:
                    continue
                client, _ = self._listener.accept()
            except (OSError, ValueError):
                return
            with self._lock:
                self._clients.append(client)
                self.connections += 1
                index = self.connections
            self._spawn(self._serve, client, index)

    def _serve(self, client: socket.socket, index: int) -> None:
        buffer = b""
        streaming = False
        next_push = 0.0
        while not self._stop.is_set():
            timeout = max(0.0, next_push - time.monotonic()) if streaming else 0.05
            try:
                ready, _, _ = select.select([client], [], [], min(timeout, 0.05))
                if ready:
                    chunk = client.recv(4096)
                    if not chunk:
                        return
                    buffer += chunk
            except (OSError, ValueError):
                return
            while self.terminator in buffer:
                raw, buffer = buffer.split(self.terminator, 1)
                line = raw.decode("ascii", errors="replace")
                with self._lock:
                    self.received.append(line)
                if self._is_stalled(index):
                    continue
                if line == self.start_on:
                    streaming, next_push = True, time.monotonic() + self.interval_s
                elif line == self.stop_on:
                    streaming = False
                reply = self.handler(line)
                if reply is not None and not self._send(client, reply):
                    return
            if streaming and not self._is_stalled(index) and time.monotonic() >= next_push:
                next_push += self.interval_s
                with self._lock:
                    self.pushed += 1
                if not self._send(client, self.next_line()):
                    return

    def _send(self, client: socket.socket, text: str) -> bool:
        try:
            client.sendall(text.encode("ascii") + self.terminator)
        except OSError:
            return False
        return True


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
