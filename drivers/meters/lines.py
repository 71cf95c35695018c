"""Plain line links to meters that talk without being asked (continuous output, daemons): a TCP
socket or a serial port, read line by line with a deadline, with typed errors."""
from __future__ import annotations

import os
import re
import select
import socket
import time
from typing import Any, ClassVar, Mapping

import serial

from .base import MeterDisconnected, MeterTimeout, MeterUnavailable

DEFAULT_PORT = 5025

_SOCKET_RESOURCE = re.compile(r"^TCPIP\d*::([^:]+)::(\d+)::SOCKET$", re.IGNORECASE)
_HOST_PORT = re.compile(r"^([A-Za-z0-9._-]+)(?::(\d+))?$")


class TcpLines:
    """Lines over a TCP connection: send a line, receive the next line, with typed errors."""

    def __init__(self, host: str, port: int, eol: bytes = b"\n", timeout_s: float = 3.0,
                 send_eol: bytes | None = None):
        self.host = host
        self.port = port
        self.eol = eol
        self.send_eol = eol if send_eol is None else send_eol
        self.timeout_s = timeout_s
        self.where = f"{host}:{port}"
        self._sock: socket.socket | None = None
        self._buffer = b""

    @property
    def is_open(self) -> bool:
        """Whether the connection is up."""
        return self._sock is not None

    def open(self) -> None:
        """Connect; :class:`MeterUnavailable` with a plain sentence when it cannot."""
        if self._sock is not None:
            return
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except OSError as exc:
            raise MeterUnavailable(
                f"Cannot connect to {self.where}: {_reason(exc)}. Check the address, the port and "
                f"that the instrument (or its daemon) is running."
            ) from exc
        self._buffer = b""

    def send(self, line: str) -> None:
        """Send ``line`` followed by the line end."""
        sock = self._connected()
        try:
            sock.sendall(line.encode("ascii") + self.send_eol)
        except OSError as exc:
            raise self._lost(exc) from exc

    def read_line(self, timeout_s: float | None = None) -> bytes:
        """The next line without its line end; :class:`MeterTimeout` if none comes in time."""
        limit = self.timeout_s if timeout_s is None else timeout_s
        give_up = time.monotonic() + limit
        while self.eol not in self._buffer:
            left = give_up - time.monotonic()
            if left <= 0:
                raise MeterTimeout(f"{self.where} sent no line within {limit:.1f} s.")
            self._receive(left)
        line, self._buffer = self._buffer.split(self.eol, 1)
        return line

    def read_newest(self, timeout_s: float | None = None) -> tuple[bytes, int]:
        """Wait for a line, then skip to the newest one already received: (line, lines skipped)."""
        line = self.read_line(timeout_s)
        self._receive(0)
        skipped = 0
        while self.eol in self._buffer:
            line, self._buffer = self._buffer.split(self.eol, 1)
            skipped += 1
        return line, skipped

    def drain(self, quiet_s: float = 0.2, limit_s: float = 2.0) -> None:
        """Discard what arrives until the line stays quiet for ``quiet_s``."""
        self._buffer = b""
        give_up = time.monotonic() + limit_s
        quiet_until = time.monotonic() + quiet_s
        while (now := time.monotonic()) < min(quiet_until, give_up):
            self._receive(min(quiet_until, give_up) - now)
            if self._buffer:
                self._buffer = b""
                quiet_until = time.monotonic() + quiet_s

    def close(self) -> None:
        """Close the connection. Safe twice."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def _receive(self, wait_s: float) -> None:
        """Add to the buffer what arrives within ``wait_s`` (0: what is already there)."""
        sock = self._connected()
        try:
            ready, _, _ = select.select([sock], [], [], max(wait_s, 0.0))
            chunk = sock.recv(65536) if ready else None
        except OSError as exc:
            raise self._lost(exc) from exc
        if chunk == b"":
            self.close()
            raise MeterDisconnected(
                f"{self.where} closed the connection. Check the cable and that the instrument "
                f"is on."
            )
        if chunk:
            self._buffer += chunk

    def _connected(self) -> socket.socket:
        if self._sock is None:
            raise MeterDisconnected(f"The connection to {self.where} is closed.")
        return self._sock

    def _lost(self, exc: BaseException) -> MeterDisconnected:
        self.close()
        return MeterDisconnected(
            f"The connection to {self.where} was lost ({_reason(exc)}). Check the cable and that "
            f"the instrument is on."
        )


class SerialLines(TcpLines):
    """Lines over a serial port (pyserial), with the same calls and errors as :class:`TcpLines`."""

    POLL_S: ClassVar[float] = 0.05

    def __init__(
        self,
        port: str,
        eol: bytes = b"\r\n",
        timeout_s: float = 3.0,
        baud_rate: int = 9600,
        rtscts: bool = False,
    ):
        super().__init__(port, 0, eol, timeout_s)
        self.where = port
        self.baud_rate = baud_rate
        self.rtscts = rtscts
        self._port: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        if self._port is not None:
            return
        try:
            self._port = serial.Serial(
                self.where, baudrate=self.baud_rate, timeout=self.POLL_S, rtscts=self.rtscts
            )
        except (serial.SerialException, ValueError) as exc:
            raise MeterUnavailable(
                f"Cannot open the serial port {self.where}: {exc}. Check the port name, the cable "
                f"and that no other program holds the port."
            ) from exc
        self._buffer = b""

    def send(self, line: str) -> None:
        port = self._opened()
        try:
            port.write(line.encode("ascii") + self.send_eol)
            port.flush()
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass

    def _receive(self, wait_s: float) -> None:
        """Add what arrives within the port's poll time (``wait_s`` 0: what is already there)."""
        port = self._opened()
        try:
            waiting = port.in_waiting
            if wait_s > 0 or waiting:
                self._buffer += port.read(max(1, waiting))
        except (serial.SerialException, OSError) as exc:
            raise self._lost(exc) from exc

    def _opened(self) -> serial.Serial:
        if self._port is None:
            raise MeterDisconnected(f"The serial port {self.where} is closed.")
        return self._port


