"""A line-based instrument on a loopback TCP port, for tests of drivers over real sockets.

Each line received (terminator removed) goes to a handler; its reply, when not ``None``, is sent
back with the terminator. The instrument can be told to stall (swallow replies, so the driver
times out) or to drop the connection on the next line, optionally refusing new ones after.
"""
from __future__ import annotations

import select
import socket
import threading
from typing import Callable

Handler = Callable[[str], "str | None"]


class FakeInstrument:
    """A threaded TCP server on 127.0.0.1 at a free port; use it as a context manager."""

    def __init__(self, handler: Handler, terminator: bytes = b"\n"):
        self.handler = handler
        self.terminator = terminator
        self.received: list[str] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._stall = 0
        self._drop = False
        self._refuse_after_drop = False
        self._stop = threading.Event()
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]

    @property
    def resource(self) -> str:
        """The VISA resource string of this instrument."""
        return f"TCPIP::127.0.0.1::{self.port}::SOCKET"

    def __enter__(self) -> "FakeInstrument":
        self._spawn(self._accept_loop)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stall(self, count: int = 1_000_000) -> None:
        """Answer none of the next ``count`` lines that have a reply."""
        with self._lock:
            self._stall = count

    def drop(self, refuse_new: bool = False) -> None:
        """Close the connection when the next line arrives, unanswered; with ``refuse_new``,
        stop accepting connections too."""
        with self._lock:
            self._drop = True
            self._refuse_after_drop = refuse_new

    def stop(self) -> None:
        """Close every socket and wait for the threads."""
        self._stop.set()
        self._close_listener()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            _close(client)
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target: Callable, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="fake-instrument")
        self._threads.append(thread)
        thread.start()

    def _close_listener(self) -> None:
        _close(self._listener)

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
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        buffer = b""
        with client:
            while not self._stop.is_set():
                try:
                    chunk = client.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while self.terminator in buffer:
                    line, buffer = buffer.split(self.terminator, 1)
                    if not self._answer(client, line.decode("ascii", errors="replace")):
                        return

    def _answer(self, client: socket.socket, line: str) -> bool:
        """Handle one line; ``False`` once the connection is closed."""
        with self._lock:
            self.received.append(line)
            if self._drop:
                self._drop = False
                if self._refuse_after_drop:
                    self._close_listener()
                _close(client)
                return False
        reply = self.handler(line)
        if reply is None:
            return True
        with self._lock:
            if self._stall > 0:
                self._stall -= 1
                return True
        try:
            client.sendall(reply.encode("ascii") + self.terminator)
        except OSError:
            return False
        return True


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
