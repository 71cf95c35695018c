"""Protocol tests for SCPI drivers: the exact bytes a driver sends, and the replies it gets.

``expected_protocol(WT300E, [(b"*IDN?\\n", b"YOKOGAWA,WT310E,1,F1\\n"), (b":RATE 1S\\n", None)])``
opens the driver on a fake pyvisa resource manager. Each pair is one write: the bytes sent,
termination included, and the reply the next read gets (``None``: no reply, ``TIMEOUT``: the read
times out). The test fails on any other command, on a read with no reply due, and on pairs left
over when the block ends.
"""
from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from pyvisa import constants
from pyvisa.errors import VisaIOError

TIMEOUT = object()
"""A reply that never comes: the read raises a pyvisa timeout."""

Pair = tuple[bytes, Any]


class FakeResource:
    """One session of :class:`FakeResourceManager`; pyvisa's message-based calls used by drivers."""

    def __init__(self, manager: "FakeResourceManager", name: str):
        self._manager = manager
        self.resource_name = name
        self.session = len(manager.opened)

    def write_raw(self, data: bytes) -> int:
        self._manager.sent(data)
        return len(data)

    def read_raw(self, size: int | None = None) -> bytes:
        return self._manager.reply()

    def clear(self) -> None:
        self._manager.events.append("clear")
        self._manager.replies.clear()

    def close(self) -> None:
        self._manager.events.append("close")
        self._manager.replies.clear()


class FakeResourceManager:
    """A pyvisa resource manager whose resources follow a table of (sent, reply) pairs."""

    def __init__(self, pairs: Sequence[Pair]):
        self.pairs: deque[Pair] = deque(pairs)
        self.replies: deque[Any] = deque()
        self.opened: list[tuple[str, dict[str, Any]]] = []
        self.events: list[str] = []
        self.failures: list[str] = []

    def open_resource(self, name: str, **attributes: Any) -> FakeResource:
        self.opened.append((name, attributes))
        self.events.append("open")
        return FakeResource(self, name)

    def close(self) -> None:
        self.events.append("close manager")

    def sent(self, data: bytes) -> None:
        if not self.pairs:
            self._fail(f"unexpected command {data!r}: the table is used up")
        expected, reply = self.pairs.popleft()
        if data != expected:
            self._fail(f"sent {data!r} where the table expects {expected!r}")
        if reply is not None:
            self.replies.append(reply)

    def reply(self) -> bytes:
        if not self.replies:
            self._fail("read with no reply due")
        reply = self.replies.popleft()
        if reply is TIMEOUT:
            raise VisaIOError(constants.StatusCode.error_timeout)
        return reply

    def check_done(self) -> None:
        if self.failures:
            raise AssertionError("; ".join(self.failures))
        if self.pairs:
            raise AssertionError(f"pairs never sent: {list(self.pairs)!r}")

    def _fail(self, message: str) -> None:
        self.failures.append(message)
        raise AssertionError(message)


@contextmanager
def expected_protocol(
    driver_factory: Callable[..., Any],
    pairs: Sequence[Pair],
    resource: str = "TCPIP::fake.invalid::5025::SOCKET",
    **options: Any,
) -> Iterator[Any]:
    """Open ``driver_factory(resource, resource_manager=..., **options)`` on a fake resource
    manager that checks every byte against ``pairs``; yields the opened driver and closes it."""
    manager = FakeResourceManager(pairs)
    meter = driver_factory(resource, resource_manager=manager, **options)
    meter.open()
    try:
        yield meter
    finally:
        meter.close()
    manager.check_done()


class HandlerResource:
    """A session of :class:`HandlerResourceManager`."""

    def __init__(self, manager: "HandlerResourceManager", name: str):
        self._manager = manager
        self.resource_name = name
        self.session = len(manager.opened)

    def write_raw(self, data: bytes) -> int:
        line = data.decode("ascii").rstrip("\r\n")
        self._manager.received.append(line)
        reply = self._manager.handler(line)
        if reply is not None:
            self._manager.replies.append(reply.encode("ascii") + b"\n")
        return len(data)

    def read_raw(self, size: int | None = None) -> bytes:
        if not self._manager.replies:
            raise AssertionError("read with no reply due")
        return self._manager.replies.popleft()

    def clear(self) -> None:
        self._manager.replies.clear()

    def close(self) -> None:
        self._manager.replies.clear()


class HandlerResourceManager:
    """A pyvisa resource manager whose resources answer each line with ``handler(line)`` (a
    text, or ``None`` for no reply): an instrument model in process, for long runs on a fake
    clock."""

    def __init__(self, handler: Callable[[str], "str | None"]):
        self.handler = handler
        self.received: list[str] = []
        self.replies: deque[bytes] = deque()
        self.opened: list[str] = []

    def open_resource(self, name: str, **attributes: Any) -> HandlerResource:
        self.opened.append(name)
        return HandlerResource(self, name)

    def close(self) -> None:
        pass


class FakeClock:
    """Time for a driver that waits, in tests: ``sleep`` advances the clock and nothing waits.
    :meth:`install` puts it in place of the ``time`` functions drivers use."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def monotonic(self) -> float:
        return self.now

    def perf_counter(self) -> float:
        return self.now

    def perf_counter_ns(self) -> int:
        return int(self.now * 1e9)

    def install(self, monkeypatch: Any) -> "FakeClock":
        import time

        for name in ("sleep", "monotonic", "perf_counter", "perf_counter_ns"):
            monkeypatch.setattr(time, name, getattr(self, name))
        return self