def _reason(exc: BaseException) -> str:
    errno = getattr(exc, "errno", None)
    return os.strerror(errno).lower() if errno else (str(exc) or type(exc).__name__)


def line_link(resource: str, options: Mapping[str, Any]) -> TcpLines:
    """The line link for ``resource``: ``host``, ``host:port``, ``TCPIP::host::port::SOCKET``, or
    a serial port (``COM3``, ``/dev/ttyUSB0``, ``ASRL/dev/ttyUSB0::INSTR``)."""
    timeout_s = float(options.get("timeout_ms", 3000)) / 1000.0
    text = resource.strip()
    serial_port = _serial_port(text)
    if serial_port is not None:
        eol = str(options.get("eol", "\r\n")).encode("ascii")
        return SerialLines(
            serial_port,
            eol=eol,
            timeout_s=timeout_s,
            baud_rate=int(options.get("baud_rate", 9600)),
            rtscts=options.get("flow_control", "none") == "rts_cts",
        )
    eol = str(options.get("eol", "\n")).encode("ascii")
    match = _SOCKET_RESOURCE.match(text)
    if match:
        return TcpLines(match.group(1), int(match.group(2)), eol, timeout_s)
    match = _HOST_PORT.match(text)
    if match:
        return TcpLines(match.group(1), int(match.group(2) or DEFAULT_PORT), eol, timeout_s)
    raise MeterUnavailable(
        f"{resource!r} is neither a network address (192.168.0.20, 192.168.0.20:5025 or "
        f"TCPIP::192.168.0.20::5025::SOCKET) nor a serial port (COM3, /dev/ttyUSB0)."
    )


def _serial_port(resource: str) -> str | None:
    upper = resource.upper()
    if upper.startswith("ASRL") and upper.endswith("::INSTR"):
        return resource[4 : -len("::INSTR")]
    if upper.startswith("COM") or resource.startswith("/dev/"):
        return resource
    return None
