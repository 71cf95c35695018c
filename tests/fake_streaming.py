"""A line-based instrument on a loopback TCP port that, once told to, pushes a line every interval
without being asked (continuous output), for tests of streaming drivers.

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
from typing import Callable

Handler = Callable[[str], "str | None"]


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
